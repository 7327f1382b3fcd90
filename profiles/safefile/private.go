package safefile

import (
	"fmt"
	"io/fs"
	"os"
)

// Private says what CheckPrivate asks of a path.
type Private int

const (
	// PrivateFile: a regular file of the user's, 0600 or stricter.
	PrivateFile Private = iota + 1
	// PrivateDir: a directory of the user's, 0700 or stricter.
	PrivateDir
	// OwnFile: a regular file of the user's, whatever its mode (the AWS
	// CLI's token files, which older CLIs wrote 0644: awsenv makes them
	// 0600 when it writes them).
	OwnFile
	// OwnDir: a directory of the user's, whatever its mode.
	OwnDir
)

// Reason is what CheckPrivate found wrong.
type Reason int

const (
	// WrongKind: not a regular file, or not a directory.
	WrongKind Reason = iota + 1
	// NotOwned: someone else owns it.
	NotOwned
	// OpenMode: group or others may read or enter it.
	OpenMode
	// Unchecked: this system cannot tell who may read it (see the
	// package comment).
	Unchecked
)

// PrivateError is a file or directory that holds, or will hold, secrets
// and is not the user's alone. Fix is a sentence with the command that
// mends it; callers may replace it with one that fits their file better.
type PrivateError struct {
	Path   string
	Reason Reason
	Why    string // "its mode 0644 lets other users in"
	Fix    string // "Run: chmod 600 PATH"
}

func (e *PrivateError) Error() string {
	return fmt.Sprintf("refusing to use %s: %s. %s", e.Path, e.Why, e.Fix)
}

// CheckPrivate checks the file at path, whose Lstat (or fstat of the open
// file) is fi, against want: the kind of file, its owner (the user running
// awsenv), and for PrivateFile and PrivateDir that group and others have
// no access. The error is a *PrivateError.
func CheckPrivate(path string, fi fs.FileInfo, want Private) error {
	dir := want == PrivateDir || want == OwnDir
	if dir && !fi.IsDir() {
		fix := fmt.Sprintf("Remove it (rm %s) so awsenv can create the directory.", Quote(path))
		if !NotRegular(path, fi).Removable {
			fix = fmt.Sprintf("%s is not a file to remove: point the variable or setting that named it at a directory of yours.", Quote(path))
		}
		return &PrivateError{Path: path, Reason: WrongKind, Why: "it is " + Kind(fi.Mode()) + ", not a directory", Fix: fix}
	}
	if !dir && !fi.Mode().IsRegular() {
		e := NotRegular(path, fi)
		return &PrivateError{Path: path, Reason: WrongKind, Why: "it is " + e.What + ", not a regular file", Fix: e.Fix("")}
	}
	if !privateChecked {
		return &PrivateError{Path: path, Reason: Unchecked, Why: "awsenv cannot yet tell on this system who may read it",
			Fix: "Keep awsenv's sessions and tokens on a Unix system (macOS, Linux, BSD) for now."}
	}
	if uid, _, ok := Owner(fi); ok && uid != os.Getuid() {
		return &PrivateError{Path: path, Reason: NotOwned, Why: fmt.Sprintf("it is owned by uid %d, not you", uid),
			Fix: fmt.Sprintf("Remove it, or take it back: chown %d %s", os.Getuid(), Quote(path))}
	}
	if want == PrivateFile || want == PrivateDir {
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			mode := "600"
			if dir {
				mode = "700"
			}
			return &PrivateError{Path: path, Reason: OpenMode, Why: fmt.Sprintf("its mode %s lets other users in", Mode(fi.Mode())),
				Fix: fmt.Sprintf("Run: chmod %s %s", mode, Quote(path))}
		}
	}
	return nil
}
