// Package op reads a TOTP code from a 1Password item with the 1Password
// CLI, version 2:
//
//	op item get ITEM --otp [--vault VAULT] [--account ACCOUNT]
//
// It reads the profile keys awsenv_mfa_item (required: the item's name,
// ID or domain), awsenv_mfa_vault and awsenv_mfa_account (optional: which
// vault and which signed-in 1Password account to look in).
//
// op's stderr is passed on to the person as it comes, and a copy is kept
// to turn op's errors into a fix.
package op

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
	DefaultCommand = "op"
	// DefaultTimeout bounds a whole Code call when Provider.Timeout is 0:
	// op may wait for the person to unlock 1Password or approve access.
	DefaultTimeout = 2 * time.Minute
	// DefaultRetry is the pause before asking op again when it gave the
	// code AWS just rejected (TOTP codes change every 30 s).
	DefaultRetry = 5 * time.Second
)

// Provider runs op. The zero value is ready to use.
type Provider struct {
	Stderr  io.Writer     // op's stderr goes here; nil discards it
	Command string        // the op program; DefaultCommand if empty
	Timeout time.Duration // DefaultTimeout if 0
	Retry   time.Duration // DefaultRetry if 0
}

// Name is the value of awsenv_mfa_provider that selects this provider.
func (p *Provider) Name() string { return "op" }

// Args are op's arguments; vault and account may be empty. An item that
// starts with "-" comes last, after "--", so op does not read it as a flag.
func Args(item, vault, account string) []string {
	args := []string{"item", "get"}
	dash := strings.HasPrefix(item, "-")
	if !dash {
		args = append(args, item)
	}
	args = append(args, "--otp")
	if vault != "" {
		args = append(args, "--vault", vault)
	}
	if account != "" {
		args = append(args, "--account", account)
	}
	if dash {
		args = append(args, "--", item)
	}
	return args
}

// Code runs op until it prints a code other than req.Rejected, or fails,
// or the timeout passes.
func (p *Provider) Code(ctx context.Context, req plugins.Request) (string, error) {
	item := req.Options["item"]
	vault := strings.TrimSpace(req.Options["vault"])
	account := strings.TrimSpace(req.Options["account"])
	if strings.TrimSpace(item) == "" {
		return "", p.fail("no 1Password item is set for profile "+req.Profile, nil,
			"Add awsenv_mfa_item = ITEM to the profile, with the name or ID of the item that holds the one-time password (`op item list` lists them).")
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
	args := Args(item, vault, account)
	r := &run{p: p, req: req, item: item, vault: vault, account: account, manual: "`" + tool.CommandLine(name, args) + "`"}
	runner := &tool.Runner{
		Provider: p.Name(), Source: "1Password",
		Command: name, Args: args, Timeout: timeout, Retry: retry, Stderr: p.Stderr,
		NotInstalled: "the 1Password CLI (op) is not installed",
		InstallFix:   "Install 1Password CLI version 2 (https://developer.1password.com/docs/cli/get-started/) so that `op` is on your PATH, then sign in with `eval $(op signin)`.",
		TimeoutFix:   "Unlock 1Password or approve its request when it asks, then run the command again; " + r.manual + " should print the code at once.",
		NoNewCodeFix: "Wait for the next code (they change every 30 seconds) and run the command again. If AWS rejects fresh codes, check that item " +
			tool.Quote(item) + " holds the one-time password of MFA device " + req.Serial + " and that this computer's clock is right.",
		Failed:   r.classify,
		NotACode: r.notACode,
	}
	return runner.Run(ctx, req)
}

// run is one Code call's settings.
type run struct {
	p                    *Provider
	req                  plugins.Request
	item, vault, account string
	manual               string // the command line, to run by hand
}

// notACode is the error for op's output when it is not six digits.
func (r *run) notACode(code string) *plugins.Error {
	if code == "" {
		return r.noOTP(nil)
	}
	return r.p.fail("op did not print a 6-digit code for item "+tool.Quote(r.item), nil,
		"AWS needs a 6-digit TOTP; make the one-time password field of "+tool.Quote(r.item)+" hold the secret AWS showed when you registered the MFA device, and check with "+r.manual+".")
}

// classify turns op's stderr into an error with the fix. op prints its
// errors as "[ERROR] 2023/01/01 00:00:00 MESSAGE".
func (r *run) classify(runErr error, stderr string) *plugins.Error {
	low := strings.ToLower(stderr)
	has := func(s string) bool { return strings.Contains(low, s) }
	signin := "eval $(op signin)"
	if r.account != "" {
		signin = "eval $(op signin --account " + tool.Quote(r.account) + ")"
	}
	list := "op item list"
	if r.vault != "" {
		list += " --vault " + tool.Quote(r.vault)
	}
	if r.account != "" {
		list += " --account " + tool.Quote(r.account)
	}
	switch {
	case has("unknown command"), has("unknown flag"), has("unknown shorthand flag"):
		return r.p.fail("this op does not understand `op item get --otp`", describe(runErr, stderr),
			"awsenv needs 1Password CLI version 2 (`op --version`); update it: https://developer.1password.com/docs/cli/get-started/")
	case has("not currently signed in"), has("not signed in"), has("session expired"), has("authentication required"), has("no accounts configured"):
		return r.p.fail("the 1Password CLI is not signed in", describe(runErr, stderr),
			"Sign in and run the command again: `"+signin+"` (or turn on Settings > Developer > Integrate with 1Password CLI in the 1Password app).")
	case has("authorization prompt dismissed"), has("authorization timeout"):
		return r.p.fail("1Password access was not approved", describe(runErr, stderr),
			"Run the command again and approve the 1Password prompt (or unlock the 1Password app).")
	case has("isn't a vault"):
		return r.p.fail("1Password has no vault "+tool.Quote(r.vault), describe(runErr, stderr),
			"Set awsenv_mfa_vault in profile "+r.req.Profile+" to a vault `op vault list` shows, or remove it to search every vault.")
	case has("more than one item matches"):
		return r.p.fail("more than one 1Password item matches "+tool.Quote(r.item), describe(runErr, stderr),
			"Set awsenv_mfa_item in profile "+r.req.Profile+" to the ID of one of them (op listed them above), or set awsenv_mfa_vault to the vault that holds it.")
	case has("isn't an item"), has("item not found"), has("no item found"):
		where := ""
		if r.vault != "" {
			where = " in vault " + tool.Quote(r.vault)
		}
		return r.p.fail("1Password has no item "+tool.Quote(r.item)+where, describe(runErr, stderr),
			"Set awsenv_mfa_item in profile "+r.req.Profile+" to the name or ID of an item `"+list+"` shows.")
	case r.account != "" && has("account") && (has("not found") || has("no account")):
		return r.p.fail("no 1Password account matches "+tool.Quote(r.account), describe(runErr, stderr),
			"Set awsenv_mfa_account in profile "+r.req.Profile+" to an account `op account list` shows (its sign-in address or ID), or remove it.")
	}
	// The item's own name may contain "otp": leave it out of the search.
	if rest := strings.ReplaceAll(low, strings.ToLower(r.item), ""); strings.Contains(rest, "one-time password") || strings.Contains(rest, "otp") {
		return r.noOTP(describe(runErr, stderr))
	}
	return r.p.fail("op failed", describe(runErr, stderr),
		"Run "+r.manual+" to see why; it must print the 6-digit code.")
}

func (r *run) noOTP(err error) *plugins.Error {
	return r.p.fail("1Password item "+tool.Quote(r.item)+" has no one-time password", err,
		"Add a one-time password field to "+tool.Quote(r.item)+" in 1Password, with the secret (or QR code) AWS shows when you assign the MFA device.")
}

func (p *Provider) fail(problem string, err error, fix string) *plugins.Error {
	return &plugins.Error{Provider: p.Name(), Problem: problem, Err: err, Fix: fix}
}

// describe is op's own error message: the first "[ERROR]" line without
// its time stamp, or else the last line of stderr; runErr if op said nothing.
func describe(runErr error, stderr string) error {
	msg := ""
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(l)
		if rest, ok := strings.CutPrefix(l, "[ERROR] "); ok {
			// Drop "2023/01/01 00:00:00 ".
			if f := strings.SplitN(rest, " ", 3); len(f) == 3 && strings.Count(f[0], "/") == 2 && strings.Count(f[1], ":") == 2 {
				rest = f[2]
			}
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
	return fmt.Errorf("op said: %s", msg)
}
