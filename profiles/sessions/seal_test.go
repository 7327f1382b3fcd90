//go:build unix

package sessions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeKeys is a secret store's data key, counting the times it is asked.
type fakeKeys struct {
	key   []byte
	err   error
	calls int
}

func (f *fakeKeys) DataKey(context.Context) ([]byte, error) {
	f.calls++
	return f.key, f.err
}

func newKey(b byte) []byte { return bytes.Repeat([]byte{b}, DataKeySize) }

func sealedStore(t *testing.T, dir string, key []byte) (*Store, *fakeKeys) {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	k := &fakeKeys{key: key}
	s.Keys = k
	return s, k
}

// secretsOf are what must never be in a sealed file.
func secretsOf(sess *Session) []string {
	out := []string{sess.Credentials.SecretAccessKey.Reveal(), sess.Credentials.SessionToken.Reveal()}
	for _, h := range sess.Hooks {
		for _, v := range h.Set {
			out = append(out, v.Value)
		}
	}
	return out
}

func hookedSession() *Session {
	sess := testSession(t0.Add(6 * 3600e9))
	sess.Hooks = []HookAnswer{{Hook: "vault", Request: "r1", Set: []HookVar{{Name: "VAULT_TOKEN", Value: "hvs.EXAMPLEVAULTTOKEN"}}}}
	return sess
}

func TestSealRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	s, keys := sealedStore(t, dir, newKey(7))
	key := mfaKey("alice")
	sess := hookedSession()
	path := save(t, s, key, sess)

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range secretsOf(hookedSession()) {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("the sealed file holds a secret in plain text: %s", data)
		}
	}
	var env map[string]any
	if err := json.Unmarshal(data, &env); err != nil || env["version"] != float64(sealedVersion) {
		t.Fatalf("not a sealed envelope (%v): %s", err, data)
	}
	if len(data) > 4<<10 {
		t.Errorf("a sealed session takes %d bytes; about 2 KiB expected", len(data))
	}

	got, err := s.Load(key)
	if err != nil || got == nil {
		t.Fatalf("Load: %v, %v", got, err)
	}
	if got.Credentials != sess.Credentials || got.MFASerial != exampleSerial || len(got.Hooks) != 1 ||
		got.Hooks[0].Set[0].Value != "hvs.EXAMPLEVAULTTOKEN" || !got.Created.Equal(sess.Created) {
		t.Errorf("Load gave %+v, saved %+v", got, sess)
	}

	// A new process (a new Store) with the same key opens it too; each
	// Store asks for the key once.
	s2, keys2 := sealedStore(t, dir, newKey(7))
	if got, err := s2.Load(key); err != nil || got == nil {
		t.Fatalf("Load in a second store: %v, %v", got, err)
	}
	if _, err := s2.Load(key); err != nil || keys2.calls != 1 || keys.calls != 1 {
		t.Errorf("the data key was asked for %d and %d times; once a store", keys.calls, keys2.calls)
	}

	// List and rotate see what they need without the key.
	s3, keys3 := sealedStore(t, dir, nil)
	keys3.err = errors.New("no store")
	entries, err := s3.List()
	if err != nil || len(entries) != 1 {
		t.Fatalf("List: %v, %v", entries, err)
	}
	e := entries[0]
	if !e.Sealed || e.Profile != "alice" || e.Kind != KindMFA || !e.Expiration().Equal(sess.Credentials.Expiration) ||
		e.BaseKeyID != exampleKeyID || e.Credentials.AccessKeyID != exampleTempID || e.Credentials.SessionToken != "" {
		t.Errorf("List entry %+v", e)
	}
	if keys3.calls != 0 {
		t.Errorf("List asked for the data key")
	}
	full, err := s2.Reveal(e)
	if err != nil || full == nil || full.Credentials != sess.Credentials {
		t.Errorf("Reveal: %+v, %v", full, err)
	}
}

// TestSealTampered: a flipped byte, an edited readable field, a file
// copied over another's name, and a file sealed under another data key
// each count as absent (never an error), and the next Save replaces them.
func TestSealTampered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, s *Store, path string)
		key    []byte // the key the reading store has (default: the writer's)
	}{
		{name: "a flipped byte in the sealed part", tamper: func(t *testing.T, s *Store, path string) {
			editEnvelope(t, path, func(e *envelope) { e.Sealed[len(e.Sealed)/2] ^= 1 })
		}},
		{name: "a flipped byte in the tag", tamper: func(t *testing.T, s *Store, path string) {
			editEnvelope(t, path, func(e *envelope) { e.Sealed[len(e.Sealed)-1] ^= 0x80 })
		}},
		{name: "the expiry made later", tamper: func(t *testing.T, s *Store, path string) {
			editEnvelope(t, path, func(e *envelope) { e.Expires = e.Expires.Add(24 * 3600e9) })
		}},
		{name: "the base key id changed", tamper: func(t *testing.T, s *Store, path string) {
			editEnvelope(t, path, func(e *envelope) { e.BaseKeyID = "AKIAOTHEROTHEREXAMPL" })
		}},
		{name: "truncated", tamper: func(t *testing.T, s *Store, path string) {
			editEnvelope(t, path, func(e *envelope) { e.Sealed = e.Sealed[:8] })
		}},
		{name: "another profile's file swapped in", tamper: func(t *testing.T, s *Store, path string) {
			other := save(t, s, mfaKey("mallory"), testSession(t0.Add(6*3600e9)))
			data, err := os.ReadFile(other)
			if err != nil {
				t.Fatal(err)
			}
			// Even with the readable fields made to match the name.
			var e envelope
			if err := json.Unmarshal(data, &e); err != nil {
				t.Fatal(err)
			}
			e.Profile = "alice"
			data, _ = json.Marshal(&e)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "the same profile's other session swapped in", tamper: func(t *testing.T, s *Store, path string) {
			k := mfaKey("alice")
			k.Parts = []string{"AKIAOTHERKEYEXAMPLE1", exampleSerial}
			other := save(t, s, k, testSession(t0.Add(6*3600e9)))
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "sealed under another data key", key: newKey(9), tamper: func(*testing.T, *Store, string) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sessions")
			w, _ := sealedStore(t, dir, newKey(7))
			key := mfaKey("alice")
			path := save(t, w, key, testSession(t0.Add(6*3600e9)))
			tc.tamper(t, w, path)
			rk := newKey(7)
			if tc.key != nil {
				rk = tc.key
			}
			r, _ := sealedStore(t, dir, rk)
			got, err := r.Load(key)
			if err != nil || got != nil {
				t.Fatalf("Load of a tampered file: %+v, %v; want absent", got, err)
			}
			save(t, r, key, testSession(t0.Add(7*3600e9)))
			if got, err := r.Load(key); err != nil || got == nil || !got.Expiration().Equal(t0.Add(7*3600e9)) {
				t.Fatalf("the replacement does not load: %+v, %v", got, err)
			}
		})
	}
}

func editEnvelope(t *testing.T, path string, edit func(*envelope)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var e envelope
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	edit(&e)
	data, _ = json.Marshal(&e)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSealMigratesPlain: a plain-text session of an earlier version is
// read once and sealed in its place.
func TestSealMigratesPlain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	old, err := Open(dir) // encryption off: what earlier versions wrote
	if err != nil {
		t.Fatal(err)
	}
	key := mfaKey("alice")
	sess := hookedSession()
	path := save(t, old, key, sess)
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), exampleToken) || !strings.Contains(string(data), `"version":1`) {
		t.Fatalf("the plain store did not write the old format: %s", data)
	}

	s, _ := sealedStore(t, dir, newKey(7))
	got, err := s.Load(key)
	if err != nil || got == nil || got.Credentials != sess.Credentials || got.Hooks[0].Set[0].Value != "hvs.EXAMPLEVAULTTOKEN" {
		t.Fatalf("Load of a plain session: %+v, %v", got, err)
	}
	data, _ = os.ReadFile(path)
	for _, secret := range secretsOf(sess) {
		if strings.Contains(string(data), secret) {
			t.Fatalf("the plain session was not replaced: %s", data)
		}
	}
	if names := dirNames(t, dir); len(names) != 2 { // the session and its lock
		t.Errorf("migration left %v", names)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the sealed file has mode %v", fi.Mode())
	}
	again, err := s.Load(key)
	if err != nil || again == nil || again.Credentials != sess.Credentials {
		t.Fatalf("Load of the migrated session: %+v, %v", again, err)
	}
}

// TestSealMigrationWaitsForNoOne: whoever holds the session's lock is
// about to replace it; the plain file is then used as it is and sealed by
// a later Load.
func TestSealMigrationWaitsForNoOne(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	old, _ := Open(dir)
	key := mfaKey("alice")
	path := save(t, old, key, testSession(t0.Add(6*3600e9)))
	s, _ := sealedStore(t, dir, newKey(7))
	unlock, err := old.Lock(context.Background(), key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(key); err != nil || got == nil {
		t.Fatalf("Load while locked: %v, %v", got, err)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), exampleToken) {
		t.Fatalf("migrated under someone else's lock")
	}
	unlock()
	if got, err := s.Load(key); err != nil || got == nil {
		t.Fatalf("Load: %v, %v", got, err)
	}
	if data, _ := os.ReadFile(path); strings.Contains(string(data), exampleToken) {
		t.Fatalf("not migrated once the lock was free")
	}
}

// TestSealKeyError: a secret store that cannot give the data key is an
// error (KeyError, with the fix), never plain text; a missing session
// needs no key.
func TestSealKeyError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	w, _ := sealedStore(t, dir, newKey(7))
	key := mfaKey("alice")
	path := save(t, w, key, testSession(t0.Add(6*3600e9)))
	before, _ := os.ReadFile(path)

	s, keys := sealedStore(t, dir, nil)
	keys.err = errors.New("the keyring is locked")
	if got, err := s.Load(mfaKey("nobody")); err != nil || got != nil || keys.calls != 0 {
		t.Fatalf("Load of no session: %v, %v, %d key requests", got, err, keys.calls)
	}
	var ke *KeyError
	if _, err := s.Load(key); !errors.As(err, &ke) || !strings.Contains(err.Error(), "the keyring is locked") ||
		!strings.Contains(err.Error(), "awsenv_session_encryption = off") {
		t.Fatalf("Load with a failing store: %v", err)
	}
	if err := s.Save(key, testSession(t0.Add(7*3600e9))); !errors.As(err, &ke) {
		t.Fatalf("Save with a failing store: %v", err)
	}
	if err := s.Ready(context.Background()); !errors.As(err, &ke) {
		t.Fatalf("Ready with a failing store: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatalf("a failing store changed the file")
	}

	// A plain file is not read either: migrating it needs the key.
	old, _ := Open(filepath.Join(t.TempDir(), "plain"))
	save(t, old, key, testSession(t0.Add(6*3600e9)))
	s2, k2 := sealedStore(t, old.Dir, nil)
	k2.err = errors.New("no D-Bus session")
	if _, err := s2.Load(key); !errors.As(err, &ke) {
		t.Fatalf("Load of a plain session with a failing store: %v", err)
	}

	// A key of the wrong size is refused.
	s3, _ := sealedStore(t, dir, []byte("short"))
	if _, err := s3.Load(key); !errors.As(err, &ke) || !strings.Contains(err.Error(), "5 bytes") {
		t.Fatalf("Load with a short key: %v", err)
	}
}

// TestEncryptionOff: with no keys (awsenv_session_encryption = off) the
// store writes plain text, and a sealed session counts as absent.
func TestEncryptionOff(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	w, _ := sealedStore(t, dir, newKey(7))
	key := mfaKey("alice")
	path := save(t, w, key, testSession(t0.Add(6*3600e9)))
	off, _ := Open(dir)
	if got, err := off.Load(key); err != nil || got != nil {
		t.Fatalf("Load of a sealed session with encryption off: %v, %v", got, err)
	}
	if got, err := off.Reveal(Entry{Path: path, Sealed: true}); err != nil || got != nil {
		t.Fatalf("Reveal with encryption off: %v, %v", got, err)
	}
	save(t, off, key, testSession(t0.Add(6*3600e9)))
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), exampleToken) {
		t.Fatalf("encryption off wrote %s", data)
	}
}
