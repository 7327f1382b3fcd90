package awsapi

import (
	"context"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// The sign-in service (signin, CreateOAuth2Token at POST /v1/token): it
// renews the credentials of an `aws login` session (a login_session
// profile) with the session's refresh token, bound to a private key by a
// DPoP proof (RFC 9449) sent in the DPoP header.

// The OAuth2 error codes the sign-in service puts in an
// AccessDeniedException's "error" member; an *APIError from
// CreateOAuth2Token carries them as its Code.
const (
	SigninTokenExpired       = "TOKEN_EXPIRED"            // the session ended: sign in again
	SigninCredentialsChanged = "USER_CREDENTIALS_CHANGED" // the password changed: sign in again
	SigninNoPermission       = "INSUFFICIENT_PERMISSIONS" // signin:CreateOAuth2Token is not allowed
)

// SigninRefreshInput renews a login session's credentials. DPoPKey is the
// session's private key as cached (PEM); the helper signs the proof with
// it for the exact URL the request goes to.
type SigninRefreshInput struct {
	Target
	ClientID     string          `json:"client_id"`
	RefreshToken profiles.Secret `json:"refresh_token"`
	DPoPKey      profiles.Secret `json:"dpop_key"`
}

// SigninToken is CreateOAuth2Token's answer: new credentials for
// ExpiresIn, and the refresh token that replaces the one sent.
type SigninToken struct {
	Credentials  profiles.Credentials `json:"credentials"` // Expiration unset: see ExpiresIn
	ExpiresIn    time.Duration        `json:"expires_in"`
	RefreshToken profiles.Secret      `json:"refresh_token"`
}

// Signin is the sign-in service as awsenv uses it.
type Signin interface {
	CreateOAuth2Token(ctx context.Context, in SigninRefreshInput) (SigninToken, error)
}
