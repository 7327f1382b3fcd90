// Package process runs the command in the AWS-config key mfa_process, as
// aws-vault defines it: through the shell, with the code on its stdout. Its
// stderr goes to the person, so it can say "touch your key".
package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/childproc"
)

// Timeout bounds one run: a person may be touching a key or approving a
// request on their phone.
const Timeout = 2 * time.Minute

// Provider runs Command with /bin/sh -c; without a Command, the request's
// "command" option (which awsenv fills from mfa_process).
type Provider struct {
	Command string
	Stderr  io.Writer
}

func (p *Provider) Name() string { return "process" }

func (p *Provider) Code(ctx context.Context, req plugins.Request) (string, error) {
	command := p.Command
	if command == "" {
		command = req.Options["command"]
	}
	if strings.TrimSpace(command) == "" {
		return "", &plugins.Error{Provider: p.Name(), Problem: "no mfa_process is set for profile " + req.Profile,
			Fix: "Add mfa_process = COMMAND to the profile, or set awsenv_mfa_provider = prompt."}
	}
	// Through childproc: stdin /dev/null, its stderr made safe and capped
	// on its way to the person, dying with the helper, whatever it leaves
	// running ended.
	res, err := childproc.Run(ctx, childproc.Spec{Argv: []string{"/bin/sh", "-c", command}, Stderr: p.Stderr, Timeout: Timeout})
	if err != nil {
		if errors.Is(err, childproc.ErrTimeout) {
			err = fmt.Errorf("no code after %s", Timeout)
		}
		return "", &plugins.Error{Provider: p.Name(), Problem: "mfa_process of profile " + req.Profile + " failed", Err: err,
			Fix: "Run the mfa_process command by hand to see why; it must print the 6-digit code."}
	}
	code := strings.TrimSpace(string(res.Stdout))
	if !plugins.ValidCode(code) {
		return "", &plugins.Error{Provider: p.Name(), Problem: "mfa_process of profile " + req.Profile + " did not print a 6-digit code",
			Fix: "Make the command print only the code, e.g. `oathtool --totp -b SECRET`."}
	}
	return code, nil
}
