package ssoclient

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/awsapi/sdk"
	"github.com/awsenv/awsenv/internal/loopback"
	"github.com/awsenv/awsenv/profiles"
)

// Authorizer is awsapi.Authorizer: the loopback listener of a PKCE
// sign-in (package loopback) and the authorization URL on the OIDC
// endpoint's host, resolved as the SDK resolves the OIDC client's
// (AWS_ENDPOINT_URL_SSO_OIDC and the profile's settings move it too). One
// authorization at a time: a new one ends the last.
type Authorizer struct {
	World sdk.World
	mu    sync.Mutex
	ln    *loopback.Listener
}

var _ awsapi.Authorizer = (*Authorizer)(nil)

// StartAuthorization listens for the redirect and builds the URL.
func (a *Authorizer) StartAuthorization(ctx context.Context, in awsapi.AuthorizeInput) (awsapi.Authorization, error) {
	const op = "Authorize"
	cfg, err := SSO{a.World}.config(ctx, serviceOIDC, in.Target)
	if err != nil {
		return awsapi.Authorization{}, err
	}
	ep, err := ssooidc.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, ssooidc.EndpointParameters{
		Region: aws.String(cfg.Region), Endpoint: cfg.BaseEndpoint})
	if err != nil {
		return awsapi.Authorization{}, &awsapi.TransportError{Operation: op, Message: err.Error()}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ln != nil {
		a.ln.Close()
		a.ln = nil
	}
	ln, err := loopback.Listen(in.Port, in.State)
	if err != nil {
		return awsapi.Authorization{}, &awsapi.TransportError{Operation: op, Message: err.Error()}
	}
	a.ln = ln
	q := url.Values{}
	q.Set("response_type", "code")
	q.Set("client_id", in.ClientID)
	q.Set("redirect_uri", ln.RedirectURI())
	q.Set("state", in.State)
	q.Set("code_challenge_method", "S256")
	q.Set("code_challenge", in.CodeChallenge)
	if len(in.Scopes) > 0 {
		q.Set("scopes", strings.Join(in.Scopes, ","))
	}
	// The endpoint's scheme and host: the authorize page is at the root.
	u := url.URL{Scheme: ep.URI.Scheme, Host: ep.URI.Host, Path: "/authorize", RawQuery: q.Encode()}
	return awsapi.Authorization{URL: u.String(), RedirectURI: ln.RedirectURI()}, nil
}

// WaitAuthorization waits for the redirect of the started authorization.
func (a *Authorizer) WaitAuthorization(ctx context.Context, in awsapi.CallbackInput) (awsapi.Callback, error) {
	const op = "Authorize"
	a.mu.Lock()
	ln := a.ln
	a.ln = nil
	a.mu.Unlock()
	if ln == nil {
		return awsapi.Callback{}, &awsapi.APIError{Operation: op, Code: awsapi.CodeBadCallback, Message: "no authorization was started"}
	}
	code, err := ln.Wait(ctx, in.Timeout)
	var ce *loopback.CallbackError
	switch {
	case err == nil:
		return awsapi.Callback{Code: profiles.Secret(code)}, nil
	case errors.Is(err, loopback.ErrDenied):
		return awsapi.Callback{}, &awsapi.APIError{Operation: op, Code: "AccessDeniedException", Message: err.Error()}
	case errors.Is(err, loopback.ErrTimeout):
		return awsapi.Callback{}, &awsapi.APIError{Operation: op, Code: awsapi.CodeAuthorizationTimeout, Message: err.Error()}
	case errors.Is(err, loopback.ErrState), errors.As(err, &ce):
		return awsapi.Callback{}, &awsapi.APIError{Operation: op, Code: awsapi.CodeBadCallback, Message: err.Error()}
	}
	return awsapi.Callback{}, err
}
