package sessions

import (
	"bytes"
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
	if err := checkRecordName(name); err != nil {
		return false, err
	}
	path := filepath.Join(s.Dir, name)
	data, err := readPrivate(path, MaxRecordSize)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	aside := fmt.Sprintf("move the file aside (mv %s %s.broken) and try again.", safefile.Quote(path), safefile.Quote(path))
	if errors.Is(err, safefile.ErrTooLarge) {
		return true, &profiles.FileError{Path: path, Err: err, Fix: "No record awsenv writes is that large: " + aside}
	}
	if err != nil {
		return false, err
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(v); err != nil {
		return true, &profiles.FileError{Path: path, Err: err, Fix: "It is not what awsenv wrote: " + aside}
	}
	return true, nil
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
