package profiles

// Writing a new access key into the shared credentials or config file:
// ReplaceKey, its entry point, and the writing itself (the backup, the
// check that the edit reads back as meant, the atomic replace). Finding
// the keys is in keywrite_locate.go, editing the bytes in keywrite_edit.go.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/awsenv/awsenv/profiles/safefile"
)

// FileKind tells the two shared files apart: they name a profile's section
// differently.
type FileKind int

const (
	// CredentialsFile names sections [NAME].
	CredentialsFile FileKind = iota + 1
	// ConfigFile names sections [profile NAME], and [default].
	ConfigFile
)

func (k FileKind) String() string {
	switch k {
	case CredentialsFile:
		return "credentials file"
	case ConfigFile:
		return "config file"
	}
	return fmt.Sprintf("FileKind(%d)", int(k))
}

// header is how the profile's section is written in a file of this kind.
func (k FileKind) header(profile string) string {
	if k == ConfigFile && profile != "default" {
		return "[profile " + profile + "]"
	}
	return "[" + profile + "]"
}

// KeyFileKind is the kind of the file KeyFile names.
func (p *Profile) KeyFileKind() FileKind {
	if p.CredentialsFile != "" {
		return CredentialsFile
	}
	return ConfigFile
}

// ReplaceOptions are the inputs of ReplaceKey that come from outside.
type ReplaceOptions struct {
	// Now stamps the backup's name. Required.
	Now func() time.Time
	// OldKeyID, when set, is the key being rotated: ReplaceKey refuses a
	// file whose profile holds another key (someone edited it meanwhile).
	OldKeyID string

	// beforeRename runs after the temporary file and the backup are
	// written and checked, just before the rename: tests use it to crash
	// there.
	beforeRename func(tmp string) error
}

// KeyWriteError is a refusal to write a key into a file; the file is left
// exactly as it was.
type KeyWriteError struct {
	Path    string // the file as named, with its target when it is a link
	Profile string
	Problem string
	Fix     string
	Err     error // the cause, when there is one
}

func (e *KeyWriteError) Error() string {
	msg := fmt.Sprintf("cannot write the new key of profile %q into %s: %s", e.Profile, e.Path, e.Problem)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg + "; the file is unchanged. " + e.Fix
}

func (e *KeyWriteError) Unwrap() error { return e.Err }

// Key names as the loader sees them (lower case, like the AWS CLI).
const (
	keyID     = "aws_access_key_id"
	keySecret = "aws_secret_access_key"
)

// ReplaceKey writes id and secret as aws_access_key_id and
// aws_secret_access_key of profile in the file at path, in place: only the
// two values change; every other byte (sections, keys, comments, blank
// lines, spacing, CRLF or LF line ends, a missing final newline) survives.
// A link is followed and its target edited; the link stays a link.
//
// The new file is written with safefile.WriteAtomic (a temporary file
// beside the target, with the target's mode and owner, fsynced), read back
// with the same loader `awsenv use` uses, and renamed over the target. Before the rename the old bytes are
// copied to PATH.awsenv-backup-<UTC time> (mode 0600, never over an existing
// file); ReplaceKey returns that backup's path.
//
// It refuses, changing nothing, a file it cannot edit unambiguously: a
// missing or repeated section or key, session credentials, a value written
// across lines, and ids or secrets outside AWS's alphabet (so nothing such
// as a newline can be injected). Errors are *KeyWriteError (or *NameError
// for a bad profile name) and never hold the secret.
func ReplaceKey(path string, kind FileKind, profile, id string, secret Secret, opts ReplaceOptions) (backup string, err error) {
	if opts.Now == nil {
		return "", errors.New("profiles.ReplaceKey: ReplaceOptions.Now is nil")
	}
	if err := checkNewKey(path, profile, id, secret); err != nil {
		return "", err
	}
	f, edit, err := planFile(path, kind, profile, opts.OldKeyID)
	if err != nil {
		return "", err
	}
	refuse := func(problem, fix string, cause error) error {
		return &KeyWriteError{Path: f.shown, Profile: profile, Problem: problem, Fix: fix, Err: cause}
	}
	// Checked once the new file is on disk, before it replaces the old.
	check := func(tmp string) error {
		if backup, err = writeBackup(path, f.data, opts.Now()); err != nil {
			return refuse("cannot write the backup", fmt.Sprintf("Check that %s is writable by you and has free space.", filepath.Dir(path)), err)
		}
		if err := verifyEdit(kind, profile, backup, tmp, id, secret, false); err != nil {
			return refuse("awsenv would read the edited file differently than intended", fmt.Sprintf(
				"Edit it by hand: set %s and %s under %s.", keyID, keySecret, kind.header(profile)), err)
		}
		if opts.beforeRename != nil {
			if err := opts.beforeRename(tmp); err != nil {
				return refuse("interrupted before replacing it", "Run the command again.", err)
			}
		}
		if same, err := unchanged(f.target, f.data); !same {
			return refuse("it changed while awsenv was editing it", "Check the file, then run the command again.", err)
		}
		return nil
	}
	err = safefile.WriteAtomic(f.target, edit.apply(f.data, id, secret), safefile.WriteOptions{Like: f.info, Check: check})
	if err == nil {
		return backup, nil
	}
	if backup != "" {
		os.Remove(backup) // nothing changed: the backup is noise
	}
	var kw *KeyWriteError
	var we *safefile.WriteError
	switch {
	case errors.As(err, &kw):
		return "", err
	case errors.As(err, &we) && we.Step == safefile.StepRename:
		return "", refuse("cannot replace it", fmt.Sprintf("Check that %s is writable by you.", filepath.Dir(f.target)), we.Err)
	case errors.As(err, &we):
		return "", refuse("cannot write a temporary file beside it", fmt.Sprintf("Check that %s is writable by you and has free space.", filepath.Dir(f.target)), we.Err)
	}
	return "", refuse("interrupted before replacing it", "Run the command again.", err)
}

// CheckReplaceKey tells whether ReplaceKey could write a new key for profile
// into the file at path, without writing anything: a rotation calls it
// before it creates a key it might not be able to store.
func CheckReplaceKey(path string, kind FileKind, profile, oldKeyID string) error {
	if err := ValidateName(profile); err != nil {
		return err
	}
	_, _, err := planFile(path, kind, profile, oldKeyID)
	return err
}

// unchanged reports whether the file at target still holds data, what an
// edit was made from: the writers of the shared files check it last, just
// before the rename, so no one's change in between is lost. err is a read
// that failed.
func unchanged(target string, data []byte) (bool, error) {
	now, _, err := safefile.ReadFile(target, 0, MaxAWSFileSize)
	return err == nil && bytes.Equal(now, data), err
}

// writeBackup copies data to PATH.awsenv-backup-TIME beside path (the name
// the user knows, even when it is a link), never over an existing file.
func writeBackup(path string, data []byte, now time.Time) (string, error) {
	base := path + ".awsenv-backup-" + now.UTC().Format("20060102T150405Z")
	name := base
	for n := 1; ; n++ {
		b, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && n < 1000 {
			name = fmt.Sprintf("%s-%d", base, n)
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = b.Write(data)
		if err == nil {
			err = b.Sync()
		}
		if cerr := b.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(name)
			return "", err
		}
		safefile.SyncDir(filepath.Dir(name))
		return name, nil
	}
}

// verifyEdit loads the old file and the new one with Load and checks that
// they differ in exactly the profile's two keys, which now hold id and
// secret (none when ""). mayAdd allows the profile a section the old file
// lacked (keys written back for a profile that had none).
func verifyEdit(kind FileKind, profile, oldPath, newPath, id string, secret Secret, mayAdd bool) error {
	load := func(path string) (*Config, error) {
		// Load reads both files; "" is a missing file, read as empty.
		if kind == ConfigFile {
			return Load(Files{Config: path})
		}
		return Load(Files{Credentials: path})
	}
	before, err := load(oldPath)
	if err != nil {
		return err
	}
	after, err := load(newPath)
	if err != nil {
		return err
	}
	beforeAll, afterAll := before.all(), after.all()
	p, ok := afterAll[profile]
	if !ok {
		return errors.New("the profile is gone")
	}
	if p.AccessKeyID != id || p.SecretAccessKey != secret || p.SessionToken != "" {
		return errors.New("the profile does not hold exactly the keys meant")
	}
	for name, a := range afterAll {
		b, ok := beforeAll[name]
		if !ok {
			if name == profile && mayAdd {
				continue // a section made for it
			}
			return fmt.Errorf("profile %q appeared", name)
		}
		want, got := withoutPaths(*b), withoutPaths(*a)
		if name == profile {
			want.AccessKeyID, want.SecretAccessKey = id, secret
		}
		if !reflect.DeepEqual(want, got) {
			return fmt.Errorf("profile %q changed", name)
		}
	}
	for name := range beforeAll {
		if _, ok := afterAll[name]; !ok {
			return fmt.Errorf("profile %q is gone", name)
		}
	}
	return nil
}

// withoutPaths hides which file a profile came from (the backup or the
// temporary file), keeping whether it came from one.
func withoutPaths(p Profile) Profile {
	for _, f := range []*string{&p.ConfigFile, &p.CredentialsFile} {
		if *f != "" {
			*f = "set"
		}
	}
	return p
}
