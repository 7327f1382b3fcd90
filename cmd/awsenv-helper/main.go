// Command awsenv-helper is awsenv's helper: it reads JSON requests on
// stdin, one a line, makes each STS or IAM call with the AWS SDK or gets an
// MFA code from a provider, or runs a hook or credential-source plugin, and
// writes each answer on stdout, until stdin ends. awsenv starts it at most
// once a run, only when it needs a new session, so the SDK's start-up cost
// is paid only then. It is not meant to be run by hand.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi/sdk"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/iamclient"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/instanceclient"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/signinclient"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/ssoclient"
	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/plugins/childproc"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if len(os.Args) == 2 && os.Args[1] == "picker" {
		os.Exit(runPicker(os.Stdin, os.Stdout))
	}
	// Before anything runs a program: see helper.DropNoBus.
	helper.DropNoBus()
	sec := newSecrets()
	// Ctrl-C reaches the helper too (it shares awsenv's process group), but
	// awsenv decides what an interrupt stops: it kills the helper when it
	// gives up, and lets it finish when it must (a key rotation half done).
	// Caught, not ignored, so plugins started from here still get Ctrl-C.
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	// What a provider leaves running (a plugin's background job, daemon or
	// setsid child; one of mfa_process's) becomes the helper's child when
	// its parent ends, and is ended after each provider call and here at
	// the end (Linux; see README "Processes").
	_ = childproc.BecomeSubreaper()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	// The one place the AWS clients get the real world.
	world := sdk.World{Getenv: os.Getenv, Now: time.Now, Network: sdk.DefaultNetwork}
	err := helper.Serve(ctx, os.Stdin, os.Stdout, helper.Handlers{
		STS: sdk.STS{World: world}, IAM: iamclient.IAM{World: world}, MFA: mfaCode(), List: listPlugins,
		Hook: hookCall, Credentials: sourceCredentials, SSO: ssoclient.SSO{World: world},
		Authorizer: &ssoclient.Authorizer{World: world},
		Signin:     signinclient.Signin{World: world},
		Instance:   instanceclient.Instance{World: world},
		Secrets:    sec.serve,
		Server:     (&credServer{}).serve})
	stop()
	childproc.EndOrphans(orphanWait)
	if err != nil {
		fmt.Fprintf(os.Stderr, "awsenv-helper: %v. This helper is run by awsenv; run awsenv instead.\n", err)
		os.Exit(2)
	}
}
