package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/internal/credproc"
	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/logincache"
)

// Flags shared by the commands that get credentials.
func credentialFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "mfa-code", Usage: "the 6-digit `CODE` from your MFA device, instead of asking"},
		&cli.StringFlag{Name: "duration", Usage: "how long new credentials last (`DURATION` such as 12h, 90m, 3600)"},
		&cli.BoolFlag{Name: "refresh", Usage: "get new credentials even if cached ones are still fresh"},
		&cli.BoolFlag{Name: "no-input", Usage: "never ask a person for an MFA code (mfa_process and --mfa-code still give one): fail (exit 4) when only a new code would do"},
		debugFlag,
	}
}

func credentialOptions(c *cli.Context) (credflow.Options, error) {
	opt := credflow.Options{Refresh: c.Bool("refresh")}
	if v := c.String("duration"); v != "" {
		d, err := profiles.ParseDuration(v)
		if err != nil || d == 0 {
			return opt, usageErrorf("--duration %q is not a duration. Write it like 12h, 90m or 3600 (seconds).", v)
		}
		opt.Duration = d
	}
	return opt, nil
}

// profileOrCurrent is the PROFILE argument, else the current profile
// (currentProfile): every command whose PROFILE is optional takes it so.
func profileOrCurrent(c *cli.Context, d *Deps) (string, error) {
	if c.NArg() > 0 {
		return profileArg(c)
	}
	if c.Command.Name == "console" && noCurrentProfile(d) && canPick(c, d) {
		return profileOrPick(c, d)
	}
	name := currentProfile(d)
	return name, profiles.ValidateName(name)
}

// currentProfiles are the names that say which profile is current, the
// first set winning: the session awsenv exported (AWSENV_PROFILE), then
// the AWS variables in botocore's order (configprovider.py's 'profile':
// AWS_DEFAULT_PROFILE, then AWS_PROFILE), which is what the AWS CLI reads.
// The Go SDK lets AWS_PROFILE win instead; awsenv follows the CLI, whose
// files and precedence it reads everywhere else (TestProfileVarsBotocore
// reads botocore's order). Empty ones are left out.
func currentProfiles(d *Deps) []string {
	var out []string
	for _, v := range append([]string{"AWSENV_PROFILE"}, profileVars...) {
		if n := d.Getenv(v); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// profileVars are the AWS variables naming the current profile, in
// botocore's order.
var profileVars = []string{"AWS_DEFAULT_PROFILE", "AWS_PROFILE"}

// currentProfile is the current profile (currentProfiles), else default.
func currentProfile(d *Deps) string {
	return firstNonEmpty(append(currentProfiles(d), "default")...)
}

// profileArg takes the PROFILE argument and checks it before any work.
func profileArg(c *cli.Context) (string, error) {
	name := c.Args().First()
	if name == "" {
		return "", usageErrorf("%s needs a profile name. Run `awsenv list` to see your profiles.", c.Command.Name)
	}
	if err := profiles.ValidateName(name); err != nil {
		return "", err
	}
	if c.Command.Name != "exec" && c.NArg() > 1 {
		return "", usageErrorf("%s takes one profile name, got %d arguments. Flags go with a leading --, e.g. awsenv %s %s --shell fish.",
			c.Command.Name, c.NArg(), c.Command.Name, name)
	}
	return name, nil
}

// getCredentials runs the credential flow for one profile with the
// command's flags.
func getCredentials(c *cli.Context, d *Deps, name string) (*credflow.Result, error) {
	opt, err := credentialOptions(c)
	if err != nil {
		return nil, err
	}
	return getCredentialsWith(c, d, name, opt)
}

// getCredentialsWith runs the credential flow with options already made.
func getCredentialsWith(c *cli.Context, d *Deps, name string, opt credflow.Options) (*credflow.Result, error) {
	f, err := newFlowFor(c, d, name)
	if err != nil {
		return nil, err
	}
	return f.Get(c.Context, name, opt)
}

// loadConfig reads the AWS files and awsenv's own config.
func loadConfig(d *Deps) (*profiles.Config, *profiles.Global, error) {
	cfg, err := profiles.Load(awsFiles(d))
	if err != nil {
		return nil, nil, err
	}
	global, err := profiles.LoadGlobal(filepath.Join(d.ConfigHome, "awsenv", "config"))
	if err != nil {
		return nil, nil, err
	}
	return cfg, global, nil
}

// newFlowFor is newFlow for getting the credentials of profile name. An
// awsenv run by a credential_process of an awsenv above that gets the same
// profile refuses to loop before it reads anything.
func newFlowFor(c *cli.Context, d *Deps, name string) (*credflow.Flow, error) {
	if err := credproc.CheckNested(d.Getenv, name); err != nil {
		return nil, err
	}
	f, err := newFlow(c, d)
	if err != nil {
		return nil, err
	}
	f.Processes.Asking = name
	if err := applySwitchFlags(c, d, f.Config, name); err != nil {
		return nil, err
	}
	return f, nil
}

// newFlow wires the credential flow for one command run.
func newFlow(c *cli.Context, d *Deps) (*credflow.Flow, error) {
	cfg, global, err := loadConfig(d)
	if err != nil {
		return nil, err
	}
	debug := debugOn(c, d)
	debugf := func(format string, args ...any) {
		if debug {
			say(d.Stderr, "debug: "+format, args...)
		}
	}
	store, err := openSessions(d, global, debugf)
	if err != nil {
		return nil, err
	}
	ssoCache, err := ssoTokenCache(d, global)
	if err != nil {
		return nil, err
	}
	var static plugins.Provider
	if code := c.String("mfa-code"); code != "" {
		s, err := plugins.NewStatic(code)
		if err != nil {
			return nil, err
		}
		static = s
	}
	client := d.pluginClient(global, debug)
	f := &credflow.Flow{
		Config:   cfg,
		Global:   global,
		Store:    store,
		STS:      client,
		IAM:      client,
		Sources:  client,
		SSO:      client,
		SSOCache: ssoCache,
		Signin:   client,
		// Web identity roles and credential_source (webidentity.go).
		WebIdentity: client,
		Instance:    client,
		Getenv:      d.Getenv,
		// The AWS CLI's `aws login` cache (login_session profiles).
		LoginCache: &logincache.Cache{Dir: logincache.Dir(d.Home, d.Getenv)},
		// Every sign-in ends: the service's expiresIn and interval, bounded.
		DeviceLimits: deviceLimits(d),
		Processes:    processSource(d),
		Keyring:      newKeyring(d, global),
		Gate:         trustGate(),
		Now:          d.Now,
		Sleep:        credflow.SleepContext,
		LocalUser:    firstNonEmpty(d.Getenv("USER"), d.Getenv("LOGNAME")),
		Terminal:     func() bool { return hasTerminal(d) },
		NoInput:      c.Bool("no-input"),
		Blocking:     d.interruptible,
		ClockSkew:    client.ClockSkew,
		Notef: func(format string, args ...any) {
			say(d.Stderr, format, args...)
		},
		Debugf: debugf,
		// Every provider runs in the helper, so this binary links no
		// plugin machinery; --mfa-code needs none.
		Provider: func(s profiles.Settings) (plugins.Provider, error) {
			if static != nil {
				return static, nil
			}
			// A command is about to run: the files that chose it must be
			// ones only you (or root) could have written.
			if err := trustGate().Check(s.MFAChoice()); err != nil {
				return nil, err
			}
			p := &helper.Provider{Client: client, Provider: s.MFAProvider, Debug: debug,
				Timeout: s.MFATimeout, SHA256: global.PluginPin(s.MFAProvider)}
			if s.MFAProvider == "process" {
				p.Extra = map[string]string{"command": s.MFAProcess}
			}
			return p, nil
		},
	}
	for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if f.EnvRegion = d.Getenv(v); f.EnvRegion != "" {
			f.EnvRegionVar = v
			break
		}
	}
	// A sign-in that starts by itself (use, exec, credential-process) is
	// shown the same way; the browser opens where one can.
	f.ShowDevice = func(dev credflow.Device) { showDevice(c.Context, d, dev, false) }
	// The browser sign-in with PKCE where a browser can be opened here.
	f.PKCE = pkceFor(c, d, client)
	return f, nil
}

// trustGate is the one trust gate of this run: files that choose what
// awsenv runs or exports must be the user's (or root's) alone.
func trustGate() profiles.Gate { return profiles.Gate{UID: os.Getuid()} }

func hasTerminal(d *Deps) bool {
	t, err := d.OpenTTY()
	if err != nil {
		return false
	}
	t.Close()
	return true
}

// helperPath finds awsenv-helper: $AWSENV_HELPER, else beside this
// binary (where install.sh puts it), else on PATH. awsenv-helper-full
// is beside it (fullHelperPath).
func helperPath(d *Deps) string {
	if p := d.Getenv("AWSENV_HELPER"); p != "" {
		return p
	}
	beside := filepath.Join(filepath.Dir(d.Executable), "awsenv-helper")
	if _, err := exec.LookPath(beside); err == nil {
		return beside
	}
	if p, err := exec.LookPath("awsenv-helper"); err == nil {
		return p
	}
	return beside // the error then names where it was expected
}

// fullHelperPath is awsenv-helper-full, beside awsenv-helper.
func fullHelperPath(d *Deps) string { return helper.FullPath(helperPath(d)) }

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// timeLeft prints a duration the way the prompt does: 42m, 3h05m, expired.
func timeLeft(exp, now time.Time) string {
	if exp.IsZero() {
		return "-"
	}
	d := exp.Sub(now)
	if d <= 0 {
		return "expired"
	}
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h > 0 {
		return fmt.Sprintf("%dh%02dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}

// processSource runs credential_process commands in this process (no
// helper: temporary credentials used as they are then cost one process),
// with awsenv's environment and its stderr made safe; the flow's trust
// gate checks the file naming the command first.
func processSource(d *Deps) *credflow.ProcessSource {
	var env []string
	if d.Environ != nil {
		env = d.Environ()
	}
	r := &credproc.Runner{Environ: env, Stderr: d.Stderr}
	return &credflow.ProcessSource{
		Run: func(ctx context.Context, req credproc.Request) ([]byte, error) {
			d.interruptible()
			return r.Run(ctx, req)
		},
		Self: d.Executable,
	}
}
