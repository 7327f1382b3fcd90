// Package ykman reads a TOTP code from the OATH application of a YubiKey
// with Yubico's command-line tool (yubikey-manager 4 or later):
//
//	ykman [--device SERIAL] oath accounts code --single ACCOUNT
//
// It reads the profile keys awsenv_mfa_account (required: the OATH account
// name, or a part of it that matches exactly one account) and
// awsenv_mfa_device (optional: the serial of the YubiKey to use when more
// than one is connected).
//
// ykman's stderr is passed on to the person as it comes ("Touch your
// YubiKey..."), and a copy is kept to turn ykman's errors into a fix.
package ykman

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins"
)

const (
	// DefaultCommand is the program run when Provider.Command is empty.
	DefaultCommand = "ykman"
	// DefaultTimeout bounds a whole Code call when Provider.Timeout is 0:
	// the person may have to find and touch the key.
	DefaultTimeout = 2 * time.Minute
	// DefaultRetry is the pause before asking the YubiKey again when it
	// gave the code AWS just rejected (TOTP codes change every 30 s).
	DefaultRetry = 5 * time.Second
)

// Provider runs ykman. The zero value is ready to use.
type Provider struct {
	Stderr  io.Writer     // ykman's stderr goes here; nil discards it
	Command string        // the ykman program; DefaultCommand if empty
	Timeout time.Duration // DefaultTimeout if 0
	Retry   time.Duration // DefaultRetry if 0
}

// Name is the value of awsenv_mfa_provider that selects this provider.
func (p *Provider) Name() string { return "ykman" }

// Args are ykman's arguments for account and device (device may be empty).
// An account that starts with "-" comes after "--" so ykman does not read
// it as an option.
func Args(account, device string) []string {
	var args []string
	if device != "" {
		args = append(args, "--device", device)
	}
	args = append(args, "oath", "accounts", "code", "--single")
	if strings.HasPrefix(account, "-") {
		args = append(args, "--")
	}
	return append(args, account)
}

// Code runs ykman until it prints a code other than req.Rejected, or
// fails, or the timeout passes.
func (p *Provider) Code(ctx context.Context, req plugins.Request) (string, error) {
	account := req.Options["account"]
	device := strings.TrimSpace(req.Options["device"])
	if strings.TrimSpace(account) == "" {
		return "", p.fail(req, "no OATH account is set for profile "+req.Profile, nil,
			"Add awsenv_mfa_account = NAME to the profile, with NAME as `ykman oath accounts list` shows it.")
	}
	if device != "" && !digits(device) {
		return "", p.fail(req, fmt.Sprintf("awsenv_mfa_device = %s is not a YubiKey serial number", device), nil,
			"Set awsenv_mfa_device to the key's serial number, one of those `ykman list --serials` prints.")
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	retry := p.Retry
	if retry <= 0 {
		retry = DefaultRetry
	}
	stderr := p.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := Args(account, device)
	noNewCode := func() error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return p.fail(req, fmt.Sprintf("the YubiKey gave no new code within %s", timeout), nil,
			"Wait for the next code (they change every 30 seconds) and run the command again. If AWS rejects fresh codes, check that "+
				quote(account)+" is the account registered as MFA device "+req.Serial+" and that this computer's clock is right.")
	}
	for repeated := false; ; repeated = true {
		code, err := p.once(ctx, tctx, timeout, req, args, stderr)
		if err != nil {
			if repeated && tctx.Err() != nil {
				return "", noNewCode()
			}
			return "", err
		}
		if req.Rejected == "" || code != req.Rejected {
			return code, nil
		}
		fmt.Fprintf(stderr, "awsenv: the YubiKey gave the code AWS just rejected; asking again in %s.\n", retry)
		t := time.NewTimer(retry)
		select {
		case <-tctx.Done():
			t.Stop()
			return "", noNewCode()
		case <-t.C:
		}
	}
}

// once runs ykman a single time. parent is the caller's context, ctx the
// one bounded by the timeout.
func (p *Provider) once(parent, ctx context.Context, timeout time.Duration, req plugins.Request, args []string, stderr io.Writer) (string, error) {
	name := p.Command
	if name == "" {
		name = DefaultCommand
	}
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errs capped
	cmd.Stdout = &out
	cmd.Stderr = io.MultiWriter(stderr, &errs)
	cmd.WaitDelay = time.Second
	runErr := cmd.Run()
	manual := "`" + commandLine(name, args) + "`"
	switch {
	case runErr == nil:
	case errors.Is(runErr, exec.ErrNotFound) || (cmd.Process == nil && errors.Is(runErr, fs.ErrNotExist)):
		return "", p.fail(req, "ykman is not installed", runErr,
			"Install yubikey-manager (Debian/Ubuntu: `sudo apt install yubikey-manager`; macOS: `brew install ykman`; "+
				"others: https://docs.yubico.com/software/yubikey/tools/ykman/) so that `ykman` is on your PATH.")
	case parent.Err() != nil:
		return "", parent.Err()
	case ctx.Err() != nil:
		return "", p.fail(req, fmt.Sprintf("no code from the YubiKey after %s", timeout), nil,
			"Touch your YubiKey when it blinks (the account requires touch), then run the command again.")
	default:
		return "", p.classify(req, argAccount(args), argDevice(args), errs.String(), runErr, manual)
	}
	code := strings.TrimSpace(out.String())
	if !plugins.ValidCode(code) {
		return "", p.fail(req, "ykman did not print a 6-digit code for account "+quote(argAccount(args)), nil,
			"AWS needs a 6-digit TOTP account (Steam or 8-digit accounts do not work); run "+manual+" to see what it prints.")
	}
	return code, nil
}

// classify turns ykman's stderr into an error with the fix. The texts are
// those of ykman 4.0.9 (ykman/cli/__main__.py and ykman/cli/oath.py).
func (p *Provider) classify(req plugins.Request, account, device, stderr string, runErr error, manual string) error {
	has := func(s string) bool { return strings.Contains(stderr, s) }
	switch {
	case has("No YubiKey detected"), has("No YubiKey found"):
		fix := "Insert your YubiKey (`ykman list` should show it) and run the command again."
		if has("PC/SC not available") {
			fix = "ykman reads OATH codes through the smart-card service pcscd, which is not running: start it " +
				"(`sudo systemctl enable --now pcscd.socket`; Debian/Ubuntu: `sudo apt install pcscd` first), insert your YubiKey and run the command again."
		} else {
			fix += " On Linux, ykman also needs the smart-card service: check `systemctl status pcscd`."
		}
		return p.fail(req, "no YubiKey detected", nil, fix)
	case has("Multiple YubiKeys"):
		return p.fail(req, "more than one YubiKey is connected", nil,
			"Add awsenv_mfa_device = SERIAL to profile "+req.Profile+", with the serial of the key that holds "+quote(account)+
				" (`ykman list --serials` prints the serials), or unplug the other keys.")
	case has("Failed connecting to a YubiKey with serial"):
		return p.fail(req, "no YubiKey with serial "+device+" is connected", nil,
			"Insert that YubiKey, or set awsenv_mfa_device in profile "+req.Profile+" to a serial `ykman list --serials` prints.")
	case has("No matching account found"):
		return p.fail(req, "the YubiKey has no OATH account matching "+quote(account), nil,
			"Set awsenv_mfa_account in profile "+req.Profile+" to an account `ykman oath accounts list` shows.")
	case has("Multiple matches"):
		return p.fail(req, "more than one OATH account matches "+quote(account), nil,
			"Set awsenv_mfa_account in profile "+req.Profile+" to the full name of one account, as `ykman oath accounts list` shows it.")
	case has("Touch account timed out"):
		return p.fail(req, "the YubiKey was not touched in time", nil,
			"Run the command again and touch your YubiKey when it blinks.")
	case has("Authentication to the YubiKey failed"):
		return p.fail(req, "wrong password for the YubiKey's OATH accounts", nil,
			"Run `ykman oath access remember` once and type the OATH password, so ykman stops asking for it.")
	case has("Enter the password"):
		return p.fail(req, "the YubiKey's OATH accounts are password-protected and no password was given", nil,
			"Run `ykman oath access remember` once and type the OATH password, so ykman stops asking for it.")
	}
	return p.fail(req, "ykman failed", describe(runErr, stderr),
		"Run "+manual+" to see why; it must print the 6-digit code.")
}

func (p *Provider) fail(req plugins.Request, problem string, err error, fix string) error {
	return &plugins.Error{Provider: p.Name(), Problem: problem, Err: err, Fix: fix}
}

// describe is ykman's own error message (its "Error: ..." line), or else
// its last line of stderr; runErr if ykman said nothing.
func describe(runErr error, stderr string) error {
	msg := ""
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(l)
		if rest, ok := strings.CutPrefix(l, "Error: "); ok {
			msg = rest
			break
		}
		if l != "" {
			msg = l
		}
	}
	if msg = strings.TrimRight(msg, ":. "); msg == "" {
		return runErr
	}
	return fmt.Errorf("ykman said: %s", msg)
}

// argAccount and argDevice read Args' result back, so messages name what ran.
func argAccount(args []string) string { return args[len(args)-1] }

func argDevice(args []string) string {
	if len(args) > 1 && args[0] == "--device" {
		return args[1]
	}
	return ""
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// quote writes s for a POSIX shell, only when it needs it.
func quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func commandLine(name string, args []string) string {
	words := []string{quote(name)}
	for _, a := range args {
		words = append(words, quote(a))
	}
	return strings.Join(words, " ")
}

// capped keeps the first 64 KiB written to it and drops the rest, so a
// runaway tool cannot fill memory.
type capped struct{ bytes.Buffer }

const capSize = 64 << 10

func (c *capped) Write(b []byte) (int, error) {
	if room := capSize - c.Len(); room > 0 {
		c.Buffer.Write(b[:min(len(b), room)])
	}
	return len(b), nil
}
