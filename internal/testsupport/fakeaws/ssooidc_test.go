package fakeaws

import (
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
)

const (
	startURL    = "https://d-1234567890.awsapps.com/start"
	accessScope = "sso:account:access"
)

// ssoWorld is a started world (STS, IAM) with an Identity Center user carol
// and the SDK's own SSO OIDC and SSO portal clients pointed at the server.
type ssoWorld struct {
	*world
	carol  *SSOUser
	oidc   *ssooidc.Client
	portal *sso.Client
}

func newSSOWorld(t *testing.T) *ssoWorld {
	t.Helper()
	w := &ssoWorld{world: startWorld(t)}
	w.carol = w.srv.AddSSOUser("carol")
	// Built from Options, not LoadDefaultConfig: nothing is read from the
	// environment, so these tests run in parallel. One attempt per call, so
	// that Calls counts what the test did.
	w.oidc = ssooidc.New(ssooidc.Options{Region: region, BaseEndpoint: aws.String(w.url), RetryMaxAttempts: 1})
	w.portal = sso.New(sso.Options{Region: region, BaseEndpoint: aws.String(w.url), RetryMaxAttempts: 1})
	return w
}

func (w *ssoWorld) advance(d time.Duration) { w.clock.Set(w.clock.Now().Add(d)) }

// register registers a client; scopes make it one that gets refresh tokens,
// as the AWS CLI registers for an sso-session.
func (w *ssoWorld) register(t *testing.T, scopes ...string) *ssooidc.RegisterClientOutput {
	t.Helper()
	out, err := w.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{
		ClientName: aws.String("awsenv-test"),
		ClientType: aws.String("public"),
		Scopes:     scopes,
	})
	if err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	return out
}

func (w *ssoWorld) start(t *testing.T, c *ssooidc.RegisterClientOutput) *ssooidc.StartDeviceAuthorizationOutput {
	t.Helper()
	out, err := w.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: c.ClientId, ClientSecret: c.ClientSecret, StartUrl: aws.String(startURL),
	})
	if err != nil {
		t.Fatalf("StartDeviceAuthorization: %v", err)
	}
	return out
}

func (w *ssoWorld) poll(c *ssooidc.RegisterClientOutput, deviceCode string) (*ssooidc.CreateTokenOutput, error) {
	return w.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId: c.ClientId, ClientSecret: c.ClientSecret,
		GrantType: aws.String(grantDeviceCode), DeviceCode: aws.String(deviceCode),
	})
}

func (w *ssoWorld) refresh(c *ssooidc.RegisterClientOutput, refreshToken string) (*ssooidc.CreateTokenOutput, error) {
	return w.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId: c.ClientId, ClientSecret: c.ClientSecret,
		GrantType: aws.String(grantRefreshToken), RefreshToken: aws.String(refreshToken),
	})
}

// login runs the whole device flow for carol and returns the client and its
// tokens.
func (w *ssoWorld) login(t *testing.T, scopes ...string) (*ssooidc.RegisterClientOutput, *ssooidc.CreateTokenOutput) {
	t.Helper()
	c := w.register(t, scopes...)
	d := w.start(t, c)
	if err := w.srv.ApproveDevice(aws.ToString(d.UserCode), w.carol); err != nil {
		t.Fatal(err)
	}
	tok, err := w.poll(c, aws.ToString(d.DeviceCode))
	if err != nil {
		t.Fatalf("CreateToken after approval: %v", err)
	}
	return c, tok
}

// wantStatus checks the HTTP status of an SDK error.
func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v carries no HTTP response", err)
	}
	if re.HTTPStatusCode() != status {
		t.Errorf("HTTP status = %d, want %d (%v)", re.HTTPStatusCode(), status, err)
	}
}

// wantOIDCError checks that err is the SDK's typed exception T with the
// OAuth error code the service puts in "error", and the HTTP status.
func wantOIDCError[T error](t *testing.T, err error, oauthCode string, status int) {
	t.Helper()
	var typed T
	if !errors.As(err, &typed) {
		t.Fatalf("error = %v, want %T", err, typed)
	}
	wantStatus(t, err, status)
	var code *string
	switch e := any(typed).(type) {
	case *oidctypes.AuthorizationPendingException:
		code = e.Error_
	case *oidctypes.SlowDownException:
		code = e.Error_
	case *oidctypes.ExpiredTokenException:
		code = e.Error_
	case *oidctypes.AccessDeniedException:
		code = e.Error_
	case *oidctypes.InvalidGrantException:
		code = e.Error_
	case *oidctypes.InvalidClientException:
		code = e.Error_
	case *oidctypes.UnsupportedGrantTypeException:
		code = e.Error_
	case *oidctypes.InvalidClientMetadataException:
		code = e.Error_
	case *oidctypes.UnauthorizedClientException:
		code = e.Error_
	}
	if aws.ToString(code) != oauthCode {
		t.Errorf("error member = %q, want %q", aws.ToString(code), oauthCode)
	}
}

func TestRegisterClientAndStartDeviceAuthorization(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	c := w.register(t, accessScope)
	if aws.ToString(c.ClientId) == "" || !strings.HasPrefix(aws.ToString(c.ClientSecret), "eyJ") {
		t.Errorf("client id %q, secret %q", aws.ToString(c.ClientId), aws.ToString(c.ClientSecret))
	}
	if c.ClientIdIssuedAt != w.now.Unix() || c.ClientSecretExpiresAt != w.now.Add(90*24*time.Hour).Unix() {
		t.Errorf("issued %d, expires %d; want %d and 90 days later", c.ClientIdIssuedAt, c.ClientSecretExpiresAt, w.now.Unix())
	}
	d := w.start(t, c)
	if !regexp.MustCompile(`^[B-Z]{4}-[B-Z]{4}$`).MatchString(aws.ToString(d.UserCode)) {
		t.Errorf("userCode = %q", aws.ToString(d.UserCode))
	}
	if aws.ToString(d.DeviceCode) == "" || d.ExpiresIn != 600 || d.Interval != 1 {
		t.Errorf("deviceCode %q, expiresIn %d, interval %d", aws.ToString(d.DeviceCode), d.ExpiresIn, d.Interval)
	}
	// The verification page is the server's own: a browser opened by a
	// client under test stays on 127.0.0.1.
	if want := w.url + "/device?user_code=" + aws.ToString(d.UserCode); aws.ToString(d.VerificationUriComplete) != want || aws.ToString(d.VerificationUri) != w.url+"/device" {
		t.Errorf("verification URIs %q %q", aws.ToString(d.VerificationUri), aws.ToString(d.VerificationUriComplete))
	}
	resp, err := http.Get(aws.ToString(d.VerificationUriComplete))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("verification page: HTTP %d", resp.StatusCode)
	}
	ds := w.srv.DeviceAuthorizations()
	if len(ds) != 1 || ds[0].UserCode != aws.ToString(d.UserCode) || ds[0].ClientID != aws.ToString(c.ClientId) || ds[0].StartURL != startURL {
		t.Errorf("DeviceAuthorizations = %+v", ds)
	}

	_, err = w.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("confidential")})
	wantOIDCError[*oidctypes.InvalidClientMetadataException](t, err, "invalid_client_metadata", 400)
	_, err = w.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: c.ClientId, ClientSecret: aws.String("wrong"), StartUrl: aws.String(startURL),
	})
	wantOIDCError[*oidctypes.InvalidClientException](t, err, "invalid_client", 401)
	if n := w.srv.Calls("RegisterClient"); n != 2 {
		t.Errorf("Calls(RegisterClient) = %d, want 2", n)
	}
	if n := w.srv.Calls("StartDeviceAuthorization"); n != 2 {
		t.Errorf("Calls(StartDeviceAuthorization) = %d, want 2", n)
	}
}

func TestDeviceFlowPendingSlowDownApproval(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	c := w.register(t, accessScope)
	d := w.start(t, c)
	code := aws.ToString(d.DeviceCode)

	_, err := w.poll(c, code)
	wantOIDCError[*oidctypes.AuthorizationPendingException](t, err, "authorization_pending", 400)
	// Again at once (the clock is frozen): faster than the interval.
	_, err = w.poll(c, code)
	wantOIDCError[*oidctypes.SlowDownException](t, err, "slow_down", 400)
	// RFC 8628: the interval grows by 5 s for every slow_down.
	if ds := w.srv.DeviceAuthorizations(); ds[0].Interval != 6*time.Second || ds[0].Polls != 2 {
		t.Errorf("after slow_down: interval %v, polls %d; want 6s, 2", ds[0].Interval, ds[0].Polls)
	}
	w.advance(5 * time.Second)
	_, err = w.poll(c, code)
	wantOIDCError[*oidctypes.SlowDownException](t, err, "slow_down", 400)
	w.advance(11 * time.Second)
	_, err = w.poll(c, code)
	wantOIDCError[*oidctypes.AuthorizationPendingException](t, err, "authorization_pending", 400)

	if err := w.srv.ApproveDevice(aws.ToString(d.UserCode), w.carol); err != nil {
		t.Fatal(err)
	}
	tok, err := w.poll(c, code) // an approved code is answered even if early
	if err != nil {
		t.Fatalf("CreateToken after approval: %v", err)
	}
	if aws.ToString(tok.TokenType) != "Bearer" || tok.ExpiresIn != 3600 || aws.ToString(tok.AccessToken) == "" || aws.ToString(tok.RefreshToken) == "" {
		t.Errorf("token: type %q, expiresIn %d, access %t, refresh %t", aws.ToString(tok.TokenType), tok.ExpiresIn, tok.AccessToken != nil, tok.RefreshToken != nil)
	}
	if !w.srv.SSOTokenWorks(aws.ToString(tok.AccessToken)) {
		t.Error("SSOTokenWorks = false for the new token")
	}
	// A device code is spent once redeemed.
	_, err = w.poll(c, code)
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)
	if n := w.srv.Calls("CreateToken"); n != 6 {
		t.Errorf("Calls(CreateToken) = %d, want 6", n)
	}
}

func TestDeviceFlowExpiryDenialAndBadCodes(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	c := w.register(t, accessScope)

	expired := w.start(t, c)
	denied := w.start(t, c)
	if err := w.srv.DenyDevice(aws.ToString(denied.DeviceCode)); err != nil {
		t.Fatal(err)
	}
	_, err := w.poll(c, aws.ToString(denied.DeviceCode))
	wantOIDCError[*oidctypes.AccessDeniedException](t, err, "access_denied", 400)

	w.advance(10 * time.Minute)
	_, err = w.poll(c, aws.ToString(expired.DeviceCode))
	wantOIDCError[*oidctypes.ExpiredTokenException](t, err, "expired_token", 400)
	// Approval after expiry does not help.
	if err := w.srv.ApproveDevice(aws.ToString(expired.UserCode), w.carol); err != nil {
		t.Fatal(err)
	}
	_, err = w.poll(c, aws.ToString(expired.DeviceCode))
	wantOIDCError[*oidctypes.ExpiredTokenException](t, err, "expired_token", 400)

	_, err = w.poll(c, "no-such-device-code")
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)
	// Another client's device code is not this client's grant.
	other := w.register(t, accessScope)
	fresh := w.start(t, c)
	_, err = w.poll(other, aws.ToString(fresh.DeviceCode))
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)

	_, err = w.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId: c.ClientId, ClientSecret: aws.String("wrong"), GrantType: aws.String(grantDeviceCode), DeviceCode: fresh.DeviceCode,
	})
	wantOIDCError[*oidctypes.InvalidClientException](t, err, "invalid_client", 401)
	_, err = w.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId: c.ClientId, ClientSecret: c.ClientSecret, GrantType: aws.String("password"),
	})
	wantOIDCError[*oidctypes.UnsupportedGrantTypeException](t, err, "unsupported_grant_type", 400)

	if err := w.srv.ExpireSSOClient(aws.ToString(c.ClientId)); err != nil {
		t.Fatal(err)
	}
	_, err = w.poll(c, aws.ToString(fresh.DeviceCode))
	wantOIDCError[*oidctypes.InvalidClientException](t, err, "invalid_client", 401)
	for _, e := range []error{w.srv.ApproveDevice("BCDF-GHJK", w.carol), w.srv.DenyDevice("nope"), w.srv.ExpireSSOClient("nope"), w.srv.ExpireSSOToken("nope"), w.srv.RevokeSSOToken("nope")} {
		if !errors.Is(e, ErrUnknownSSOToken) {
			t.Errorf("knob on an unknown code: %v, want ErrUnknownSSOToken", e)
		}
	}
}

func TestAutoApproveAndLifetimes(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	w.srv.SetSSOLifetimes(SSOLifetimes{AccessToken: 20 * time.Minute, DeviceCode: time.Minute, PollInterval: 3 * time.Second})
	w.srv.SetAutoApprove(w.carol)
	c := w.register(t, accessScope)
	d := w.start(t, c)
	if d.ExpiresIn != 60 || d.Interval != 3 {
		t.Errorf("expiresIn %d, interval %d; want 60, 3", d.ExpiresIn, d.Interval)
	}
	tok, err := w.poll(c, aws.ToString(d.DeviceCode))
	if err != nil {
		t.Fatalf("auto-approved CreateToken: %v", err)
	}
	if tok.ExpiresIn != 1200 {
		t.Errorf("expiresIn = %d, want 1200", tok.ExpiresIn)
	}
	w.srv.SetAutoApprove(nil)
	_, err = w.poll(c, aws.ToString(w.start(t, c).DeviceCode))
	wantOIDCError[*oidctypes.AuthorizationPendingException](t, err, "authorization_pending", 400)
}

// A client registered without scopes (a legacy sso_start_url profile) gets
// no refresh token, and an access token for the whole session.
func TestLegacyClientGetsNoRefreshToken(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	_, tok := w.login(t)
	if tok.RefreshToken != nil {
		t.Errorf("refreshToken = %q, want none", aws.ToString(tok.RefreshToken))
	}
	if tok.ExpiresIn != 8*3600 {
		t.Errorf("expiresIn = %d, want 28800 (the session)", tok.ExpiresIn)
	}
}

func TestRefreshToken(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	c, tok := w.login(t, accessScope)
	first := aws.ToString(tok.AccessToken)
	w.advance(50 * time.Minute)

	r1, err := w.refresh(c, aws.ToString(tok.RefreshToken))
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if aws.ToString(r1.AccessToken) == first || r1.ExpiresIn != 3600 || aws.ToString(r1.RefreshToken) == "" || aws.ToString(r1.RefreshToken) == aws.ToString(tok.RefreshToken) {
		t.Errorf("refresh gave access %q (old %q), expiresIn %d, refresh %q", aws.ToString(r1.AccessToken), first, r1.ExpiresIn, aws.ToString(r1.RefreshToken))
	}
	// The old access token lives out its hour; the old refresh token is spent.
	if !w.srv.SSOTokenWorks(first) {
		t.Error("old access token stopped working at refresh")
	}
	_, err = w.refresh(c, aws.ToString(tok.RefreshToken))
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)
	_, err = w.refresh(c, "aorUnknown")
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)
	other := w.register(t, accessScope)
	_, err = w.refresh(other, aws.ToString(r1.RefreshToken))
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)

	// Without rotation the refresh token stays and none is returned.
	w.srv.SetRefreshTokenRotation(false)
	for range 2 {
		r2, err := w.refresh(c, aws.ToString(r1.RefreshToken))
		if err != nil {
			t.Fatalf("refresh without rotation: %v", err)
		}
		if r2.RefreshToken != nil {
			t.Errorf("refresh without rotation returned a refresh token")
		}
	}

	// Access tokens never outlive the session (8 hours from approval).
	w.advance(7*time.Hour + 30*time.Minute) // 8h20m after login
	_, err = w.refresh(c, aws.ToString(r1.RefreshToken))
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)
}

func TestRevokedSessionRefusesRefresh(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	c, tok := w.login(t, accessScope)
	if err := w.srv.RevokeSSOToken(aws.ToString(tok.RefreshToken)); err != nil {
		t.Fatal(err)
	}
	_, err := w.refresh(c, aws.ToString(tok.RefreshToken))
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)
	if w.srv.SSOTokenWorks(aws.ToString(tok.AccessToken)) {
		t.Error("access token works after its session was revoked")
	}

	c2, tok2 := w.login(t, accessScope)
	w.carol.RevokeSessions()
	_, err = w.refresh(c2, aws.ToString(tok2.RefreshToken))
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)
}

// The error as the real service sends it: the OAuth code in the body, the
// exception in X-Amzn-Errortype.
func TestOIDCErrorOnTheWire(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	c := w.register(t, accessScope)
	d := w.start(t, c)
	body := `{"clientId":"` + aws.ToString(c.ClientId) + `","clientSecret":"` + aws.ToString(c.ClientSecret) +
		`","grantType":"urn:ietf:params:oauth:grant-type:device_code","deviceCode":"` + aws.ToString(d.DeviceCode) + `"}`
	resp, err := http.Post(w.url+"/token", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 ||
		resp.Header.Get("X-Amzn-Errortype") != "AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/" ||
		resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("X-Amzn-Requestid") == "" ||
		string(got) != `{"error":"authorization_pending","error_description":"Authorization is still pending"}` {
		t.Errorf("HTTP %d %v\n%s", resp.StatusCode, resp.Header, got)
	}

	w.srv.FailNext("CreateToken", "InternalServerException", 500, "boom")
	resp, err = http.Post(w.url+"/token", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || string(got) != `{"error":"server_error","error_description":"boom"}` {
		t.Errorf("injected failure: HTTP %d %s", resp.StatusCode, got)
	}
}
