package profiles

// Locating the two keys ReplaceKey replaces: which file, which section,
// which bytes; and every reason to refuse the file.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/awsenv/awsenv/profiles/awsini"
	"github.com/awsenv/awsenv/profiles/safefile"
	"github.com/awsenv/awsenv/shell/shellquote"
)

// keyFile is the file being edited.
type keyFile struct {
	shown  string // path as named, plus " (a link to TARGET)"
	target string // the regular file behind any links
	info   fs.FileInfo
	data   []byte
}

// planFile resolves path, reads it and finds the two values to replace.
func planFile(path string, kind FileKind, profile, oldKeyID string) (*keyFile, *keyEdit, error) {
	f, err := openKeyFile(path, kind, profile)
	if err != nil {
		return nil, nil, err
	}
	edit, err := planEdit(f, kind, profile, oldKeyID)
	if err != nil {
		return nil, nil, err
	}
	return f, edit, nil
}

// openKeyFile resolves path and reads it, refusing a file awsenv cannot
// edit in place (see ReplaceKey).
func openKeyFile(path string, kind FileKind, profile string) (*keyFile, error) {
	if kind != CredentialsFile && kind != ConfigFile {
		return nil, fmt.Errorf("profiles: unknown FileKind %d", int(kind))
	}
	f := &keyFile{shown: path}
	refuse := func(problem, fix string, cause error) error {
		return &KeyWriteError{Path: f.shown, Profile: profile, Problem: problem, Fix: fix, Err: cause}
	}
	target, err := filepath.EvalSymlinks(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, refuse("the file does not exist", fmt.Sprintf("Name the %s that holds the profile's keys.", kind), nil)
	case err != nil:
		return nil, refuse("cannot follow its links", "Point the link at the real file (ls -l shows where it points).", err)
	}
	f.target = target
	if target != path {
		f.shown = fmt.Sprintf("%s (a link to %s)", path, target)
	}
	if f.info, err = os.Lstat(target); err != nil {
		return nil, refuse("cannot read it", "Check that it is readable by you.", err)
	}
	if !f.info.Mode().IsRegular() {
		return nil, refuse("it is "+safefile.Kind(f.info.Mode())+", not a regular file", fmt.Sprintf("Name the %s itself.", kind), nil)
	}
	if f.info.Mode().Perm()&0o200 == 0 {
		// Someone made it read-only on purpose: a lock against edits,
		// awsenv's included.
		return nil, refuse(fmt.Sprintf("it is read-only (mode %04o), which awsenv takes as \"do not touch\"", f.info.Mode().Perm()),
			fmt.Sprintf("To let awsenv rotate the key, make it writable (chmod u+w %s) and run the command again; to keep it as it is, rotate the key yourself.", shellquote.Word(target)), nil)
	}
	// The new file is written beside it, and a backup: the directory must
	// take them (a read-only file system or directory would only show after
	// IAM had made the new key).
	if dir := filepath.Dir(target); safefile.CanWriteIn(dir) != nil {
		err := safefile.CanWriteIn(dir)
		return nil, refuse(fmt.Sprintf("awsenv cannot write in its directory %s, where the new file and a backup go", dir),
			fmt.Sprintf("Make the directory writable for you (chmod u+w %s, or remount it read-write), or rotate the key yourself.", shellquote.Word(dir)), err)
	}
	if n := safefile.Links(f.info); n > 1 {
		return nil, refuse(fmt.Sprintf("it has %d hard links, which would keep the old key", n),
			"Replace the extra hard links by symbolic links (ln -sf), then run the command again.", nil)
	}
	if f.data, _, err = safefile.ReadFile(target, 0, MaxAWSFileSize); err != nil {
		return nil, refuse("cannot read it", "Check that it is readable by you and that it is the file you meant.", err)
	}
	return f, nil
}

// planEdit finds the profile's section and its two values, refusing
// anything it could not replace unambiguously.
func planEdit(f *keyFile, kind FileKind, profile, oldKeyID string) (*keyEdit, error) {
	header := kind.header(profile)
	refuse := func(problem, fix string) error {
		return &KeyWriteError{Path: f.shown, Profile: profile, Problem: problem, Fix: fix}
	}
	sections, bad := scanINI(f.data, func(name string) bool {
		if kind == ConfigFile {
			p, ok := configSectionProfile(name)
			return ok && p == profile
		}
		// As Load: the section's name as written is the profile's.
		return name == profile
	})
	if bad != nil {
		return nil, refuse(bad.Error(),
			"Fix that line; the file uses the AWS CLI's INI format: [section], key = value, # comment on a line of its own.")
	}
	switch len(sections) {
	case 0:
		return nil, refuse("it has no "+header+" section",
			fmt.Sprintf("Name the %s that holds the profile's keys, or add them under %s.", kind, header))
	case 1:
	default:
		return nil, refuse(fmt.Sprintf("%s appears %d times (%s)", header, len(sections), lineList(sections)),
			"Merge them into one section, then run the command again.")
	}
	sec := sections[0]
	byName := map[string][]iniKey{}
	for _, k := range sec.keys {
		byName[k.name] = append(byName[k.name], k)
	}
	for _, tok := range []string{"aws_session_token", "aws_security_token"} {
		if ks := byName[tok]; len(ks) > 0 {
			return nil, refuse(fmt.Sprintf("%s holds %s (line %d): its keys are temporary session credentials, not a long-term access key", header, tok, ks[0].line),
				fmt.Sprintf("Only long-term keys (AKIA...) can be rotated; if the keys are long-term, delete the %s line.", tok))
		}
	}
	edit := &keyEdit{}
	for _, name := range []string{keyID, keySecret} {
		ks := byName[name]
		switch {
		case len(ks) == 0:
			return nil, refuse(fmt.Sprintf("%s (line %d) has no %s", header, sec.line, name),
				fmt.Sprintf("Add the profile's %s line under %s, then run the command again.", name, header))
		case len(ks) > 1:
			return nil, refuse(fmt.Sprintf("%s appears %d times in %s (%s)", name, len(ks), header, lineList(ks)),
				"Delete the lines that are not in use, then run the command again.")
		case ks[0].problem != "":
			return nil, refuse(fmt.Sprintf("%s in %s (line %d) %s", name, header, ks[0].line, ks[0].problem),
				fmt.Sprintf("Write it as one line, %s = VALUE, then run the command again.", name))
		}
		if name == keyID {
			edit.id = ks[0].value
		} else {
			edit.secret = ks[0].value
		}
	}
	if oldKeyID != "" {
		if cur := string(f.data[edit.id.start:edit.id.end]); cur != oldKeyID {
			// Key ids are not secrets: show both, so the user sees what changed.
			return nil, refuse(fmt.Sprintf("%s holds access key %s, not %s, the key being rotated", header, cur, oldKeyID),
				"Someone changed the file meanwhile; check it, then run the command again.")
		}
	}
	return edit, nil
}

type lined interface{ lineNo() int }

func lineList[T lined](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x.lineNo())
	}
	return "lines " + strings.Join(parts, ", ")
}

// iniSection is a section header the caller looks for, with the keys under it.
type iniSection struct {
	line int // 1-based
	keys []iniKey
}

func (s iniSection) lineNo() int { return s.line }

// iniKey is one key as the loader reads it.
type iniKey struct {
	name    string // lower case, trimmed: as Load's apply sees it
	line    int    // 1-based
	value   span   // in the original bytes: the value as Load reads it
	problem string // why the value cannot be replaced in place
}

func (k iniKey) lineNo() int { return k.line }

// scanINI parses data with awsini, as Load does, and returns the section
// headers want accepts (every header, so a repeated one shows), with their
// keys and where each value sits in data. bad is the parse error, naming a
// line. ReplaceKey checks its edit with Load itself as well.
func scanINI(data []byte, want func(section string) bool) (sections []iniSection, bad *awsini.Error) {
	f, err := awsini.Parse(string(data))
	if err != nil {
		if !errors.As(err, &bad) {
			bad = &awsini.Error{Line: 1, Problem: err.Error()}
		}
		return nil, bad
	}
	for _, sec := range f.Sections() {
		if !want(sec.Name()) {
			continue
		}
		for _, b := range sec.Blocks() {
			is := iniSection{line: b.Line}
			for _, k := range b.Keys {
				is.keys = append(is.keys, iniKeyOf(k))
			}
			sections = append(sections, is)
		}
	}
	return sections, nil
}
