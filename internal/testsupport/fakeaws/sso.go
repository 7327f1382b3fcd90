package fakeaws

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// IAM Identity Center (SSO): users with account/role assignments, sign-in
// sessions made by the OIDC device flow (ssooidc.go), and the SSO portal's
// GetRoleCredentials, ListAccounts, ListAccountRoles and Logout.
//
// A sign-in session is one approved device authorization: it holds the
// access tokens and the refresh token issued for it. Logout, RevokeSSOToken
// and SSOUser.RevokeSessions end the session: every token of it stops
// working at once. Role credentials already handed out stay valid until
// they expire, as AWS documents for Logout.

// Messages the SSO portal sends (seen from the real service).
const (
	msgSSOUnauthorized = "Session token not found or invalid"
	msgSSONoAccess     = "No access"
)

// SSOLifetimes are the durations of what Identity Center issues. Zero
// fields keep their current value.
type SSOLifetimes struct {
	// AccessToken is CreateToken's expiresIn (default 1 hour).
	AccessToken time.Duration
	// Session is how long a sign-in session lasts from its device approval:
	// refresh tokens stop working after it (default 8 hours, Identity
	// Center's default session duration).
	Session time.Duration
	// Registration is how long a RegisterClient registration is valid
	// (clientSecretExpiresAt; default 90 days).
	Registration time.Duration
	// DeviceCode is StartDeviceAuthorization's expiresIn (default 10
	// minutes).
	DeviceCode time.Duration
	// PollInterval is StartDeviceAuthorization's interval, in whole seconds
	// (default 1 s). CreateToken answers SlowDownException to a poll that
	// comes sooner than that after the previous one.
	PollInterval time.Duration
	// RoleCredentials is how long GetRoleCredentials' credentials last (the
	// permission set's session duration; default 1 hour).
	RoleCredentials time.Duration
}

var defaultSSOLifetimes = SSOLifetimes{
	AccessToken:     time.Hour,
	Session:         8 * time.Hour,
	Registration:    90 * 24 * time.Hour,
	DeviceCode:      10 * time.Minute,
	PollInterval:    time.Second,
	RoleCredentials: time.Hour,
}

// ssoState is the Identity Center part of the server, guarded by Server.mu.
type ssoState struct {
	life          SSOLifetimes
	noRotate      bool                    // refresh grants return no new refresh token
	autoApprove   *SSOUser                // approves every new device authorization
	shownCode     string                  // SetDeviceText: the user code answered, if set
	shownURI      string                  // SetDeviceText: the verification URI answered, if set
	shownTiming   *DeviceTiming           // SetDeviceTiming: the expiresIn and interval answered, if set
	users         map[string]*SSOUser     // by user name
	accounts      map[string]*ssoAccount  // by account id
	clients       map[string]*oidcClient  // by client id
	devices       map[string]*deviceAuth  // by device code
	accessTokens  map[string]*accessToken // by token
	refreshTokens map[string]*refreshToken
	signIns       []*signIn
	authCodes     map[string]*authCode // by code (pkce.go)
	authorizeAs   *SSOUser             // SetAuthorizeUser: approves every /authorize
	authorizeDeny bool                 // DenyAuthorizations: every /authorize is denied
	authorizeLog  []Authorization
	pageCap       int // SetSSOPageSize: the most a list page holds, whatever max_result asks
}

func newSSOState() ssoState {
	return ssoState{
		life:          defaultSSOLifetimes,
		users:         map[string]*SSOUser{},
		accounts:      map[string]*ssoAccount{},
		clients:       map[string]*oidcClient{},
		devices:       map[string]*deviceAuth{},
		accessTokens:  map[string]*accessToken{},
		refreshTokens: map[string]*refreshToken{},
		authCodes:     map[string]*authCode{},
	}
}

// SSOUser is a user of the fake Identity Center directory.
type SSOUser struct {
	s           *Server
	name        string
	assignments []assignment // in the order assigned
}

type assignment struct{ account, role string }

type ssoAccount struct{ id, name, email string }

// signIn is one sign-in session: a device authorization a user approved.
type signIn struct {
	user     *SSOUser
	client   *oidcClient
	startURL string
	expires  time.Time // end of the session: refresh tokens die with it
	revoked  bool
}

type accessToken struct {
	value   string
	session *signIn
	expires time.Time
}

type refreshToken struct {
	value   string
	session *signIn
	used    bool // exchanged for a new one (rotation)
}

func (t *accessToken) works(now time.Time) bool {
	return !t.session.revoked && now.Before(t.expires)
}

// AddSSOUser adds a user to the Identity Center directory, or returns the
// user of that name if there is one.
func (s *Server) AddSSOUser(name string) *SSOUser {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.sso.users[name]; ok {
		return u
	}
	u := &SSOUser{s: s, name: name}
	s.sso.users[name] = u
	return u
}

// Name returns the user's name.
func (u *SSOUser) Name() string { return u.name }

// Assign gives the user the permission set roleName in account (a 12-digit
// account id). GetRoleCredentials then works for that pair; ListAccounts
// and ListAccountRoles list it.
func (u *SSOUser) Assign(account, roleName string) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	a := assignment{account, roleName}
	if !slices.Contains(u.assignments, a) {
		u.assignments = append(u.assignments, a)
	}
	if _, ok := u.s.sso.accounts[account]; !ok {
		u.s.sso.accounts[account] = &ssoAccount{id: account, name: "account-" + account, email: "aws+" + account + "@example.com"}
	}
}

// Unassign removes an assignment; GetRoleCredentials for it then fails
// with ForbiddenException.
func (u *SSOUser) Unassign(account, roleName string) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.assignments = slices.DeleteFunc(u.assignments, func(a assignment) bool { return a == assignment{account, roleName} })
}

// RevokeSessions ends every sign-in session of the user, as an administrator
// does in the Identity Center console: all their access and refresh tokens
// stop working.
func (u *SSOUser) RevokeSessions() {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	for _, si := range u.s.sso.signIns {
		if si.user == u {
			si.revoked = true
		}
	}
}

// SetSSOAccount sets the name and e-mail address ListAccounts reports for an
// account (by default "account-ID" and "aws+ID@example.com").
func (s *Server) SetSSOAccount(account, name, email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sso.accounts[account] = &ssoAccount{id: account, name: name, email: email}
}

// SetSSOPageSize makes ListAccounts and ListAccountRoles answer at most n
// items a page, whatever max_result asks (0: as asked), so that a client
// asking for 100 still has to follow nextToken.
func (s *Server) SetSSOPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sso.pageCap = n
}

// SetSSOLifetimes changes the lifetimes of what is issued from now on; zero
// fields are left as they are. It panics on a poll interval that is not a
// whole number of seconds of at least one.
func (s *Server) SetSSOLifetimes(l SSOLifetimes) {
	if l.PollInterval != 0 && (l.PollInterval < time.Second || l.PollInterval%time.Second != 0) {
		panic("fakeaws: SetSSOLifetimes: PollInterval must be whole seconds, at least 1")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := &s.sso.life
	for _, f := range []struct{ dst, src *time.Duration }{
		{&cur.AccessToken, &l.AccessToken}, {&cur.Session, &l.Session}, {&cur.Registration, &l.Registration},
		{&cur.DeviceCode, &l.DeviceCode}, {&cur.PollInterval, &l.PollInterval}, {&cur.RoleCredentials, &l.RoleCredentials},
	} {
		if *f.src != 0 {
			*f.dst = *f.src
		}
	}
}

// SetRefreshTokenRotation says whether a refresh_token grant returns a new
// refresh token (and retires the one used, which then fails with
// InvalidGrantException), or no refresh token, leaving the one used valid.
// Rotation is on by default.
func (s *Server) SetRefreshTokenRotation(rotate bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sso.noRotate = !rotate
}

// ErrUnknownSSOToken is returned by the knobs that take a token or code the
// server did not issue.
var ErrUnknownSSOToken = errors.New("fakeaws: no such SSO token, device code or client")

// ExpireSSOToken makes an access token expire now (on the server clock);
// its sign-in session and refresh token stay valid, so a refresh works.
func (s *Server) ExpireSSOToken(token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.sso.accessTokens[token]
	if !ok {
		return ErrUnknownSSOToken
	}
	t.expires = s.now()
	return nil
}

// RevokeSSOToken ends the sign-in session of an access or refresh token:
// all its tokens stop working, as after Logout.
func (s *Server) RevokeSSOToken(token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.sso.accessTokens[token]; ok {
		t.session.revoked = true
		return nil
	}
	if t, ok := s.sso.refreshTokens[token]; ok {
		t.session.revoked = true
		return nil
	}
	return ErrUnknownSSOToken
}

// SSOTokensIssued returns every access and refresh token CreateToken has
// issued, revoked or not: what a test searches the disk for.
func (s *Server) SSOTokensIssued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for v := range s.sso.accessTokens {
		out = append(out, v)
	}
	for v := range s.sso.refreshTokens {
		out = append(out, v)
	}
	return out
}

// SSOTokenWorks reports whether the portal would accept an access token
// now: issued by the server, not expired, its session not revoked.
func (s *Server) SSOTokenWorks(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.sso.accessTokens[token]
	return ok && t.works(s.now())
}

// handleSSO runs one SSO portal request. The server lock is held.
func (s *Server) handleSSO(q *request, r *http.Request, now time.Time, requestID string) reply {
	if err := s.takeFailure(q.action); err != nil {
		return restJSONError(svcSSO, requestID, err)
	}
	var out any
	var err *apiError
	token, terr := s.portalToken(r.Header.Get("x-amz-sso_bearer_token"), now)
	query := r.URL.Query()
	switch {
	case terr != nil:
		err = terr
	case q.action == "GetRoleCredentials":
		out, err = s.getRoleCredentials(token, query.Get("account_id"), query.Get("role_name"), now)
	case q.action == "ListAccounts":
		out, err = s.listAccounts(token, query)
	case q.action == "ListAccountRoles":
		out, err = s.listAccountRoles(token, query)
	case q.action == "Logout":
		token.session.revoked = true
		rep := reply{status: http.StatusOK, header: map[string]string{"x-amzn-RequestId": requestID}}
		return rep
	}
	if err != nil {
		return restJSONError(svcSSO, requestID, err)
	}
	rep := jsonReply(http.StatusOK, out)
	rep.header["x-amzn-RequestId"] = requestID
	return rep
}

func errSSOUnauthorized() *apiError {
	return newError(http.StatusUnauthorized, "UnauthorizedException", msgSSOUnauthorized)
}

func errSSOInvalidRequest(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "InvalidRequestException", format, args...)
}

// portalToken finds the access token of a portal request: an unknown,
// expired or revoked token is UnauthorizedException, the one answer the
// portal gives for all three.
func (s *Server) portalToken(value string, now time.Time) (*accessToken, *apiError) {
	t, ok := s.sso.accessTokens[value]
	if !ok || value == "" || subtle.ConstantTimeCompare([]byte(value), []byte(t.value)) != 1 || !t.works(now) {
		return nil, errSSOUnauthorized()
	}
	return t, nil
}

type roleCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
	Expiration      int64  `json:"expiration"` // epoch milliseconds
}

type getRoleCredentialsOutput struct {
	RoleCredentials roleCredentials `json:"roleCredentials"`
}

func (s *Server) getRoleCredentials(t *accessToken, account, roleName string, now time.Time) (any, *apiError) {
	switch {
	case account == "":
		return nil, errSSOInvalidRequest("1 validation error detected: Value null at 'accountId' failed to satisfy constraint: Member must not be null")
	case roleName == "":
		return nil, errSSOInvalidRequest("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null")
	}
	u := t.session.user
	if !slices.Contains(u.assignments, assignment{account, roleName}) {
		return nil, newError(http.StatusForbidden, "ForbiddenException", msgSSONoAccess)
	}
	// Identity Center provisions the permission set as the role
	// AWSReservedSSO_<name>_<16 hex> in the account; its sessions are named
	// after the user.
	sum := sha256.Sum256([]byte(account + "/" + roleName))
	roleID := "AROA" + base32.StdEncoding.EncodeToString(sum[8:])[:17]
	assumed := principal{
		account: account,
		arn:     "arn:aws:sts::" + account + ":assumed-role/AWSReservedSSO_" + roleName + "_" + hex.EncodeToString(sum[:8]) + "/" + u.name,
		userID:  roleID + ":" + u.name,
	}
	sess := s.issue(kindAssumedRole, assumed, now.Add(s.sso.life.RoleCredentials), false)
	c := s.tampered(AnswerCredentials{Action: "GetRoleCredentials", AccessKeyID: sess.keyID, SecretAccessKey: sess.secret,
		SessionToken: sess.token, ExpirationMillis: sess.expires.UnixMilli()})
	return getRoleCredentialsOutput{roleCredentials{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
		Expiration:      c.ExpirationMillis,
	}}, nil
}

type accountInfo struct {
	AccountID    string `json:"accountId"`
	AccountName  string `json:"accountName"`
	EmailAddress string `json:"emailAddress"`
}

type listAccountsOutput struct {
	NextToken   *string       `json:"nextToken,omitempty"`
	AccountList []accountInfo `json:"accountList"`
}

type roleInfo struct {
	RoleName  string `json:"roleName"`
	AccountID string `json:"accountId"`
}

type listAccountRolesOutput struct {
	NextToken *string    `json:"nextToken,omitempty"`
	RoleList  []roleInfo `json:"roleList"`
}

func (s *Server) listAccounts(t *accessToken, query map[string][]string) (any, *apiError) {
	var ids []string
	for _, a := range t.session.user.assignments {
		if !slices.Contains(ids, a.account) {
			ids = append(ids, a.account)
		}
	}
	slices.Sort(ids)
	from, to, next, err := page(len(ids), query, s.sso.pageCap)
	if err != nil {
		return nil, err
	}
	out := listAccountsOutput{NextToken: next, AccountList: []accountInfo{}}
	for _, id := range ids[from:to] {
		acct := s.sso.accounts[id]
		out.AccountList = append(out.AccountList, accountInfo{AccountID: id, AccountName: acct.name, EmailAddress: acct.email})
	}
	return out, nil
}

func (s *Server) listAccountRoles(t *accessToken, query map[string][]string) (any, *apiError) {
	account := first(query["account_id"])
	if account == "" {
		return nil, errSSOInvalidRequest("1 validation error detected: Value null at 'accountId' failed to satisfy constraint: Member must not be null")
	}
	var roles []string
	for _, a := range t.session.user.assignments {
		if a.account == account {
			roles = append(roles, a.role)
		}
	}
	slices.Sort(roles)
	from, to, next, err := page(len(roles), query, s.sso.pageCap)
	if err != nil {
		return nil, err
	}
	out := listAccountRolesOutput{NextToken: next, RoleList: []roleInfo{}}
	for _, r := range roles[from:to] {
		out.RoleList = append(out.RoleList, roleInfo{RoleName: r, AccountID: account})
	}
	return out, nil
}

// Pagination: max_result (1 to 100, default 20 here) and an opaque
// next_token.
const (
	defaultPageSize = 20
	maxPageSize     = 100
	pageTokenPrefix = "fakeaws-page:"
)

func page(n int, query map[string][]string, limit int) (from, to int, next *string, err *apiError) {
	size := defaultPageSize
	if v := first(query["max_result"]); v != "" {
		m, perr := strconv.Atoi(v)
		if perr != nil || m < 1 || m > maxPageSize {
			return 0, 0, nil, errSSOInvalidRequest("1 validation error detected: Value '%s' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", v, maxPageSize)
		}
		size = m
	}
	if limit > 0 {
		size = min(size, limit)
	}
	if v := first(query["next_token"]); v != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(v)
		off, aerr := strconv.Atoi(strings.TrimPrefix(string(raw), pageTokenPrefix))
		if derr != nil || aerr != nil || !strings.HasPrefix(string(raw), pageTokenPrefix) || off < 0 || off > n {
			return 0, 0, nil, errSSOInvalidRequest("Invalid nextToken")
		}
		from = off
	}
	to = min(from+size, n)
	if to < n {
		tok := base64.RawURLEncoding.EncodeToString([]byte(pageTokenPrefix + strconv.Itoa(to)))
		next = &tok
	}
	return from, to, next, nil
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}
