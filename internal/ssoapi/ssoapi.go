// Package ssoapi is the slice of IAM Identity Center that awsenv uses (SSO
// OIDC's device authorization and the SSO portal's role credentials), as
// plain types with no SDK in them: awsenv reaches it through its helper,
// which implements Client with the SDK (internal/awssdk), so awsenv itself
// never links the SDK.
package ssoapi

import (
	"context"
	"errors"
	"time"

	"github.com/awsenv/awsenv/internal/stsapi"
	"github.com/awsenv/awsenv/profiles"
)

// The OAuth grant types CreateToken takes.
const (
	GrantDeviceCode   = "urn:ietf:params:oauth:grant-type:device_code"
	GrantRefreshToken = "refresh_token"
)

// Target is where a call goes: stsapi.Target with Region the sso_region
// (the portal and OIDC service live there, whatever the profile's region).
type Target = stsapi.Target

// RegisterClientInput registers awsenv as a public OIDC client.
type RegisterClientInput struct {
	Target
	ClientName string   `json:"client_name"`
	Scopes     []string `json:"scopes,omitempty"`
	GrantTypes []string `json:"grant_types,omitempty"`
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

// CreateTokenInput redeems a device code or a refresh token.
type CreateTokenInput struct {
	Target
	ClientID     string          `json:"client_id"`
	ClientSecret profiles.Secret `json:"client_secret"`
	GrantType    string          `json:"grant_type"` // GrantDeviceCode or GrantRefreshToken
	DeviceCode   profiles.Secret `json:"device_code,omitempty"`
	RefreshToken profiles.Secret `json:"refresh_token,omitempty"`
}

// Token is CreateToken's answer.
type Token struct {
	AccessToken  profiles.Secret `json:"access_token"`
	ExpiresIn    time.Duration   `json:"expires_in"`
	RefreshToken profiles.Secret `json:"refresh_token,omitempty"` // none for a client registered without scopes
}

// RoleInput asks the portal for a permission set's credentials.
type RoleInput struct {
	Target
	AccessToken profiles.Secret `json:"access_token"`
	AccountID   string          `json:"account_id"`
	RoleName    string          `json:"role_name"`
}

// LogoutInput ends the sign-in session of an access token.
type LogoutInput struct {
	Target
	AccessToken profiles.Secret `json:"access_token"`
}

// Client is IAM Identity Center.
type Client interface {
	RegisterClient(ctx context.Context, in RegisterClientInput) (Registration, error)
	StartDeviceAuthorization(ctx context.Context, in StartInput) (Device, error)
	CreateToken(ctx context.Context, in CreateTokenInput) (Token, error)
	GetRoleCredentials(ctx context.Context, in RoleInput) (profiles.Credentials, error)
	Logout(ctx context.Context, in LogoutInput) error
}

// The answers awsenv acts on, by AWS's error code. Errors from a Client
// wrap one of these (errors.Is) and the *stsapi.APIError AWS gave.
var (
	ErrPending       = errors.New("the sign-in has not been approved yet")               // AuthorizationPendingException
	ErrSlowDown      = errors.New("polling too quickly")                                 // SlowDownException
	ErrExpired       = errors.New("the sign-in request expired")                         // ExpiredTokenException
	ErrDenied        = errors.New("the sign-in was denied")                              // AccessDeniedException (OIDC)
	ErrInvalidGrant  = errors.New("the refresh token or device code is not valid")       // InvalidGrantException
	ErrInvalidClient = errors.New("the client registration is not valid or expired")     // InvalidClientException
	ErrUnauthorized  = errors.New("the IAM Identity Center token is expired or revoked") // UnauthorizedException (portal)
	ErrForbidden     = errors.New("no access to that account or role")                   // ForbiddenException (portal)
)

var codes = map[string]error{
	"AuthorizationPendingException": ErrPending,
	"SlowDownException":             ErrSlowDown,
	"ExpiredTokenException":         ErrExpired,
	"AccessDeniedException":         ErrDenied,
	"InvalidGrantException":         ErrInvalidGrant,
	"InvalidClientException":        ErrInvalidClient,
	"UnauthorizedException":         ErrUnauthorized,
	"ForbiddenException":            ErrForbidden,
}

// Error is an Identity Center answer awsenv acts on: Kind is one of the
// Err* values, API what AWS said.
type Error struct {
	Kind error
	API  *stsapi.APIError
}

func (e *Error) Error() string   { return e.API.Error() }
func (e *Error) Unwrap() []error { return []error{e.Kind, e.API} }

// Typed wraps an AWS error answer whose code awsenv acts on in an *Error;
// other errors are returned as they are.
func Typed(err error) error {
	var api *stsapi.APIError
	if errors.As(err, &api) {
		if kind, ok := codes[api.Code]; ok {
			return &Error{Kind: kind, API: api}
		}
	}
	return err
}
