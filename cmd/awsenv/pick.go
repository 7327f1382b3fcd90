package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/internal/picker"
	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/profiles"
)

// profileOrPick is the PROFILE argument; without one, on a terminal, the
// profile the person picks from a searchable list (`awsenv-helper
// picker`, which draws on /dev/tty: nothing of it reaches stdout, which
// the shell evaluates). Without a terminal it is profileArg's error.
func profileOrPick(c *cli.Context, d *Deps) (string, error) {
	if !canPick(c, d) {
		return profileArg(c)
	}
	cfg, _, err := loadConfig(d)
	if err != nil {
		return "", err
	}
	rows := pickerRows(profileRows(d, cfg))
	if len(rows) == 0 {
		return profileArg(c) // nothing to pick from: the usual error
	}
	in, err := json.Marshal(rows)
	if err != nil {
		return "", err
	}
	full := fullHelperPath(d)
	res, err := childproc.Run(c.Context, childproc.Spec{Argv: []string{full, "picker"},
		Env: helper.Environ(d.Environ()), Stdin: bytes.NewReader(in), Stderr: d.Stderr,
		Name: "awsenv-helper-full", Debug: d.debugEnv, MaxStdout: 4096})
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == picker.ExitAborted:
		return "", &userError{code: exitSignal, msg: "no profile chosen; nothing was changed."}
	case err != nil:
		return "", fmt.Errorf("run the profile picker (%s picker): %w. Pass the profile name instead: awsenv %s PROFILE.",
			full, err, c.Command.Name)
	}
	name := strings.TrimSpace(string(res.Stdout))
	if err := profiles.ValidateName(name); err != nil {
		return "", fmt.Errorf("the profile picker answered %q: %w. Pass the profile name instead.", name, err)
	}
	// What to type next time, on stderr (stdout is the shell's).
	fmt.Fprintf(d.Stderr, "awsenv: picked %s; next time: awsenv %s %s\n", name, c.Command.Name, name)
	return name, nil
}

// canPick: no PROFILE argument, and a person at a terminal (stdin is one,
// and /dev/tty opens) to pick one.
func canPick(c *cli.Context, d *Deps) bool {
	return c.NArg() == 0 && isTerminal(d.Stdin) && hasTerminal(d)
}

// noCurrentProfile: no variable names a current profile, and there is no
// default one, so a command whose PROFILE is optional (console, login)
// would fail; on a terminal it picks instead.
func noCurrentProfile(d *Deps) bool {
	if len(currentProfiles(d)) > 0 {
		return false
	}
	cfg, _, err := loadConfig(d)
	return err == nil && !slices.Contains(cfg.Names(), "default")
}

// pickerRows are list's rows as the picker shows them: for a role, its
// account and name from the ARN; for Identity Center, the account and
// permission set.
func pickerRows(list []listedProfile) []picker.Row {
	rows := make([]picker.Row, 0, len(list))
	for _, l := range list {
		r := picker.Row{Name: l.Name, Kind: l.Kind, Account: l.SSOAccountID, Role: l.SSORoleName, TimeLeft: l.TimeLeft}
		if arn := awsapi.ParseARN(l.roleARN); !arn.IsZero() {
			r.Account, r.Role = arn.Account, arn.RoleName()
		}
		rows = append(rows, r)
	}
	return rows
}
