// Package discovery finds third-party MFA providers: executables named
// awsenv-plugin-NAME in awsenv's plugin directories, which the caller
// passes in order ($XDG_DATA_HOME/awsenv/plugins first, then each of
// $XDG_DATA_DIRS with /awsenv/plugins; this package reads no environment).
//
// A plugin runs with the person's credentials, so a file that someone else
// could have written is refused: the file and every directory above it, up
// to /, must belong to the person or to root and must not be writable by
// group or others (a directory with the sticky bit set, like /tmp, may be
// writable by all: nobody can replace what it holds for its owner). A
// symbolic link is followed and its target checked the same way.
//
// Every refusal is a *plugins.Error whose Fix is the command to run.
// Errors wrap ErrNotFound or ErrUnsafe so callers can tell them apart.
package discovery

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles/safefile"
	"github.com/awsenv/awsenv/shell/shellquote"
)

// Prefix starts the file name of every plugin executable.
const Prefix = "awsenv-plugin-"

// Reserved are the names of the built-in providers: a plugin cannot take
// them.
var Reserved = []string{"op", "process", "prompt", "ykman"}

var (
	// ErrNotFound is wrapped by Find's error when no directory holds the plugin.
	ErrNotFound = errors.New("plugin not found")
	// ErrUnsafe is wrapped by the errors of files that others could have changed.
	ErrUnsafe = errors.New("unsafe plugin file")
)

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Plugin is one awsenv-plugin-NAME file.
type Plugin struct {
	Name    string // NAME, as awsenv_mfa_provider names it
	Path    string // where the file is, as found (not with links resolved)
	Problem error  // why it cannot be run; nil if it can
}

// ValidName reports why name cannot be a plugin's name, or nil.
func ValidName(name string) error {
	if slices.Contains(Reserved, name) {
		return &plugins.Error{Provider: name, Problem: name + " is a built-in provider, not a plugin",
			Fix: "Use the built-in one (awsenv_mfa_provider = " + name + " needs no plugin), or give the plugin another name."}
	}
	if !validName.MatchString(name) {
		return &plugins.Error{Provider: name, Problem: fmt.Sprintf("%q is not a valid plugin name", name),
			Fix: "A plugin name has lower-case letters, digits, '-' and '_', and starts with a letter or digit."}
	}
	return nil
}

// Find returns the plugin called name from the first directory in dirs
// that has an awsenv-plugin-NAME file. If that file is unsafe, Find returns
// it with its Problem, and the same error: it never falls back to a later
// directory. Directories that are empty, relative or missing are skipped.
func Find(dirs []string, name string, uid int) (Plugin, error) {
	if err := ValidName(name); err != nil {
		return Plugin{Name: name, Problem: err}, err
	}
	dirs = clean(dirs)
	for _, dir := range dirs {
		path := filepath.Join(dir, Prefix+name)
		if _, err := os.Lstat(path); err != nil {
			continue // missing, or a directory we cannot search: not there for us
		}
		pl := Plugin{Name: name, Path: path, Problem: CheckSafe(path, uid)}
		return pl, pl.Problem
	}
	err := &plugins.Error{Provider: name, Problem: "not installed", Err: &notFound{name: name, dirs: dirs}}
	if len(dirs) == 0 {
		err.Fix = "Set HOME or XDG_DATA_HOME, so that awsenv has a plugin directory to look in."
	} else {
		path := filepath.Join(dirs[0], Prefix+name)
		err.Fix = fmt.Sprintf("Install the plugin: `mkdir -p %s && cp PLUGIN-EXECUTABLE %s && chmod 755 %s`, or set awsenv_mfa_provider to a built-in provider or an installed plugin.",
			shellquote.Word(dirs[0]), shellquote.Word(path), shellquote.Word(path))
	}
	return Plugin{Name: name}, err
}

// List returns every awsenv-plugin-* file in dirs, sorted by name. When
// several directories hold the same name, only the first one's file is
// listed, as Find would pick it. Files that cannot be run (unsafe, badly
// named, or named like a built-in provider) are listed with a Problem.
func List(dirs []string, uid int) []Plugin {
	var found []Plugin
	seen := map[string]bool{}
	for _, dir := range clean(dirs) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name, ok := strings.CutPrefix(e.Name(), Prefix)
			if !ok || seen[name] {
				continue
			}
			seen[name] = true
			path := filepath.Join(dir, e.Name())
			pl := Plugin{Name: name, Path: path}
			switch {
			case slices.Contains(Reserved, name):
				pl.Problem = &plugins.Error{Provider: name, Problem: path + " has the name of a built-in provider and is never run",
					Fix: fmt.Sprintf("Remove it (`rm %s`), or rename it to awsenv-plugin-OTHERNAME.", shellquote.Word(path))}
			case !validName.MatchString(name):
				pl.Problem = &plugins.Error{Provider: name, Problem: path + " does not have a valid plugin name",
					Fix: "Rename it to awsenv-plugin-NAME, where NAME has lower-case letters, digits, '-' and '_', and starts with a letter or digit."}
			default:
				pl.Problem = CheckSafe(path, uid)
			}
			found = append(found, pl)
		}
	}
	slices.SortFunc(found, func(a, b Plugin) int { return strings.Compare(a.Name, b.Name) })
	return found
}

// CheckSafe returns nil if path is a regular executable file that only
// uid and root could have written: the file and every directory above it,
// up to /, belong to uid or root (0) and are not writable by group or
// others (except directories with the sticky bit). If path or a directory
// above it is a symbolic link, the resolved file and its directories are
// checked too. The error is a *plugins.Error that wraps ErrUnsafe, with
// the commands that fix it.
func CheckSafe(path string, uid int) error {
	name := strings.TrimPrefix(filepath.Base(path), Prefix)
	refuse := func(err error, fix string) error {
		return &plugins.Error{Provider: name, Problem: "refusing to run " + path, Err: err, Fix: fix}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return refuse(err, "Give the plugin's full path.")
	}
	// The trust rule for files that choose code: one home, safefile.Trusted.
	var untrusted *safefile.UntrustedError
	switch err := safefile.Trusted(abs, uid); {
	case errors.As(err, &untrusted):
		return refuse(unsafeFile{untrusted}, untrusted.Fix())
	case err != nil:
		return refuse(err, "Check that "+path+" exists and that you can read the directories above it.")
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return refuse(fmt.Errorf("follow symbolic links: %w", err),
			fmt.Sprintf("Point the link to the plugin's executable, or replace it with the executable (`rm %s`, then copy the plugin there).", shellquote.Word(path)))
	}
	fi, err := os.Stat(real)
	if err != nil {
		return refuse(err, "Check that "+path+" exists.")
	}
	if !fi.Mode().IsRegular() {
		return refuse(fmt.Errorf("%s is not a regular file (%s)", real, kind(fi.Mode())),
			fmt.Sprintf("Replace %s with the plugin's executable.", shellquote.Word(path)))
	}
	if permsMeaningful && fi.Mode().Perm()&0o111 == 0 {
		return refuse(fmt.Errorf("%s is not executable", real), fmt.Sprintf("Run `chmod 755 %s`.", shellquote.Word(real)))
	}
	return nil
}

// SHA256File returns the hex SHA-256 digest of the regular file at path,
// the form in which plugins are pinned.
func SHA256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("hash %s: not a regular file", path)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// unsafeFile is a plugin that others could change: ErrUnsafe, with the
// paths and what is wrong with each.
type unsafeFile struct{ *safefile.UntrustedError }

func (u unsafeFile) Error() string {
	parts := make([]string, len(u.Issues))
	for i, is := range u.Issues {
		parts[i] = is.Path + " " + is.Problem
	}
	return strings.Join(parts, "; ")
}

func (u unsafeFile) Is(target error) bool { return target == ErrUnsafe }

type notFound struct {
	name string
	dirs []string
}

func (e *notFound) Error() string {
	if len(e.dirs) == 0 {
		return "no plugin directories to look in"
	}
	return "no " + Prefix + e.name + " in " + strings.Join(e.dirs, ", ")
}

func (e *notFound) Is(target error) bool { return target == ErrNotFound }

// clean drops empty and relative directories (the XDG base directory
// specification says to ignore relative ones) and repeats.
func clean(dirs []string) []string {
	var out []string
	for _, d := range dirs {
		if d == "" || !filepath.IsAbs(d) {
			continue
		}
		d = filepath.Clean(d)
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}
