//go:build unix

package main

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// pickWorld is a world with three profiles that need no MFA code.
func pickWorld(t *testing.T) *world {
	w := newWorld(t)
	var creds strings.Builder
	for _, p := range []string{"dev", "staging", "sandbox"} {
		fmt.Fprintf(&creds, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n", p, userKeyID, userSecret)
	}
	w.writeCredentials(creds.String())
	w.writeConfig("[profile dev]\nregion = eu-west-1\n\n[profile staging]\nregion = eu-central-1\n\n[profile sandbox]\nregion = us-east-1\n\n[profile prod]\nrole_arn = " + roleARN + "\nsource_profile = dev\n")
	return w
}

// startPicking starts `awsenv args...` as `eval "$(awsenv use)"` runs it
// from an interactive shell: stdin and the controlling terminal are a
// pty, stdout and stderr are captured apart.
func (w *world) startPicking(args ...string) *onTerminal {
	w.t.Helper()
	ptmx, tty, err := pty.Open()
	must(w.t, err)
	w.t.Cleanup(func() { ptmx.Close() })
	must(w.t, pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 100}))
	o := &onTerminal{cmd: testproc.Command(filepath.Join(binDir, "awsenv"), args...), ptmx: ptmx,
		screen: bufio.NewReader(ptmx), stdout: &strings.Builder{}, stderr: &strings.Builder{}}
	o.cmd.Env = w.env("TERM=xterm-256color")
	o.cmd.Stdin, o.cmd.Stdout, o.cmd.Stderr = tty, o.stdout, o.stderr
	o.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	must(w.t, testproc.Start(o.cmd))
	tty.Close()
	return o
}

func (o *onTerminal) wait(t *testing.T) int {
	t.Helper()
	go io.Copy(io.Discard, o.screen)
	done := make(chan error, 1)
	go func() { done <- o.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-o.cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("awsenv did not finish; stderr: %s", o.stderr.String())
	}
	return o.cmd.ProcessState.ExitCode()
}

// Typing filters the list, Enter chooses: the eval'd output is the chosen
// profile's, stdout holds nothing of the picker, and stderr says what to
// type next time.
func TestPickerTypingFiltersEnterChooses(t *testing.T) {
	t.Parallel()
	w := pickWorld(t)
	o := w.startPicking("use", "--shell", "bash")
	expect(t, o.screen, "sandbox")
	fmt.Fprint(o.ptmx, "stag")
	expect(t, o.screen, "1/4")
	fmt.Fprint(o.ptmx, "\r")
	if code := o.wait(t); code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, o.stderr.String())
	}
	out := o.stdout.String()
	if !strings.Contains(out, "export AWSENV_PROFILE='staging'\n") || !strings.Contains(out, "export AWS_REGION='eu-central-1'\n") {
		t.Fatalf("stdout must be staging's shell code only:\n%q", out)
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "sandbox") || strings.Contains(out, "profile>") {
		t.Fatalf("the picker reached stdout:\n%q", out)
	}
	if !strings.Contains(o.stderr.String(), "next time: awsenv use staging") {
		t.Fatalf("stderr must name the command for next time: %s", o.stderr.String())
	}
}

// Esc and Ctrl-C leave: nothing exported, stdout empty, exit 130.
func TestPickerEscAndCtrlCExportNothing(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"\x1b", "\x03"} {
		w := pickWorld(t)
		o := w.startPicking("use")
		expect(t, o.screen, "sandbox")
		fmt.Fprint(o.ptmx, "dev")
		expect(t, o.screen, "profile> dev")
		fmt.Fprint(o.ptmx, key)
		if code := o.wait(t); code != exitSignal || o.stdout.String() != "" {
			t.Fatalf("key %q: exit %d, stdout %q, stderr %s", key, code, o.stdout.String(), o.stderr.String())
		}
		if !strings.Contains(o.stderr.String(), "nothing was changed") {
			t.Fatalf("key %q: stderr %s", key, o.stderr.String())
		}
		if n := w.fake.Calls("GetSessionToken") + w.fake.Calls("AssumeRole"); n != 0 {
			t.Fatalf("key %q: %d STS calls after leaving the picker", key, n)
		}
	}
}

// Without a terminal, the old clear error, and no picker is started.
func TestPickerNeedsTerminal(t *testing.T) {
	t.Parallel()
	w := pickWorld(t)
	for _, cmd := range []string{"use", "exec"} {
		r := w.run(cmd)
		if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "needs a profile name") {
			t.Fatalf("%s without a terminal: %s", cmd, r)
		}
	}
}

// console without a profile (and none current) picks one too.
func TestPickerConsole(t *testing.T) {
	t.Parallel()
	w := pickWorld(t)
	w.extra = append(w.extra, "AWSENV_FEDERATION_ENDPOINT="+w.fake.URL())
	o := w.startPicking("console", "--print")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stderr: %s", o.stderr.String())
		}
	})
	expect(t, o.screen, "sandbox")
	fmt.Fprint(o.ptmx, "stag\r")
	if code := o.wait(t); code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, o.stderr.String())
	}
	if !strings.Contains(o.stdout.String(), "/federation?Action=login") || !strings.Contains(o.stderr.String(), "next time: awsenv console staging") {
		t.Fatalf("stdout %q, stderr %s", o.stdout.String(), o.stderr.String())
	}
}
