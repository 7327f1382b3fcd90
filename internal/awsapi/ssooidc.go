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
)

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

// SSOOIDC is IAM Identity Center's OIDC service: signing a person in with
// the device authorization grant, and refreshing the token.
type SSOOIDC interface {
	RegisterClient(ctx context.Context, in RegisterClientInput) (Registration, error)
	StartDeviceAuthorization(ctx context.Context, in StartInput) (Device, error)
	CreateToken(ctx context.Context, in CreateTokenInput) (Token, error)
}
