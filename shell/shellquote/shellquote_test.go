package shellquote

import (
	"os/exec"
	"testing"
)

func TestWord(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                    "''",
		"prod":                "prod",
		"/home/a/.aws/config": "/home/a/.aws/config",
		"my file":             "'my file'",
		"it's":                `'it'\''s'`,
		"$(touch x)":          "'$(touch x)'",
		"-rf":                 "-rf",
		"a\nb":                "'a\nb'",
	} {
		if got := Word(in); got != want {
			t.Errorf("Word(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Command("chmod", "go-w", "/tmp/my dir"); got != "chmod go-w '/tmp/my dir'" {
		t.Errorf("Command = %q", got)
	}
}

// Each quoted word reads back as itself in a real POSIX shell.
func TestRoundTripInSh(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "plain", "it's", `a"b`, "$(touch /nonexistent/x)", "`id`", "a\nb", "*", "!x", "'", "''", `\`, "ünï"} {
		for _, q := range []string{Word(in), Always(in)} {
			out, err := exec.Command("sh", "-c", "printf %s "+q).Output()
			if err != nil {
				t.Fatalf("sh -c printf %%s %s: %v", q, err)
			}
			if string(out) != in {
				t.Errorf("%q quoted as %s reads back as %q", in, q, out)
			}
		}
	}
}
