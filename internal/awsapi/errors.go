package awsapi

import (
	"errors"
	"fmt"
)

// APIError is an error answer from AWS, whichever service gave it.
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

// TransportError is a call that got no usable answer from AWS (network,
// TLS, endpoint, deadline), as opposed to an answer that says no.
type TransportError struct {
	Operation string `json:"operation"`
	Message   string `json:"message"`
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: %s", e.Operation, e.Message)
}

// MFA error messages as STS words them, to tell a bad code (ask again) from
// a bad serial (fix the config).
const (
	MsgInvalidMFACode   = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	MsgInvalidMFASerial = "MultiFactorAuthentication failed, unable to validate MFA code."
)

// The IAM Identity Center answers awsenv acts on, by AWS's error code.
// Errors from an SSO client wrap one of these (errors.Is) and the
// *APIError AWS gave.
var (
	ErrPending       = errors.New("the sign-in has not been approved yet")                // AuthorizationPendingException
	ErrSlowDown      = errors.New("polling too quickly")                                  // SlowDownException
	ErrExpired       = errors.New("the sign-in request expired")                          // ExpiredTokenException
	ErrDenied        = errors.New("the sign-in was denied")                               // AccessDeniedException (OIDC)
	ErrInvalidGrant  = errors.New("the refresh token or device code is not valid")        // InvalidGrantException
	ErrInvalidClient = errors.New("the client registration is not valid or expired")      // InvalidClientException
	ErrUnauthorized  = errors.New("the IAM Identity Center token is expired or revoked")  // UnauthorizedException (portal)
	ErrForbidden     = errors.New("no access to that account or role")                    // ForbiddenException (portal)
	ErrBadCallback   = errors.New("the browser came back with a wrong or missing answer") // CodeBadCallback (awsenv's listener)
)

var ssoCodes = map[string]error{
	"AuthorizationPendingException": ErrPending,
	"SlowDownException":             ErrSlowDown,
	"ExpiredTokenException":         ErrExpired,
	"AccessDeniedException":         ErrDenied,
	"InvalidGrantException":         ErrInvalidGrant,
	"InvalidClientException":        ErrInvalidClient,
	// A client registered for another grant (the browser sign-in's, in a
	// token file): the device flow registers its own.
	"UnauthorizedClientException": ErrInvalidClient,
	"UnauthorizedException":       ErrUnauthorized,
	"ForbiddenException":          ErrForbidden,
	CodeBadCallback:               ErrBadCallback,
	CodeAuthorizationTimeout:      ErrExpired,
}

// SSOError is an Identity Center answer awsenv acts on: Kind is one of
// the Err* values above, API what AWS said.
type SSOError struct {
	Kind error
	API  *APIError
}

func (e *SSOError) Error() string   { return e.API.Error() }
func (e *SSOError) Unwrap() []error { return []error{e.Kind, e.API} }

// Typed wraps an Identity Center error answer whose code awsenv acts on in
// an *SSOError; other errors are returned as they are. Both sides of the
// helper pipe call it: the SDK client on AWS's answer, the front on the
// *APIError the pipe carried.
func Typed(err error) error {
	var api *APIError
	if errors.As(err, &api) {
		if kind, ok := ssoCodes[api.Code]; ok {
			return &SSOError{Kind: kind, API: api}
		}
	}
	return err
}
