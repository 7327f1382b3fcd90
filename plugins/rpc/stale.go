package rpc

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/awsenv/awsenv/profiles/safefile"
)

// staleAge is how old a leftover socket directory must be before it is
// removed: every plugin has connected long before (the start takes at
// most StartTimeout), and one still listening is kept whatever its age.
const staleAge = time.Minute

// cleaned records the socket directories already cleaned by this process.
var cleaned sync.Map

// CleanSocketDirs removes what killed runs left in base (a SocketDir): the
// directories go-plugin names plugin-dirNNN, when they belong to this
// user, are real directories (never a symbolic link, never followed), are
// older than a minute and hold no socket that still accepts a connection
// (its plugin is gone). It works once per base and process, and reports
// nothing: a directory it cannot remove is left for the next run.
func CleanSocketDirs(base string) {
	if base == "" {
		return
	}
	if _, done := cleaned.LoadOrStore(base, true); done {
		return
	}
	uid := os.Getuid()
	if fi, err := os.Lstat(base); err != nil || !fi.IsDir() || !ownedBy(fi, uid) {
		return // not ours to tidy (Launch refuses it with the fix)
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "plugin-dir") || e.Type()&os.ModeSymlink != 0 || !e.IsDir() {
			continue
		}
		dir := filepath.Join(base, e.Name())
		fi, err := os.Lstat(dir)
		if err != nil || !fi.IsDir() {
			continue
		}
		if !ownedBy(fi, uid) || time.Since(fi.ModTime()) < staleAge || listening(dir) {
			continue
		}
		_ = os.RemoveAll(dir) // removes links inside, never what they point to
	}
}

// listening reports whether a socket in dir accepts a connection: a
// plugin is alive behind it.
func listening(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return true // cannot tell: keep it
	}
	for _, e := range entries {
		if e.Type()&os.ModeSocket == 0 {
			continue
		}
		c, err := net.DialTimeout("unix", filepath.Join(dir, e.Name()), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return true
		}
	}
	return false
}

func ownedBy(fi os.FileInfo, uid int) bool {
	owner, _, ok := safefile.Owner(fi)
	return ok && owner == uid
}
