package main

import (
	"os/exec"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/shell"
)

func newExecCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "exec",
		Usage:     "run a command with PROFILE's temporary credentials in its environment",
		ArgsUsage: "PROFILE -- COMMAND [ARGS...]",
		Flags:     append([]cli.Flag{yesFlag, serverFlag, regionFlag()}, credentialFlags()...),
		Action: func(c *cli.Context) error {
			name, err := profileOrPick(c, d)
			if err != nil {
				return err
			}
			argv := c.Args().Tail()
			if len(argv) > 0 && argv[0] == "--" {
				argv = argv[1:]
			}
			if len(argv) == 0 {
				return usageErrorf("exec needs a command to run: awsenv exec %s -- COMMAND [ARGS...]", name)
			}
			// Look the command up first: no MFA code for a typo.
			path, err := exec.LookPath(argv[0])
			if err != nil {
				return &userError{code: exitNoExec, msg: "cannot run " + argv[0] + ": " + err.Error() + ". Check the command name and your PATH."}
			}
			if c.Bool("server") {
				return execServer(c, d, name, path, argv)
			}
			changes, err := switchTo(c, d, name)
			if err != nil {
				return err
			}
			env := execEnv(d.Environ(), changes)
			// exec replaces awsenv, so the command gets the terminal, the
			// signals and the exit status as if run directly; the helper
			// has done its work and must not linger beside it.
			d.closeHelper()
			if err := d.flushStdout(); err != nil {
				return err
			}
			if err := d.Exec(path, argv, env); err != nil {
				return &userError{code: exitNoExec, msg: "cannot run " + path + ": " + err.Error() + "."}
			}
			return nil
		},
	}
}

// execEnv applies the changes of `use` to an environment, sorted.
func execEnv(environ []string, changes []shell.Change) []string {
	vars := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	for _, ch := range changes {
		if ch.Unset {
			delete(vars, ch.Name)
		} else {
			vars[ch.Name] = ch.Value
		}
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
