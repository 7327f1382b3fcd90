package main

import (
	"encoding/json"
	"time"

	"github.com/urfave/cli/v2"
)

// processOutput is the JSON that credential_process in ~/.aws/config expects.
type processOutput struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken,omitempty"`
	Expiration      string `json:"Expiration,omitempty"`
}

// credentialProcessMinLeft is how long credentials handed to an SDK must
// still last. botocore (the aws CLI, boto3) runs the process again on every
// call once its credentials have less than 15 minutes left; renewing below
// 20 keeps it at one run per session. SDKs that refresh later (the Go SDK
// at expiry, the JavaScript SDK 5 minutes and the Java SDK 15 seconds
// before) are served by the same rule.
const credentialProcessMinLeft = 20 * time.Minute

func newCredentialProcessCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "credential-process",
		Usage:     "print PROFILE's credentials as the JSON credential_process expects",
		ArgsUsage: "PROFILE",
		Description: `Lets SDKs and tools use awsenv's cached sessions directly:
   [profile prod-tools]
   credential_process = awsenv credential-process prod`,
		Flags: credentialFlags(),
		Action: func(c *cli.Context) error {
			name, err := profileArg(c)
			if err != nil {
				return err
			}
			opt, err := credentialOptions(c)
			if err != nil {
				return err
			}
			opt.MinLeft = credentialProcessMinLeft
			res, err := getCredentialsWith(c, d, name, opt)
			if err != nil {
				return err
			}
			cr := res.Credentials
			out := processOutput{Version: 1, AccessKeyID: cr.AccessKeyID,
				SecretAccessKey: cr.SecretAccessKey.Reveal(), SessionToken: cr.SessionToken.Reveal()}
			if !cr.Expiration.IsZero() {
				out.Expiration = cr.Expiration.UTC().Format(time.RFC3339)
			}
			data, err := json.Marshal(out)
			if err != nil {
				return err
			}
			_, err = d.Stdout.Write(append(data, '\n'))
			return err
		},
	}
}
