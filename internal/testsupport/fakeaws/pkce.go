package fakeaws

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The authorization code grant with PKCE (RFC 6749, RFC 7636), as IAM
// Identity Center runs it for the AWS CLI since 2.22: a client registered
// with the authorization_code grant and a loopback redirect URI sends the
// browser to GET /authorize on the OIDC endpoint's host; the person signs
// in and approves there, and the browser is redirected to the client's
// loopback listener with a one-time code, which the client redeems with
// CreateToken and its code_verifier. Here a test plays the person: every
// authorization is approved by the user set with SetAuthorizeUser, or
// denied after DenyAuthorizations; with neither, /authorize shows a page
// that approves nothing.

const (
	grantAuthorizationCode = "authorization_code"
	// authCodeLife is how long an authorization code may be redeemed.
	authCodeLife = 5 * time.Minute
)

type authCode struct {
	code        string
	client      *oidcClient
	redirectURI string
	challenge   string
	user        *SSOUser
	expires     time.Time
	spent       bool
}

// Authorization is one GET /authorize the server answered, for tests that
// check what a client sent.
type Authorization struct {
	ClientID, RedirectURI, State, Scopes string
	CodeChallenge, CodeChallengeMethod   string
	// Result is "code" (redirected with a code), "denied" (redirected
	// with error=access_denied), "pending" (no test user: a page) or the
	// error shown instead of a redirect.
	Result string
}

// SetAuthorizeUser makes every authorization request approved by u, as if
// u signed in and clicked "Allow"; nil turns it off.
func (s *Server) SetAuthorizeUser(u *SSOUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sso.authorizeAs, s.sso.authorizeDeny = u, false
}

// DenyAuthorizations makes every authorization request denied, as a person
// who clicks "Deny": the browser is redirected with error=access_denied.
func (s *Server) DenyAuthorizations() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sso.authorizeAs, s.sso.authorizeDeny = nil, true
}

// Authorizations lists the authorization requests answered so far, oldest
// first.
func (s *Server) Authorizations() []Authorization {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Authorization(nil), s.sso.authorizeLog...)
}

// loopbackRedirect reports whether u is a redirect URI Identity Center
// takes from a public client: http on 127.0.0.1 (or [::1], localhost).
func loopbackRedirect(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "http" || p.User != nil || p.RawQuery != "" || p.Fragment != "" {
		return false
	}
	h := p.Hostname()
	return h == "127.0.0.1" || h == "::1" || h == "localhost"
}

// redirectMatches reports whether got, sent to /authorize, matches a
// registered redirect URI: equal, or for a loopback one registered
// without a port, equal but for the port (RFC 8252 7.3).
func redirectMatches(registered []string, got string) bool {
	g, err := url.Parse(got)
	if err != nil || !loopbackRedirect(got) {
		return false
	}
	for _, r := range registered {
		if r == got {
			return true
		}
		p, err := url.Parse(r)
		if err == nil && p.Port() == "" && p.Scheme == g.Scheme && p.Hostname() == g.Hostname() && p.EscapedPath() == g.EscapedPath() {
			return true
		}
	}
	return false
}

// authorize answers GET /authorize. Errors about the client or the
// redirect URI are shown, never redirected (RFC 6749 4.1.2.1); the others
// go back to the client.
func (s *Server) authorize(q url.Values, now time.Time) reply {
	a := Authorization{ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), State: q.Get("state"), Scopes: q.Get("scopes"),
		CodeChallenge: q.Get("code_challenge"), CodeChallengeMethod: q.Get("code_challenge_method")}
	fail := func(text string) reply {
		a.Result = text
		s.sso.authorizeLog = append(s.sso.authorizeLog, a)
		return htmlPage(http.StatusBadRequest, "fakeaws: "+text)
	}
	c, ok := s.sso.clients[a.ClientID]
	switch {
	case !ok:
		return fail("unknown client_id")
	case !now.Before(c.expires):
		return fail("the client registration has expired")
	case !c.code:
		return fail("the client is not registered for the authorization_code grant")
	case !redirectMatches(c.redirectURIs, a.RedirectURI):
		return fail("redirect_uri does not match the registration")
	}
	back := func(v url.Values) reply {
		v.Set("state", a.State)
		sep := "?"
		if strings.Contains(a.RedirectURI, "?") {
			sep = "&"
		}
		s.sso.authorizeLog = append(s.sso.authorizeLog, a)
		return reply{status: http.StatusFound, header: map[string]string{"Location": a.RedirectURI + sep + v.Encode()}}
	}
	switch {
	case q.Get("response_type") != "code":
		a.Result = "unsupported_response_type"
		return back(url.Values{"error": {"unsupported_response_type"}})
	case a.CodeChallengeMethod != "S256" || len(a.CodeChallenge) != 43:
		a.Result = "invalid_request"
		return back(url.Values{"error": {"invalid_request"}, "error_description": {"code_challenge with code_challenge_method S256 is required"}})
	case s.sso.authorizeDeny:
		a.Result = "denied"
		return back(url.Values{"error": {"access_denied"}, "error_description": {"The user denied the request"}})
	case s.sso.authorizeAs == nil:
		a.Result = "pending"
		s.sso.authorizeLog = append(s.sso.authorizeLog, a)
		return htmlPage(http.StatusOK, "fakeaws: this page approves nothing; a test approves with Server.SetAuthorizeUser")
	}
	ac := &authCode{code: randomBase64URL(32), client: c, redirectURI: a.RedirectURI, challenge: a.CodeChallenge,
		user: s.sso.authorizeAs, expires: now.Add(authCodeLife)}
	s.sso.authCodes[ac.code] = ac
	a.Result = "code"
	return back(url.Values{"code": {ac.code}})
}

// redeemAuthorizationCode is CreateToken with the authorization_code
// grant: the code is spent by the first attempt, right or wrong.
func (s *Server) redeemAuthorizationCode(c *oidcClient, in createTokenInput, now time.Time) (any, *apiError) {
	switch {
	case !c.code:
		return nil, errUnauthorizedClient(grantAuthorizationCode)
	case in.Code == "":
		return nil, errMissingMember("code")
	case in.CodeVerifier == "":
		return nil, errMissingMember("codeVerifier")
	case in.RedirectURI == "":
		return nil, errMissingMember("redirectUri")
	}
	ac, ok := s.sso.authCodes[in.Code]
	if !ok || ac.spent || ac.client != c {
		return nil, errInvalidGrant("Invalid authorization code provided")
	}
	ac.spent = true
	sum := sha256.Sum256([]byte(in.CodeVerifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	switch {
	case !now.Before(ac.expires):
		return nil, errInvalidGrant("Authorization code has expired")
	case in.RedirectURI != ac.redirectURI:
		return nil, errInvalidGrant("redirectUri does not match the authorization request")
	case len(in.CodeVerifier) < 43 || len(in.CodeVerifier) > 128 ||
		subtle.ConstantTimeCompare([]byte(challenge), []byte(ac.challenge)) != 1:
		return nil, errInvalidGrant("Code verifier does not match the code challenge")
	}
	si := &signIn{user: ac.user, client: c, expires: now.Add(s.sso.life.Session)}
	s.sso.signIns = append(s.sso.signIns, si)
	return s.issueTokens(si, now, c.refreshable), nil
}

func errUnauthorizedClient(grant string) *apiError {
	return errOIDC(http.StatusBadRequest, "UnauthorizedClientException", "The client is not registered for the %s grant", grant)
}

func htmlPage(status int, text string) reply {
	body := "<!doctype html><title>fakeaws</title><p>" + html.EscapeString(text) + "</p>\n"
	return reply{status: status, header: map[string]string{"Content-Type": "text/html; charset=utf-8"}, body: []byte(body)}
}
