package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/plugins/termsafe"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes, documented in the README.
const (
	exitOK      = 0
	exitError   = 1 // anything not listed below
	exitUsage   = 2 // bad command line or profile name
	exitConfig  = 3 // a config, credentials or session file problem
	exitMFA     = 4 // no MFA code could be had
	exitAWS     = 5 // AWS refused or could not be reached
	exitRefused = 6 // a PreUse hook or awsenv_confirm refused the switch
	exitPlugin  = 7 // a hook or credential-source plugin failed, or set a variable awsenv refuses
	exitKeyring = 8 // the secret store could not be used: no D-Bus session, locked, wrong passphrase, backend not here
	exitNoExec  = 127
	exitSignal  = 130
)

func newApp(d *Deps) *cli.App {
	app := &cli.App{
		Name:      "awsenv",
		Usage:     "switch AWS profiles in your shell, with MFA sessions shared across shells",
		Version:   version,
		Writer:    d.Stdout,
		ErrWriter: d.Stderr,
		Flags:     []cli.Flag{debugFlag},
		Commands: []*cli.Command{
			newUseCommand(d),
			newUnsetCommand(d),
			newExecCommand(d),
			newCredentialProcessCommand(d),
			newConsoleCommand(d),
			newListCommand(d),
			newLoginCommand(d),
			newLogoutCommand(d),
			newSSOCommand(d),
			newSessionsCommand(d),
			newPluginsCommand(d),
			newVersionCommand(d),
			newInitCommand(d),
			newPromptCommand(d),
			newExplainCommand(d),
			newDoctorCommand(d),
			newKeysCommand(d),
			newRotateCommand(d),
		},
		HideVersion: true,
		// awsenv turns errors into messages and exit codes in one place
		// (Main); urfave/cli's handler would print and os.Exit itself.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError,
	}
	app.Flags = withNames(app.Flags)
	helpFlagOnce.Do(func() { cli.HelpFlag = withNames([]cli.Flag{cli.HelpFlag})[0] })
	for _, c := range app.Commands {
		setUsageError(c)
	}
	return app
}

// helpFlagOnce wraps urfave/cli's --help flag, which every command gets,
// once (withNames).
var helpFlagOnce sync.Once

// setUsageError sets c's usage error handler, and its flags' names
// (withNames), and its subcommands' alike.
func setUsageError(c *cli.Command) {
	c.OnUsageError = onUsageError
	c.Flags = withNames(c.Flags)
	for _, s := range c.Subcommands {
		setUsageError(s)
	}
}

// onUsageError stops urfave/cli from printing the whole help to stdout,
// which an eval would run.
func onUsageError(c *cli.Context, err error, _ bool) error {
	return usageErrorf("%v. Run `awsenv help %s` for usage.", err, c.Command.Name)
}

// debugFlag is --debug. Its environment variable, AWSENV_DEBUG, is read by
// Main (envBool), not by urfave/cli: urfave/cli parses it with
// strconv.ParseBool and fails every command on a value such as "yes".
var debugFlag = &cli.BoolFlag{Name: "debug", Usage: "explain each step on stderr (never secrets); AWSENV_DEBUG=1 does the same"}

// debugOn reports whether this run explains its steps: --debug before or
// after the command name, or AWSENV_DEBUG set to a true value. (c.Bool
// alone reads only the innermost context that defines the flag, which
// would miss `awsenv --debug use prod`.)
func debugOn(c *cli.Context, d *Deps) bool {
	for _, cc := range c.Lineage() {
		if cc.Bool("debug") {
			return true
		}
	}
	return d.debugEnv
}

// Main runs awsenv and returns the exit status.
func Main(args []string, d *Deps) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := &interrupts{cancel: cancel, stderr: d.Stderr}
	defer in.stop()
	d.catchSignals = in.catch
	d.debugEnv = envBool(d, "AWSENV_DEBUG")
	d.bufferStdout()
	app := newApp(d)
	err := app.RunContext(ctx, permuteArgs(app, args))
	d.closeHelper()
	if ferr := d.flushStdout(); ferr != nil && err == nil {
		err = fmt.Errorf("write the output: %w. Check where stdout goes (a full disk, a closed pipe).", ferr)
	}
	if err == nil {
		return exitOK
	}
	code, msg := describe(err)
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		code, msg = exitSignal, "interrupted; nothing was changed."
	}
	if msg != "" {
		// Messages quote what plugins, tools and servers said: nothing in
		// them may act on the terminal, or fill it.
		fmt.Fprintf(d.Stderr, "awsenv: %s\n", termsafe.Clean(msg, termsafe.MaxMessage))
	}
	return code
}

// interrupts turns SIGINT and SIGTERM into the end of the run's context.
// It is switched on only when a run may block (a lock to wait on, the
// helper to run, a rotation): asking the runtime for signals costs a
// cached `use` a third of its start-up, and until then the default action
// (the process ends, nothing on stdout) is what an interrupt should do.
type interrupts struct {
	once   sync.Once
	cancel context.CancelFunc
	stderr io.Writer
	ch     chan os.Signal
}

// catch switches interrupts on. The first one cancels the run, which stops
// what can stop and undoes what it must; a second one ends awsenv at once.
func (in *interrupts) catch() {
	in.once.Do(func() {
		in.ch = make(chan os.Signal, 2)
		signal.Notify(in.ch, os.Interrupt, syscall.SIGTERM)
		go func() {
			if _, ok := <-in.ch; !ok {
				return
			}
			in.cancel()
			if _, ok := <-in.ch; !ok {
				return
			}
			fmt.Fprintln(in.stderr, "awsenv: interrupted again; stopping now.")
			os.Exit(exitSignal)
		}()
	})
}

func (in *interrupts) stop() {
	if in.ch != nil {
		signal.Stop(in.ch)
		close(in.ch)
	}
}

// permuteArgs moves a command's flags in front of its arguments, so
// `awsenv use prod --shell fish` works as people type it (urfave/cli v2
// stops reading flags at the first argument). Everything after "--" is left
// alone: it belongs to the command `awsenv exec` runs.
func permuteArgs(app *cli.App, args []string) []string {
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "--" {
		i++ // app-level flags (all boolean)
	}
	if i >= len(args) {
		return args
	}
	cmd := app.Command(args[i])
	// A subcommand's flags (awsenv keys export PROFILE --yes) go after it.
	for cmd != nil && i+1 < len(args) && cmd.Command(args[i+1]) != nil {
		i++
		cmd = cmd.Command(args[i])
	}
	if cmd == nil || len(cmd.Flags) == 0 {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		isBool := isBoolFlag(f)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	rest := args[i+1:]
	for _, a := range rest {
		if a == "--" {
			break
		}
		if a == "--help" || a == "-h" {
			// `awsenv use prod --help` is a request for use's help.
			return append(append([]string{}, args[:i+1]...), "--help")
		}
	}
	var flags, positional []string
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		if a == "--" {
			positional = append(positional, rest[j:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && takesValue[name] && j+1 < len(rest) {
			j++
			flags = append(flags, rest[j])
		}
	}
	out := append([]string{}, args[:i+1]...)
	out = append(out, flags...)
	return append(out, positional...)
}

// userError is an error with the exit code it deserves.
type userError struct {
	code int
	msg  string
}

func (e *userError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &userError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// exitStatus carries a child's exit status through (awsenv exec).
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// describe is the one place errors become a message and an exit code.
func describe(err error) (int, string) {
	var st exitStatus
	if errors.As(err, &st) {
		return int(st), ""
	}
	var ue *userError
	if errors.As(err, &ue) {
		return ue.code, ue.msg
	}
	return classify(err), err.Error()
}
