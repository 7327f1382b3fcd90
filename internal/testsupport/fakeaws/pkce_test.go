package fakeaws

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
)

const pkceRedirect = "http://127.0.0.1/oauth/callback"

func (w *ssoWorld) registerPKCE(t *testing.T) *ssooidc.RegisterClientOutput {
	t.Helper()
	out, err := w.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("awsenv-test"), ClientType: aws.String("public"),
		Scopes: []string{accessScope}, GrantTypes: []string{"authorization_code", "refresh_token"}, RedirectUris: []string{pkceRedirect},
		IssuerUrl: aws.String(startURL)})
	if err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	return out
}

// authorizeURL is the address the AWS CLI opens in the browser.
func (w *ssoWorld) authorizeURL(clientID, redirect, state, challenge string) string {
	v := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect}, "state": {state},
		"code_challenge_method": {"S256"}, "code_challenge": {challenge}, "scopes": {accessScope}}
	return w.url + "/authorize?" + v.Encode()
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// follow makes the browser's request and returns where it is sent.
func follow(t *testing.T, addr string) (int, *url.URL) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(addr)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return resp.StatusCode, nil
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, u
}

func (w *ssoWorld) redeem(c *ssooidc.RegisterClientOutput, code, verifier, redirect string) (*ssooidc.CreateTokenOutput, error) {
	return w.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: c.ClientId, ClientSecret: c.ClientSecret,
		GrantType: aws.String("authorization_code"), Code: aws.String(code), CodeVerifier: aws.String(verifier), RedirectUri: aws.String(redirect)})
}

func TestPKCEFlow(t *testing.T) {
	w := newSSOWorld(t)
	const account = "111122223333"
	w.carol.Assign(account, "ReadOnly")
	c := w.registerPKCE(t)
	verifier := strings.Repeat("v", 50)
	redirect := "http://127.0.0.1:49152/oauth/callback"

	// No test user: a page, no redirect.
	if st, _ := follow(t, w.authorizeURL(*c.ClientId, redirect, "s0", s256(verifier))); st != http.StatusOK {
		t.Fatalf("pending authorize: status %d, want 200", st)
	}
	w.srv.SetAuthorizeUser(w.carol)
	st, loc := follow(t, w.authorizeURL(*c.ClientId, redirect, "s1", s256(verifier)))
	if st != http.StatusFound || loc.Host != "127.0.0.1:49152" || loc.Path != "/oauth/callback" || loc.Query().Get("state") != "s1" {
		t.Fatalf("authorize: %d %v", st, loc)
	}
	code := loc.Query().Get("code")
	// A wrong verifier spends the code.
	_, err := w.redeem(c, code, strings.Repeat("x", 50), redirect)
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)
	_, err = w.redeem(c, code, verifier, redirect)
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)

	_, loc = follow(t, w.authorizeURL(*c.ClientId, redirect, "s2", s256(verifier)))
	code = loc.Query().Get("code")
	_, err = w.redeem(c, code, verifier, "http://127.0.0.1:49153/oauth/callback")
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)

	_, loc = follow(t, w.authorizeURL(*c.ClientId, redirect, "s3", s256(verifier)))
	code = loc.Query().Get("code")
	tok, err := w.redeem(c, code, verifier, redirect)
	if err != nil || tok.RefreshToken == nil {
		t.Fatalf("CreateToken: %v %v", tok, err)
	}
	if _, err := w.redeem(c, code, verifier, redirect); err == nil {
		t.Fatal("a code was redeemed twice")
	}
	portal := sso.New(sso.Options{Region: region, BaseEndpoint: aws.String(w.url), RetryMaxAttempts: 1})
	if _, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken,
		AccountId: aws.String(account), RoleName: aws.String("ReadOnly")}); err != nil {
		t.Fatalf("GetRoleCredentials with the PKCE token: %v", err)
	}
	// The code expires.
	_, loc = follow(t, w.authorizeURL(*c.ClientId, redirect, "s4", s256(verifier)))
	w.advance(6 * time.Minute)
	_, err = w.redeem(c, loc.Query().Get("code"), verifier, redirect)
	wantOIDCError[*oidctypes.InvalidGrantException](t, err, "invalid_grant", 400)

	w.srv.DenyAuthorizations()
	_, loc = follow(t, w.authorizeURL(*c.ClientId, redirect, "s5", s256(verifier)))
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "s5" || loc.Query().Has("code") {
		t.Fatalf("denied: %v", loc)
	}
	if got := w.srv.Authorizations(); len(got) != 6 || got[5].Result != "denied" || got[1].CodeChallenge != s256(verifier) {
		t.Fatalf("Authorizations: %+v", got)
	}
}

func TestPKCERefusals(t *testing.T) {
	w := newSSOWorld(t)
	w.srv.SetAuthorizeUser(w.carol)
	pk := w.registerPKCE(t)
	dev := w.register(t, accessScope)
	good := s256(strings.Repeat("v", 43))
	for name, addr := range map[string]string{
		"device client":  w.authorizeURL(*dev.ClientId, "http://127.0.0.1:5000/oauth/callback", "s", good),
		"unknown client": w.authorizeURL("nope", "http://127.0.0.1:5000/oauth/callback", "s", good),
		"other host":     w.authorizeURL(*pk.ClientId, "http://evil.example:5000/oauth/callback", "s", good),
		"other path":     w.authorizeURL(*pk.ClientId, "http://127.0.0.1:5000/elsewhere", "s", good),
		"https loopback": w.authorizeURL(*pk.ClientId, "https://127.0.0.1:5000/oauth/callback", "s", good),
	} {
		if st, loc := follow(t, addr); st != http.StatusBadRequest {
			t.Errorf("%s: status %d (%v), want 400 and no redirect", name, st, loc)
		}
	}
	// No challenge: back to the client with invalid_request.
	if _, loc := follow(t, w.authorizeURL(*pk.ClientId, "http://127.0.0.1:5000/oauth/callback", "s", "")); loc == nil || loc.Query().Get("error") != "invalid_request" {
		t.Errorf("no challenge: %v", loc)
	}
	// A PKCE client cannot start a device authorization.
	_, err := w.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: pk.ClientId, ClientSecret: pk.ClientSecret, StartUrl: aws.String(startURL)})
	wantOIDCError[*oidctypes.UnauthorizedClientException](t, err, "unauthorized_client", 400)
	// A device client cannot redeem a code.
	_, err = w.redeem(dev, "x", strings.Repeat("v", 43), "http://127.0.0.1:5000/oauth/callback")
	wantOIDCError[*oidctypes.UnauthorizedClientException](t, err, "unauthorized_client", 400)
	// The authorization_code grant needs a loopback redirect URI.
	for _, uris := range [][]string{nil, {"https://example.com/cb"}} {
		_, err := w.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("public"),
			GrantTypes: []string{"authorization_code"}, RedirectUris: uris})
		if err == nil {
			t.Errorf("RegisterClient with redirect URIs %v: no error", uris)
		}
	}
}
