// Package credflow owns "get credentials for a profile": it resolves the
// profile, reuses a cached session where one is fresh, and otherwise asks
// the MFA provider for a code and STS for credentials, under a lock so that
// concurrent shells make one request between them.
package credflow

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
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

// renewal says when a cached session is made anew.
type renewal struct {
	force  bool          // whatever is cached (--refresh)
	margin time.Duration // when it has less than this left
	least  time.Duration // if renewing fails, keep one with this much left (0: never)
}

// within drops a wish for more time left than a new session of duration d
// would have: renewing could not meet it, only repeat the call.
func (rn renewal) within(d time.Duration) renewal {
	if rn.least > 0 && d <= rn.margin {
		rn.margin, rn.least = rn.least, 0
	}
	return rn
}

func renewWith(s profiles.Settings, force bool) renewal {
	return renewal{force: force, margin: s.RefreshMargin}
}

// renewalFor is the renewal of the requested profile under opt.
func renewalFor(s profiles.Settings, opt Options) renewal {
	rn := renewWith(s, opt.Refresh)
	if opt.MinLeft > rn.margin {
		rn.least, rn.margin = rn.margin, opt.MinLeft
	}
	return rn
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
	// NoInput forbids asking for an MFA code: only what cached sessions
	// can renew is made (the shell hook's refresh in place).
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
	default:
		return nil, nil
	}
	s, err := f.Store.Load(key)
	if err != nil || s == nil || !s.Fresh(f.Now(), rn.margin) {
		return nil, nil
	}
	return s, nil
}

// userSession returns the GetSessionToken session of an IAM user profile,
// with MFA when serial is set.
func (f *Flow) userSession(ctx context.Context, r *profiles.Resolved, serial string, d time.Duration,
	settings profiles.Settings, rn renewal) (*sessions.Session, bool, error) {
	p := r.Profile
	d = f.clamp("session", p.Name, d, maxSessionDuration)
	rn = rn.within(d)
	key := userKey(p, serial)
	return f.cached(ctx, key, rn, func() (*sessions.Session, error) {
		base, err := f.baseCredentials(ctx, p)
		if err != nil {
			return nil, err
		}
		if base.Temporary() {
			// Like session credentials in the file: AWS refuses
			// GetSessionToken with them, so they are used as they are.
			f.Debugf("%s of %s gave temporary credentials; using them as they are", baseSource(p), p.Name)
			return &sessions.Session{Credentials: base, Ephemeral: true}, nil
		}
		in := awsapi.GetSessionTokenInput{Target: f.target(r), Credentials: base, Duration: d}
		var creds profiles.Credentials
		if serial == "" {
			f.Debugf("GetSessionToken for %s without MFA (no mfa_serial), for %s", p.Name, d)
			creds, err = f.STS.GetSessionToken(ctx, in)
		} else {
			creds, err = f.withMFA(ctx, p.Name, serial, settings, func(code string) (profiles.Credentials, error) {
				in.SerialNumber, in.TokenCode = serial, code
				f.Debugf("GetSessionToken for %s with MFA device %s, for %s", p.Name, serial, d)
				return f.STS.GetSessionToken(ctx, in)
			})
		}
		if err != nil {
			return nil, f.explainCall(ctx, err, p, profiles.Credentials{})
		}
		return &sessions.Session{Credentials: creds, BaseKeyID: base.AccessKeyID, MFASerial: serial}, nil
	})
}

// userKey names the cached GetSessionToken session of a user profile.
func userKey(p *profiles.Profile, serial string) sessions.Key {
	kind := sessions.KindSession
	if serial != "" {
		kind = sessions.KindMFA
	}
	return sessions.Key{Profile: p.Name, Kind: kind, Parts: []string{baseID(p), serial}}
}

// baseID tells apart the long-term credentials a profile's sessions are
// made from without reading them: the key id in the file, or the
// credential source and its options (asking the source would cost the
// cached path a plugin run).
func baseID(p *profiles.Profile) string {
	name, opts := p.CredentialPlugin()
	if name == "" && p.HasCredentialProcess() {
		return "credential-process:" + p.CredentialProcess
	}
	if name == "" {
		return p.AccessKeyID
	}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	id := "credential-source:" + name
	for _, k := range keys {
		id += "\x00" + k + "=" + opts[k]
	}
	return id
}

// baseCredentials are a profile's own credentials: the keys (and token)
// in the file, or what its credential source hands out.
func (f *Flow) baseCredentials(ctx context.Context, p *profiles.Profile) (profiles.Credentials, error) {
	name, opts := p.CredentialPlugin()
	if name == "" && p.HasCredentialProcess() {
		return f.processCredentials(ctx, p)
	}
	if name == "" {
		return fileCredentials(p), nil
	}
	if f.Sources == nil {
		return profiles.Credentials{}, &SourceError{Profile: p.Name, Source: name, Err: errors.New("credential sources cannot be reached here"),
			Fix: "Use the profile with awsenv use, exec or credential-process."}
	}
	// A plugin is about to run and hand out credentials: the files that
	// chose it must be ones only you (or root) could have written.
	if err := f.Gate.Check(f.Global.CredentialSourceChoice(p)); err != nil {
		return profiles.Credentials{}, err
	}
	if f.Blocking != nil {
		f.Blocking()
	}
	f.Debugf("asking credential source %s for the credentials of %s", name, p.Name)
	resp, err := f.Sources.GetCredentials(ctx, name, plugins.CredentialsRequest{Profile: p.Name, Options: opts})
	if err != nil {
		if ctx.Err() != nil {
			return profiles.Credentials{}, ctx.Err()
		}
		return profiles.Credentials{}, &SourceError{Profile: p.Name, Source: name, Err: err,
			Fix: fmt.Sprintf("Check the plugin awsenv-plugin-%s and its awsenv_credential_source_* options in %s (`awsenv plugins list` shows whether it is installed).", name, p.Where())}
	}
	creds := profiles.Credentials{AccessKeyID: resp.AccessKeyID, SecretAccessKey: profiles.Secret(resp.SecretAccessKey),
		SessionToken: profiles.Secret(resp.SessionToken)}
	if resp.ExpiresUnix > 0 {
		creds.Expiration = time.Unix(resp.ExpiresUnix, 0).UTC()
	}
	// The plugin host checked the answer's shape for the protocol; this is
	// the check every source's credentials pass.
	if err := creds.Validate(f.Now()); err != nil {
		return profiles.Credentials{}, &SourceError{Profile: p.Name, Source: name, Err: fmt.Errorf("its credentials: %w", err),
			Fix: fmt.Sprintf("Check what the plugin awsenv-plugin-%s reads (its awsenv_credential_source_* options in %s).", name, p.Where())}
	}
	return creds, nil
}

// SourceError is a credential source that could not give a profile's
// credentials.
type SourceError struct {
	Profile string
	Source  string
	Err     error
	Fix     string
}

func (e *SourceError) Error() string {
	return fmt.Sprintf("profile %s: credential source %s: %v. %s", e.Profile, e.Source, e.Err, e.Fix)
}

func (e *SourceError) Unwrap() error { return e.Err }

// brokenSession reports AWS refusing temporary credentials themselves: a
// damaged or revoked token, or one that expired early. A cached session
// that gets this answer is dropped and made anew.
func brokenSession(err error) bool {
	var api *awsapi.APIError
	return errors.As(err, &api) && (api.Code == "InvalidToken" || api.Code == "InvalidClientTokenId" || api.Code == "ExpiredToken")
}

// role returns credentials for a role profile, built on its source.
func (f *Flow) role(ctx context.Context, r *profiles.Resolved, d time.Duration, settings profiles.Settings,
	rn renewal) (*sessions.Session, bool, error) {
	p, src := r.Profile, r.Source
	asked := roleDuration(p, d)
	if src.Kind != profiles.KindUser && asked > roleChainingLimit {
		f.Notef("profile %s asks for %s, but a role assumed with temporary credentials lasts at most 1h (AWS's role chaining limit); asking for 1h.", p.Name, asked)
		asked = roleChainingLimit
	}
	f.clamp("role", p.Name, asked, maxRoleDuration) // the note; roleKey clamps
	serial := r.MFASerial()
	key, d := f.roleKey(r, d)
	rn = rn.within(d)
	sessionName := f.roleSessionName(r)
	base := r.Base().Profile
	return f.cached(ctx, key, rn, func() (*sessions.Session, error) {
		in := awsapi.AssumeRoleInput{Target: f.target(r), RoleARN: p.RoleARN, RoleSessionName: sessionName,
			ExternalID: p.ExternalID, Duration: d}
		var creds profiles.Credentials
		var err error
		switch {
		case src.Kind == profiles.KindUser && serial != "" && d > roleChainingLimit:
			// A session's credentials can only assume roles for an hour, so
			// a longer role is assumed straight from the keys, with a code.
			srcSettings, serr := f.mfaSettings(r, settings)
			if serr != nil {
				return nil, serr
			}
			f.Debugf("profile %s asks for %s, more than the 1h a role assumed from an MFA session may last; assuming %s directly with the long-term keys of %s and an MFA code",
				p.Name, d, p.RoleARN, src.Profile.Name)
			if in.Credentials, err = f.baseCredentials(ctx, src.Profile); err != nil {
				return nil, err
			}
			creds, err = f.withMFA(ctx, p.Name, serial, srcSettings, func(code string) (profiles.Credentials, error) {
				in.SerialNumber, in.TokenCode = serial, code
				return f.STS.AssumeRole(ctx, in)
			})
		case src.Kind == profiles.KindUser && serial != "":
			srcSettings, serr := f.mfaSettings(r, settings)
			if serr != nil {
				return nil, serr
			}
			sess, cachedSrc, serr := f.userSession(ctx, src, serial, srcSettings.SessionDuration, srcSettings, renewWith(srcSettings, false))
			if serr != nil {
				return nil, serr
			}
			in.Credentials = sess.Credentials
			f.Debugf("AssumeRole %s for %s with the MFA session of %s, for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
			if cachedSrc && brokenSession(err) {
				f.dropped(err, src.Profile.Name, userKey(src.Profile, serial))
				if sess, _, serr = f.userSession(ctx, src, serial, srcSettings.SessionDuration, srcSettings, renewWith(srcSettings, true)); serr != nil {
					return nil, serr
				}
				in.Credentials = sess.Credentials
				creds, err = f.STS.AssumeRole(ctx, in)
			}
		case src.Kind == profiles.KindUser:
			if in.Credentials, err = f.baseCredentials(ctx, src.Profile); err != nil {
				return nil, err
			}
			f.Debugf("AssumeRole %s for %s with the keys of %s (no MFA), for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
		case src.Kind == profiles.KindSSO:
			srcSettings, serr := f.Global.Settings(src.Profile)
			if serr != nil {
				return nil, serr
			}
			sess, cachedSrc, serr := f.ssoSession(ctx, src, p.Name, renewWith(srcSettings, false))
			if serr != nil {
				return nil, serr
			}
			in.Credentials = sess.Credentials
			f.Debugf("AssumeRole %s for %s with the IAM Identity Center credentials of %s, for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
			if cachedSrc && brokenSession(err) {
				f.dropped(err, src.Profile.Name, ssoKey(src))
				if sess, _, serr = f.ssoSession(ctx, src, p.Name, renewWith(srcSettings, true)); serr != nil {
					return nil, serr
				}
				in.Credentials = sess.Credentials
				creds, err = f.STS.AssumeRole(ctx, in)
			}
		case src.Kind == profiles.KindSession:
			in.Credentials = fileCredentials(src.Profile)
			f.Debugf("AssumeRole %s for %s with the session credentials of %s, for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
		default: // a role assumed with another role's credentials
			srcSettings, serr := f.Global.Settings(src.Profile)
			if serr != nil {
				return nil, serr
			}
			sess, cachedSrc, serr := f.role(ctx, src, 0, srcSettings, renewWith(srcSettings, false))
			if serr != nil {
				return nil, serr
			}
			in.Credentials = sess.Credentials
			f.Debugf("AssumeRole %s for %s with the role credentials of %s, for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
			if cachedSrc && brokenSession(err) {
				f.dropped(err, src.Profile.Name, sessions.Key{})
				if sess, _, serr = f.role(ctx, src, 0, srcSettings, renewWith(srcSettings, true)); serr != nil {
					return nil, serr
				}
				in.Credentials = sess.Credentials
				creds, err = f.STS.AssumeRole(ctx, in)
			}
		}
		if err != nil {
			return nil, f.explainCall(ctx, err, p, in.Credentials)
		}
		return &sessions.Session{Credentials: creds, BaseKeyID: base.AccessKeyID, MFASerial: serial,
			RoleARN: p.RoleARN, Source: src.Profile.Name}, nil
	})
}

// roleDuration is what a role profile asks for: d (--duration) if set,
// else its duration_seconds, else AWS's default hour.
func roleDuration(p *profiles.Profile, d time.Duration) time.Duration {
	if d == 0 {
		d = time.Duration(p.DurationSeconds) * time.Second
	}
	if d == 0 {
		d = defaultRoleDuration
	}
	return d
}

// roleKey names the cached session of role profile r asked for d (0: its
// own duration), and returns the duration it is made for (AWS's limits
// applied). Without side effects, for Get and Peek alike.
func (f *Flow) roleKey(r *profiles.Resolved, d time.Duration) (sessions.Key, time.Duration) {
	p, src := r.Profile, r.Source
	d = roleDuration(p, d)
	if src.Kind != profiles.KindUser && d > roleChainingLimit {
		d = roleChainingLimit
	}
	d = clampTo(d, maxRoleDuration)
	return sessions.Key{Profile: p.Name, Kind: sessions.KindRole, Parts: []string{
		p.RoleARN, p.ExternalID, f.roleSessionName(r), src.Profile.Name, baseID(r.Base().Profile), r.MFASerial(), d.String()}}, d
}

// roleSessionName is the role session name of role profile r: its
// role_session_name, else one named after the person.
func (f *Flow) roleSessionName(r *profiles.Resolved) string {
	if n := r.Profile.RoleSessionName; n != "" {
		return n
	}
	return defaultSessionName(r.MFASerial(), f.LocalUser)
}

// SkewWarn is the clock offset worth telling the user about: AWS refuses
// signatures 15 minutes off, and the SDK's quiet correction hides the
// problem from awsenv but not from every other tool on the machine.
const SkewWarn = time.Minute

// noteSkew tells the user once when their clock is off, even though the
// call went through.
func (f *Flow) noteSkew() {
	if f.ClockSkew == nil || f.skewTold {
		return
	}
	d, ok := f.ClockSkew()
	if !ok || (d < SkewWarn && d > -SkewWarn) {
		return
	}
	f.skewTold = true
	f.Notef("your clock is %s; AWS refuses requests signed more than 15 minutes off. Sync it: sudo timedatectl set-ntp true (or sudo ntpdate pool.ntp.org).", DescribeSkew(d))
}

// DescribeSkew says which way and how far the local clock is off, given
// AWS's clock minus ours. The Date header it is measured from has whole
// seconds, so past two minutes it is given in whole minutes.
func DescribeSkew(d time.Duration) string {
	way := "behind"
	if d < 0 {
		way, d = "ahead of", -d
	}
	amount := d.Round(time.Second).String()
	if d >= 2*time.Minute {
		amount = fmt.Sprintf("about %d minutes", int(d.Round(time.Minute).Minutes()))
	}
	return fmt.Sprintf("%s %s AWS's", amount, way)
}

// dropped removes a cached session AWS refused (when key is set; a role's
// is simply replaced by the refresh that follows) and says so.
func (f *Flow) dropped(err error, profile string, key sessions.Key) {
	var api *awsapi.APIError
	errors.As(err, &api)
	f.Notef("AWS refused the cached session of %s (%s); dropping it and making a new one.", profile, api.Code)
	if key.Profile != "" {
		if derr := f.Store.Delete(key); derr != nil {
			f.Debugf("could not remove the refused session: %v", derr)
		}
	}
}

// mfaSettings are the settings of the profile whose mfa_serial is used:
// the role's own when it names the device, else its source's.
func (f *Flow) mfaSettings(r *profiles.Resolved, own profiles.Settings) (profiles.Settings, error) {
	if r.Profile.MFASerial != "" {
		return own, nil
	}
	return f.Global.Settings(r.Source.Profile)
}

// cached returns the fresh session under key, or makes one. The check is
// repeated under the lock: whoever waited on it finds the session the
// holder just made and makes no call of its own.
func (f *Flow) cached(ctx context.Context, key sessions.Key, rn renewal,
	make func() (*sessions.Session, error)) (*sessions.Session, bool, error) {
	start := f.Now()
	if !rn.force {
		s, err := f.Store.Load(key)
		if err != nil {
			return nil, false, err
		}
		if s != nil && s.Fresh(start, rn.margin) {
			f.Debugf("using the cached %s of %s, %s left", key.Kind, key.Profile, s.Expiration().Sub(start).Round(time.Second))
			return s, true, nil
		}
	}
	if f.Blocking != nil {
		f.Blocking()
	}
	lctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	unlock, err := f.Store.Lock(lctx, key, func() {
		f.Notef("another awsenv is getting credentials for %s; waiting for it.", key.Profile)
	})
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	old, err := f.Store.Load(key)
	if err != nil {
		return nil, false, err
	}
	// With --refresh, only a session made after this call began will do.
	if old != nil && old.Fresh(f.Now(), rn.margin) && (!rn.force || old.Created.After(start)) {
		f.Debugf("using the %s of %s that another awsenv just made", key.Kind, key.Profile)
		return old, true, nil
	}
	s, err := make()
	f.noteSkew()
	if err == nil {
		err = f.checkMade(key, s)
	}
	if err != nil {
		if rn.least > 0 && !rn.force && old != nil && old.Fresh(f.Now(), rn.least) {
			f.Notef("could not renew the %s of %s (%v); handing out the cached one, which has %s left.",
				key.Kind, key.Profile, err, old.Expiration().Sub(f.Now()).Round(time.Minute))
			return old, true, nil
		}
		return nil, false, err
	}
	s.Created = f.Now()
	if s.Ephemeral {
		return s, false, nil
	}
	if err := f.Store.Save(key, s); err != nil {
		// The credentials work; only the reuse is lost.
		f.Notef("could not cache the session: %v", err)
	}
	return s, false, nil
}

// checkMade is the funnel every new session passes, whatever made it (an
// STS or IAM Identity Center answer, or a source's temporary credentials
// used as they are): profiles.Credentials.Validate, and an expiry for the
// ones cached (AWS always gives one). Nothing refused is cached or handed
// out.
func (f *Flow) checkMade(key sessions.Key, s *sessions.Session) error {
	err := s.Credentials.Validate(f.Now())
	if err == nil && !s.Ephemeral && s.Credentials.Expiration.IsZero() {
		err = errors.New("they have no expiry")
	}
	if err != nil {
		return &CredentialsError{Profile: key.Profile, Kind: key.Kind, Err: err}
	}
	return nil
}

// CredentialsError is a new session whose credentials awsenv refused
// (profiles.Credentials.Validate): what answered gave something that is
// not AWS credentials. It never quotes the secret or the token.
type CredentialsError struct {
	Profile string
	Kind    string // the session's kind (sessions.Key.Kind)
	Err     error
}

func (e *CredentialsError) Error() string {
	call := map[string]string{sessions.KindMFA: "GetSessionToken with MFA", sessions.KindSession: "GetSessionToken",
		sessions.KindRole: "AssumeRole", KindSSO: "IAM Identity Center's GetRoleCredentials"}[e.Kind]
	if call == "" {
		call = "a " + e.Kind
	}
	return fmt.Sprintf("profile %s: the credentials AWS gave (%s) are unusable: %v. Nothing was cached or exported; "+
		"check that the endpoint answering is AWS's (endpoint_url, AWS_ENDPOINT_URL, a proxy) and try again.", e.Profile, call, e.Err)
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// withMFA gets a code and makes the call, asking again (up to the prompt's
// tries) when AWS says the code was wrong, as a person mistypes.
func (f *Flow) withMFA(ctx context.Context, profile, serial string, settings profiles.Settings,
	call func(code string) (profiles.Credentials, error)) (profiles.Credentials, error) {
	if f.NoInput {
		return profiles.Credentials{}, &plugins.Error{Provider: "--no-input", Err: ErrNeedsCode,
			Problem: fmt.Sprintf("profile %s needs a new MFA code for device %s", profile, serial),
			Fix:     fmt.Sprintf("Run `awsenv use %s` and enter a code.", profile)}
	}
	prov, err := f.Provider(settings)
	if err != nil {
		return profiles.Credentials{}, err
	}
	req := plugins.Request{Profile: profile, Serial: serial, Options: settings.MFAOptions,
		Terminal: f.Terminal != nil && f.Terminal()}
	var lastErr error
	waitedOut := "" // a code already waited out for a new window
	for try := 1; try <= 3; try++ {
		req.Accepted = ""
		last, at := f.Store.LastCode(serial)
		if last != "" && f.Now().Sub(at) < 2*totpStep {
			req.Accepted = last
		}
		code, err := prov.Code(ctx, req)
		if err != nil {
			if lastErr != nil {
				return profiles.Credentials{}, lastErr // AWS's no says more than "no second code"
			}
			return profiles.Credentials{}, err
		}
		if !plugins.ValidCode(code) {
			return profiles.Credentials{}, &plugins.Error{Provider: prov.Name(), Problem: "it returned something that is not a 6-digit code",
				Fix: "Check the provider's configuration (awsenv_mfa_* keys) and that it prints only the code."}
		}
		if code == req.Accepted {
			if err := f.cannotChange(prov, code, waitedOut, at); err != nil {
				return profiles.Credentials{}, err
			}
			// AWS would refuse the code as reused: wait for the next one.
			now := f.Now()
			next := windowStart(now).Add(totpStep + time.Second)
			f.Notef("%s gave the MFA code AWS accepted a moment ago; waiting %s for the next code.", prov.Name(), next.Sub(now).Round(time.Second))
			if err := f.Sleep(ctx, next.Sub(now)); err != nil {
				return profiles.Credentials{}, err
			}
			waitedOut, lastErr = code, nil
			continue
		}
		if code == req.Rejected {
			// Sending it again would only be refused again.
			f.Notef("%s gave the code AWS has just refused again; it cannot give another.", prov.Name())
			return profiles.Credentials{}, lastErr
		}
		creds, err := call(code)
		var api *awsapi.APIError
		if errors.As(err, &api) && api.Code == "AccessDenied" && strings.HasPrefix(api.Message, awsapi.MsgInvalidMFACode) {
			req.Rejected, lastErr = code, err
			continue
		}
		if err == nil {
			if serr := f.Store.SaveLastCode(serial, code, f.Now()); serr != nil {
				f.Debugf("could not remember the last MFA code: %v", serr)
			}
		}
		return creds, err
	}
	if lastErr == nil {
		lastErr = &plugins.Error{Provider: prov.Name(), Problem: "it kept giving the code AWS had already accepted",
			Fix: "Check that the provider reads the current code from your device."}
	}
	return profiles.Credentials{}, lastErr
}

// fixedProvider is a provider whose code can never change, such as the
// code given with --mfa-code.
type fixedProvider interface{ Fixed() bool }

// windowStart is the start of the TOTP window t falls in.
func windowStart(t time.Time) time.Time {
	return t.Truncate(totpStep)
}

// cannotChange says why waiting for the next window would be pointless when
// a provider hands back code, the code AWS accepted at: a fixed code, a
// provider that gave the same code after such a wait, or one that still
// gives it after its window has passed (a device shows a new code then).
// Nil means waiting may help. A person at the prompt may have read the
// device just before it changed, so the prompt always gets the wait.
func (f *Flow) cannotChange(prov plugins.Provider, code, waitedOut string, at time.Time) error {
	when := at.Local().Format("15:04:05")
	if fp, ok := prov.(fixedProvider); ok && fp.Fixed() {
		return &plugins.Error{Provider: prov.Name(), Err: ErrCodeUsed,
			Problem: fmt.Sprintf("the code given is the one AWS accepted at %s", when),
			Fix:     "Pass the next code your device shows, or leave --mfa-code out to be asked for one."}
	}
	stale := f.Now().Sub(windowStart(at)) >= totpStep+2*time.Second
	if code == waitedOut || (stale && prov.Name() != "prompt") {
		return &plugins.Error{Provider: prov.Name(), Err: ErrCodeUsed,
			Problem: fmt.Sprintf("it gave the code AWS accepted at %s again after that code's 30-second window had passed, so it cannot give a new one", when),
			Fix:     "Make it print the current code of your device (a fixed code in mfa_process works only once), or pass --mfa-code with the next code."}
	}
	return nil
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

// fileCredentials are the keys (and token, if any) written in the profile.
func fileCredentials(p *profiles.Profile) profiles.Credentials {
	return profiles.Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.SecretAccessKey, SessionToken: p.SessionToken}
}

func (f *Flow) target(r *profiles.Resolved) awsapi.Target {
	return Target(f.Config, r.Profile, r.Region())
}

// sessionNameChar is what AWS allows in a role session name ([\w+=,.@-]);
// the rest becomes '_'. A loop, not a regexp, to keep regexp's init off
// every run.
func sessionNameChar(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_+=,.@-", r):
		return r
	}
	return '_'
}

// defaultSessionName names role sessions after the person, so CloudTrail
// shows who assumed the role: the MFA device's name (arn:...:mfa/alice),
// else the local user name.
func defaultSessionName(serial, localUser string) string {
	name := awsapi.ParseARN(serial).Name()
	if name == "" {
		name = localUser
	}
	name = strings.Map(sessionNameChar, name)
	if len(name) < 2 {
		name = "awsenv-" + name
	}
	if len(name) > 64 {
		name = name[:64]
	}
	return strings.TrimSuffix(name, "-")
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
func Target(cfg *profiles.Config, p *profiles.Profile, region string) awsapi.Target {
	return awsapi.Target{Profile: p.Name, Region: region, Endpoints: awsapi.Endpoints{
		URL: p.EndpointURL, Services: cfg.ServiceEndpoints(p), Ignore: p.IgnoreEndpoint, CABundle: p.CABundle}}
}
