package fakeaws

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// The sign-in service (signin) of `aws login`: CreateOAuth2Token at POST
// /v1/token renews a login session. The request is unsigned; the body
// holds clientId, grantType refresh_token and the refresh token, and the
// DPoP header a proof (RFC 9449) signed with the key the session is bound
// to. Each refresh rotates the refresh token: the old one stops working.
// Errors are restJson1: the exception in X-Amzn-Errortype, the OAuth2
// error code in the body's "error" (TOKEN_EXPIRED and AUTHCODE_EXPIRED
// with 401, USER_CREDENTIALS_CHANGED and INSUFFICIENT_PERMISSIONS with
// 403, INVALID_REQUEST with 400), as the service model defines them.

const svcSignin service = "signin"

// LoginCredentialsLifetime is how long a refresh's credentials last (the
// service's maximum, 15 minutes).
const LoginCredentialsLifetime = 15 * time.Minute

// dpopWindow is how far a proof's iat may be from the server's clock.
const dpopWindow = 5 * time.Minute

type signinState struct {
	sessions map[string]*loginSession // by the current refresh token
	jtis     map[string]bool          // proof ids seen
	proofs   []DPoPCapture
	fail     string // the OAuth2 error the next refreshes answer with
}

type loginSession struct {
	user     *User
	clientID string
	jkt      string // the RFC 7638 thumbprint of the bound key
	life     time.Duration
}

// DPoPCapture is one DPoP proof the service accepted, with the URL it
// was checked against.
type DPoPCapture struct {
	Proof string
	URL   string
}

// LoginTokens are what `aws login` caches of a new login session.
type LoginTokens struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	AccountID                                  string
	Expires                                    time.Time
	ClientID, RefreshToken                     string
}

func (s *Server) signinLocked() *signinState {
	if s.signin == nil {
		s.signin = &signinState{sessions: map[string]*loginSession{}, jtis: map[string]bool{}}
	}
	return s.signin
}

// AddLoginSession signs u in as `aws login` would, with its refresh token
// bound to key: it returns the first credentials (lasting life) and the
// refresh token, as the authorization-code exchange would.
func (s *Server) AddLoginSession(u *User, key *ecdsa.PublicKey, life time.Duration) LoginTokens {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.signinLocked()
	ls := &loginSession{user: u, clientID: "arn:aws:signin:::devtools/same-device", jkt: thumbprint(key), life: LoginCredentialsLifetime}
	refresh := "rt-" + randomBase64URL(48)
	st.sessions[refresh] = ls
	sess := s.issue(kindSessionToken, principal{account: u.account, arn: u.arn, userID: u.id, user: u}, s.now().Add(life), false)
	return LoginTokens{AccessKeyID: sess.keyID, SecretAccessKey: sess.secret, SessionToken: sess.token, AccountID: u.account,
		Expires: sess.expires, ClientID: ls.clientID, RefreshToken: refresh}
}

// SetLoginError makes the next refreshes answer with the OAuth2 error
// code (TOKEN_EXPIRED, USER_CREDENTIALS_CHANGED, INSUFFICIENT_PERMISSIONS);
// "" ends that.
func (s *Server) SetLoginError(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signinLocked().fail = code
}

// DPoPProofs are the proofs of the refreshes the service accepted.
func (s *Server) DPoPProofs() []DPoPCapture {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]DPoPCapture(nil), s.signinLocked().proofs...)
}

func errSignin(code, format string, args ...any) *apiError {
	status, exc := http.StatusBadRequest, "ValidationException"
	switch code {
	case "TOKEN_EXPIRED", "AUTHCODE_EXPIRED":
		status, exc = http.StatusUnauthorized, "AccessDeniedException"
	case "USER_CREDENTIALS_CHANGED", "INSUFFICIENT_PERMISSIONS":
		status, exc = http.StatusForbidden, "AccessDeniedException"
	}
	// The OAuth2 code travels in reason-free apiError.message's prefix.
	return &apiError{status: status, code: exc, message: code + "\x00" + fmt.Sprintf(format, args...)}
}

func signinErrorReply(requestID string, e *apiError) reply {
	code, msg, ok := strings.Cut(e.message, "\x00")
	if !ok {
		code, msg = "INVALID_REQUEST", e.message
	}
	rep := jsonReply(e.status, map[string]string{"error": code, "message": msg})
	rep.header["x-amzn-ErrorType"] = e.code
	rep.header["x-amzn-RequestId"] = requestID
	return rep
}

// handleSignin answers CreateOAuth2Token. The server lock is held.
func (s *Server) handleSignin(r *http.Request, body []byte, now time.Time, requestID string) reply {
	out, err := s.createOAuth2Token(r, body, now)
	if err != nil {
		return signinErrorReply(requestID, err)
	}
	rep := jsonReply(http.StatusOK, out)
	rep.header["x-amzn-RequestId"] = requestID
	return rep
}

func (s *Server) createOAuth2Token(r *http.Request, body []byte, now time.Time) (any, *apiError) {
	st := s.signinLocked()
	var in struct {
		ClientID     string `json:"clientId"`
		GrantType    string `json:"grantType"`
		RefreshToken string `json:"refreshToken"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, errSignin("INVALID_REQUEST", "Request body is not valid JSON")
	}
	if in.GrantType != "refresh_token" || in.ClientID == "" || in.RefreshToken == "" {
		return nil, errSignin("INVALID_REQUEST", "grantType refresh_token with clientId and refreshToken is required")
	}
	// The URL the client addressed: the proof's htu must be it.
	htu := "http://" + r.Host + r.URL.Path
	proof := r.Header.Get("DPoP")
	jkt, jti, perr := verifyDPoP(proof, htu, now)
	if perr != nil {
		return nil, errSignin("INVALID_REQUEST", "Invalid DPoP proof: %v", perr)
	}
	if st.jtis[jti] {
		return nil, errSignin("INVALID_REQUEST", "Invalid DPoP proof: jti %s was already used", jti)
	}
	st.jtis[jti] = true
	if st.fail != "" {
		return nil, errSignin(st.fail, "The login session cannot be refreshed (%s)", st.fail)
	}
	var ls *loginSession
	for rt, cand := range st.sessions {
		if subtle.ConstantTimeCompare([]byte(rt), []byte(in.RefreshToken)) == 1 {
			ls = cand
		}
	}
	switch {
	case ls == nil:
		return nil, errSignin("TOKEN_EXPIRED", "Refresh token is expired or invalid")
	case ls.clientID != in.ClientID:
		return nil, errSignin("INVALID_REQUEST", "clientId does not match the refresh token")
	case ls.jkt != jkt:
		return nil, errSignin("INVALID_REQUEST", "DPoP key does not match the refresh token's binding")
	}
	delete(st.sessions, in.RefreshToken)
	next := "rt-" + randomBase64URL(48)
	st.sessions[next] = ls
	st.proofs = append(st.proofs, DPoPCapture{Proof: proof, URL: htu})
	u := ls.user
	sess := s.issue(kindSessionToken, principal{account: u.account, arn: u.arn, userID: u.id, user: u}, now.Add(ls.life), false)
	return map[string]any{
		"accessToken": map[string]string{"accessKeyId": sess.keyID, "secretAccessKey": sess.secret, "sessionToken": sess.token},
		"tokenType":   "aws_sigv4", "expiresIn": int(ls.life / time.Second), "refreshToken": next,
	}, nil
}

// verifyDPoP checks a DPoP proof (RFC 9449) for a POST to htu: typ
// dpop+jwt, alg ES256, an EC P-256 jwk whose key verifies the signature,
// htm POST, htu, iat within dpopWindow of now, a jti. It returns the
// key's thumbprint and the jti.
func verifyDPoP(proof, htu string, now time.Time) (jkt, jti string, err error) {
	parts := strings.Split(proof, ".")
	if len(parts) != 3 {
		return "", "", errors.New("not a JWT")
	}
	dec := base64.RawURLEncoding
	hb, err1 := dec.DecodeString(parts[0])
	pb, err2 := dec.DecodeString(parts[1])
	sig, err3 := dec.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return "", "", fmt.Errorf("not base64url: %w", err)
	}
	var h struct {
		Typ, Alg string
		JWK      struct{ Kty, Crv, X, Y string }
	}
	var p struct {
		Htm, Htu, Jti string
		Iat           *int64
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return "", "", fmt.Errorf("header: %w", err)
	}
	if err := json.Unmarshal(pb, &p); err != nil {
		return "", "", fmt.Errorf("payload: %w", err)
	}
	if h.Typ != "dpop+jwt" || h.Alg != "ES256" || h.JWK.Kty != "EC" || h.JWK.Crv != "P-256" {
		return "", "", fmt.Errorf("header typ %q alg %q jwk %s/%s", h.Typ, h.Alg, h.JWK.Kty, h.JWK.Crv)
	}
	x, errx := dec.DecodeString(h.JWK.X)
	y, erry := dec.DecodeString(h.JWK.Y)
	if errx != nil || erry != nil || len(x) != 32 || len(y) != 32 {
		return "", "", errors.New("jwk x and y are not 32-byte base64url")
	}
	pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
	if !pub.Curve.IsOnCurve(pub.X, pub.Y) {
		return "", "", errors.New("jwk is not a point on P-256")
	}
	if len(sig) != 64 {
		return "", "", fmt.Errorf("signature is %d bytes, not r||s (64)", len(sig))
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return "", "", errors.New("signature does not verify with the jwk")
	}
	switch {
	case p.Htm != "POST":
		return "", "", fmt.Errorf("htm %q", p.Htm)
	case p.Htu != htu:
		return "", "", fmt.Errorf("htu %q, not %q", p.Htu, htu)
	case p.Iat == nil:
		return "", "", errors.New("no iat")
	case time.Unix(*p.Iat, 0).Before(now.Add(-dpopWindow)) || time.Unix(*p.Iat, 0).After(now.Add(dpopWindow)):
		return "", "", fmt.Errorf("iat %d is not within %s of the server's clock", *p.Iat, dpopWindow)
	case p.Jti == "":
		return "", "", errors.New("no jti")
	}
	return thumbprint(pub), p.Jti, nil
}

// thumbprint is the RFC 7638 SHA-256 thumbprint of an EC public key.
func thumbprint(k *ecdsa.PublicKey) string {
	b := make([]byte, 64)
	k.X.FillBytes(b[:32])
	k.Y.FillBytes(b[32:])
	enc := base64.RawURLEncoding.EncodeToString
	sum := sha256.Sum256([]byte(`{"crv":"P-256","kty":"EC","x":"` + enc(b[:32]) + `","y":"` + enc(b[32:]) + `"}`))
	return enc(sum[:])
}
