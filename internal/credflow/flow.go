// Package credflow owns "get credentials for a profile": it resolves the
// profile, reuses a cached session where one is fresh, and otherwise asks
// the MFA provider for a code and STS for credentials, under a lock so that
// concurrent shells make one request between them.
package credflow

import (
	"context"
	"errors"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/logincache"
	"github.com/awsenv/awsenv/profiles/sessions"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// AWS's limits on how long credentials may last.
const (
	minDuration         = 15 * time.Minute
	maxSessionDuration  = 36 * time.Hour // GetSessionToken, IAM users
	maxRoleDuration     = 12 * time.Hour // AssumeRole, the most any role allows
	roleChainingLimit   = time.Hour      // AssumeRole with temporary credentials
	defaultRoleDuration = time.Hour
	lockWait            = 10 * time.Minute // someone may be typing a code
	totpStep            = 30 * time.Second // RFC 6238's time step, which AWS uses
)

// ErrNeedsCode is the cause of the error Get returns when NoInput is set
// and only a new MFA code would do.
var ErrNeedsCode = errors.New("a new MFA code is needed")

// ErrCodeUsed is the cause of the error Get returns when the only code to
// be had is one AWS already accepted, and waiting cannot bring another.
var ErrCodeUsed = errors.New("AWS takes each code once")

// Options are the per-call choices from the command line.
type Options struct {
	Refresh  bool          // make new credentials for the profile even if cached ones are fresh
	Duration time.Duration // overrides the profile's duration for the requested profile
	// MinLeft, when longer than the profile's refresh margin, is how long
	// the credentials handed out must still last: a cached session with
	// less is renewed. If renewing fails, a session that the refresh margin
	// still counts as fresh is handed out with a note.
	MinLeft time.Duration
}

// Flow holds what getting credentials needs. Everything from the outside
// world comes in as a value, so tests drive it with fakes and a fixed clock.
type Flow struct {
	Config *profiles.Config
	Global *profiles.Global
	Store  *sessions.Store
	STS    awsapi.STS
	// IAM, when set, lets explanations look up the user's MFA devices.
	IAM awsapi.IAM
	// Sources reaches credential-source plugins (awsenv_credential_source);
	// nil makes a profile that names one fail with an error saying so.
	Sources plugins.CredentialSource
	// Keyring reads the long-term keys kept in awsenv's secret store (nil:
	// such a profile fails with an error saying so).
	Keyring Keyring
	// Processes runs credential_process commands; nil makes a profile
	// whose credentials come from one fail with an error saying so.
	Processes *ProcessSource
	// Gate is the trust gate every credential_process and credential
	// source passes before it runs: the files that chose it must be ones
	// only the user (or root) could have written. The zero Gate trusts only
	// root's files.
	Gate profiles.Gate
	// Provider picks the MFA provider for a profile's settings.
	Provider func(s profiles.Settings) (plugins.Provider, error)
	// Terminal reports whether a controlling terminal is available; asked
	// only when a code is needed, so the cached path never probes.
	Terminal func() bool
	// NoInput forbids asking a person for an MFA code: only what cached
	// sessions can renew, or a provider that needs no person (mfa_process,
	// --mfa-code; see unattended), is made (the shell hook's refresh in
	// place).
	NoInput bool
	// ClockSkew is the last offset of AWS's clock from ours, measured from
	// an STS answer; nil or false when none was measured.
	ClockSkew func() (time.Duration, bool)
	skewTold  bool
	Now       func() time.Time
	Sleep     func(ctx context.Context, d time.Duration) error
	LocalUser string
	// Blocking, if set, is called when the flow is about to do slow work
	// (wait on a lock, ask for a code, call AWS); the cached path never
	// calls it.
	Blocking func()
	// SSO reaches IAM Identity Center (through the helper); SSOCache is the
	// AWS CLI's token cache. ShowDevice shows a person the sign-in to
	// approve (and opens the browser); see sso.go.
	SSO        awsapi.SSO
	SSOCache   *ssocache.Cache
	ShowDevice func(Device)
	// PKCE, when set, makes a new sign-in to an sso-session run in the
	// browser (pkce.go); nil: the device flow.
	PKCE *PKCE
	// WebIdentity assumes web identity roles and Instance reads the
	// instance's or container's credentials (credential_source), both
	// through the helper; Getenv is awsenv's own environment, which
	// credential_source reads. See webidentity.go.
	WebIdentity awsapi.WebIdentity
	Instance    awsapi.Instance
	Getenv      func(string) string
	// Signin renews `aws login` sessions (through the helper); LoginCache
	// is the AWS CLI's login cache. See login.go.
	Signin     awsapi.Signin
	LoginCache *logincache.Cache
	// DeviceLimits bound a sign-in's wait and polling; the zero value is
	// awsapi.DefaultDeviceLimits.
	DeviceLimits awsapi.DeviceLimits
	// EnvRegion is the region the environment gives the calls of a
	// profile that names none, and EnvRegionVar the variable it came from
	// (AWS_REGION, else AWS_DEFAULT_REGION, as the SDK reads them).
	EnvRegion, EnvRegionVar string
	// Notef tells the person something on stderr; Debugf only with --debug.
	Notef  func(format string, args ...any)
	Debugf func(format string, args ...any)
}

// Result is what a profile's credentials turned out to be.
type Result struct {
	Profile     string
	Kind        profiles.Kind
	Credentials profiles.Credentials
	Region      string
	Cached      bool // no STS call was made
	// Resolved is the profile with its source chain.
	Resolved *profiles.Resolved
	// Session is the cached session the credentials are (with its Key,
	// Created time and cached hook answers); nil when they are not cached:
	// session credentials from the file or from a credential source.
	Session *sessions.Session
}

// Get returns working credentials for the named profile.
func (f *Flow) Get(ctx context.Context, name string, opt Options) (*Result, error) {
	r, err := f.Config.Resolve(name)
	if err != nil {
		return nil, err
	}
	if err := checkClientKeys(r); err != nil {
		return nil, err
	}
	if r.Region() == "" {
		// The calls take the environment's region: one that is no
		// region would fail them as if the network were down.
		if err := profiles.CheckRegion(f.EnvRegionVar, f.EnvRegion, ""); err != nil {
			return nil, err
		}
	}
	settings, err := f.Global.Settings(r.Profile)
	if err != nil {
		return nil, err
	}
	res := &Result{Profile: name, Kind: r.Kind, Region: r.Region(), Resolved: r}
	rn := renewalFor(settings, opt)
	switch r.Kind {
	case profiles.KindSSO:
		s, cached, err := f.ssoSession(ctx, r, name, rn)
		if err != nil {
			return nil, err
		}
		res.Credentials, res.Cached, res.Session = s.Credentials, cached, s
	case profiles.KindLogin:
		creds, cached, err := f.loginCredentials(ctx, r, opt.Refresh)
		if err != nil {
			return nil, err
		}
		res.Credentials, res.Cached = creds, cached
	case profiles.KindWebIdentity:
		s, cached, err := f.webIdentity(ctx, r, opt.Duration, rn)
		if err != nil {
			return nil, err
		}
		res.Credentials, res.Cached, res.Session = s.Credentials, cached, s
	case profiles.KindSession:
		p := r.Profile
		f.Notef("profile %s holds session credentials (aws_session_token in %s); using them as they are. "+
			"Keep long-term keys (aws_access_key_id AKIA...) in a profile of their own and let awsenv make the sessions: "+
			"AWS refuses GetSessionToken with session credentials.", p.Name, p.KeyFile())
		res.Credentials = fileCredentials(p)
		res.Cached = true
	case profiles.KindUser:
		d := settings.SessionDuration
		if opt.Duration > 0 {
			d = opt.Duration
		}
		s, cached, err := f.userSession(ctx, r, r.MFASerial(), d, settings, rn)
		if err != nil {
			return nil, err
		}
		res.Credentials, res.Cached = s.Credentials, cached
		if !s.Ephemeral {
			res.Session = s
		}
	case profiles.KindRole:
		s, cached, err := f.role(ctx, r, opt.Duration, settings, rn)
		if err != nil {
			return nil, err
		}
		res.Credentials, res.Cached, res.Session = s.Credentials, cached, s
	}
	return res, nil
}

// Peek returns the fresh cached session that Get(name, opt) would hand
// out without making anything, with its cached hook answers; nil when Get
// would have to make one (nothing cached, too little left, --refresh) or
// would use credentials that are never cached (session credentials in the
// file, temporary ones from a credential source).
//
// It has no side effects: no lock, no AWS call, no MFA code, no credential
// source, no note. It reads the same session file Get is about to read, so
// hooks can be told apart before the credentials are made (switchhooks
// asks PreUse before Get, and a plugin known not to serve PreUse need not
// be started). A session replaced between Peek and Get is possible (an
// expiry in between, another awsenv renewing it); callers must treat what
// Peek returns as a hint about the session Get will return, not as it.
// An unreadable or unsafe session file is nil, nil here: Get reports it.
func (f *Flow) Peek(name string, opt Options) (*sessions.Session, error) {
	if opt.Refresh {
		return nil, nil
	}
	r, err := f.Config.Resolve(name)
	if err != nil {
		return nil, err
	}
	settings, err := f.Global.Settings(r.Profile)
	if err != nil {
		return nil, err
	}
	rn := renewalFor(settings, opt)
	var key sessions.Key
	switch r.Kind {
	case profiles.KindSSO:
		key = ssoKey(r)
	case profiles.KindUser:
		d := settings.SessionDuration
		if opt.Duration > 0 {
			d = opt.Duration
		}
		rn = rn.within(clampTo(d, maxSessionDuration))
		key = userKey(r.Profile, r.MFASerial())
	case profiles.KindRole:
		var d time.Duration
		key, d = f.roleKey(r, opt.Duration)
		rn = rn.within(d)
	case profiles.KindWebIdentity:
		var d time.Duration
		key, d = f.webIdentityKey(r, opt.Duration)
		rn = rn.within(d)
	default:
		return nil, nil
	}
	s, err := f.Store.Load(key)
	if err != nil || s == nil || !s.Fresh(f.Now(), rn.margin) {
		return nil, nil
	}
	return s, nil
}

func (f *Flow) clamp(what, profile string, d, max time.Duration) time.Duration {
	switch {
	case d < minDuration:
		f.Notef("profile %s: a %s lasts at least 15m; asking for 15m instead of %s.", profile, what, d)
	case d > max:
		f.Notef("profile %s: a %s lasts at most %s; asking for that instead of %s.", profile, what, max, d)
	}
	return clampTo(d, max)
}

// clampTo is d within AWS's limits: at least 15 minutes, at most max.
func clampTo(d, most time.Duration) time.Duration {
	return min(max(d, minDuration), most)
}

func (f *Flow) target(r *profiles.Resolved) awsapi.Target {
	return Target(f.Config, r.Profile, r.Region())
}

// SleepContext waits for d or until ctx ends: the real Flow.Sleep.
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Target is what the helper needs to call AWS for profile p: its name, the
// region, and its endpoint settings from the AWS config.
// Its client settings (use_fips_endpoint, max_attempts, ...) are taken as
// checked by Flow.Get (checkClientKeys); one that does not check is left
// unset here.
func Target(cfg *profiles.Config, p *profiles.Profile, region string) awsapi.Target {
	cs, _ := p.ClientSettings()
	return awsapi.Target{Profile: p.Name, Region: region, Endpoints: awsapi.Endpoints{
		URL: p.EndpointURL, Services: cfg.ServiceEndpoints(p), Ignore: p.IgnoreEndpoint, CABundle: p.CABundle,
		FIPS: cs.FIPS, DualStack: cs.DualStack, STSRegional: cs.STSRegional},
		Retries: awsapi.Retries{MaxAttempts: cs.MaxAttempts, Mode: cs.RetryMode}}
}

// checkClientKeys refuses a chain in which a profile's client settings or
// session tags are not as botocore (or aws-vault) reads them, naming the
// key, before any call.
func checkClientKeys(r *profiles.Resolved) error {
	for x := r; x != nil; x = x.Source {
		if _, err := x.Profile.ClientSettings(); err != nil {
			return err
		}
		if x.Kind == profiles.KindRole {
			if _, err := x.Profile.Tags(); err != nil {
				return err
			}
		}
		if x.Kind == profiles.KindCredentialSource && x.Profile.CredentialSource == "Ec2InstanceMetadata" {
			if err := x.Profile.IMDSSettings(); err != nil {
				return err
			}
		}
	}
	return nil
}
