//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// LockFlags are the open(2) flags for a lock file given to gofrs/flock,
// which opens it again after Open checked it: what replaced it meanwhile
// can neither hang the open (O_NONBLOCK) nor redirect it (O_NOFOLLOW).
const LockFlags = os.O_CREATE | os.O_RDWR | syscall.O_NONBLOCK | syscall.O_NOFOLLOW

// openFile opens path read-only, without blocking, with O_NOFOLLOW for
// NoFollow and O_CREAT (0600) for Create.
func openFile(path string, flags int) (*os.File, error) {
	sys := os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_CLOEXEC | flags&Create
	if flags&NoFollow != 0 {
		sys |= syscall.O_NOFOLLOW
	}
	fd, err := openNoIntr(path, sys)
	if err == nil {
		// A regular file ignores O_NONBLOCK, and the open has returned:
		// cleared before the descriptor becomes an *os.File, which then
		// never asks the network poller for it (an epoll set and an
		// eventfd made for nothing, at every cached run), and no read can
		// ever see EAGAIN. Open refuses what is not a regular file.
		_ = unix.SetNonblock(fd, false)
		return os.NewFile(uintptr(fd), path), nil
	}
	err = &fs.PathError{Op: "open", Path: path, Err: err}
	if flags&NoFollow != 0 && errors.Is(err, syscall.ELOOP) {
		if fi, lerr := os.Lstat(path); lerr == nil {
			return nil, NotRegular(path, fi)
		}
		return nil, &NotRegularError{Path: path, What: "a symbolic link"}
	}
	if errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENXIO) {
		// O_CREAT on a directory, or any open of a socket, fails before
		// there is anything to fstat: name what is there.
		if fi, serr := os.Stat(path); serr == nil && !fi.Mode().IsRegular() {
			return nil, NotRegular(path, fi)
		}
	}
	return nil, err
}

// openNoIntr is open(2), again when a signal interrupts it.
func openNoIntr(path string, flags int) (int, error) {
	for {
		fd, err := unix.Open(path, flags, 0o600)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// Owner is the user and group that own the file fi describes; ok is false
// where the system does not say.
func Owner(fi fs.FileInfo) (uid, gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}

// Links is the number of hard links to the file fi describes, 1 where the
// system does not say.
func Links(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// CanWriteIn tells whether the user may create and rename files in dir
// (access(2) with W_OK|X_OK): a read-only directory or file system shows
// here, before anything is done that could not be undone.
func CanWriteIn(dir string) error {
	return unix.Access(dir, unix.W_OK|unix.X_OK)
}

// privateChecked: on Unix the owner and the mode bits decide who may read
// or change a file, so CheckPrivate and Trusted can check them.
const privateChecked = true
