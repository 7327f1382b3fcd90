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
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/builtin/internal/tool"
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
		return "", p.fail("no OATH account is set for profile "+req.Profile, nil,
			"Add awsenv_mfa_account = NAME to the profile, with NAME as `ykman oath accounts list` shows it.")
	}
	if device != "" && !digits(device) {
		return "", p.fail(fmt.Sprintf("awsenv_mfa_device = %s is not a YubiKey serial number", device), nil,
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
	name := p.Command
	if name == "" {
		name = DefaultCommand
	}
	args := Args(account, device)
	manual := "`" + tool.CommandLine(name, args) + "`"
	r := &tool.Runner{
		Provider: p.Name(), Source: "the YubiKey",
		Command: name, Args: args, Timeout: timeout, Retry: retry, Stderr: p.Stderr,
		NotInstalled: "ykman is not installed",
		InstallFix: "Install yubikey-manager (Debian/Ubuntu: `sudo apt install yubikey-manager`; macOS: `brew install ykman`; " +
			"others: https://docs.yubico.com/software/yubikey/tools/ykman/) so that `ykman` is on your PATH.",
		TimeoutFix: "Touch your YubiKey when it blinks (the account requires touch), then run the command again.",
		NoNewCodeFix: "Wait for the next code (they change every 30 seconds) and run the command again. If AWS rejects fresh codes, check that " +
			tool.Quote(account) + " is the account registered as MFA device " + req.Serial + " and that this computer's clock is right.",
		Failed: func(runErr error, stderr string) *plugins.Error {
			return p.classify(req, account, device, stderr, runErr, manual)
		},
		NotACode: func(string) *plugins.Error {
			return p.fail("ykman did not print a 6-digit code for account "+tool.Quote(account), nil,
				"AWS needs a 6-digit TOTP account (Steam or 8-digit accounts do not work); run "+manual+" to see what it prints.")
		},
	}
	return r.Run(ctx, req)
}

// classify turns ykman's stderr into an error with the fix. The texts are
// those of ykman 4.0.9 (ykman/cli/__main__.py and ykman/cli/oath.py).
func (p *Provider) classify(req plugins.Request, account, device, stderr string, runErr error, manual string) *plugins.Error {
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
		return p.fail("no YubiKey detected", nil, fix)
	case has("Multiple YubiKeys"):
		return p.fail("more than one YubiKey is connected", nil,
			"Add awsenv_mfa_device = SERIAL to profile "+req.Profile+", with the serial of the key that holds "+tool.Quote(account)+
				" (`ykman list --serials` prints the serials), or unplug the other keys.")
	case has("Failed connecting to a YubiKey with serial"):
		return p.fail("no YubiKey with serial "+device+" is connected", nil,
			"Insert that YubiKey, or set awsenv_mfa_device in profile "+req.Profile+" to a serial `ykman list --serials` prints.")
	case has("No matching account found"):
		return p.fail("the YubiKey has no OATH account matching "+tool.Quote(account), nil,
			"Set awsenv_mfa_account in profile "+req.Profile+" to an account `ykman oath accounts list` shows.")
	case has("Multiple matches"):
		return p.fail("more than one OATH account matches "+tool.Quote(account), nil,
			"Set awsenv_mfa_account in profile "+req.Profile+" to the full name of one account, as `ykman oath accounts list` shows it.")
	case has("Touch account timed out"):
		return p.fail("the YubiKey was not touched in time", nil,
			"Run the command again and touch your YubiKey when it blinks.")
	case has("Authentication to the YubiKey failed"):
		return p.fail("wrong password for the YubiKey's OATH accounts", nil,
			"Run `ykman oath access remember` once and type the OATH password, so ykman stops asking for it.")
	case has("Enter the password"):
		return p.fail("the YubiKey's OATH accounts are password-protected and no password was given", nil,
			"Run `ykman oath access remember` once and type the OATH password, so ykman stops asking for it.")
	}
	return p.fail("ykman failed", describe(runErr, stderr),
		"Run "+manual+" to see why; it must print the 6-digit code.")
}

func (p *Provider) fail(problem string, err error, fix string) *plugins.Error {
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

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
