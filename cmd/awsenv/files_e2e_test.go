//go:build unix

package main

// Files that are not what they should be: FIFOs, directories, huge files,
// files others can write. awsenv must never hang on one, never read one
// whole, and never run a command that someone else could have chosen.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// runWithin runs awsenv with no terminal and fails the test if it has not
// exited within d (it is then killed, with everything it started).
func (w *world) runWithin(d time.Duration, extraEnv []string, args ...string) result {
	w.t.Helper()
	cmd := testproc.Command(filepath.Join(binDir, "awsenv"), args...)
	cmd.Env = w.env(extraEnv...)
	cmd.Dir = w.dir
	setNoTTY(cmd)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	must(w.t, testproc.Start(cmd))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(d):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		w.t.Fatalf("awsenv %v did not exit within %s (stderr so far: %q)", args, d, errb.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatalf("run %v: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	must(t, os.RemoveAll(path))
	must(t, syscall.Mkfifo(path, 0o600))
}

// A FIFO in place of any file awsenv reads or locks would block open(2)
// until a writer came. Each is refused at once, exit 3, naming the path,
// what it is, and the rm that fixes it; no signal is needed.
func TestFIFOsDoNotBlock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		setup func(w *world) string // makes the FIFO, returns its path
		args  []string
	}{
		{"AWS_CONFIG_FILE", func(w *world) string {
			p := filepath.Join(w.home, ".aws", "config")
			mkfifo(w.t, p)
			return p
		}, []string{"use", "prod", "--mfa-code", "123456"}},
		{"AWS_SHARED_CREDENTIALS_FILE", func(w *world) string {
			p := filepath.Join(w.home, ".aws", "credentials")
			mkfifo(w.t, p)
			return p
		}, []string{"list"}},
		{"awsenv's config", func(w *world) string {
			p := filepath.Join(w.dir, "config", "awsenv", "config")
			must(w.t, os.MkdirAll(filepath.Dir(p), 0o700))
			mkfifo(w.t, p)
			return p
		}, []string{"use", "prod", "--mfa-code", "123456"}},
		{"session file", func(w *world) string {
			return w.replaceSessionFiles(".json", true)
		}, []string{"use", "prod", "--mfa-code", "123456"}},
		{"session lock", func(w *world) string {
			return w.replaceSessionFiles(".lock", false)
		}, []string{"use", "prod", "--mfa-code", "123456"}},
		// The last-code file is a hint: a FIFO there is passed over
		// without blocking and replaced once AWS accepts a code.
		{"last-code file", func(w *world) string {
			return w.replaceSessionFiles(".code", false)
		}, []string{"use", "alice", "--refresh", "--mfa-code", "CODE"}},
		{"rotate lock", func(w *world) string {
			dir := filepath.Join(w.dir, "state", "awsenv", "rotate")
			must(w.t, os.MkdirAll(dir, 0o700))
			p := filepath.Join(dir, lockName("alice", "rotate"))
			mkfifo(w.t, p)
			return p
		}, []string{"rotate", "alice", "--yes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			path := tc.setup(w)
			before := len(w.alice().Keys())
			args := append([]string(nil), tc.args...)
			if args[len(args)-1] == "CODE" {
				args[len(args)-1] = w.code()
				if r := w.runWithin(10*time.Second, nil, args...); r.code != 0 {
					t.Fatalf("want success:\n%s", r)
				}
				if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
					t.Fatalf("the FIFO was not replaced by a last-code file: %v %v", fi, err)
				}
				return
			}
			r := w.runWithin(10*time.Second, nil, args...)
			if r.code != 3 || r.stdout != "" {
				t.Fatalf("want exit 3 and no output:\n%s", r)
			}
			for _, want := range []string{path, "a FIFO (named pipe)", "rm " + path} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if n := len(w.alice().Keys()); n != before {
				t.Errorf("alice has %d keys, had %d: rotate made one before refusing", n, before)
			}
		})
	}
}

// A directory where a lock file goes is named as a directory, with the
// command that removes it, not taken for another awsenv holding the lock.
func TestLockPathIsADirectory(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := w.replaceSessionFiles(".lock", false)
	must(t, os.Remove(p))
	must(t, os.Mkdir(p, 0o700))
	r := w.runWithin(10*time.Second, nil, "use", "prod", "--mfa-code", w.code())
	if r.code != 3 || !strings.Contains(r.stderr, p+" is a directory") && !strings.Contains(r.stderr, "it is a directory") ||
		!strings.Contains(r.stderr, "rmdir "+p) || strings.Contains(r.stderr, "may be waiting") {
		t.Fatalf("want exit 3 naming the directory and rmdir:\n%s", r)
	}
}

// replaceSessionFiles makes the sessions of prod (and alice) with a real
// run, then replaces every session-directory file ending in suffix with a
// FIFO and returns the path of one. With keepJSON false, the cached
// sessions go, so the next run must lock, renew and remember a code.
func (w *world) replaceSessionFiles(suffix string, keepJSON bool) string {
	w.t.Helper()
	if r := w.run("use", "prod", "--mfa-code", w.code()); r.code != 0 {
		w.t.Fatalf("first use: %s", r)
	}
	var last string
	entries, err := os.ReadDir(w.sessionDir())
	must(w.t, err)
	for _, e := range entries {
		p := filepath.Join(w.sessionDir(), e.Name())
		switch {
		case strings.HasSuffix(e.Name(), suffix):
			mkfifo(w.t, p)
			last = p
		case strings.HasSuffix(e.Name(), ".json") && !keepJSON:
			must(w.t, os.Remove(p))
		}
	}
	if last == "" {
		w.t.Fatalf("no %s file in %s: %v", suffix, w.sessionDir(), entries)
	}
	return last
}

// lockName is the lock file of a store key without parts, as
// profiles/sessions names it (PROFILE.KIND.HASH.lock, FNV-1a, 48 bits).
func lockName(profile, kind string) string {
	h := uint64(14695981039346656037)
	for _, c := range []byte(profile + "\x00" + kind) {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return profile + "." + kind + "." + hex48(h&(1<<48-1)) + ".lock"
}

func hex48(v uint64) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 12)
	for i := 11; i >= 0; i-- {
		b[i] = digits[v&15]
		v >>= 4
	}
	return string(b)
}

// While awsenv waits on a lock another process holds (the one place left
// where it blocks on a file), SIGTERM ends it at once with 130 and nothing
// on stdout.
func TestSIGTERMWhileWaitingOnLock(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	locks, _ := filepath.Glob(filepath.Join(w.sessionDir(), "alice.*.lock"))
	if len(locks) != 1 {
		t.Fatalf("want one lock file, have %v", locks)
	}
	sess, _ := filepath.Glob(filepath.Join(w.sessionDir(), "alice.*.json"))
	for _, s := range sess {
		must(t, os.Remove(s))
	}
	lf, err := os.Open(locks[0])
	must(t, err)
	defer lf.Close()
	must(t, syscall.Flock(int(lf.Fd()), syscall.LOCK_EX))

	cmd := testproc.Command(filepath.Join(binDir, "awsenv"), "use", "alice", "--mfa-code", w.code())
	cmd.Env = w.env()
	setNoTTY(cmd)
	var out bytes.Buffer
	stderr := &testproc.Buffer{}
	cmd.Stdout, cmd.Stderr = &out, stderr
	must(t, testproc.Start(cmd))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitFor(t, func() bool { return strings.Contains(stderr.String(), "waiting for it") })
	sent := time.Now()
	must(t, syscall.Kill(cmd.Process.Pid, syscall.SIGTERM))
	select {
	case err := <-done:
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 130 || out.Len() != 0 {
			t.Fatalf("want exit 130 and no stdout, got %v, stdout %q, stderr %q", err, out.String(), stderr.String())
		}
		if d := time.Since(sent); d > 2*time.Second {
			t.Errorf("awsenv took %s to end after SIGTERM", d)
		}
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("awsenv still waiting 10 s after SIGTERM; stderr %q", stderr.String())
	}
}

// A 3 GB session file (sparse: no disk used) is not read: no session is
// that big, so it counts as corrupt, is passed over and replaced, at once.
// A 3 GB rotation journal, which cannot be remade, stops rotate with the
// fix, before any IAM call that changes something.
func TestHugeFilesAreNotRead(t *testing.T) {
	t.Parallel()
	t.Run("session", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.replaceSessionFiles(".json", true) // makes the sessions; the FIFOs go next
		files, _ := filepath.Glob(filepath.Join(w.sessionDir(), "*.json"))
		for _, f := range files {
			must(t, os.Remove(f))
			must(t, os.WriteFile(f, nil, 0o600))
			must(t, os.Truncate(f, 3<<30))
		}
		start := time.Now()
		r := w.runWithin(10*time.Second, nil, "use", "prod", "--mfa-code", w.code())
		if r.code != 0 || !strings.Contains(r.stdout, "AWS_SESSION_TOKEN") {
			t.Fatalf("want new credentials:\n%s", r)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("use took %s", d)
		}
		for _, f := range files {
			if fi, err := os.Stat(f); err != nil || fi.Size() > 64<<10 {
				t.Errorf("%s was not replaced: %v %v", f, fi, err)
			}
		}
	})
	t.Run("rotate journal", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		dir := filepath.Join(w.dir, "state", "awsenv", "rotate")
		must(t, os.MkdirAll(dir, 0o700))
		j := filepath.Join(dir, "alice.journal")
		must(t, os.WriteFile(j, nil, 0o600))
		must(t, os.Truncate(j, 3<<30))
		r := w.runWithin(10*time.Second, nil, "rotate", "alice", "--yes")
		if r.code != 3 || !strings.Contains(r.stderr, j) || !strings.Contains(r.stderr, "3 GiB") ||
			!strings.Contains(r.stderr, "mv "+j) {
			t.Fatalf("want a refusal naming the journal, its size and the mv fix:\n%s", r)
		}
		if n := len(w.alice().Keys()); n != 1 {
			t.Errorf("alice has %d keys", n)
		}
	})
}

// A config file that others can write chooses no command: with
// ~/.aws/config at 0666 holding mfa_process, awsenv runs nothing, exits 3
// and gives the chmod that fixes it, and doctor's files check fails. The
// same file without a command keeps working, and doctor warns.
func TestConfigOthersCanWriteRunsNoCommand(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	marker := filepath.Join(w.dir, "PWNED")
	cfg := filepath.Join(w.home, ".aws", "config")
	w.writeConfig("[profile alice]\nregion = eu-west-1\nmfa_serial = " + serial + "\nmfa_process = touch " + marker + "; echo 123456\n")
	must(t, os.Chmod(cfg, 0o666))
	r := w.run("use", "alice")
	if r.code != 3 || r.stdout != "" || !strings.Contains(r.stderr, "chmod go-w "+cfg) ||
		!strings.Contains(r.stderr, "refusing to run the mfa_process command named in "+cfg) || !strings.Contains(r.stderr, "mode 0666") {
		t.Fatalf("want exit 3 with the chmod fix:\n%s", r)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the mfa_process command ran")
	}
	if c := w.fake.Calls("GetSessionToken"); c != 0 {
		t.Errorf("%d GetSessionToken calls", c)
	}
	r = w.run("doctor", "alice", "--json")
	if r.code != 1 || !strings.Contains(r.stdout, `"name": "files"`) ||
		!strings.Contains(r.stdout, "names commands that run as you (mfa_process in [profile alice] (line 4))") ||
		!strings.Contains(r.stdout, "chmod go-w "+cfg) {
		t.Fatalf("want doctor to fail the files check:\n%s", r)
	}
	if !strings.Contains(r.stdout, `"status": "fail",
      "detail": "`+cfg+` names commands`) {
		t.Errorf("files check did not fail:\n%s", r.stdout)
	}

	// After the fix it runs (and AWS refuses its constant code).
	must(t, os.Chmod(cfg, 0o600))
	w.run("use", "alice", "--refresh")
	if _, err := os.Stat(marker); err != nil {
		t.Fatal("the mfa_process command did not run once the file was private")
	}

	// No command in it: works as before (a code given), doctor warns.
	w.writeConfig("[profile alice]\nregion = eu-west-1\nmfa_serial = " + serial + "\n")
	must(t, os.Chmod(cfg, 0o666))
	if r := w.run("use", "alice", "--refresh", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("0666 config without commands: %s", r)
	}
	r = w.run("doctor", "alice", "--json")
	if !strings.Contains(r.stdout, `"status": "warn",
      "detail": "`+cfg) || !strings.Contains(r.stdout, "names no command") {
		t.Errorf("want doctor to warn about the files:\n%s", r.stdout)
	}
}

// awsenv's own config holds the plugin pins: when others can write it, no
// plugin runs.
func TestGlobalConfigOthersCanWriteRunsNoPlugin(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	global := filepath.Join(w.dir, "config", "awsenv", "config")
	must(t, os.MkdirAll(filepath.Dir(global), 0o700))
	must(t, os.WriteFile(global, []byte("[plugin oath]\nsha256 = 00\n"), 0o600))
	must(t, os.Chmod(global, 0o646))
	w.writeConfig("[profile alice]\nregion = eu-west-1\nmfa_serial = " + serial + "\nawsenv_mfa_provider = oath\n")
	r := w.run("use", "alice")
	if r.code != 3 || !strings.Contains(r.stderr, "refusing to run the MFA provider plugin oath named in "+global) ||
		!strings.Contains(r.stderr, "chmod go-w "+global) {
		t.Fatalf("want exit 3 with the chmod fix for awsenv's config:\n%s", r)
	}
}
