// Package sessions keeps temporary credentials between awsenv runs, so one
// MFA code serves every shell and role until the session expires.
//
// Each session is one JSON file, 0600, in a 0700 directory, replaced
// atomically, its secrets sealed with AES-256-GCM under a data key from the
// secret store (seal.go; plain text only when encryption is turned off); a
// per-session lock file serialises the processes that want to renew the
// same session, so N shells waiting on one expired session make one STS
// call.
package sessions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/safefile"
)

// Kinds of session.
const (
	KindMFA     = "mfa-session" // GetSessionToken with an MFA code
	KindSession = "session"     // GetSessionToken without MFA
	KindRole    = "role"        // AssumeRole
)

const fileVersion = 1

// Session is one cached set of temporary credentials and what it was made from.
type Session struct {
	Version     int                  `json:"version"`
	Profile     string               `json:"profile"`
	Kind        string               `json:"kind"`
	Credentials profiles.Credentials `json:"credentials"`
	Created     time.Time            `json:"created"`
	BaseKeyID   string               `json:"base_key_id,omitempty"` // the long-term key it was made with
	MFASerial   string               `json:"mfa_serial,omitempty"`
	RoleARN     string               `json:"role_arn,omitempty"`
	Source      string               `json:"source,omitempty"` // the source profile of a role
	// Hooks are the cacheable answers of hook plugins' PostUse for this
	// session (see SaveHooks): reused until the session is replaced.
	Hooks []HookAnswer `json:"hooks,omitempty"`

	// Key is the key the session was loaded or saved under (not stored).
	Key Key `json:"-"`
	// Ephemeral credentials are handed out but never cached: temporary
	// credentials from a credential source, used as they are.
	Ephemeral bool `json:"-"`
}

// HookAnswer is what is known of one hook plugin while the session lasts:
// its cacheable PostUse answer, and whether it serves PreUse.
type HookAnswer struct {
	Hook string `json:"hook"`
	// Request tells the requests apart that the answer is good for (a hash
	// of the hook's options): a changed option asks the plugin again.
	Request  string    `json:"request"`
	Set      []HookVar `json:"set,omitempty"`
	Messages []string  `json:"messages,omitempty"`
	// NoPreUse: the plugin answered PreUse with Unimplemented, so it is
	// not asked again (a plugin that serves PreUse is asked every time).
	NoPreUse bool `json:"no_pre_use,omitempty"`
	// Ask: its PostUse answer was not cacheable, so PostUse is asked every
	// time; the entry only keeps NoPreUse, and Set and Messages are empty.
	Ask bool `json:"ask,omitempty"`
}

// HookVar is a variable a hook set.
type HookVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SaveHooks keeps hook answers with the session under key, if it is still
// the one created at created: a session replaced meanwhile (by another
// awsenv) keeps its own, and these are dropped. Under the session's lock,
// so a renewal in progress is not overwritten.
func (s *Store) SaveHooks(ctx context.Context, key Key, created time.Time, answers []HookAnswer) error {
	unlock, err := s.Lock(ctx, key, nil)
	if err != nil {
		return err
	}
	defer unlock()
	sess, err := s.Load(key)
	if err != nil || sess == nil || !sess.Created.Equal(created) {
		return err
	}
	sess.Hooks = answers
	return s.Save(key, sess)
}

// Expiration is when the credentials stop working.
func (s *Session) Expiration() time.Time { return s.Credentials.Expiration }

// Fresh reports whether the session is still usable for at least margin.
func (s *Session) Fresh(now time.Time, margin time.Duration) bool {
	return s.Credentials.Expiration.After(now.Add(margin))
}

// Key names one cached session: the profile, the kind, and a hash of every
// input that would make different credentials (key id, serial, role...).
type Key struct {
	Profile string
	Kind    string
	Parts   []string
}

// file is the session's file name. Profile names are validated to
// [A-Za-z0-9._+@-], so they are safe in a file name once prefixed.
func (k Key) file() string {
	// FNV, not SHA-256: the hash only tells inputs apart in a directory
	// no one else can write, and crypto's package init would cost every run.
	h := fnv.New64a()
	h.Write([]byte(strings.Join(append([]string{k.Profile, k.Kind}, k.Parts...), "\x00")))
	return fmt.Sprintf("%s.%s.%012x.json", k.Profile, k.Kind, h.Sum64()&(1<<48-1))
}

// Store is the session directory.
type Store struct {
	Dir string
	// Keys gives the data key that seals the session files. Nil writes
	// them in plain text: only when encryption is turned off
	// (awsenv_session_encryption = off), and for the stores that hold no
	// session (the rotate journal).
	Keys Keys
	key  dataKey
}

// Open makes sure the directory exists and is private, and returns the store.
func Open(dir string) (*Store, error) {
	if fi, err := os.Lstat(dir); err == nil {
		// There already (every run but the first): one lstat is the
		// whole check.
		if err := safefile.CheckPrivate(dir, fi, safefile.PrivateDir); err != nil {
			return nil, err
		}
		return &Store{Dir: dir}, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create session directory %s: %w. Check that its parent is writable by you.", dir, err)
	}
	if err := checkPrivate(dir, true); err != nil {
		return nil, err
	}
	return &Store{Dir: dir}, nil
}

// UnsafeError is a session file or directory that others could read or
// own: safefile's one owner and mode check, under the name the commands
// know.
type UnsafeError = safefile.PrivateError

func checkPrivate(path string, dir bool) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	return checkInfo(path, fi, dir)
}

func checkInfo(path string, fi fs.FileInfo, dir bool) error {
	if dir {
		return safefile.CheckPrivate(path, fi, safefile.PrivateDir)
	}
	return safefile.CheckPrivate(path, fi, safefile.PrivateFile)
}

// Load returns the cached session for key, or nil when there is none. A
// corrupt or truncated file counts as none (it is replaced by the next
// Save), and so does a sealed one that does not open (another data key
// sealed it, or it was changed or moved); a file others can read is an
// error, since its secrets may be out, and so is a data key the secret
// store cannot give (KeyError). A plain-text session of an earlier
// version is read once and sealed in its place.
func (s *Store) Load(key Key) (*Session, error) {
	name := key.file()
	path := filepath.Join(s.Dir, name)
	data, err := readPrivate(path, MaxSessionSize)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, safefile.ErrTooLarge) {
		// Too large is corrupt: no session is that big. Save replaces it.
		return nil, nil
	}
	var unsafe *UnsafeError
	if errors.As(err, &unsafe) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("read session file: %w. Check the permissions of %s.", err, s.Dir)
	}
	env, sess, ok := decode(data)
	switch {
	case !ok:
		return nil, nil
	case env != nil && s.Keys == nil:
		// Encryption was turned off: the sealed session is replaced by a
		// plain one.
		return nil, nil
	case env != nil:
		k, err := s.key.get(context.Background(), s.Keys)
		if err != nil {
			return nil, err
		}
		if sess, err = open(k, name, env); err != nil {
			return nil, nil
		}
	}
	if !sess.valid(key) {
		return nil, nil
	}
	if env == nil && s.Keys != nil {
		if err := s.migrate(key, sess, data); err != nil {
			return nil, err
		}
	}
	sess.Key = key
	return sess, nil
}

// migrate seals a plain-text session written by an earlier version, if
// the file still holds data and no one holds its lock (whoever does is
// about to replace it anyway; the next Load migrates it otherwise).
func (s *Store) migrate(key Key, sess *Session, data []byte) error {
	if err := s.Ready(context.Background()); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // try once, never wait
	unlock, err := s.Lock(ctx, key, nil)
	if err != nil {
		return nil
	}
	defer unlock()
	now, err := readPrivate(filepath.Join(s.Dir, key.file()), MaxSessionSize)
	if err != nil || !bytes.Equal(now, data) {
		return nil
	}
	return s.Save(key, sess)
}

// valid: the session is the one asked for, and its credentials pass the
// one credential check (profiles.Credentials.Validate) as of when it was
// made; an invalid one counts as absent, and is replaced.
func (s *Session) valid(key Key) bool {
	c := s.Credentials
	return s.Version == fileVersion && s.Profile == key.Profile && s.Kind == key.Kind &&
		c.SessionToken != "" && !c.Expiration.IsZero() && c.Validate(s.Created) == nil
}

// Save writes the session atomically (safefile.WriteAtomic): readers see
// the old file or the new one, never half of either. It is sealed under
// the data key unless encryption is off (Keys nil).
func (s *Store) Save(key Key, sess *Session) error {
	sess.Profile = key.Profile
	sess.Kind = key.Kind
	sess.Key = key
	name := key.file()
	data, err := s.encodeSession(context.Background(), name, sess)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.Dir, name), data)
}

// writeAtomic replaces path with data through safefile.WriteAtomic, 0600.
func writeAtomic(path string, data []byte) error {
	return safefile.WriteAtomic(path, data, safefile.WriteOptions{})
}

// Lock takes the lock for key (gofrs/flock), waiting while another process
// holds it; onWait is called once if it has to wait. The kernel drops a
// flock when its holder dies, so a killed awsenv never wedges the next one.
//
// The lock file is opened with safefile.Open (O_NONBLOCK, O_NOFOLLOW): a
// FIFO, a directory or a link in its place is refused with the command
// that removes it, instead of hanging in open(2) or being taken for a lock
// someone holds.
func (s *Store) Lock(ctx context.Context, key Key, onWait func()) (unlock func(), err error) {
	path := filepath.Join(s.Dir, strings.TrimSuffix(key.file(), ".json")+".lock")
	unlock, err = safefile.Lock(ctx, path, onWait)
	var notReg *safefile.NotRegularError
	var pe *safefile.PrivateError
	switch {
	case err == nil:
		return unlock, nil
	case errors.As(err, &notReg):
		return nil, &UnsafeError{Path: path, Reason: safefile.WrongKind, Why: "it is " + notReg.What + ", not a lock file", Fix: notReg.Fix("; awsenv makes the lock file again")}
	case errors.As(err, &pe):
		return nil, err
	case errors.Is(err, safefile.ErrReplaced):
		return nil, &UnsafeError{Path: path, Reason: safefile.WrongKind, Why: err.Error(),
			Fix: "Run: rm " + safefile.Quote(path) + "; awsenv makes the lock file again."}
	case ctx.Err() != nil:
		return nil, fmt.Errorf("lock session %s: %w. Another awsenv may be waiting for an MFA code; finish or stop it and try again.", key.Profile, ctx.Err())
	}
	return nil, fmt.Errorf("lock session %s: %s: %w. Check that %s is writable by you, on a file system that takes locks.", key.Profile, path, err, s.Dir)
}

// Entry is a cached session as listed, with its file. A sealed one holds
// only what its file shows without the data key: the profile, the kind,
// when it was made and expires, and the key ids (Reveal opens it).
type Entry struct {
	Session
	Path   string
	Sealed bool
}

// List returns every readable cached session, sorted by profile and kind,
// without opening the sealed ones: the data key is not needed to list.
// Unreadable or foreign files are skipped: listing never fails on them.
func (s *Store) List() ([]Entry, error) {
	paths, err := s.files()
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, p := range paths {
		data, err := readPrivate(p, MaxSessionSize)
		if err != nil {
			continue
		}
		env, plain, ok := decode(data)
		switch {
		case !ok:
			continue
		case env != nil:
			out = append(out, Entry{Session: env.session(), Path: p, Sealed: true})
		case plain.Profile != "":
			out = append(out, Entry{Session: *plain, Path: p})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Profile != out[j].Profile {
			return out[i].Profile < out[j].Profile
		}
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Path < out[j].Path
	})
	return out, nil
}

// Size limits of the files kept here, checked before reading: a session
// is about 1.5 KiB of JSON (the session token is the bulk of it), a
// last-code file under 200 bytes; records (a rotation journal, the list of
// retired keys, which grows by about 80 bytes a rotation) stay far below
// a mebibyte.
const (
	MaxSessionSize  = 64 << 10
	MaxLastCodeSize = 4 << 10
	MaxRecordSize   = 1 << 20
)

// readPrivate reads a file that must be the user's own and private: not a
// symbolic link (O_NOFOLLOW), not a FIFO that would block the open
// (O_NONBLOCK; safefile.Open), passing checkInfo, and at most limit bytes
// (an error wrapping safefile.ErrTooLarge otherwise).
func readPrivate(path string, limit int64) ([]byte, error) {
	f, fi, err := safefile.Open(path, safefile.NoFollow)
	var notReg *safefile.NotRegularError
	if errors.As(err, &notReg) {
		return nil, &UnsafeError{Path: path, Reason: safefile.WrongKind, Why: "it is " + notReg.What + ", not a regular file", Fix: notReg.Fix("")}
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := checkInfo(path, fi, false); err != nil {
		return nil, err
	}
	return safefile.ReadAll(f, fi, limit)
}

// Clear removes the cached sessions of profile, or all of them when profile
// is empty, and returns how many it removed. Corrupt files go too.
func (s *Store) Clear(profile string) (int, error) {
	paths, err := s.files()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range paths {
		if profile != "" && fileProfile(filepath.Base(p)) != profile {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("remove %s: %w", p, err)
		}
		n++
	}
	return n, nil
}

// fileProfile takes the profile name back out of a session file name
// (PROFILE.KIND.HASH.json); profile names may contain dots, kinds do not.
func fileProfile(name string) string {
	parts := strings.Split(strings.TrimSuffix(name, ".json"), ".")
	if len(parts) < 3 {
		return ""
	}
	return strings.Join(parts[:len(parts)-2], ".")
}

// files lists the session files. ReadDir, not Glob: the directory's own
// name may hold pattern characters.
func (s *Store) files() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("read session directory: %w", err)
	}
	var paths []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".json") {
			paths = append(paths, filepath.Join(s.Dir, e.Name()))
		}
	}
	return paths, nil
}
