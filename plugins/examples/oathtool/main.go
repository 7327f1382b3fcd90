// Command awsenv-plugin-oathtool is an awsenv MFA plugin that computes TOTP
// codes with oathtool (OATH Toolkit). The TOTP secret comes from a command
// you choose, e.g. your password manager, and goes to oathtool on its
// stdin, so it never appears in a process list.
//
// Profile options (in ~/.aws/config):
//
//	awsenv_mfa_provider       = oathtool
//	awsenv_mfa_secret_command = pass show aws/totp-alice
//	awsenv_mfa_oathtool       = /usr/bin/oathtool   (optional; default: oathtool on PATH)
//
// secret_command is run with /bin/sh -c and must print the base32 secret
// (the text under the QR code AWS showed when the device was added).
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/rpc"
)

// version is set at build time: go build -ldflags "-X main.version=1.0.0".
var version = "dev"

// step is the TOTP time step AWS uses.
const step = 30 * time.Second

type oathtool struct{}

func (oathtool) Name() string    { return "oathtool" }
func (oathtool) Version() string { return version }
func (oathtool) Description() string {
	return "TOTP codes computed by oathtool from a secret a command prints"
}

func (oathtool) Code(ctx context.Context, req plugins.Request) (string, error) {
	command := strings.TrimSpace(req.Options["secret_command"])
	if command == "" {
		return "", &plugins.Error{Problem: "no secret command is set for profile " + req.Profile,
			Fix: "Add to the profile: awsenv_mfa_secret_command = COMMAND THAT PRINTS THE BASE32 SECRET " +
				"(e.g. pass show aws/totp)."}
	}
	tool := req.Options["oathtool"]
	if tool == "" {
		tool = "oathtool"
	}
	secret, err := run(ctx, nil, "/bin/sh", "-c", command)
	if err != nil {
		return "", &plugins.Error{Problem: "the secret command of profile " + req.Profile + " failed", Err: err,
			Fix: "Run it by hand to see why: " + command}
	}
	secret = bytes.TrimSpace(secret)
	if len(secret) == 0 {
		return "", &plugins.Error{Problem: "the secret command of profile " + req.Profile + " printed nothing",
			Fix: "Make it print the base32 TOTP secret: " + command}
	}
	for {
		out, err := run(ctx, secret, tool, "--totp", "-b", "-")
		if err != nil {
			var ee *exec.Error
			if errors.As(err, &ee) {
				return "", &plugins.Error{Problem: "cannot run " + tool, Err: err,
					Fix: "Install OATH Toolkit (apt install oathtool, brew install oath-toolkit), " +
						"or set awsenv_mfa_oathtool to its path."}
			}
			return "", &plugins.Error{Problem: "oathtool failed (is the secret base32?)", Err: err,
				Fix: "Check what the secret command prints: " + command}
		}
		code := strings.TrimSpace(string(out))
		// AWS refuses a code twice: wait for the next one.
		if code != req.Rejected && code != req.Accepted {
			return code, nil
		}
		wait := time.Until(time.Now().Truncate(step).Add(step))
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
	}
}

// run runs a program with stdin and returns its stdout; its stderr goes to
// the person (awsenv's stderr), it is killed when ctx ends.
func run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out.Bytes(), nil
}

func main() { rpc.Serve(oathtool{}) }
