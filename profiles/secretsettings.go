package profiles

import (
	"fmt"
	"strings"
)

// Where awsenv keeps secrets (issue 17): settings of awsenv's own config
// file, each with an environment variable that wins over it.

// SessionEncryption reports whether cached sessions are sealed with the
// data key from the secret store: on unless AWSENV_SESSION_ENCRYPTION or
// awsenv_session_encryption says off. Off is only ever chosen so: awsenv
// never falls back to plain text by itself.
func (g *Global) SessionEncryption(getenv func(string) string) (bool, error) {
	v, where := g.choice(getenv, "AWSENV_SESSION_ENCRYPTION", "session_encryption")
	switch strings.ToLower(v) {
	case "", "on", "true", "yes":
		return true, nil
	case "off", "false", "no":
		return false, nil
	}
	return false, &SettingError{Where: where, Key: "awsenv_session_encryption", Err: fmt.Errorf("%q is neither on nor off", v),
		Fix: "Write on (the default: sessions sealed with a key from the secret store) or off (plain-text 0600 files)."}
}

// Values of SSOTokenStorage.
const (
	SSOTokenAWSCLI  = "aws-cli" // ~/.aws/sso/cache, shared with the AWS CLI
	SSOTokenKeyring = "keyring" // the secret store, awsenv's own
)

// SSOTokenStorage is where awsenv keeps its IAM Identity Center sign-in:
// SSOTokenAWSCLI (the default: the AWS CLI's cache, as the CLI writes it,
// so one sign-in serves both) or SSOTokenKeyring (AWSENV_SSO_TOKEN_STORAGE
// or awsenv_sso_token_storage = keyring: in the secret store, not shared
// with the CLI).
func (g *Global) SSOTokenStorage(getenv func(string) string) (string, error) {
	v, where := g.choice(getenv, "AWSENV_SSO_TOKEN_STORAGE", "sso_token_storage")
	switch strings.ToLower(v) {
	case "", SSOTokenAWSCLI:
		return SSOTokenAWSCLI, nil
	case SSOTokenKeyring:
		return SSOTokenKeyring, nil
	}
	return "", &SettingError{Where: where, Key: "awsenv_sso_token_storage", Err: fmt.Errorf("%q is neither aws-cli nor keyring", v),
		Fix: "Write aws-cli (the default: ~/.aws/sso/cache, shared with the AWS CLI) or keyring (the secret store, awsenv's own)."}
}

// KeyringBackendChoice is the secret store backend as chosen
// (AWSENV_KEYRING_BACKEND, else awsenv_keyring_backend), "" for the
// default: it names the data key's kernel keyring cache entry, so a
// different backend never uses a cached key its store does not hold.
func (g *Global) KeyringBackendChoice(getenv func(string) string) string {
	v, _ := g.choice(getenv, "AWSENV_KEYRING_BACKEND", "keyring_backend")
	return v
}

// choice is the environment variable env if set, else the key in the
// [default] section of awsenv's config; where names which, for messages.
func (g *Global) choice(getenv func(string) string, env, key string) (v, where string) {
	if getenv != nil {
		if v := strings.TrimSpace(getenv(env)); v != "" {
			return v, "the environment (" + env + ")"
		}
	}
	return strings.TrimSpace(g.values[key]), g.Path + " [default]"
}
