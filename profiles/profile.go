package profiles

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/ini.v1"
)

// Profile is one named profile, merged from the config and credentials files.
type Profile struct {
	Name string

	Region          string
	AccessKeyID     string
	SecretAccessKey Secret
	SessionToken    Secret
	MFASerial       string
	RoleARN         string
	SourceProfile   string
	RoleSessionName string
	ExternalID      string
	DurationSeconds int
	MFAProcess      string

	// Sources awsenv cannot use, kept to explain why.
	CredentialSource  string
	CredentialProcess string
	SSO               bool

	// Awsenv holds the awsenv_* keys with the prefix removed
	// (awsenv_mfa_provider -> mfa_provider).
	Awsenv map[string]string

	// Where each part was found, for error messages.
	ConfigFile      string // set when the config file has a section for it
	CredentialsFile string // set when the credentials file has a section for it
}

// Where names the file(s) the profile comes from.
func (p *Profile) Where() string {
	switch {
	case p.ConfigFile != "" && p.CredentialsFile != "":
		return p.ConfigFile + " and " + p.CredentialsFile
	case p.CredentialsFile != "":
		return p.CredentialsFile
	default:
		return p.ConfigFile
	}
}

// KeyFile names the file that holds the profile's keys.
func (p *Profile) KeyFile() string {
	if p.CredentialsFile != "" {
		return p.CredentialsFile
	}
	return p.ConfigFile
}

// nameChar is the profile-name alphabet: [A-Za-z0-9._+@-].
func nameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._+@-", c) >= 0
}

// ValidateName refuses profile names that could mean anything to a shell.
// AWS allows more; awsenv allows only what can be printed into shell code
// and file names without any quoting question.
func ValidateName(name string) error {
	if name == "" {
		return &NameError{Name: name, Why: "it is empty"}
	}
	if len(name) > 128 {
		return &NameError{Name: name, Why: "it is longer than 128 characters"}
	}
	if name[0] == '-' {
		return &NameError{Name: name, Why: "it starts with '-', which commands read as an option"}
	}
	for i := 0; i < len(name); i++ {
		if !nameChar(name[i]) {
			return &NameError{Name: name, Why: "only letters, digits and . _ - + @ are allowed"}
		}
	}
	return nil
}

// NameError is a profile name awsenv refuses.
type NameError struct {
	Name string
	Why  string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("invalid profile name %s: %s. Give the profile a name made of letters, digits and . _ - + @ in your AWS config to use it with awsenv.",
		strconv.QuoteToASCII(e.Name), e.Why)
}

// Config is every profile of the two files.
type Config struct {
	Files    Files
	profiles map[string]*Profile
}

// Load reads both files. Missing files count as empty.
func Load(files Files) (*Config, error) {
	c := &Config{Files: files, profiles: map[string]*Profile{}}
	cfg, _, err := loadINI(files.Config)
	if err != nil {
		return nil, err
	}
	creds, _, err := loadINI(files.Credentials)
	if err != nil {
		return nil, err
	}
	for _, s := range cfg.Sections() {
		name, ok := configSectionProfile(s.Name())
		if !ok {
			continue
		}
		p := c.profile(name)
		p.ConfigFile = files.Config
		apply(p, s)
	}
	// The credentials file wins where both set a key, as in the AWS CLI.
	for _, s := range creds.Sections() {
		name := strings.TrimSpace(s.Name())
		if name == ini.DefaultSection {
			continue
		}
		p := c.profile(name)
		p.CredentialsFile = files.Credentials
		apply(p, s)
	}
	return c, nil
}

// configSectionProfile maps a config file section to a profile name:
// [default], [profile default] and [profile NAME]. Other sections
// ([sso-session x], [services x], a bare [name]) are not profiles there.
func configSectionProfile(section string) (string, bool) {
	section = strings.TrimSpace(section)
	if section == "default" {
		return "default", true
	}
	if rest, ok := strings.CutPrefix(section, "profile"); ok && rest != strings.TrimLeft(rest, " \t") {
		return strings.TrimSpace(rest), true
	}
	return "", false
}

func (c *Config) profile(name string) *Profile {
	p, ok := c.profiles[name]
	if !ok {
		p = &Profile{Name: name, Awsenv: map[string]string{}}
		c.profiles[name] = p
	}
	return p
}

func apply(p *Profile, s *ini.Section) {
	for _, k := range s.Keys() {
		key := strings.ToLower(strings.TrimSpace(k.Name()))
		val := strings.TrimSpace(k.Value())
		switch key {
		case "region":
			p.Region = val
		case "aws_access_key_id":
			p.AccessKeyID = val
		case "aws_secret_access_key":
			p.SecretAccessKey = Secret(val)
		case "aws_session_token", "aws_security_token":
			p.SessionToken = Secret(val)
		case "mfa_serial":
			p.MFASerial = val
		case "role_arn":
			p.RoleARN = val
		case "source_profile":
			p.SourceProfile = val
		case "role_session_name":
			p.RoleSessionName = val
		case "external_id":
			p.ExternalID = val
		case "duration_seconds":
			n, err := strconv.Atoi(val)
			if val == "" {
				n = 0
			} else if err != nil || n <= 0 {
				n = -1 // reported by Resolve, which knows the profile
			}
			p.DurationSeconds = n
		case "mfa_process":
			p.MFAProcess = val
		case "credential_source":
			p.CredentialSource = val
		case "credential_process":
			p.CredentialProcess = val
		case "sso_start_url", "sso_session", "sso_account_id", "sso_role_name":
			p.SSO = true
		default:
			if rest, ok := strings.CutPrefix(key, "awsenv_"); ok && rest != "" {
				p.Awsenv[rest] = val
			}
		}
	}
}

// Names lists the profiles, sorted.
func (c *Config) Names() []string {
	names := make([]string, 0, len(c.profiles))
	for n := range c.profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns one profile.
func (c *Config) Get(name string) (*Profile, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	p, ok := c.profiles[name]
	if !ok {
		return nil, &ProfileError{Profile: name, File: c.Files.Config + " or " + c.Files.Credentials,
			Problem: "no such profile",
			Fix:     fmt.Sprintf("Add [profile %s] to %s or [%s] to %s, or pick one from `awsenv list`.", name, c.Files.Config, name, c.Files.Credentials)}
	}
	return p, nil
}

// ProfileError is a profile that exists but cannot be used as written.
type ProfileError struct {
	Profile string
	File    string
	Problem string
	Fix     string
}

func (e *ProfileError) Error() string {
	return fmt.Sprintf("profile %q (%s): %s. %s", e.Profile, e.File, e.Problem, e.Fix)
}
