package credflow

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// pendingSSO is an Identity Center whose device authorization is never
// approved: it answers StartDeviceAuthorization with dev, and CreateToken
// with pending (or slow_down, while slowDowns last).
type pendingSSO struct {
	dev       awsapi.Device
	slowDowns int
	polls     int
}

func (s *pendingSSO) RegisterClient(context.Context, awsapi.RegisterClientInput) (awsapi.Registration, error) {
	return awsapi.Registration{ClientID: "client", ClientSecret: "secret", ExpiresAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
}

func (s *pendingSSO) StartDeviceAuthorization(context.Context, awsapi.StartInput) (awsapi.Device, error) {
	return s.dev, nil
}

func (s *pendingSSO) CreateToken(context.Context, awsapi.CreateTokenInput) (awsapi.Token, error) {
	s.polls++
	if s.slowDowns > 0 {
		s.slowDowns--
		return awsapi.Token{}, awsapi.ErrSlowDown
	}
	return awsapi.Token{}, awsapi.ErrPending
}

func (s *pendingSSO) GetRoleCredentials(context.Context, awsapi.RoleInput) (profiles.Credentials, error) {
	return profiles.Credentials{}, errors.New("not signed in")
}

func (s *pendingSSO) Logout(context.Context, awsapi.LogoutInput) error { return nil }

// The device flow ends, whatever the service answers: an expiresIn of 0
// or less waits AWS's 10 minutes, a huge one at most 30; the interval is
// RFC 8628's 5 s when none is given and kept within 1 s to 60 s, slow_down
// included; the last wait ends at the deadline. Each end is an expired
// sign-in (exit 4), on the injected clock.
func TestDeviceFlowEndsWithinBounds(t *testing.T) {
	const maxInt32 = math.MaxInt32 * time.Second
	for name, tc := range map[string]struct {
		dev       awsapi.Device
		slowDowns int
		wantWait  time.Duration // total time slept
		wantEvery time.Duration // the first interval
		wantMost  time.Duration // the longest wait
	}{
		"AWS's answer":           {dev: awsapi.Device{ExpiresIn: 600 * time.Second, Interval: time.Second}, wantWait: 10 * time.Minute, wantEvery: time.Second, wantMost: time.Second},
		"expiresIn 0":            {dev: awsapi.Device{Interval: time.Second}, wantWait: 10 * time.Minute, wantEvery: time.Second, wantMost: time.Second},
		"expiresIn -1":           {dev: awsapi.Device{ExpiresIn: -time.Second, Interval: time.Second}, wantWait: 10 * time.Minute, wantEvery: time.Second, wantMost: time.Second},
		"expiresIn 2^31-1":       {dev: awsapi.Device{ExpiresIn: maxInt32, Interval: 5 * time.Second}, wantWait: 30 * time.Minute, wantEvery: 5 * time.Second, wantMost: 5 * time.Second},
		"no interval":            {dev: awsapi.Device{ExpiresIn: time.Minute}, wantWait: time.Minute, wantEvery: 5 * time.Second, wantMost: 5 * time.Second},
		"interval -1":            {dev: awsapi.Device{ExpiresIn: time.Minute, Interval: -time.Second}, wantWait: time.Minute, wantEvery: 5 * time.Second, wantMost: 5 * time.Second},
		"interval 2^31-1":        {dev: awsapi.Device{ExpiresIn: 600 * time.Second, Interval: maxInt32}, wantWait: 10 * time.Minute, wantEvery: time.Minute, wantMost: time.Minute},
		"both 0":                 {dev: awsapi.Device{}, wantWait: 10 * time.Minute, wantEvery: 5 * time.Second, wantMost: 5 * time.Second},
		"interval 1 ms":          {dev: awsapi.Device{ExpiresIn: time.Minute, Interval: time.Millisecond}, wantWait: time.Minute, wantEvery: time.Second, wantMost: time.Second},
		"slow_down without end":  {dev: awsapi.Device{ExpiresIn: 600 * time.Second, Interval: time.Second}, slowDowns: 1000, wantWait: 10 * time.Minute, wantEvery: 6 * time.Second, wantMost: time.Minute},
		"expires before a whole": {dev: awsapi.Device{ExpiresIn: 7 * time.Second, Interval: 5 * time.Second}, wantWait: 7 * time.Second, wantEvery: 5 * time.Second, wantMost: 5 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRigWith(t, `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
`, "")
			sso := &pendingSSO{dev: tc.dev, slowDowns: tc.slowDowns}
			r.flow.SSO, r.flow.SSOCache = sso, &ssocache.Cache{Dir: t.TempDir()}
			r.flow.Terminal = func() bool { return true }
			shown := 0
			r.flow.ShowDevice = func(Device) { shown++ }
			start := r.now
			_, err := r.flow.Get(context.Background(), "dev", Options{})
			var le *LoginError
			if !errors.As(err, &le) || !errors.Is(err, awsapi.ErrExpired) {
				t.Fatalf("Get = %v, want an expired sign-in", err)
			}
			if waited := r.now.Sub(start); waited != tc.wantWait {
				t.Errorf("waited %s, want %s (slept %v)", waited, tc.wantWait, r.slept)
			}
			most := time.Duration(0)
			for _, d := range r.slept {
				most = max(most, d)
				if d <= 0 {
					t.Errorf("a wait of %s: a busy loop", d)
				}
			}
			if len(r.slept) == 0 || r.slept[0] != tc.wantEvery || most != tc.wantMost {
				t.Errorf("waits %v: want %s first, %s at most", r.slept, tc.wantEvery, tc.wantMost)
			}
			if shown != 1 || sso.polls != len(r.slept)+1 {
				t.Errorf("shown %d times, %d polls for %d waits: want once, a poll after each wait", shown, sso.polls, len(r.slept))
			}
		})
	}
}

// The limits themselves, as every device flow takes them.
func TestDeviceLimits(t *testing.T) {
	l := awsapi.DefaultDeviceLimits
	if got := l.SlowDown(time.Minute); got != time.Minute {
		t.Errorf("SlowDown(1m) = %s, want the 1m cap", got)
	}
	if got := l.SlowDown(time.Second); got != 6*time.Second {
		t.Errorf("SlowDown(1s) = %s, want 6s", got)
	}
	short := awsapi.DeviceLimits{DefaultExpiry: time.Hour, MaxExpiry: 3 * time.Second, DefaultInterval: 5 * time.Second, MinInterval: time.Second, MaxInterval: time.Minute}
	if got := short.Expiry(awsapi.Device{}); got != 3*time.Second {
		t.Errorf("Expiry with a 3s cap = %s, want the cap over the default", got)
	}
}

func (s *pendingSSO) ListAccess(context.Context, awsapi.AccessInput) ([]awsapi.AccountRole, error) {
	return nil, errors.New("not signed in")
}
