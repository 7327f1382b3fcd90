package credflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// The browser sign-in with PKCE (the authorization code grant, RFC 6749
// and RFC 7636), as the AWS CLI signs in since 2.22: the person approves
// in a browser, which is sent back to a one-time listener on 127.0.0.1
// (in the helper: awsapi.Authorizer), and the code is redeemed with the
// verifier only this run knows. The device flow stays for legacy profiles
// (no sso-session: the CLI uses it there too), --use-device-code, and where
// no browser can be opened (the caller leaves PKCE nil).

// DefaultPKCETimeout is how long a browser sign-in waits for the browser
// to come back.
const DefaultPKCETimeout = 5 * time.Minute

// PKCE is how a sign-in runs in the browser.
type PKCE struct {
	Authorizer awsapi.Authorizer
	// Open shows the person the authorization URL and opens the browser.
	Open func(ctx context.Context, a Authorize)
	// Port is the listener's (0: a free one); Timeout the wait for the
	// browser (0: DefaultPKCETimeout).
	Port    int
	Timeout time.Duration
}

// Authorize is a browser sign-in to show.
type Authorize struct {
	Profile string
	SSO     *profiles.SSO
	URL     string
}

// usesPKCE reports whether a sign-in to s runs in the browser.
func (f *Flow) usesPKCE(s *profiles.SSO) bool {
	return f.PKCE != nil && f.PKCE.Authorizer != nil && s.Session != ""
}

// signIn runs a new sign-in: in the browser with PKCE, or the device flow.
func (f *Flow) signIn(ctx context.Context, p *profiles.Profile, s *profiles.SSO, name string, old *ssocache.Token) (*ssocache.Token, error) {
	if f.usesPKCE(s) {
		return f.pkceLogin(ctx, p, s, name)
	}
	return f.deviceLogin(ctx, p, s, name, old)
}

// pkceGrants are what a browser sign-in's client registers for; the
// device flow's registration is another (a client registered for one
// grant cannot use the other).
var pkceGrants = []string{awsapi.GrantAuthorizationCode, awsapi.GrantRefreshToken}

// pkceRegistration is the client registration of the browser sign-in for
// s: the cached one while it has registrationMinLeft left, else a new one
// (saved where the AWS CLI keeps it, under a key that names the grants).
func (f *Flow) pkceRegistration(ctx context.Context, p *profiles.Profile, s *profiles.SSO) (*ssocache.Registration, error) {
	sc := scopes(s)
	key := ssocache.RegistrationKeyFor(s.StartURL, s.Region, s.Session, sc, pkceGrants)
	if r, err := f.SSOCache.LoadRegistration(key); err == nil && r != nil && r.ExpiresAt.After(f.Now().Add(registrationMinLeft)) {
		f.Debugf("reusing the client registration %s.json", key)
		return r, nil
	}
	f.Debugf("registering a client for the browser sign-in with IAM Identity Center in %s", s.Region)
	got, err := f.SSO.RegisterClient(ctx, awsapi.RegisterClientInput{Target: f.ssoTarget(p, s), ClientName: ssoClientName, Scopes: sc,
		GrantTypes: pkceGrants, RedirectURIs: []string{awsapi.RedirectURI}, IssuerURL: s.StartURL})
	if err != nil {
		return nil, err
	}
	r := &ssocache.Registration{ClientID: got.ClientID, ClientSecret: got.ClientSecret, ExpiresAt: got.ExpiresAt, Scopes: sc, GrantTypes: pkceGrants}
	if err := f.SSOCache.SaveRegistration(key, r); err != nil {
		f.Notef("could not cache the client registration: %v", err)
	}
	return r, nil
}

// NewVerifier is a PKCE code verifier (RFC 7636 4.1: 32 random bytes,
// base64url, 43 characters) and its S256 challenge.
func NewVerifier() (verifier, challenge string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("make a PKCE verifier: %w. Check that the system's random source works.", err)
	}
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// pkceLogin runs the browser sign-in. Nothing is written but the client
// registration until the token comes; an interrupt (ctx) stops it, and the
// listener goes with it.
func (f *Flow) pkceLogin(ctx context.Context, p *profiles.Profile, s *profiles.SSO, name string) (*ssocache.Token, error) {
	failed := func(problem string, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &LoginError{Profile: name, SSO: s, Problem: problem, Err: err}
	}
	reg, err := f.pkceRegistration(ctx, p, s)
	if err != nil {
		return nil, failed("could not register awsenv with IAM Identity Center in "+s.Region+"; check sso_region", err)
	}
	verifier, challenge, err := NewVerifier()
	if err != nil {
		return nil, err
	}
	state, _, err := NewVerifier()
	if err != nil {
		return nil, err
	}
	tgt := f.ssoTarget(p, s)
	auth, err := f.PKCE.Authorizer.StartAuthorization(ctx, awsapi.AuthorizeInput{Target: tgt, ClientID: reg.ClientID, Scopes: reg.Scopes,
		State: state, CodeChallenge: challenge, Port: f.PKCE.Port})
	if err != nil {
		return nil, failed("could not start the browser sign-in (to sign in without a browser on this machine, use --use-device-code)", err)
	}
	if f.PKCE.Open != nil {
		f.PKCE.Open(ctx, Authorize{Profile: name, SSO: s, URL: auth.URL})
	}
	timeout := f.PKCE.Timeout
	if timeout <= 0 {
		timeout = DefaultPKCETimeout
	}
	cb, err := f.PKCE.Authorizer.WaitAuthorization(ctx, awsapi.CallbackInput{State: state, Timeout: timeout})
	switch {
	case err == nil:
	case errors.Is(err, awsapi.ErrDenied):
		return nil, failed("the sign-in was denied in the browser; nothing was saved", err)
	case errors.Is(err, awsapi.ErrExpired):
		return nil, failed(fmt.Sprintf("no answer came from the browser within %s; nothing was saved", timeout), err)
	case errors.Is(err, awsapi.ErrBadCallback):
		return nil, failed("the browser came back with an answer awsenv did not ask for (a wrong or missing state, or no code); nothing was saved", err)
	default:
		return nil, failed("the browser sign-in failed", err)
	}
	got, err := f.SSO.CreateToken(ctx, awsapi.CreateTokenInput{Target: tgt, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret,
		GrantType: awsapi.GrantAuthorizationCode, Code: cb.Code, CodeVerifier: profiles.Secret(verifier), RedirectURI: auth.RedirectURI})
	if err != nil {
		return nil, failed("IAM Identity Center did not accept the sign-in's code; nothing was saved", err)
	}
	now := f.Now()
	return &ssocache.Token{StartURL: s.StartURL, Region: s.Region, AccessToken: got.AccessToken,
		ExpiresAt: now.Add(got.ExpiresIn).UTC().Truncate(time.Second), ClientID: reg.ClientID, ClientSecret: reg.ClientSecret,
		RegistrationExpiresAt: reg.ExpiresAt, RefreshToken: got.RefreshToken}, nil
}
