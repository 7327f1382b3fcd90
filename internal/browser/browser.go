// Package browser opens an address in the person's browser: the one
// opener of `awsenv login` (the IAM Identity Center sign-in page) and
// `awsenv console` (the console sign-in link). It opens only https://
// addresses (and http:// ones on this machine), and runs the opener
// through childproc like every program awsenv starts.
package browser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/profiles"
)

// Check refuses an address the opener must not get: anything but an
// https:// address, or an http:// one on this machine (127.0.0.1,
// localhost, [::1]); one holding spaces, control characters or other
// bytes than printable ASCII; one starting with '-' (an opener would take
// it for an option).
func Check(addr string) error {
	for i := 0; i < len(addr); i++ {
		if c := addr[i]; c <= ' ' || c >= 0x7f {
			return errors.New("the address holds a space, a control character or a byte that is not ASCII")
		}
	}
	u, err := url.Parse(addr)
	switch {
	case strings.HasPrefix(addr, "-"):
		return errors.New("the address starts with '-'")
	case err != nil:
		return errors.New("the address is not a URL")
	case u.Scheme == "https" && u.Host != "" && u.Opaque == "":
		return nil
	case u.Scheme == "http" && u.Opaque == "" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1"):
		return nil
	}
	return errors.New("awsenv opens only https:// addresses (and http:// ones on this machine) in a browser")
}

// Options are what a caller may ask of the browser beyond the address.
type Options struct {
	// Profile is the browser profile to open the address in: Chrome's and
	// Chromium's --profile-directory=NAME, Firefox's -P NAME. Only an
	// opener that is one of those browsers takes it (open and xdg-open
	// cannot pass it on); with another, a note says so and the address
	// opens as without it.
	Profile string
}

// Open opens addr after Check: with $BROWSER (read with getenv), a
// colon-separated list of commands tried in turn, in each of which %s
// stands for the address (else it is added as the last argument); else
// with open on macOS, else with xdg-open where there is a display. It
// waits for the opener (xdg-open and a running browser hand the address
// over and return; ctx ends the wait), whose output goes to stderr made
// safe and capped. The opener and the browser it starts stay running
// after awsenv: they are the person's. On error the caller shows the
// address for the person to open. Options (at most one) choose the
// browser profile.
func Open(ctx context.Context, getenv func(string) string, stderr io.Writer, addr string, options ...Options) error {
	var opt Options
	if len(options) > 0 {
		opt = options[0]
	}
	if err := Check(addr); err != nil {
		return err
	}
	if err := checkProfile(opt.Profile); err != nil {
		return err
	}
	commands, err := openers(getenv)
	if err != nil {
		return err
	}
	for _, words := range commands {
		if opt.Profile != "" {
			extra := profileArgs(words[0], opt.Profile)
			if extra == nil {
				fmt.Fprintf(stderr, "awsenv: %s is not Chrome, Chromium or Firefox, so the browser profile %s is not passed to it. Set $BROWSER to one of those to choose a profile.\n",
					words[0], opt.Profile)
			}
			words = append(append(words[:1:1], extra...), words[1:]...)
		}
		argv := make([]string, 0, len(words)+1)
		replaced := false
		for _, w := range words {
			if strings.Contains(w, "%s") {
				w, replaced = strings.ReplaceAll(w, "%s", addr), true
			}
			argv = append(argv, w)
		}
		if !replaced {
			argv = append(argv, addr) // one argument, whole
		}
		if err = run(ctx, stderr, argv); err == nil || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// profileArgs are the arguments that choose browser profile name for the
// opener cmd, by the program's name; nil for a program that is none of
// the browsers that take one.
func profileArgs(cmd, name string) []string {
	base := strings.ToLower(filepath.Base(cmd))
	switch {
	case strings.Contains(base, "chrome"), strings.Contains(base, "chromium"):
		return []string{"--profile-directory=" + name}
	case strings.Contains(base, "firefox"):
		return []string{"-P", name}
	}
	return nil
}

// checkProfile refuses a browser profile name that a browser could read
// as an option, or that holds control characters.
func checkProfile(name string) error {
	if strings.HasPrefix(name, "-") {
		return errors.New("the browser profile name starts with '-'")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < ' ' || c == 0x7f {
			return errors.New("the browser profile name holds a control character")
		}
	}
	return nil
}

// CanOpen reports whether a sign-in that must come back to this machine
// (the browser sign-in with PKCE, whose browser is redirected to
// 127.0.0.1) can open a browser here: with $BROWSER, always (the person
// chose it); over SSH (SSH_CONNECTION or SSH_TTY set), never otherwise (a
// browser would open on the far machine, or not at all); on macOS, yes;
// on Windows, no (Open needs $BROWSER there); elsewhere, where there is a
// display (DISPLAY or WAYLAND_DISPLAY) and xdg-open. Where it cannot, the
// sign-in uses the device flow.
func CanOpen(getenv func(string) string) bool {
	if getenv("BROWSER") != "" {
		return true
	}
	if getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "" {
		return false
	}
	_, err := openers(getenv)
	return err == nil
}

// openers are the commands to try, as words.
func openers(getenv func(string) string) ([][]string, error) {
	if b := getenv("BROWSER"); b != "" {
		var out [][]string
		var err error
		for _, entry := range strings.Split(b, ":") {
			words, serr := profiles.SplitCommand(entry)
			switch {
			case serr != nil:
				err = fmt.Errorf("$BROWSER: %w", serr)
			case len(words) > 0:
				out = append(out, words)
			}
		}
		if len(out) == 0 {
			if err == nil {
				err = errors.New("$BROWSER names no command")
			}
			return nil, err
		}
		return out, nil
	}
	switch runtime.GOOS {
	case "darwin":
		return [][]string{{"open"}}, nil
	case "windows":
		return nil, errors.New("no $BROWSER, and awsenv opens no browser by itself on Windows")
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return nil, errors.New("no $BROWSER and no display")
	}
	if _, err := exec.LookPath("xdg-open"); err != nil {
		return nil, errors.New("no $BROWSER and no xdg-open")
	}
	return [][]string{{"xdg-open"}}, nil
}

// run runs one opener through childproc.
func run(ctx context.Context, stderr io.Writer, argv []string) error {
	_, err := childproc.Run(ctx, childproc.Spec{Argv: argv, Stderr: stderr, StdoutToStderr: true, Detach: true})
	var ee *exec.ExitError
	var se *childproc.StartError
	switch {
	case err == nil, errors.Is(err, childproc.ErrHeldOpen):
		// A browser it started holds its output: it opened.
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &ee):
		return fmt.Errorf("%s exited with status %d", argv[0], ee.ExitCode())
	case errors.As(err, &se):
		return fmt.Errorf("%s could not be started", argv[0])
	}
	return fmt.Errorf("%s failed: %w", argv[0], err)
}
