package profiles

import (
	"fmt"
	"strings"
)

// SSO is what an IAM Identity Center profile signs in with and the role
// it asks for, with its [sso-session NAME] section (if any) merged in as
// botocore's SSOProvider merges it.
type SSO struct {
	// Session is the sso_session name; empty for a legacy profile, whose
	// sso_start_url and sso_region are its own.
	Session   string
	StartURL  string   // sso_start_url
	Region    string   // sso_region: where the portal and OIDC service are
	Scopes    []string // sso_registration_scopes, comma-separated in the file
	AccountID string   // sso_account_id
	RoleName  string   // sso_role_name: the permission set
}

// TokenKey is what the AWS CLI names its token cache file after (the file
// is the SHA-1 of it): the sso-session's name, else the start URL.
func (s *SSO) TokenKey() string {
	if s.Session != "" {
		return s.Session
	}
	return s.StartURL
}

// LoginCommand is the AWS CLI command that signs in for this profile.
func (s *SSO) LoginCommand(profile string) string {
	if s.Session != "" {
		return "aws sso login --sso-session " + s.Session
	}
	return "aws sso login --profile " + profile
}

// isSSO reports whether botocore's SSOProvider takes the profile's
// credentials from IAM Identity Center: it has sso_account_id or
// sso_role_name (sso_session or sso_start_url alone only name a login,
// which `aws sso login` uses but which gives no credentials).
func isSSO(p *Profile) bool {
	for _, k := range p.SSOKeys {
		if k == "sso_account_id" || k == "sso_role_name" {
			return true
		}
	}
	return false
}

// ssoRequired are botocore's required keys, in its order
// (SSOProvider._ALL_REQUIRED_CONFIG_VARS).
var ssoRequired = []string{"sso_role_name", "sso_account_id", "sso_start_url", "sso_region"}

// sso resolves an IAM Identity Center profile as botocore's SSOProvider
// does: a profile with sso_session takes its [sso-session NAME] section's
// keys, and a key written in both with different values is an error (the
// AWS CLI and the Go SDK refuse it too); then sso_role_name,
// sso_account_id, sso_start_url and sso_region must all be there. An empty
// value counts as missing (botocore would send it and fail later).
func (c *Config) sso(p *Profile) (*Resolved, error) {
	merged := keyValues(c.sectionKeys(c.index[p.Name]))
	var session map[string]string
	if p.SSOSession != "" {
		s, ok := c.ssoSession[p.SSOSession]
		if !ok {
			return nil, profileError(p, fmt.Sprintf("sso_session = %s names no [sso-session %s] section", p.SSOSession, p.SSOSession),
				fmt.Sprintf("Add [sso-session %s] with sso_start_url and sso_region to %s (`aws configure sso-session` writes it), or correct the name.",
					p.SSOSession, c.Files.Config))
		}
		session = s.Map()
		for _, k := range s.Keys() {
			if own, ok := merged[k.Name]; ok && own != k.Value {
				return nil, profileError(p, fmt.Sprintf("%s is %q here but %q in [sso-session %s], and the AWS CLI refuses a profile and its sso-session that disagree",
					k.Name, own, k.Value, p.SSOSession),
					fmt.Sprintf("Remove %s from [profile %s] (the sso-session's value is used), or make the two the same.", k.Name, p.Name))
			}
			merged[k.Name] = k.Value
		}
	}
	var missing, fromSession []string
	for _, k := range ssoRequired {
		if merged[k] != "" {
			continue
		}
		if session != nil && (k == "sso_start_url" || k == "sso_region") {
			fromSession = append(fromSession, k)
		} else {
			missing = append(missing, k)
		}
	}
	if len(missing)+len(fromSession) > 0 {
		var where []string
		if len(missing) > 0 {
			where = append(where, strings.Join(missing, ", ")+" in [profile "+p.Name+"]")
		}
		if len(fromSession) > 0 {
			where = append(where, strings.Join(fromSession, ", ")+" in [sso-session "+p.SSOSession+"]")
		}
		fix := fmt.Sprintf("Add the missing keys to %s (`aws configure sso --profile %s` writes them; the AWS access portal shows the account id and permission set names).", c.Files.Config, p.Name)
		if len(missing) == 0 {
			fix = fmt.Sprintf("Add the missing keys to [sso-session %s] in %s (`aws configure sso-session` writes them).", p.SSOSession, c.Files.Config)
		}
		return nil, profileError(p, "it is an IAM Identity Center (SSO) profile but lacks "+strings.Join(where, " and "), fix)
	}
	if r := merged["sso_region"]; !ValidRegion(r) {
		where := c.keyWhere(p, "sso_region")
		if _, own := keyValues(c.sectionKeys(c.index[p.Name]))["sso_region"]; !own && session != nil {
			where = c.sessionKeyWhere(p.SSOSession, "sso_region")
		}
		return nil, CheckRegion("sso_region", r, where)
	}
	s := &SSO{Session: p.SSOSession, StartURL: merged["sso_start_url"], Region: merged["sso_region"],
		AccountID: merged["sso_account_id"], RoleName: merged["sso_role_name"]}
	if session != nil {
		s.Scopes = splitScopes(session["sso_registration_scopes"])
	}
	return &Resolved{Profile: p, Kind: KindSSO, SSO: s}, nil
}

// splitScopes reads sso_registration_scopes as botocore does: a comma
// list, spaces trimmed, empty items dropped.
func splitScopes(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ssoLoginOnly is the error for a profile that names a login
// (sso_session, sso_start_url) but no account and role, and has no other
// credentials: the AWS CLI signs in with it but has no credentials for it.
func ssoLoginOnly(p *Profile) error {
	return profileError(p, fmt.Sprintf("it has %s (IAM Identity Center) but neither sso_account_id nor sso_role_name, so it names a sign-in and no credentials",
		strings.Join(p.SSOKeys, ", ")),
		fmt.Sprintf("Add sso_account_id and sso_role_name to [profile %s] for the account and permission set to use (`aws configure sso --profile %s` writes them).", p.Name, p.Name))
}

// SessionSSO is the sign-in of the [sso-session NAME] section alone, for
// `awsenv login --sso-session NAME`: no account or role.
func (c *Config) SessionSSO(name string) (*SSO, error) {
	keys, ok := c.SSOSession(name)
	if !ok {
		return nil, &ProfileError{Profile: "sso-session " + name, File: c.Files.Config,
			Problem: fmt.Sprintf("there is no [sso-session %s] section", name),
			Fix:     "Add it with sso_start_url and sso_region (`aws configure sso-session` writes it), or correct the name."}
	}
	var missing []string
	for _, k := range []string{"sso_start_url", "sso_region"} {
		if keys[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, &ProfileError{Profile: "sso-session " + name, File: c.Files.Config,
			Problem: "[sso-session " + name + "] lacks " + strings.Join(missing, ", "),
			Fix:     fmt.Sprintf("Add the missing keys to [sso-session %s] in %s (`aws configure sso-session` writes them).", name, c.Files.Config)}
	}
	if err := CheckRegion("sso_region", keys["sso_region"], c.sessionKeyWhere(name, "sso_region")); err != nil {
		return nil, err
	}
	return &SSO{Session: name, StartURL: keys["sso_start_url"], Region: keys["sso_region"],
		Scopes: splitScopes(keys["sso_registration_scopes"])}, nil
}

// sessionKeyWhere names where key of [sso-session name] is written.
func (c *Config) sessionKeyWhere(name, key string) string {
	where := fmt.Sprintf("[sso-session %s] in %s", name, c.Files.Config)
	if s, ok := c.ssoSession[name]; ok {
		for _, k := range s.Keys() {
			if k.Name == key {
				where = fmt.Sprintf("[sso-session %s] in %s, line %d", name, c.Files.Config, k.Line)
			}
		}
	}
	return where
}
