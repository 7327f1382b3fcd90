//go:build !unix

package safefile

import (
	"io/fs"
	"os"
)

// LockFlags are the flags for a lock file given to gofrs/flock. There is
// no O_NOFOLLOW or O_NONBLOCK here: Open's Lstat is the only guard.
const LockFlags = os.O_CREATE | os.O_RDWR

// openFile opens path read-only, with O_CREATE (0600) for Create. NoFollow
// is an Lstat before the open: a link swapped in between is not caught.
func openFile(path string, flags int) (*os.File, error) {
	if flags&NoFollow != 0 {
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, NotRegular(path, fi)
		}
	}
	return os.OpenFile(path, os.O_RDONLY|flags&Create, 0o600)
}

// Owner is the user and group that own the file: unknown here.
func Owner(fs.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }

// Links is the number of hard links to the file: unknown here, so 1.
func Links(fs.FileInfo) uint64 { return 1 }

// CanWriteIn cannot ask the system beforehand here; the write itself
// fails if the directory does not take it.
func CanWriteIn(string) error { return nil }

// privateChecked: here ACLs decide who may read or change a file, and
// awsenv cannot read them yet, so CheckPrivate and Trusted refuse.
const privateChecked = false
