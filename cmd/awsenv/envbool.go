package main

import (
	"fmt"

	"github.com/awsenv/awsenv/profiles"
)

// boolSpellings is what a boolean environment variable of awsenv's may say
// (AWSENV_DEBUG here; the shell scripts read AWSENV_AUTO_REFRESH the same
// way), in any letter case and with spaces around it. Empty means false.
const boolSpellings = "1/0, true/false, yes/no, on/off, y/n"

// envBool is the value of the boolean environment variable name. A value
// it does not understand counts as false, with one line on stderr that
// says so: a setting meant for debugging must never break a command, least
// of all `use` run by the prompt hook.
func envBool(d *Deps, name string) bool {
	v := d.Getenv(name)
	on, ok := profiles.ParseBool(v)
	if !ok {
		fmt.Fprintf(d.Stderr, "awsenv: %s=%s is not understood, so it counts as off. Write one of %s (any case).\n",
			name, quoteValue(v), boolSpellings)
	}
	return on
}

// quoteValue shows a non-secret value in a message: Go-quoted (control
// characters escaped, so nothing reaches the terminal raw) and cut short.
func quoteValue(s string) string {
	const max = 40
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
