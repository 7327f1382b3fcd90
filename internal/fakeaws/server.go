// Package fakeaws is an in-process test double for AWS STS: an HTTP server on
// 127.0.0.1 that speaks the STS Query API well enough for the real AWS SDK and
// CLI to talk to it (point them at it with AWS_ENDPOINT_URL or BaseEndpoint).
//
// It verifies SigV4 signatures with its own implementation, keeps users,
// access keys, virtual MFA devices and roles in memory, and remembers the
// temporary credentials it issues. It is meant for tests only.
package fakeaws

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxBody bounds request bodies; STS requests are a few hundred bytes.
const maxBody = 1 << 20

// Server is a fake STS endpoint. It is safe for concurrent use. Requests are
// handled one at a time, which keeps one-time MFA codes truly one-time.
type Server struct {
	mu       sync.Mutex
	now      func() time.Time
	users    map[string]*User      // by ARN
	keys     map[string]*AccessKey // long-term keys by access key id
	sessions map[string]*session   // issued temporary credentials by access key id
	roles    map[string]*role      // by ARN
	devices  map[string]*mfaDevice // virtual MFA devices by serial number
	usedOTP  map[otpUse]bool       // TOTP windows already accepted, per device
	calls    map[string]int        // requests per Action

	httpSrv *http.Server
	url     string
	closed  bool
}

// User is an IAM user of the fake world.
type User struct {
	s       *Server
	account string
	name    string
	arn     string
	id      string // unique id (AIDA...), reported as UserId
}

// AccessKey is a long-term access key of a User.
type AccessKey struct {
	s      *Server
	user   *User
	id     string
	secret string
	active bool
}

// RoleOptions describes a role's trust policy and limits.
type RoleOptions struct {
	// RequireMFA demands that the caller authenticated with MFA, either in
	// the AssumeRole request itself or in the session it signs with.
	RequireMFA bool
	// ExternalID, when set, must be passed as ExternalId.
	ExternalID string
	// MaxSessionDuration caps DurationSeconds; zero means one hour.
	MaxSessionDuration time.Duration
	// TrustedAccounts lists the accounts whose principals may assume the
	// role; empty means any caller.
	TrustedAccounts []string
}

type role struct {
	arn     string
	account string
	name    string
	id      string // unique id (AROA...)
	opts    RoleOptions
}

func (r *role) trusts(account string) bool {
	if len(r.opts.TrustedAccounts) == 0 {
		return true
	}
	for _, a := range r.opts.TrustedAccounts {
		if a == account {
			return true
		}
	}
	return false
}

func (r *role) maxSessionDuration() time.Duration {
	if r.opts.MaxSessionDuration == 0 {
		return time.Hour
	}
	return r.opts.MaxSessionDuration
}

type sessionKind int

const (
	kindSessionToken sessionKind = iota // from GetSessionToken
	kindAssumedRole                     // from AssumeRole
)

// principal is who signed a request.
type principal struct {
	account string
	arn     string
	userID  string
	user    *User    // the IAM user behind the credentials; nil for assumed roles
	session *session // the temporary credentials used; nil for long-term keys
}

// session is a set of temporary credentials the server issued.
type session struct {
	keyID   string
	secret  string
	token   string
	expires time.Time
	kind    sessionKind
	// mfa is true when MFA was used to obtain these credentials, or the
	// credentials they were obtained with.
	mfa bool
	who principal // session field unset
}

// New returns a server with an empty world whose clock is time.Now.
func New() *Server {
	return &Server{
		now:      time.Now,
		users:    map[string]*User{},
		keys:     map[string]*AccessKey{},
		sessions: map[string]*session{},
		roles:    map[string]*role{},
		devices:  map[string]*mfaDevice{},
		usedOTP:  map[otpUse]bool{},
		calls:    map[string]int{},
	}
}

// Start listens on a random port of 127.0.0.1 and serves in the background.
// It returns the endpoint URL, e.g. "http://127.0.0.1:40123".
func (s *Server) Start() (endpoint string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", errors.New("fakeaws: server is closed")
	}
	if s.httpSrv != nil {
		return "", errors.New("fakeaws: server already started")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("fakeaws: listen: %w", err)
	}
	s.httpSrv = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		// Connection-level noise is not interesting to tests.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	s.url = "http://" + ln.Addr().String()
	go func(srv *http.Server) { _ = srv.Serve(ln) }(s.httpSrv)
	return s.url, nil
}

// Close stops the server. It may be called more than once, and before Start.
func (s *Server) Close() {
	s.mu.Lock()
	srv := s.httpSrv
	s.closed = true
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// URL returns the endpoint returned by Start, or "" before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// SetClock replaces the clock used for expiry, signature skew checks, TOTP
// and the Date response header. nil restores time.Now.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Calls reports how many requests with that Action reached the server,
// including those that failed (authentication errors too).
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// ResetCalls sets every counter of Calls back to zero.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
}

// AddUser adds the IAM user arn:aws:iam::ACCOUNT:user/NAME, or returns it if
// it already exists.
func (s *Server) AddUser(account, name string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := "arn:aws:iam::" + account + ":user/" + name
	if u, ok := s.users[arn]; ok {
		return u
	}
	u := &User{s: s, account: account, name: name, arn: arn, id: "AIDA" + randomString(upperAlnum, 17)}
	s.users[arn] = u
	return u
}

// ARN returns the user's ARN.
func (u *User) ARN() string { return u.arn }

// AddKey gives the user an active long-term access key, replacing any key
// with the same id.
func (u *User) AddKey(id, secret string) *AccessKey {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	k := &AccessKey{s: u.s, user: u, id: id, secret: secret, active: true}
	u.s.keys[id] = k
	return k
}

// SetActive activates or deactivates the key; requests signed with an
// inactive key fail with InvalidClientTokenId.
func (k *AccessKey) SetActive(active bool) {
	k.s.mu.Lock()
	defer k.s.mu.Unlock()
	k.active = active
}

// AddRole adds a role, e.g. "arn:aws:iam::123456789012:role/admin". It panics
// on a malformed ARN, which is a bug in the calling test.
func (s *Server) AddRole(arn string, opts RoleOptions) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[4] == "" || !strings.HasPrefix(parts[5], "role/") {
		panic("fakeaws: AddRole: malformed role ARN " + arn)
	}
	resource := parts[5]
	r := &role{
		arn:     arn,
		account: parts[4],
		name:    resource[strings.LastIndex(resource, "/")+1:],
		id:      "AROA" + randomString(upperAlnum, 17),
		opts:    opts,
	}
	r.opts.TrustedAccounts = append([]string(nil), opts.TrustedAccounts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roles[arn] = r
}

// serveHTTP handles one Query API request: parameters, authentication, action.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	w.Header().Set("x-amzn-RequestId", requestID)
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	// Clients estimate their clock skew from this header.
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))

	if readErr != nil {
		writeError(w, requestID, newError(http.StatusBadRequest, "MalformedInput", "Unable to read the request body"))
		return
	}
	params, err := requestParams(r, body)
	if err != nil {
		writeError(w, requestID, err)
		return
	}
	action := params.Get("Action")
	s.calls[action]++

	who, err := s.authenticate(r, body, now)
	if err != nil {
		writeError(w, requestID, err)
		return
	}
	result, err := s.dispatch(action, params, who, now)
	if err != nil {
		writeError(w, requestID, err)
		return
	}
	writeXML(w, http.StatusOK, response{
		XMLName:  xmlName(action + "Response"),
		Xmlns:    stsNamespace,
		Result:   result,
		Metadata: responseMetadata{RequestID: requestID},
	})
}

// requestParams merges the query string and a form-encoded body, so both
// POST (what SDKs send) and GET work.
func requestParams(r *http.Request, body []byte) (url.Values, *apiError) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, newError(http.StatusBadRequest, "MalformedQueryString", "The query string is malformed")
	}
	if len(body) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, newError(http.StatusBadRequest, "MalformedInput", "The request body is not valid form data")
		}
		for k, vs := range form {
			params[k] = append(params[k], vs...)
		}
	}
	return params, nil
}

// authenticate verifies the SigV4 signature and returns who signed. The
// checks run in the order AWS reports them: shape, scope, clock, key, token,
// expiry, and only then the signature itself.
func (s *Server) authenticate(r *http.Request, body []byte, now time.Time) (*principal, *apiError) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, errMissingAuth()
	}
	auth, err := parseAuthorization(header)
	if err != nil {
		return nil, err
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return nil, errIncompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	signedAt, perr := time.Parse(amzDateFormat, amzDate)
	if perr != nil {
		return nil, errIncompleteSignature("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", amzDate)
	}
	if err := checkScope(auth, amzDate); err != nil {
		return nil, err
	}
	if err := checkSkew(signedAt, now); err != nil {
		return nil, err
	}
	secret, who, err := s.lookupCredentials(auth.keyID, r.Header.Get("X-Amz-Security-Token"), now)
	if err != nil {
		return nil, err
	}
	hash, err := payloadHash(r, body)
	if err != nil {
		return nil, err
	}
	toSign := stringToSign(amzDate, auth.scope(), canonicalRequest(r, auth.signedHeaders, hash))
	if !signatureMatches(signature(secret, auth, toSign), auth.signature) {
		return nil, errSignature(msgSignatureMismatch)
	}
	return who, nil
}

// lookupCredentials finds the secret and owner of an access key id. Issued
// credentials are only valid together with their session token.
func (s *Server) lookupCredentials(keyID, token string, now time.Time) (string, *principal, *apiError) {
	if k, ok := s.keys[keyID]; ok {
		if !k.active || token != "" {
			return "", nil, errInvalidClientToken()
		}
		u := k.user
		return k.secret, &principal{account: u.account, arn: u.arn, userID: u.id, user: u}, nil
	}
	sess, ok := s.sessions[keyID]
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(sess.token)) != 1 {
		return "", nil, errInvalidClientToken()
	}
	if !now.Before(sess.expires) {
		return "", nil, errExpiredToken()
	}
	who := sess.who
	who.session = sess
	return sess.secret, &who, nil
}

// issue creates and remembers new temporary credentials.
func (s *Server) issue(kind sessionKind, who principal, expires time.Time, mfa bool) *session {
	keyID := "ASIA" + randomString(upperAlnum, 16)
	for s.sessions[keyID] != nil || s.keys[keyID] != nil {
		keyID = "ASIA" + randomString(upperAlnum, 16)
	}
	who.session = nil
	sess := &session{
		keyID:   keyID,
		secret:  randomBase64(30), // 40 characters, like AWS secrets
		token:   randomBase64(180),
		expires: expires,
		kind:    kind,
		mfa:     mfa,
		who:     who,
	}
	s.sessions[keyID] = sess
	return sess
}

const upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func randomBase64(nBytes int) string {
	b := make([]byte, nBytes)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
