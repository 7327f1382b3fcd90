//go:build unix

package sessions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// AWS's documented example values; never real credentials.
const (
	exampleKeyID   = "AKIAIOSFODNN7EXAMPLE"
	exampleTempID  = "ASIAIOSFODNN7EXAMPLE"
	exampleSecret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	exampleToken   = "AQoDYXdzEJr//EXAMPLETOKEN"
	exampleSerial  = "arn:aws:iam::123456789012:mfa/alice"
	exampleRoleARN = "arn:aws:iam::123456789012:role/admin"
)

// t0 is the fixed "now" of these tests.
var t0 = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

func mfaKey(profile string) Key {
	return Key{Profile: profile, Kind: KindMFA, Parts: []string{exampleKeyID, exampleSerial}}
}

func testSession(exp time.Time) *Session {
	return &Session{
		Credentials: profiles.Credentials{
			AccessKeyID:     exampleTempID,
			SecretAccessKey: exampleSecret,
			SessionToken:    exampleToken,
			Expiration:      exp,
		},
		Created:   exp.Add(-12 * time.Hour),
		BaseKeyID: exampleKeyID,
		MFASerial: exampleSerial,
	}
}

func openStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "sessions"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func save(t *testing.T, s *Store, key Key, sess *Session) string {
	t.Helper()
	if err := s.Save(key, sess); err != nil {
		t.Fatalf("Save(%v): %v", key, err)
	}
	return filepath.Join(s.Dir, key.file())
}

// dirNames lists the directory, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func wantUnsafe(t *testing.T, err error, path string, subs ...string) {
	t.Helper()
	var ue *UnsafeError
	if !errors.As(err, &ue) {
		t.Fatalf("error %T %v, want *UnsafeError", err, err)
	}
	if ue.Path != path {
		t.Errorf("UnsafeError.Path = %q, want %q", ue.Path, path)
	}
	for _, sub := range subs {
		if !strings.Contains(err.Error(), sub) {
			t.Errorf("%q does not contain %q", err.Error(), sub)
		}
	}
}

func TestOpen(t *testing.T) {
	t.Run("creates the directory 0700", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state", "awsenv", "sessions")
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if s.Dir != dir {
			t.Errorf("Dir = %q", s.Dir)
		}
		fi, err := os.Lstat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Errorf("mode %v, want a 0700 directory", fi.Mode())
		}
		// Opening again is fine.
		if _, err := Open(dir); err != nil {
			t.Errorf("second Open: %v", err)
		}
	})

	modes := []struct {
		mode os.FileMode
		ok   bool
	}{
		{0o700, true},
		{0o500, true},
		{0o755, false},
		{0o750, false},
		{0o710, false},
		{0o701, false},
		{0o777, false},
	}
	for _, m := range modes {
		t.Run("existing "+m.mode.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sessions")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, m.mode); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir)
			if m.ok {
				if err != nil || s == nil {
					t.Fatalf("Open = %v, %v", s, err)
				}
				return
			}
			if s != nil {
				t.Errorf("Open returned a store")
			}
			wantUnsafe(t, err, dir, "chmod 700 "+dir, "lets other users in")
			// Open must not have fixed the mode behind the user's back.
			if fi, _ := os.Stat(dir); fi.Mode().Perm() != m.mode {
				t.Errorf("mode changed to %v", fi.Mode().Perm())
			}
		})
	}

	t.Run("a file where the directory should be", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "sessions")
		if err := os.WriteFile(dir, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir)
		if err == nil || s != nil {
			t.Fatalf("Open = %v, %v; want an error", s, err)
		}
		if !strings.Contains(err.Error(), dir) {
			t.Errorf("error does not name %s: %v", dir, err)
		}
	})

	t.Run("a file under the path", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if s, err := Open(filepath.Join(file, "sessions")); err == nil {
			t.Fatalf("Open = %v, nil; want an error", s)
		}
	})

	t.Run("a symlink to a private directory", func(t *testing.T) {
		base := t.TempDir()
		real := filepath.Join(base, "real")
		if err := os.Mkdir(real, 0o700); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(base, "sessions")
		if err := os.Symlink(real, link); err != nil {
			t.Fatal(err)
		}
		_, err := Open(link)
		wantUnsafe(t, err, link)
	})

	t.Run("owned by another user", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to chown")
		}
		dir := filepath.Join(t.TempDir(), "sessions")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Skip(err)
		}
		_, err := Open(dir)
		wantUnsafe(t, err, dir, "owned by uid 65534", "chown")
	})
}

// TestOpenFileInTheWay: Open has a helpful "it is not a directory ...
// Remove it (rm PATH)" UnsafeError, but MkdirAll fails first on a regular
// file, so the user gets "not a directory. Check that its parent is
// writable by you." instead.
func TestOpenFileInTheWay(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	if err := os.WriteFile(dir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir)
	wantUnsafe(t, err, dir, "not a directory", "rm "+dir)
}

func TestSaveLoad(t *testing.T) {
	s := openStore(t)
	key := mfaKey("dev")
	sess := testSession(t0.Add(time.Hour))
	sess.Profile, sess.Kind, sess.Version = "wrong", "wrong", 99 // Save sets these from the key
	path := save(t, s, key, sess)

	got, err := s.Load(key)
	if err != nil || got == nil {
		t.Fatalf("Load = %v, %v", got, err)
	}
	want := testSession(t0.Add(time.Hour))
	want.Version, want.Profile, want.Kind, want.Key = 1, "dev", KindMFA, key
	if !got.Credentials.Expiration.Equal(want.Credentials.Expiration) || !got.Created.Equal(want.Created) {
		t.Errorf("times: got %v %v, want %v %v", got.Credentials.Expiration, got.Created, want.Credentials.Expiration, want.Created)
	}
	got.Credentials.Expiration, got.Created = want.Credentials.Expiration, want.Created
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load\n got %+v\nwant %+v", got, want)
	}
	if got.Credentials.SecretAccessKey.Reveal() != exampleSecret || got.Credentials.SessionToken.Reveal() != exampleToken {
		t.Error("secrets did not survive the round trip")
	}
	if got.Expiration() != got.Credentials.Expiration {
		t.Error("Expiration() differs from Credentials.Expiration")
	}

	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("session file mode %v, want 0600", fi.Mode())
	}
	if !strings.HasPrefix(filepath.Base(path), "dev."+KindMFA+".") {
		t.Errorf("file name %s does not start with the profile and kind", filepath.Base(path))
	}
	if names := dirNames(t, s.Dir); !reflect.DeepEqual(names, []string{filepath.Base(path)}) {
		t.Errorf("directory holds %q, want only the session file", names)
	}

	// Other parts (another key id, serial or role) are another session.
	for _, other := range []Key{
		{Profile: "dev", Kind: KindMFA, Parts: []string{exampleKeyID, "arn:aws:iam::123456789012:mfa/bob"}},
		{Profile: "dev", Kind: KindMFA},
		{Profile: "dev", Kind: KindSession, Parts: key.Parts},
		{Profile: "dev2", Kind: KindMFA, Parts: key.Parts},
	} {
		if other.file() == key.file() {
			t.Errorf("%+v shares the file of %+v", other, key)
		}
		if got, err := s.Load(other); got != nil || err != nil {
			t.Errorf("Load(%+v) = %v, %v; want nil, nil", other, got, err)
		}
	}
}

func TestKeyFile(t *testing.T) {
	a := Key{Profile: "p", Kind: KindRole, Parts: []string{"ab", "c"}}
	b := Key{Profile: "p", Kind: KindRole, Parts: []string{"a", "bc"}}
	if a.file() == b.file() {
		t.Errorf("parts are not separated in the hash: %s", a.file())
	}
	if a.file() != (Key{Profile: "p", Kind: KindRole, Parts: []string{"ab", "c"}}).file() {
		t.Error("file name is not deterministic")
	}
	for _, k := range []Key{a, mfaKey("a.b"), mfaKey(".."), {Profile: "x", Kind: KindSession}} {
		f := k.file()
		if strings.Contains(f, "/") || !strings.HasSuffix(f, ".json") || fileProfile(f) != k.Profile {
			t.Errorf("file(%+v) = %q, fileProfile = %q", k, f, fileProfile(f))
		}
	}
}

func TestSaveReplaces(t *testing.T) {
	s := openStore(t)
	key := Key{Profile: "prod", Kind: KindRole, Parts: []string{exampleRoleARN}}
	old := testSession(t0.Add(time.Hour))
	old.RoleARN = exampleRoleARN + "/" + strings.Repeat("long", 200)
	old.Source = "some-source-profile-with-a-long-name"
	path := save(t, s, key, old)
	oldData, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// A reader that opened the old file keeps reading the old file whole.
	reader, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()

	newer := testSession(t0.Add(2 * time.Hour))
	newer.RoleARN = exampleRoleARN
	save(t, s, key, newer)

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("replaced file is not one JSON value: %v\n%s", err, data)
	}
	if bytes.Contains(data, []byte("longlong")) || raw["source"] != nil {
		t.Errorf("old content survives: %s", data)
	}
	got, err := s.Load(key)
	if err != nil || got == nil || got.RoleARN != exampleRoleARN || !got.Expiration().Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("Load after replace = %+v, %v", got, err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(before, after) {
		t.Error("Save rewrote the file in place instead of renaming a new one over it")
	}
	if after.Mode().Perm() != 0o600 {
		t.Errorf("replaced file mode %v", after.Mode().Perm())
	}
	oldSeen := new(bytes.Buffer)
	if _, err := oldSeen.ReadFrom(reader); err != nil || !bytes.Equal(oldSeen.Bytes(), oldData) {
		t.Errorf("a reader of the old file saw %d bytes, want the old %d", oldSeen.Len(), len(oldData))
	}
	if names := dirNames(t, s.Dir); len(names) != 1 || strings.HasSuffix(names[0], ".tmp") {
		t.Errorf("directory holds %q", names)
	}
}

// TestSaveConcurrent: readers racing writers see a whole session every time.
func TestSaveConcurrent(t *testing.T) {
	s := openStore(t)
	key := mfaKey("race")
	save(t, s, key, testSession(t0))
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for w := 0; w < 4; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 8; i++ {
				sess := testSession(t0.Add(time.Duration(i) * time.Minute))
				sess.RoleARN = strings.Repeat("r", 50*i) // sizes differ
				if err := s.Save(key, sess); err != nil {
					errs <- err.Error()
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				got, err := s.Load(key)
				if err != nil || got == nil {
					errs <- "Load returned no session while writers replace it"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	names := dirNames(t, s.Dir)
	if len(names) != 1 {
		t.Errorf("directory holds %q, want one session file and no temporary files", names)
	}
}

func TestSaveErrors(t *testing.T) {
	s := openStore(t)
	if err := os.RemoveAll(s.Dir); err != nil {
		t.Fatal(err)
	}
	err := s.Save(mfaKey("dev"), testSession(t0))
	if err == nil || !strings.Contains(err.Error(), s.Dir) {
		t.Errorf("Save into a removed directory = %v; want an error naming it", err)
	}
}

func TestLoad(t *testing.T) {
	key := mfaKey("dev")
	valid, err := json.Marshal(&Session{Version: 1, Profile: "dev", Kind: KindMFA, Credentials: testSession(t0).Credentials, Created: t0.Add(-12 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	withCreds := func(f func(c *profiles.Credentials)) []byte {
		sess := testSession(t0)
		sess.Version, sess.Profile, sess.Kind = 1, "dev", KindMFA
		f(&sess.Credentials)
		b, err := json.Marshal(sess)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	other := func(f func(s *Session)) []byte {
		sess := testSession(t0)
		sess.Version, sess.Profile, sess.Kind = 1, "dev", KindMFA
		f(sess)
		b, err := json.Marshal(sess)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// Contents that are no session for key: Load returns nil, nil.
	none := map[string][]byte{
		"empty":          {},
		"half":           valid[:len(valid)/2],
		"all but one":    valid[:len(valid)-1],
		"garbage":        []byte("\x00\xffnot json"),
		"null":           []byte("null"),
		"array":          []byte("[1,2]"),
		"empty object":   []byte("{}"),
		"other profile":  other(func(s *Session) { s.Profile = "prod" }),
		"other kind":     other(func(s *Session) { s.Kind = KindRole }),
		"other version":  other(func(s *Session) { s.Version = 2 }),
		"no token":       withCreds(func(c *profiles.Credentials) { c.SessionToken = "" }),
		"no secret":      withCreds(func(c *profiles.Credentials) { c.SecretAccessKey = "" }),
		"no key id":      withCreds(func(c *profiles.Credentials) { c.AccessKeyID = "" }),
		"no expiration":  withCreds(func(c *profiles.Credentials) { c.Expiration = time.Time{} }),
		"wrong types":    []byte(`{"version":"1","profile":"dev"}`),
		"bad expiration": bytes.Replace(valid, []byte(`"2030-06-01T12:00:00Z"`), []byte(`"yesterday"`), 1),
		// Credentials profiles.Credentials.Validate refuses.
		"escape in key id":  withCreds(func(c *profiles.Credentials) { c.AccessKeyID = "ASIA\x1b]52;c;AAAAAAAAAAAAAAA" }),
		"lower-case key id": withCreds(func(c *profiles.Credentials) { c.AccessKeyID = strings.ToLower(exampleTempID) }),
		"newline in secret": withCreds(func(c *profiles.Credentials) { c.SecretAccessKey += "\nexport X=1" }),
		"control in token":  withCreds(func(c *profiles.Credentials) { c.SessionToken += "\x07" }),
		"absurd expiration": withCreds(func(c *profiles.Credentials) { c.Expiration = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) }),
		"expired when made": other(func(s *Session) { s.Created = s.Credentials.Expiration.Add(time.Second) }),
		"made long before":  other(func(s *Session) { s.Created = s.Credentials.Expiration.Add(-72 * time.Hour) }),
		"other key's file":  nil, // filled below
	}
	{
		s := openStore(t)
		p := save(t, s, Key{Profile: "prod", Kind: KindMFA, Parts: key.Parts}, testSession(t0))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		none["other key's file"] = b
	}
	for name, content := range none {
		t.Run(name, func(t *testing.T) {
			s := openStore(t)
			if err := os.WriteFile(filepath.Join(s.Dir, key.file()), content, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := s.Load(key)
			if got != nil || err != nil {
				t.Errorf("Load = %+v, %v; want nil, nil", got, err)
			}
		})
	}

	t.Run("valid", func(t *testing.T) {
		s := openStore(t)
		if err := os.WriteFile(filepath.Join(s.Dir, key.file()), valid, 0o600); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Load(key); got == nil || err != nil {
			t.Errorf("Load = %v, %v", got, err)
		}
	})

	t.Run("missing", func(t *testing.T) {
		s := openStore(t)
		if got, err := s.Load(key); got != nil || err != nil {
			t.Errorf("Load = %v, %v; want nil, nil", got, err)
		}
	})

	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o666} {
		t.Run("mode "+mode.String(), func(t *testing.T) {
			s := openStore(t)
			path := save(t, s, key, testSession(t0))
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			got, err := s.Load(key)
			if got != nil {
				t.Errorf("Load returned the session of a %v file", mode)
			}
			wantUnsafe(t, err, path, "chmod 600 "+path)
		})
	}

	t.Run("mode 0400 is private", func(t *testing.T) {
		s := openStore(t)
		path := save(t, s, key, testSession(t0))
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Load(key); got == nil || err != nil {
			t.Errorf("Load = %v, %v", got, err)
		}
	})

	t.Run("symlink", func(t *testing.T) {
		s := openStore(t)
		target := save(t, s, Key{Profile: "target", Kind: KindMFA, Parts: key.Parts}, testSession(t0))
		path := filepath.Join(s.Dir, key.file())
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(key)
		if got != nil {
			t.Error("Load followed the symlink")
		}
		wantUnsafe(t, err, path, "symbolic link", "rm "+path)
	})

	t.Run("dangling symlink", func(t *testing.T) {
		s := openStore(t)
		path := filepath.Join(s.Dir, key.file())
		if err := os.Symlink(filepath.Join(s.Dir, "nowhere"), path); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load(key)
		wantUnsafe(t, err, path, "symbolic link")
	})

	t.Run("directory", func(t *testing.T) {
		s := openStore(t)
		path := filepath.Join(s.Dir, key.file())
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load(key)
		wantUnsafe(t, err, path, "not a regular file")
	})

	t.Run("owned by another user", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to chown")
		}
		s := openStore(t)
		path := save(t, s, key, testSession(t0))
		if err := os.Chown(path, 65534, 65534); err != nil {
			t.Skip(err)
		}
		_, err := s.Load(key)
		wantUnsafe(t, err, path, "owned by uid 65534")
	})
}

// TestLoadFIFO: Load opens the file before checking that it is a regular
// file, and opening a FIFO for reading blocks until a writer comes.
func TestLoadFIFO(t *testing.T) {
	s := openStore(t)
	key := mfaKey("dev")
	path := filepath.Join(s.Dir, key.file())
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Load(key)
		done <- err
	}()
	select {
	case err := <-done:
		wantUnsafe(t, err, path, "not a regular file")
	case <-time.After(time.Second):
		// Unblock the stuck open so the goroutine ends.
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		<-done
		t.Error("Load blocked on a FIFO")
	}
}

func TestFresh(t *testing.T) {
	exp := t0
	tests := []struct {
		now    time.Time
		margin time.Duration
		want   bool
	}{
		{t0.Add(-10 * time.Minute), 5 * time.Minute, true},
		{t0.Add(-5*time.Minute - time.Nanosecond), 5 * time.Minute, true},
		{t0.Add(-5 * time.Minute), 5 * time.Minute, false}, // exactly margin left: renew
		{t0.Add(-4 * time.Minute), 5 * time.Minute, false},
		{t0, 0, false},
		{t0.Add(-time.Nanosecond), 0, true},
		{t0.Add(time.Hour), 0, false},
		{t0.Add(-13 * time.Hour), 12 * time.Hour, true},
		{t0.In(time.FixedZone("X", 3600)).Add(-time.Minute), 0, true}, // zones do not matter
	}
	sess := testSession(exp)
	for _, tt := range tests {
		if got := sess.Fresh(tt.now, tt.margin); got != tt.want {
			t.Errorf("Fresh(%v, %v) with expiry %v = %v, want %v", tt.now, tt.margin, exp, got, tt.want)
		}
	}
	if (&Session{}).Fresh(t0, 0) {
		t.Error("a session without expiration is fresh")
	}
}

func TestList(t *testing.T) {
	s := openStore(t)
	if got, err := s.List(); err != nil || len(got) != 0 {
		t.Fatalf("List of an empty store = %v, %v", got, err)
	}
	roleKey := func(p string) Key { return Key{Profile: p, Kind: KindRole, Parts: []string{exampleRoleARN}} }
	save(t, s, mfaKey("b"), testSession(t0))
	save(t, s, roleKey("a"), testSession(t0))
	save(t, s, mfaKey("a.b"), testSession(t0))
	save(t, s, mfaKey("a"), testSession(t0))
	save(t, s, Key{Profile: "a", Kind: KindSession}, testSession(t0))
	save(t, s, mfaKey("B"), testSession(t0))

	// Files List must skip.
	write := func(name, content string, mode os.FileMode) {
		t.Helper()
		p := filepath.Join(s.Dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	write("zz.mfa-session.000000000000.json", `{"version":1,"profile":"zz","kind":"mfa-sess`, 0o600) // truncated
	write("notes.json", `{"hello":"world"}`, 0o600)
	write("v2.role.000000000000.json", `{"version":2,"profile":"v2","kind":"role"}`, 0o600)
	write("array.json", `[]`, 0o600)
	write("empty.json", ``, 0o600)
	write(".tmp-12345", `{"version":1,"profile":"tmp","kind":"role"}`, 0o600)
	write("shared.mfa-session.000000000000.json", `{"version":1,"profile":"shared","kind":"mfa-session"}`, 0o644)
	if err := os.Symlink(filepath.Join(s.Dir, mfaKey("b").file()), filepath.Join(s.Dir, "link.mfa-session.000000000000.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(s.Dir, "dir.json"), 0o700); err != nil {
		t.Fatal(err)
	}

	got, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	type pk struct{ Profile, Kind string }
	var order []pk
	for _, e := range got {
		order = append(order, pk{e.Profile, e.Kind})
		if filepath.Dir(e.Path) != s.Dir {
			t.Errorf("entry path %s is not in %s", e.Path, s.Dir)
		}
		if fileProfile(filepath.Base(e.Path)) != e.Profile {
			t.Errorf("entry %s/%s has path %s", e.Profile, e.Kind, e.Path)
		}
		if e.Credentials.SessionToken.Reveal() != exampleToken {
			t.Errorf("entry %s/%s lost its token", e.Profile, e.Kind)
		}
	}
	want := []pk{
		{"B", KindMFA},
		{"a", KindMFA},
		{"a", KindRole},
		{"a", KindSession},
		{"a.b", KindMFA},
		{"b", KindMFA},
	}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("List order\n got %v\nwant %v", order, want)
	}
}

func TestClear(t *testing.T) {
	s := openStore(t)
	roleKey := Key{Profile: "a", Kind: KindRole, Parts: []string{exampleRoleARN}}
	aMFA := save(t, s, mfaKey("a"), testSession(t0))
	aRole := save(t, s, roleKey, testSession(t0))
	aDotB := save(t, s, mfaKey("a.b"), testSession(t0))
	ab := save(t, s, mfaKey("ab"), testSession(t0))
	b := save(t, s, mfaKey("b"), testSession(t0))
	corruptA := filepath.Join(s.Dir, "a.mfa-session.ffffffffffff.json")
	if err := os.WriteFile(corruptA, []byte("{trunc"), 0o600); err != nil {
		t.Fatal(err)
	}
	notes := filepath.Join(s.Dir, "notes.json")
	if err := os.WriteFile(notes, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(t.Context(), mfaKey("a"), nil)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	lockFile := filepath.Join(s.Dir, strings.TrimSuffix(mfaKey("a").file(), ".json")+".lock")

	exists := func(p string) bool { _, err := os.Lstat(p); return err == nil }

	steps := []struct {
		profile string
		n       int
		gone    []string
		kept    []string
	}{
		{"nobody", 0, nil, []string{aMFA, aRole, aDotB, ab, b, corruptA, notes}},
		{"a", 3, []string{aMFA, aRole, corruptA}, []string{aDotB, ab, b, notes, lockFile}},
		{"a", 0, nil, []string{aDotB, ab, b, notes}},
		{"a.b", 1, []string{aDotB}, []string{ab, b, notes}},
		{"", 3, []string{ab, b, notes}, []string{lockFile}},
		{"", 0, nil, nil},
	}
	for _, st := range steps {
		n, err := s.Clear(st.profile)
		if err != nil || n != st.n {
			t.Errorf("Clear(%q) = %d, %v; want %d", st.profile, n, err, st.n)
		}
		for _, p := range st.gone {
			if exists(p) {
				t.Errorf("Clear(%q) left %s", st.profile, filepath.Base(p))
			}
		}
		for _, p := range st.kept {
			if !exists(p) {
				t.Errorf("Clear(%q) removed %s", st.profile, filepath.Base(p))
			}
		}
	}
}

func TestFileProfile(t *testing.T) {
	tests := map[string]string{
		"a.mfa-session.0123456789ab.json":       "a",
		"a.b.mfa-session.0123456789ab.json":     "a.b",
		"...role.0123456789ab.json":             "..",
		"user+x@corp.session.0123456789ab.json": "user+x@corp",
		"notes.json":                            "",
		"a.b.json":                              "",
		"x.json.json":                           "",
	}
	for name, want := range tests {
		if got := fileProfile(name); got != want {
			t.Errorf("fileProfile(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestListClearGlobMetacharacters: List and Clear glob Dir/*.json, so a
// session directory whose path holds [, * or ? is read as a pattern: its
// own sessions are missed, and files of a directory the pattern matches
// are listed and removed instead.
func TestListClearGlobMetacharacters(t *testing.T) {
	base := t.TempDir()
	s, err := Open(filepath.Join(base, "x[1]", "sessions"))
	if err != nil {
		t.Fatal(err)
	}
	save(t, s, mfaKey("dev"), testSession(t0))

	// A neighbour the pattern x[1] matches.
	other := filepath.Join(base, "x1", "sessions")
	if err := os.MkdirAll(other, 0o700); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(other, "precious.json")
	if err := os.WriteFile(victim, []byte(`{"keep":"me"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	got, err := s.List()
	if err != nil || len(got) != 1 {
		t.Errorf("List = %d entries, %v; want the 1 saved session", len(got), err)
	}
	n, err := s.Clear("")
	if err != nil || n != 1 {
		t.Errorf("Clear(\"\") = %d, %v; want 1", n, err)
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("Clear removed a file outside the session directory: %v", err)
	}
	if names := dirNames(t, s.Dir); len(names) != 0 {
		t.Errorf("Clear left %q", names)
	}
}

// Hook answers are kept with the session they were made for, and dropped
// when that session was replaced meanwhile.
func TestSaveHooks(t *testing.T) {
	s := openStore(t)
	key := mfaKey("dev")
	sess := testSession(t0.Add(time.Hour))
	save(t, s, key, sess)
	loaded, err := s.Load(key)
	if err != nil || loaded == nil {
		t.Fatal(err)
	}
	answers := []HookAnswer{{Hook: "kube", Request: "1", Set: []HookVar{{Name: "KUBECONFIG", Value: "/k"}}, Messages: []string{"hi"}}}
	if err := s.SaveHooks(context.Background(), key, loaded.Created, answers); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Load(key)
	if !reflect.DeepEqual(got.Hooks, answers) || got.Credentials.SecretAccessKey.Reveal() != exampleSecret {
		t.Fatalf("hooks %+v", got.Hooks)
	}
	// Another awsenv replaced the session: the answers for the old one go.
	newer := testSession(t0.Add(2 * time.Hour))
	newer.Created = t0.Add(time.Minute)
	save(t, s, key, newer)
	if err := s.SaveHooks(context.Background(), key, loaded.Created, answers); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Load(key); len(got.Hooks) != 0 {
		t.Fatalf("answers for a replaced session were kept: %+v", got.Hooks)
	}
}
