package shellinit

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/shell"
)

func TestScriptQuotesTheBinaryEverywhere(t *testing.T) {
	const exe = `/opt/my bin's "dir"/$(x)/awsenv`
	for _, name := range Shells() {
		sh, err := shell.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := Raw(name)
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(raw, Placeholder)
		if n == 0 {
			t.Fatalf("%s: the script never calls the binary", name)
		}
		out, err := Script(sh, exe)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, Placeholder) || strings.Count(out, sh.Quote(exe)) != n {
			t.Errorf("%s: want the placeholder replaced %d times by %s", name, n, sh.Quote(exe))
		}
	}
}

func TestScriptRefuses(t *testing.T) {
	bash, _ := shell.Lookup("bash")
	sh, _ := shell.Lookup("sh")
	ps, _ := shell.Lookup("powershell")
	for what, err := range map[string]error{
		"relative path":          second(Script(bash, "bin/awsenv")),
		"sh":                     second(Script(sh, "/bin/awsenv")),
		"invalid UTF-8 for pwsh": second(Script(ps, "/bin/\xff/awsenv")),
		"NUL":                    second(Script(bash, "/bin/a\x00wsenv")),
		"nil shell":              second(Script(nil, "/bin/awsenv")),
	} {
		if err == nil {
			t.Errorf("%s: want an error", what)
		}
	}
}

func second(_ string, err error) error { return err }

// The stored files themselves are clean scripts, so editors and linters
// work on them as they are.
func TestRawScriptsLint(t *testing.T) {
	raw, _ := Raw("bash")
	if !strings.HasPrefix(raw, "# shellcheck shell=bash\n") {
		t.Error("awsenv.bash must start with # shellcheck shell=bash")
	}
	if p, err := exec.LookPath("shellcheck"); err == nil {
		cmd := testproc.Command(p, "-")
		cmd.Stdin = strings.NewReader(raw)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("shellcheck awsenv.bash: %v\n%s", err, out)
		}
	} else {
		t.Log("shellcheck is not installed; the end-to-end tests check the generated script")
	}
}
