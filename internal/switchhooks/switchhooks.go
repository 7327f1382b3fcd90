// Package switchhooks runs a profile's hooks when awsenv switches to it
// (`use`, `exec`) or away from it (`unset`): hook plugins' PreUse, PostUse
// and Unset in the order listed, and the built-ins awsenv_confirm and
// awsenv_env_*. It checks every variable they set (see Forbidden) and keeps
// cacheable PostUse answers with the cached session.
//
// Plugins are reached through plugins.Hooks, taken as a value: a profile
// without plugin hooks, or whose answers are all cached, never calls it, so
// the cached path starts no process. "All cached" covers PreUse too: a
// plugin that answered PreUse with Unimplemented is recorded with the
// session (sessions.HookAnswer.NoPreUse) and not asked again while it
// lasts, whereas one that serves PreUse is asked on every switch, since a
// guard that answered once must be able to say no the next time.
package switchhooks

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/termsafe"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// Limits on what one hook may answer.
const (
	MaxVariables  = 64
	MaxValueBytes = 32 << 10
	maxReason     = 512
)

// Runner runs hooks. Everything from the outside world comes in as a value.
type Runner struct {
	// Hooks reaches hook plugins; nil makes a profile that lists some fail
	// with an error saying so.
	Hooks plugins.Hooks
	// Gate is the trust gate: no plugin runs and no awsenv_env_* variable
	// is exported that a file others could write chose. The zero Gate
	// trusts only root's files.
	Gate profiles.Gate
	// Confirm asks question y/N on the controlling terminal; an error means
	// there is none. Never stdin or stdout.
	Confirm func(question string) (bool, error)
	// Yes answers awsenv_confirm without asking (--yes).
	Yes bool
	// Terminal reports whether a controlling terminal is available, for
	// PreUseRequest.Terminal.
	Terminal func() bool
	// Stderr gets the hooks' messages, made safe for the terminal.
	Stderr io.Writer
	// Debugf explains steps with --debug.
	Debugf func(format string, args ...any)
}

// Switch is one switch to a profile.
type Switch struct {
	Profile  string
	Resolved *profiles.Resolved
	Settings profiles.HookSettings
	// Known are the hook answers kept with the profile's fresh cached
	// session as it was before the credentials were made (credflow's
	// Peek): PreUse does not ask a hook recorded there as not serving it.
	Known []sessions.HookAnswer
	// Who the credentials are, once made (PostUse): the identity's ARN
	// and account as their source named them (profiles.Credentials.ARN
	// and AccountID); empty where it named none.
	ARN       string
	AccountID string
}

// NoPreUse are the hooks of a switch, by name, known not to serve PreUse:
// they answered Unimplemented, or Switch.Known says so. PostUse records
// them with the session (Cache.NoPreUse).
type NoPreUse map[string]bool

// Error is a hook that refused the switch or failed.
type Error struct {
	Hook    string // the plugin, or "awsenv_confirm"
	Profile string
	Refused bool // a refusal (PreUse allow=false, a "no" to awsenv_confirm), not a failure
	Err     error
	Fix     string
}

func (e *Error) Error() string {
	var pe *plugins.Error
	if !e.Refused && errors.As(e.Err, &pe) {
		// The plugin's error names the hook and says what to do.
		return fmt.Sprintf("profile %s: %v", e.Profile, pe)
	}
	msg := fmt.Sprintf("hook %s, profile %s: %v.", e.Hook, e.Profile, e.Err)
	if e.Refused {
		msg = fmt.Sprintf("hook %s refused the switch to profile %s: %v.", e.Hook, e.Profile, e.Err)
	}
	if e.Fix != "" {
		msg += " " + e.Fix
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNoHooks is the cause when a profile lists hook plugins and no
// plugins.Hooks was given.
var ErrNoHooks = errors.New("hook plugins cannot be reached")

func (sw Switch) roleARN() string {
	if sw.Resolved != nil && sw.Resolved.Kind == profiles.KindRole {
		return sw.Resolved.Profile.RoleARN
	}
	return ""
}

// identityARN is sw.ARN when it is an ARN (the credentials' validator
// checked only that it is safe text), else "".
func (sw Switch) identityARN() string {
	if awsapi.ParseARN(sw.ARN).IsZero() {
		return ""
	}
	return sw.ARN
}

// account is the account of the switch: the credentials' own when known,
// else from role_arn or mfa_serial (all PreUse has).
func (sw Switch) account() string {
	if sw.AccountID != "" {
		return sw.AccountID
	}
	if a := awsapi.ParseARN(sw.ARN).Account; a != "" {
		return a
	}
	if a := awsapi.ParseARN(sw.roleARN()).Account; a != "" {
		return a
	}
	if sw.Resolved != nil {
		return awsapi.ParseARN(sw.Resolved.MFASerial()).Account
	}
	return ""
}

func (sw Switch) region() string {
	if sw.Resolved != nil {
		return sw.Resolved.Region()
	}
	return ""
}

func (r *Runner) debugf(format string, args ...any) {
	if r.Debugf != nil {
		r.Debugf(format, args...)
	}
}

// ready checks that hook plugins can run for sw: reachable, and chosen
// by files the trust gate lets choose them.
func (r *Runner) ready(sw Switch) error {
	if len(sw.Settings.Hooks) == 0 {
		return nil
	}
	if r.Hooks == nil {
		return &Error{Hook: sw.Settings.Hooks[0].Name, Profile: sw.Profile, Err: ErrNoHooks,
			Fix: "Use `awsenv use` or `awsenv exec` with this profile."}
	}
	return r.Gate.Check(sw.Settings.PluginChoice())
}

// PreUse runs before anything is made or exported: each plugin's PreUse in
// order (the first refusal stops the switch), then awsenv_confirm. A hook
// that sw.Known records as not serving PreUse is not started. It returns
// the hooks known not to serve PreUse, for Cache.NoPreUse.
func (r *Runner) PreUse(ctx context.Context, sw Switch) (NoPreUse, error) {
	none := NoPreUse{}
	// The variables are checked here too, so that a switch they would be
	// refused in makes no credentials and asks no code.
	if err := r.Gate.Check(sw.Settings.EnvChoices()...); err != nil {
		return none, err
	}
	if err := r.ready(sw); err != nil {
		return none, err
	}
	// Whether there is a terminal is asked once, and only when a hook is
	// to be told: a switch without PreUse hooks opens no /dev/tty.
	term := sync.OnceValue(func() bool { return r.Terminal != nil && r.Terminal() })
	p := sw.Resolved
	for _, h := range sw.Settings.Hooks {
		if a := find(sw.Known, sw.Profile, h); a != nil && a.NoPreUse {
			r.debugf("hook %s: serves no PreUse (kept with the session); not started", h.Name)
			none[h.Name] = true
			continue
		}
		req := plugins.PreUseRequest{Profile: sw.Profile, RoleARN: sw.roleARN(), AccountID: sw.account(),
			Region: sw.region(), Terminal: term(), Options: h.Options}
		if p != nil && p.Source != nil {
			req.SourceProfile = p.Source.Profile.Name
		}
		r.debugf("hook %s: PreUse for %s", h.Name, sw.Profile)
		resp, err := r.Hooks.PreUse(ctx, h.Name, req)
		switch {
		case errors.Is(err, plugins.ErrUnimplemented):
			none[h.Name] = true // a hook that only sets variables
		case err != nil:
			return none, r.failed(ctx, h.Name, sw.Profile, "PreUse", err)
		case !resp.Allow:
			reason := safeLine(resp.Reason)
			if reason == "" {
				reason = "it gave no reason"
			}
			return none, &Error{Hook: h.Name, Profile: sw.Profile, Refused: true, Err: errors.New(reason)}
		}
	}
	if sw.Settings.Confirm {
		return none, r.confirm(sw)
	}
	return none, nil
}

func (r *Runner) confirm(sw Switch) error {
	if r.Yes {
		r.debugf("awsenv_confirm: answered by --yes")
		return nil
	}
	what := sw.Profile
	var details []string
	if arn := sw.roleARN(); arn != "" {
		details = append(details, "role "+arn)
	} else if a := sw.account(); a != "" {
		details = append(details, "account "+a)
	}
	if rg := sw.region(); rg != "" {
		details = append(details, "region "+rg)
	}
	if len(details) > 0 {
		what += " (" + strings.Join(details, ", ") + ")"
	}
	var ok bool
	var err error
	if r.Confirm != nil {
		ok, err = r.Confirm(fmt.Sprintf("awsenv: switch to profile %s?", termsafe.Line(what, termsafe.MaxMessage)))
	} else {
		err = errors.New("no terminal")
	}
	if err != nil {
		return &Error{Hook: "awsenv_confirm", Profile: sw.Profile, Refused: true,
			Err: errors.New("the profile asks for confirmation, and there is no terminal to ask on"),
			Fix: "Run it from a terminal, or pass --yes to switch without asking."}
	}
	if !ok {
		return &Error{Hook: "awsenv_confirm", Profile: sw.Profile, Refused: true,
			Err: errors.New("you did not confirm; nothing was changed")}
	}
	return nil
}

// failed is a hook's call that went wrong: an interrupt stays one.
func (r *Runner) failed(ctx context.Context, hook, profile, method string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &Error{Hook: hook, Profile: profile, Err: fmt.Errorf("%s failed: %w", method, err),
		Fix: fmt.Sprintf("Check the plugin awsenv-plugin-%s (`awsenv plugins list`), or take it out of awsenv_hooks.", hook)}
}

// Cache is the cached session's hook answers: Answers to reuse, and Save
// to keep new ones (nil when the credentials are not a cached session).
// NoPreUse (from PreUse) is recorded with them.
type Cache struct {
	Answers  []sessions.HookAnswer
	Save     func([]sessions.HookAnswer) error
	NoPreUse NoPreUse
}

// find is the answer kept for hook h of profile, with the same options.
func find(answers []sessions.HookAnswer, profile string, h profiles.Hook) *sessions.HookAnswer {
	if len(answers) == 0 {
		return nil
	}
	reqID := request(profile, h)
	for i := range answers {
		if a := &answers[i]; a.Hook == h.Name && a.Request == reqID {
			return a
		}
	}
	return nil
}

// request tells apart the requests a cached answer is good for.
func request(profile string, h profiles.Hook) string {
	keys := make([]string, 0, len(h.Options))
	for k := range h.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	f := fnv.New64a()
	io.WriteString(f, profile)
	for _, k := range keys {
		io.WriteString(f, "\x00"+k+"\x00"+h.Options[k])
	}
	return fmt.Sprintf("%016x", f.Sum64())
}

// PostUse runs once the credentials are known (expires: when they stop
// working; zero if never) and returns the variables to export, in order:
// awsenv_env_* first, then each hook's, a later one replacing an earlier
// one of the same name. Each hook's request carries what was set before
// it. Messages go to Stderr.
func (r *Runner) PostUse(ctx context.Context, sw Switch, expires time.Time, cache Cache) ([]plugins.Variable, error) {
	var set []plugins.Variable
	if err := r.Gate.Check(sw.Settings.EnvChoices()...); err != nil {
		return nil, err
	}
	for _, e := range sw.Settings.Env {
		if err := checkVariable(e.Name, e.Value); err != nil {
			return nil, &profiles.SettingError{Where: e.Where, Key: "awsenv_env_" + e.Name, Err: err,
				Fix: "Remove the key, or export that variable another way: awsenv sets only variables that cannot run code."}
		}
		set = put(set, plugins.Variable{Name: e.Name, Value: e.Value})
	}
	if len(sw.Settings.Hooks) == 0 {
		return set, nil
	}
	if err := r.ready(sw); err != nil {
		return nil, err
	}
	var keep []sessions.HookAnswer
	fresh := false
	for _, h := range sw.Settings.Hooks {
		reqID := request(sw.Profile, h)
		ans := find(cache.Answers, sw.Profile, h)
		noPre := cache.NoPreUse[h.Name]
		var vars []plugins.Variable
		var msgs []string
		if ans != nil && !ans.Ask {
			r.debugf("hook %s: PostUse answer cached with the session", h.Name)
			for _, v := range ans.Set {
				vars = append(vars, plugins.Variable{Name: v.Name, Value: v.Value})
			}
			msgs = ans.Messages
			a := *ans
			if noPre && !a.NoPreUse {
				a.NoPreUse, fresh = true, true
			}
			keep = append(keep, a)
		} else {
			req := plugins.PostUseRequest{Profile: sw.Profile, AccountID: sw.account(), ARN: sw.identityARN(),
				Region: sw.region(), Options: h.Options, Set: append([]plugins.Variable(nil), set...)}
			if !expires.IsZero() {
				req.ExpiresUnix = expires.Unix()
			}
			r.debugf("hook %s: PostUse for %s", h.Name, sw.Profile)
			resp, err := r.Hooks.PostUse(ctx, h.Name, req)
			if errors.Is(err, plugins.ErrUnimplemented) {
				// Nothing to set, and nothing will be: as good as a
				// cacheable empty answer.
				err, resp = nil, plugins.PostUseResponse{Cacheable: true}
			}
			if err != nil {
				return nil, r.failed(ctx, h.Name, sw.Profile, "PostUse", err)
			}
			vars, msgs = resp.Set, resp.Messages
			if len(vars) > MaxVariables {
				return nil, &Error{Hook: h.Name, Profile: sw.Profile,
					Err: fmt.Errorf("it set %d variables, more than the %d a hook may", len(vars), MaxVariables),
					Fix: "Check the plugin's configuration."}
			}
			switch {
			case cache.Save == nil:
			case resp.Cacheable:
				a := sessions.HookAnswer{Hook: h.Name, Request: reqID, Messages: msgs, NoPreUse: noPre}
				for _, v := range vars {
					a.Set = append(a.Set, sessions.HookVar{Name: v.Name, Value: v.Value})
				}
				keep, fresh = append(keep, a), true
			case noPre:
				// Asked every time, but not started for PreUse.
				keep = append(keep, sessions.HookAnswer{Hook: h.Name, Request: reqID, NoPreUse: true, Ask: true})
				fresh = fresh || ans == nil || !ans.NoPreUse
			}
		}
		for _, v := range vars {
			if err := checkVariable(v.Name, v.Value); err != nil {
				return nil, &Error{Hook: h.Name, Profile: sw.Profile, Err: fmt.Errorf("it set %w", err),
					Fix: fmt.Sprintf("Nothing was changed. Ask the plugin's author, or take %s out of awsenv_hooks.", h.Name)}
			}
			set = put(set, v)
		}
		for _, m := range msgs {
			if line := safeLine(m); line != "" {
				fmt.Fprintf(r.Stderr, "awsenv: %s: %s\n", h.Name, line)
			}
		}
	}
	if fresh {
		if err := cache.Save(keep); err != nil {
			r.debugf("could not keep the hooks' answers with the session: %v", err)
		}
	}
	return set, nil
}

// put sets v in set, replacing one of the same name where it was.
func put(set []plugins.Variable, v plugins.Variable) []plugins.Variable {
	for i := range set {
		if set[i].Name == v.Name {
			set[i].Value = v.Value
			return set
		}
	}
	return append(set, v)
}

// checkVariable refuses a name hooks may not set, or a value no
// environment can hold; it never quotes the value.
func checkVariable(name, value string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if strings.IndexByte(value, 0) >= 0 {
		return fmt.Errorf("%s to a value with a NUL byte, which no environment variable can hold", name)
	}
	if len(value) > MaxValueBytes {
		return fmt.Errorf("%s to %d bytes, more than the %d awsenv exports", name, len(value), MaxValueBytes)
	}
	return nil
}

// Unset calls each plugin hook's Unset for profile, best effort: a hook
// that fails or is gone is a note on Stderr, never an error, since the
// variables must go whatever the plugin does.
func (r *Runner) Unset(ctx context.Context, sw Switch) {
	if len(sw.Settings.Hooks) == 0 {
		return
	}
	if err := r.ready(sw); err != nil {
		fmt.Fprintf(r.Stderr, "awsenv: note: the hooks of %s were not told: %s\n", sw.Profile, safeLine(err.Error()))
		return
	}
	for _, h := range sw.Settings.Hooks {
		r.debugf("hook %s: Unset for %s", h.Name, sw.Profile)
		resp, err := r.Hooks.Unset(ctx, h.Name, plugins.UnsetRequest{Profile: sw.Profile, Options: h.Options})
		if errors.Is(err, plugins.ErrUnimplemented) {
			continue
		}
		if err != nil {
			fmt.Fprintf(r.Stderr, "awsenv: note: hook %s: Unset failed: %s; its variables are removed anyway.\n", h.Name, safeLine(err.Error()))
			continue
		}
		for _, m := range resp.Messages {
			if line := safeLine(m); line != "" {
				fmt.Fprintf(r.Stderr, "awsenv: %s: %s\n", h.Name, line)
			}
		}
	}
}

// safeLine is text from a plugin (a message, a refusal's reason) made safe
// for the terminal by termsafe, on one line and cut at maxReason bytes.
func safeLine(s string) string {
	return termsafe.Line(strings.Join(strings.Fields(s), " "), maxReason)
}

// VarsName is the variable `use` exports with the names of the variables
// hooks and awsenv_env_* set, so that `unset` and the next `use` remove
// them even when the plugin is gone.
const VarsName = "AWSENV_HOOK_VARS"

// ParseVars reads VarsName's value: names separated by spaces. Names that
// are not valid or that hooks may not set are dropped (the value may have
// been changed by hand): removing PATH would break the shell.
func ParseVars(v string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range strings.Fields(v) {
		if CheckName(n) == nil && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// FormatVars is VarsName's value for these variables.
func FormatVars(vars []plugins.Variable) string {
	names := make([]string, 0, len(vars))
	for _, v := range vars {
		names = append(names, v.Name)
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}
