// Package builtin answers code requests with the MFA providers built into
// awsenv (plugins.Builtins: the terminal prompt, ykman, op and
// mfa_process), in the process that asks: they are awsenv's own code and
// need no process of their own. Both helpers serve them through Code, so
// a code gets the same checks and messages whichever helper answers.
package builtin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/builtin/op"
	"github.com/awsenv/awsenv/plugins/builtin/process"
	"github.com/awsenv/awsenv/plugins/builtin/prompt"
	"github.com/awsenv/awsenv/plugins/builtin/ykman"
)

// New returns the provider built into awsenv under name, whose programs'
// complaints go to stderr (the helper's, which awsenv shows, made safe).
func New(name string, stderr io.Writer) (plugins.Provider, bool) {
	switch name {
	case "prompt":
		return prompt.New(), true
	case "process":
		return &process.Provider{Stderr: stderr}, true
	case "ykman":
		return &ykman.Provider{Stderr: stderr}, true
	case "op":
		return &op.Provider{Stderr: stderr}, true
	}
	return nil, false
}

// Code asks p for a code within timeout (0: plugins.DefaultCodeTimeout),
// with the same checks and messages a plugin's answer gets.
func Code(ctx context.Context, p plugins.Provider, req plugins.Request, timeout time.Duration) (string, error) {
	timeout = cmp.Or(timeout, plugins.DefaultCodeTimeout)
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	code, err := p.Code(callCtx, req)
	fail := func(problem, fix string, err error) error {
		return &plugins.Error{Provider: p.Name(), Problem: problem, Fix: fix, Err: err}
	}
	var pe *plugins.Error
	switch {
	case ctx.Err() != nil:
		return "", fail("stopped before the provider gave a code", "Run the command again.", ctx.Err())
	case err != nil && errors.Is(callCtx.Err(), context.DeadlineExceeded):
		return "", fail(fmt.Sprintf("no code after %s", timeout),
			"If it waits for you (a key to touch, a request to approve), answer it sooner, or raise awsenv_mfa_timeout.", nil)
	case errors.As(err, &pe):
		return "", err
	case err != nil:
		return "", fail("it gave no code", "Run the command again with --debug to see why.", err)
	}
	code = strings.TrimSpace(code)
	if !plugins.ValidCode(code) {
		return "", fail(fmt.Sprintf("it answered with something that is not a 6-digit code (%d characters)", len(code)),
			"Check the provider's settings (the awsenv_mfa_* keys of the profile).", nil)
	}
	return code, nil
}
