package sessions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/safefile"
)

// Records are small private JSON files kept beside sessions (or in a store
// of their own): the rotate journal, the list of retired keys. They get the
// same care as session files: 0600, atomic, refused when others can read them.

// SaveRecord writes v as JSON to name in the store, atomically.
func (s *Store) SaveRecord(name string, v any) error {
	if err := checkRecordName(name); err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return writeAtomic(filepath.Join(s.Dir, name), data)
}

// LoadRecord reads name into v and reports whether it existed. A record
// that does not parse is an error: unlike a session, it cannot be remade.
func (s *Store) LoadRecord(name string, v any) (bool, error) {
	data, found, err := s.readRecord(name)
	if err != nil || !found {
		return found, err
	}
	return true, s.decodeRecord(name, data, v)
}

// readRecord reads the bytes of the record name; found is false when
// there is none.
func (s *Store) readRecord(name string) (data []byte, found bool, err error) {
	if err := checkRecordName(name); err != nil {
		return nil, false, err
	}
	path := filepath.Join(s.Dir, name)
	data, err = readPrivate(path, MaxRecordSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if errors.Is(err, safefile.ErrTooLarge) {
		return nil, true, &profiles.FileError{Path: path, Err: err, Fix: "No record awsenv writes is that large: " + moveAside(path)}
	}
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

func (s *Store) decodeRecord(name string, data []byte, v any) error {
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(v); err != nil {
		path := filepath.Join(s.Dir, name)
		return &profiles.FileError{Path: path, Err: err, Fix: "It is not what awsenv wrote: " + moveAside(path)}
	}
	return nil
}

func moveAside(path string) string {
	return fmt.Sprintf("move the file aside (mv %s %s.broken) and try again.", safefile.Quote(path), safefile.Quote(path))
}

// Records that hold secrets (the rotate journal) are kept in two parts: a
// readable one (key ids, the step: what a person needs to recover by hand
// when the data key is lost) and the secrets, sealed under the sessions'
// data key by the same sealing as sessions (sealBytes), with the record's
// name and its readable part as associated data.
//
//	{"format":"awsenv-record/2","readable":{...},"sealed":"BASE64(nonce|ciphertext|tag)"}
//
// With session encryption off (no Keys) the secrets are kept in plain
// text under "plain", as sessions are then.
const sealedRecordFormat = "awsenv-record/2"

type recordFile struct {
	Format   string          `json:"format"`
	Readable json.RawMessage `json:"readable"`
	Sealed   []byte          `json:"sealed,omitempty"`
	Plain    json.RawMessage `json:"plain,omitempty"`
}

// RecordForm says how LoadSealed found a record.
type RecordForm int

const (
	RecordAbsent RecordForm = iota
	RecordSealed            // the secrets sealed under the data key
	RecordPlain             // written with session encryption off: the secrets in plain text
	RecordLegacy            // the plain JSON of earlier versions, read whole into readable: save it again
)

// ErrNotOpen is a sealed record whose secrets do not open under the data
// key: the key that sealed it is gone from the secret store (or was
// replaced), or the file was changed.
var ErrNotOpen = errors.New("its secrets are sealed under a data key that is no longer in the secret store, or the file was changed")

// UnopenedError is a sealed record whose readable part was read but whose
// secrets could not be opened: Err is a *KeyError (no data key could be
// had), ErrNotOpen, or session encryption being off.
type UnopenedError struct {
	Path string
	Err  error
}

func (e *UnopenedError) Error() string {
	return fmt.Sprintf("the record %s could not be opened: %v", e.Path, e.Err)
}

func (e *UnopenedError) Unwrap() error { return e.Err }

// SaveSealed writes the record name, atomically: readable as it is, and
// secret sealed under the data key (in plain text when encryption is off).
func (s *Store) SaveSealed(ctx context.Context, name string, readable, secret any) error {
	if err := checkRecordName(name); err != nil {
		return err
	}
	r, err := json.Marshal(readable)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	plain, err := json.Marshal(secret)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	defer clear(plain)
	f := recordFile{Format: sealedRecordFormat, Readable: r}
	if s.Keys == nil {
		f.Plain = plain
	} else {
		key, err := s.key.get(ctx, s.Keys)
		if err != nil {
			return err
		}
		if f.Sealed, err = sealBytes(key, aadRecord, plain, name, string(r)); err != nil {
			return err
		}
	}
	data, err := json.Marshal(&f)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return writeAtomic(filepath.Join(s.Dir, name), data)
}

// LoadSealed reads the record name that SaveSealed wrote into readable and
// secret. A record of earlier versions (one plain JSON value) is decoded
// whole into readable, as RecordLegacy: the caller saves it again, sealed.
// When the secrets do not open, readable is filled and the error is an
// *UnopenedError.
func (s *Store) LoadSealed(ctx context.Context, name string, readable, secret any) (RecordForm, error) {
	data, found, err := s.readRecord(name)
	if err != nil || !found {
		return RecordAbsent, err
	}
	var f recordFile
	if json.Unmarshal(data, &f) != nil || f.Format != sealedRecordFormat {
		return RecordLegacy, s.decodeRecord(name, data, readable)
	}
	if err := s.decodeRecord(name, f.Readable, readable); err != nil {
		return RecordSealed, err
	}
	path := filepath.Join(s.Dir, name)
	if len(f.Sealed) == 0 {
		return RecordPlain, s.decodeRecord(name, f.Plain, secret)
	}
	if s.Keys == nil {
		return RecordSealed, &UnopenedError{Path: path, Err: errors.New("session encryption is off, and this record was sealed while it was on")}
	}
	key, err := s.key.get(ctx, s.Keys)
	if err != nil {
		return RecordSealed, &UnopenedError{Path: path, Err: err}
	}
	plain, err := openBytes(key, aadRecord, f.Sealed, name, string(f.Readable))
	if err != nil {
		return RecordSealed, &UnopenedError{Path: path, Err: ErrNotOpen}
	}
	defer clear(plain)
	if err := json.Unmarshal(plain, secret); err != nil {
		return RecordSealed, &UnopenedError{Path: path, Err: ErrNotOpen}
	}
	return RecordSealed, nil
}

// RemoveRecord deletes name; a missing record is not an error.
func (s *Store) RemoveRecord(name string) error {
	if err := checkRecordName(name); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(s.Dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", filepath.Join(s.Dir, name), err)
	}
	return nil
}

// RecordPath is where name lives, for messages.
func (s *Store) RecordPath(name string) string { return filepath.Join(s.Dir, name) }

func checkRecordName(name string) error {
	if name == "" || strings.ContainsAny(name, "/\x00") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".json") {
		return fmt.Errorf("bad record name %q", name)
	}
	return nil
}

// ClearBuiltOn removes every cached session made with the long-term key
// keyID (sessions of its profile and roles assumed on top of them), and
// returns how many it removed.
func (s *Store) ClearBuiltOn(keyID string) (int, error) {
	if keyID == "" {
		return 0, nil
	}
	entries, err := s.List()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if e.BaseKeyID != keyID {
			continue
		}
		if err := os.Remove(e.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("remove %s: %w", e.Path, err)
		}
		n++
	}
	return n, nil
}

// Delete removes the cached session under key, if any.
func (s *Store) Delete(key Key) error {
	if err := os.Remove(filepath.Join(s.Dir, key.file())); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove session %s: %w", key.Profile, err)
	}
	return nil
}
