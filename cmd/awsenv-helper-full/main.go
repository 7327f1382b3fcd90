// Command awsenv-helper-full is awsenv's full helper: it answers every
// request awsenv-helper does (STS calls, the built-in MFA providers) and
// the rest: IAM and IAM Identity Center calls, sign-in sessions, instance
// and container credentials, third-party plugins over go-plugin (MFA
// providers, hooks, credential sources), the secret store, the credential
// endpoint of exec --server, and the profile picker (`awsenv-helper-full
// picker`). awsenv starts it only for those, so their libraries' start-up
// (gRPC, protobuf, the keyring's D-Bus connection, bubbletea, most SDK
// services) is never paid on the paths people run most. It reads JSON
// requests on stdin, one a line, and writes each answer on stdout, until
// stdin ends. It is not meant to be run by hand.
package main

import (
	"os"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi/sdk"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/iamclient"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/instanceclient"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/signinclient"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/ssoclient"
	"github.com/awsenv/awsenv/internal/helper"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if len(os.Args) == 2 && os.Args[1] == "picker" {
		os.Exit(runPicker(os.Stdin, os.Stdout))
	}
	sec := newSecrets()
	// The one place the AWS clients get the real world.
	world := sdk.World{Getenv: os.Getenv, Now: time.Now, Network: sdk.DefaultNetwork}
	os.Exit(helper.Main("awsenv-helper-full", helper.Handlers{
		STS: sdk.STS{World: world}, IAM: iamclient.IAM{World: world}, MFA: mfaCode(), List: listPlugins,
		Hook: hookCall, Credentials: sourceCredentials, SSO: ssoclient.SSO{World: world},
		Authorizer: &ssoclient.Authorizer{World: world},
		Signin:     signinclient.Signin{World: world},
		Instance:   instanceclient.Instance{World: world},
		Secrets:    sec.serve,
		Server:     (&credServer{}).serve}))
}
