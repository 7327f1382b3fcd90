package credflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// IAM Identity Center: the sign-in token is the AWS CLI v2's, shared both
// ways through its cache (profiles/ssocache); role credentials from it are
// cached in the session store like any session.

const (
	// tokenRefreshWindow: a token with less left is renewed with its
	// refresh token when it has one (botocore's SSOTokenProvider renews
	// 15 minutes before expiry too).
	tokenRefreshWindow = 15 * time.Minute
	// tokenMinLeft: a token that cannot be renewed is still used while it
	// has this much left (enough for one GetRoleCredentials call).
	tokenMinLeft = time.Minute
	// registrationMinLeft: a client registration with less left is
	// replaced before a sign-in (the CLI's 15-minute window).
	registrationMinLeft = 15 * time.Minute
	// defaultScope is what `aws configure sso-session` writes: without a
	// scope, Identity Center issues no refresh token.
	defaultScope = "sso:account:access"
	// ssoClientName is the client name registered (the CLI uses
	// aws-sso-util-<session>; the name is shown to no one).
	ssoClientName = "awsenv"
)

// KindSSO is the kind of a cached session made from Identity Center role
// credentials (GetRoleCredentials).
const KindSSO = "sso"

// ErrNeedsLogin is the cause of the error Get returns when an IAM
// Identity Center sign-in is needed and cannot start here (--no-input, or
// no terminal).
var ErrNeedsLogin = errors.New("an IAM Identity Center sign-in is needed")

// LoginError is a sign-in that is needed and cannot start here, or that
// failed (expired, denied). It names the commands that sign in.
type LoginError struct {
	Profile string // the profile asked for; empty for `awsenv login --sso-session`
	SSO     *profiles.SSO
	Problem string
	Err     error
}

func (e *LoginError) Error() string {
	target := "--sso-session " + e.SSO.Session
	if e.Profile != "" {
		target = e.Profile
	}
	what := "IAM Identity Center"
	if e.SSO.Session != "" {
		what += " session " + e.SSO.Session
	}
	msg := fmt.Sprintf("%s (%s): %s", what, e.SSO.StartURL, e.Problem)
	if e.Err != nil && !errors.Is(e.Err, ErrNeedsLogin) {
		msg += fmt.Sprintf(" (%v)", e.Err)
	}
	login := e.SSO.LoginCommand(e.Profile)
	if e.Profile == "" {
		login = "aws sso login --sso-session " + e.SSO.Session
	}
	return fmt.Sprintf("%s. Sign in with `awsenv login %s` (or `%s`), then run the command again.", msg, target, login)
}

func (e *LoginError) Unwrap() error { return e.Err }

// Device is what a person needs to approve a sign-in: shown on stderr, and
// opened in a browser where one can be.
type Device struct {
	Profile string
	SSO     *profiles.SSO
	awsapi.Device
}

// LoginOptions are `awsenv login`'s choices.
type LoginOptions struct {
	// Force signs in with the browser even when the cached token is fresh
	// or could be refreshed.
	Force bool
}

// ssoTarget is where Identity Center calls for profile p go: its SSO
// region, with its endpoint settings.
func (f *Flow) ssoTarget(p *profiles.Profile, s *profiles.SSO) awsapi.Target {
	if p == nil {
		return awsapi.Target{Region: s.Region}
	}
	return Target(f.Config, p, s.Region)
}

// canLogin reports whether a sign-in may start by itself: a person is
// there to approve it.
func (f *Flow) canLogin() bool {
	return !f.NoInput && f.Terminal != nil && f.Terminal()
}

// Login signs in to the Identity Center of s (the sso-session, or the
// legacy start URL of profile p): a fresh cached token is kept, one close
// to expiry is renewed with its refresh token, and otherwise the device
// flow runs. It returns the token saved.
func (f *Flow) Login(ctx context.Context, p *profiles.Profile, s *profiles.SSO, name string, opt LoginOptions) (*ssocache.Token, error) {
	return f.ssoToken(ctx, p, s, name, tokenWant{login: true, force: opt.Force})
}

// tokenWant says what ssoToken may do.
type tokenWant struct {
	login  bool // the device flow may run without a terminal (awsenv login)
	force  bool // a new sign-in, whatever is cached
	broken bool // the cached token was refused: renew it even if it looks fresh
}

// ssoToken returns a usable token for s: the cached one, refreshed, or a
// new sign-in, under the token's lock, so parallel awsenv make one sign-in
// (the first takes the lock, the others wait and then use its token).
func (f *Flow) ssoToken(ctx context.Context, p *profiles.Profile, s *profiles.SSO, name string, want tokenWant) (*ssocache.Token, error) {
	key := s.TokenKey()
	mayLogin := want.login || f.canLogin()
	if !want.force && !want.broken {
		t, err := f.SSOCache.Load(key)
		if err == nil && f.tokenFits(t, s) && t.Valid(f.Now(), tokenRefreshWindow) {
			f.Debugf("using the cached IAM Identity Center token of %s, %s left", key, t.ExpiresAt.Sub(f.Now()).Round(time.Second))
			return t, nil
		}
		// Without a way to renew it, fail before waiting on anyone.
		if !mayLogin && (err != nil || !f.tokenFits(t, s) || (!t.CanRefresh(f.Now()) && !t.Valid(f.Now(), tokenMinLeft))) {
			return nil, f.needsLogin(name, s, err)
		}
	}
	if f.Blocking != nil {
		f.Blocking()
	}
	lctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	held, err := f.lockToken(lctx, key)
	if err != nil {
		return nil, err
	}
	defer held.Unlock()
	t, lerr := held.Load()
	now := f.Now()
	fits := lerr == nil && f.tokenFits(t, s)
	if !want.force && fits {
		if !want.broken && t.Valid(now, tokenRefreshWindow) {
			f.Debugf("using the IAM Identity Center token another awsenv just made")
			return t, nil
		}
		if t.CanRefresh(now) {
			nt, err := f.refreshToken(ctx, p, s, t)
			if err == nil {
				if err := held.Save(nt); err != nil {
					return nil, err
				}
				return nt, nil
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			f.Debugf("could not refresh the IAM Identity Center token: %v", err)
		}
		if !want.broken && t.Valid(now, tokenMinLeft) {
			return t, nil
		}
	}
	if !mayLogin {
		return nil, f.needsLogin(name, s, lerr)
	}
	var old *ssocache.Token
	if fits {
		old = t
	}
	nt, err := f.signIn(ctx, p, s, name, old)
	if err != nil {
		return nil, err
	}
	if err := held.Save(nt); err != nil {
		return nil, err
	}
	return nt, nil
}

// lockToken takes the token's lock, saying so when it has to wait.
func (f *Flow) lockToken(ctx context.Context, key string) (*ssocache.Held, error) {
	timer := time.AfterFunc(200*time.Millisecond, func() {
		f.Notef("another awsenv is signing in to IAM Identity Center (%s); waiting for it.", key)
	})
	held, err := f.SSOCache.Lock(ctx, key)
	timer.Stop()
	return held, err
}

// tokenFits reports whether a cached token belongs to s: the AWS CLI keys
// a legacy profile's token by its start URL, so only a session's token
// could be for another portal.
func (f *Flow) tokenFits(t *ssocache.Token, s *profiles.SSO) bool {
	return t != nil && (t.StartURL == "" || t.StartURL == s.StartURL)
}

func (f *Flow) needsLogin(name string, s *profiles.SSO, cause error) error {
	problem := "there is no valid sign-in token and no terminal to sign in on"
	if f.NoInput {
		problem = "there is no valid sign-in token, and --no-input forbids signing in"
	}
	if cause == nil || errors.Is(cause, ssocache.ErrNoToken) {
		cause = ErrNeedsLogin
	} else {
		var ce *ssocache.CorruptError
		if errors.As(cause, &ce) {
			return cause // says how to fix the file
		}
		cause = fmt.Errorf("%w: %w", ErrNeedsLogin, cause)
	}
	return &LoginError{Profile: name, SSO: s, Problem: problem, Err: cause}
}

// refreshToken renews t with its refresh token: no browser.
func (f *Flow) refreshToken(ctx context.Context, p *profiles.Profile, s *profiles.SSO, t *ssocache.Token) (*ssocache.Token, error) {
	f.Debugf("renewing the IAM Identity Center token of %s with its refresh token", s.TokenKey())
	got, err := f.SSO.CreateToken(ctx, awsapi.CreateTokenInput{Target: f.ssoTarget(p, s), ClientID: t.ClientID,
		ClientSecret: t.ClientSecret, GrantType: awsapi.GrantRefreshToken, RefreshToken: t.RefreshToken})
	if err != nil {
		return nil, err
	}
	nt := *t
	nt.AccessToken, nt.ExpiresAt = got.AccessToken, f.Now().Add(got.ExpiresIn).UTC().Truncate(time.Second)
	if got.RefreshToken != "" {
		nt.RefreshToken = got.RefreshToken
	}
	nt.StartURL, nt.Region = s.StartURL, s.Region
	return &nt, nil
}

// scopes are the scopes awsenv registers with: the sso-session's, else
// sso:account:access for a session (so that tokens can be refreshed), and
// none for a legacy profile, as the AWS CLI registers.
func scopes(s *profiles.SSO) []string {
	if len(s.Scopes) > 0 || s.Session == "" {
		return s.Scopes
	}
	return []string{defaultScope}
}

// registration is a client registration for s with at least
// registrationMinLeft left: the one in the token file, the AWS CLI's
// registration file, or a new one (saved where the CLI keeps it).
func (f *Flow) registration(ctx context.Context, p *profiles.Profile, s *profiles.SSO, old *ssocache.Token) (*ssocache.Registration, error) {
	now := f.Now()
	if old != nil && old.ClientID != "" && old.ClientSecret != "" && old.RegistrationExpiresAt.After(now.Add(registrationMinLeft)) &&
		(old.Region == "" || old.Region == s.Region) {
		return &ssocache.Registration{ClientID: old.ClientID, ClientSecret: old.ClientSecret, ExpiresAt: old.RegistrationExpiresAt}, nil
	}
	sc := scopes(s)
	key := ssocache.RegistrationKey(s.StartURL, s.Region, s.Session, sc)
	if r, err := f.SSOCache.LoadRegistration(key); err == nil && r != nil && r.ExpiresAt.After(now.Add(registrationMinLeft)) {
		f.Debugf("reusing the client registration %s.json", key)
		return r, nil
	}
	in := awsapi.RegisterClientInput{Target: f.ssoTarget(p, s), ClientName: ssoClientName, Scopes: sc}
	if len(sc) > 0 {
		in.GrantTypes = []string{awsapi.GrantDeviceCode, awsapi.GrantRefreshToken}
	}
	f.Debugf("registering a client with IAM Identity Center in %s", s.Region)
	got, err := f.SSO.RegisterClient(ctx, in)
	if err != nil {
		return nil, err
	}
	r := &ssocache.Registration{ClientID: got.ClientID, ClientSecret: got.ClientSecret, ExpiresAt: got.ExpiresAt, Scopes: sc}
	if err := f.SSOCache.SaveRegistration(key, r); err != nil {
		f.Notef("could not cache the client registration: %v", err)
	}
	return r, nil
}

// deviceLogin runs the OIDC device authorization flow: the person approves
// in a browser while awsenv polls. Nothing is written until the token
// comes; an interrupt (ctx) stops it.
func (f *Flow) deviceLogin(ctx context.Context, p *profiles.Profile, s *profiles.SSO, name string, old *ssocache.Token) (*ssocache.Token, error) {
	failed := func(problem string, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &LoginError{Profile: name, SSO: s, Problem: problem, Err: err}
	}
	reg, err := f.registration(ctx, p, s, old)
	if err != nil {
		return nil, failed("could not register awsenv with IAM Identity Center in "+s.Region+"; check sso_region", err)
	}
	tgt := f.ssoTarget(p, s)
	dev, err := f.SSO.StartDeviceAuthorization(ctx, awsapi.StartInput{Target: tgt, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret, StartURL: s.StartURL})
	if errors.Is(err, awsapi.ErrInvalidClient) {
		// The registration was revoked or expired early: register anew.
		reg, err = f.registration(ctx, p, s, nil)
		if err == nil {
			dev, err = f.SSO.StartDeviceAuthorization(ctx, awsapi.StartInput{Target: tgt, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret, StartURL: s.StartURL})
		}
	}
	if err != nil {
		return nil, failed("could not start the sign-in; check sso_start_url and sso_region", err)
	}
	// The service's numbers, within bounds: no answer (an expiresIn of 0
	// or -1, an interval of 2^31-1 s) makes the sign-in wait forever.
	limits := f.deviceLimits()
	interval := limits.Interval(dev)
	deadline := f.Now().Add(limits.Expiry(dev))
	poll := awsapi.CreateTokenInput{Target: tgt, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret,
		GrantType: awsapi.GrantDeviceCode, DeviceCode: dev.DeviceCode}
	shown := false
	for {
		got, err := f.SSO.CreateToken(ctx, poll)
		switch {
		case err == nil:
			now := f.Now()
			return &ssocache.Token{StartURL: s.StartURL, Region: s.Region, AccessToken: got.AccessToken,
				ExpiresAt: now.Add(got.ExpiresIn).UTC().Truncate(time.Second), ClientID: reg.ClientID, ClientSecret: reg.ClientSecret,
				RegistrationExpiresAt: reg.ExpiresAt, RefreshToken: got.RefreshToken}, nil
		case errors.Is(err, awsapi.ErrSlowDown):
			interval = limits.SlowDown(interval)
			f.Debugf("IAM Identity Center asked to poll more slowly; every %s now", interval)
		case errors.Is(err, awsapi.ErrPending):
		case errors.Is(err, awsapi.ErrExpired):
			return nil, failed("the sign-in request expired before it was approved", err)
		case errors.Is(err, awsapi.ErrDenied):
			return nil, failed("the sign-in was denied in the browser", err)
		default:
			return nil, failed("the sign-in failed", err)
		}
		if !shown {
			shown = true
			if f.ShowDevice != nil {
				f.ShowDevice(Device{Profile: name, SSO: s, Device: dev})
			}
		}
		left := deadline.Sub(f.Now())
		if left <= 0 {
			return nil, failed("the sign-in request expired before it was approved", awsapi.ErrExpired)
		}
		// The last wait ends at the deadline, for one last poll.
		if err := f.Sleep(ctx, min(interval, left)); err != nil {
			return nil, err
		}
	}
}

// deviceLimits are f.DeviceLimits, or awsapi.DefaultDeviceLimits when
// unset.
func (f *Flow) deviceLimits() awsapi.DeviceLimits {
	if f.DeviceLimits == (awsapi.DeviceLimits{}) {
		return awsapi.DefaultDeviceLimits
	}
	return f.DeviceLimits
}

// ssoKey names the cached role credentials of SSO profile r: by its
// sign-in (session or start URL), account and role.
func ssoKey(r *profiles.Resolved) sessions.Key {
	s := r.SSO
	return sessions.Key{Profile: r.Profile.Name, Kind: KindSSO, Parts: []string{s.TokenKey(), s.StartURL, s.AccountID, s.RoleName}}
}

// ssoSession returns the role credentials of SSO profile r from the
// session store, or from GetRoleCredentials with a token (cached, renewed
// or signed in for).
func (f *Flow) ssoSession(ctx context.Context, r *profiles.Resolved, name string, rn renewal) (*sessions.Session, bool, error) {
	p, s := r.Profile, r.SSO
	return f.cached(ctx, ssoKey(r), rn, func() (*sessions.Session, error) {
		want := tokenWant{}
		for try := 0; ; try++ {
			t, err := f.ssoToken(ctx, p, s, name, want)
			if err != nil {
				return nil, err
			}
			f.Debugf("GetRoleCredentials for %s: account %s, role %s", p.Name, s.AccountID, s.RoleName)
			creds, err := f.SSO.GetRoleCredentials(ctx, awsapi.RoleInput{Target: f.ssoTarget(p, s), AccessToken: t.AccessToken,
				AccountID: s.AccountID, RoleName: s.RoleName})
			if errors.Is(err, awsapi.ErrUnauthorized) && try == 0 {
				// Revoked or expired early: renew it, or sign in again.
				f.Notef("IAM Identity Center refused the cached sign-in token of %s; renewing it.", s.TokenKey())
				want.broken = true
				continue
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return nil, ssoCallError(name, s, err)
			}
			// Who they are: the account is the profile's (GetRoleCredentials
			// names no identity ARN).
			creds.AccountID = s.AccountID
			return &sessions.Session{Credentials: creds, RoleARN: fmt.Sprintf("sso:%s/%s", s.AccountID, s.RoleName)}, nil
		}
	})
}

// ssoCallError explains a failed GetRoleCredentials.
func ssoCallError(name string, s *profiles.SSO, err error) error {
	switch {
	case errors.Is(err, awsapi.ErrForbidden):
		return &SSOCallError{Profile: name, Err: fmt.Errorf("you have no access to role %s in account %s: %w", s.RoleName, s.AccountID, err),
			Fix: "Check sso_account_id and sso_role_name against the AWS access portal, or ask your administrator for the assignment."}
	case errors.Is(err, awsapi.ErrUnauthorized):
		return &LoginError{Profile: name, SSO: s, Problem: "IAM Identity Center refused the sign-in token (expired or revoked)", Err: err}
	}
	return &SSOCallError{Profile: name, Err: err,
		Fix: fmt.Sprintf("Check your network and sso_region (%s) and sso_start_url, then try again.", s.Region)}
}

// SSOCallError is an Identity Center call that failed for another reason
// than the sign-in: AWS refused it or could not be reached.
type SSOCallError struct {
	Profile string
	Err     error
	Fix     string
}

func (e *SSOCallError) Error() string {
	return fmt.Sprintf("profile %s: IAM Identity Center: %v. %s", e.Profile, e.Err, e.Fix)
}

func (e *SSOCallError) Unwrap() error { return e.Err }

// Logout ends the sign-in of s: sso:Logout with the cached token (if it
// still works), then the token file and the cached role credentials of
// every profile signing in with it are removed. It returns the profiles
// whose cached credentials were removed.
func (f *Flow) Logout(ctx context.Context, p *profiles.Profile, s *profiles.SSO) ([]string, error) {
	key := s.TokenKey()
	if f.Blocking != nil {
		f.Blocking()
	}
	held, err := f.lockToken(ctx, key)
	if err != nil {
		return nil, err
	}
	defer held.Unlock()
	t, err := held.Load()
	var ce *ssocache.CorruptError
	switch {
	case err == nil && t.Valid(f.Now(), 0):
		if err := f.SSO.Logout(ctx, awsapi.LogoutInput{Target: f.ssoTarget(p, s), AccessToken: t.AccessToken}); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			f.Notef("IAM Identity Center did not confirm the sign-out (%v); removing the token here anyway.", err)
		}
	case err != nil && !errors.Is(err, ssocache.ErrNoToken) && !errors.As(err, &ce):
		return nil, err
	}
	if err := held.Delete(); err != nil {
		return nil, err
	}
	var cleared []string
	for _, name := range f.Config.Names() {
		r, err := f.Config.Resolve(name)
		if err != nil || r.Base().Kind != profiles.KindSSO || r.Base().SSO.TokenKey() != key {
			continue
		}
		if n, err := f.Store.Clear(name); err == nil && n > 0 {
			cleared = append(cleared, name)
		}
	}
	return cleared, nil
}
