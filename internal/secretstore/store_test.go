package secretstore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// requireTool finds a program the test needs; without it the test skips,
// except under CI=true, where a missing tool is a broken setup.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; .ci/run must install it", name)
		}
		t.Skipf("%s is not installed; install it to run this test", name)
	}
	return p
}

func fixed(pw string) func() (string, error) { return func() (string, error) { return pw, nil } }

const testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSTORETEST"

// roundTrip is what every backend must do: set, get, list, replace,
// remove, and "no such item" as KindNotFound.
func roundTrip(t *testing.T, s Store) {
	t.Helper()
	key := ProfileItem(fmt.Sprintf("rt-%d", time.Now().UnixNano()))
	data := LongTermKey{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: testSecret}.Marshal()
	if _, err := s.Get(key); !IsNotFound(err) {
		t.Fatalf("Get of a missing item: %v, want KindNotFound", err)
	}
	if err := s.Set(key, data, "awsenv test"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	got, err := s.Get(key)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get = %q, %v; want what was set", got, err)
	}
	k, err := ParseLongTermKey(got)
	if err != nil || k.SecretAccessKey != testSecret {
		t.Fatalf("ParseLongTermKey: %v", err)
	}
	keys, err := s.Keys()
	if err != nil || !contains(keys, key) {
		t.Fatalf("Keys = %v, %v; want %s among them", keys, err, key)
	}
	data2 := LongTermKey{AccessKeyID: "AKIAIOSFODNN7EXAMPL2", SecretAccessKey: testSecret}.Marshal()
	if err := s.Set(key, data2, "awsenv test"); err != nil {
		t.Fatalf("Set over an item: %v", err)
	}
	if got, err := s.Get(key); err != nil || !bytes.Equal(got, data2) {
		t.Fatalf("Get after replace = %q, %v", got, err)
	}
	if err := s.Remove(key); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := s.Get(key); !IsNotFound(err) {
		t.Fatalf("Get after Remove: %v, want KindNotFound", err)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestFileBackend(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keyring")
	s, err := Open(Config{Backend: File, FileDir: dir, Passphrase: fixed("right"), Confirm: fixed("right")})
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, s)
	if err := s.Set(ProfileItem("keep"), LongTermKey{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: testSecret}.Marshal(), ""); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the file keyring's directory: %v, mode %v; want 0700", err, fi.Mode())
	}
	// Encrypted at rest: the secret is in no file.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if bytes.Contains(b, []byte(testSecret)) || bytes.Contains(b, []byte("AKIAIOSFODNN7EXAMPLE")) {
			t.Errorf("%s holds the key in clear", e.Name())
		}
	}

	// A wrong passphrase: reading fails as such, and writing with it is
	// refused (it would lock the new item away).
	wrong, err := Open(Config{Backend: File, FileDir: dir, Passphrase: fixed("wrong")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.Get(ProfileItem("keep")); KindOf(err) != KindWrongPassphrase {
		t.Errorf("Get with a wrong passphrase: %v, want KindWrongPassphrase", err)
	}
	if err := wrong.Set(ProfileItem("other"), []byte("{}"), ""); KindOf(err) != KindWrongPassphrase {
		t.Errorf("Set with a wrong passphrase: %v, want KindWrongPassphrase", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "profile:other")); err == nil {
		t.Error("an item was written with the wrong passphrase")
	}

	// A new store: the confirmation must match.
	fresh, err := Open(Config{Backend: File, FileDir: filepath.Join(t.TempDir(), "k"), Passphrase: fixed("a"), Confirm: fixed("b")})
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.Set(ProfileItem("x"), []byte("{}"), ""); KindOf(err) != KindWrongPassphrase || !errors.Is(err, ErrPassphraseMismatch) {
		t.Errorf("Set on a new store with a mismatched confirmation: %v", err)
	}

	// No passphrase to be had.
	none, err := Open(Config{Backend: File, FileDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := none.Get(ProfileItem("keep")); KindOf(err) != KindNoPassphrase {
		t.Errorf("Get without a passphrase: %v, want KindNoPassphrase", err)
	}
}

func TestUnavailableBackends(t *testing.T) {
	t.Parallel()
	for _, b := range []string{"bogus", "KEYCHAIN"} {
		if _, err := Open(Config{Backend: b}); KindOf(err) != KindUnavailable {
			t.Errorf("Open(%q): %v, want KindUnavailable", b, err)
		}
	}
	other := Keychain
	if runtime.GOOS == "darwin" {
		other = WinCred
	}
	_, err := Open(Config{Backend: other})
	if KindOf(err) != KindUnavailable || !strings.Contains(err.Error(), "AWSENV_KEYRING_BACKEND") {
		t.Errorf("Open(%q) on %s: %v, want KindUnavailable naming the fix", other, runtime.GOOS, err)
	}
}

// Without a session bus the Secret Service is refused with the fix, and
// there is no default on Linux: awsenv never picks a store by itself that
// would hide a key from the desktop keyring later.
func TestNoSessionBus(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service is Linux's")
	}
	run := t.TempDir()
	getenv := func(k string) string {
		if k == "XDG_RUNTIME_DIR" {
			return run
		}
		return ""
	}
	for _, b := range []string{SecretService, KWallet, ""} {
		_, err := Open(Config{Backend: b, Getenv: getenv})
		if KindOf(err) != KindNoSession || !strings.Contains(err.Error(), "AWSENV_KEYRING_BACKEND=file") {
			t.Errorf("Open(%q) without a bus: %v, want KindNoSession naming the other backends", b, err)
		}
	}
	// helper.NoBusAddress counts as no bus.
	noBus := func(k string) string {
		if k == "DBUS_SESSION_BUS_ADDRESS" {
			return "disabled:awsenv=no-session-bus"
		}
		return getenv(k)
	}
	if _, err := Default(noBus); KindOf(err) != KindNoSession {
		t.Errorf("Default with awsenv's no-bus address: %v", err)
	}
}

func TestKeyctlBackend(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the kernel keyring is Linux's")
	}
	// A keyring of its own, so tests running at once never meet.
	service := fmt.Sprintf("awsenv-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	s, err := Open(Config{Backend: KeyCtl, ServiceName: service})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the kernel keyring cannot be opened: %v", err)
		}
		t.Skipf("the kernel keyring cannot be opened here: %v", err)
	}
	roundTrip(t, s)
	if p, err := exec.LookPath("keyctl"); err == nil {
		// Unlink the test's own named keyring.
		t.Cleanup(func() { _ = exec.Command(p, "unlink", "%keyring:"+service, "@u").Run() })
	}
}

func TestPassBackend(t *testing.T) {
	requireTool(t, "pass")
	gpg := requireTool(t, "gpg")
	dir := t.TempDir()
	gnupg := filepath.Join(dir, "gnupg")
	if err := os.Mkdir(gnupg, 0o700); err != nil {
		t.Fatal(err)
	}
	// The pass backend runs pass with awsenv-helper's environment.
	t.Setenv("GNUPGHOME", gnupg)
	out, err := exec.Command(gpg, "--batch", "--passphrase", "", "--quick-gen-key", "awsenv test <test@awsenv.invalid>", "default", "default", "never").CombinedOutput()
	if err != nil {
		t.Fatalf("gpg --quick-gen-key: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("gpgconf", "--kill", "all").Run() })
	store := filepath.Join(dir, "password-store")
	cmd := exec.Command("pass", "init", "test@awsenv.invalid")
	cmd.Env = append(os.Environ(), "PASSWORD_STORE_DIR="+store)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pass init: %v\n%s", err, out)
	}
	s, err := Open(Config{Backend: Pass, PassDir: store})
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, s)
	if err := s.Set(ProfileItem("keep"), LongTermKey{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: testSecret}.Marshal(), ""); err != nil {
		t.Fatal(err)
	}
	// Under the awsenv folder, encrypted.
	b, err := os.ReadFile(filepath.Join(store, "awsenv", "profile:keep.gpg"))
	if err != nil || bytes.Contains(b, []byte(testSecret)) {
		t.Errorf("pass item: %v; in clear: %v", err, bytes.Contains(b, []byte(testSecret)))
	}
}

// The Secret Service: gnome-keyring-daemon in a D-Bus session of its own
// (dbus-run-session), with the login collection unlocked with a known
// password. The test binary runs itself inside the session: the library
// connects to the bus as it initialises, so the address must be there
// when the process starts.
func TestSecretService(t *testing.T) {
	if os.Getenv("AWSENV_TEST_IN_DBUS") != "" {
		secretServiceInside(t)
		return
	}
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service is Linux's")
	}
	requireTool(t, "dbus-run-session")
	requireTool(t, "gnome-keyring-daemon")
	for _, mode := range []string{"unlocked", "locked"} {
		t.Run(mode, func(t *testing.T) {
			unlock := `echo -n test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null`
			if mode == "locked" {
				// No login collection unlocked, and no prompt can be shown.
				unlock = `gnome-keyring-daemon --start --components=secrets >/dev/null`
			}
			home := t.TempDir()
			cmd := exec.Command("dbus-run-session", "--", "sh", "-c", unlock+` && exec "$0" -test.run='^TestSecretService$' -test.v`, os.Args[0])
			cmd.Env = append(os.Environ(), "AWSENV_TEST_IN_DBUS="+mode, "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
				"XDG_RUNTIME_DIR="+filepath.Join(home, "run"), "DISPLAY=")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "secret service "+mode+": ok") {
				t.Fatalf("inside dbus-run-session: %v\n%s", err, out)
			}
		})
	}
}

func secretServiceInside(t *testing.T) {
	mode := os.Getenv("AWSENV_TEST_IN_DBUS")
	s, err := Open(Config{Backend: SecretService, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if mode == "locked" {
		err := s.Set(ProfileItem("x"), []byte("{}"), "")
		if KindOf(err) != KindLocked || !strings.Contains(err.Error(), "Unlock the keyring") {
			t.Fatalf("Set on a locked Secret Service: %v, want KindLocked with the fix", err)
		}
	} else {
		roundTrip(t, s)
		// The default on Linux with a bus is the Secret Service.
		if b, err := Default(nil); b != SecretService || err != nil {
			t.Errorf("Default = %q, %v", b, err)
		}
	}
	fmt.Printf("secret service %s: ok\n", mode)
}

func TestAWSVaultItems(t *testing.T) {
	t.Parallel()
	for item, want := range map[string]bool{
		"prod": true, "my-profile": true,
		"sts.GetSessionToken,prod,arn:aws:iam::1:mfa/a,1700000000": false,
		"sts.AssumeRole,prod,,1700000000":                          false,
		"session:prod:arn:1700000000":                              false,
		"prod session (1700000000)":                                false,
		"oidc:https://example.awsapps.com/start":                   false,
	} {
		if got := AWSVaultProfile(item); got != want {
			t.Errorf("AWSVaultProfile(%q) = %v, want %v", item, got, want)
		}
	}
	k, err := ParseAWSVault([]byte(`{"AccessKeyID":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"` + testSecret + `","SessionToken":"","Source":"","CanExpire":false,"Expires":"0001-01-01T00:00:00Z"}`))
	if err != nil || k.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" || k.SecretAccessKey != testSecret {
		t.Errorf("ParseAWSVault = %v, %v", k, err)
	}
	if _, err := ParseAWSVault([]byte(`{"AccessKeyID":"ASIA","SecretAccessKey":"s","SessionToken":"t","CanExpire":true}`)); err == nil {
		t.Error("session credentials were taken as a long-term key")
	}
	_, err = ParseAWSVault([]byte(`{"AccessKeyID":"AKIA` + testSecret))
	if err == nil || strings.Contains(err.Error(), testSecret) {
		t.Errorf("a damaged item: %v (must not quote it)", err)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", k, k, k, k); strings.Contains(s, testSecret) {
		t.Errorf("LongTermKey prints its secret: %s", s)
	}
}
