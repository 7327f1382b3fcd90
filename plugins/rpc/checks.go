package rpc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"

	"github.com/awsenv/awsenv/profiles/safefile"
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
	// The trust rule for files that choose code has one home,
	// safefile.Trusted: the file and every directory up to /, links
	// followed.
	var untrusted *safefile.UntrustedError
	switch err := safefile.Trusted(path, os.Getuid()); {
	case errors.Is(err, safefile.ErrTrustUnknown):
		return p.fail("awsenv cannot check who may change "+path+" on "+runtime.GOOS,
			"Plugins run only where awsenv can check their owner and mode (Linux, macOS, the BSDs); use awsenv_mfa_provider = prompt here.", nil)
	case errors.As(err, &untrusted):
		parts := make([]string, len(untrusted.Issues))
		for i, is := range untrusted.Issues {
			parts[i] = is.Path + " " + is.Problem
		}
		return p.fail("others may change "+strings.Join(parts, "; "), untrusted.Fix(), nil)
	case err != nil:
		return p.fail("cannot check plugin executable "+path, "Check the file and its directories.", err)
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
	// The private-directory rule has one home, safefile.CheckPrivate.
	var pe *safefile.PrivateError
	if err := safefile.CheckPrivate(base, fi, safefile.PrivateDir); errors.As(err, &pe) {
		fix := pe.Fix
		if pe.Reason == safefile.NotOwned {
			fix = "Remove it (awsenv makes it again): rm -r " + shellquote.Word(base)
		}
		return p.fail("others may use the plugin socket directory "+base+": "+pe.Why, fix, nil)
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
