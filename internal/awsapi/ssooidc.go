package awsapi

import (
	"context"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// The OAuth grant types CreateToken takes.
const (
	GrantDeviceCode   = "urn:ietf:params:oauth:grant-type:device_code"
	GrantRefreshToken = "refresh_token"
	// GrantAuthorizationCode is the browser sign-in with PKCE (RFC 7636),
	// the AWS CLI's default since 2.22; see Authorizer.
	GrantAuthorizationCode = "authorization_code"
	// RedirectURI is the loopback redirect URI registered for it: the
	// port is added only in the authorization request and CreateToken.
	RedirectURI = "http://127.0.0.1/oauth/callback"
)

// RegisterClientInput registers awsenv as a public OIDC client.
type RegisterClientInput struct {
	Target
	ClientName string   `json:"client_name"`
	Scopes     []string `json:"scopes,omitempty"`
	GrantTypes []string `json:"grant_types,omitempty"`
	// RedirectURIs and IssuerURL (the start URL) are sent with the
	// authorization code grant.
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	IssuerURL    string   `json:"issuer_url,omitempty"`
}

// Registration is a client registration: reused until ExpiresAt.
type Registration struct {
	ClientID     string          `json:"client_id"`
	ClientSecret profiles.Secret `json:"client_secret"`
	ExpiresAt    time.Time       `json:"expires_at"`
}

// StartInput starts a device authorization for a start URL.
type StartInput struct {
	Target
	ClientID     string          `json:"client_id"`
	ClientSecret profiles.Secret `json:"client_secret"`
	StartURL     string          `json:"start_url"`
}

// Device is a started device authorization: the person opens
// VerificationURIComplete (or VerificationURI and types UserCode) while
// the client polls CreateToken with DeviceCode every Interval.
type Device struct {
	DeviceCode              profiles.Secret `json:"device_code"`
	UserCode                string          `json:"user_code"`
	VerificationURI         string          `json:"verification_uri"`
	VerificationURIComplete string          `json:"verification_uri_complete"`
	ExpiresIn               time.Duration   `json:"expires_in"`
	Interval                time.Duration   `json:"interval"` // 0: the service gave none (RFC 8628's default is 5 s)
}

// CreateTokenInput redeems a device code, a refresh token or an
// authorization code (with its PKCE verifier and the redirect URI the
// authorization request named).
type CreateTokenInput struct {
	Target
	ClientID     string          `json:"client_id"`
	ClientSecret profiles.Secret `json:"client_secret"`
	GrantType    string          `json:"grant_type"` // GrantDeviceCode, GrantRefreshToken or GrantAuthorizationCode
	DeviceCode   profiles.Secret `json:"device_code,omitempty"`
	RefreshToken profiles.Secret `json:"refresh_token,omitempty"`
	Code         profiles.Secret `json:"code,omitempty"`
	CodeVerifier profiles.Secret `json:"code_verifier,omitempty"`
	RedirectURI  string          `json:"redirect_uri,omitempty"`
}

// Token is CreateToken's answer.
type Token struct {
	AccessToken  profiles.Secret `json:"access_token"`
	ExpiresIn    time.Duration   `json:"expires_in"`
	RefreshToken profiles.Secret `json:"refresh_token,omitempty"` // none for a client registered without scopes
}

// SSOOIDC is IAM Identity Center's OIDC service: signing a person in with
// the device authorization grant, and refreshing the token.
type SSOOIDC interface {
	RegisterClient(ctx context.Context, in RegisterClientInput) (Registration, error)
	StartDeviceAuthorization(ctx context.Context, in StartInput) (Device, error)
	CreateToken(ctx context.Context, in CreateTokenInput) (Token, error)
}

// AuthorizeInput starts the browser part of a PKCE sign-in: a listener on
// 127.0.0.1 (on Port, or a free port when 0) for the one redirect, and the
// authorization URL on the OIDC endpoint's host.
type AuthorizeInput struct {
	Target
	ClientID      string   `json:"client_id"`
	Scopes        []string `json:"scopes,omitempty"`
	State         string   `json:"state"`
	CodeChallenge string   `json:"code_challenge"` // S256 of the verifier, base64url
	Port          int      `json:"port,omitempty"`
}

// Authorization is a started authorization: the person's browser opens
// URL, and comes back to RedirectURI.
type Authorization struct {
	URL         string `json:"url"`
	RedirectURI string `json:"redirect_uri"`
}

// CallbackInput waits for the redirect of the started authorization.
type CallbackInput struct {
	State   string        `json:"state"`
	Timeout time.Duration `json:"timeout"`
}

// Callback is the authorization code the browser brought back.
type Callback struct {
	Code profiles.Secret `json:"code"`
}

// Authorizer runs the loopback part of the authorization code grant: it
// lives in the helper, which has a network stack (the front links none).
// Wait's errors are typed with Typed: ErrDenied (error=access_denied),
// ErrBadCallback (a wrong or missing state, no code, another error), and
// ErrExpired (no callback within the timeout).
type Authorizer interface {
	StartAuthorization(ctx context.Context, in AuthorizeInput) (Authorization, error)
	WaitAuthorization(ctx context.Context, in CallbackInput) (Callback, error)
}

// The API error codes an Authorizer answers with besides the service's
// own AccessDeniedException.
const (
	CodeBadCallback          = "InvalidCallbackException"
	CodeAuthorizationTimeout = "AuthorizationTimeoutException"
)

// DeviceLimits bound a device authorization's timing (RFC 8628) whatever
// the service answers: a sign-in ends, and polling is neither a busy loop
// nor a wait of years. Every device flow takes its deadline and polling
// interval from here (DefaultDeviceLimits), not from the answer itself.
type DeviceLimits struct {
	// DefaultExpiry is the wait for an answer whose expiresIn is 0 or
	// less (AWS gives 600 s); MaxExpiry the longest any sign-in waits.
	DefaultExpiry, MaxExpiry time.Duration
	// DefaultInterval is RFC 8628's for an answer without one; every
	// interval, slow_down's included, is kept within MinInterval and
	// MaxInterval.
	DefaultInterval, MinInterval, MaxInterval time.Duration
	// SlowDownStep is what RFC 8628 adds to the interval on slow_down.
	SlowDownStep time.Duration
}

// DefaultDeviceLimits are awsenv's: AWS's 10 minutes when the answer says
// nothing usable, at most 30; a poll every 1 to 60 seconds.
var DefaultDeviceLimits = DeviceLimits{
	DefaultExpiry:   10 * time.Minute,
	MaxExpiry:       30 * time.Minute,
	DefaultInterval: 5 * time.Second,
	MinInterval:     time.Second,
	MaxInterval:     time.Minute,
	SlowDownStep:    5 * time.Second,
}

// Expiry is how long the sign-in of d may wait for its approval.
func (l DeviceLimits) Expiry(d Device) time.Duration {
	if d.ExpiresIn <= 0 {
		return min(l.DefaultExpiry, l.MaxExpiry)
	}
	return min(d.ExpiresIn, l.MaxExpiry)
}

// Interval is how long to wait between polls for d's token.
func (l DeviceLimits) Interval(d Device) time.Duration {
	if d.Interval <= 0 {
		return l.clampInterval(l.DefaultInterval)
	}
	return l.clampInterval(d.Interval)
}

// SlowDown is the interval after a slow_down answer.
func (l DeviceLimits) SlowDown(interval time.Duration) time.Duration {
	return l.clampInterval(interval + l.SlowDownStep)
}

func (l DeviceLimits) clampInterval(d time.Duration) time.Duration {
	return max(l.MinInterval, min(d, l.MaxInterval))
}
