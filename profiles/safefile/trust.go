package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// Trusted returns nil if only uid and root could have written the file at
// path: the file and every directory above it, up to /, belong to uid or
// root and are not writable by group or others (a directory with the
// sticky bit, like /tmp, may be: no one can replace what it holds for its
// owner). When the path goes through symbolic links, the file they lead to
// and its directories are checked too. This is the test plugin executables
// pass (plugins/discovery), for the files that choose commands awsenv runs.
//
// A missing file is trusted: there is nothing in it. Otherwise the error
// is an *UntrustedError listing each path and its fix.
func Trusted(path string, uid int) error {
	if !privateChecked {
		return fmt.Errorf("%s: %w", path, ErrTrustUnknown)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	var u UntrustedError
	u.Path = path
	if err := u.chain(abs, uid); err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
		if err := u.chain(real, uid); err != nil {
			return err
		}
	}
	if len(u.Issues) == 0 {
		return nil
	}
	return &u
}

// ErrTrustUnknown is Trusted on a system where awsenv cannot yet tell who
// may change a file (Windows: owners and ACLs, not mode bits): nothing is
// trusted there, so no command, plugin or variable a file names is used.
var ErrTrustUnknown = errors.New("awsenv cannot check who may change files on this system yet")

// UntrustedError is a file that someone other than its user (or root)
// could have changed: the file itself or a directory above it.
type UntrustedError struct {
	Path   string
	Issues []Issue
}

// Issue is one path that others could change, and the command that stops it.
type Issue struct {
	Path    string
	Problem string // "is writable by group or others (mode 0666)"
	Fix     string // "chmod go-w PATH"
}

func (e *UntrustedError) Error() string {
	parts := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		parts[i] = is.Path + " " + is.Problem
	}
	return "others could change it: " + strings.Join(parts, "; ")
}

// Fix is the whole command line that makes the path trusted, as a
// sentence.
func (e *UntrustedError) Fix() string {
	cmds := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		cmds[i] = is.Fix
	}
	return "If you trust what is in it, run `" + strings.Join(cmds, " && ") + "` (as root for what is not yours); otherwise remove what others wrote into it first."
}

func (e *UntrustedError) chain(p string, uid int) error {
	for {
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			e.check(p, fi, uid)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return nil
		}
		p = parent
	}
}

func (e *UntrustedError) check(p string, fi fs.FileInfo, uid int) {
	for _, seen := range e.Issues {
		if seen.Path == p {
			return
		}
	}
	var problems, fixes []string
	if owner, _, ok := Owner(fi); ok && owner != uid && owner != 0 {
		problems = append(problems, "belongs to "+userName(owner))
		fixes = append(fixes, fmt.Sprintf("chown %s %s", userName(uid), Quote(p)))
	}
	sticky := fi.IsDir() && fi.Mode()&fs.ModeSticky != 0
	if fi.Mode().Perm()&0o022 != 0 && !sticky {
		problems = append(problems, fmt.Sprintf("is writable by group or others (mode %s)", Mode(fi.Mode())))
		fixes = append(fixes, "chmod go-w "+Quote(p))
	}
	if len(problems) > 0 {
		e.Issues = append(e.Issues, Issue{Path: p, Problem: strings.Join(problems, " and "), Fix: strings.Join(fixes, " && ")})
	}
}

func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return u.Username
	}
	return strconv.Itoa(uid)
}
