package profiles

// Moving a long-term key out of a shared file and back: RemoveKeys takes
// a profile's two key lines out (`awsenv keys import`, once the key is
// safely in the secret store) and AddKeys puts them back (`awsenv keys
// export`). Both edit in place like ReplaceKey (every other byte kept,
// safefile.WriteAtomic, the result read back with Load), and neither
// leaves a backup: a plain-text copy of the key is what they exist to
// avoid.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/awsenv/awsenv/profiles/safefile"
)

// MoveOptions are RemoveKeys' and AddKeys' inputs from outside.
type MoveOptions struct {
	// beforeRename runs just before the rename (tests).
	beforeRename func(tmp string) error
}

// RemoveKeys deletes the aws_access_key_id and aws_secret_access_key lines
// of profile's section in the file at path, which must hold the key
// keyID; the section itself stays (a profile defined only in the
// credentials file keeps existing). It refuses what ReplaceKey refuses.
func RemoveKeys(path string, kind FileKind, profile, keyID string, opts MoveOptions) error {
	if err := ValidateName(profile); err != nil {
		return err
	}
	f, edit, err := planFile(path, kind, profile, keyID)
	if err != nil {
		return err
	}
	out := cutLines(f.data, edit.id.start, edit.secret.start)
	return moveWrite(f, kind, profile, out, "", "", opts)
}

// cutLines removes the lines holding offsets a and b.
func cutLines(data []byte, a, b int) []byte {
	if b < a {
		a, b = b, a
	}
	line := func(at int) (int, int) {
		start := bytes.LastIndexByte(data[:at], '\n') + 1
		end := bytes.IndexByte(data[at:], '\n')
		if end < 0 {
			return start, len(data)
		}
		return start, at + end + 1
	}
	s1, e1 := line(a)
	s2, e2 := line(b)
	out := make([]byte, 0, len(data))
	out = append(out, data[:s1]...)
	if s2 >= e1 {
		out = append(out, data[e1:s2]...)
	}
	return append(out, data[max(e2, e1):]...)
}

// AddKeys writes id and secret into profile's section of the file at
// path, as its first two keys; a file or section that is not there is
// made (a new file 0600, in a 0700 directory). A section that already
// holds keys is refused.
func AddKeys(path string, kind FileKind, profile, id string, secret Secret, opts MoveOptions) error {
	if err := checkNewKey(path, profile, id, secret); err != nil {
		return err
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return &KeyWriteError{Path: path, Profile: profile, Problem: "cannot create its directory", Err: err,
				Fix: fmt.Sprintf("Check that %s can be created by you.", filepath.Dir(path))}
		}
		data := []byte(kind.header(profile) + "\n" + keyID + " = " + id + "\n" + keySecret + " = " + secret.Reveal() + "\n")
		err := safefile.WriteAtomic(path, data, safefile.WriteOptions{Check: opts.beforeRename})
		if err != nil {
			return &KeyWriteError{Path: path, Profile: profile, Problem: "cannot create it", Err: err, Fix: "Check that its directory is writable by you."}
		}
		return nil
	}
	f, err := openKeyFile(path, kind, profile)
	if err != nil {
		return err
	}
	refuse := func(problem, fix string) error {
		return &KeyWriteError{Path: f.shown, Profile: profile, Problem: problem, Fix: fix}
	}
	header := kind.header(profile)
	sections, bad := scanINI(f.data, func(name string) bool {
		if kind == ConfigFile {
			p, ok := configSectionProfile(name)
			return ok && p == profile
		}
		return name == profile
	})
	if bad != nil {
		return refuse(bad.Error(), "Fix that line; the file uses the AWS CLI's INI format: [section], key = value, # comment on a line of its own.")
	}
	nl := "\n"
	if bytes.Contains(f.data, []byte("\r\n")) {
		nl = "\r\n"
	}
	lines := keyID + " = " + id + nl + keySecret + " = " + secret.Reveal() + nl
	var out []byte
	switch len(sections) {
	case 0:
		out = append(out, f.data...)
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, nl...)
		}
		if len(out) > 0 {
			out = append(out, nl...)
		}
		out = append(out, header+nl+lines...)
	case 1:
		for _, k := range sections[0].keys {
			switch k.name {
			case keyID, keySecret, "aws_session_token", "aws_security_token":
				return refuse(fmt.Sprintf("%s already holds %s (line %d)", header, k.name, k.line),
					"Remove the profile's keys from the file first, or keep them where they are.")
			}
		}
		at := lineOffset(f.data, sections[0].line+1)
		out = append(out, f.data[:at]...)
		if at > 0 && f.data[at-1] != '\n' {
			out = append(out, nl...)
		}
		out = append(out, lines...)
		out = append(out, f.data[at:]...)
	default:
		return refuse(fmt.Sprintf("%s appears %d times (%s)", header, len(sections), lineList(sections)),
			"Merge them into one section, then run the command again.")
	}
	return moveWrite(f, kind, profile, out, id, secret, opts)
}

// lineOffset is where 1-based line n starts in data (len(data) past the
// end).
func lineOffset(data []byte, n int) int {
	at := 0
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(data[at:], '\n')
		if j < 0 {
			return len(data)
		}
		at += j + 1
	}
	return at
}

// moveWrite replaces f with out, once Load reads out as f with profile's
// keys now id and secret ("" for none) and nothing else changed.
func moveWrite(f *keyFile, kind FileKind, profile string, out []byte, id string, secret Secret, opts MoveOptions) error {
	refuse := func(problem, fix string, cause error) error {
		return &KeyWriteError{Path: f.shown, Profile: profile, Problem: problem, Fix: fix, Err: cause}
	}
	check := func(tmp string) error {
		if err := verifyEdit(kind, profile, f.target, tmp, id, secret, true); err != nil {
			return refuse("awsenv would read the edited file differently than intended", "Edit the file by hand.", err)
		}
		if opts.beforeRename != nil {
			if err := opts.beforeRename(tmp); err != nil {
				return refuse("interrupted before replacing it", "Run the command again.", err)
			}
		}
		if same, err := unchanged(f.target, f.data); !same {
			return refuse("it changed while awsenv was editing it", "Check the file, then run the command again.", err)
		}
		return nil
	}
	err := safefile.WriteAtomic(f.target, out, safefile.WriteOptions{Like: f.info, Check: check})
	var kw *KeyWriteError
	var we *safefile.WriteError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &kw):
		return err
	case errors.As(err, &we):
		return refuse("cannot replace it", fmt.Sprintf("Check that %s is writable by you and has free space.", filepath.Dir(f.target)), we.Err)
	}
	return refuse("interrupted before replacing it", "Run the command again.", err)
}
