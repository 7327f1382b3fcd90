//go:build unix

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// credentialsWithNeighbours is a hand-edited file: comments, another
// profile, odd spacing. Rotation may change the two values of [alice] only.
const credentialsWithNeighbours = "# my keys\n[other]\naws_access_key_id=AKIAI44QH8DHBEXAMPLE\naws_secret_access_key=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n\n; work\n[alice]\naws_secret_access_key   =   " + userSecret + "\naws_access_key_id  =" + userKeyID + "\n# comment\nregion = eu-west-1\n"

var keyLine = regexp.MustCompile(`(?m)^\s*aws_access_key_id\s*=\s*(\S+)`)

// fileKey returns the key [alice] holds in the credentials file now.
func (w *world) fileKey() (id, secret string) {
	w.t.Helper()
	data, err := os.ReadFile(filepath.Join(w.home, ".aws", "credentials"))
	must(w.t, err)
	sec := string(data)[strings.Index(string(data), "[alice]"):]
	id = keyLine.FindStringSubmatch(sec)[1]
	secret = regexp.MustCompile(`(?m)^\s*aws_secret_access_key\s*=\s*(\S+)`).FindStringSubmatch(sec)[1]
	return id, secret
}

func (w *world) alice() *fakeaws.User { return w.fake.AddUser(account, "alice") }

// onlyNewKey checks the end state of a rotation: alice has exactly one key,
// it is in the file, it works, and it is not the old one.
func (w *world) onlyNewKey() string {
	w.t.Helper()
	id, _ := w.fileKey()
	keys := w.alice().Keys()
	if len(keys) != 1 || keys[0].ID != id || id == userKeyID || !w.fake.KeyWorks(id) {
		w.t.Fatalf("want only the new key, in the file and working; file has %s, IAM has %+v", id, keys)
	}
	if j, _ := filepath.Glob(filepath.Join(w.dir, "state", "awsenv", "rotate", "*.journal")); len(j) > 0 {
		w.t.Fatalf("rotation journal left behind: %v", j)
	}
	return id
}

func TestKeysLists(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run("keys", "alice")
	if r.code != 0 || !strings.Contains(r.stdout, userKeyID) || !strings.Contains(r.stdout, "Active") ||
		!strings.Contains(r.stdout, "<- profile alice") || !strings.Contains(r.stdout, "arn:aws:iam::123456789012:user/alice") {
		t.Fatalf("keys: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, userSecret) {
		t.Fatal("keys printed the secret")
	}
	r = w.run("keys", "prod", "--json") // a role profile: its user's keys
	var out struct {
		User string `json:"user"`
		Keys []struct {
			ID       string `json:"id"`
			Status   string `json:"status"`
			InFile   bool   `json:"in_file"`
			LastUsed *struct {
				Service string `json:"service"`
			} `json:"last_used"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 {
		t.Fatalf("keys --json: %v %d\n%s\n%s", err, r.code, r.stdout, r.stderr)
	}
	if out.User != "alice" || len(out.Keys) != 1 || !out.Keys[0].InFile || out.Keys[0].LastUsed == nil || out.Keys[0].LastUsed.Service != "iam" {
		t.Fatalf("keys --json: %+v", out)
	}
}

func TestRotateOneKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.writeCredentials(credentialsWithNeighbours)
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("use: %s", r.stderr)
	}
	before, err := os.ReadFile(filepath.Join(w.home, ".aws", "credentials"))
	must(t, err)
	r := w.runEnv([]string{"AWS_ACCESS_KEY_ID=" + userKeyID}, "rotate", "alice", "--yes")
	if r.code != 0 {
		t.Fatalf("rotate: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	id := w.onlyNewKey()
	after, err := os.ReadFile(filepath.Join(w.home, ".aws", "credentials"))
	must(t, err)
	_, secret := w.fileKey()
	if want := strings.Replace(strings.Replace(string(before), userKeyID, id, 1), userSecret, secret, 1); string(after) != want {
		t.Fatalf("the file changed beyond the two values:\n%q\nwant\n%q", after, want)
	}
	backups, _ := filepath.Glob(filepath.Join(w.home, ".aws", "credentials.awsenv-backup-*"))
	if len(backups) != 1 {
		t.Fatalf("backups: %v", backups)
	}
	if b, _ := os.ReadFile(backups[0]); string(b) != string(before) {
		t.Fatal("the backup is not the file as it was")
	}
	for _, want := range []string{"Rotated profile alice", id, "Cleared 1 cached session", "still exports the old key"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("rotate output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, secret) || strings.Contains(r.stdout+r.stderr, userSecret) {
		t.Fatal("rotate printed a secret")
	}
	// The old key's session is gone; the new key makes a new one.
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 || !strings.Contains(r.stdout, "AWS_ACCESS_KEY_ID") {
		t.Fatalf("use after rotate: %s", r.stderr)
	}
	// doctor in a shell that still has the old key says so (error 12).
	r = w.runEnv([]string{"AWS_ACCESS_KEY_ID=" + userKeyID, "AWS_SECRET_ACCESS_KEY=x"}, "doctor", "alice", "--json")
	if !strings.Contains(r.stdout, "the old key awsenv rotated away") {
		t.Fatalf("doctor does not name the stale key: %s", r.stdout)
	}
}

func TestRotateKeepOld(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if r := w.run("rotate", "alice", "--yes", "--keep-old"); r.code != 0 {
		t.Fatalf("rotate: %s", r.stderr)
	}
	keys := w.alice().Keys()
	if len(keys) != 2 || keys[0].ID != userKeyID || keys[0].Active || !keys[1].Active {
		t.Fatalf("want the old key inactive and the new one active: %+v", keys)
	}
}

func TestRotateAsksFirst(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run("rotate", "alice")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("without a terminal or --yes: %d %s", r.code, r.stderr)
	}
	if n := w.fake.Calls("CreateAccessKey"); n != 0 || len(w.alice().Keys()) != 1 {
		t.Fatalf("something changed: %d CreateAccessKey calls", n)
	}
}

func TestRotateTwoKeys(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	other := w.alice().AddKey("AKIAOTHERKEY00000002", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0")
	other.SetActive(false)
	r := w.run("rotate", "alice", "--yes")
	if r.code != exitAWS {
		t.Fatalf("rotate with two keys: %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"AKIAOTHERKEY00000002", "Inactive", userKeyID, "--delete-inactive"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the explanation lacks %q:\n%s", want, r.stderr)
		}
	}
	if n := strings.Count(strings.ToLower(r.stderr), "already has"); n != 1 {
		t.Errorf("the two-key sentence is said %d times:\n%s", n, r.stderr)
	}
	if w.fake.Calls("CreateAccessKey") != 0 {
		t.Fatal("a key was made")
	}
	if r := w.run("rotate", "alice", "--yes", "--delete-inactive"); r.code != 0 {
		t.Fatalf("rotate --delete-inactive: %s", r.stderr)
	}
	w.onlyNewKey()
}

func TestRotateFailsAfterCreate(t *testing.T) {
	t.Parallel()
	t.Run("new key never works", func(t *testing.T) {
		w := newWorld(t)
		w.fake.SetKeyNeverWorks(true)
		r := w.run("rotate", "alice", "--yes", "--wait", "2s")
		if r.code == 0 || !strings.Contains(r.stderr, "IAM is as before") || !strings.Contains(r.stderr, "did not work within 2s") {
			t.Fatalf("rotate: %d\n%s", r.code, r.stderr)
		}
		if id, _ := w.fileKey(); id != userKeyID || len(w.alice().Keys()) != 1 || !w.fake.KeyWorks(userKeyID) {
			t.Fatalf("want the old key back and alone: file %s, IAM %+v", id, w.alice().Keys())
		}
	})
	t.Run("deleting the old key denied", func(t *testing.T) {
		w := newWorld(t)
		w.alice().Deny("iam:DeleteAccessKey")
		r := w.run("rotate", "alice", "--yes")
		if r.code == 0 || !strings.Contains(r.stderr, "holds the new key") || !strings.Contains(r.stderr, "is inactive") {
			t.Fatalf("rotate: %d\n%s", r.code, r.stderr)
		}
		id, _ := w.fileKey()
		if id == userKeyID || !w.fake.KeyWorks(id) {
			t.Fatalf("the file should hold the working new key, has %s", id)
		}
	})
	t.Run("credentials file edited meanwhile", func(t *testing.T) {
		w := newWorld(t)
		// While IAM makes the key, the user's editor saves a file awsenv
		// can no longer edit unambiguously (two [alice] sections).
		edited := credentialsWithNeighbours + "[alice]\nregion = us-east-1\n"
		w.fake.Hook("CreateAccessKey", fakeaws.After, func() { w.writeCredentials(edited) })
		r := w.run("rotate", "alice", "--yes")
		if r.code == 0 || !strings.Contains(r.stderr, "IAM is as before") {
			t.Fatalf("rotate: %d\n%s", r.code, r.stderr)
		}
		data, err := os.ReadFile(filepath.Join(w.home, ".aws", "credentials"))
		must(t, err)
		if string(data) != edited {
			t.Fatal("the edited file was changed")
		}
		if keys := w.alice().Keys(); len(keys) != 1 || keys[0].ID != userKeyID || !w.fake.KeyWorks(userKeyID) {
			t.Fatalf("IAM should be as before: %+v", keys)
		}
	})
}

// TestRotateKilledAtEachStep kills awsenv (SIGKILL, no cleanup) while each
// AWS call of a rotation is in flight, before and after AWS acted on it.
// The key in the file must work right after the kill, and the next rotate
// must finish the job.
func TestRotateKilledAtEachStep(t *testing.T) {
	t.Parallel()
	steps := []struct {
		action string
		nth    int // which call of that action
		when   fakeaws.HookWhen
	}{
		{"ListAccessKeys", 1, fakeaws.After},
		{"CreateAccessKey", 1, fakeaws.Before},
		{"CreateAccessKey", 1, fakeaws.After},
		{"GetCallerIdentity", 2, fakeaws.Before}, // the new key's first use: it is in the file
		{"UpdateAccessKey", 1, fakeaws.Before},
		{"UpdateAccessKey", 1, fakeaws.After},
		{"DeleteAccessKey", 1, fakeaws.Before},
		{"DeleteAccessKey", 1, fakeaws.After},
	}
	for _, st := range steps {
		name := fmt.Sprintf("%s#%d/%s", st.action, st.nth, map[fakeaws.HookWhen]string{fakeaws.Before: "before", fakeaws.After: "after"}[st.when])
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.writeCredentials(credentialsWithNeighbours)
			b := w.rotateBlockedAt(st.action, st.when, st.nth)
			cmd := b.cmd
			must(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)) // awsenv and its helper
			_ = cmd.Wait()
			b.remove()
			close(b.release) // AWS finishes what it was asked, as it would
			time.Sleep(50 * time.Millisecond)

			id, _ := w.fileKey()
			if !w.fake.KeyWorks(id) {
				t.Fatalf("after a kill at %s the file holds %s, which does not work; IAM: %+v", name, id, w.alice().Keys())
			}
			r := w.run("rotate", "alice", "--yes")
			if r.code != 0 {
				t.Fatalf("the rotate after the kill: %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			w.onlyNewKey()
		})
	}
}

// Under the usual "MFA or nothing" policy, keys and rotate fall back to an
// MFA session for the IAM calls the long-term key may not make.
func TestKeysAndRotateWithMFARequired(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.alice().RequireMFA()
	r := w.run("keys", "alice", "--mfa-code", w.code())
	if r.code != 0 || !strings.Contains(r.stdout, userKeyID) || !strings.Contains(r.stderr, "using an MFA session") {
		t.Fatalf("keys: %s", r)
	}
	if r := w.run("rotate", "alice", "--yes"); r.code != 0 { // the cached MFA session serves
		t.Fatalf("rotate: %s", r)
	}
	w.onlyNewKey()
}

// Ctrl-C in the middle of a rotation does not leave it half done: awsenv
// says it is finishing, and finishes.
func TestRotateInterruptedFinishes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.rotateBlockedAt("UpdateAccessKey", fakeaws.Before, 1)
	cmd, stderr := b.cmd, b.stderr
	must(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)) // as a terminal sends it: to awsenv and its helper
	time.Sleep(200 * time.Millisecond)
	close(b.release)
	err := cmd.Wait()
	if err != nil || !strings.Contains(stderr.String(), "finishing the rotation first") {
		t.Fatalf("rotate after Ctrl-C: %v\n%s", err, stderr.String())
	}
	w.onlyNewKey()
}

// A second Ctrl-C ends awsenv at once, even while a rotation finishes
// after the first; the journal lets the next rotate finish the work.
func TestSecondCtrlCExits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.rotateBlockedAt("UpdateAccessKey", fakeaws.Before, 1)
	defer close(b.release)
	cmd, stderr := b.cmd, b.stderr
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	must(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGINT))
	select {
	case err := <-done:
		t.Fatalf("rotate stopped at the first Ctrl-C: %v\n%s", err, stderr.String())
	case <-time.After(300 * time.Millisecond):
	}
	must(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGINT))
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitSignal || !strings.Contains(stderr.String(), "interrupted again; stopping now") {
			t.Fatalf("second Ctrl-C: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("a second Ctrl-C did not end rotate\n%s", stderr.String())
	}
	b.remove()
	if r := w.run("rotate", "alice", "--yes"); r.code != 0 {
		t.Fatalf("the next rotate: %s", r)
	}
	w.onlyNewKey()
}

// On a terminal, rotate asks first; anything but yes changes nothing.
func TestRotateConfirmOnTerminal(t *testing.T) {
	t.Parallel()
	for _, answer := range []string{"n", "y"} {
		t.Run(answer, func(t *testing.T) {
			w := newWorld(t)
			o := w.startOnTerminal("rotate", "alice")
			cmd, ptmx, screen, stderr := o.cmd, o.ptmx, o.screen, o.stderr
			expect(t, screen, "Rotate the access key "+userKeyID+" of profile alice?")
			fmt.Fprint(ptmx, answer+"\n")
			go io.Copy(io.Discard, screen)
			err := cmd.Wait()
			if answer == "n" {
				if err == nil || !strings.Contains(stderr.String(), "Nothing was changed") || w.fake.Calls("CreateAccessKey") != 0 {
					t.Fatalf("after no: %v\n%s", err, stderr.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("after yes: %v\n%s", err, stderr.String())
			}
			w.onlyNewKey()
		})
	}
}

// blockedRotate is `awsenv rotate alice --yes` held inside one AWS call.
type blockedRotate struct {
	cmd     *exec.Cmd
	stderr  *strings.Builder
	release chan struct{} // close to let the held call go on
	remove  func()        // take the hook away
}

// rotateBlockedAt starts a rotation and returns once its nth call of action
// has reached the double's hook, where it waits for release.
func (w *world) rotateBlockedAt(action string, when fakeaws.HookWhen, nth int) *blockedRotate {
	w.t.Helper()
	reached := make(chan struct{})
	b := &blockedRotate{release: make(chan struct{}), stderr: &strings.Builder{}}
	var mu sync.Mutex
	n := 0
	b.remove = w.fake.Hook(action, when, func() {
		mu.Lock()
		n++
		hit := n == nth
		mu.Unlock()
		if !hit {
			return
		}
		close(reached)
		select {
		case <-b.release:
		case <-w.fake.Done():
		}
	})
	b.cmd = testproc.Command(filepath.Join(binDir, "awsenv"), "rotate", "alice", "--yes")
	b.cmd.Env = w.env()
	setNoTTY(b.cmd)
	b.cmd.Stderr = b.stderr
	must(w.t, testproc.Start(b.cmd))
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		w.t.Fatalf("rotate never reached %s #%d\n%s", action, nth, b.stderr.String())
	}
	return b
}

// A credentials file awsenv may not change stops rotate before IAM makes a
// key: a read-only file (the user's "do not touch"), and a directory that
// cannot take the new file and its backup (here a read-only bind mount in
// a mount namespace of the test's own, which stops root too).
func TestRotateUnwritableRefusedFirst(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	creds := filepath.Join(w.home, ".aws", "credentials")
	before, err := os.ReadFile(creds)
	must(t, err)
	must(t, os.Chmod(creds, 0o400))
	r := w.run("rotate", "alice", "--yes")
	if r.code == 0 || !strings.Contains(r.stderr, "read-only (mode 0400)") || !strings.Contains(r.stderr, "chmod u+w") {
		t.Fatalf("rotate of a 0400 file: %s", r)
	}
	if n := w.fake.Calls("CreateAccessKey"); n != 0 {
		t.Fatalf("CreateAccessKey calls: %d, want 0", n)
	}
	if after, _ := os.ReadFile(creds); string(after) != string(before) {
		t.Fatal("the read-only file changed")
	}
	must(t, os.Chmod(creds, 0o600))

	unshare := requireTool(t, "unshare")
	aws := filepath.Join(w.home, ".aws")
	script := `mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" rotate alice --yes`
	cmd := testproc.Command(unshare, "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh", aws, filepath.Join(binDir, "awsenv"))
	cmd.Env = w.env()
	cmd.Dir = w.dir
	r = runCmd(t, cmd)
	if strings.Contains(r.stderr, "mount:") || strings.Contains(r.stderr, "unshare:") {
		t.Skipf("no read-only bind mount here (a user and mount namespace is needed): %s", r.stderr)
	}
	if r.code == 0 || !strings.Contains(r.stderr, "cannot write in its directory "+aws) {
		t.Fatalf("rotate in a read-only directory: %s", r)
	}
	if n := w.fake.Calls("CreateAccessKey"); n != 0 {
		t.Fatalf("CreateAccessKey calls: %d, want 0", n)
	}
}
