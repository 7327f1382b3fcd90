// Package safefile holds the rules awsenv keeps for the files it reads,
// writes or locks, each in one place:
//
//   - Open and ReadFile: open without ever blocking, within a size limit.
//     A FIFO in place of a config file or a lock file would hang open(2)
//     until a writer came, with no way for Ctrl-C to help (awsenv lets the
//     default signal action end it, but a hung open is a hung prompt).
//     Every open adds O_NONBLOCK, then checks the descriptor it got with
//     fstat: anything but a regular file is refused with an error that
//     says what it is and how to mend it (NotRegular: removed only when
//     it is the user's own mistake, never a device or a pipe of the shell). O_NONBLOCK is then cleared, so
//     reads behave as usual.
//   - WriteAtomic (write.go): the one way a file is replaced: a temporary
//     file beside it, fsynced, renamed over it, the directory fsynced;
//     private (0600) or with the mode and owner of the file it replaces.
//   - CheckPrivate (private.go): the one owner and mode check for files
//     that hold secrets (sessions, the SSO token cache, rotate records).
//   - Trusted (trust.go): whether only the user (or root) could have
//     written a file that chooses what awsenv runs.
//
// What the operating system decides is in sys_unix.go and sys_other.go.
// Elsewhere than Unix (Windows), awsenv cannot yet tell who owns a file or
// who may read it (Go reports no owner, and the mode bits do not describe
// the ACL that decides): CheckPrivate refuses every file with an
// *PrivateError saying so, NoFollow is an Lstat before the open (a link
// swapped in between is not caught), and the open cannot be non-blocking.
// WriteAtomic works there, without the owner.
//
// The package is a leaf: profiles, profiles/sessions, profiles/ssocache,
// internal/doctor and the commands use it, and it imports nothing of
// awsenv's.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/awsenv/awsenv/shell/shellquote"
)

// Flags for Open.
const (
	// NoFollow refuses a symbolic link as the last part of the path
	// (O_NOFOLLOW): for files awsenv keeps itself, where a link is
	// someone else's doing. A bit of awsenv's own, not an os.O_ flag.
	NoFollow = 1 << 30
	// Create makes the file, 0600, if it is missing (for lock files).
	Create = os.O_CREATE
)

// Open opens path read-only without blocking and returns it with its
// fstat. flags may add NoFollow and Create. The null device (/dev/null) is
// accepted and reads as an empty file, as people point AWS_CONFIG_FILE at
// it to mean "no config"; any other non-regular file is a *NotRegularError.
// A symbolic link refused by NoFollow is a *NotRegularError too, saying so.
func Open(path string, flags int) (*os.File, fs.FileInfo, error) {
	f, err := openFile(path, flags&(NoFollow|Create))
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() && !isNull(fi) {
		f.Close()
		return nil, nil, NotRegular(path, fi)
	}
	return f, fi, nil
}

func isNull(fi fs.FileInfo) bool {
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

// ErrTooLarge is wrapped by the errors of files over their size limit.
var ErrTooLarge = errors.New("file too large")

// TooLargeError is a file over its size limit. Size is -1 when the file
// grew past the limit while it was read.
type TooLargeError struct {
	Path  string
	Size  int64
	Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s holds more than %s, the limit", e.Path, Size(e.Limit))
	}
	return fmt.Sprintf("%s is %s (%d bytes), over the limit of %s", e.Path, Size(e.Size), e.Size, Size(e.Limit))
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// ReadFile reads the whole regular file at path, of at most limit bytes:
// the size is checked before reading, and the read stops one byte past the
// limit, so a file that grows meanwhile cannot get past it either.
func ReadFile(path string, flags int, limit int64) ([]byte, fs.FileInfo, error) {
	f, fi, err := Open(path, flags)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := ReadAll(f, fi, limit)
	return data, fi, err
}

// ReadAll reads f, opened by Open with fstat fi, up to limit bytes.
func ReadAll(f *os.File, fi fs.FileInfo, limit int64) ([]byte, error) {
	size := int64(0)
	if fi.Mode().IsRegular() {
		size = fi.Size()
	}
	if size > limit {
		return nil, &TooLargeError{Path: f.Name(), Size: size, Limit: limit}
	}
	buf := make([]byte, 0, size+1) // +1: EOF is seen without growing
	r := io.LimitReader(f, limit+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(buf)) > limit {
		return nil, &TooLargeError{Path: f.Name(), Size: -1, Limit: limit}
	}
	return buf, nil
}

// NotRegularError is a path that holds something other than a regular
// file: a FIFO, a directory, a device, a socket, or (with NoFollow) a
// symbolic link. Build it with NotRegular, which decides whether the fix
// may remove what is there.
type NotRegularError struct {
	Path string
	What string // "a FIFO (named pipe)", "a directory", ...
	// Removable: the path is the user's own entry, in a directory of
	// theirs, so removing it harms nothing of the system or the shell (see
	// NotRegular). Link: the path is a symbolic link to what is described,
	// and removing it removes the link only.
	Removable, Link bool
	// Setting names what pointed awsenv at Path (AWS_SHARED_CREDENTIALS_FILE,
	// ...), when the caller knows; the fix then says to point it back.
	Setting string
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, e.What)
}

// Fix is the sentence that mends the path. When the path is the user's to
// remove, it is removed and then (the caller's clause, with its own
// punctuation, such as ", then put the file you meant there" or "; awsenv
// makes the lock file again") follows. Otherwise (a device, anything under
// /dev, /proc or /sys such as a pipe of the shell, or an entry in a
// directory that is not the user's) nothing is to be removed: the fix is
// to point Setting back at a regular file, and then is not used.
func (e *NotRegularError) Fix(then string) string {
	q := Quote(e.Path)
	switch {
	case !e.Removable && e.Setting != "":
		return fmt.Sprintf("%s is not a file to remove: point %s back at a regular file (or unset it, for its default).", q, e.Setting)
	case !e.Removable:
		return fmt.Sprintf("%s is not a file to remove: point the variable or setting that named it back at a regular file.", q)
	case e.Link:
		return fmt.Sprintf("Remove the link (rm %s; what it points at stays)%s.", q, then)
	case e.What == "a directory":
		return fmt.Sprintf("Remove it (rmdir %s if it is empty, else mv %s %s.aside)%s.", q, q, q, then)
	}
	return fmt.Sprintf("Remove it (rm %s)%s.", q, then)
}

// NotRegular is the error for path, whose fstat (or Lstat) is fi. It is
// Removable only when removing the path harms nothing but a mistake of the
// user's: a link, FIFO, socket or directory the user owns, in a directory
// the user owns that others cannot write, outside /dev, /proc and /sys.
// A device never is, nor /dev/stdin (a pipe of the shell), nor a FIFO in
// /tmp.
func NotRegular(path string, fi fs.FileInfo) *NotRegularError {
	e := &NotRegularError{Path: path, What: Kind(fi.Mode())}
	lfi, err := os.Lstat(path)
	if err != nil {
		return e
	}
	e.Link = lfi.Mode()&fs.ModeSymlink != 0 && fi.Mode()&fs.ModeSymlink == 0
	if !e.Link && lfi.Mode()&(fs.ModeDevice|fs.ModeCharDevice) != 0 {
		return e
	}
	e.Removable = ownEntry(path, lfi)
	return e
}

// ownEntry: the entry at path (Lstat lfi) is the user's, and so is the
// directory it sits in, resolved through links, which others cannot write.
func ownEntry(path string, lfi fs.FileInfo) bool {
	abs, err := filepath.Abs(path)
	if err != nil || systemPath(abs) {
		return false
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil || systemPath(dir) {
		return false
	}
	dfi, err := os.Stat(dir)
	if err != nil || dfi.Mode().Perm()&0o002 != 0 {
		return false
	}
	uid := os.Getuid()
	for _, fi := range []fs.FileInfo{lfi, dfi} {
		if owner, _, ok := Owner(fi); ok && owner != uid {
			return false
		}
	}
	return true
}

// systemPath: under /dev, /proc or /sys, where entries are the system's
// and the shell's (/dev/stdin, /dev/fd/63, /proc/self/fd/0), never files
// to remove.
func systemPath(abs string) bool {
	for _, p := range []string{"/dev", "/proc", "/sys"} {
		if abs == p || strings.HasPrefix(abs, p+"/") {
			return true
		}
	}
	return false
}

// Kind names a file type for people.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "an unusual file (" + m.Type().String() + ")"
}

// Mode prints a file's permission bits the way chmod takes them, with the
// setuid, setgid and sticky bits: 0600, 0755, 1777 (/tmp).
func Mode(m fs.FileMode) string {
	n := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		n |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		n |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		n |= 0o1000
	}
	return fmt.Sprintf("%04o", n)
}

// Size prints a size in MiB, KiB or bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Quote writes s for a POSIX shell, only when it needs it, so a fix can be
// pasted as it is.
func Quote(s string) string { return shellquote.Word(s) }
