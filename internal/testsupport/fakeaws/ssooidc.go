package fakeaws

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// SSO OIDC: RegisterClient, StartDeviceAuthorization and CreateToken with
// the device code (RFC 8628) and refresh token grants, as IAM Identity
// Center's OIDC service answers them. A test plays the person at the
// browser: it approves or denies a device authorization with ApproveDevice
// or DenyDevice (by the user code printed to the user, or the device code).

const (
	grantDeviceCode   = "urn:ietf:params:oauth:grant-type:device_code"
	grantRefreshToken = "refresh_token"
	// slowDownStep is what RFC 8628 adds to the polling interval after each
	// slow_down.
	slowDownStep = 5 * time.Second
	// userCodeAlphabet leaves out vowels and look-alikes, as device flow
	// user codes do ("BCDF-GHJK").
	userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"
)

type oidcClient struct {
	id, secret  string
	name        string
	issued      time.Time
	expires     time.Time
	refreshable bool // registered with scopes or the refresh_token grant: CreateToken returns refresh tokens
	// device and code say which sign-in the client may use: the device
	// grant (registered with it, or with no grant types, as legacy clients
	// register) or the authorization code grant (PKCE, see pkce.go).
	device, code bool
	redirectURIs []string
}

type deviceAuth struct {
	code, userCode string
	startURL       string
	client         *oidcClient
	expires        time.Time
	interval       time.Duration
	lastPoll       time.Time // zero: not polled yet
	approvedBy     *SSOUser
	denied         bool
	redeemed       bool // exchanged for tokens: the code is spent
	polls          int
	seq            int // order of creation
}

// DeviceAuthorization is what the server knows of one
// StartDeviceAuthorization, for tests that need to find the code a client
// is waiting on.
type DeviceAuthorization struct {
	DeviceCode string
	UserCode   string // "BCDF-GHJK", the code shown to the user
	ClientID   string
	StartURL   string
	Expires    time.Time
	Interval   time.Duration // grows by 5 s with every SlowDownException
	Polls      int           // CreateToken calls with this device code
	Approved   bool
	Denied     bool
	Redeemed   bool // tokens were issued for it
}

// ApproveDevice approves a pending device authorization as user u, as the
// user does in the browser: the client's next CreateToken gets the tokens.
// code is the user code ("BCDF-GHJK") or the device code.
func (s *Server) ApproveDevice(code string, u *SSOUser) error {
	if u == nil {
		panic("fakeaws: ApproveDevice: nil user")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.findDevice(code)
	if d == nil {
		return ErrUnknownSSOToken
	}
	d.approvedBy, d.denied = u, false
	return nil
}

// DenyDevice refuses a device authorization, as a user who clicks "Deny":
// the client's next CreateToken fails with AccessDeniedException.
func (s *Server) DenyDevice(code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.findDevice(code)
	if d == nil {
		return ErrUnknownSSOToken
	}
	d.approvedBy, d.denied = nil, true
	return nil
}

// SetAutoApprove makes every device authorization started from now on
// approved by u at once, for tests that need a login but do not test it
// (many parallel clients, say). nil turns it off.
func (s *Server) SetAutoApprove(u *SSOUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sso.autoApprove = u
}

// SetDeviceText makes StartDeviceAuthorization answer with userCode and
// verificationURI (as verificationUri and verificationUriComplete) in
// place of its own, as a hostile or broken server might, for tests of what
// a client shows the person; "" keeps the server's own. Approving still
// goes by the real user code, or SetAutoApprove.
func (s *Server) SetDeviceText(userCode, verificationURI string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sso.shownCode, s.sso.shownURI = userCode, verificationURI
}

// DeviceTiming is what StartDeviceAuthorization answers for expiresIn
// and interval, in seconds, whatever they are (0, negative, 2^31-1).
type DeviceTiming struct {
	ExpiresIn, Interval int32
}

// SetDeviceTiming makes StartDeviceAuthorization answer with t's numbers
// in place of its own, as a broken or hostile server might, for tests of
// how long a client waits and how often it polls; nil goes back to the
// server's own. The device code itself still expires and rate-limits by
// SSOLifetimes.
func (s *Server) SetDeviceTiming(t *DeviceTiming) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sso.shownTiming = t
}

// DeviceAuthorizations lists the device authorizations started so far,
// oldest first.
func (s *Server) DeviceAuthorizations() []DeviceAuthorization {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds := make([]*deviceAuth, 0, len(s.sso.devices))
	for _, d := range s.sso.devices {
		ds = append(ds, d)
	}
	slices.SortFunc(ds, func(a, b *deviceAuth) int { return a.seq - b.seq })
	var out []DeviceAuthorization
	for _, d := range ds {
		out = append(out, DeviceAuthorization{
			DeviceCode: d.code, UserCode: d.userCode, ClientID: d.client.id, StartURL: d.startURL,
			Expires: d.expires, Interval: d.interval, Polls: d.polls, Approved: d.approvedBy != nil, Denied: d.denied, Redeemed: d.redeemed,
		})
	}
	return out
}

// ExpireSSOClient makes a client registration expire now: the client's
// StartDeviceAuthorization and CreateToken calls then fail with
// InvalidClientException, and it must register again.
func (s *Server) ExpireSSOClient(clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.sso.clients[clientID]
	if !ok {
		return ErrUnknownSSOToken
	}
	c.expires = s.now()
	return nil
}

func (s *Server) findDevice(code string) *deviceAuth {
	if d, ok := s.sso.devices[code]; ok {
		return d
	}
	for _, d := range s.sso.devices {
		if d.userCode == code {
			return d
		}
	}
	return nil
}

// handleOIDC runs one SSO OIDC request. The server lock is held.
func (s *Server) handleOIDC(q *request, r *http.Request, body []byte, now time.Time, requestID string) reply {
	if q.action == "VerificationPage" {
		return devicePage(r.URL.Query().Get("user_code"))
	}
	if q.action == "Authorize" {
		return s.authorize(r.URL.Query(), now)
	}
	if err := s.takeFailure(q.action); err != nil {
		return restJSONError(svcOIDC, requestID, err)
	}
	var out any
	var err *apiError
	switch q.action {
	case "RegisterClient":
		var in registerClientInput
		if err = decodeJSON(body, &in); err == nil {
			out, err = s.registerClient(in, now)
		}
	case "StartDeviceAuthorization":
		var in startDeviceAuthorizationInput
		if err = decodeJSON(body, &in); err == nil {
			out, err = s.startDeviceAuthorization(in, now)
		}
	case "CreateToken":
		var in createTokenInput
		if err = decodeJSON(body, &in); err == nil {
			out, err = s.createToken(in, now)
		}
	default:
		err = errOIDC(http.StatusBadRequest, "InvalidRequestException", "fakeaws does not implement %s", q.action)
	}
	if err != nil {
		return restJSONError(svcOIDC, requestID, err)
	}
	rep := jsonReply(http.StatusOK, out)
	rep.header["x-amzn-RequestId"] = requestID
	return rep
}

func errOIDC(status int, code, format string, args ...any) *apiError {
	return newError(status, code, format, args...)
}

func errInvalidClient(description string) *apiError {
	return errOIDC(http.StatusUnauthorized, "InvalidClientException", "%s", description)
}

func errInvalidGrant(description string) *apiError {
	return errOIDC(http.StatusBadRequest, "InvalidGrantException", "%s", description)
}

func errMissingMember(name string) *apiError {
	return errOIDC(http.StatusBadRequest, "InvalidRequestException", "Missing required parameter: %s", name)
}

func decodeJSON(body []byte, v any) *apiError {
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errOIDC(http.StatusBadRequest, "InvalidRequestException", "The request body is not valid JSON")
	}
	return nil
}

type registerClientInput struct {
	ClientName   string   `json:"clientName"`
	ClientType   string   `json:"clientType"`
	Scopes       []string `json:"scopes"`
	GrantTypes   []string `json:"grantTypes"`
	RedirectURIs []string `json:"redirectUris"`
	IssuerURL    string   `json:"issuerUrl"`
}

type registerClientOutput struct {
	ClientID              string `json:"clientId"`
	ClientSecret          string `json:"clientSecret"`
	ClientIDIssuedAt      int64  `json:"clientIdIssuedAt"`      // epoch seconds
	ClientSecretExpiresAt int64  `json:"clientSecretExpiresAt"` // epoch seconds
}

func (s *Server) registerClient(in registerClientInput, now time.Time) (any, *apiError) {
	switch {
	case in.ClientName == "":
		return nil, errMissingMember("clientName")
	case in.ClientType == "":
		return nil, errMissingMember("clientType")
	case in.ClientType != "public":
		return nil, errOIDC(http.StatusBadRequest, "InvalidClientMetadataException", "Invalid client type: %s", in.ClientType)
	}
	for _, g := range in.GrantTypes {
		if g != grantDeviceCode && g != grantRefreshToken && g != grantAuthorizationCode {
			return nil, errOIDC(http.StatusBadRequest, "InvalidClientMetadataException", "Invalid grant type: %s", g)
		}
	}
	code := slices.Contains(in.GrantTypes, grantAuthorizationCode)
	if code {
		if len(in.RedirectURIs) == 0 {
			return nil, errOIDC(http.StatusBadRequest, "InvalidRequestException", "redirectUris is required for the authorization_code grant")
		}
		for _, u := range in.RedirectURIs {
			if !loopbackRedirect(u) {
				return nil, errOIDC(http.StatusBadRequest, "InvalidRedirectUriException", "Invalid redirect URI: %s", u)
			}
		}
	}
	id := randomBase64URL(16)
	for s.sso.clients[id] != nil {
		id = randomBase64URL(16)
	}
	c := &oidcClient{
		id:           id,
		secret:       "eyJraWQiOiJrZXktZmFrZWF3cyIsImFsZyI6IkhTMzg0In0." + randomBase64URL(200),
		name:         in.ClientName,
		issued:       now,
		expires:      now.Add(s.sso.life.Registration),
		refreshable:  len(in.Scopes) > 0 || slices.Contains(in.GrantTypes, grantRefreshToken),
		device:       len(in.GrantTypes) == 0 || slices.Contains(in.GrantTypes, grantDeviceCode),
		code:         code,
		redirectURIs: in.RedirectURIs,
	}
	s.sso.clients[id] = c
	return registerClientOutput{
		ClientID:              c.id,
		ClientSecret:          c.secret,
		ClientIDIssuedAt:      c.issued.Unix(),
		ClientSecretExpiresAt: c.expires.Unix(),
	}, nil
}

// client authenticates a client by its id and secret.
func (s *Server) client(id, secret string, now time.Time) (*oidcClient, *apiError) {
	switch {
	case id == "":
		return nil, errMissingMember("clientId")
	case secret == "":
		return nil, errMissingMember("clientSecret")
	}
	c, ok := s.sso.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(c.secret)) != 1 {
		return nil, errInvalidClient("Invalid client")
	}
	if !now.Before(c.expires) {
		return nil, errInvalidClient("Client registration has expired")
	}
	return c, nil
}

type startDeviceAuthorizationInput struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	StartURL     string `json:"startUrl"`
}

type startDeviceAuthorizationOutput struct {
	DeviceCode              string `json:"deviceCode"`
	UserCode                string `json:"userCode"`
	VerificationURI         string `json:"verificationUri"`
	VerificationURIComplete string `json:"verificationUriComplete"`
	ExpiresIn               int32  `json:"expiresIn"`
	Interval                int32  `json:"interval"`
}

func (s *Server) startDeviceAuthorization(in startDeviceAuthorizationInput, now time.Time) (any, *apiError) {
	c, err := s.client(in.ClientID, in.ClientSecret, now)
	if err != nil {
		return nil, err
	}
	if in.StartURL == "" {
		return nil, errMissingMember("startUrl")
	}
	if !c.device {
		return nil, errUnauthorizedClient(grantDeviceCode)
	}
	d := &deviceAuth{
		code:     randomBase64URL(64),
		userCode: randomString(userCodeAlphabet, 4) + "-" + randomString(userCodeAlphabet, 4),
		startURL: in.StartURL,
		client:   c,
		expires:  now.Add(s.sso.life.DeviceCode),
		interval: s.sso.life.PollInterval,
	}
	for s.findDevice(d.userCode) != nil {
		d.userCode = randomString(userCodeAlphabet, 4) + "-" + randomString(userCodeAlphabet, 4)
	}
	d.approvedBy = s.sso.autoApprove
	d.seq = len(s.sso.devices)
	s.sso.devices[d.code] = d
	// The verification page is the server's own (see handleDevicePage), so
	// a browser opened by a client under test never leaves 127.0.0.1.
	verify, complete, code := s.url+"/device", s.url+"/device?user_code="+d.userCode, d.userCode
	if s.sso.shownURI != "" {
		verify, complete = s.sso.shownURI, s.sso.shownURI
	}
	if s.sso.shownCode != "" {
		code = s.sso.shownCode
	}
	out := startDeviceAuthorizationOutput{
		DeviceCode:              d.code,
		UserCode:                code,
		VerificationURI:         verify,
		VerificationURIComplete: complete,
		ExpiresIn:               int32(s.sso.life.DeviceCode / time.Second),
		Interval:                int32(d.interval / time.Second),
	}
	if t := s.sso.shownTiming; t != nil {
		out.ExpiresIn, out.Interval = t.ExpiresIn, t.Interval
	}
	return out, nil
}

type createTokenInput struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	GrantType    string `json:"grantType"`
	DeviceCode   string `json:"deviceCode"`
	RefreshToken string `json:"refreshToken"`
	Code         string `json:"code"`
	CodeVerifier string `json:"codeVerifier"`
	RedirectURI  string `json:"redirectUri"`
}

type createTokenOutput struct {
	AccessToken  string `json:"accessToken"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int32  `json:"expiresIn"`
	RefreshToken string `json:"refreshToken,omitempty"`
}

func (s *Server) createToken(in createTokenInput, now time.Time) (any, *apiError) {
	c, err := s.client(in.ClientID, in.ClientSecret, now)
	if err != nil {
		return nil, err
	}
	switch in.GrantType {
	case "":
		return nil, errMissingMember("grantType")
	case grantDeviceCode:
		return s.redeemDeviceCode(c, in.DeviceCode, now)
	case grantRefreshToken:
		return s.redeemRefreshToken(c, in.RefreshToken, now)
	case grantAuthorizationCode:
		return s.redeemAuthorizationCode(c, in, now)
	default:
		return nil, errOIDC(http.StatusBadRequest, "UnsupportedGrantTypeException", "Unsupported grant type: %s", in.GrantType)
	}
}

func (s *Server) redeemDeviceCode(c *oidcClient, code string, now time.Time) (any, *apiError) {
	if code == "" {
		return nil, errMissingMember("deviceCode")
	}
	d, ok := s.sso.devices[code]
	if ok {
		d.polls++
	}
	switch {
	case !ok || d.client != c || d.redeemed:
		return nil, errInvalidGrant("Invalid grant provided")
	case !now.Before(d.expires):
		return nil, errOIDC(http.StatusBadRequest, "ExpiredTokenException", "Device code has expired")
	case d.denied:
		return nil, errOIDC(http.StatusBadRequest, "AccessDeniedException", "Access denied")
	}
	if !c.device {
		return nil, errUnauthorizedClient(grantDeviceCode)
	}
	if d.approvedBy == nil {
		early := !d.lastPoll.IsZero() && now.Sub(d.lastPoll) < d.interval
		d.lastPoll = now
		if early {
			d.interval += slowDownStep
			return nil, errOIDC(http.StatusBadRequest, "SlowDownException", "Client is polling too quickly")
		}
		return nil, errOIDC(http.StatusBadRequest, "AuthorizationPendingException", "Authorization is still pending")
	}
	d.redeemed = true
	si := &signIn{user: d.approvedBy, client: c, startURL: d.startURL, expires: now.Add(s.sso.life.Session)}
	s.sso.signIns = append(s.sso.signIns, si)
	return s.issueTokens(si, now, c.refreshable), nil
}

func (s *Server) redeemRefreshToken(c *oidcClient, value string, now time.Time) (any, *apiError) {
	if value == "" {
		return nil, errMissingMember("refreshToken")
	}
	t, ok := s.sso.refreshTokens[value]
	if !ok || t.session.client != c || t.used || t.session.revoked || !now.Before(t.session.expires) {
		return nil, errInvalidGrant("Invalid refresh token provided")
	}
	rotate := !s.sso.noRotate
	if rotate {
		t.used = true
	}
	return s.issueTokens(t.session, now, rotate), nil
}

// issueTokens issues an access token for a sign-in session and, if asked,
// a refresh token. Access tokens never outlive their session; without
// refresh tokens (a client registered without scopes, as legacy
// sso_start_url profiles do) the access token lasts the whole session.
func (s *Server) issueTokens(si *signIn, now time.Time, withRefresh bool) createTokenOutput {
	expires := si.expires
	if si.client.refreshable {
		expires = minTime(now.Add(s.sso.life.AccessToken), si.expires)
	}
	at := &accessToken{value: "aoa" + randomBase64URL(120), session: si, expires: expires}
	s.sso.accessTokens[at.value] = at
	out := createTokenOutput{AccessToken: at.value, TokenType: "Bearer", ExpiresIn: int32(expires.Sub(now) / time.Second)}
	if withRefresh {
		rt := &refreshToken{value: "aor" + randomBase64URL(120), session: si}
		s.sso.refreshTokens[rt.value] = rt
		out.RefreshToken = rt.value
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// devicePage is the server's stand-in for the verification page a browser
// opens: it approves nothing (a test does, with ApproveDevice).
func devicePage(userCode string) reply {
	text := "fakeaws: this page approves nothing; a test approves with Server.ApproveDevice"
	if userCode != "" {
		text += " (user code " + strings.ToUpper(userCode) + ")"
	}
	return reply{status: http.StatusOK, header: map[string]string{"Content-Type": "text/plain; charset=utf-8"}, body: []byte(text + "\n")}
}
