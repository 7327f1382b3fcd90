package rpc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/awsenv/awsenv/shell/shellquote"
)

// The checks before a plugin starts: its executable, its pinned checksum,
// its socket directory.

// checkSHA256 compares the executable with its pinned checksum. (The file
// could still change between this check and its start; the pin guards
// against a plugin replaced earlier, the permission checks against one
// replaced by someone else.)
func (p *Plugin) checkSHA256() error {
	if p.cfg.SHA256 == "" {
		return nil
	}
	want, err := hex.DecodeString(strings.TrimSpace(p.cfg.SHA256))
	if err != nil || len(want) != sha256.Size {
		return p.fail("the pinned SHA-256 checksum is not 64 hexadecimal digits",
			"Pin the checksum sha256sum prints for the plugin: sha256sum "+shellquote.Word(p.cfg.Path), nil)
	}
	f, err := os.Open(p.cfg.Path)
	if err != nil {
		return p.fail("cannot read "+p.cfg.Path+" to check its SHA-256 checksum", "Check the file.", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return p.fail("cannot read "+p.cfg.Path+" to check its SHA-256 checksum", "Check the file.", err)
	}
	if subtle.ConstantTimeCompare(h.Sum(nil), want) != 1 {
		return p.fail(p.cfg.Path+" does not match its pinned SHA-256 checksum",
			"If you installed a new version on purpose, pin its checksum again (sha256sum "+shellquote.Word(p.cfg.Path)+
				"); if not, the file was changed behind your back: reinstall the plugin.", nil)
	}
	return nil
}

// checkExecutable refuses a plugin that is missing, not a runnable file,
// or that someone other than the user (or root) could change.
func (p *Plugin) checkExecutable() error {
	path := p.cfg.Path
	if path == "" {
		return p.fail("no plugin executable was given", "This is a bug in awsenv: please report it.", nil)
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return p.fail("plugin executable "+path+" does not exist",
			"Install the plugin there, or choose another provider with awsenv_mfa_provider.", nil)
	case err != nil:
		return p.fail("cannot read plugin executable "+path, "Check the file and its directories.", err)
	case fi.IsDir():
		return p.fail(path+" is a directory, not a plugin executable",
			"Remove it or put the plugin in its place.", nil)
	case !fi.Mode().IsRegular():
		return p.fail(path+" is not a regular file", "Put the plugin executable in its place.", nil)
	case fi.Mode().Perm()&0o111 == 0:
		return p.fail(path+" is not executable", "Make it executable: chmod +x "+shellquote.Word(path), nil)
	}
	if err := p.checkOwner(path, fi, "chmod go-w "+shellquote.Word(path)); err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return p.fail("cannot resolve "+path, "Check the file and its directories.", err)
	}
	dir := filepath.Dir(real)
	di, err := os.Stat(dir)
	if err != nil {
		return p.fail("cannot read directory "+dir, "Check the directory.", err)
	}
	return p.checkOwner(dir, di, "chmod go-w "+shellquote.Word(dir))
}

// checkOwner: owned by the user or root, not writable by group or others
// (a directory with the sticky bit, like /tmp, may be).
func (p *Plugin) checkOwner(path string, fi fs.FileInfo, chmod string) error {
	uid, ok := fileOwner(fi)
	if !ok {
		return p.fail("awsenv cannot check who may change "+path+" on "+runtime.GOOS,
			"Plugins run only where awsenv can check their owner and mode (Linux, macOS, the BSDs); use awsenv_mfa_provider = prompt here.", nil)
	}
	if uid != 0 && uid != os.Getuid() {
		return p.fail(fmt.Sprintf("%s belongs to another user (uid %d)", path, uid),
			"A plugin and its directory must belong to you or root; reinstall the plugin where only you can change it.", nil)
	}
	sticky := fi.IsDir() && fi.Mode()&fs.ModeSticky != 0
	if fi.Mode().Perm()&0o022 != 0 && !sticky {
		return p.fail(fmt.Sprintf("others may change %s (mode %04o)", path, fi.Mode().Perm()),
			"Make it writable by you alone: "+chmod, nil)
	}
	return nil
}

// checkSocketDir makes LaunchConfig.SocketDir if missing and refuses it
// if it is not the user's private directory. (An empty SocketDir is fine:
// go-plugin then makes a fresh 0700 directory under os.TempDir().)
func (p *Plugin) checkSocketDir() error {
	base := p.cfg.SocketDir
	if base == "" {
		return nil
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return p.fail("cannot make the plugin socket directory "+base, "Check that its parent is yours and writable.", err)
	}
	fi, err := os.Lstat(base)
	if err != nil {
		return p.fail("cannot read the plugin socket directory "+base, "Check the directory.", err)
	}
	if !fi.IsDir() {
		return p.fail("the plugin socket directory "+base+" is not a directory (or is a symbolic link)",
			"Remove it: rm "+shellquote.Word(base), nil)
	}
	if uid, ok := fileOwner(fi); ok && uid != os.Getuid() {
		return p.fail(fmt.Sprintf("the plugin socket directory %s belongs to another user (uid %d)", base, uid),
			"Remove it (awsenv makes it again): rm -r "+shellquote.Word(base), nil)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return p.fail(fmt.Sprintf("others may use the plugin socket directory %s (mode %04o)", base, fi.Mode().Perm()),
			"Make it private: chmod 700 "+shellquote.Word(base), nil)
	}
	CleanSocketDirs(base)
	return nil
}

// maxSocketPath is the longest path a Unix socket can have: sun_path holds
// 108 bytes on Linux, 104 on macOS and the BSDs, with the final NUL.
func maxSocketPath() int {
	if runtime.GOOS == "linux" {
		return 107
	}
	return 103
}

// The plugin side of go-plugin names its socket "plugin" and up to ten
// digits; the host side names the fresh directory for it "plugin-dir" and
// up to ten digits.
const (
	socketName    = len("/plugin") + 10
	socketDirName = len("/plugin-dir") + 10
)

// checkSocketPath refuses a socket directory whose socket path would be too
// long to be used.
func (p *Plugin) checkSocketPath(dir string) error {
	if len(dir)+socketName > maxSocketPath() {
		return p.fail("the path for the plugin's socket would be too long for a Unix socket: "+dir,
			"Use a shorter $TMPDIR.", nil)
	}
	return nil
}
