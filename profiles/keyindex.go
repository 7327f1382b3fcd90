package profiles

// The key index: which profiles keep their long-term key in awsenv's
// secret store, with the key's id (never its secret) and the backend that
// holds it. Resolving a profile reads it, not the store, so the cached
// path never starts the helper or talks to D-Bus; the store is asked only
// when a new session must be made.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/awsenv/awsenv/profiles/credshape"
	"github.com/awsenv/awsenv/profiles/safefile"
)

// StoredKey is a profile's long-term key as the index knows it.
type StoredKey struct {
	KeyID   string    `json:"key_id"`
	Backend string    `json:"backend"` // the secret store's backend that holds it
	Stored  time.Time `json:"stored,omitzero"`
}

// keyIndexFile is the index's JSON.
type keyIndexFile struct {
	Version int                  `json:"version"`
	Keys    map[string]StoredKey `json:"keys"`
}

// maxKeyIndexSize bounds the index: a few hundred bytes a profile.
const maxKeyIndexSize = 4 << 20

// LoadKeyIndex reads the index at path; a missing file is an empty index.
// It must be the user's own 0600 file (safefile.CheckPrivate): it decides
// which profiles read their keys from the store.
func LoadKeyIndex(path string) (map[string]StoredKey, error) {
	data, fi, err := safefile.ReadFile(path, 0, maxKeyIndexSize)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]StoredKey{}, nil
	}
	fail := func(err error, fix string) (map[string]StoredKey, error) {
		return nil, &FileError{Path: path, Err: err, Fix: fix}
	}
	if err != nil {
		return fail(err, "Check that awsenv's key index is a file you can read; `awsenv keys list` rebuilds nothing, so restore it or remove it and run `awsenv keys import` again.")
	}
	if err := safefile.CheckPrivate(path, fi, safefile.PrivateFile); err != nil {
		return fail(err, "awsenv's key index says which profiles take their keys from the keyring; it must be yours alone.")
	}
	var f keyIndexFile
	if err := json.Unmarshal(data, &f); err != nil {
		return fail(err, "The key index is damaged: remove it and run `awsenv keys import --all` or `awsenv keys add PROFILE` again.")
	}
	if f.Keys == nil {
		f.Keys = map[string]StoredKey{}
	}
	for name, k := range f.Keys {
		if ValidateName(name) != nil || !credshape.KeyID(k.KeyID) {
			return fail(fmt.Errorf("entry %q is not a profile and an access key id", name),
				"The key index is damaged: remove it and run `awsenv keys add PROFILE` again for each profile.")
		}
	}
	return f.Keys, nil
}

// UpdateKeyIndex sets (k != nil) or removes (k == nil) profile's entry in
// the index at path, written atomically (safefile.WriteAtomic, 0600, in a
// 0700 directory).
func UpdateKeyIndex(path, profile string, k *StoredKey) error {
	idx, err := LoadKeyIndex(path)
	if err != nil {
		return err
	}
	if k == nil {
		if _, ok := idx[profile]; !ok {
			return nil
		}
		delete(idx, profile)
	} else {
		idx[profile] = *k
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w. Check that it can be created by you.", filepath.Dir(path), err)
	}
	data, err := json.MarshalIndent(keyIndexFile{Version: 1, Keys: idx}, "", "  ")
	if err != nil {
		return err
	}
	return safefile.WriteAtomic(path, append(data, '\n'), safefile.WriteOptions{})
}

// StoredProfiles are the index's profile names, sorted.
func StoredProfiles(idx map[string]StoredKey) []string {
	names := make([]string, 0, len(idx))
	for n := range idx {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// storedLocked looks profile up in the index, read once per Config. The
// caller holds c.mu.
func (c *Config) storedLocked(profile string) (StoredKey, bool) {
	if c.Files.KeyIndex == "" {
		return StoredKey{}, false
	}
	if !c.indexRead {
		c.index2, c.indexErr = LoadKeyIndex(c.Files.KeyIndex)
		c.indexRead = true
	}
	k, ok := c.index2[profile]
	return k, ok
}

// KeyPlace names where the profile's long-term key is kept, for messages:
// the file, or the keyring.
func (p *Profile) KeyPlace() string {
	if p.Stored != nil {
		return fmt.Sprintf("awsenv's keyring (%s)", p.Stored.Backend)
	}
	return p.KeyFile()
}
