//go:build unix

package main

// Sessions at rest (issue 17): sealed files, the data key from the kernel
// keyring on the cached path, the helper on a miss, plain-text sessions of
// earlier versions migrated, encryption off only when told.

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/sessionkey"
)

// forgetSessionKey drops the world's data key from the kernel keyring
// cache: the next run must ask the helper.
func (w *world) forgetSessionKey() {
	sessionkey.Kernel{}.Forget(sessionkey.Name("", w.sessionDir()))
}

// findSecrets returns the files under root that contain any of needles;
// unreadable files and directories are skipped.
func findSecrets(t *testing.T, root string, needles []string) []string {
	t.Helper()
	var hits []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if fi, err := d.Info(); err != nil || fi.Size() > 256<<20 {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		for _, n := range needles {
			if bytes.Contains(data, []byte(n)) {
				hits = append(hits, path)
				break
			}
		}
		return nil
	})
	return hits
}

// plainCopies lists the files under roots holding any of secrets, except
// under the allowed directories (the credentials file, where a file key
// lives by design).
func plainCopies(secrets []string, allowed []string, roots ...string) []string {
	var hits []string
	seen := map[string]bool{}
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() || seen[p] {
				return nil
			}
			seen[p] = true
			for _, a := range allowed {
				if strings.HasPrefix(p, a+string(filepath.Separator)) {
					return nil
				}
			}
			if fi, err := d.Info(); err != nil || fi.Size() > 8<<20 {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			for _, s := range secrets {
				if s != "" && bytes.Contains(data, []byte(s)) {
					hits = append(hits, p)
					break
				}
			}
			return nil
		})
	}
	return hits
}

// After a cold and a cached use of a role profile, the session secret and
// token are nowhere on disk: not under HOME, the XDG directories, or /tmp.
func TestSessionSecretsNotOnDisk(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cold := w.run("use", "prod", "--mfa-code", w.code())
	if cold.code != 0 {
		t.Fatalf("cold use: %s", cold)
	}
	cached := w.run("use", "prod")
	if cached.code != 0 || cached.stdout != cold.stdout || w.fake.Calls("AssumeRole") != 1 {
		t.Fatalf("cached use (%d AssumeRole calls): %s", w.fake.Calls("AssumeRole"), cached)
	}
	env := parseExports(t, cold.stdout)
	secrets := []string{env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]}
	if secrets[0] == "" || secrets[1] == "" {
		t.Fatalf("no secrets exported: %s", cold.stdout)
	}
	// Half of the token is enough to find it, in whatever encoding.
	secrets = append(secrets, secrets[1][:len(secrets[1])/2])
	files, _ := filepath.Glob(filepath.Join(w.sessionDir(), "*.json"))
	if len(files) != 2 { // alice's MFA session and prod's role
		t.Fatalf("session files: %v", files)
	}
	for _, root := range []string{w.dir, os.TempDir()} {
		if hits := findSecrets(t, root, secrets); len(hits) > 0 {
			t.Errorf("a session secret is in plain text in %v", hits)
		}
	}
	// What list and sessions show needs no data key and no helper.
	r := w.runEnv([]string{"AWSENV_HELPER=/nonexistent/awsenv-helper", "AWSENV_SESSION_KEY_CACHE=off"}, "sessions")
	if r.code != 0 || !strings.Contains(r.stdout, "prod") || !strings.Contains(r.stdout, "role") || !strings.Contains(r.stdout, "11h") &&
		!strings.Contains(r.stdout, "12h") && !strings.Contains(r.stdout, "59m") {
		t.Fatalf("sessions: %s", r)
	}
}

// With the data key in the kernel keyring, the cached path is one process:
// it works with no helper to be found. Forgotten, the key comes from the
// secret store through the helper, and the sessions still open.
func TestCachedUseNeedsNoHelperWithKeyCached(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the kernel keyring cache is Linux's")
	}
	t.Parallel()
	w := newWorld(t)
	cold := w.run("use", "prod", "--mfa-code", w.code())
	if cold.code != 0 {
		t.Fatalf("cold use: %s", cold)
	}
	noHelper := []string{"AWSENV_HELPER=/nonexistent/awsenv-helper"}
	r := w.runEnv(noHelper, "use", "prod")
	if r.code != 0 || r.stdout != cold.stdout {
		t.Fatalf("cached use without a helper, the key cached: %s", r)
	}
	// The control: without the cache the helper is needed, and its absence
	// is an error with the fix, never a plain-text session.
	w.forgetSessionKey()
	r = w.runEnv(noHelper, "use", "prod")
	if r.code != exitKeyring || !strings.Contains(r.stderr, "data key") || !strings.Contains(r.stderr, "awsenv-helper") {
		t.Fatalf("cached use without the key or a helper: want exit %d\n%s", exitKeyring, r)
	}
	r = w.runEnv(append(noHelper, "AWSENV_SESSION_KEY_CACHE=off"), "use", "prod")
	if r.code != exitKeyring {
		t.Fatalf("with the cache off and no helper: %s", r)
	}
	// The helper gives the store's key: the same sessions open, no new
	// AWS call, and the key is cached again.
	r = w.run("use", "prod")
	if r.code != 0 || r.stdout != cold.stdout || w.fake.Calls("AssumeRole") != 1 {
		t.Fatalf("cached use through the helper (%d AssumeRole calls): %s", w.fake.Calls("AssumeRole"), r)
	}
	if progs, r := w.execs("use", "prod"); r.code != 0 || strings.Join(progs, " ") != "awsenv" {
		t.Fatalf("cached use after the helper cached the key ran %v: %s", progs, r)
	}
	// The secret store is awsenv-helper-full's.
	if progs, r := w.execsEnv([]string{"AWSENV_SESSION_KEY_CACHE=off"}, "use", "prod"); r.code != 0 || strings.Join(progs, " ") != "awsenv awsenv-helper-full" {
		t.Fatalf("cached use with the cache off ran %v: %s", progs, r)
	}
}

// A plain-text session of an earlier version is used once and sealed in
// its place, with no AWS call.
func TestPlainSessionsMigrated(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	plain := w.runEnv([]string{"AWSENV_SESSION_ENCRYPTION=off"}, "use", "prod", "--mfa-code", w.code())
	if plain.code != 0 {
		t.Fatalf("use with encryption off: %s", plain)
	}
	env := parseExports(t, plain.stdout)
	secrets := []string{env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]}
	if hits := findSecrets(t, w.sessionDir(), secrets); len(hits) != 1 {
		t.Fatalf("encryption off: want the role session in plain text, found it in %v", hits)
	}
	r := w.run("use", "prod")
	if r.code != 0 || r.stdout != plain.stdout || w.fake.Calls("AssumeRole") != 1 || w.fake.Calls("GetSessionToken") != 1 {
		t.Fatalf("use with encryption on after off: %s", r)
	}
	if hits := findSecrets(t, w.sessionDir(), secrets); len(hits) != 0 {
		t.Fatalf("the plain session was not sealed: %v", hits)
	}
	// alice's MFA session was not read on prod's cached path; her own use
	// seals it.
	alice := w.run("use", "alice")
	if alice.code != 0 || w.fake.Calls("GetSessionToken") != 1 {
		t.Fatalf("use alice: %s", alice)
	}
	ae := parseExports(t, alice.stdout)
	if hits := findSecrets(t, w.sessionDir(), []string{ae["AWS_SESSION_TOKEN"], ae["AWS_SECRET_ACCESS_KEY"]}); len(hits) != 0 {
		t.Fatalf("alice's plain session was not sealed: %v", hits)
	}
	for _, f := range dirFiles(t, w.sessionDir(), ".json") {
		data, _ := os.ReadFile(f)
		if !bytes.Contains(data, []byte(`"version":2`)) {
			t.Errorf("%s is not sealed: %s", f, data)
		}
	}
}

// A sealed file changed on disk counts as absent and is made anew; a
// file copied over another's name too. Never a crash, never an error.
func TestTamperedSessionReplaced(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if r := w.run("use", "prod", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("cold use: %s", r)
	}
	role := dirFiles(t, w.sessionDir(), ".json", "prod.role.")
	mfa := dirFiles(t, w.sessionDir(), ".json", "alice.mfa-session.")
	if len(role) != 1 || len(mfa) != 1 {
		t.Fatalf("session files: %v %v", role, mfa)
	}
	data, err := os.ReadFile(role[0])
	must(t, err)
	i := bytes.Index(data, []byte(`"sealed":"`)) + len(`"sealed":"`) + 20
	data[i] ^= 'A' ^ 'B' // still base64, another byte
	if data[i] == '"' {
		t.Fatal("flipped into a quote")
	}
	must(t, os.WriteFile(role[0], data, 0o600))
	r := w.run("use", "prod")
	if r.code != 0 || w.fake.Calls("AssumeRole") != 2 || w.fake.Calls("GetSessionToken") != 1 {
		t.Fatalf("use after a flipped byte (%d AssumeRole): %s", w.fake.Calls("AssumeRole"), r)
	}
	// alice's session copied over prod's: refused, made anew.
	mdata, err := os.ReadFile(mfa[0])
	must(t, err)
	must(t, os.WriteFile(role[0], mdata, 0o600))
	r = w.run("use", "prod")
	if r.code != 0 || w.fake.Calls("AssumeRole") != 3 || w.fake.Calls("GetSessionToken") != 1 {
		t.Fatalf("use after a swapped file (%d AssumeRole): %s", w.fake.Calls("AssumeRole"), r)
	}
	if r2 := w.run("use", "prod"); r2.code != 0 || r2.stdout != r.stdout || w.fake.Calls("AssumeRole") != 3 {
		t.Fatalf("the replacement is not cached: %s", r2)
	}
}

// Encryption is turned off only when told, in awsenv's config or the
// environment; a value awsenv does not know is a config error.
func TestSessionEncryptionSetting(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfgDir := filepath.Join(w.dir, "config", "awsenv")
	must(t, os.MkdirAll(cfgDir, 0o700))
	must(t, os.WriteFile(filepath.Join(cfgDir, "config"), []byte("[default]\nawsenv_session_encryption = off\n"), 0o600))
	r := w.run("use", "prod", "--mfa-code", w.code())
	env := parseExports(t, r.stdout)
	if hits := findSecrets(t, w.sessionDir(), []string{env["AWS_SESSION_TOKEN"]}); r.code != 0 || len(hits) != 1 {
		t.Fatalf("awsenv_session_encryption = off: %v\n%s", hits, r)
	}
	// The environment wins over the file.
	if r := w.runEnv([]string{"AWSENV_SESSION_ENCRYPTION=on"}, "use", "prod"); r.code != 0 {
		t.Fatalf("AWSENV_SESSION_ENCRYPTION=on: %s", r)
	}
	if hits := findSecrets(t, w.sessionDir(), []string{env["AWS_SESSION_TOKEN"]}); len(hits) != 0 {
		t.Fatalf("AWSENV_SESSION_ENCRYPTION=on left %v", hits)
	}
	r = w.runEnv([]string{"AWSENV_SESSION_ENCRYPTION=maybe"}, "use", "prod")
	if r.code != exitConfig || !strings.Contains(r.stderr, "awsenv_session_encryption") || !strings.Contains(r.stderr, "off") {
		t.Fatalf("a bad value: %s", r)
	}
}

// dirFiles lists dir's files with suffix (and prefix, if given).
func dirFiles(t *testing.T, dir, suffix string, prefix ...string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	must(t, err)
	var out []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasSuffix(n, suffix) && (len(prefix) == 0 || strings.HasPrefix(n, prefix[0])) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	return out
}
