package doctor_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/doctor"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

const (
	keyID   = "AKIAIOSFODNN7EXAMPLE"
	oldKey  = "AKIAOLDKEY0000000000"
	secret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" // 40 characters
	userARN = "arn:aws:iam::123456789012:user/alice"
	serial  = "arn:aws:iam::123456789012:mfa/alice"
	roleARN = "arn:aws:iam::210987654321:role/admin"
)

// The tests' clock: doctor never reads the real one.
var now0 = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// alice is an IAM user with an MFA device; prod a role on top of her.
const (
	healthyConfig = "[profile alice]\nregion = eu-west-1\nmfa_serial = " + serial + "\n" +
		"[profile prod]\nrole_arn = " + roleARN + "\nsource_profile = alice\n"
	healthyCredentials = "[alice]\naws_access_key_id = " + keyID + "\naws_secret_access_key = " + secret + "\n"
)

// world is one user's files and AWS, all in a temporary directory: no
// real HOME, no real clock, no network.
type world struct {
	t        *testing.T
	dir      string
	files    profiles.Files
	global   string // awsenv's own config file
	sts      *fakeSTS
	iam      *fakeIAM
	sso      *fakeSSO
	store    *sessions.Store
	ssoCache string
	env      map[string]string
	now      time.Time
	skew     time.Duration
	skewOK   bool
	retired  map[string]time.Time
	explain  func(err error, p *profiles.Profile) (string, string)
	provider func(ctx context.Context, s profiles.Settings) (string, string)
	plugin   func(ctx context.Context, name, service string) (string, string)
	noSSO    bool // run with Inputs.SSO nil
	// ssoTokens is the token cache with awsenv_sso_token_storage =
	// keyring; nil is the AWS CLI's at ssoCache.
	ssoTokens *ssocache.Cache
}

// dataKey is the secret store's data key of sealed sessions.
type dataKey struct{}

func (dataKey) DataKey(context.Context) ([]byte, error) {
	return bytes.Repeat([]byte{7}, sessions.DataKeySize), nil
}

// newWorld is a healthy alice: her key works and is active, her MFA device
// is the one configured, the clock is in step, the shell hook is loaded.
func newWorld(t *testing.T) *world {
	t.Helper()
	dir := t.TempDir()
	store, err := sessions.Open(filepath.Join(dir, "state", "sessions"))
	if err != nil {
		t.Fatal(err)
	}
	store.Keys = dataKey{} // sessions sealed, as by default
	sts := newFakeSTS()
	sts.arns[keyID] = userARN
	w := &world{
		t:        t,
		dir:      dir,
		files:    profiles.Files{Config: filepath.Join(dir, "home", ".aws", "config"), Credentials: filepath.Join(dir, "home", ".aws", "credentials")},
		global:   filepath.Join(dir, "config", "awsenv", "config"),
		sts:      sts,
		iam:      &fakeIAM{keys: []fakeKey{{ID: keyID, Active: true, Created: now0.AddDate(0, 0, -10)}}, serials: []string{serial}},
		sso:      &fakeSSO{},
		store:    store,
		ssoCache: filepath.Join(dir, "home", ".aws", "sso", "cache"),
		env:      map[string]string{"AWSENV_SHELL_HOOK": "bash", "SHELL": "/bin/bash"},
		now:      now0,
		skewOK:   true,
		retired:  map[string]time.Time{},
		explain: func(err error, p *profiles.Profile) (string, string) {
			return "explained: " + err.Error(), "fix for " + p.Name
		},
		provider: func(context.Context, profiles.Settings) (string, string) {
			return "asks for the code on the terminal", ""
		},
	}
	w.write(w.files.Config, healthyConfig, 0o600)
	w.write(w.files.Credentials, healthyCredentials, 0o600)
	return w
}

// write puts a file in place with mode (chmod, so the umask cannot change it).
func (w *world) write(path, text string, mode fs.FileMode) {
	w.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		w.t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		w.t.Fatal(err)
	}
}

// run runs doctor on profile, and checks what every run must keep: it
// writes no file, and it removes a session only where its report says so.
func (w *world) run(profile string) *doctor.Report {
	w.t.Helper()
	global, err := profiles.LoadGlobal(w.global)
	if err != nil {
		w.t.Fatalf("load %s: %v", w.global, err)
	}
	in := doctor.Inputs{
		Profile:  profile,
		Files:    w.files,
		Global:   global,
		STS:      w.sts,
		IAM:      w.iam,
		Skew:     func() (time.Duration, bool) { return w.skew, w.skewOK },
		Store:    w.store,
		Explain:  w.explain,
		Provider: w.provider,
		Plugin:   w.plugin,
		Retired:  w.retired,
		Getenv:   func(k string) string { return w.env[k] },
		Now:      func() time.Time { return w.now },
		UID:      os.Getuid(),
		SSOCache: w.ssoCache,
		SSO:      w.sso,

		SSOTokens:    w.ssoTokens,
		KeyringPlace: "awsenv's keyring (keyctl)",
		DataKeyCache: "the kernel keyring for the login session",
	}
	if w.noSSO {
		in.SSO = nil
	}
	before := w.snapshot()
	rep := doctor.Run(context.Background(), in)
	w.checkChanges(rep, before, w.snapshot())
	failed := false
	for _, c := range rep.Checks {
		failed = failed || c.Status == doctor.Fail
	}
	if rep.OK == failed || rep.Profile != profile {
		w.t.Errorf("report of %s says ok=%v for profile %q with checks %+v", profile, rep.OK, rep.Profile, rep.Checks)
	}
	return rep
}

type fileState struct {
	mode fs.FileMode
	data []byte
}

// snapshot is every file under the world's directory.
func (w *world) snapshot() map[string]fileState {
	w.t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(w.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		data, _ := os.ReadFile(path) // unreadable files compare by mode
		out[path] = fileState{mode: fi.Mode(), data: data}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// checkChanges fails the test for any file doctor wrote, and for a session
// it removed without the session check saying so and naming its kind.
func (w *world) checkChanges(rep *doctor.Report, before, after map[string]fileState) {
	w.t.Helper()
	sessionDetail := ""
	for _, c := range rep.Checks {
		if c.Name == "session" {
			sessionDetail = c.Detail
		}
	}
	for path, a := range after {
		b, ok := before[path]
		if !ok || a.mode != b.mode || !bytes.Equal(a.data, b.data) {
			w.t.Errorf("doctor wrote %s", path)
		}
	}
	for path, b := range before {
		if _, ok := after[path]; ok {
			continue
		}
		if filepath.Dir(path) != w.store.Dir {
			w.t.Errorf("doctor removed %s, which is not a session", path)
			continue
		}
		kind := strings.Split(filepath.Base(path), ".")[1]
		if !strings.Contains(sessionDetail, "removed") || !strings.Contains(sessionDetail, kind) {
			w.t.Errorf("doctor removed the %s session %s but its session check says %q (%d bytes)", kind, path, sessionDetail, len(b.data))
		}
	}
}

// saveSession caches a session of profile made with the long-term key
// base (empty for none), expiring at exp; it returns its file.
func (w *world) saveSession(profile, kind, base, accessKey string, exp time.Time) string {
	w.t.Helper()
	key := sessions.Key{Profile: profile, Kind: kind, Parts: []string{base, accessKey}}
	err := w.store.Save(key, &sessions.Session{
		Credentials: profiles.Credentials{AccessKeyID: accessKey, SecretAccessKey: "session-secret", SessionToken: "session-token", Expiration: exp},
		Created:     exp.Add(-12 * time.Hour),
		BaseKeyID:   base,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, e := range w.sessions() {
		if e.Credentials.AccessKeyID == accessKey {
			return e.Path
		}
	}
	w.t.Fatalf("session %s not listed after saving", accessKey)
	return ""
}

func (w *world) sessions() []sessions.Entry {
	w.t.Helper()
	entries, err := w.store.List()
	if err != nil {
		w.t.Fatal(err)
	}
	return entries
}

func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Stat(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return err == nil
}

// find is the one check named name; the test fails if there is none, or
// more than one.
func find(t *testing.T, rep *doctor.Report, name string) doctor.Check {
	t.Helper()
	var found []doctor.Check
	for _, c := range rep.Checks {
		if c.Name == name {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d checks named %s in %+v", len(found), name, rep.Checks)
	}
	return found[0]
}

// want asserts the check's status, a phrase of its detail and, when fix
// is not empty, a phrase of its fix. A passing check never carries a fix.
func want(t *testing.T, rep *doctor.Report, name, status, detail, fix string) doctor.Check {
	t.Helper()
	c := find(t, rep, name)
	if c.Status != status || !strings.Contains(c.Detail, detail) || !strings.Contains(c.Fix, fix) {
		t.Errorf("check %s = %s %q (fix %q), want %s with %q (fix with %q)", name, c.Status, c.Detail, c.Fix, status, detail, fix)
	}
	if c.Status == doctor.Pass && c.Fix != "" {
		t.Errorf("check %s passes with a fix: %q", name, c.Fix)
	}
	return c
}

// names is the checks' names in order.
func names(rep *doctor.Report) []string {
	var out []string
	for _, c := range rep.Checks {
		out = append(out, c.Name)
	}
	return out
}
