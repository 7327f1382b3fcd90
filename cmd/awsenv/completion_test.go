package main

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	shellinit "github.com/awsenv/awsenv/shell/init"
)

// The completion word lists are written by hand in each script; this keeps
// them in step with the commands the binary has.
func TestCompletionListsEveryCommand(t *testing.T) {
	t.Parallel()
	var want []string
	for _, c := range newApp(&Deps{}).Commands {
		want = append(want, c.Name)
	}
	want = append(want, "help")
	sort.Strings(want)
	lists := map[string]*regexp.Regexp{
		"bash": regexp.MustCompile(`(?m)^\s*words='(use unset [^']*)'`),
		"zsh":  regexp.MustCompile(`(?m)^\s*reply=\((use unset [^)]*)\)`),
		"fish": regexp.MustCompile(`__fish_use_subcommand -a (\S+)`),
	}
	for sh, re := range lists {
		src, err := shellinit.Raw(sh)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			got = append(got, strings.Fields(m[1])...)
		}
		if sh != "fish" {
			got = strings.Fields(re.FindStringSubmatch(src)[1]) // the first list is the top level
		}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s completes %v, the binary has %v", sh, got, want)
		}
	}
}

// The flags of issue 20's switches are completed by every shell.
func TestCompletionListsSwitchFlags(t *testing.T) {
	t.Parallel()
	flags := map[string][]string{
		"use":     {"region", "role-arn", "source", "external-id", "session-name"},
		"exec":    {"region"},
		"console": {"region", "service", "browser-profile"},
	}
	for _, c := range newApp(&Deps{}).Commands {
		for _, f := range flags[c.Name] {
			found := false
			for _, cf := range c.Flags {
				found = found || cf.Names()[0] == f
			}
			if !found {
				t.Errorf("%s has no --%s", c.Name, f)
			}
		}
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		src, err := shellinit.Raw(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, fs := range flags {
			for _, f := range fs {
				want := "--" + f
				if sh == "fish" {
					want = "-l " + f + " "
				}
				if !strings.Contains(src, want) {
					t.Errorf("%s does not complete --%s", sh, f)
				}
			}
		}
	}
}
