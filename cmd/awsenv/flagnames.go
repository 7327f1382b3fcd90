package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// urfave/cli v2 finds a flag by name by asking every flag for its Names,
// and each Names call runs a regexp over the name and its aliases
// (cli.FlagNames). Parsing a command asks for every flag's names once per
// flag (runFlagActions calls IsSet on each, which walks them all): a
// cached `use`, with a dozen flags, ran it 205 times (now 16). These
// wrappers answer Names from a slice made once; everything else (help,
// parsing, defaults) is the wrapped flag's own.

// namedBool is a *cli.BoolFlag with its names computed once.
type namedBool struct {
	*cli.BoolFlag
	names []string
}

func (f *namedBool) Names() []string { return f.names }

// namedString is a *cli.StringFlag with its names computed once.
type namedString struct {
	*cli.StringFlag
	names []string
}

func (f *namedString) Names() []string { return f.names }

// flagNames is cli.FlagNames without the regexp: each name cut at its
// first comma or space (urfave/cli's v1-migration rule, "[, ]+.*").
func flagNames(name string, aliases []string) []string {
	out := make([]string, 0, 1+len(aliases))
	for _, n := range append([]string{name}, aliases...) {
		if i := strings.IndexAny(n, ", "); i >= 0 {
			n = n[:i]
		}
		out = append(out, n)
	}
	return out
}

// withNames wraps the bool and string flags of fs (see namedBool); other
// kinds are few and left as they are.
func withNames(fs []cli.Flag) []cli.Flag {
	out := make([]cli.Flag, len(fs))
	for i, f := range fs {
		switch f := f.(type) {
		case *cli.BoolFlag:
			out[i] = &namedBool{BoolFlag: f, names: flagNames(f.Name, f.Aliases)}
		case *cli.StringFlag:
			out[i] = &namedString{StringFlag: f, names: flagNames(f.Name, f.Aliases)}
		default:
			out[i] = f
		}
	}
	return out
}

// isBoolFlag reports whether f takes no value.
func isBoolFlag(f cli.Flag) bool {
	switch f.(type) {
	case *cli.BoolFlag, *namedBool:
		return true
	}
	return false
}
