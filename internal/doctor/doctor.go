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
	"strings"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/credflow"

	"github.com/awsenv/awsenv/profiles"
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
	STS     awsapi.STS
	IAM     awsapi.IAM
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
	SSO awsapi.SSO
	// LongTermKey reads a profile's long-term key, from its file or from
	// awsenv's keyring (credflow.Flow.LongTermKey); nil reads the file's.
	LongTermKey func(ctx context.Context, p *profiles.Profile) (profiles.Credentials, error)
	// SSOTokens is the Identity Center token cache as this run keeps it:
	// the AWS CLI's, or awsenv's keyring (awsenv_sso_token_storage =
	// keyring); nil is the AWS CLI's at SSOCache.
	SSOTokens *ssocache.Cache
	// KeyringPlace names awsenv's keyring as this run chose it, e.g.
	// "awsenv's keyring (file)": where the sessions' data key and awsenv's
	// own Identity Center sign-in live.
	KeyringPlace string
	// DataKeyCache is where the data key is cached ("the kernel keyring
	// for the login session"), "" when it is not.
	DataKeyCache string
	// Login gets the credentials of an `aws login` session (a
	// login_session profile), renewing them if they are about to end
	// (credflow.Flow.LoginSession); nil skips the check.
	Login func(ctx context.Context, p *profiles.Profile) (profiles.Credentials, error)
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
	// The long-term key as LongTermKey read it (the keyring is asked once).
	stored    *profiles.Credentials
	storedErr error
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
		} else if x := r.otherSourceOf(); x != nil {
			// A web identity token or a credential_source.
			r.otherSource(x)
		} else if lp := r.loginOf(); lp != nil {
			// The credentials come from an `aws login` session.
			r.loginSession(lp)
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
		r.sessionStorage()
	}
	r.shellHook()
	r.environment()
	return r.report
}

// target is where calls for the base profile go.
func (r *run) target() awsapi.Target {
	return credflow.Target(r.cfg, r.base, r.res.Region())
}

func isAccessDenied(err error) bool {
	var api *awsapi.APIError
	return errors.As(err, &api) && strings.HasPrefix(api.Code, "AccessDenied")
}

// firstOf is the first of v that is not empty.
func firstOf(v ...string) string {
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
