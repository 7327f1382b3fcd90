// Package doctor runs awsenv's checks of one profile, in the order a
// person would debug it: files, profile, key, clock, identity, IAM's view
// of the key and MFA device, the MFA provider, the cached session, the
// shell and its environment. Each check says pass, warn, fail or skip,
// with the fix; a check that lacks an IAM permission says so and moves on.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/awsenv/awsenv/internal/accesskeys"
	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/internal/iamapi"
	"github.com/awsenv/awsenv/internal/ssoapi"
	"github.com/awsenv/awsenv/internal/stsapi"
	"github.com/awsenv/awsenv/internal/switchhooks"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/safefile"
	"github.com/awsenv/awsenv/profiles/sessions"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// Statuses of a check.
const (
	Pass = "pass"
	Warn = "warn"
	Fail = "fail"
	Skip = "skip"
)

// Clock offsets: past SkewWarn other tools may start failing on and off;
// past SkewFail it is well on the way to SigV4's 15-minute limit.
const (
	SkewWarn = credflow.SkewWarn
	SkewFail = 5 * time.Minute
	// KeyMaxAge is when a long-term key is due for rotation (AWS's
	// security best practice and most compliance frameworks say 90 days).
	KeyMaxAge = 90 * 24 * time.Hour
)

// Check is one line of the report.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Report is every check of one profile.
type Report struct {
	Profile string  `json:"profile"`
	OK      bool    `json:"ok"` // no check failed
	Checks  []Check `json:"checks"`
}

// Inputs are everything the checks look at, as values.
type Inputs struct {
	Profile string
	Files   profiles.Files
	Global  *profiles.Global
	STS     stsapi.Client
	IAM     iamapi.Client
	// Skew is the last clock offset the STS client measured (AWS minus us).
	Skew  func() (time.Duration, bool)
	Store *sessions.Store
	// Explain gives the catalogue's what, cause and fix for an AWS error.
	Explain func(err error, p *profiles.Profile) (what, fix string)
	// Provider says whether an MFA provider can be used ("" when it can).
	Provider func(ctx context.Context, s profiles.Settings) (detail string, problem string)
	// Plugin starts a third-party plugin and says whether it serves the
	// gRPC service named ("" when it does).
	Plugin  func(ctx context.Context, name, service string) (detail string, problem string)
	Retired map[string]time.Time // keys awsenv rotated away, and when
	Getenv  func(string) string
	Now     func() time.Time
	UID     int // the user's: files that choose commands must be theirs or root's
	// SSOCache is the AWS CLI's SSO token cache directory (~/.aws/sso/cache).
	SSOCache string
	// SSO asks IAM Identity Center for role credentials, to check access.
	SSO ssoapi.Client
}

type run struct {
	Inputs
	ctx    context.Context
	report *Report
	cfg    *profiles.Config
	res    *profiles.Resolved
	base   *profiles.Profile
	user   string // the IAM user name, once known
	keyOK  bool   // GetCallerIdentity worked with the long-term key
}

func (r *run) add(name, status, detail, fix string) {
	r.report.Checks = append(r.report.Checks, Check{Name: name, Status: status, Detail: detail, Fix: fix})
	if status == Fail {
		r.report.OK = false
	}
}

// Run runs every check. Checks that need an earlier one's result are
// skipped, with the reason, when it failed.
func Run(ctx context.Context, in Inputs) *Report {
	r := &run{Inputs: in, ctx: ctx, report: &Report{Profile: in.Profile, OK: true}}
	if r.files() && r.profile() {
		if sso := r.ssoOf(); sso != nil {
			// The credentials come from IAM Identity Center: check the sign-in.
			r.ssoToken(sso)
		} else if source, _ := r.base.CredentialPlugin(); source != "" {
			// The keys come from a plugin, not a file: check the plugin.
			r.credentialSource(source)
		} else {
			r.key()
			r.defaultProfile()
			r.identity()
			r.keyActive()
			r.mfaDevice()
		}
		r.mfaProvider()
		r.hooks()
		r.session()
	}
	r.shellHook()
	r.environment()
	return r.report
}

func (r *run) files() bool {
	var notes []string
	for _, f := range []struct {
		path   string
		secret bool
	}{{r.Files.Config, false}, {r.Files.Credentials, true}} {
		fi, err := os.Stat(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			notes = append(notes, f.path+" does not exist")
			continue
		}
		if err != nil {
			r.add("files", Fail, fmt.Sprintf("cannot read %s: %v", f.path, err), "Check the file's permissions: ls -l "+f.path)
			return false
		}
		if fi.Mode().Perm()&0o077 != 0 && (f.secret || fileHasKeys(f.path)) {
			r.add("files", Fail, fmt.Sprintf("%s holds keys and its mode %s lets other users read it", f.path, safefile.Mode(fi.Mode())),
				"Run: chmod 600 "+f.path)
			return r.parse()
		}
	}
	if !r.parse() {
		return false
	}
	ok, warn, warnFix := r.trusted()
	if !ok {
		return true
	}
	if warn != "" {
		r.add("files", Warn, fmt.Sprintf("%s and %s parse, and no one else can read keys in them, but %s", r.Files.Config, r.Files.Credentials, warn), warnFix)
		return true
	}
	detail := fmt.Sprintf("%s and %s parse, and no one else can read keys in them", r.Files.Config, r.Files.Credentials)
	if len(notes) > 0 {
		detail += " (" + strings.Join(notes, "; ") + ")"
	}
	r.add("files", Pass, detail, "")
	return true
}

// trusted checks that no one but the user (or root) could change the AWS
// files or awsenv's config: a file that others could write and that names
// a command (mfa_process, credential_process, a plugin, a plugin pin) fails,
// since awsenv refuses to run such a command; one that names none warns.
func (r *run) trusted() (ok bool, warn, warnFix string) {
	paths := []struct {
		path   string
		global bool
	}{{r.Files.Config, false}, {r.Files.Credentials, false}}
	if r.Global != nil && r.Global.Path != "" {
		paths = append(paths, struct {
			path   string
			global bool
		}{r.Global.Path, true})
	}
	for _, f := range paths {
		err := safefile.Trusted(f.path, r.UID)
		var u *safefile.UntrustedError
		if !errors.As(err, &u) {
			continue
		}
		cmds, _ := profiles.FileCommands(f.path, f.global)
		if len(cmds) > 0 {
			r.add("files", Fail, fmt.Sprintf("%s names commands that run as you (%s), and %v", f.path, strings.Join(cmds, ", "), u),
				u.Fix()+" Until then awsenv refuses to run them.")
			return false, "", ""
		}
		if warn == "" {
			warn = fmt.Sprintf("%s names no command, and %v: awsenv would refuse to run a command named in it", f.path, u)
			warnFix = u.Fix()
		}
	}
	return true, warn, warnFix
}

// fileHasKeys reports a config file that holds keys too.
func fileHasKeys(path string) bool {
	data, _, err := safefile.ReadFile(path, 0, profiles.MaxAWSFileSize)
	return err == nil && strings.Contains(string(data), "aws_secret_access_key")
}

func (r *run) parse() bool {
	cfg, err := profiles.Load(r.Files)
	if err != nil {
		r.add("files", Fail, err.Error(), "Fix the file at the line named, then run awsenv doctor again.")
		return false
	}
	r.cfg = cfg
	return true
}

func (r *run) profile() bool {
	res, err := r.cfg.Resolve(r.Profile)
	if err != nil {
		r.add("profile", Fail, err.Error(), "Run `awsenv list` to see your profiles.")
		return false
	}
	r.res, r.base = res, res.Base().Profile
	chain := []string{}
	for x := res; x != nil; x = x.Source {
		chain = append(chain, x.Profile.Name)
	}
	detail := fmt.Sprintf("%s is a %s profile", r.Profile, res.Kind)
	if len(chain) > 1 {
		detail += ": " + strings.Join(chain, " -> ")
	}
	r.add("profile", Pass, detail, "")
	return true
}

// Key ids are 20 upper-case letters and digits: AKIA for an IAM user's
// long-term key, ASIA for temporary credentials. (No regexp: its package
// init would cost every `awsenv use`.)
type keyShape string

var (
	longTermKey  keyShape = "AKIA"
	temporaryKey keyShape = "ASIA"
)

func (k keyShape) MatchString(id string) bool {
	if len(id) != 20 || !strings.HasPrefix(id, string(k)) {
		return false
	}
	for _, c := range id[4:] {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func (r *run) key() {
	p := r.base
	id := p.AccessKeyID
	where := fmt.Sprintf("[%s] in %s", p.Name, p.KeyFile())
	switch {
	case id == "":
		r.add("key", Fail, "no aws_access_key_id in "+where, "Add the profile's aws_access_key_id and aws_secret_access_key.")
	case temporaryKey.MatchString(id):
		r.add("key", Warn, fmt.Sprintf("%s holds session credentials (%s with aws_session_token); they expire and cannot make MFA sessions", where, id),
			fmt.Sprintf("Keep the user's long-term key (AKIA...) in %s and run `awsenv use %s`.", where, r.Profile))
	case !longTermKey.MatchString(id):
		r.add("key", Fail, fmt.Sprintf("aws_access_key_id %q in %s is not shaped like an access key (AKIA + 16 letters and digits)", id, where),
			"Copy the key again from where it was created; check for stray spaces or quotes.")
	case len(p.SecretAccessKey.Reveal()) != 40:
		r.add("key", Fail, fmt.Sprintf("aws_secret_access_key in %s is %d characters long, not 40", where, len(p.SecretAccessKey.Reveal())),
			"Copy the secret again; if it is lost, make a new key with `awsenv rotate "+p.Name+"` or the IAM console.")
	case p.SessionToken != "":
		r.add("key", Fail, fmt.Sprintf("%s pairs the long-term key %s with an aws_session_token", where, id),
			"Remove the aws_session_token line: a long-term key signs without one.")
	default:
		r.add("key", Pass, fmt.Sprintf("%s holds the long-term key %s", where, id), "")
	}
}

func (r *run) defaultProfile() {
	d, err := r.cfg.Get("default")
	if err != nil || d == nil || d.SessionToken == "" {
		r.add("default-profile", Pass, "[default] holds no session credentials", "")
		return
	}
	status := Warn
	if r.base.Name == "default" && r.res.MFASerial() != "" {
		status = Fail // what the seed's users hit: GetSessionToken with session credentials
	}
	r.add("default-profile", status,
		fmt.Sprintf("[default] in %s holds session credentials (aws_session_token); AWS refuses GetSessionToken with them (\"Cannot call GetSessionToken with session credentials\")", d.KeyFile()),
		"Move the long-term key (AKIA...) and mfa_serial into a profile of its own, e.g. [default-long-term], remove the session lines from [default], and let `awsenv use` make the sessions.")
}

func (r *run) identity() {
	if r.res.Base().Kind != profiles.KindUser {
		r.add("clock", Skip, "needs a long-term key to call STS with", "")
		r.add("identity", Skip, "the profile holds no long-term key", "")
		return
	}
	id, err := r.STS.GetCallerIdentity(r.ctx, r.target(), r.longTerm())
	r.clock(err)
	if err != nil {
		what, fix := r.Explain(err, r.base)
		r.add("identity", Fail, what, fix)
		return
	}
	r.keyOK = true
	r.user, _ = accesskeys.UserName(id.ARN)
	r.add("identity", Pass, fmt.Sprintf("%s is %s", r.base.AccessKeyID, id.ARN), "")
}

// target is where calls for the base profile go.
func (r *run) target() stsapi.Target {
	return credflow.Target(r.cfg, r.base, r.res.Region())
}

func (r *run) longTerm() profiles.Credentials {
	return profiles.Credentials{AccessKeyID: r.base.AccessKeyID, SecretAccessKey: r.base.SecretAccessKey}
}

func (r *run) clock(callErr error) {
	d, ok := r.Skew()
	if !ok {
		var tr *stsapi.TransportError
		if errors.As(callErr, &tr) {
			r.add("clock", Skip, "STS could not be reached to compare clocks", "Check your network and AWS_ENDPOINT_URL* settings.")
		} else {
			r.add("clock", Skip, "STS's answer carried no Date header", "")
		}
		return
	}
	abs := d
	if abs < 0 {
		abs = -abs
	}
	fix := "Sync your clock: sudo timedatectl set-ntp true (or sudo ntpdate pool.ntp.org)."
	switch {
	case abs >= SkewFail:
		r.add("clock", Fail, fmt.Sprintf("your clock is %s; AWS refuses signatures 15 minutes off", credflow.DescribeSkew(d)), fix)
	case abs >= SkewWarn:
		r.add("clock", Warn, fmt.Sprintf("your clock is %s", credflow.DescribeSkew(d)), fix)
	case abs < time.Second:
		r.add("clock", Pass, "in step with AWS's", "")
	default:
		r.add("clock", Pass, fmt.Sprintf("within %s of AWS's", abs.Round(time.Second)), "")
	}
}

func (r *run) iamCall() iamapi.Call {
	return iamapi.Call{Target: r.target(), Credentials: r.longTerm()}
}

func isAccessDenied(err error) bool {
	var api *stsapi.APIError
	return errors.As(err, &api) && strings.HasPrefix(api.Code, "AccessDenied")
}

func (r *run) keyActive() {
	if !r.keyOK {
		r.add("key-active", Skip, "needs a working long-term key", "")
		return
	}
	keys, err := r.IAM.ListAccessKeys(r.ctx, r.iamCall(), r.user)
	if isAccessDenied(err) {
		r.add("key-active", Skip, fmt.Sprintf("user %s may not call iam:ListAccessKeys without MFA or at all", r.user),
			fmt.Sprintf("`awsenv keys %s` tries again with an MFA session.", r.base.Name))
		return
	}
	if err != nil {
		what, fix := r.Explain(err, r.base)
		r.add("key-active", Fail, what, fix)
		return
	}
	i := slices.IndexFunc(keys, func(k iamapi.AccessKey) bool { return k.ID == r.base.AccessKeyID })
	switch {
	case i < 0:
		r.add("key-active", Fail, fmt.Sprintf("IAM does not list %s among the keys of %s", r.base.AccessKeyID, r.user), "Check that the profile holds this user's key.")
	case keys[i].Status != iamapi.StatusActive:
		r.add("key-active", Fail, fmt.Sprintf("%s is %s in IAM", keys[i].ID, keys[i].Status),
			fmt.Sprintf("Activate it (aws iam update-access-key --user-name %s --access-key-id %s --status Active) or put an active key in %s.", r.user, keys[i].ID, r.base.KeyFile()))
	case !keys[i].Created.IsZero() && r.Now().Sub(keys[i].Created) > KeyMaxAge:
		r.add("key-active", Warn, fmt.Sprintf("%s is active but %d days old", keys[i].ID, int(r.Now().Sub(keys[i].Created).Hours()/24)),
			fmt.Sprintf("Rotate it: awsenv rotate %s", r.base.Name))
	default:
		r.add("key-active", Pass, fmt.Sprintf("%s is active (%d of 2 keys)", keys[i].ID, len(keys)), "")
	}
}

func (r *run) mfaDevice() {
	serial := r.res.MFASerial()
	if serial == "" {
		r.add("mfa-device", Pass, "no mfa_serial: sessions are made without MFA", "")
		return
	}
	if !r.keyOK {
		r.add("mfa-device", Skip, "needs a working long-term key", "")
		return
	}
	devs, err := r.IAM.ListMFADevices(r.ctx, r.iamCall(), r.user)
	if isAccessDenied(err) {
		r.add("mfa-device", Skip, fmt.Sprintf("user %s may not call iam:ListMFADevices", r.user), "")
		return
	}
	if err != nil {
		what, fix := r.Explain(err, r.base)
		r.add("mfa-device", Fail, what, fix)
		return
	}
	var serials []string
	for _, d := range devs {
		serials = append(serials, d.Serial)
	}
	holder := r.res.Profile
	for x := r.res; x != nil; x = x.Source {
		if x.Profile.MFASerial != "" {
			holder = x.Profile
			break
		}
	}
	switch {
	case slices.Contains(serials, serial):
		r.add("mfa-device", Pass, fmt.Sprintf("%s is an MFA device of %s", serial, r.user), "")
	case len(serials) == 0:
		r.add("mfa-device", Fail, fmt.Sprintf("mfa_serial is %s, but %s has no MFA device", serial, r.user),
			"Assign one in the IAM console (Security credentials, Assign MFA device), then put its ARN in mfa_serial.")
	default:
		r.add("mfa-device", Fail, fmt.Sprintf("mfa_serial %s of [%s] is not a device of %s, whose devices are %s", serial, holder.Name, r.user, strings.Join(serials, ", ")),
			fmt.Sprintf("Set mfa_serial = %s in [%s] of %s.", serials[0], holder.Name, holder.Where()))
	}
}

func (r *run) mfaProvider() {
	if r.res.MFASerial() == "" {
		r.add("mfa-provider", Skip, "no MFA device, so no provider is needed", "")
		return
	}
	holder := r.res
	for x := r.res; x != nil; x = x.Source {
		if x.Profile.MFASerial != "" {
			holder = x
			break
		}
	}
	s, err := r.Global.Settings(holder.Profile)
	if err != nil {
		r.add("mfa-provider", Fail, err.Error(), "")
		return
	}
	detail, problem := r.Provider(r.ctx, s)
	switch {
	case problem != "" && s.MFAProvider == "prompt":
		// Only a problem where nobody can type: scripts, cron, CI.
		r.add("mfa-provider", Warn, fmt.Sprintf("provider %s: %s", s.MFAProvider, problem), detail)
		return
	case problem != "":
		r.add("mfa-provider", Fail, fmt.Sprintf("provider %s: %s", s.MFAProvider, problem), detail)
		return
	}
	r.add("mfa-provider", Pass, fmt.Sprintf("provider %s: %s", s.MFAProvider, detail), "")
}

// ssoOf is the Identity Center settings the profile's credentials come
// from (its own, or its source's for a role on top of one); nil otherwise.
func (r *run) ssoOf() *profiles.SSO {
	for x := r.res; x != nil; x = x.Source {
		if x.SSO != nil {
			return x.SSO
		}
	}
	return nil
}

// ssoToken checks the cached sign-in the profile's credentials need.
func (r *run) ssoToken(sso *profiles.SSO) {
	for _, check := range []string{"key", "identity", "key-active", "mfa-device"} {
		r.add(check, Skip, "the credentials of "+r.Profile+" come from IAM Identity Center", "")
	}
	login := "Sign in: " + ssoLogin(sso, r.base.Name)
	cache := ssocache.Cache{Dir: r.SSOCache}
	tok, err := cache.Load(sso.TokenKey())
	now := r.Now()
	switch {
	case errors.Is(err, ssocache.ErrNoToken):
		r.add("sso-token", Fail, fmt.Sprintf("not signed in to %s (no token in %s)", sso.StartURL, r.SSOCache), login)
	case err != nil:
		r.add("sso-token", Fail, err.Error(), login)
	case tok.Valid(now, 0):
		detail := fmt.Sprintf("signed in to %s, %s left", sso.StartURL, hoursMinutes(tok.ExpiresAt.Sub(now)))
		if !tok.RegistrationExpiresAt.IsZero() && tok.RegistrationExpiresAt.Before(now) {
			r.add("sso-token", Warn, detail+"; the client registration has expired, so the token cannot be renewed without a browser", login)
			return
		}
		r.add("sso-token", Pass, detail, "")
		r.ssoAccess(sso, tok)
	case tok.CanRefresh(now):
		r.add("sso-token", Pass, fmt.Sprintf("the token for %s has expired; its refresh token renews it without a browser", sso.StartURL), "")
	default:
		r.add("sso-token", Fail, fmt.Sprintf("the token for %s expired at %s and cannot be renewed", sso.StartURL, tok.ExpiresAt.UTC().Format("2006-01-02 15:04 MST")), login)
	}
}

// ssoAccess asks for the profile's role credentials with the cached token:
// a wrong sso_region, a revoked token or a role not assigned shows here,
// with the catalogue's explanation.
func (r *run) ssoAccess(sso *profiles.SSO, tok *ssocache.Token) {
	if r.SSO == nil {
		return
	}
	holder := r.base
	for x := r.res; x != nil; x = x.Source {
		if x.SSO != nil {
			holder = x.Profile
			break
		}
	}
	_, err := r.SSO.GetRoleCredentials(r.ctx, ssoapi.RoleInput{Target: credflow.Target(r.cfg, holder, sso.Region),
		AccessToken: tok.AccessToken, AccountID: sso.AccountID, RoleName: sso.RoleName})
	if err != nil {
		what, fix := r.Explain(err, holder)
		r.add("sso-access", Fail, what, fix)
		return
	}
	r.add("sso-access", Pass, fmt.Sprintf("role %s in account %s gives credentials", sso.RoleName, sso.AccountID), "")
}

// ssoLogin is the sign-in command for sso, awsenv's and the CLI's.
func ssoLogin(sso *profiles.SSO, profile string) string {
	if sso.Session != "" {
		return fmt.Sprintf("`awsenv login --sso-session %s` or `aws sso login --sso-session %s`.", sso.Session, sso.Session)
	}
	return fmt.Sprintf("`awsenv login %s` or `aws sso login --profile %s`.", profile, profile)
}

// Services a plugin must serve, by what it is used for.
const (
	serviceHooks       = "awsenv.hooks.v1"
	serviceCredentials = "awsenv.credentials.v1"
)

// credentialSource starts the plugin that holds the base profile's keys.
func (r *run) credentialSource(name string) {
	for _, check := range []string{"key", "identity", "key-active", "mfa-device"} {
		r.add(check, Skip, fmt.Sprintf("the keys of %s come from the credential source %s", r.base.Name, name), "")
	}
	r.plugin("credential-source", name, serviceCredentials, "awsenv_credential_source")
}

// hooks starts each hook plugin of the profile and checks its built-ins.
func (r *run) hooks() {
	hs, err := r.Global.HookSettings(r.res)
	if err != nil {
		r.add("hooks", Fail, err.Error(), "")
		return
	}
	if hs.None() {
		r.add("hooks", Skip, "the profile runs no hooks", "")
		return
	}
	for _, v := range hs.Env {
		if err := switchhooks.CheckName(v.Name); err != nil {
			r.add("hooks", Fail, fmt.Sprintf("awsenv_env_%s (%s): %v", v.Name, v.Where, err),
				"Remove the key, or export another name.")
			return
		}
	}
	if err := profiles.CheckFiles(hs.CommandFiles, "hook plugins", r.UID); err != nil && len(hs.Hooks) > 0 {
		r.add("hooks", Fail, err.Error(), "")
		return
	}
	var parts []string
	for _, h := range hs.Hooks {
		if !r.plugin("hooks", h.Name, serviceHooks, "awsenv_hooks") {
			return
		}
		parts = append(parts, h.Name)
	}
	if len(hs.Env) > 0 {
		parts = append(parts, fmt.Sprintf("%d awsenv_env_* variable(s)", len(hs.Env)))
	}
	if hs.Confirm {
		parts = append(parts, "awsenv_confirm")
	}
	r.add("hooks", Pass, "runs "+strings.Join(parts, ", "), "")
}

// plugin starts the named plugin and reports under check when it cannot
// be used for service; it reports nothing and returns true when it can,
// except for a credential source, whose check it passes itself.
func (r *run) plugin(check, name, service, setting string) bool {
	if r.Plugin == nil {
		r.add(check, Skip, "plugins cannot be started from here", "")
		return false
	}
	detail, problem := r.Plugin(r.ctx, name, service)
	if problem != "" {
		r.add(check, Fail, fmt.Sprintf("plugin %s: %s", name, problem),
			firstOf(detail, fmt.Sprintf("Install awsenv-plugin-%s (see `awsenv plugins list`), or take it out of %s.", name, setting)))
		return false
	}
	if service == serviceCredentials {
		r.add(check, Pass, fmt.Sprintf("plugin %s serves %s (%s)", name, service, detail), "")
	}
	return true
}

func firstOf(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// session checks the cached sessions of the profile and drops the ones
// that cannot work: refused by AWS, or made with a key no longer in the file.
func (r *run) session() {
	entries, err := r.Store.List()
	if err != nil {
		r.add("session", Fail, err.Error(), "")
		return
	}
	now := r.Now()
	// Only keys from the file can be replaced in it: a credential source's
	// or credential_process's key is no sign of an old session.
	source, _ := r.base.CredentialPlugin()
	keyInFile := source == "" && !r.base.HasCredentialProcess()
	var live *sessions.Entry
	var dropped []string
	for i := range entries {
		e := &entries[i]
		if e.Profile != r.Profile && e.Profile != r.base.Name {
			continue
		}
		if keyInFile && e.BaseKeyID != "" && e.BaseKeyID != r.base.AccessKeyID {
			if os.Remove(e.Path) == nil {
				dropped = append(dropped, fmt.Sprintf("a %s made with the old key %s", e.Kind, e.BaseKeyID))
			}
			continue
		}
		if e.Profile == r.Profile && e.Expiration().After(now) && (live == nil || e.Expiration().After(live.Expiration())) {
			live = e
		}
	}
	note := ""
	if len(dropped) > 0 {
		note = "; removed " + strings.Join(dropped, ", ")
	}
	if live == nil {
		r.add("session", Pass, "no fresh session cached; the next `awsenv use "+r.Profile+"` makes one"+note, "")
		return
	}
	_, err = r.STS.GetCallerIdentity(r.ctx, r.target(), live.Credentials)
	if err != nil && !isAccessDenied(err) {
		var api *stsapi.APIError
		if errors.As(err, &api) {
			_ = os.Remove(live.Path)
			r.add("session", Warn, fmt.Sprintf("AWS refused the cached %s (%s: %s); removed it%s", live.Kind, api.Code, api.Message, note),
				fmt.Sprintf("Run `awsenv use %s` for a new one.", r.Profile))
			return
		}
		r.add("session", Skip, "could not reach STS to check the cached session"+note, "")
		return
	}
	r.add("session", Pass, fmt.Sprintf("cached %s works, %s left%s", live.Kind, hoursMinutes(live.Expiration().Sub(now)), note), "")
}

func (r *run) shellHook() {
	if sh := r.Getenv("AWSENV_SHELL_HOOK"); sh != "" {
		r.add("shell-hook", Pass, "the awsenv shell function is loaded ("+sh+")", "")
		return
	}
	shell := r.Getenv("SHELL")
	shell = shell[strings.LastIndex(shell, "/")+1:]
	fix := "Add the hook to your shell's startup file (./install.sh does it): "
	switch shell {
	case "fish":
		fix += "awsenv init fish | source   # in ~/.config/fish/config.fish"
	case "zsh":
		fix += `eval "$(awsenv init zsh)"   # in ~/.zshrc`
	default:
		fix += `eval "$(awsenv init bash)"   # in ~/.bashrc`
	}
	r.add("shell-hook", Warn, "awsenv was not run through its shell function, so `awsenv use` cannot change this shell without eval", fix)
}

// environment looks for variables that shadow or contradict awsenv's.
func (r *run) environment() {
	key, token := r.Getenv("AWS_ACCESS_KEY_ID"), r.Getenv("AWS_SESSION_TOKEN")
	active := r.Getenv("AWSENV_PROFILE")
	var fails, warns, fixes []string
	if at, ok := r.Retired[key]; ok && key != "" {
		fails = append(fails, fmt.Sprintf("AWS_ACCESS_KEY_ID is %s, the old key awsenv rotated away on %s", key, at.UTC().Format("2006-01-02 15:04 MST")))
		fixes = append(fixes, fmt.Sprintf("Run `awsenv use %s` or `awsenv unset` in this shell and in every shell opened before the rotation.", firstNonEmpty(active, r.Profile)))
	}
	if temporaryKey.MatchString(key) && token == "" {
		fails = append(fails, fmt.Sprintf("AWS_ACCESS_KEY_ID is a temporary key (%s) but AWS_SESSION_TOKEN is not set", key))
		fixes = append(fixes, "Run `awsenv use PROFILE` again, which sets all three.")
	}
	if longTermKey.MatchString(key) && r.base != nil && key != r.base.AccessKeyID && r.Retired[key].IsZero() && active == r.Profile {
		warns = append(warns, fmt.Sprintf("AWS_ACCESS_KEY_ID is %s, not the key %s of %s", key, r.base.AccessKeyID, r.Profile))
		fixes = append(fixes, fmt.Sprintf("Run `awsenv use %s`.", r.Profile))
	}
	if p := r.Getenv("AWS_PROFILE"); p != "" && key != "" {
		warns = append(warns, fmt.Sprintf("AWS_PROFILE=%s is set next to exported keys: prompts show %s, and some tools use the profile instead of the keys", p, p))
		fixes = append(fixes, "Unset it (unset AWS_PROFILE); `awsenv use` does that for you.")
	}
	if exp := r.Getenv("AWSENV_EXPIRES_AT"); exp != "" && active != "" {
		var sec int64
		if _, err := fmt.Sscan(exp, &sec); err == nil && time.Unix(sec, 0).Before(r.Now()) {
			warns = append(warns, fmt.Sprintf("the credentials of %s in this shell expired at %s", active, time.Unix(sec, 0).UTC().Format(time.RFC3339)))
			fixes = append(fixes, fmt.Sprintf("Run `awsenv use %s`.", active))
		}
	}
	switch {
	case len(fails) > 0:
		r.add("environment", Fail, strings.Join(append(fails, warns...), "; "), strings.Join(fixes, " "))
	case len(warns) > 0:
		r.add("environment", Warn, strings.Join(warns, "; "), strings.Join(fixes, " "))
	case key != "":
		r.add("environment", Pass, fmt.Sprintf("AWS_ACCESS_KEY_ID %s from awsenv profile %s", key, firstNonEmpty(active, "(none)")), "")
	default:
		r.add("environment", Pass, "no AWS credentials in the environment", "")
	}
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// hoursMinutes prints a duration as 3h05m or 42m.
func hoursMinutes(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h > 0 {
		return fmt.Sprintf("%dh%02dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}
