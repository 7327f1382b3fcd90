package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/internal/switchhooks"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
	"github.com/awsenv/awsenv/shell"
)

var yesFlag = &cli.BoolFlag{Name: "yes", Usage: "answer awsenv_confirm's question with yes (needed where there is no terminal)"}

// newHookRunner wires switchhooks for one command run, each plugin call
// within the profile's awsenv_hook_timeout (hs.Timeout; 0: the default).
func newHookRunner(c *cli.Context, d *Deps, global *profiles.Global, hs profiles.HookSettings) *switchhooks.Runner {
	debug := debugOn(c, d)
	return &switchhooks.Runner{
		Hooks:    d.pluginClient(global, debug).HooksWithin(hs.Timeout),
		Gate:     trustGate(),
		Confirm:  func(q string) (bool, error) { return askYesNo(d, q) },
		Yes:      c.Bool("yes"),
		Terminal: func() bool { return hasTerminal(d) },
		Stderr:   d.Stderr,
		Debugf: func(format string, args ...any) {
			if debug {
				say(d.Stderr, "debug: "+format, args...)
			}
		},
	}
}

// askYesNo asks on the controlling terminal, never stdin or stdout (stdout
// is what the shell evaluates). An error means there is no terminal.
func askYesNo(d *Deps, question string) (bool, error) {
	tty, err := d.OpenTTY()
	if err != nil {
		return false, err
	}
	defer tty.Close()
	d.interruptible()
	fmt.Fprintf(tty, "%s [y/N] ", question)
	line, _ := bufio.NewReader(tty).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// switchTo makes the credentials of profile name with its hooks around
// them, and returns what `use` exports (and `exec` puts in the child's
// environment): the credentials, the hooks' variables, the names of those
// in AWSENV_HOOK_VARS, and the removal of the previous profile's hook
// variables that this one does not set.
func switchTo(c *cli.Context, d *Deps, name string) ([]shell.Change, error) {
	sw, err := switchWith(c, d, name)
	if err != nil {
		return nil, err
	}
	return sw.changes, nil
}

// switched is a switch done: its changes, and the flow, options and
// result that made them (exec --server renews with the same flow).
type switched struct {
	changes []shell.Change
	flow    *credflow.Flow
	opt     credflow.Options
	res     *credflow.Result
}

// switchWith is switchTo keeping what made the switch.
func switchWith(c *cli.Context, d *Deps, name string) (*switched, error) {
	opt, err := credentialOptions(c)
	if err != nil {
		return nil, err
	}
	f, err := newFlowFor(c, d, name)
	if err != nil {
		return nil, err
	}
	r, err := f.Config.Resolve(name)
	if err != nil {
		return nil, err
	}
	hs, err := f.Global.HookSettings(r)
	if err != nil {
		return nil, err
	}
	runner := newHookRunner(c, d, f.Global, hs)
	sw := switchhooks.Switch{Profile: name, Resolved: r, Settings: hs}
	if len(hs.Hooks) > 0 {
		// PreUse comes before the credentials (no code is asked for a
		// switch a guard refuses), yet on the cached path it must know
		// which plugins serve no PreUse, so as not to start the helper for
		// them: Peek reads the session Get is about to reuse, without a
		// lock, a call or a code. Profiles without plugin hooks skip it.
		if s, _ := f.Peek(name, opt); s != nil {
			sw.Known = s.Hooks
		}
	}
	noPre, err := runner.PreUse(c.Context, sw)
	if err != nil {
		return nil, err
	}
	res, err := f.Get(c.Context, name, opt)
	if err != nil {
		return nil, err
	}
	cache := switchhooks.Cache{NoPreUse: noPre}
	if s := res.Session; s != nil {
		key, created := s.Key, s.Created
		cache.Answers = s.Hooks
		cache.Save = func(a []sessions.HookAnswer) error {
			return f.Store.SaveHooks(c.Context, key, created, a)
		}
	}
	sw.ARN, sw.AccountID = res.Credentials.ARN, res.Credentials.AccountID
	vars, err := runner.PostUse(c.Context, sw, res.Credentials.Expiration, cache)
	if err != nil {
		return nil, err
	}
	return &switched{changes: append(useChanges(res), hookChanges(d.Getenv(switchhooks.VarsName), vars)...),
		flow: f, opt: opt, res: res}, nil
}

// hookChanges sets vars, records their names, and removes the variables of
// the previous switch (prev, AWSENV_HOOK_VARS as found) that vars do not
// set. With no hook variables before or now, it changes nothing, so the
// output of `use` for profiles without hooks stays as it was.
func hookChanges(prev string, vars []plugins.Variable) []shell.Change {
	var ch []shell.Change
	now := map[string]bool{}
	for _, v := range vars {
		now[v.Name] = true
		ch = append(ch, shell.Change{Name: v.Name, Value: v.Value})
	}
	for _, n := range switchhooks.ParseVars(prev) {
		if !now[n] {
			ch = append(ch, removeHookVar(n))
		}
	}
	switch {
	case len(vars) > 0:
		ch = append(ch, shell.Change{Name: switchhooks.VarsName, Value: switchhooks.FormatVars(vars)})
	case prev != "":
		ch = append(ch, shell.Change{Name: switchhooks.VarsName, Unset: true})
	}
	return ch
}

// removeHookVar removes a variable hooks or awsenv_env_* set, from this
// shell only: a fish universal of that name (`set -Ux KUBECONFIG ...`) is
// the user's own and holds for all their sessions, so it stays, and is in
// view again once the global that shadowed it is gone. Every removal of a
// hook variable (`use` switching away, `unset`) goes through here.
func removeHookVar(name string) shell.Change {
	return shell.Change{Name: name, Unset: true, KeepUniversal: true}
}

// unsetHooks tells the hooks of the profile being left (AWSENV_PROFILE)
// that it is, best effort: a profile or config that cannot be read, or a
// hook that fails, is a note on stderr, since the variables must go anyway.
func unsetHooks(c *cli.Context, d *Deps) {
	name := d.Getenv("AWSENV_PROFILE")
	if name == "" || profiles.ValidateName(name) != nil {
		return
	}
	note := func(err error) {
		say(d.Stderr, "note: the hooks of %s were not told about the unset: %v", name, err)
	}
	cfg, global, err := loadConfig(d)
	if err != nil {
		note(err)
		return
	}
	r, err := cfg.Resolve(name)
	if err != nil {
		if _, gerr := cfg.Get(name); gerr != nil && adHocName(name) {
			return // an ad-hoc role (use --role-arn): no profile to tell
		}
		note(err)
		return
	}
	hs, err := global.HookSettings(r)
	if err != nil {
		note(err)
		return
	}
	newHookRunner(c, d, global, hs).Unset(c.Context, switchhooks.Switch{Profile: name, Resolved: r, Settings: hs})
}

// hookExit is the exit code of a hook's error: 6 for a refusal (a PreUse
// hook or awsenv_confirm said no), 7 for a hook or credential source that
// failed or answered what awsenv refuses; 0 when err is neither.
func hookExit(err error) int {
	var he *switchhooks.Error
	var se *credflow.SourceError
	switch {
	case errors.As(err, &he) && he.Refused:
		return exitRefused
	case errors.As(err, &he), errors.As(err, &se):
		return exitPlugin
	}
	return 0
}
