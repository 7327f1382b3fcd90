//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

func TestPermuteArgs(t *testing.T) {
	t.Parallel()
	app := newApp(&Deps{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	cases := []struct{ in, want []string }{
		{[]string{"awsenv", "use", "prod", "--shell", "fish"}, []string{"awsenv", "use", "--shell", "fish", "prod"}},
		{[]string{"awsenv", "use", "prod", "--shell=fish", "--refresh"}, []string{"awsenv", "use", "--shell=fish", "--refresh", "prod"}},
		{[]string{"awsenv", "--debug", "use", "prod", "--refresh"}, []string{"awsenv", "--debug", "use", "--refresh", "prod"}},
		{[]string{"awsenv", "exec", "prod", "--mfa-code", "123456", "--", "ls", "--shell", "-l"},
			[]string{"awsenv", "exec", "--mfa-code", "123456", "prod", "--", "ls", "--shell", "-l"}},
		{[]string{"awsenv", "list", "--json"}, []string{"awsenv", "list", "--json"}},
		{[]string{"awsenv", "use", "prod", "--help"}, []string{"awsenv", "use", "--help"}},
		{[]string{"awsenv", "exec", "prod", "--", "ls", "--help"}, []string{"awsenv", "exec", "prod", "--", "ls", "--help"}},
		{[]string{"awsenv"}, []string{"awsenv"}},
		{[]string{"awsenv", "nosuch", "-x"}, []string{"awsenv", "nosuch", "-x"}},
	}
	for _, c := range cases {
		if got := permuteArgs(app, c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("permuteArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTimeLeft(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		42 * time.Minute: "42m", 3*time.Hour + 5*time.Minute: "3h05m", -time.Second: "expired", 30 * time.Second: "0m",
	} {
		if got := timeLeft(now.Add(d), now); got != want {
			t.Errorf("timeLeft(%s) = %q, want %q", d, got, want)
		}
	}
	if timeLeft(time.Time{}, now) != "-" {
		t.Error("unknown expiry should print -")
	}
}

// Usage mistakes give exit 2, a short message and nothing on stdout (an
// eval of it must do nothing); help itself is never printed to stdout then.
func TestUsageErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, args := range [][]string{
		{"use"}, {"use", "alice", "extra"}, {"use", "alice", "--shell", "tcsh"}, {"use", "alice", "--nope"},
		{"exec", "alice"}, {"credential-process"},
	} {
		r := w.run(args...)
		if r.code != exitUsage || r.stdout != "" || !strings.HasPrefix(r.stderr, "awsenv: ") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q: want exit 2, empty stdout, one line on stderr; got %s", args, r)
		}
	}
	if r := w.run("version"); r.code != 0 || !strings.HasPrefix(r.stdout, "awsenv ") {
		t.Errorf("version: %s", r)
	}
	if r := w.run("list", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"name": "prod"`) || !strings.Contains(r.stdout, `"kind": "role"`) {
		t.Errorf("list --json: %s", r)
	}
}

// README's install command works: install.sh builds and installs both
// binaries into PREFIX, and the installed awsenv finds its helper.
func TestInstallScript(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	prefix := filepath.Join(w.dir, "prefix")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	// Go's caches stay where they are (they default to places under HOME).
	goEnv, err := testproc.Command(goBin, "env", "GOPATH", "GOMODCACHE", "GOCACHE").Output()
	must(t, err)
	dirs := strings.Fields(string(goEnv))
	cmd := testproc.Command("bash", filepath.Join("..", "..", "install.sh"), "--no-modify-rc")
	// The world's HOME: never the real rc files, whatever the script does.
	cmd.Env = append(os.Environ(), "HOME="+w.home, "PREFIX="+prefix, "PATH="+filepath.Dir(goBin)+":/usr/bin:/bin",
		"GOPATH="+dirs[0], "GOMODCACHE="+dirs[1], "GOCACHE="+dirs[2])
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	for _, b := range []string{"awsenv", "awsenv-helper", "awsenv-helper-full"} {
		if fi, err := os.Stat(filepath.Join(prefix, "bin", b)); err != nil || fi.Mode().Perm() != 0o755 {
			t.Fatalf("%s not installed 0755: %v", b, err)
		}
	}
	use := testproc.Command(filepath.Join(prefix, "bin", "awsenv"), "use", "alice", "--mfa-code", w.code())
	use.Env = w.env("PATH=/usr/bin:/bin") // no awsenv-helper on PATH: it must be found beside awsenv
	setNoTTY(use)
	if r := runCmd(t, use); r.code != 0 || !strings.Contains(r.stdout, "AWS_SESSION_TOKEN") {
		t.Fatalf("installed awsenv (helper found beside it): %s", r)
	}
	un := testproc.Command("bash", filepath.Join("..", "..", "install.sh"), "--uninstall", "--no-modify-rc")
	un.Env = append(os.Environ(), "HOME="+w.home, "PREFIX="+prefix)
	if out, err := un.CombinedOutput(); err != nil {
		t.Fatalf("install.sh --uninstall: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(prefix, "bin", "awsenv")); !os.IsNotExist(err) {
		t.Fatal("--uninstall left awsenv behind")
	}
}

// --no-input renews what cached sessions can and never asks for a code;
// list --names prints the names alone.
func TestNoInputAndNames(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run("use", "prod", "--no-input")
	if r.code != exitMFA || r.stdout != "" || !strings.Contains(r.stderr, "needs a new MFA code") {
		t.Fatalf("--no-input without a session: %s", r)
	}
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("use alice: %s", r)
	}
	if r := w.run("use", "prod", "--no-input"); r.code != 0 {
		t.Fatalf("--no-input with a cached MFA session should assume the role: %s", r)
	}
	r = w.run("list", "--names")
	if r.code != 0 || r.stdout != "alice\nlong\nprod\n" {
		t.Fatalf("list --names: %q", r.stdout)
	}
}
