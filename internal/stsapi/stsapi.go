// Package stsapi is the small slice of AWS STS that awsenv uses, as plain
// types with no SDK in them. The awsenv binary talks to STS through this
// interface without linking the SDK; the awsenv-helper binary implements it
// with the SDK. That keeps the cached path of `awsenv use` fast.
package stsapi

import (
	"context"
	"fmt"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// Target says which profile a call is for, its region and its endpoint
// settings. awsenv reads them from the AWS files itself: the helper never
// lets the SDK parse the user's files.
type Target struct {
	Profile   string    `json:"profile,omitempty"`
	Region    string    `json:"region,omitempty"`
	Endpoints Endpoints `json:"endpoints,omitzero"`
}

// Endpoints are the endpoint settings of a profile in the AWS config, as
// the SDKs define them ("service-specific endpoints"); the environment's
// (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, AWS_CA_BUNDLE, ...) are
// read by the helper itself.
type Endpoints struct {
	URL      string            `json:"url,omitempty"`       // endpoint_url
	Services map[string]string `json:"services,omitempty"`  // from the profile's [services NAME] section: service id (sts, iam) -> endpoint_url
	Ignore   bool              `json:"ignore,omitempty"`    // ignore_configured_endpoint_urls = true
	CABundle string            `json:"ca_bundle,omitempty"` // ca_bundle
}

// GetSessionTokenInput asks for a session for an IAM user.
type GetSessionTokenInput struct {
	Target
	Credentials  profiles.Credentials `json:"credentials"`
	Duration     time.Duration        `json:"duration"`
	SerialNumber string               `json:"serial_number,omitempty"`
	TokenCode    string               `json:"token_code,omitempty"`
}

// AssumeRoleInput asks for a role's credentials.
type AssumeRoleInput struct {
	Target
	Credentials     profiles.Credentials `json:"credentials"`
	RoleARN         string               `json:"role_arn"`
	RoleSessionName string               `json:"role_session_name"`
	ExternalID      string               `json:"external_id,omitempty"`
	Duration        time.Duration        `json:"duration"`
	SerialNumber    string               `json:"serial_number,omitempty"`
	TokenCode       string               `json:"token_code,omitempty"`
}

// Identity is GetCallerIdentity's answer.
type Identity struct {
	Account string `json:"account"`
	ARN     string `json:"arn"`
	UserID  string `json:"user_id"`
}

// Client is STS.
type Client interface {
	GetSessionToken(ctx context.Context, in GetSessionTokenInput) (profiles.Credentials, error)
	AssumeRole(ctx context.Context, in AssumeRoleInput) (profiles.Credentials, error)
	GetCallerIdentity(ctx context.Context, t Target, c profiles.Credentials) (Identity, error)
}

// APIError is an error answer from AWS.
type APIError struct {
	Operation  string `json:"operation"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	HTTPStatus int    `json:"http_status,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Operation, e.Code, e.Message)
}

// TransportError is a call that got no answer from AWS (network, TLS,
// endpoint), as opposed to an answer that says no.
type TransportError struct {
	Operation string `json:"operation"`
	Message   string `json:"message"`
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: %s", e.Operation, e.Message)
}

// MFA error messages as AWS words them, to tell a bad code (ask again) from
// a bad serial (fix the config).
const (
	MsgInvalidMFACode   = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	MsgInvalidMFASerial = "MultiFactorAuthentication failed, unable to validate MFA code."
)

type skewObserverKey struct{}

// WithClockSkewObserver returns a context in which every AWS response that
// carries a Date header reports the server's clock minus the local one to
// observe, failed calls included. Like net/http/httptrace, it travels in the
// context because the Client interfaces have no room for it; a call with no
// observer measures nothing.
func WithClockSkewObserver(ctx context.Context, observe func(skew time.Duration)) context.Context {
	return context.WithValue(ctx, skewObserverKey{}, observe)
}

// ClockSkewObserver returns the observer WithClockSkewObserver put in ctx,
// or nil.
func ClockSkewObserver(ctx context.Context) func(skew time.Duration) {
	f, _ := ctx.Value(skewObserverKey{}).(func(time.Duration))
	return f
}
