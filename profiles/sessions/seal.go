package sessions

// Sessions at rest: each session file is sealed with AES-256-GCM under a
// data key from the secret store (see Keys), so the secret key, the token
// and the hook answers are never in plain text on disk.

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DataKeySize is the size of the data key: AES-256.
const DataKeySize = 32

// DataKeyName is the data key's item in the secret store.
const DataKeyName = "awsenv:session-key"

// Keys gives the data key that seals session files. The front's chain
// (internal/sessionkey) asks the kernel keyring first and the helper, which
// asks the secret store, on a miss.
type Keys interface {
	DataKey(ctx context.Context) ([]byte, error)
}

// sealedVersion is the version of a sealed session file. Version 1
// (fileVersion) is the plain-text JSON of earlier versions: read once and
// replaced by a sealed one.
const sealedVersion = 2

// envelope is a sealed session file: what `list`, `sessions` and `rotate`
// read without the data key (no secret: the profile, the kind, when it was
// made and expires, and the key ids), and the whole session sealed.
//
//	{"version":2,"profile":"prod","kind":"role","created":"...","expires":"...",
//	 "base_key_id":"AKIA...","access_key_id":"ASIA...","sealed":"BASE64(nonce|ciphertext|tag)"}
//
// The readable fields and the file's name are the associated data: a file
// copied over another's name, or one whose expiry was edited, does not
// open, and counts as absent.
type envelope struct {
	Version     int       `json:"version"`
	Profile     string    `json:"profile"`
	Kind        string    `json:"kind"`
	Created     time.Time `json:"created"`
	Expires     time.Time `json:"expires"`
	BaseKeyID   string    `json:"base_key_id,omitempty"`
	AccessKeyID string    `json:"access_key_id,omitempty"` // the session's own key id (ASIA...), not a secret
	Sealed      []byte    `json:"sealed"`
}

// aad is the associated data of a sealed file named name: its readable
// fields, after the session kind's prefix.
func (e *envelope) aad(name string) []string {
	return []string{strconv.Itoa(e.Version), name, e.Profile, e.Kind,
		strconv.FormatInt(e.Created.UnixNano(), 10), strconv.FormatInt(e.Expires.UnixNano(), 10),
		e.BaseKeyID, e.AccessKeyID}
}

// session is what can be known of a sealed file without opening it.
func (e *envelope) session() Session {
	s := Session{Version: e.Version, Profile: e.Profile, Kind: e.Kind, Created: e.Created, BaseKeyID: e.BaseKeyID}
	s.Credentials.AccessKeyID = e.AccessKeyID
	s.Credentials.Expiration = e.Expires
	return s
}

// errOpen is a sealed file that does not open under the data key: another
// key sealed it, or it was changed or moved. It counts as absent.
var errOpen = errors.New("the session file does not open with the data key")

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != DataKeySize {
		return nil, fmt.Errorf("the data key has %d bytes, not %d", len(key), DataKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// What a sealed blob holds heads its associated data, so a sealed session
// never opens as a record, nor a record as a session, whatever the files'
// names.
const (
	aadSession = "awsenv-session"
	aadRecord  = "awsenv-record"
)

// sealBytes is the one sealing of files at rest (sessions and records):
// plain sealed with AES-256-GCM under key, bound to the associated data
// kind and parts, as nonce|ciphertext|tag.
func sealBytes(key []byte, kind string, plain []byte, parts ...string) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	// A random nonce a write: 2^-32 collision odds only after 2^32 writes
	// under one key, far beyond any person's sessions.
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("make a nonce: %w", err)
	}
	return aead.Seal(nonce, nonce, plain, associated(kind, parts)), nil
}

// openBytes opens what sealBytes sealed with the same kind and parts;
// errOpen when it does not open.
func openBytes(key []byte, kind string, sealed []byte, parts ...string) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(sealed) < n+aead.Overhead() {
		return nil, errOpen
	}
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], associated(kind, parts))
	if err != nil {
		return nil, errOpen
	}
	return plain, nil
}

func associated(kind string, parts []string) []byte {
	return []byte(strings.Join(append([]string{kind}, parts...), "\x00"))
}

// seal makes the sealed file named name for sess.
func seal(key []byte, name string, sess *Session) ([]byte, error) {
	plain, err := json.Marshal(sess)
	if err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	defer clear(plain)
	e := envelope{Version: sealedVersion, Profile: sess.Profile, Kind: sess.Kind, Created: sess.Created,
		Expires: sess.Credentials.Expiration, BaseKeyID: sess.BaseKeyID, AccessKeyID: sess.Credentials.AccessKeyID}
	if e.Sealed, err = sealBytes(key, aadSession, plain, e.aad(name)...); err != nil {
		return nil, err
	}
	return json.Marshal(&e)
}

// open returns the session sealed in e, a file named name; errOpen when it
// does not open or is not what its readable fields say.
func open(key []byte, name string, e *envelope) (*Session, error) {
	plain, err := openBytes(key, aadSession, e.Sealed, e.aad(name)...)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	var s Session
	if err := unmarshalSession(plain, &s); err != nil {
		return nil, errOpen
	}
	if s.Profile != e.Profile || s.Kind != e.Kind || !s.Created.Equal(e.Created) ||
		!s.Credentials.Expiration.Equal(e.Expires) || s.BaseKeyID != e.BaseKeyID || s.Credentials.AccessKeyID != e.AccessKeyID {
		return nil, errOpen
	}
	return &s, nil
}

// KeyError is a data key that could not be had: the secret store failed
// (locked, no D-Bus session, a wrong passphrase, no backend on this OS).
// awsenv never falls back to plain text: the command fails with the
// store's fix, or the way to turn encryption off.
type KeyError struct {
	Err error
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("session encryption: could not get the data key (%s) from the secret store: %v. "+
		"Fix the secret store as the message says; or, to keep sessions in plain text (0600 files) instead, "+
		"set awsenv_session_encryption = off in awsenv's config or AWSENV_SESSION_ENCRYPTION=off.", DataKeyName, e.Err)
}

func (e *KeyError) Unwrap() error { return e.Err }

// dataKey gets the data key once per Store.
type dataKey struct {
	mu  sync.Mutex
	key []byte
}

func (d *dataKey) get(ctx context.Context, keys Keys) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.key != nil {
		return d.key, nil
	}
	k, err := keys.DataKey(ctx)
	if err == nil && len(k) != DataKeySize {
		err = fmt.Errorf("the data key has %d bytes, not %d", len(k), DataKeySize)
	}
	if err != nil {
		var ke *KeyError
		if errors.As(err, &ke) {
			return nil, err
		}
		return nil, &KeyError{Err: err}
	}
	d.key = k
	return k, nil
}

// fileForm is either kind of session file, read in one pass: a sealed
// envelope (version 2) or the plain-text session of earlier versions
// (version 1), which share the names of their common fields.
type fileForm struct {
	Session
	Expires     time.Time `json:"expires"`
	AccessKeyID string    `json:"access_key_id"`
	Sealed      []byte    `json:"sealed"`
}

// decode reads a session file's bytes: a sealed envelope, or the
// plain-text session of earlier versions (plain). ok is false for what is
// neither.
func decode(data []byte) (env *envelope, plain *Session, ok bool) {
	var f fileForm
	if unmarshalFile(data, &f) != nil {
		return nil, nil, false
	}
	switch f.Version {
	case sealedVersion:
		if f.Profile == "" || f.Kind == "" || len(f.Sealed) == 0 {
			return nil, nil, false
		}
		return &envelope{Version: f.Version, Profile: f.Profile, Kind: f.Kind, Created: f.Created, Expires: f.Expires,
			BaseKeyID: f.BaseKeyID, AccessKeyID: f.AccessKeyID, Sealed: f.Sealed}, nil, true
	case fileVersion:
		return nil, &f.Session, true
	}
	return nil, nil, false
}

// encodeSession is sess as its file holds it: sealed when the store has
// keys, else the plain JSON of version 1 (encryption off).
func (s *Store) encodeSession(ctx context.Context, name string, sess *Session) ([]byte, error) {
	if s.Keys == nil {
		sess.Version = fileVersion
		return json.Marshal(sess)
	}
	key, err := s.key.get(ctx, s.Keys)
	if err != nil {
		return nil, err
	}
	sess.Version = fileVersion // the inner session keeps its own format
	data, err := seal(key, name, sess)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSessionSize {
		return nil, fmt.Errorf("the sealed session is %d bytes, over the %d-byte limit of session files; "+
			"a hook answered with too much to cache", len(data), MaxSessionSize)
	}
	return data, nil
}

// Ready gets the data key now, if sessions are sealed: the flow calls it
// before it asks for an MFA code or calls AWS, so a failing secret store
// stops the command before a code is spent, not after.
func (s *Store) Ready(ctx context.Context) error {
	if s.Keys == nil {
		return nil
	}
	_, err := s.key.get(ctx, s.Keys)
	return err
}

// Sealed reports whether the store seals the sessions it writes.
func (s *Store) Sealed() bool { return s.Keys != nil }

// Reveal returns the whole session e lists: a sealed one opened under the
// data key; nil when it is gone or no longer opens (it counts as absent).
func (s *Store) Reveal(e Entry) (*Session, error) {
	if !e.Sealed {
		sess := e.Session
		return &sess, nil
	}
	if s.Keys == nil {
		return nil, nil
	}
	data, err := readPrivate(e.Path, MaxSessionSize)
	if err != nil {
		return nil, nil
	}
	env, _, ok := decode(data)
	if !ok || env == nil {
		return nil, nil
	}
	k, err := s.key.get(context.Background(), s.Keys)
	if err != nil {
		return nil, err
	}
	sess, err := open(k, filepath.Base(e.Path), env)
	if err != nil {
		return nil, nil
	}
	return sess, nil
}
