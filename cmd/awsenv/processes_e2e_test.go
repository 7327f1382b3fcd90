//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles/sessions"
)

// strace runs awsenv under strace with the given -e filter, following
// children, and returns the lines of calls that succeeded.
func (w *world) strace(filter string, args ...string) ([]string, result) {
	w.t.Helper()
	return w.straceEnv(nil, filter, args...)
}

// straceEnv is strace with more environment.
func (w *world) straceEnv(extraEnv []string, filter string, args ...string) ([]string, result) {
	w.t.Helper()
	strace := requireTool(w.t, "strace")
	log := filepath.Join(w.dir, "strace.log")
	cmd := exec.Command(strace, append([]string{"-f", "-qq", "-e", filter, "-e", "signal=none", "-o", log,
		filepath.Join(binDir, "awsenv")}, args...)...)
	cmd.Env = w.env(extraEnv...)
	cmd.Dir = w.dir
	setNoTTY(cmd)
	r := runCmd(w.t, cmd)
	data, err := os.ReadFile(log)
	must(w.t, err)
	var calls []string
	for _, line := range strings.Split(string(data), "\n") {
		if _, ret, ok := strings.Cut(line, ") = "); ok && !strings.HasPrefix(ret, "-1") && !strings.HasPrefix(ret, "?") {
			calls = append(calls, line)
		}
	}
	return calls, r
}

// execs runs awsenv under strace and returns the program of every
// successful execve of it and its descendants, in order.
func (w *world) execs(args ...string) ([]string, result) {
	w.t.Helper()
	return w.execsEnv(nil, args...)
}

// execsEnv is execs with more environment.
func (w *world) execsEnv(extraEnv []string, args ...string) ([]string, result) {
	w.t.Helper()
	calls, r := w.straceEnv(extraEnv, "trace=execve", args...)
	var progs []string
	for _, line := range calls {
		// 1234 execve("/path/prog", ["prog", ...], ...) = 0
		if _, call, ok := strings.Cut(line, " execve(\""); ok {
			prog, _, _ := strings.Cut(call, "\"")
			progs = append(progs, filepath.Base(prog))
		}
	}
	return progs, r
}

func count(progs []string, name string) int {
	n := 0
	for _, p := range progs {
		if p == name {
			n++
		}
	}
	return n
}

// A cold role profile needs two STS calls and, with a provider, a code:
// one helper serves them all, and a built-in provider runs inside it.
// Once the session store has its data key (in the kernel keyring), that
// helper is awsenv-helper, which links STS alone; the run that makes the
// store's data key needs awsenv-helper-full (the secret store), which then
// serves the whole run. Counted with strace, not timed.
func TestColdRoleProcessCount(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	progs, r := w.execs("use", "prod", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("cold use prod: %s", r)
	}
	if len(progs) != 2 || progs[0] != "awsenv" || progs[1] != "awsenv-helper-full" {
		t.Fatalf("the first cold use prod (a new data key) ran %v, want [awsenv awsenv-helper-full]", progs)
	}
	if g, a := w.fake.Calls("GetSessionToken"), w.fake.Calls("AssumeRole"); g != 1 || a != 1 {
		t.Fatalf("STS calls: %d GetSessionToken, %d AssumeRole", g, a)
	}

	// A role renewed on a valid MFA session: AssumeRole alone.
	if r := w.run("sessions", "clear", "prod"); r.code != 0 {
		t.Fatalf("sessions clear prod: %s", r)
	}
	progs, r = w.execs("use", "prod")
	if r.code != 0 || strings.Join(progs, " ") != "awsenv awsenv-helper" {
		t.Fatalf("cold role renewal ran %v, want [awsenv awsenv-helper]: %s", progs, r)
	}
	if g, a := w.fake.Calls("GetSessionToken"), w.fake.Calls("AssumeRole"); g != 1 || a != 2 {
		t.Fatalf("STS calls after the renewal: %d GetSessionToken, %d AssumeRole", g, a)
	}

	// Cold again, both sessions gone: the code and both calls.
	if r := w.run("sessions", "clear"); r.code != 0 {
		t.Fatalf("sessions clear: %s", r)
	}
	progs, r = w.execs("use", "prod", "--mfa-code", w.code())
	if r.code != 0 || strings.Join(progs, " ") != "awsenv awsenv-helper" {
		t.Fatalf("cold use prod with --mfa-code ran %v, want [awsenv awsenv-helper]: %s", progs, r)
	}
	if g, a := w.fake.Calls("GetSessionToken"), w.fake.Calls("AssumeRole"); g != 2 || a != 3 {
		t.Fatalf("STS calls: %d GetSessionToken, %d AssumeRole", g, a)
	}

	// The process provider: the helper asks for the code, then makes both
	// calls; only the command itself is added.
	oathtool := requireTool(t, "oathtool")
	w2 := newWorld(t)
	cfg, err := os.ReadFile(filepath.Join(w2.home, ".aws", "config"))
	must(t, err)
	w2.writeConfig(strings.Replace(string(cfg), "[profile alice]\n",
		"[profile alice]\nmfa_process = "+oathtool+" --totp -b "+mfaSecret+"\n", 1))
	progs, r = w2.execs("use", "prod")
	if r.code != 0 {
		t.Fatalf("cold use prod with mfa_process: %s", r)
	}
	if count(progs, "awsenv-helper-full") != 1 || count(progs, "awsenv") != 1 || count(progs, "oathtool") != 1 ||
		len(progs) != 3+count(progs, "sh") || count(progs, "sh") > 1 {
		t.Fatalf("cold use prod with mfa_process (a new data key) ran %v, want awsenv, one awsenv-helper-full, sh and oathtool", progs)
	}
	t.Logf("cold role use: %d execs with --mfa-code, %d with mfa_process (%v)", 2, len(progs), progs)

	// The cached path starts nothing.
	progs, r = w2.execs("use", "prod")
	if r.code != 0 || len(progs) != 1 {
		t.Fatalf("cached use prod ran %v: %s", progs, r)
	}
}

// A code that cannot change fails at once with exit 4, instead of waiting
// for a window that cannot bring another: --mfa-code given twice, and an
// mfa_process that prints a constant.
func TestFixedCodeFailsFast(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	code := w.code()
	if r := w.run("use", "alice", "--mfa-code", code); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	r := w.run("use", "alice", "--refresh", "--mfa-code", code)
	if r.code != exitMFA || r.stdout != "" || strings.Contains(r.stderr, "waiting") ||
		!strings.Contains(r.stderr, "AWS accepted at") || !strings.Contains(r.stderr, "Pass the next code") {
		t.Fatalf("the same --mfa-code again: %s", r)
	}
	if g := w.fake.Calls("GetSessionToken"); g != 1 {
		t.Fatalf("GetSessionToken calls = %d, want 1: the reused code must not be sent", g)
	}

	// An mfa_process printing a code accepted in an earlier window.
	w2 := newWorld(t)
	cfg, err := os.ReadFile(filepath.Join(w2.home, ".aws", "config"))
	must(t, err)
	w2.writeConfig(strings.Replace(string(cfg), "[profile alice]\n", "[profile alice]\nmfa_process = echo 123456\n", 1))
	store, err := sessions.Open(w2.sessionDir())
	must(t, err)
	must(t, store.SaveLastCode(serial, "123456", time.Now().Add(-40*time.Second)))
	r = w2.run("use", "alice")
	if r.code != exitMFA || r.stdout != "" || strings.Contains(r.stderr, "waiting") ||
		!strings.Contains(r.stderr, "cannot give a new one") {
		t.Fatalf("a fixed mfa_process: %s", r)
	}
	if g := w2.fake.Calls("GetSessionToken"); g != 0 {
		t.Fatalf("GetSessionToken calls = %d, want 0", g)
	}
}

// awsenv list writes its rows to a pipe in a few large writes, not one a
// cell (22,045 writes for 2,004 rows before stdout was buffered).
func TestListWritesInFewCalls(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	var b strings.Builder
	b.Write(cfg)
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "\n[profile p%04d]\nrole_arn = arn:aws:iam::123456789012:role/r%d\nsource_profile = alice\nregion = eu-west-1\n", i, i)
	}
	w.writeConfig(b.String())
	calls, r := w.strace("trace=write", "list")
	if r.code != 0 || strings.Count(r.stdout, "\n") < 2000 {
		t.Fatalf("list: %d lines, %s", strings.Count(r.stdout, "\n"), r.stderr)
	}
	n := 0
	for _, c := range calls {
		if strings.Contains(c, "write(1,") {
			n++
		}
	}
	if max := len(r.stdout)/(64<<10) + 2; n > max {
		t.Fatalf("list wrote %d bytes to stdout in %d writes, want at most %d", len(r.stdout), n, max)
	}
	t.Logf("list: %d rows, %d bytes in %d writes", strings.Count(r.stdout, "\n"), len(r.stdout), n)
}
