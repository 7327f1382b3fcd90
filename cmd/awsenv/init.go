package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/shell"
	shellinit "github.com/awsenv/awsenv/shell/init"
)

func newInitCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "print the shell integration to load from your shell's rc file",
		ArgsUsage: strings.Join(shellinit.Shells(), "|"),
		Description: `Defines an awsenv function so that "awsenv use prod" and "awsenv unset" change
the current shell, a prompt helper (awsenv_prompt), completion, and an optional
renewal of the session before it expires (AWSENV_AUTO_REFRESH=1):
   eval "$(awsenv init bash)"      # ~/.bashrc
   eval "$(awsenv init zsh)"       # ~/.zshrc
   awsenv init fish | source       # ~/.config/fish/config.fish
   Invoke-Expression (& { (awsenv init powershell | Out-String) })   # $PROFILE`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("init takes one shell name (%s), e.g. eval \"$(awsenv init bash)\".",
					strings.Join(shellinit.Shells(), ", "))
			}
			name := c.Args().First()
			sh, err := shell.Lookup(name)
			if err != nil {
				return usageErrorf("%v. awsenv init supports %s.", err, strings.Join(shellinit.Shells(), ", "))
			}
			if _, err := shellinit.Raw(sh.Name()); err != nil {
				return usageErrorf("awsenv init has no integration for %s: it supports %s. In sh, run eval \"$(awsenv use PROFILE)\".",
					sh.Name(), strings.Join(shellinit.Shells(), ", "))
			}
			if d.Executable == "" {
				return fmt.Errorf("cannot tell where the awsenv binary is, so the shell integration could not name it. Run awsenv by its full path")
			}
			// Build everything before writing: a failure prints nothing.
			script, err := shellinit.Script(sh, d.Executable)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(d.Stdout, script)
			return err
		},
	}
}
