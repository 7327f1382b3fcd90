// Package tool runs a command-line program that prints a TOTP code, for
// the built-in providers that wrap such programs (ykman, op). It owns the
// mechanism: the timeout, passing the program's stderr on, asking again
// while the program gives the code AWS just rejected, and reading six
// digits from stdout. The providers own the arguments and every message
// that names a fix.
package tool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/shell/shellquote"
)

// Runner is one provider's way of running its program.
type Runner struct {
	Provider string        // Provider of the errors Run makes itself
	Source   string        // what gives the code, as messages name it: "the YubiKey"
	Command  string        // program name or path
	Args     []string      // the program's arguments
	Timeout  time.Duration // bounds the whole Run, retries included; must be > 0
	Retry    time.Duration // pause before asking again for a rejected code
	Stderr   io.Writer     // gets the program's stderr as it comes; nil discards it

	// Only the provider knows the fixes, so it supplies them.
	NotInstalled string // Problem when Command cannot be found
	InstallFix   string // its Fix
	TimeoutFix   string // Fix when one run did not end within Timeout
	NoNewCodeFix string // Fix when only the rejected code came within Timeout
	// Failed turns a run that failed (runErr) into an error with the fix;
	// stderr is the first 64 KiB the program wrote there.
	Failed func(runErr error, stderr string) *plugins.Error
	// NotACode is the error for a run that succeeded but printed out (its
	// stdout, trimmed), which is not six digits.
	NotACode func(out string) *plugins.Error
}

// Run runs the program until it prints a code other than req.Rejected,
// or fails, or Timeout passes. When ctx ends first, Run returns ctx.Err().
func (r *Runner) Run(ctx context.Context, req plugins.Request) (string, error) {
	stderr := r.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	tctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	noNewCode := func() error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return r.fail(fmt.Sprintf("%s gave no new code within %s", r.Source, r.Timeout), nil, r.NoNewCodeFix)
	}
	for repeated := false; ; repeated = true {
		code, err := r.once(ctx, tctx, stderr)
		if err != nil {
			// A retry cut short by the timeout is still a rejected code.
			if repeated && tctx.Err() != nil {
				return "", noNewCode()
			}
			return "", err
		}
		if req.Rejected == "" || code != req.Rejected {
			return code, nil
		}
		fmt.Fprintf(stderr, "awsenv: %s gave the code AWS just rejected; asking again in %s.\n", r.Source, r.Retry)
		t := time.NewTimer(r.Retry)
		select {
		case <-tctx.Done():
			t.Stop()
			return "", noNewCode()
		case <-t.C:
		}
	}
}

// once runs the program a single time, through childproc.Run (stdin
// /dev/null, its stderr made safe and capped on its way to the person,
// dying with the helper, whatever it leaves running ended). parent is the
// caller's context, ctx the one bounded by the timeout.
func (r *Runner) once(parent, ctx context.Context, stderr io.Writer) (string, error) {
	res, runErr := childproc.Run(ctx, childproc.Spec{
		Argv:       append([]string{r.Command}, r.Args...),
		Stderr:     stderr,
		KeepStderr: capSize,
	})
	var notStarted *childproc.StartError
	switch {
	case runErr == nil:
	case errors.As(runErr, &notStarted) && (errors.Is(runErr, exec.ErrNotFound) || errors.Is(runErr, fs.ErrNotExist)):
		return "", r.fail(r.NotInstalled, runErr, r.InstallFix)
	case parent.Err() != nil:
		return "", parent.Err()
	case ctx.Err() != nil:
		return "", r.fail(fmt.Sprintf("no code from %s after %s", r.Source, r.Timeout), nil, r.TimeoutFix)
	default:
		return "", r.Failed(runErr, string(res.Stderr))
	}
	code := strings.TrimSpace(string(res.Stdout))
	if !plugins.ValidCode(code) {
		return "", r.NotACode(code)
	}
	return code, nil
}

func (r *Runner) fail(problem string, err error, fix string) error {
	return &plugins.Error{Provider: r.Provider, Problem: problem, Err: err, Fix: fix}
}

// CommandLine is name and args as a POSIX shell command, for messages
// that tell the person what to run to see the program's own output.
func CommandLine(name string, args []string) string {
	return shellquote.Command(append([]string{name}, args...)...)
}

// Quote writes s for a POSIX shell, only when it needs it, so messages
// show names as the person would type them.
func Quote(s string) string { return shellquote.Word(s) }

// capSize is how much of the program's stderr Failed gets.
const capSize = 64 << 10
