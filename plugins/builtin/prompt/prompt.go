// Package prompt asks for the MFA code on the controlling terminal.
//
// It reads and writes /dev/tty, never stdin or stdout: awsenv's stdout is
// evaluated by the user's shell (eval "$(awsenv use prod)"), and stdin may
// be a pipe.
package prompt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/awsenv/awsenv/plugins"
)

// Tries is how many malformed codes are asked for again before giving up.
const Tries = 3

// Provider is the terminal prompt.
type Provider struct {
	// OpenTTY opens the controlling terminal; tests hand in a pseudo-terminal.
	OpenTTY func() (io.ReadWriteCloser, error)
}

// New returns the prompt on the real controlling terminal.
func New() *Provider {
	return &Provider{OpenTTY: func() (io.ReadWriteCloser, error) {
		return os.OpenFile("/dev/tty", os.O_RDWR, 0)
	}}
}

func (p *Provider) Name() string { return "prompt" }

// Code asks until it gets six digits, at most Tries times.
func (p *Provider) Code(ctx context.Context, req plugins.Request) (string, error) {
	tty, err := p.OpenTTY()
	if err != nil {
		return "", &plugins.Error{Provider: p.Name(), Problem: "no terminal to ask for the MFA code on", Err: err,
			Fix: "Run awsenv from a terminal, pass --mfa-code CODE, or set awsenv_mfa_provider to a provider that needs no terminal (e.g. mfa_process)."}
	}
	defer tty.Close()
	// A blocked read only ends when the terminal closes: close it on cancel.
	stop := context.AfterFunc(ctx, func() { tty.Close() })
	defer stop()

	in := bufio.NewReader(tty)
	if req.Rejected != "" {
		fmt.Fprintf(tty, "AWS rejected that MFA code; wait for the next one.\n")
	}
	for try := 1; try <= Tries; try++ {
		fmt.Fprintf(tty, "MFA code for profile %s (%s): ", req.Profile, req.Serial)
		line, err := in.ReadString('\n')
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			fmt.Fprintln(tty)
			return "", &plugins.Error{Provider: p.Name(), Problem: "no MFA code was entered", Err: err,
				Fix: "Type the 6-digit code from your MFA device, or pass --mfa-code CODE."}
		}
		code := strings.TrimSpace(line)
		if plugins.ValidCode(code) && code != req.Rejected {
			return code, nil
		}
		if code == req.Rejected {
			fmt.Fprintf(tty, "That is the code AWS just rejected; wait for the next one.\n")
		} else {
			fmt.Fprintf(tty, "An MFA code is six digits.\n")
		}
	}
	return "", &plugins.Error{Provider: p.Name(), Problem: fmt.Sprintf("no valid code after %d tries", Tries),
		Fix: "Type the 6-digit code your MFA device shows now."}
}
