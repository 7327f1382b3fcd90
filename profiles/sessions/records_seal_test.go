//go:build unix

package sessions

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// journalLike is a record with readable fields and secrets, shaped as the
// rotate journal is.
type journalLike struct {
	Profile string `json:"profile"`
	Step    string `json:"step"`
	NewID   string `json:"new_id"`
	Secret  string `json:"secret,omitempty"` // only in a record of earlier versions
}

type secretsLike struct {
	Old string `json:"old"`
	New string `json:"new"`
}

const (
	recOldSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYOLDSECRETKEY"
	recNewSecret = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbNEWSECRETKEY"
)

func saveJournal(t *testing.T, s *Store) {
	t.Helper()
	err := s.SaveSealed(context.Background(), "alice.journal", journalLike{Profile: "alice", Step: "created", NewID: "AKIANEW"},
		secretsLike{Old: recOldSecret, New: recNewSecret})
	if err != nil {
		t.Fatal(err)
	}
}

// A sealed record keeps its secrets out of the file, its readable fields
// in it, and opens only under the data key that sealed it.
func TestSealedRecordRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rotate")
	s, _ := sealedStore(t, dir, newKey(3))
	saveJournal(t, s)
	data, err := os.ReadFile(filepath.Join(dir, "alice.journal"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{recOldSecret, recNewSecret} {
		if strings.Contains(string(data), secret) {
			t.Fatalf("the record holds a secret in plain text:\n%s", data)
		}
	}
	if !strings.Contains(string(data), `"new_id":"AKIANEW"`) || !strings.Contains(string(data), `"step":"created"`) {
		t.Fatalf("the readable fields are not readable:\n%s", data)
	}
	var j journalLike
	var sec secretsLike
	form, err := s.LoadSealed(context.Background(), "alice.journal", &j, &sec)
	if err != nil || form != RecordSealed || j.NewID != "AKIANEW" || sec.New != recNewSecret || sec.Old != recOldSecret {
		t.Fatalf("LoadSealed = %v, %v, %+v, %+v", form, err, j, sec)
	}

	// Another data key (the store lost the one that sealed it): the
	// readable part is there, the secrets are not.
	other, _ := sealedStore(t, dir, newKey(4))
	j, sec = journalLike{}, secretsLike{}
	_, err = other.LoadSealed(context.Background(), "alice.journal", &j, &sec)
	var ue *UnopenedError
	if !errors.As(err, &ue) || !errors.Is(err, ErrNotOpen) || j.NewID != "AKIANEW" || j.Step != "created" || sec.New != "" {
		t.Fatalf("under another key: %v, %+v, %+v", err, j, sec)
	}
}

// The readable part and the name are bound to the secrets: an edited step
// or a journal copied over another profile's does not open.
func TestSealedRecordTampered(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rotate")
	s, _ := sealedStore(t, dir, newKey(3))
	saveJournal(t, s)
	path := filepath.Join(dir, "alice.journal")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), `"step":"created"`, `"step":"verified"`, 1)
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	var j journalLike
	var sec secretsLike
	if _, err := s.LoadSealed(context.Background(), "alice.journal", &j, &sec); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("an edited step: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bob.journal"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadSealed(context.Background(), "bob.journal", &j, &sec); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("a record under another name: %v", err)
	}
}

// Sessions and records share one sealing, each kind under its own
// associated-data prefix: a blob sealed as one never opens as the other.
func TestSealKindsDoNotCross(t *testing.T) {
	key := newKey(9)
	blob, err := sealBytes(key, aadSession, []byte("x"), "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openBytes(key, aadRecord, blob, "a", "b"); !errors.Is(err, errOpen) {
		t.Fatalf("a session blob opened as a record: %v", err)
	}
	if p, err := openBytes(key, aadSession, blob, "a", "b"); err != nil || string(p) != "x" {
		t.Fatalf("the session blob: %q %v", p, err)
	}
}

// A plain-text record of earlier versions is read whole (so a rotation
// killed under an earlier version is finished), reported as such.
func TestSealedRecordReadsLegacy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rotate")
	s, keys := sealedStore(t, dir, newKey(3))
	legacy, _ := json.Marshal(journalLike{Profile: "alice", Step: "written", NewID: "AKIANEW", Secret: recNewSecret})
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "alice.journal"), legacy, 0o600); err != nil {
		t.Fatal(err)
	}
	var j journalLike
	var sec secretsLike
	form, err := s.LoadSealed(context.Background(), "alice.journal", &j, &sec)
	if err != nil || form != RecordLegacy || j.Secret != recNewSecret || j.Step != "written" {
		t.Fatalf("legacy: %v %v %+v", form, err, j)
	}
	if keys.calls != 0 {
		t.Fatal("reading a plain record asked for the data key")
	}
	if form, err := s.LoadSealed(context.Background(), "none.journal", &j, &sec); form != RecordAbsent || err != nil {
		t.Fatalf("absent: %v %v", form, err)
	}
}

// A failing secret store: saving fails with the store's KeyError before
// anything is written; loading fills the readable part and says why the
// secrets did not open.
func TestSealedRecordKeyError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rotate")
	s, _ := sealedStore(t, dir, newKey(3))
	saveJournal(t, s)
	locked, lk := sealedStore(t, dir, nil)
	lk.err = errors.New("the keyring is locked")
	var ke *KeyError
	if err := locked.SaveSealed(context.Background(), "carol.journal", journalLike{}, secretsLike{}); !errors.As(err, &ke) {
		t.Fatalf("save with a locked store: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "carol.journal")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a record was written without its data key")
	}
	var j journalLike
	var sec secretsLike
	_, err := locked.LoadSealed(context.Background(), "alice.journal", &j, &sec)
	var ue *UnopenedError
	if !errors.As(err, &ue) || !errors.As(err, &ke) || j.NewID != "AKIANEW" {
		t.Fatalf("load with a locked store: %v %+v", err, j)
	}
}

// Session encryption off: the secrets are kept in plain text, as sessions
// are then, and read back; a sealed record is refused with the reason.
func TestSealedRecordEncryptionOff(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rotate")
	sealed, _ := sealedStore(t, dir, newKey(3))
	saveJournal(t, sealed)
	off, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var j journalLike
	var sec secretsLike
	if _, err := off.LoadSealed(context.Background(), "alice.journal", &j, &sec); !strings.Contains(fmtErr(err), "session encryption is off") {
		t.Fatalf("a sealed record with encryption off: %v", err)
	}
	if err := off.SaveSealed(context.Background(), "bob.journal", journalLike{Profile: "bob"}, secretsLike{New: recNewSecret}); err != nil {
		t.Fatal(err)
	}
	form, err := off.LoadSealed(context.Background(), "bob.journal", &j, &sec)
	if err != nil || form != RecordPlain || sec.New != recNewSecret || j.Profile != "bob" {
		t.Fatalf("plain record: %v %v %+v %+v", form, err, j, sec)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
