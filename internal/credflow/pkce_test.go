package credflow

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// waitingAuthorizer starts authorizations and answers Wait with err (the
// deadline, or ctx's end).
type waitingAuthorizer struct {
	started []awsapi.AuthorizeInput
	waits   []awsapi.CallbackInput
	err     error
}

func (a *waitingAuthorizer) StartAuthorization(_ context.Context, in awsapi.AuthorizeInput) (awsapi.Authorization, error) {
	a.started = append(a.started, in)
	return awsapi.Authorization{URL: "http://127.0.0.1:1/authorize", RedirectURI: "http://127.0.0.1:2/oauth/callback"}, nil
}

func (a *waitingAuthorizer) WaitAuthorization(ctx context.Context, in awsapi.CallbackInput) (awsapi.Callback, error) {
	a.waits = append(a.waits, in)
	if a.err == nil {
		<-ctx.Done()
		return awsapi.Callback{}, ctx.Err()
	}
	return awsapi.Callback{}, a.err
}

// The browser sign-in ends on its deadline (5 minutes, an expired sign-in:
// exit 4) and on Ctrl-C, writing no token; it starts only for an
// sso-session (a legacy profile uses the device flow, as the AWS CLI does),
// with a fresh state and an S256 challenge each time.
func TestPKCEEndsAndWritesNothing(t *testing.T) {
	const config = `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer

[profile legacy]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = Developer
`
	for _, tc := range []struct {
		name    string
		err     error
		cancel  bool
		wantErr error
	}{
		{"deadline", &awsapi.SSOError{Kind: awsapi.ErrExpired, API: &awsapi.APIError{Code: awsapi.CodeAuthorizationTimeout}}, false, awsapi.ErrExpired},
		{"ctrl-c", nil, true, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRigWith(t, config, "")
			dir := t.TempDir()
			r.flow.SSO, r.flow.SSOCache = &pendingSSO{}, &ssocache.Cache{Dir: dir}
			r.flow.Terminal = func() bool { return true }
			a := &waitingAuthorizer{err: tc.err}
			opened := 0
			r.flow.PKCE = &PKCE{Authorizer: a, Open: func(context.Context, Authorize) { opened++ }}
			ctx, cancel := context.WithCancel(context.Background())
			if tc.cancel {
				time.AfterFunc(50*time.Millisecond, cancel)
			}
			defer cancel()
			_, err := r.flow.Get(ctx, "dev", Options{})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Get = %v, want %v", err, tc.wantErr)
			}
			var le *LoginError
			if tc.wantErr == awsapi.ErrExpired && !errors.As(err, &le) {
				t.Errorf("the deadline is not a sign-in error: %T", err)
			}
			if len(a.waits) != 1 || a.waits[0].Timeout != DefaultPKCETimeout || opened != 1 {
				t.Errorf("waits %+v, opened %d: want one wait of %s, the browser opened once", a.waits, opened, DefaultPKCETimeout)
			}
			if in := a.started[0]; len(in.CodeChallenge) != 43 || len(in.State) != 43 || in.ClientID != "client" {
				t.Errorf("authorization %+v: want an S256 challenge and a random state", in)
			}
			if _, err := os.Stat(r.flow.SSOCache.Path("corp")); !os.IsNotExist(err) {
				t.Errorf("a token was written: %v", err)
			}
		})
	}
	// A legacy profile signs in with the device flow.
	r := newRigWith(t, config, "")
	r.flow.SSO, r.flow.SSOCache = &pendingSSO{dev: awsapi.Device{ExpiresIn: time.Second, Interval: time.Second}}, &ssocache.Cache{Dir: t.TempDir()}
	r.flow.Terminal = func() bool { return true }
	a := &waitingAuthorizer{}
	r.flow.PKCE = &PKCE{Authorizer: a}
	r.flow.ShowDevice = func(Device) {}
	if _, err := r.flow.Get(context.Background(), "legacy", Options{}); !errors.Is(err, awsapi.ErrExpired) || len(a.started) != 0 {
		t.Errorf("legacy: %v, %d browser sign-ins: want the device flow", err, len(a.started))
	}
}
