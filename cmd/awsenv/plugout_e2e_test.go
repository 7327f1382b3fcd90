//go:build unix

package main

// What leaves awsenv's hands: the processes it starts (the helper, plugins,
// what those start), and what they write toward the terminal.

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// misbehaveBin is the test plugin plugins/rpc/testdata/misbehave, built
// once per test binary.
var misbehaveBin = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "misbehave")
	build := testproc.Command("go", "build", "-o", bin, "github.com/awsenv/awsenv/plugins/rpc/testdata/misbehave")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the test plugin: %v\n%s", err, out)
	}
	return bin, nil
})

// installMisbehave installs the test plugin as awsenv-plugin-misbehave-MODE
// and makes it alice's provider, answering with a code the double accepts.
func (w *world) installMisbehave(t *testing.T, mode string) string {
	t.Helper()
	bin, err := misbehaveBin()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(w.dir, "data", "awsenv", "plugins")
	must(t, os.MkdirAll(dir, 0o755))
	name := "misbehave-" + mode
	must(t, os.WriteFile(filepath.Join(dir, "awsenv-plugin-"+name), []byte("#!/bin/sh\nexec "+bin+" "+mode+"\n"), 0o755))
	w.setProvider(t, "awsenv_mfa_provider = "+name+"\nawsenv_mfa_answer = "+w.code()+"\n")
	return name
}

// processesOf lists the live processes of this world: those whose
// environment names its HOME (every process awsenv starts inherits it).
// Zombies, which can run nothing, do not count.
func (w *world) processesOf() map[int]string {
	out := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !bytes.Contains(env, []byte("\x00HOME="+w.home+"\x00")) && !bytes.HasPrefix(env, []byte("HOME="+w.home+"\x00")) {
			continue
		}
		if stat, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err != nil || bytes.Contains(stat, []byte(") Z ")) {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		out[pid] = strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return out
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !bytes.Contains(stat, []byte(") Z "))
}

// Killed with kill -9 at the MFA prompt, awsenv takes the helper with it:
// nothing of the run is left in the terminal's foreground group to read
// the person's next line as an MFA code (it did before plugins/childproc).
// As in a terminal, a shell is the session leader and awsenv its child, so
// the terminal's hang-up does not end the helper for awsenv.
func TestKill9AtPromptLeavesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ptmx, tty, err := pty.Open()
	must(t, err)
	t.Cleanup(func() { ptmx.Close() })
	shell := testproc.Command("/bin/sh", "-c", `awsenv use prod >/dev/null; IFS= read -r line; echo "shell read: $line"; exec sleep 300`)
	shell.Env = w.env()
	shell.Stdin, shell.Stdout, shell.Stderr = tty, tty, tty
	shell.ExtraFiles = []*os.File{tty}
	shell.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
	must(t, testproc.Start(shell))
	tty.Close()
	t.Cleanup(func() { shell.Process.Kill(); shell.Wait() })
	screen := bufio.NewReader(ptmx)
	expect(t, screen, "MFA code for profile alice")

	ours := func() map[int]string { // the run's processes, not the shell's
		out := map[int]string{}
		for pid, cmd := range w.processesOf() {
			if pid != shell.Process.Pid && !strings.HasPrefix(cmd, "sleep") {
				out[pid] = cmd
			}
		}
		return out
	}
	awsenv, helpers := 0, 0
	for pid, cmd := range ours() {
		switch {
		case strings.Contains(cmd, "awsenv-helper"):
			helpers++
		case filepath.Base(strings.Fields(cmd)[0]) == "awsenv":
			awsenv = pid
		}
	}
	if awsenv == 0 || helpers != 1 {
		t.Fatalf("at the prompt, want awsenv and one awsenv-helper, got %v", ours())
	}
	must(t, syscall.Kill(awsenv, syscall.SIGKILL))
	var left map[int]string
	for i := 0; i < 100; i++ {
		if left = ours(); len(left) == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() {
		for pid := range ours() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	if len(left) > 0 {
		t.Fatalf("after kill -9 of awsenv, still running: %v", left)
	}
	// The next line typed goes to the shell, and no code reaches STS.
	code := w.code()
	fmt.Fprint(ptmx, code+"\n")
	expect(t, screen, "shell read: "+code)
	if n := w.fake.Calls("GetSessionToken"); n != 0 {
		t.Fatalf("%d GetSessionToken calls after awsenv was killed", n)
	}
}

// What a plugin starts and leaves running (a background job, a process
// in a session of its own, a double-forked daemon, each started before
// the handshake and during the call) ends with the plugin; so does what
// mfa_process leaves.
func TestProviderDescendantsEnd(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, w *world, pidFile string, want int) {
		t.Helper()
		data, err := os.ReadFile(pidFile)
		must(t, err)
		var pids []int
		for _, f := range strings.Fields(string(data)) {
			pid, err := strconv.Atoi(f)
			must(t, err)
			pids = append(pids, pid)
		}
		t.Cleanup(func() {
			for _, pid := range pids {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		})
		if len(pids) != want {
			t.Fatalf("the provider recorded %d children, want %d: %q", len(pids), want, data)
		}
		var left []int
		for _, pid := range pids {
			if alive(pid) {
				left = append(left, pid)
			}
		}
		if len(left) > 0 || len(w.processesOf()) > 0 {
			t.Fatalf("after the run, of the provider's children %v these run: %v; the world's processes: %v", pids, left, w.processesOf())
		}
	}

	t.Run("plugin", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.installMisbehave(t, "children")
		pidFile := filepath.Join(w.dir, "children")
		if r := w.runEnv([]string{"TESTPLUGIN_CHILDREN=" + pidFile}, "use", "alice"); r.code != 0 {
			t.Fatalf("use alice: %s", r)
		}
		check(t, w, pidFile, 6)
	})
	t.Run("mfa_process", func(t *testing.T) {
		t.Parallel()
		oathtool := requireTool(t, "oathtool")
		w := newWorld(t)
		pidFile := filepath.Join(w.dir, "children")
		w.setProvider(t, "mfa_process = sleep 300 >/dev/null 2>&1 & echo $! >> "+pidFile+"; ( setsid sleep 300 >/dev/null 2>&1 & echo $! >> "+pidFile+" ); "+
			oathtool+" --totp -b "+mfaSecret+"\n")
		if r := w.run("use", "alice"); r.code != 0 {
			t.Fatalf("use alice: %s", r)
		}
		check(t, w, pidFile, 2)
	})
}

// Socket directories that killed runs left under $XDG_RUNTIME_DIR are
// removed by the next run: only this user's real directories, older than
// a minute, with no plugin listening; never through a symbolic link.
func TestStaleSocketDirsCleaned(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.installMisbehave(t, "ok")
	// Socket paths must stay short: a runtime directory outside t.TempDir().
	run, err := os.MkdirTemp("", "rt")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(run) })
	base := filepath.Join(run, "awsenv", "plugins")
	must(t, os.MkdirAll(base, 0o700))
	old := time.Now().Add(-2 * time.Minute)
	mkdir := func(name string, age time.Time) string {
		dir := filepath.Join(base, name)
		must(t, os.Mkdir(dir, 0o700))
		must(t, os.WriteFile(filepath.Join(dir, "leftover"), nil, 0o600))
		must(t, os.Chtimes(dir, age, age))
		return dir
	}
	dead := mkdir("plugin-dir111", old)
	// A socket nobody listens on any more, as a killed plugin leaves it.
	l, err := net.Listen("unix", filepath.Join(dead, "plugin1"))
	must(t, err)
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	must(t, os.Chtimes(dead, old, old))
	fresh := mkdir("plugin-dir222", time.Now())
	live := mkdir("plugin-dir333", old)
	l, err = net.Listen("unix", filepath.Join(live, "plugin1"))
	must(t, err)
	defer l.Close()
	must(t, os.Chtimes(live, old, old))
	other := mkdir("notours", old)
	// A link to a directory elsewhere: neither it nor its target is touched.
	target := filepath.Join(w.dir, "target")
	must(t, os.MkdirAll(target, 0o700))
	must(t, os.WriteFile(filepath.Join(target, "keep"), nil, 0o600))
	link := filepath.Join(base, "plugin-dir444")
	must(t, os.Symlink(target, link))

	if r := w.runEnv([]string{"XDG_RUNTIME_DIR=" + run}, "use", "alice"); r.code != 0 {
		t.Fatalf("use alice: %s", r)
	}
	if _, err := os.Lstat(dead); !os.IsNotExist(err) {
		t.Errorf("%s, left by a killed run, is still there (%v)", dead, err)
	}
	for _, p := range []string{fresh, live, other, link, filepath.Join(target, "keep")} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	entries, _ := os.ReadDir(base)
	if len(entries) != 4 {
		t.Errorf("the run left %d entries in %s, want 4 (its own directory removed)", len(entries), base)
	}
}

// Everything a plugin writes to stderr reaches the person without what a
// terminal would act on: no window title, no clear screen, no reset, no
// bidi override, no 8-bit control, no invalid UTF-8.
func TestPluginStderrIsMadeSafe(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.installMisbehave(t, "hostile")
	r := w.run("use", "alice")
	if r.code != 0 || strings.Count(r.stderr, "HOSTILE-START") != 2 || strings.Count(r.stderr, "HOSTILE-END") != 2 {
		t.Fatalf("use alice with a plugin writing escape sequences: want both lines passed on, got %q", r.stderr)
	}
	checkSafe(t, r.stderr)
}

// checkSafe fails if text holds anything a terminal acts on.
func checkSafe(t *testing.T, text string) {
	t.Helper()
	if !utf8.ValidString(text) {
		t.Fatalf("stderr is not UTF-8: %q", text)
	}
	for _, r := range text {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Fatalf("stderr holds %U: %q", r, text)
		}
	}
	if strings.Contains(text, "pwned-title") {
		t.Fatalf("the OSC's text came through: %q", text)
	}
}

// A plugin that panics is one line without --debug, its whole trace with.
func TestPluginCrashIsOneLine(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	name := w.installMisbehave(t, "crash")
	r := w.run("use", "alice")
	want := "plugin " + name + " crashed: panic: crash during the call; run with --debug for the trace\n"
	if r.code != exitMFA || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "goroutine ") ||
		strings.Count(r.stderr, "\n") > 4 {
		t.Fatalf("a crashing plugin without --debug: want %q and no trace, got %s", want, r)
	}
	r = w.run("use", "alice", "--debug")
	if r.code != exitMFA || !strings.Contains(r.stderr, "goroutine ") || !strings.Contains(r.stderr, "main.provider.Code") ||
		strings.Contains(r.stderr, "run with --debug") {
		t.Fatalf("a crashing plugin with --debug: want the trace, got %s", r)
	}
	checkSafe(t, r.stderr)
}

// The helper starts without the AWS credentials of awsenv's environment,
// so a plugin cannot read them from /proc/<its parent>/environ.
func TestPluginCannotReadCredentialsFromHelper(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.installMisbehave(t, "peek-parent")
	r := w.runEnv([]string{"AWS_ACCESS_KEY_ID=ASIAEXPORTEDKEY00000", "AWS_SECRET_ACCESS_KEY=exported-secret",
		"AWS_SESSION_TOKEN=exported-token", "AWS_SECURITY_TOKEN=exported-token"}, "use", "alice")
	// Plugins are awsenv-helper-full's; the kernel keeps 15 bytes of a
	// process's name.
	if r.code != 0 || !strings.Contains(r.stderr, "PEEK parent=awsenv-helper-f credentials=none\n") {
		t.Fatalf("the plugin's parent must be awsenv-helper-full, without credentials: %s", r)
	}
}
