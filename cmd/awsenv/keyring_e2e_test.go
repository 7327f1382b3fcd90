//go:build linux

package main

// Long-term keys in awsenv's keyring, end to end: import, a cold and a
// cached `use` of a role profile, the secret searched for on disk, kill -9
// at each step of `keys import` and of `rotate` on a stored key, and
// aws-vault v7's keys moved over. The keyring here is the encrypted file
// backend (the backends themselves are tested in internal/secretstore).

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

const keyringPassphrase = "correct horse battery staple"

// randomKey is an access key pair no other test uses, so a search of /tmp
// finds only this test's copies.
func randomKey(t *testing.T) (id, secret string) {
	const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 56)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	idb, sb := []byte("AKIA"), []byte{}
	for _, c := range b[:16] {
		idb = append(idb, upper[int(c)%len(upper)])
	}
	for _, c := range b[16:] {
		sb = append(sb, alnum[int(c)%len(alnum)])
	}
	return string(idb), string(sb)
}

// keyringWorld is a world whose awsenv keeps keys in the file keyring,
// with carol, an IAM user without MFA, and her role.
func keyringWorld(t *testing.T) (w *world, id, secret string) {
	w = newWorld(t)
	w.extra = append(w.extra, "AWSENV_KEYRING_BACKEND=file", "AWSENV_KEYRING_PASSPHRASE="+keyringPassphrase)
	id, secret = randomKey(t)
	w.fake.AddUser(account, "carol").AddKey(id, secret)
	w.fake.AddRole("arn:aws:iam::123456789012:role/carol-role", fakeaws.RoleOptions{})
	w.writeCredentials(fmt.Sprintf("# carol's keys\n[carol]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = eu-west-1\n\n[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		id, secret, userKeyID, userSecret))
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	w.writeConfig(string(cfg) + "\n[profile carol-role]\nrole_arn = arn:aws:iam::123456789012:role/carol-role\nsource_profile = carol\n")
	return w, id, secret
}

// storedKey asks awsenv-helper-full itself (its SecretGet request) for a
// profile's item in the file keyring.
func (w *world) storedKey(profile string) (id, secret string, ok bool) {
	w.t.Helper()
	req := fmt.Sprintf(`{"secret_get":{"store":{"backend":"file","file_dir":%q},"key":"profile:%s"}}`+"\n",
		filepath.Join(w.dir, "data", "awsenv", "keyring"), profile)
	cmd := testproc.Command(filepath.Join(binDir, "awsenv-helper-full"))
	// As awsenv starts it without a session bus (helper.NoBusAddress): the
	// keyring library would run dbus-launch otherwise.
	cmd.Env = w.env("DBUS_SESSION_BUS_ADDRESS=" + helper.NoBusAddress)
	cmd.Stdin = strings.NewReader(req)
	setNoTTY(cmd)
	out, err := cmd.Output()
	if err != nil {
		w.t.Fatalf("awsenv-helper-full: %v", err)
	}
	var resp struct {
		Secret *struct {
			Data []byte `json:"data"`
		} `json:"secret"`
		SecretError *struct {
			Kind string `json:"kind"`
		} `json:"secret_error"`
	}
	must(w.t, json.Unmarshal(out, &resp))
	if resp.SecretError != nil {
		if resp.SecretError.Kind != "not-found" {
			w.t.Fatalf("the keyring failed: %s", out)
		}
		return "", "", false
	}
	var k struct{ AccessKeyID, SecretAccessKey string }
	must(w.t, json.Unmarshal(resp.Secret.Data, &k))
	return k.AccessKeyID, k.SecretAccessKey, true
}

func (w *world) credentialsText() string {
	b, err := os.ReadFile(filepath.Join(w.home, ".aws", "credentials"))
	must(w.t, err)
	return string(b)
}

// findSecret lists the files under roots that hold secret.
func findSecret(t *testing.T, secret string, roots ...string) []string {
	var found []string
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			if fi, err := d.Info(); err != nil || fi.Size() > 8<<20 {
				return nil
			}
			if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(secret)) {
				found = append(found, p)
			}
			return nil
		})
	}
	return found
}

// After `keys import`, a cold and a cached `use` of a role profile built
// on the stored key: the key works, the cached `use` makes no call, and
// the secret access key is in no file under HOME, the XDG directories or
// /tmp.
func TestKeysImportThenUseLeavesNoSecretOnDisk(t *testing.T) {
	t.Parallel()
	w, id, secret := keyringWorld(t)
	r := w.run("keys", "import", "carol")
	if r.code != 0 || !strings.Contains(r.stdout, "Moved the access key "+id) {
		t.Fatalf("keys import: %s", r)
	}
	text := w.credentialsText()
	if strings.Contains(text, secret) || strings.Contains(text, id) || !strings.Contains(text, "# carol's keys\n[carol]\nregion = eu-west-1\n\n[alice]\naws_access_key_id = "+userKeyID) {
		t.Fatalf("the credentials file after import:\n%s", text)
	}
	if gotID, gotSecret, ok := w.storedKey("carol"); !ok || gotID != id || gotSecret != secret {
		t.Fatal("the keyring does not hold carol's key")
	}
	cold := w.shell("bash", `eval "$(awsenv use carol-role --shell bash)" && printf '%s' "$AWS_ACCESS_KEY_ID"`)
	if cold.code != 0 || !strings.HasPrefix(cold.stdout, "ASIA") {
		t.Fatalf("cold use: %s", cold)
	}
	if n := w.fake.Calls("AssumeRole"); n != 1 {
		t.Fatalf("AssumeRole calls after the cold use: %d", n)
	}
	cached := w.run("use", "carol-role", "--shell", "bash", "--debug")
	// The data key of sealed sessions comes from the kernel keyring's
	// cache (its own debug line); nothing else may touch a keyring.
	others := strings.ReplaceAll(cached.stderr, "session key: from the kernel keyring", "")
	if cached.code != 0 || w.fake.Calls("AssumeRole") != 1 || strings.Contains(others, "keyring") {
		t.Fatalf("cached use made a call or read the keyring: %s", cached)
	}
	for _, s := range []string{cold.stdout, cold.stderr, cached.stdout, cached.stderr, r.stdout, r.stderr} {
		if strings.Contains(s, secret) {
			t.Fatal("awsenv printed the long-term secret")
		}
	}
	// doctor says where the secret lives, and warns about the one still
	// in plain text (alice's).
	doc := w.run("doctor", "carol")
	if !strings.Contains(doc.stdout+doc.stderr, "keeps the long-term key "+id+" in awsenv's keyring (file)") || strings.Contains(doc.stdout, "plain text") {
		t.Fatalf("doctor carol: %s", doc)
	}
	if doc := w.run("doctor", "alice"); !strings.Contains(doc.stdout+doc.stderr, "awsenv keys import alice") {
		t.Fatalf("doctor alice: %s", doc)
	}
	if found := findSecret(t, secret, w.dir, os.TempDir()); len(found) > 0 {
		t.Fatalf("the secret access key is on disk in plain text: %v", found)
	}
}

// The test build of awsenv, with pause points (testhooks_on.go).
var hookBin = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "awsenv-hooks-")
	if err != nil {
		return "", err
	}
	hookBinDir.Store(dir)
	cmd := testproc.Command("go", "build", "-tags", "urfave_cli_no_docs awsenv_testhooks", "-o", filepath.Join(dir, "awsenv"), "github.com/awsenv/awsenv/cmd/awsenv")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := testproc.Run(cmd); err != nil {
		return "", fmt.Errorf("%v\n%s", err, out.String())
	}
	// The helpers beside it, as install.sh puts them.
	for _, b := range []string{"awsenv-helper", "awsenv-helper-full"} {
		if err := os.Link(filepath.Join(binDir, b), filepath.Join(dir, b)); err != nil {
			return "", err
		}
	}
	return dir, nil
})

// killedAt runs the test build of awsenv with args until it pauses at
// step, then kills it and its helper with SIGKILL.
func (w *world) killedAt(step string, args ...string) {
	w.t.Helper()
	dir, err := hookBin()
	if err != nil {
		w.t.Fatalf("build awsenv with its test hooks: %v", err)
	}
	cmd := testproc.Command(filepath.Join(dir, "awsenv"), args...)
	cmd.Env = w.env("AWSENV_TEST_PAUSE=" + step)
	setNoTTY(cmd)
	stderr, err := cmd.StderrPipe()
	must(w.t, err)
	must(w.t, testproc.Start(cmd))
	seen := make(chan string, 1)
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			if sc.Text() == "paused at "+step {
				seen <- ""
				io.Copy(io.Discard, stderr)
				return
			}
		}
		seen <- all.String()
	}()
	select {
	case s := <-seen:
		if s != "" {
			_ = cmd.Wait()
			w.t.Fatalf("awsenv %v ended before %s:\n%s", args, step, s)
		}
	case <-time.After(60 * time.Second):
		w.t.Fatalf("awsenv %v never reached %s", args, step)
	}
	must(w.t, syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL))
	_ = cmd.Wait()
}

// kill -9 at each step of `keys import`: the key is in the file, the
// keyring or both, never neither and never in a stray copy; the profile
// works right after the kill; and the import run again finishes the move.
func TestKeysImportKilledAtEachStep(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"stored", "verified", "indexed", "removed"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			w, id, secret := keyringWorld(t)
			before := w.credentialsText()
			w.killedAt(step, "keys", "import", "carol")
			inFile := strings.Contains(w.credentialsText(), secret)
			sid, ssecret, inStore := w.storedKey("carol")
			if !inFile && !(inStore && sid == id && ssecret == secret) {
				t.Fatalf("after a kill at %s the key is neither in the file nor in the keyring", step)
			}
			if inFile && w.credentialsText() != before {
				t.Fatalf("after a kill at %s the file holds the key but changed:\n%s", step, w.credentialsText())
			}
			if r := w.run("exec", "carol", "--refresh", "--", "true"); r.code != 0 {
				t.Fatalf("carol after a kill at %s: %s", step, r)
			}
			if r := w.run("keys", "import", "carol"); r.code != 0 {
				t.Fatalf("import again after a kill at %s: %s", step, r)
			}
			if strings.Contains(w.credentialsText(), secret) {
				t.Fatal("the key is still in the file after the second import")
			}
			if _, s, ok := w.storedKey("carol"); !ok || s != secret {
				t.Fatal("the keyring lost the key")
			}
			if r := w.run("exec", "carol", "--refresh", "--", "true"); r.code != 0 {
				t.Fatalf("carol after the second import: %s", r)
			}
			if found := findSecret(t, secret, w.dir); len(found) > 0 {
				t.Fatalf("a plain-text copy of the key was left behind: %v", found)
			}
		})
	}
}

// kill -9 while each AWS call of a rotation of a stored key is in flight:
// the keyring's key works right after the kill, the next rotate finishes,
// and the new key ends in the keyring, never in the file.
func TestRotateStoredKeyKilledAtEachStep(t *testing.T) {
	t.Parallel()
	steps := []struct {
		action string
		nth    int
		when   fakeaws.HookWhen
	}{
		{"CreateAccessKey", 1, fakeaws.Before},
		{"CreateAccessKey", 1, fakeaws.After},
		{"GetCallerIdentity", 2, fakeaws.Before},
		{"UpdateAccessKey", 1, fakeaws.After},
		{"DeleteAccessKey", 1, fakeaws.After},
	}
	for _, st := range steps {
		name := fmt.Sprintf("%s#%d/%d", st.action, st.nth, st.when)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.extra = append(w.extra, "AWSENV_KEYRING_BACKEND=file", "AWSENV_KEYRING_PASSPHRASE="+keyringPassphrase)
			if r := w.run("keys", "import", "alice"); r.code != 0 {
				t.Fatalf("keys import: %s", r)
			}
			b := w.rotateBlockedAt(st.action, st.when, st.nth)
			must(t, syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL))
			_ = b.cmd.Wait()
			b.remove()
			close(b.release)
			time.Sleep(50 * time.Millisecond)
			id, _, ok := w.storedKey("alice")
			if !ok || !w.fake.KeyWorks(id) {
				t.Fatalf("after a kill at %s the keyring holds %q, which does not work; IAM: %+v", name, id, w.alice().Keys())
			}
			if r := w.run("rotate", "alice", "--yes"); r.code != 0 {
				t.Fatalf("the rotate after the kill: %s", r)
			}
			id, secret, _ := w.storedKey("alice")
			keys := w.alice().Keys()
			if len(keys) != 1 || keys[0].ID != id || id == userKeyID || !w.fake.KeyWorks(id) {
				t.Fatalf("want only the new key, in the keyring and working; keyring has %s, IAM has %+v", id, keys)
			}
			if strings.Contains(w.credentialsText(), "aws_access_key_id") {
				t.Fatalf("rotate wrote a key into the file:\n%s", w.credentialsText())
			}
			if found := findSecret(t, secret, filepath.Join(w.dir, "home"), filepath.Join(w.dir, "data")); len(found) > 0 {
				t.Fatalf("the new secret is on disk in plain text: %v", found)
			}
			idx, err := os.ReadFile(filepath.Join(w.dir, "data", "awsenv", "keys.json"))
			if err != nil || !strings.Contains(string(idx), id) {
				t.Fatalf("the key index does not name the new key: %v\n%s", err, idx)
			}
		})
	}
}

// awsVaultBin builds aws-vault v7.2.0 from the Go module proxy with a
// wrapper module (`go install` is refused for it), once per machine.
func awsVaultBin(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	must(t, err)
	bin := filepath.Join(cache, "awsenv-tests", "aws-vault-v7.2.0")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	src, err := filepath.Abs(filepath.Join("testdata", "awsvault"))
	must(t, err)
	work := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum", "main.go.txt"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(work, strings.TrimSuffix(f, ".txt")), b, 0o600))
	}
	must(t, os.MkdirAll(filepath.Dir(bin), 0o700))
	cmd := testproc.Command("go", "build", "-mod=mod", "-o", bin+".tmp", ".")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := testproc.Run(cmd); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("build aws-vault v7.2.0 from the module proxy: %v\n%s", err, out.String())
		}
		t.Skipf("cannot build aws-vault v7.2.0 (no module proxy?): %v\n%s", err, out.String())
	}
	must(t, os.Rename(bin+".tmp", bin))
	return bin
}

// An aws-vault v7 store (file backend) with a key added by aws-vault
// itself is imported and used.
func TestKeysImportFromAWSVault(t *testing.T) {
	t.Parallel()
	av := awsVaultBin(t)
	w, id, secret := keyringWorld(t)
	w.writeCredentials("") // carol's key lives in aws-vault only
	avEnv := []string{"AWS_VAULT_BACKEND=file", "AWS_VAULT_FILE_DIR=" + filepath.Join(w.dir, "awsvault"), "AWS_VAULT_FILE_PASSPHRASE=av-pass"}
	add := testproc.Command(av, "add", "--env", "carol")
	// aws-vault links the same library: without a bus address it would
	// start dbus-launch.
	add.Env = w.env(append(avEnv, "AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret, "DBUS_SESSION_BUS_ADDRESS=disabled:")...)
	setNoTTY(add)
	if r := runCmd(t, add); r.code != 0 {
		t.Fatalf("aws-vault add: %s", r)
	}
	if r := w.run("exec", "carol-role", "--", "true"); r.code == 0 {
		t.Fatal("carol-role worked before the import")
	}
	r := w.runEnv(avEnv, "keys", "import", "--from-aws-vault", "--all")
	if r.code != 0 || !strings.Contains(r.stdout, "Copied the access key "+id+" of profile carol from aws-vault's keyring (file)") {
		t.Fatalf("import --from-aws-vault: %s", r)
	}
	if r := w.shell("bash", `eval "$(awsenv use carol-role --shell bash)" && printf '%s' "$AWS_ACCESS_KEY_ID"`); r.code != 0 || !strings.HasPrefix(r.stdout, "ASIA") {
		t.Fatalf("use after the import: %s", r)
	}
	// A wrong aws-vault passphrase is said as such, with awsenv's exit code.
	r = w.runEnv([]string{"AWS_VAULT_BACKEND=file", "AWS_VAULT_FILE_DIR=" + filepath.Join(w.dir, "awsvault"), "AWS_VAULT_FILE_PASSPHRASE=nope"},
		"keys", "import", "--from-aws-vault", "carol")
	if r.code != exitKeyring || !strings.Contains(r.stderr, "passphrase") {
		t.Fatalf("a wrong aws-vault passphrase: %s", r)
	}
}

// Failures of the store are clear and never silent: no D-Bus session for
// the Secret Service, a wrong passphrase, a backend this system lacks;
// each exits 8 with the fix, and the key stays in the file.
func TestKeyringFailuresExitWithTheFix(t *testing.T) {
	t.Parallel()
	w, _, secret := keyringWorld(t)
	cases := []struct {
		env  []string
		want string
	}{
		{[]string{"AWSENV_KEYRING_BACKEND=secret-service", "DBUS_SESSION_BUS_ADDRESS="}, "AWSENV_KEYRING_BACKEND=file"},
		{[]string{"AWSENV_KEYRING_BACKEND=keychain"}, "not available"},
		{[]string{"AWSENV_KEYRING_BACKEND=file", "AWSENV_KEYRING_PASSPHRASE="}, "AWSENV_KEYRING_PASSPHRASE"},
	}
	for _, c := range cases {
		r := w.runEnv(c.env, "keys", "import", "carol")
		if r.code != exitKeyring || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: want exit %d naming %q: %s", c.env, exitKeyring, c.want, r)
		}
		if !strings.Contains(w.credentialsText(), secret) {
			t.Fatalf("%v: the key left the file", c.env)
		}
	}
	if r := w.run("keys", "import", "carol"); r.code != 0 {
		t.Fatalf("import: %s", r)
	}
	r := w.runEnv([]string{"AWSENV_KEYRING_PASSPHRASE=wrong"}, "exec", "carol", "--", "true")
	if r.code != exitKeyring || !strings.Contains(r.stderr, "passphrase") {
		t.Fatalf("a wrong passphrase: %s", r)
	}
}
