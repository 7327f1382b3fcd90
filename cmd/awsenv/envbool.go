package main

import (
	"fmt"
	"strings"
)

// boolSpellings is what a boolean environment variable of awsenv's may say
// (AWSENV_DEBUG here; the shell scripts read AWSENV_AUTO_REFRESH the same
// way), in any letter case and with spaces around it. Empty means false.
const boolSpellings = "1/0, true/false, yes/no, on/off, y/n"

// parseEnvBool reads a boolean environment variable's value. ok is false
// when the value is none of boolSpellings (nor t/f, which strconv.ParseBool
// took before).
func parseEnvBool(v string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "t", "yes", "y", "on":
		return true, true
	case "", "0", "false", "f", "no", "n", "off":
		return false, true
	}
	return false, false
}

// envBool is the value of the boolean environment variable name. A value
// it does not understand counts as false, with one line on stderr that
// says so: a setting meant for debugging must never break a command, least
// of all `use` run by the prompt hook.
func envBool(d *Deps, name string) bool {
	v := d.Getenv(name)
	on, ok := parseEnvBool(v)
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
