// Package process runs the command in the AWS-config key mfa_process, as
// aws-vault defines it: through the shell, with the code on its stdout. Its
// stderr goes to the person, so it can say "touch your key".
package process

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/plugins/termsafe"
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
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	var out bytes.Buffer
	cmd.Stdout = &out
	if p.Stderr != nil {
		// What the command writes reaches the person made safe for a terminal.
		safe := termsafe.New(p.Stderr)
		defer safe.Close()
		cmd.Stderr = safe
	}
	cmd.WaitDelay = time.Second
	// It dies with the helper, even a killed one.
	err := childproc.Start(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("no code after %s", Timeout)
		}
		return "", &plugins.Error{Provider: p.Name(), Problem: "mfa_process of profile " + req.Profile + " failed", Err: err,
			Fix: "Run the mfa_process command by hand to see why; it must print the 6-digit code."}
	}
	code := strings.TrimSpace(out.String())
	if !plugins.ValidCode(code) {
		return "", &plugins.Error{Provider: p.Name(), Problem: "mfa_process of profile " + req.Profile + " did not print a 6-digit code",
			Fix: "Make the command print only the code, e.g. `oathtool --totp -b SECRET`."}
	}
	return code, nil
}
