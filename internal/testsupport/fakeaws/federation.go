package fakeaws

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The console sign-in's federation endpoint (signin.aws.amazon.com/federation),
// as AWS documents it for a custom identity broker:
//
//	GET /federation?Action=getSigninToken&SessionDuration=3600&Session={"sessionId":..,"sessionKey":..,"sessionToken":..}
//	→ {"SigninToken":"..."}
//	GET /federation?Action=login&Issuer=..&Destination=https://console.aws.amazon.com/&SigninToken=..
//
// Only temporary credentials the server issued for a role (AssumeRole or
// the SSO portal's GetRoleCredentials) or a federated user
// (GetFederationToken, without SessionDuration) are accepted:
// GetSessionToken's cannot open the console, and long-term keys are not
// sessions. As AWS
// does, every refusal is a bare HTTP 400. A sign-in token is valid for 15
// minutes. The login action answers 200 with a short text instead of
// redirecting to Destination, so that nothing follows a redirect to the
// internet; CheckConsoleURL lets a test check a login URL directly.

const (
	signinTokenLifetime = 15 * time.Minute
	// Role chaining limits the console session to one hour.
	chainedConsoleLimit = time.Hour
)

// federation Actions, as Calls counts them.
const (
	actionGetSigninToken = "getSigninToken"
	actionLogin          = "login"
)

func federationAction(action string) string {
	switch action {
	case actionGetSigninToken, actionLogin:
		return action
	}
	return "federation"
}

type signinToken struct {
	value           string
	keyID           string
	arn, account    string
	issued, expires time.Time
	sessionDuration time.Duration // zero: not asked for
}

// ConsoleSignin is what a console login URL signs in as, from
// CheckConsoleURL.
type ConsoleSignin struct {
	AccessKeyID     string // of the credentials the sign-in token was made from
	ARN             string // the assumed role, e.g. arn:aws:sts::123456789012:assumed-role/admin/alice
	Account         string
	Issuer          string
	Destination     string
	SessionDuration time.Duration // SessionDuration of getSigninToken; zero if none was given
}

// CheckConsoleURL checks a console login URL as the federation endpoint
// would when a browser opens it: the server's own /federation, Action=login,
// a Destination, and a SigninToken the server issued less than 15 minutes
// ago (server clock) for credentials that still work. It reports whose
// credentials the token was made from.
func (s *Server) CheckConsoleURL(loginURL string) (ConsoleSignin, error) {
	u, err := url.Parse(loginURL)
	if err != nil {
		return ConsoleSignin{}, fmt.Errorf("fakeaws: console URL: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if base, _ := url.Parse(s.url); base == nil || u.Scheme != base.Scheme || u.Host != base.Host || u.Path != "/federation" {
		return ConsoleSignin{}, fmt.Errorf("fakeaws: console URL %s is not this server's federation endpoint %s/federation", u.Redacted(), s.url)
	}
	return s.checkLogin(u.Query(), s.now())
}

func (s *Server) checkLogin(q url.Values, now time.Time) (ConsoleSignin, error) {
	if a := q.Get("Action"); a != actionLogin {
		return ConsoleSignin{}, fmt.Errorf("fakeaws: console URL: Action is %q, want login", a)
	}
	if q.Get("Destination") == "" {
		return ConsoleSignin{}, errors.New("fakeaws: console URL: no Destination")
	}
	t, ok := s.signinTokens[q.Get("SigninToken")]
	switch {
	case !ok:
		return ConsoleSignin{}, errors.New("fakeaws: console URL: SigninToken was not issued by this server")
	case !now.Before(t.expires):
		return ConsoleSignin{}, errors.New("fakeaws: console URL: SigninToken has expired (15 minutes)")
	}
	if sess, ok := s.sessions[t.keyID]; !ok || !now.Before(sess.expires) {
		return ConsoleSignin{}, errors.New("fakeaws: console URL: the credentials of the SigninToken have expired")
	}
	return ConsoleSignin{
		AccessKeyID:     t.keyID,
		ARN:             t.arn,
		Account:         t.account,
		Issuer:          q.Get("Issuer"),
		Destination:     q.Get("Destination"),
		SessionDuration: t.sessionDuration,
	}, nil
}

// handleFederation runs one federation endpoint request. The server lock is
// held.
func (s *Server) handleFederation(q *request, now time.Time, requestID string) reply {
	if err := s.takeFailure(q.action); err != nil {
		return federationError(requestID, err)
	}
	switch q.action {
	case actionGetSigninToken:
		token, err := s.getSigninToken(q.params, now)
		if err != nil {
			return federationError(requestID, err)
		}
		return jsonReply(http.StatusOK, struct {
			SigninToken string `json:"SigninToken"`
		}{token})
	case actionLogin:
		in, err := s.checkLogin(q.params, now)
		if err != nil {
			return federationError(requestID, newError(http.StatusBadRequest, "InvalidSigninToken", "%s", err))
		}
		text := "fakeaws: signed in to the console as " + in.ARN + "; destination " + in.Destination + "\n"
		return reply{status: http.StatusOK, header: map[string]string{"Content-Type": "text/plain; charset=utf-8"}, body: []byte(text)}
	}
	return federationError(requestID, errFederation("Invalid Action parameter"))
}

func errFederation(message string) *apiError {
	return newError(http.StatusBadRequest, "BadRequest", "%s", message)
}

// federationError is the endpoint's bare error page.
func federationError(requestID string, e *apiError) reply {
	text := fmt.Sprintf("%d %s\nmessage %s\ndescription The request sent by the client was syntactically incorrect.\n", e.status, http.StatusText(e.status), e.message)
	return reply{status: e.status, header: map[string]string{"Content-Type": "text/plain; charset=utf-8", "x-amzn-RequestId": requestID}, body: []byte(text)}
}

type federationSession struct {
	SessionID    string `json:"sessionId"`
	SessionKey   string `json:"sessionKey"`
	SessionToken string `json:"sessionToken"`
}

func (s *Server) getSigninToken(p url.Values, now time.Time) (string, *apiError) {
	raw := p.Get("Session")
	if raw == "" {
		return "", errFederation("Missing Session parameter")
	}
	var in federationSession
	if err := json.Unmarshal([]byte(raw), &in); err != nil || in.SessionID == "" || in.SessionKey == "" || in.SessionToken == "" {
		return "", errFederation("Invalid credentials parameter")
	}
	var duration time.Duration
	if v := p.Get("SessionDuration"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 900 || n > 43200 {
			return "", errFederation("Invalid SessionDuration parameter")
		}
		duration = time.Duration(n) * time.Second
	}
	sess, ok := s.sessions[in.SessionID]
	switch {
	case !ok || in.SessionKey != sess.secret || in.SessionToken != sess.token || !now.Before(sess.expires):
		return "", errFederation("Invalid credentials parameter")
	case sess.kind == kindSessionToken:
		// GetSessionToken's credentials cannot sign in to the console.
		return "", errFederation("Invalid credentials parameter")
	case sess.kind == kindFederated && duration != 0:
		// AWS: "Do not use the SessionDuration HTTP parameter if you got the
		// temporary credentials with GetFederationToken."
		return "", errFederation("Invalid credentials parameter")
	case sess.chained && duration > chainedConsoleLimit:
		return "", errFederation("Invalid credentials parameter")
	}
	t := &signinToken{
		value:           randomBase64URL(300),
		keyID:           sess.keyID,
		arn:             sess.who.arn,
		account:         sess.who.account,
		issued:          now,
		expires:         now.Add(signinTokenLifetime),
		sessionDuration: duration,
	}
	s.signinTokens[t.value] = t
	return t.value, nil
}
