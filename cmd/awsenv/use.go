package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/shell"
)

func newUseCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "use",
		Usage:     "print shell code that exports temporary credentials for PROFILE",
		ArgsUsage: "PROFILE | --role-arn ARN|ACCOUNT:ROLE [--source PROFILE]",
		Description: `Run it through eval so it changes the current shell:
   eval "$(awsenv use prod)"          (bash, zsh, sh)
   awsenv use prod --shell fish | source
Only shell code goes to stdout; on any failure stdout stays empty.
   --role-arn assumes a role on top of --source (default: the current profile) without a
   profile for it, cached like any role; AWSENV_PROFILE is then SOURCE+ROLE@ACCOUNT.`,
		Flags: append(append([]cli.Flag{shellFlag(), yesFlag, timeoutFlag, regionFlag()}, adHocFlags()...), credentialFlags()...),
		Action: func(c *cli.Context) error {
			sh, err := pickShell(c, d)
			if err != nil {
				return err
			}
			name, err := switchName(c, d)
			if err != nil {
				return err
			}
			limit, cancel, err := withTimeout(c)
			if err != nil {
				return err
			}
			defer cancel()
			changes, err := switchTo(c, d, name)
			if err != nil {
				return timedOut(c, limit, err)
			}
			// Render fully before writing, so a failure prints nothing.
			out, err := shell.Render(sh, changes)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(d.Stdout, out)
			return err
		},
	}
}

func shellFlag() cli.Flag {
	return &cli.StringFlag{Name: "shell", Usage: "the `SHELL` to print code for: sh, bash, zsh, fish, powershell (default: $AWSENV_SHELL, else the shell that runs awsenv, else $SHELL, else sh)"}
}

// pickShell chooses the shell to print code for: --shell, else
// $AWSENV_SHELL, else the parent process when it is a shell it knows (the
// shell that runs `eval "$(awsenv use prod)"` or `awsenv use prod | source`
// is the one that reads the output), else the login shell from $SHELL (a
// parent that is no shell, such as a script's interpreter, env or sudo,
// says nothing), else POSIX sh.
func pickShell(c *cli.Context, d *Deps) (shell.Shell, error) {
	name := firstNonEmpty(c.String("shell"), d.Getenv("AWSENV_SHELL"))
	if name == "" {
		if d.ParentNames != nil {
			for n := range d.ParentNames {
				if sh, ok := shell.FromProcess(n); ok {
					return sh, nil
				}
			}
		}
		return shell.Detect(d.Getenv("SHELL")), nil
	}
	sh, err := shell.Lookup(name)
	if err != nil {
		return nil, usageErrorf("%v. Pass --shell with one of the names listed.", err)
	}
	return sh, nil
}

// Variables awsenv sets, and the ones it clears because they would make
// tools pick other credentials (the AWS CLI prefers a named profile).
var (
	clearedVars = []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"}
	expiryVars  = []string{"AWS_CREDENTIAL_EXPIRATION", "AWS_SESSION_EXPIRATION", "AWSENV_EXPIRES_AT"}
)

// useChanges are the variable changes that make res the shell's credentials.
func useChanges(res *credflow.Result) []shell.Change {
	var ch []shell.Change
	for _, n := range clearedVars {
		ch = append(ch, shell.Change{Name: n, Unset: true})
	}
	c := res.Credentials
	ch = append(ch,
		shell.Change{Name: "AWS_ACCESS_KEY_ID", Value: c.AccessKeyID},
		shell.Change{Name: "AWS_SECRET_ACCESS_KEY", Value: c.SecretAccessKey.Reveal()},
		shell.Change{Name: "AWSENV_PROFILE", Value: res.Profile},
		// starship's and powerlevel10k's aws segments read the name from
		// AWSUME_PROFILE, the one such variable no AWS SDK or CLI reads
		// (AWS_PROFILE would make SDKs prefer the config file's profile).
		shell.Change{Name: "AWSUME_PROFILE", Value: res.Profile},
	)
	if c.SessionToken != "" {
		ch = append(ch, shell.Change{Name: "AWS_SESSION_TOKEN", Value: c.SessionToken.Reveal()})
	} else {
		ch = append(ch, shell.Change{Name: "AWS_SESSION_TOKEN", Unset: true})
	}
	if exp := c.Expiration; !exp.IsZero() {
		stamp := exp.UTC().Format(time.RFC3339)
		ch = append(ch,
			shell.Change{Name: "AWS_CREDENTIAL_EXPIRATION", Value: stamp},
			shell.Change{Name: "AWS_SESSION_EXPIRATION", Value: stamp},
			shell.Change{Name: "AWSENV_EXPIRES_AT", Value: strconv.FormatInt(exp.Unix(), 10)},
		)
	} else {
		for _, n := range expiryVars {
			ch = append(ch, shell.Change{Name: n, Unset: true})
		}
	}
	// The account, when known; else none, so that the previous profile's
	// does not stay.
	if a := res.AccountID(); a != "" {
		ch = append(ch, shell.Change{Name: "AWS_ACCOUNT_ID", Value: a})
	} else {
		ch = append(ch, shell.Change{Name: "AWS_ACCOUNT_ID", Unset: true})
	}
	if res.Region != "" {
		ch = append(ch,
			shell.Change{Name: "AWS_REGION", Value: res.Region},
			shell.Change{Name: "AWS_DEFAULT_REGION", Value: res.Region},
		)
	}
	return ch
}
