package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/switchhooks"
	"github.com/awsenv/awsenv/shell"
)

func newUnsetCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:  "unset",
		Usage: "print shell code that removes the credentials `use` exported",
		Description: `eval "$(awsenv unset)" removes the keys, token, expiry, account and profile variables,
and the variables hooks and awsenv_env_* set (AWSENV_HOOK_VARS names them).
AWS_REGION and AWS_DEFAULT_REGION are left as they are: they are not credentials,
and they may have been set before awsenv.`,
		Flags: []cli.Flag{shellFlag()},
		Action: func(c *cli.Context) error {
			sh, err := pickShell(c, d)
			if err != nil {
				return err
			}
			var ch []shell.Change
			for _, n := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
				"AWS_SECURITY_TOKEN", "AWSENV_PROFILE", "AWSUME_PROFILE", "AWS_ACCOUNT_ID"} {
				ch = append(ch, shell.Change{Name: n, Unset: true})
			}
			for _, n := range expiryVars {
				ch = append(ch, shell.Change{Name: n, Unset: true})
			}
			// What hooks and awsenv_env_* set, by the names use recorded:
			// removed even when the plugin is gone or broken, from this
			// shell only (a fish universal of the same name is the user's).
			for _, n := range switchhooks.ParseVars(d.Getenv(switchhooks.VarsName)) {
				ch = append(ch, removeHookVar(n))
			}
			if d.Getenv(switchhooks.VarsName) != "" {
				ch = append(ch, shell.Change{Name: switchhooks.VarsName, Unset: true})
			}
			unsetHooks(c, d)
			out, err := shell.Render(sh, ch)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(d.Stdout, out)
			return err
		},
	}
}
