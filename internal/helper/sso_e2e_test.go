package helper

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
)

// TestSSOThroughTheHelper drives the device flow, role credentials and
// logout through the real helper against the double, with the answers a
// poll acts on typed.
func TestSSOThroughTheHelper(t *testing.T) {
	fake := fakeaws.New()
	if _, err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	u := fake.AddSSOUser("alice")
	u.Assign("111122223333", "ReadOnly")
	fake.SetSSOLifetimes(fakeaws.SSOLifetimes{PollInterval: time.Second})
	// Only the SSO variables lead to the double: AWS_ENDPOINT_URL goes
	// nowhere, so a call that ignored them would fail.
	c, _ := newClient(t, "http://127.0.0.1:1", "AWS_ENDPOINT_URL_SSO="+fake.URL(), "AWS_ENDPOINT_URL_SSO_OIDC="+fake.URL())
	ctx := context.Background()
	tgt := awsapi.Target{Region: "eu-west-1"}

	reg, err := c.RegisterClient(ctx, awsapi.RegisterClientInput{Target: tgt, ClientName: "awsenv-test",
		Scopes: []string{"sso:account:access"}, GrantTypes: []string{awsapi.GrantDeviceCode, awsapi.GrantRefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	if reg.ClientID == "" || reg.ClientSecret == "" || !reg.ExpiresAt.After(time.Now()) {
		t.Fatalf("registration %+v", reg)
	}
	dev, err := c.StartDeviceAuthorization(ctx, awsapi.StartInput{Target: tgt, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret,
		StartURL: "https://example.awsapps.com/start"})
	if err != nil {
		t.Fatal(err)
	}
	if dev.UserCode == "" || dev.Interval != time.Second || dev.VerificationURIComplete == "" {
		t.Fatalf("device %+v", dev)
	}
	poll := awsapi.CreateTokenInput{Target: tgt, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret,
		GrantType: awsapi.GrantDeviceCode, DeviceCode: dev.DeviceCode}
	if _, err := c.CreateToken(ctx, poll); !errors.Is(err, awsapi.ErrPending) {
		t.Fatalf("first poll: %v, want pending", err)
	}
	if _, err := c.CreateToken(ctx, poll); !errors.Is(err, awsapi.ErrSlowDown) {
		t.Fatalf("second poll at once: %v, want slow down", err)
	}
	var api *awsapi.APIError
	if _, err := c.CreateToken(ctx, poll); !errors.As(err, &api) || api.Code == "" {
		t.Fatalf("the AWS error is kept: %v", err)
	}
	if err := fake.ApproveDevice(dev.UserCode, u); err != nil {
		t.Fatal(err)
	}
	time.Sleep(6 * time.Second) // the interval after slow_down
	tok, err := c.CreateToken(ctx, poll)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.ExpiresIn <= 0 {
		t.Fatalf("token %v", tok.ExpiresIn)
	}
	creds, err := c.GetRoleCredentials(ctx, awsapi.RoleInput{Target: tgt, AccessToken: tok.AccessToken, AccountID: "111122223333", RoleName: "ReadOnly"})
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID == "" || creds.SessionToken == "" || !creds.Expiration.After(time.Now()) {
		t.Fatalf("credentials %+v", creds)
	}
	if _, err := c.GetRoleCredentials(ctx, awsapi.RoleInput{Target: tgt, AccessToken: tok.AccessToken, AccountID: "111122223333", RoleName: "Admin"}); !errors.Is(err, awsapi.ErrForbidden) {
		t.Fatalf("unassigned role: %v, want forbidden", err)
	}
	refreshed, err := c.CreateToken(ctx, awsapi.CreateTokenInput{Target: tgt, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret,
		GrantType: awsapi.GrantRefreshToken, RefreshToken: tok.RefreshToken})
	if err != nil || refreshed.AccessToken == "" {
		t.Fatalf("refresh: %v", err)
	}
	if _, err := c.CreateToken(ctx, awsapi.CreateTokenInput{Target: tgt, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret,
		GrantType: awsapi.GrantRefreshToken, RefreshToken: tok.RefreshToken}); !errors.Is(err, awsapi.ErrInvalidGrant) {
		t.Fatalf("a used refresh token: %v, want invalid grant", err)
	}
	if err := c.Logout(ctx, awsapi.LogoutInput{Target: tgt, AccessToken: refreshed.AccessToken}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetRoleCredentials(ctx, awsapi.RoleInput{Target: tgt, AccessToken: refreshed.AccessToken, AccountID: "111122223333", RoleName: "ReadOnly"}); !errors.Is(err, awsapi.ErrUnauthorized) {
		t.Fatalf("after logout: %v, want unauthorized", err)
	}
	if c.Starts() != 1 {
		t.Errorf("%d helpers started, want 1", c.Starts())
	}
}
