// Package helper carries awsenv's requests to its two helper processes:
// STS, IAM and IAM Identity Center calls, the console's federation call,
// MFA codes, the hook and credential-source plugins, the secret store and
// the credential endpoint of exec --server. awsenv-helper answers the STS
// calls and the built-in providers' codes (Request.lean), the requests of
// nearly every new session; awsenv-helper-full answers every request. The
// Client starts each on its first request and keeps it for the run: one
// JSON request a line on its stdin, one JSON answer a line on its stdout,
// until awsenv closes its stdin. The helpers link the AWS SDK (and the
// full one go-plugin, gRPC and the keyring); awsenv itself does not, so
// the cached path (no STS call, no code) starts as fast as a small Go
// binary can, and a cold run pays a helper's start once. Main is the main
// of both helpers.
package helper

import (
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
)

// Request is one call, exactly one field set.
type Request struct {
	GetSessionToken   *awsapi.GetSessionTokenInput `json:"get_session_token,omitempty"`
	AssumeRole        *awsapi.AssumeRoleInput      `json:"assume_role,omitempty"`
	GetCallerIdentity *IdentityInput               `json:"get_caller_identity,omitempty"`
	MFACode           *MFAInput                    `json:"mfa_code,omitempty"`
	ListPlugins       *ListInput                   `json:"list_plugins,omitempty"`
	Hook              *HookInput                   `json:"hook,omitempty"`
	SourceCredentials *CredentialsInput            `json:"credentials,omitempty"`
	// The console: GetFederationToken (STS) and the federation endpoint's
	// getSigninToken.
	GetFederationToken *awsapi.GetFederationTokenInput `json:"get_federation_token,omitempty"`
	SigninToken        *awsapi.SigninTokenInput        `json:"signin_token,omitempty"`

	ListAccessKeys       *IAMInput `json:"list_access_keys,omitempty"`
	CreateAccessKey      *IAMInput `json:"create_access_key,omitempty"`
	UpdateAccessKey      *IAMInput `json:"update_access_key,omitempty"`
	DeleteAccessKey      *IAMInput `json:"delete_access_key,omitempty"`
	GetAccessKeyLastUsed *IAMInput `json:"get_access_key_last_used,omitempty"`
	ListMFADevices       *IAMInput `json:"list_mfa_devices,omitempty"`

	// IAM Identity Center (see sso.go).
	SSORegisterClient           *awsapi.RegisterClientInput `json:"sso_register_client,omitempty"`
	SSOStartDeviceAuthorization *awsapi.StartInput          `json:"sso_start_device_authorization,omitempty"`
	SSOCreateToken              *awsapi.CreateTokenInput    `json:"sso_create_token,omitempty"`
	SSOGetRoleCredentials       *awsapi.RoleInput           `json:"sso_get_role_credentials,omitempty"`
	SSOLogout                   *awsapi.LogoutInput         `json:"sso_logout,omitempty"`
	SSOListAccess               *awsapi.AccessInput         `json:"sso_list_access,omitempty"`
	// The loopback part of a PKCE sign-in (Handlers.Authorizer).
	SSOStartAuthorization *awsapi.AuthorizeInput `json:"sso_start_authorization,omitempty"`
	SSOWaitAuthorization  *awsapi.CallbackInput  `json:"sso_wait_authorization,omitempty"`

	// A web identity role (sts:AssumeRoleWithWebIdentity) and the
	// instance or container credentials of a credential_source (webid.go).
	AssumeRoleWithWebIdentity *awsapi.AssumeRoleWithWebIdentityInput `json:"assume_role_with_web_identity,omitempty"`
	InstanceCredentials       *awsapi.InstanceInput                  `json:"instance_credentials,omitempty"`

	// The sign-in service's refresh of an `aws login` session (signin.go).
	SigninRefresh *awsapi.SigninRefreshInput `json:"signin_refresh,omitempty"`

	// The credential endpoint of exec --server (credserver.go).
	CredentialServer *ServerInput `json:"credential_server,omitempty"`

	// The secret store (see secrets.go).
	SecretGet    *SecretInput `json:"secret_get,omitempty"`
	SecretSet    *SecretInput `json:"secret_set,omitempty"`
	SecretRemove *SecretInput `json:"secret_remove,omitempty"`
	SecretList   *SecretInput `json:"secret_list,omitempty"`
}

// lean reports whether awsenv-helper answers r: the STS calls of a new
// session and the built-in MFA providers, the paths people run most.
// awsenv-helper-full answers every request.
func (r *Request) lean() bool {
	return r.GetSessionToken != nil || r.AssumeRole != nil || r.GetCallerIdentity != nil ||
		r.MFACode != nil && plugins.IsBuiltin(r.MFACode.Provider)
}

// isSecret reports whether r asks the secret store.
func (r *Request) isSecret() bool {
	return r.SecretGet != nil || r.SecretSet != nil || r.SecretRemove != nil || r.SecretList != nil
}

// isAuthorize reports whether r asks for the loopback part of a sign-in.
func (r *Request) isAuthorize() bool {
	return r.SSOStartAuthorization != nil || r.SSOWaitAuthorization != nil
}

// isSSO reports whether r asks for an Identity Center call.
func (r *Request) isSSO() bool {
	return r.SSORegisterClient != nil || r.SSOStartDeviceAuthorization != nil || r.SSOCreateToken != nil ||
		r.SSOGetRoleCredentials != nil || r.SSOLogout != nil || r.SSOListAccess != nil
}

// isIAM reports whether r asks for an IAM call.
func (r *Request) isIAM() bool {
	return r.ListAccessKeys != nil || r.CreateAccessKey != nil || r.UpdateAccessKey != nil ||
		r.DeleteAccessKey != nil || r.GetAccessKeyLastUsed != nil || r.ListMFADevices != nil
}

// IAMInput is the input of every IAM call; each uses the fields its
// awsapi.IAM method takes.
type IAMInput struct {
	awsapi.IAMCall
	UserName string `json:"user_name,omitempty"`
	KeyID    string `json:"key_id,omitempty"`
	Status   string `json:"status,omitempty"`
}

// AccessList is ListAccess's answer. A pointer in Response, so that an
// empty list is told apart from another call's answer (a --prune would
// otherwise read it as no access at all).
type AccessList struct {
	Pairs []awsapi.AccountRole `json:"pairs"`
}

// ListInput asks for every MFA provider, built in or found.
type ListInput struct {
	Pins map[string]string `json:"pins,omitempty"` // sha256 pins from awsenv's config
}

// PluginInfo is one MFA provider or plugin as `awsenv plugins list` shows
// it.
type PluginInfo struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"` // built-in or plugin
	Path     string `json:"path"`
	Protocol int    `json:"protocol,omitempty"`
	Version  string `json:"version,omitempty"`
	// Services are the plugin's services by their proto packages, e.g.
	// ["awsenv.mfa.v1", "awsenv.hooks.v1"]; empty when it could not be
	// started.
	Services []string `json:"services"`
	Status   string   `json:"status"` // ok, or what is wrong and the fix
}

// The calls of a HookInput.
const (
	CallPreUse  = "pre_use"
	CallPostUse = "post_use"
	CallUnset   = "unset"
)

// HookInput asks a hook plugin (awsenv.hooks.v1) for one call: Call names
// it, and the request of that call is set.
type HookInput struct {
	Plugin  string                  `json:"plugin"`
	Call    string                  `json:"call"` // CallPreUse, CallPostUse or CallUnset
	PreUse  *plugins.PreUseRequest  `json:"pre_use,omitempty"`
	PostUse *plugins.PostUseRequest `json:"post_use,omitempty"`
	Unset   *plugins.UnsetRequest   `json:"unset,omitempty"`
	SHA256  string                  `json:"sha256,omitempty"`  // pin of the plugin
	Timeout time.Duration           `json:"timeout,omitempty"` // for the call; 0: the default (30 s)
	Debug   bool                    `json:"debug,omitempty"`
}

// HookResult is a hook's answer: the response of the call asked for.
type HookResult struct {
	PreUse  *plugins.PreUseResponse  `json:"pre_use,omitempty"`
	PostUse *plugins.PostUseResponse `json:"post_use,omitempty"`
	Unset   *plugins.UnsetResponse   `json:"unset,omitempty"`
}

// CredentialsInput asks a credential-source plugin
// (awsenv.credentials.v1) for a profile's base credentials.
type CredentialsInput struct {
	Plugin  string                     `json:"plugin"`
	Request plugins.CredentialsRequest `json:"request"`
	SHA256  string                     `json:"sha256,omitempty"`
	Timeout time.Duration              `json:"timeout,omitempty"` // 0: the default (30 s)
	Debug   bool                       `json:"debug,omitempty"`
}

// MFAInput asks an MFA provider, built in or a plugin, for a code.
type MFAInput struct {
	Provider string          `json:"provider"` // prompt, ykman, op, process, or a plugin's name
	Request  plugins.Request `json:"request"`
	SHA256   string          `json:"sha256,omitempty"`  // pin for a third-party plugin
	Timeout  time.Duration   `json:"timeout,omitempty"` // for the call; 0: the default
	Debug    bool            `json:"debug,omitempty"`
}

// MFAError is a plugins.Error as it crosses the pipe (from an MFA
// provider, a hook or a credential source: Kind says which).
type MFAError struct {
	Provider string `json:"provider"`
	Kind     string `json:"kind,omitempty"`
	Problem  string `json:"problem"`
	Fix      string `json:"fix"`
	Cause    string `json:"cause,omitempty"`
	// Unimplemented: the plugin does not serve the method called
	// (plugins.ErrUnimplemented).
	Unimplemented bool `json:"unimplemented,omitempty"`
}

// IdentityInput is GetCallerIdentity's input.
type IdentityInput struct {
	awsapi.Target
	Credentials profiles.Credentials `json:"credentials"`
}

// Response is the answer, or the error AWS gave.
type Response struct {
	Credentials *profiles.Credentials `json:"credentials,omitempty"`
	AccessKeys  []awsapi.AccessKey    `json:"access_keys,omitempty"`
	NewKey      *awsapi.NewKey        `json:"new_key,omitempty"` // its secret in clear: the pipe is private
	LastUsed    *awsapi.LastUsed      `json:"last_used,omitempty"`
	MFADevices  []awsapi.MFADevice    `json:"mfa_devices,omitempty"`
	Identity    *awsapi.Identity      `json:"identity,omitempty"`
	// SigninToken is the federation endpoint's sign-in token, a secret
	// while valid (15 minutes). Never logged.
	SigninToken    string                 `json:"signin_token,omitempty"`
	APIError       *awsapi.APIError       `json:"api_error,omitempty"`
	TransportError *awsapi.TransportError `json:"transport_error,omitempty"`
	Code           string                 `json:"code,omitempty"`
	Plugins        []PluginInfo           `json:"plugins,omitempty"`
	MFAError       *MFAError              `json:"mfa_error,omitempty"`
	Hook           *HookResult            `json:"hook,omitempty"`
	// SourceCredentials are a credential source's answer, the secret in
	// clear: the pipe is private. Never logged.
	SourceCredentials *plugins.CredentialsResponse `json:"source_credentials,omitempty"`

	// Identity Center answers; the secrets in clear: the pipe is private.
	SSORegistration  *awsapi.Registration  `json:"sso_registration,omitempty"`
	SSODevice        *awsapi.Device        `json:"sso_device,omitempty"`
	SSOToken         *awsapi.Token         `json:"sso_token,omitempty"`
	SSOAuthorization *awsapi.Authorization `json:"sso_authorization,omitempty"`
	SSOCallback      *awsapi.Callback      `json:"sso_callback,omitempty"`
	SSOLoggedOut     bool                  `json:"sso_logged_out,omitempty"`
	SSOAccess        *AccessList           `json:"sso_access,omitempty"`

	// SigninToken is CreateOAuth2Token's answer, the secrets in clear: the
	// pipe is private. Never logged.
	Signin *awsapi.SigninToken `json:"signin,omitempty"`

	// Secret is the secret store's answer, the item's data in clear: the
	// pipe is private. Never logged. SecretError is its failure.
	Secret      *SecretResult `json:"secret,omitempty"`
	SecretError *SecretError  `json:"secret_error,omitempty"`

	// Server is the credential endpoint's address and token.
	Server *ServerInfo `json:"server,omitempty"`

	// ClockSkew is the server's clock minus the helper's, in nanoseconds,
	// as the last response of an STS or IAM call measured it, failed calls
	// included; nil when no response came (or for other requests).
	ClockSkew *time.Duration `json:"clock_skew,omitempty"`
}
