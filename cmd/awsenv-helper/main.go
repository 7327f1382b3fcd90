// Command awsenv-helper is awsenv's helper for the paths people run most:
// it makes the STS calls (GetSessionToken, AssumeRole, GetCallerIdentity)
// with the AWS SDK and asks the MFA providers built into awsenv for codes.
// It links STS alone of the SDK's services, and neither gRPC, go-plugin,
// the keyring nor a terminal UI, so that a new session or a role renewed
// every hour pays little more than an empty Go program's start. Everything
// else is awsenv-helper-full's (README "Design: a front and two helpers"). It reads
// JSON requests on stdin, one a line, and writes each answer on stdout,
// until stdin ends. It is not meant to be run by hand.
package main

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi/sdk"
	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/builtin"
	"github.com/awsenv/awsenv/plugins/childproc"
)

func main() {
	// The one place the STS client gets the real world.
	world := sdk.World{Getenv: os.Getenv, Now: time.Now, Network: sdk.DefaultNetwork}
	os.Exit(helper.Main("awsenv-helper", helper.Handlers{STS: sdk.STS{World: world}, MFA: builtinCode}))
}

// builtinCode answers a code request with a built-in provider; awsenv
// sends the others to awsenv-helper-full.
func builtinCode(ctx context.Context, in helper.MFAInput) (string, error) {
	// The provider is done with when this returns: nothing it started may
	// stay behind.
	defer childproc.EndOrphans(helper.OrphanWait)
	p, ok := builtin.New(in.Provider, os.Stderr)
	if !ok {
		return "", &plugins.Error{Provider: in.Provider, Problem: "awsenv-helper runs only the built-in providers (" +
			strings.Join(plugins.Builtins, ", ") + "); awsenv-helper-full runs plugins",
			Fix: "Make sure awsenv, awsenv-helper and awsenv-helper-full come from the same install (./install.sh)."}
	}
	return builtin.Code(ctx, p, in.Request, in.Timeout)
}
