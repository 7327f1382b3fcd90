package safefile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// WriteOptions say how WriteAtomic makes the new file.
type WriteOptions struct {
	// Like is the file being replaced, when the new one keeps its mode and
	// owner (a credentials file the user made). Without it the new file is
	// private: 0600.
	Like fs.FileInfo
	// Check, when set, runs once the temporary file is complete and on
	// disk, just before it replaces the file. An error stops the write,
	// leaving the file as it was, and is returned as it is.
	Check func(tmp string) error
}

// WriteError is a write that failed; the file at Path is as it was.
type WriteError struct {
	Path string
	Step string // "create a temporary file", "write", "replace it"
	Err  error
}

func (e *WriteError) Error() string {
	dir := filepath.Dir(e.Path)
	fix := fmt.Sprintf("Check that %s is writable by you.", dir)
	if e.Step == StepWrite {
		fix = fmt.Sprintf("Check free space in %s.", dir)
	}
	return fmt.Sprintf("save %s: %s: %v. %s", e.Path, e.Step, e.Err, fix)
}

func (e *WriteError) Unwrap() error { return e.Err }

// The steps of WriteAtomic, as WriteError.Step names them.
const (
	StepCreate = "create a temporary file"
	StepWrite  = "write"
	StepRename = "replace it"
)

// WriteAtomic replaces the file at path with data, so that a reader (the
// AWS CLI among them), a crash or a full disk sees the old file or the new
// one, never half of either: a temporary file in the same directory
// (.NAME.awsenv-*.tmp), 0600 or as opts.Like, written and fsynced, renamed
// over path, then the directory fsynced so the rename lasts. On any
// failure the temporary file is removed and path is untouched. path is
// replaced as a name: a symbolic link there is replaced, not followed.
//
// Every file awsenv replaces goes through here: sessions, rotate records
// and last codes (profiles/sessions), the SSO token cache and client
// registrations (profiles/ssocache), the credentials file a rotation
// edits (profiles.ReplaceKey), and the config file `sso populate` edits
// (profiles.Populate.Write).
func WriteAtomic(path string, data []byte, opts WriteOptions) error {
	dir, base := filepath.Dir(path), filepath.Base(path)
	tmp, err := os.CreateTemp(dir, "."+base+".awsenv-*.tmp")
	if err != nil {
		return &WriteError{Path: path, Step: StepCreate, Err: err}
	}
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(tmp.Name())
		}
	}()
	mode := fs.FileMode(0o600)
	if opts.Like != nil {
		mode = opts.Like.Mode().Perm()
	}
	err = tmp.Chmod(mode)
	if err == nil && opts.Like != nil {
		err = chownLike(tmp, opts.Like)
	}
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &WriteError{Path: path, Step: StepWrite, Err: err}
	}
	if opts.Check != nil {
		if err := opts.Check(tmp.Name()); err != nil {
			return err
		}
	}
	if err := injected(dir); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return &WriteError{Path: path, Step: StepRename, Err: err}
	}
	renamed = true
	SyncDir(dir)
	return nil
}

// chownLike gives f the owner and group of like, when the system says
// them and they differ (root rotating a key in another user's file).
func chownLike(f *os.File, like fs.FileInfo) error {
	uid, gid, ok := Owner(like)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if nu, ng, ok := Owner(fi); ok && (nu != uid || ng != gid) {
		return f.Chown(uid, gid)
	}
	return nil
}

// SyncDir makes a rename or a new file in dir durable. A failure loses
// nothing that was not already at risk, so it is not reported.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// faults are the directories where WriteAtomic fails on purpose, for
// tests (InjectFault).
var faults struct {
	sync.Mutex
	byDir map[string]error
}

// InjectFault makes every WriteAtomic into dir fail with err just before
// its rename, as a crash there would, until the returned function is
// called. It is for tests, of this package and of every package that
// writes files: a writer that does not go through WriteAtomic shows by
// replacing its file all the same. Directories are told apart, so tests
// that use their own temporary directories can run in parallel.
func InjectFault(dir string, err error) (remove func()) {
	faults.Lock()
	defer faults.Unlock()
	if faults.byDir == nil {
		faults.byDir = map[string]error{}
	}
	faults.byDir[filepath.Clean(dir)] = err
	return func() {
		faults.Lock()
		defer faults.Unlock()
		delete(faults.byDir, filepath.Clean(dir))
	}
}

func injected(dir string) error {
	faults.Lock()
	defer faults.Unlock()
	return faults.byDir[filepath.Clean(dir)]
}
