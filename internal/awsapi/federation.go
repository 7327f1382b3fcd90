package awsapi

import (
	"context"
	"strings"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// GetFederationTokenInput asks STS for a federated user's credentials,
// made with an IAM user's long-term keys: the one way an IAM user's
// credentials open the console (AWS's federation endpoint refuses
// GetSessionToken's, and STS refuses GetFederationToken with them).
type GetFederationTokenInput struct {
	Target
	Credentials profiles.Credentials `json:"credentials"`
	Name        string               `json:"name"`   // the federated user's name, 2 to 32 characters
	Policy      string               `json:"policy"` // the session policy; the permissions are its intersection with the user's
	Duration    time.Duration        `json:"duration"`
}

// SigninTokenInput asks the console's federation endpoint for a sign-in
// token for temporary credentials (Action=getSigninToken).
type SigninTokenInput struct {
	Endpoint    string               `json:"endpoint"` // e.g. https://signin.aws.amazon.com, with or without /federation (see FederationURL)
	Credentials profiles.Credentials `json:"credentials"`
	// SessionDuration is the console session's length; zero leaves it out
	// (as AWS requires for GetFederationToken's credentials).
	SessionDuration time.Duration `json:"session_duration,omitempty"`
}

// FederationURL is the federation page of a sign-in endpoint, the one rule
// for both calls (getSigninToken and the login URL): AWS documents the
// page itself (https://signin.aws.amazon.com/federation), awsenv's
// defaults are the host, and either, with or without a trailing slash,
// gives the page.
func FederationURL(endpoint string) string {
	e := strings.TrimRight(endpoint, "/")
	if !strings.HasSuffix(e, "/federation") {
		e += "/federation"
	}
	return e
}

// Federation is what opening the console needs beyond STS.
type Federation interface {
	GetFederationToken(ctx context.Context, in GetFederationTokenInput) (profiles.Credentials, error)
	// SigninToken returns the sign-in token, a secret for its 15 minutes.
	SigninToken(ctx context.Context, in SigninTokenInput) (string, error)
}
