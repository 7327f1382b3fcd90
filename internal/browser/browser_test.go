//go:build linux

package browser

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/awsenv/awsenv/plugins/childproc/childproctest"
)

func TestCheck(t *testing.T) {
	for _, ok := range []string{
		"https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH",
		"https://signin.aws.amazon.com/federation?Action=login&SigninToken=a%2Bb",
		"http://127.0.0.1:8080/callback", "http://localhost/x", "http://[::1]:9/",
	} {
		if err := Check(ok); err != nil {
			t.Errorf("Check(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{
		"", "-https://example.com", "--help", "http://example.com/", "file:///etc/passwd", "javascript:alert(1)",
		"https:evil", "https://", "https://a b", "https://x/\x1b]52;c;aGk=\x07", "https://x/\u009b2J", "https://x/\n",
		"ftp://example.com/", "https://ex\u00e4mple.com/",
	} {
		if err := Check(bad); err == nil {
			t.Errorf("Check(%q) accepted it", bad)
		}
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// The opener runs through childproc: a hostile opener's stderr and stdout
// reach the person made safe and capped; it gets the address as one
// argument, in place of %s.
func TestOpenHostile(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	args := filepath.Join(t.TempDir(), "args")
	opener := childproctest.Script(t, `printf '%s\n' "$@" > `+args+`; echo chatter on stdout`)
	var term bytes.Buffer
	const addr = "https://signin.aws.amazon.com/federation?a=b&c=%73"
	if err := Open(context.Background(), env(map[string]string{"BROWSER": "/no/such/browser:" + opener + " --new-tab %s"}), &term, addr); err != nil {
		t.Fatal(err)
	}
	childproctest.Check(t, term.String())
	if got, _ := os.ReadFile(args); string(got) != "--new-tab\n"+addr+"\n" {
		t.Fatalf("the opener got %q", got)
	}
}

// An address that is not https:// is refused before any opener runs.
func TestOpenRefuses(t *testing.T) {
	ran := filepath.Join(t.TempDir(), "ran")
	opener := filepath.Join(t.TempDir(), "opener")
	os.WriteFile(opener, []byte("#!/bin/sh\ntouch "+ran+"\n"), 0o755)
	for _, bad := range []string{"file:///etc/passwd", "-x", "http://evil.example/"} {
		if err := Open(context.Background(), env(map[string]string{"BROWSER": opener}), &bytes.Buffer{}, bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	if _, err := os.Stat(ran); err == nil {
		t.Fatal("the opener ran")
	}
	if err := Open(context.Background(), env(map[string]string{}), &bytes.Buffer{}, "https://example.com/"); err == nil ||
		!strings.Contains(err.Error(), "no $BROWSER") {
		t.Fatalf("without $BROWSER or a display: %v", err)
	}
}

// The browser an opener starts is the person's: it is not ended after
// the call, unlike what other children leave.
func TestOpenLeavesTheBrowser(t *testing.T) {
	for _, p := range []string{"sh", "setsid", "sleep"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skip("no " + p)
		}
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	opener := filepath.Join(t.TempDir(), "opener")
	os.WriteFile(opener, []byte("#!/bin/sh\n"+childproctest.LeaveBehindSh(pidFile)+"\n"), 0o755)
	if err := Open(context.Background(), env(map[string]string{"BROWSER": opener}), &bytes.Buffer{}, "https://example.com/"); err != nil {
		t.Fatal(err)
	}
	pid := childproctest.LeftPid(t, pidFile)
	defer syscall.Kill(pid, syscall.SIGKILL)
	childproctest.Alive(t, pid, "the browser the opener started")
}

func TestCanOpen(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	if !CanOpen(env("BROWSER", "firefox", "SSH_CONNECTION", "1 2 3 4")) {
		t.Error("$BROWSER is the person's choice, even over SSH")
	}
	if CanOpen(env("SSH_CONNECTION", "1 2 3 4", "DISPLAY", ":0")) || CanOpen(env("SSH_TTY", "/dev/pts/1", "DISPLAY", ":0")) {
		t.Error("over SSH without $BROWSER: no browser sign-in")
	}
	if runtime.GOOS == "linux" && CanOpen(env()) {
		t.Error("no display, no $BROWSER: no browser sign-in")
	}
}
