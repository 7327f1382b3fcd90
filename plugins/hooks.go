package plugins

import (
	"context"
	"errors"
	"strconv"
)

// ErrUnimplemented is what a plugin's method answers when the plugin does
// not serve it (gRPC's Unimplemented on the wire).
var ErrUnimplemented = errors.New("not implemented by this plugin")

// The contract of hook and credential-source plugins (awsenv.hooks.v1 and
// awsenv.credentials.v1), as awsenv's Go code sees it on both sides: a
// plugin implements HookPlugin and/or CredentialPlugin; awsenv reaches
// plugins through Hooks and CredentialSource, which name the plugin.

// Variable is one environment variable a hook wants exported.
type Variable struct {
	Name  string
	Value string
}

// PreUseRequest is sent before anything is exported.
type PreUseRequest struct {
	Profile       string
	RoleARN       string
	AccountID     string
	Region        string
	SourceProfile string
	Terminal      bool              // a controlling terminal is available
	Options       map[string]string // the awsenv_hook_NAME_<option> keys
}

// PreUseResponse allows the switch, or refuses it with a reason.
type PreUseResponse struct {
	Allow  bool
	Reason string
}

// PostUseRequest is sent once the credentials are known, before they are
// exported.
type PostUseRequest struct {
	Profile string
	// AccountID is the account of the credentials: the one their source
	// named (sso_account_id, a credential_process's AccountId, the
	// assumed-role ARN's), else role_arn's or mfa_serial's; may be empty.
	AccountID string
	// ARN is the identity's: AssumeRole's assumed-role ARN for a role;
	// empty for sources that name none (GetSessionToken, Identity Center).
	ARN         string
	Region      string
	ExpiresUnix int64
	Options     map[string]string
	// Set are the variables earlier hooks of this switch set, in order: a
	// later hook sees them.
	Set []Variable
}

// PostUseResponse are variables to export and messages for stderr.
// Cacheable: awsenv keeps the answer with the cached session and does not
// ask again until that session is replaced.
type PostUseResponse struct {
	Set       []Variable
	Messages  []string
	Cacheable bool
}

// UnsetRequest is sent by `awsenv unset`.
type UnsetRequest struct {
	Profile string
	Options map[string]string
}

// UnsetResponse carries messages for stderr.
type UnsetResponse struct {
	Messages []string
}

// CredentialsRequest asks a credential source for a profile's base
// credentials.
type CredentialsRequest struct {
	Profile string
	Options map[string]string // the awsenv_credential_source_<option> keys
}

// CredentialsResponse are base credentials: long-term keys (no token, no
// expiry) or temporary ones. The secret and token are never logged.
type CredentialsResponse struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	ExpiresUnix     int64 // 0: does not expire
}

// HookPlugin is what a hook plugin implements. A method it does not serve
// returns an error wrapping ErrUnimplemented.
type HookPlugin interface {
	PreUse(ctx context.Context, req PreUseRequest) (PreUseResponse, error)
	PostUse(ctx context.Context, req PostUseRequest) (PostUseResponse, error)
	Unset(ctx context.Context, req UnsetRequest) (UnsetResponse, error)
}

// CredentialPlugin is what a credential-source plugin implements.
type CredentialPlugin interface {
	GetCredentials(ctx context.Context, req CredentialsRequest) (CredentialsResponse, error)
}

// Hooks reaches hook plugins by name (awsenv's side: through the helper).
type Hooks interface {
	PreUse(ctx context.Context, plugin string, req PreUseRequest) (PreUseResponse, error)
	PostUse(ctx context.Context, plugin string, req PostUseRequest) (PostUseResponse, error)
	Unset(ctx context.Context, plugin string, req UnsetRequest) (UnsetResponse, error)
}

// CredentialSource reaches credential-source plugins by name.
type CredentialSource interface {
	GetCredentials(ctx context.Context, plugin string, req CredentialsRequest) (CredentialsResponse, error)
}

// String shows the credentials without the secret and the token, so that
// printing them (%v, %+v, %s) or a log line cannot leak them.
func (c CredentialsResponse) String() string {
	return "{AccessKeyID:" + c.AccessKeyID + " SecretAccessKey:[redacted] SessionToken:" + redacted(c.SessionToken) +
		" ExpiresUnix:" + strconv.FormatInt(c.ExpiresUnix, 10) + "}"
}

// GoString is String, for %#v.
func (c CredentialsResponse) GoString() string { return "plugins.CredentialsResponse" + c.String() }

func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}
