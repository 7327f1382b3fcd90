package profiles

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/awsenv/awsenv/profiles/awsini"
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

	// Other sources of credentials.
	CredentialSource  string // Environment, Ec2InstanceMetadata or EcsContainer
	CredentialProcess string
	SSOKeys           []string // the sso_* keys it has, sorted
	// WebIdentityTokenFile (a role assumed with a web identity token) and
	// LoginSession (a sign-in of `aws login`).
	WebIdentityTokenFile string
	LoginSession         string

	// IAM Identity Center (SSO) keys, as written (see Config.SSO).
	SSOSession            string // sso_session: the name of an [sso-session NAME] section
	SSOStartURL           string // sso_start_url
	SSORegion             string // sso_region
	SSOAccountID          string // sso_account_id
	SSORoleName           string // sso_role_name
	SSORegistrationScopes string // sso_registration_scopes
	IncludeProfile        string // aws-vault's include_profile, which is not read

	// Endpoint settings, for the helper's AWS calls (see Config.Endpoints).
	EndpointURL    string // endpoint_url
	Services       string // services: the name of a [services NAME] section
	IgnoreEndpoint bool   // ignore_configured_endpoint_urls = true
	CABundle       string // ca_bundle

	// Client holds the settings of the AWS clients and of AssumeRole the
	// CLI reads per profile (clientsettings.go).
	Client ClientKeys

	// Awsenv holds the awsenv_* keys with the prefix removed
	// (awsenv_mfa_provider -> mfa_provider).
	Awsenv map[string]string

	// EnvNames maps the lower-cased names of awsenv_env_NAME keys (as
	// Awsenv holds them) to NAME as written: the files' reader lower-cases
	// keys, as botocore does, and a variable's name keeps its case.
	EnvNames map[string]string

	// CommandFrom is the file each key that may choose code or variables
	// (mfa_process, credential_process, every awsenv_* key) was read from,
	// by its name in the file (lower case): the trust gate checks them.
	CommandFrom map[string]string
	// keyLine is the line of each awsenv_* key in its file, for messages.
	keyLine map[string]int

	// Stored is set when the profile's long-term key is in awsenv's secret
	// store, as the key index says: AccessKeyID is then the stored key's
	// id and SecretAccessKey is empty (the store is asked only when a
	// session must be made).
	Stored *StoredKey

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
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '+' || c == '@' || c == '-'
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

// Config is every profile of the two files. Load indexes the files'
// sections; a Profile is built the first time it is asked for, so a file of
// thousands of profiles costs little more than one of two. A Config is safe
// for use by several goroutines.
type Config struct {
	Files Files

	cfg, creds *awsini.File
	index      map[string]sources // profile name -> where its keys are
	ssoSession map[string]awsini.Section
	services   map[string]awsini.Section

	mu       sync.Mutex
	profiles map[string]*Profile // built so far
	resolved map[string]*resolution
	asSource map[string]*resolution // profiles with keys, as the source of a role

	// The key index (Files.KeyIndex), read the first time a profile
	// without keys in the files is built.
	indexRead bool
	index2    map[string]StoredKey
	indexErr  error
}

// sources are the sections a profile's keys come from: indexes for
// awsini.File.SectionAt, -1 for none.
type sources struct {
	cfg, creds int32
}

// Load reads both files. Missing files count as empty.
//
// The files are read as the AWS CLI reads them (see package awsini for the
// dialect), with one difference: a section or key written twice is merged,
// the later key winning, where the AWS CLI refuses the file.
func Load(files Files) (*Config, error) {
	cfg, err := loadINI(files.Config, files.ConfigVar, MaxAWSFileSize)
	if err != nil {
		return nil, err
	}
	creds, err := loadINI(files.Credentials, files.CredentialsVar, MaxAWSFileSize)
	if err != nil {
		return nil, err
	}
	c := &Config{Files: files, cfg: cfg, creds: creds,
		index: make(map[string]sources, cfg.NumSections()+creds.NumSections())}
	// A later section naming the same profile replaces an earlier one
	// wholesale, as in botocore's build_profile_map: [default] and
	// [profile default] are the same profile, and the later one wins.
	for i, n := 0, cfg.NumSections(); i < n; i++ {
		s := cfg.SectionAt(i)
		kind, name, ok := configSection(s.Name())
		switch {
		case !ok:
		case kind == "profile":
			src, ok := c.index[name]
			if !ok {
				src.creds = -1
			}
			src.cfg = int32(i)
			c.index[name] = src
		case kind == "sso-session":
			if c.ssoSession == nil {
				c.ssoSession = map[string]awsini.Section{}
			}
			c.ssoSession[name] = s
		case kind == "services":
			if c.services == nil {
				c.services = map[string]awsini.Section{}
			}
			c.services[name] = s
		}
	}
	// In the credentials file the section's name is the profile's, as
	// written; its keys win over the config file's, key by key.
	for i, n := 0, creds.NumSections(); i < n; i++ {
		name := creds.SectionAt(i).Name()
		src, ok := c.index[name]
		if !ok {
			src.cfg = -1
		}
		src.creds = int32(i)
		c.index[name] = src
	}
	return c, nil
}

// configSection maps a config file section to what it is, as botocore's
// build_profile_map does: [default] is profile default; a name starting
// with "profile", "sso-session" or "services" that splits (shell-like, see
// shlexSplit) into exactly two words names the second word, so
// [profile "a b"] is profile "a b" and [profilefoo] is nothing. Other
// sections are not profiles.
func configSection(section string) (kind, name string, ok bool) {
	if section == "default" {
		return "profile", "default", true
	}
	// The usual [profile NAME], NAME a plain word: what shlex would make
	// of it, without its rules.
	if rest, ok := strings.CutPrefix(section, "profile "); ok && plainWord(rest) {
		return "profile", rest, true
	}
	for _, kind := range []string{"profile", "sso-session", "services"} {
		if strings.HasPrefix(section, kind) {
			name, ok := shlexSecond(section)
			if !ok {
				return "", "", false
			}
			return kind, name, true
		}
	}
	return "", "", false
}

// plainWord reports whether s is one word of the profile-name alphabet,
// which shlex leaves as it is.
func plainWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !nameChar(s[i]) {
			return false
		}
	}
	return true
}

// configSectionProfile is the profile a config file section defines.
func configSectionProfile(section string) (string, bool) {
	kind, name, ok := configSection(section)
	return name, ok && kind == "profile"
}

// SSOSession is the keys of the [sso-session NAME] section of the config
// file (each name once, the last value).
func (c *Config) SSOSession(name string) (map[string]string, bool) {
	s, ok := c.ssoSession[name]
	if !ok {
		return nil, false
	}
	return s.Map(), true
}

// Services is the keys of the [services NAME] section of the config file;
// nested values (s3 = ...) read with awsini.Nested.
func (c *Config) Services(name string) (map[string]string, bool) {
	s, ok := c.services[name]
	if !ok {
		return nil, false
	}
	return s.Map(), true
}

// sectionKeys are a profile's keys in each file (configparser's view of
// each section: each name once, [DEFAULT]'s included).
func (c *Config) sectionKeys(src sources) (cfg, creds []awsini.Key) {
	if src.cfg >= 0 {
		cfg = c.cfg.SectionAt(int(src.cfg)).Keys()
	}
	if src.creds >= 0 {
		creds = c.creds.SectionAt(int(src.creds)).Keys()
	}
	return cfg, creds
}

// keyValues are a profile's keys as botocore merges them: the config
// file's section, updated key by key with the credentials file's.
func keyValues(cfg, creds []awsini.Key) map[string]string {
	m := make(map[string]string, len(cfg)+len(creds))
	for _, k := range cfg {
		m[k.Name] = k.Value
	}
	for _, k := range creds {
		m[k.Name] = k.Value
	}
	return m
}

// lookupLocked builds (once) and returns a profile, or nil.
func (c *Config) lookupLocked(name string) *Profile {
	if p, ok := c.profiles[name]; ok {
		return p
	}
	src, ok := c.index[name]
	if !ok {
		return nil
	}
	p := &Profile{Name: name, Awsenv: map[string]string{}}
	if src.cfg >= 0 {
		p.ConfigFile = c.Files.Config
	}
	if src.creds >= 0 {
		p.CredentialsFile = c.Files.Credentials
	}
	cfgKeys, credKeys := c.sectionKeys(src)
	apply(p, keyValues(cfgKeys, credKeys))
	if p.AccessKeyID == "" && p.SecretAccessKey == "" && p.SessionToken == "" {
		if k, ok := c.storedLocked(name); ok {
			p.Stored = &k
			p.AccessKeyID = k.KeyID
		}
	}
	p.EnvNames = envNames(p.EnvNames, cfgKeys)
	p.EnvNames = envNames(p.EnvNames, credKeys)
	// Where each key the trust gate may ask about comes from: the
	// credentials file's keys win, as in keyValues.
	for _, src := range []struct {
		keys []awsini.Key
		file string
	}{{cfgKeys, c.Files.Config}, {credKeys, c.Files.Credentials}} {
		for _, k := range src.keys {
			if tracked(k.Name) {
				p.setCommandFrom(k.Name, src.file)
			}
			if strings.HasPrefix(k.Name, "awsenv_") {
				if p.keyLine == nil {
					p.keyLine = map[string]int{}
				}
				p.keyLine[k.Name] = k.Line
			}
		}
	}
	if c.profiles == nil {
		c.profiles = map[string]*Profile{}
	}
	c.profiles[name] = p
	return p
}

// envNames records the written names of awsenv_env_NAME keys.
func envNames(m map[string]string, keys []awsini.Key) map[string]string {
	for _, k := range keys {
		if len(k.Written) > len("awsenv_env_") && strings.HasPrefix(k.Name, "awsenv_env_") {
			if m == nil {
				m = map[string]string{}
			}
			m[k.Name[len("awsenv_"):]] = k.Written[len("awsenv_env_"):]
		}
	}
	return m
}

// tracked: the keys whose file the trust gate may ask about (see Gate):
// the commands, and every awsenv_* key (plugins, their options, variables).
func tracked(key string) bool {
	return key == "mfa_process" || key == "credential_process" || strings.HasPrefix(key, "awsenv_")
}

func (p *Profile) setCommandFrom(key, file string) {
	if p.CommandFrom == nil {
		p.CommandFrom = map[string]string{}
	}
	p.CommandFrom[key] = file
}

// all builds every profile.
func (c *Config) all() map[string]*Profile {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name := range c.index {
		c.lookupLocked(name)
	}
	return c.profiles
}

// apply sets the profile's fields from its merged keys.
func apply(p *Profile, kv map[string]string) {
	for key, val := range kv {
		switch key {
		case "region":
			p.Region = val
		case "aws_access_key_id":
			p.AccessKeyID = val
		case "aws_secret_access_key":
			p.SecretAccessKey = Secret(val)
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
		case "web_identity_token_file":
			p.WebIdentityTokenFile = val
		case "login_session":
			p.LoginSession = val
		case "sso_start_url", "sso_session", "sso_account_id", "sso_role_name", "sso_region", "sso_registration_scopes":
			p.SSOKeys = append(p.SSOKeys, key)
			switch key {
			case "sso_session":
				p.SSOSession = val
			case "sso_start_url":
				p.SSOStartURL = val
			case "sso_region":
				p.SSORegion = val
			case "sso_account_id":
				p.SSOAccountID = val
			case "sso_role_name":
				p.SSORoleName = val
			case "sso_registration_scopes":
				p.SSORegistrationScopes = val
			}
		case "include_profile":
			p.IncludeProfile = val
		case "endpoint_url":
			p.EndpointURL = val
		case "services":
			p.Services = val
		case "ignore_configured_endpoint_urls":
			p.IgnoreEndpoint = strings.EqualFold(val, "true")
		case "ca_bundle":
			p.CABundle = val
		default:
			if p.Client.set(key, val) {
				continue
			}
			if rest, ok := strings.CutPrefix(key, "awsenv_"); ok && rest != "" {
				p.Awsenv[rest] = val
			}
		}
	}
	sort.Strings(p.SSOKeys)
	// botocore asks for aws_security_token first, then aws_session_token.
	if v, ok := kv["aws_security_token"]; ok {
		p.SessionToken = Secret(v)
	} else if v, ok := kv["aws_session_token"]; ok {
		p.SessionToken = Secret(v)
	}
}

// Names lists the profiles, sorted.
func (c *Config) Names() []string {
	names := make([]string, 0, len(c.index))
	for n := range c.index {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns one profile.
func (c *Config) Get(name string) (*Profile, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(name)
}

func (c *Config) getLocked(name string) (*Profile, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	p := c.lookupLocked(name)
	if p == nil {
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
