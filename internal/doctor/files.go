package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/safefile"
)

// The files check: the AWS files and awsenv's config can be read, parse,
// keep keys private, and can be trusted to choose commands.

func (r *run) files() bool {
	var notes []string
	for _, f := range []struct {
		path   string
		secret bool
	}{{r.Files.Config, false}, {r.Files.Credentials, true}} {
		fi, err := os.Stat(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			notes = append(notes, f.path+" does not exist")
			continue
		}
		if err != nil {
			r.add("files", Fail, fmt.Sprintf("cannot read %s: %v", f.path, err), "Check the file's permissions: ls -l "+f.path)
			return false
		}
		// Only a regular file's mode is the user's to mend: a device or a
		// pipe in its place is refused by parse with its own fix.
		if fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 && (f.secret || fileHasKeys(f.path)) {
			r.add("files", Fail, fmt.Sprintf("%s holds keys and its mode %s lets other users read it", f.path, safefile.Mode(fi.Mode())),
				"Run: chmod 600 "+f.path)
			return r.parse()
		}
	}
	if !r.parse() {
		return false
	}
	ok, warn, warnFix := r.trusted()
	if !ok {
		return true
	}
	if warn != "" {
		r.add("files", Warn, fmt.Sprintf("%s and %s parse, and no one else can read keys in them, but %s", r.Files.Config, r.Files.Credentials, warn), warnFix)
		return true
	}
	detail := fmt.Sprintf("%s and %s parse, and no one else can read keys in them", r.Files.Config, r.Files.Credentials)
	if len(notes) > 0 {
		detail += " (" + strings.Join(notes, "; ") + ")"
	}
	r.add("files", Pass, detail, "")
	return true
}

// trusted checks that no one but the user (or root) could change the AWS
// files or awsenv's config: a file that others could write and that names
// a command (mfa_process, credential_process, a plugin, a plugin pin) fails,
// since awsenv refuses to run such a command; one that names none warns.
func (r *run) trusted() (ok bool, warn, warnFix string) {
	paths := []struct {
		path   string
		global bool
	}{{r.Files.Config, false}, {r.Files.Credentials, false}}
	if r.Global != nil && r.Global.Path != "" {
		paths = append(paths, struct {
			path   string
			global bool
		}{r.Global.Path, true})
	}
	for _, f := range paths {
		// The commands' own gate, asked about the whole file.
		cmds, err := r.gate().File(f.path, f.global)
		var ce *profiles.ChoiceFileError
		if errors.As(err, &ce) {
			r.add("files", Fail, fmt.Sprintf("%s names commands that run as you (%s), and %v", f.path, strings.Join(cmds, ", "), ce.Err),
				ce.Err.Fix()+" Until then awsenv refuses to run them.")
			return false, "", ""
		}
		var u *safefile.UntrustedError
		if !errors.As(err, &u) {
			continue
		}
		if warn == "" {
			warn = fmt.Sprintf("%s names no command, and %v: awsenv would refuse to run a command named in it", f.path, u)
			warnFix = u.Fix()
		}
	}
	return true, warn, warnFix
}

// gate is the trust gate the commands use (profiles.Gate), for r.UID.
func (r *run) gate() profiles.Gate { return profiles.Gate{UID: r.UID} }

// trusted1 asks the commands' trust gate about what one check would use,
// and fails the check as the command would refuse it.
func (r *run) trusted1(check string, cs ...profiles.Choice) bool {
	if err := r.gate().Check(cs...); err != nil {
		r.add(check, Fail, err.Error(), "")
		return false
	}
	return true
}

// fileHasKeys reports a config file that holds keys too.
func fileHasKeys(path string) bool {
	data, _, err := safefile.ReadFile(path, 0, profiles.MaxAWSFileSize)
	return err == nil && strings.Contains(string(data), "aws_secret_access_key")
}

func (r *run) parse() bool {
	cfg, err := profiles.Load(r.Files)
	var fe *profiles.FileError
	var notReg *safefile.NotRegularError
	if errors.As(err, &fe) && errors.As(err, &notReg) {
		// No line to mend: a device, a pipe or a directory in the file's
		// place, with the fix that says what to remove or point back.
		r.add("files", Fail, fmt.Sprintf("read %s: %v", fe.Path, fe.Err), fe.Fix)
		return false
	}
	if err != nil {
		r.add("files", Fail, err.Error(), "Fix the file at the line named, then run awsenv doctor again.")
		return false
	}
	r.cfg = cfg
	return true
}
