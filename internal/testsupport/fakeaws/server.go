// Package fakeaws is an in-process test double for AWS STS, a slice of IAM
// (access keys and MFA devices) and S3's ListBuckets: an HTTP server on
// 127.0.0.1 that speaks those APIs well enough for the real AWS SDK and CLI
// to talk to it (point them at it with AWS_ENDPOINT_URL or BaseEndpoint).
// One endpoint serves all three; a request goes to the service its Action
// belongs to, or, for S3 (which has no Action), to the service of its SigV4
// credential scope.
//
// The same endpoint serves IAM Identity Center: SSO OIDC (RegisterClient,
// StartDeviceAuthorization, CreateToken), the SSO portal (GetRoleCredentials,
// ListAccounts, ListAccountRoles, Logout) and the console's federation
// endpoint (/federation), recognised by method and path as their clients
// address them (AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL_SSO).
//
// It verifies SigV4 signatures with its own implementation, keeps users,
// access keys, virtual MFA devices, roles and per-user deny policies in
// memory, and remembers the temporary credentials it issues. Hooks and
// injected failures let tests stop or break a request at a chosen point.
// It is meant for tests only.
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

// Server is a fake AWS endpoint. It is safe for concurrent use. Requests are
// authenticated and processed one at a time, which keeps one-time MFA codes
// truly one-time; hooks run outside that critical section.
type Server struct {
	mu       sync.Mutex
	signin   *signinState // the sign-in service (signin.go), made on first use
	now      func() time.Time
	users    map[string]*User      // by ARN
	keys     map[string]*AccessKey // long-term keys by access key id
	made     []string              // secrets of the keys CreateAccessKey made, deleted or not
	sessions map[string]*session   // issued temporary credentials by access key id
	roles    map[string]*role      // by ARN
	devices  map[string]*mfaDevice // virtual MFA devices by serial number
	usedOTP  map[otpUse]bool       // TOTP windows already accepted, per device
	calls    map[string]int        // requests per Action
	regions  map[string][]string   // the signing region of each request, per Action

	assumeRequests []AssumeRoleRequest // what each AssumeRole sent (sts_tags.go)

	sso          ssoState                // IAM Identity Center: OIDC clients, device codes, tokens, users
	signinTokens map[string]*signinToken // console sign-in tokens of the federation endpoint

	// IAM's eventual consistency for keys made by CreateAccessKey.
	keyDelay      time.Duration
	keyNeverWorks bool

	sessionLife time.Duration // see SetSessionLifetime

	hooks    []*hook
	failures []injectedFailure
	tamper   func(*AnswerCredentials) // see TamperCredentials

	httpSrv *http.Server
	url     string
	closed  bool
	done    chan struct{} // closed by Close
}

// User is an IAM user of the fake world.
type User struct {
	s       *Server
	account string
	name    string
	arn     string
	id      string // unique id (AIDA...), reported as UserId

	denied     []string // action patterns of an explicit deny
	requireMFA bool     // BlockMostAccessUnlessSignedInWithMFA attached
}

// AccessKey is a long-term access key of a User.
type AccessKey struct {
	s       *Server
	user    *User
	id      string
	secret  string
	active  bool
	created time.Time
	viaAPI  bool // made by CreateAccessKey, so subject to propagation

	lastUsed    time.Time // zero: never
	lastService string
	lastRegion  string
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
	kindAssumedRole                     // from AssumeRole (or the SSO portal's GetRoleCredentials)
	kindFederated                       // from GetFederationToken
)

// principal is who signed a request.
type principal struct {
	account string
	arn     string
	userID  string
	user    *User      // the IAM user behind the credentials; nil for assumed roles
	session *session   // the temporary credentials used; nil for long-term keys
	key     *AccessKey // the long-term key used; nil for temporary credentials
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
	// chained is true for a role session obtained with temporary
	// credentials (role chaining).
	chained bool
	who     principal // session field unset
}

// New returns a server with an empty world whose clock is time.Now.
func New() *Server {
	return &Server{
		now:          time.Now,
		users:        map[string]*User{},
		keys:         map[string]*AccessKey{},
		sessions:     map[string]*session{},
		roles:        map[string]*role{},
		devices:      map[string]*mfaDevice{},
		usedOTP:      map[otpUse]bool{},
		calls:        map[string]int{},
		sso:          newSSOState(),
		signinTokens: map[string]*signinToken{},
		done:         make(chan struct{}),
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

// Close stops the server: it closes the listener and every connection,
// closes Done, and returns without waiting for requests still in a hook. It
// may be called more than once, and before Start.
func (s *Server) Close() {
	s.mu.Lock()
	srv := s.httpSrv
	first := !s.closed
	s.closed = true
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	// Only now release hooks: their requests must find the connection shut.
	if first {
		close(s.done)
	}
}

// Done is closed when Close is called. A hook that blocks should also wait on
// it, so that closing the server releases it.
func (s *Server) Done() <-chan struct{} { return s.done }

// URL returns the endpoint returned by Start, or "" before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// SetClock replaces the clock used for expiry, signature skew checks, TOTP,
// key propagation, last-used dates and the Date response header. nil
// restores time.Now.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetClockOffset makes the server clock time.Now()+d: a server whose clock
// differs from its clients' (or, seen from a client, a client clock off by -d).
func (s *Server) SetClockOffset(d time.Duration) {
	s.SetClock(func() time.Time { return time.Now().Add(d) })
}

// Calls reports how many requests for action (a Query Action such as
// "CreateAccessKey", "ListBuckets" for S3, an Identity Center operation such
// as "CreateToken" or "GetRoleCredentials", or the federation endpoint's
// "getSigninToken" and "login") reached the server, including those that
// failed (authentication errors too).
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// SignedRegions are the regions the signed requests for action were
// signed for (their credential scope), oldest first.
func (s *Server) SignedRegions(action string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.regions[action]...)
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

// Name returns the user's name, e.g. "alice".
func (u *User) Name() string { return u.name }

// AddKey gives the user an active long-term access key, replacing any key
// with the same id. The key works at once (no propagation delay). It counts
// towards IAM's quota of two keys per user, but AddKey itself never refuses,
// so a test can set up any state.
func (u *User) AddKey(id, secret string) *AccessKey {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	k := &AccessKey{s: u.s, user: u, id: id, secret: secret, active: true, created: u.s.now()}
	u.s.keys[id] = k
	return k
}

// ID returns the key's access key id.
func (k *AccessKey) ID() string { return k.id }

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

// service is one of the APIs the server speaks.
type service string

const (
	svcSTS service = "sts"
	svcIAM service = "iam"
	svcS3  service = "s3"
	// IAM Identity Center and the console sign-in: REST services addressed
	// by method and path, not signed with SigV4.
	svcOIDC       service = "sso-oauth"    // SSO OIDC (signing name sso-oauth)
	svcSSO        service = "awsssoportal" // the SSO portal (signing name awsssoportal)
	svcFederation service = "federation"   // signin.aws.amazon.com/federation
)

// request is what routing learned about an incoming request.
type request struct {
	svc    service
	action string     // Query Action, or the S3 operation name
	params url.Values // Query parameters (nil for S3)
}

// serveHTTP handles one request in three steps: Before hooks, then
// authentication and the action under the server lock, then After hooks and
// writing the response.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))

	q, err := route(r, body)
	if readErr != nil {
		err = newError(http.StatusBadRequest, "MalformedInput", "Unable to read the request body")
	}
	var before []func()
	if err == nil {
		s.mu.Lock()
		s.calls[q.action]++
		if a, aerr := parseAuthorization(r.Header.Get("Authorization")); aerr == nil {
			if s.regions == nil {
				s.regions = map[string][]string{}
			}
			s.regions[q.action] = append(s.regions[q.action], a.region)
		}
		before = s.hooksFor(q.action, Before)
		s.mu.Unlock()
	}
	for _, fn := range before {
		fn()
	}

	s.mu.Lock()
	now := s.now()
	var rep reply
	var after []func()
	if err != nil {
		rep = s.errorReply(q, requestID, err)
	} else {
		rep = s.handle(q, r, body, now, requestID)
		after = s.hooksFor(q.action, After)
	}
	s.mu.Unlock()
	for _, fn := range after {
		fn()
	}

	// Clients estimate their clock skew from this header.
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	rep.write(w)
}

// route decides which service a request is for. Query requests go by their
// Action, so that a request signed for the wrong service is told so, as the
// real endpoint of that Action would; S3 requests have no Action and are
// recognised by their credential scope.
func route(r *http.Request, body []byte) (*request, *apiError) {
	if scopeService(r.Header.Get("Authorization")) == string(svcS3) {
		return &request{svc: svcS3, action: s3Operation(r)}, nil
	}
	if svc, action, ok := restRoute(r); ok {
		q := &request{svc: svc, action: action}
		if svc == svcFederation {
			params, err := requestParams(r, body)
			if err != nil {
				return q, err
			}
			q.params = params
			q.action = federationAction(params.Get("Action"))
		}
		return q, nil
	}
	q := &request{svc: svcSTS}
	params, err := requestParams(r, body)
	if err != nil {
		return q, err
	}
	q.params = params
	q.action = params.Get("Action")
	switch {
	case iamActions[q.action]:
		q.svc = svcIAM
	case stsActions[q.action]:
	case scopeService(r.Header.Get("Authorization")) == string(svcIAM):
		q.svc = svcIAM // an action IAM does not have, sent to IAM
	}
	return q, nil
}

// scopeService is the service of a SigV4 Authorization header's credential
// scope, or "" if there is none.
func scopeService(header string) string {
	_, cred, ok := strings.Cut(header, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}

// handle authenticates and runs one routed request. The server lock is held.
func (s *Server) handle(q *request, r *http.Request, body []byte, now time.Time, requestID string) reply {
	switch q.svc {
	case svcS3:
		return s.handleS3(q, r, body, now, requestID)
	case svcOIDC:
		return s.handleOIDC(q, r, body, now, requestID)
	case svcSSO:
		return s.handleSSO(q, r, now, requestID)
	case svcFederation:
		return s.handleFederation(q, now, requestID)
	case svcSignin:
		return s.handleSignin(r, body, now, requestID)
	}
	who, err := s.authenticate(r, body, now, q.svc)
	if err == nil {
		err = s.takeFailure(q.action)
	}
	var result any
	if err == nil {
		if q.svc == svcIAM {
			result, err = s.dispatchIAM(q.action, q.params, who, now)
		} else {
			result, err = s.dispatch(q.action, q.params, who, now)
		}
	}
	if err != nil {
		return s.errorReply(q, requestID, err)
	}
	rep := xmlReply(http.StatusOK, "text/xml", "", response{
		XMLName:  xmlName(q.action + "Response"),
		Xmlns:    q.svc.namespace(),
		Result:   result,
		Metadata: responseMetadata{RequestID: requestID},
	})
	rep.header["x-amzn-RequestId"] = requestID
	return rep
}

// errorReply renders err the way q's service reports errors.
func (s *Server) errorReply(q *request, requestID string, err *apiError) reply {
	if q != nil {
		switch q.svc {
		case svcS3:
			return s3ErrorReply(requestID, s3ErrorOf(err))
		case svcOIDC, svcSSO:
			return restJSONError(q.svc, requestID, err)
		case svcFederation:
			return federationError(requestID, err)
		case svcSignin:
			return signinErrorReply(requestID, err)
		}
	}
	svc := svcSTS
	if q != nil {
		svc = q.svc
	}
	rep := queryError(svc.namespace(), requestID, err)
	rep.header["x-amzn-RequestId"] = requestID
	return rep
}

func (v service) namespace() string {
	if v == svcIAM {
		return iamNamespace
	}
	return stsNamespace
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

// authenticate verifies the SigV4 signature of a request for svc and returns
// who signed. The checks run in the order AWS reports them: shape, scope,
// clock, key, token, expiry, and only then the signature itself. A request
// signed with a long-term key records that key's last use.
func (s *Server) authenticate(r *http.Request, body []byte, now time.Time, svc service) (*principal, *apiError) {
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
	if err := checkScope(auth, amzDate, string(svc)); err != nil {
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
	toSign := stringToSign(amzDate, auth.scope(), canonicalRequest(r, auth.service, auth.signedHeaders, hash))
	if !signatureMatches(signature(secret, auth, toSign), auth.signature) {
		return nil, errSignature(msgSignatureMismatch)
	}
	if k := who.key; k != nil {
		k.lastUsed, k.lastService, k.lastRegion = now, auth.service, auth.region
	}
	return who, nil
}

// lookupCredentials finds the secret and owner of an access key id. Issued
// credentials are only valid together with their session token.
func (s *Server) lookupCredentials(keyID, token string, now time.Time) (string, *principal, *apiError) {
	if k, ok := s.keys[keyID]; ok {
		if token != "" {
			return "", nil, errInvalidClientToken(reasonBadToken)
		}
		if !s.keyWorks(k, now) {
			return "", nil, errInvalidClientToken(reasonUnknownKey)
		}
		u := k.user
		return k.secret, &principal{account: u.account, arn: u.arn, userID: u.id, user: u, key: k}, nil
	}
	sess, ok := s.sessions[keyID]
	switch {
	case !ok || token == "":
		return "", nil, errInvalidClientToken(reasonUnknownKey)
	case subtle.ConstantTimeCompare([]byte(token), []byte(sess.token)) != 1:
		return "", nil, errInvalidClientToken(reasonBadToken)
	case !now.Before(sess.expires):
		return "", nil, errExpiredToken()
	}
	who := sess.who
	who.session = sess
	return sess.secret, &who, nil
}

// keyWorks tells whether a long-term key authenticates at now: it must be
// active and, if CreateAccessKey made it, have propagated.
func (s *Server) keyWorks(k *AccessKey, now time.Time) bool {
	if !k.active {
		return false
	}
	if k.viaAPI && (s.keyNeverWorks || now.Before(k.created.Add(s.keyDelay))) {
		return false
	}
	return true
}

// issue creates and remembers new temporary credentials.
func (s *Server) issue(kind sessionKind, who principal, expires time.Time, mfa bool) *session {
	keyID := "ASIA" + randomString(upperAlnum, 16)
	for s.sessions[keyID] != nil || s.keys[keyID] != nil {
		keyID = "ASIA" + randomString(upperAlnum, 16)
	}
	who.session, who.key = nil, nil
	if s.sessionLife > 0 && expires.After(s.now().Add(s.sessionLife)) {
		expires = s.now().Add(s.sessionLife)
	}
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

func randomBase64URL(nBytes int) string {
	b := make([]byte, nBytes)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
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
