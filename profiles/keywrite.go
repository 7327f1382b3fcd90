package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"time"
	"unicode"

	"golang.org/x/sys/unix"

	"github.com/awsenv/awsenv/profiles/awsini"
	"github.com/awsenv/awsenv/profiles/safefile"
)

// FileKind tells the two shared files apart: they name a profile's section
// differently.
type FileKind int

const (
	// CredentialsFile names sections [NAME].
	CredentialsFile FileKind = iota + 1
	// ConfigFile names sections [profile NAME], and [default].
	ConfigFile
)

func (k FileKind) String() string {
	switch k {
	case CredentialsFile:
		return "credentials file"
	case ConfigFile:
		return "config file"
	}
	return fmt.Sprintf("FileKind(%d)", int(k))
}

// header is how the profile's section is written in a file of this kind.
func (k FileKind) header(profile string) string {
	if k == ConfigFile && profile != "default" {
		return "[profile " + profile + "]"
	}
	return "[" + profile + "]"
}

// KeyFileKind is the kind of the file KeyFile names.
func (p *Profile) KeyFileKind() FileKind {
	if p.CredentialsFile != "" {
		return CredentialsFile
	}
	return ConfigFile
}

// ReplaceOptions are the inputs of ReplaceKey that come from outside.
type ReplaceOptions struct {
	// Now stamps the backup's name. Required.
	Now func() time.Time
	// OldKeyID, when set, is the key being rotated: ReplaceKey refuses a
	// file whose profile holds another key (someone edited it meanwhile).
	OldKeyID string

	// beforeRename runs after the temporary file and the backup are
	// written and checked, just before the rename: tests use it to crash
	// there.
	beforeRename func(tmp string) error
}

// KeyWriteError is a refusal to write a key into a file; the file is left
// exactly as it was.
type KeyWriteError struct {
	Path    string // the file as named, with its target when it is a link
	Profile string
	Problem string
	Fix     string
	Err     error // the cause, when there is one
}

func (e *KeyWriteError) Error() string {
	msg := fmt.Sprintf("cannot write the new key of profile %q into %s: %s", e.Profile, e.Path, e.Problem)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg + "; the file is unchanged. " + e.Fix
}

func (e *KeyWriteError) Unwrap() error { return e.Err }

// Key names as the loader sees them (lower case, like the AWS CLI).
const (
	keyID     = "aws_access_key_id"
	keySecret = "aws_secret_access_key"
)

// ReplaceKey writes id and secret as aws_access_key_id and
// aws_secret_access_key of profile in the file at path, in place: only the
// two values change; every other byte (sections, keys, comments, blank
// lines, spacing, CRLF or LF line ends, a missing final newline) survives.
// A link is followed and its target edited; the link stays a link.
//
// The new file is written to a temporary file beside the target, with the
// target's mode and owner, fsynced, read back with the same loader `awsenv
// use` uses, and renamed over the target. Before the rename the old bytes are
// copied to PATH.awsenv-backup-<UTC time> (mode 0600, never over an existing
// file); ReplaceKey returns that backup's path.
//
// It refuses, changing nothing, a file it cannot edit unambiguously: a
// missing or repeated section or key, session credentials, a value written
// across lines, and ids or secrets outside AWS's alphabet (so nothing such
// as a newline can be injected). Errors are *KeyWriteError (or *NameError
// for a bad profile name) and never hold the secret.
func ReplaceKey(path string, kind FileKind, profile, id string, secret Secret, opts ReplaceOptions) (backup string, err error) {
	if opts.Now == nil {
		return "", errors.New("profiles.ReplaceKey: ReplaceOptions.Now is nil")
	}
	if err := checkNewKey(path, profile, id, secret); err != nil {
		return "", err
	}
	f, edit, err := planFile(path, kind, profile, opts.OldKeyID)
	if err != nil {
		return "", err
	}
	refuse := func(problem, fix string, cause error) error {
		return &KeyWriteError{Path: f.shown, Profile: profile, Problem: problem, Fix: fix, Err: cause}
	}
	newData := edit.apply(f.data, id, secret)

	tmp, err := writeTemp(f, newData)
	if err != nil {
		return "", refuse("cannot write a temporary file beside it", fmt.Sprintf("Check that %s is writable by you and has free space.", filepath.Dir(f.target)), err)
	}
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(tmp)
		}
	}()

	bak, err := writeBackup(path, f.data, opts.Now())
	if err != nil {
		return "", refuse("cannot write the backup", fmt.Sprintf("Check that %s is writable by you and has free space.", filepath.Dir(path)), err)
	}
	defer func() {
		if !renamed {
			os.Remove(bak) // nothing changed: the backup is noise
		}
	}()

	if err := verifyEdit(kind, profile, bak, tmp, id, secret); err != nil {
		return "", refuse("awsenv would read the edited file differently than intended", fmt.Sprintf(
			"Edit it by hand: set %s and %s under %s.", keyID, keySecret, kind.header(profile)), err)
	}
	if opts.beforeRename != nil {
		if err := opts.beforeRename(tmp); err != nil {
			return "", refuse("interrupted before replacing it", "Run the command again.", err)
		}
	}
	if now, _, err := safefile.ReadFile(f.target, 0, MaxAWSFileSize); err != nil || !bytes.Equal(now, f.data) {
		return "", refuse("it changed while awsenv was editing it", "Check the file, then run the command again.", err)
	}
	if err := os.Rename(tmp, f.target); err != nil {
		return "", refuse("cannot replace it", fmt.Sprintf("Check that %s is writable by you.", filepath.Dir(f.target)), err)
	}
	renamed = true
	syncDir(filepath.Dir(f.target))
	return bak, nil
}

// CheckReplaceKey tells whether ReplaceKey could write a new key for profile
// into the file at path, without writing anything: a rotation calls it
// before it creates a key it might not be able to store.
func CheckReplaceKey(path string, kind FileKind, profile, oldKeyID string) error {
	if err := ValidateName(profile); err != nil {
		return err
	}
	_, _, err := planFile(path, kind, profile, oldKeyID)
	return err
}

// keyFile is the file being edited.
type keyFile struct {
	shown  string // path as named, plus " (a link to TARGET)"
	target string // the regular file behind any links
	info   fs.FileInfo
	data   []byte
}

// planFile resolves path, reads it and finds the two values to replace.
func planFile(path string, kind FileKind, profile, oldKeyID string) (*keyFile, *keyEdit, error) {
	if kind != CredentialsFile && kind != ConfigFile {
		return nil, nil, fmt.Errorf("profiles: unknown FileKind %d", int(kind))
	}
	f := &keyFile{shown: path}
	refuse := func(problem, fix string, cause error) error {
		return &KeyWriteError{Path: f.shown, Profile: profile, Problem: problem, Fix: fix, Err: cause}
	}
	target, err := filepath.EvalSymlinks(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, refuse("the file does not exist", fmt.Sprintf("Name the %s that holds the profile's keys.", kind), nil)
	case err != nil:
		return nil, nil, refuse("cannot follow its links", "Point the link at the real file (ls -l shows where it points).", err)
	}
	f.target = target
	if target != path {
		f.shown = fmt.Sprintf("%s (a link to %s)", path, target)
	}
	if f.info, err = os.Lstat(target); err != nil {
		return nil, nil, refuse("cannot read it", "Check that it is readable by you.", err)
	}
	if !f.info.Mode().IsRegular() {
		return nil, nil, refuse("it is "+safefile.Kind(f.info.Mode())+", not a regular file", fmt.Sprintf("Name the %s itself.", kind), nil)
	}
	if f.info.Mode().Perm()&0o200 == 0 {
		// Someone made it read-only on purpose: a lock against edits,
		// awsenv's included.
		return nil, nil, refuse(fmt.Sprintf("it is read-only (mode %04o), which awsenv takes as \"do not touch\"", f.info.Mode().Perm()),
			fmt.Sprintf("To let awsenv rotate the key, make it writable (chmod u+w %s) and run the command again; to keep it as it is, rotate the key yourself.", ShellWord(target)), nil)
	}
	// The new file is written beside it, and a backup: the directory must
	// take them (a read-only file system or directory would only show after
	// IAM had made the new key).
	if dir := filepath.Dir(target); unix.Access(dir, unix.W_OK|unix.X_OK) != nil {
		err := unix.Access(dir, unix.W_OK|unix.X_OK)
		return nil, nil, refuse(fmt.Sprintf("awsenv cannot write in its directory %s, where the new file and a backup go", dir),
			fmt.Sprintf("Make the directory writable for you (chmod u+w %s, or remount it read-write), or rotate the key yourself.", ShellWord(dir)), err)
	}
	if st, ok := f.info.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
		return nil, nil, refuse(fmt.Sprintf("it has %d hard links, which would keep the old key", st.Nlink),
			"Replace the extra hard links by symbolic links (ln -sf), then run the command again.", nil)
	}
	if f.data, _, err = safefile.ReadFile(target, 0, MaxAWSFileSize); err != nil {
		return nil, nil, refuse("cannot read it", "Check that it is readable by you and that it is the file you meant.", err)
	}
	edit, err := planEdit(f, kind, profile, oldKeyID)
	if err != nil {
		return nil, nil, err
	}
	return f, edit, nil
}

// checkNewKey refuses values AWS never issues, so the edit can never put a
// line break, a comment or a section into the file.
func checkNewKey(path, profile, id string, secret Secret) error {
	if err := ValidateName(profile); err != nil {
		return err
	}
	bad := func(problem string) error {
		return &KeyWriteError{Path: path, Profile: profile, Problem: problem,
			Fix: "Check the key IAM returned; if it came from IAM as it is, this is a bug in awsenv."}
	}
	if !inAlphabet(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") {
		return bad("the new access key id is not 16 to 128 characters of A-Z and 0-9")
	}
	if !inAlphabet(secret.Reveal(), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=") {
		return bad("the new secret access key is not 16 to 128 characters of A-Z, a-z, 0-9, /, + and =")
	}
	return nil
}

func inAlphabet(s, alphabet string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// keyEdit is where the two values sit in the file's bytes.
type keyEdit struct {
	id, secret span
}

type span struct{ start, end int }

func (e *keyEdit) apply(data []byte, id string, secret Secret) []byte {
	first, second := e.id, e.secret
	v1, v2 := id, secret.Reveal()
	if second.start < first.start {
		first, second, v1, v2 = second, first, v2, v1
	}
	out := make([]byte, 0, len(data)+len(v1)+len(v2))
	out = append(out, data[:first.start]...)
	out = append(out, v1...)
	out = append(out, data[first.end:second.start]...)
	out = append(out, v2...)
	return append(out, data[second.end:]...)
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

// scanINI parses data as Load does and returns the section headers want
// accepts (every header, so a repeated one shows), with their keys and
// where each value sits in data. bad is the parse error, naming a line.
// ReplaceKey checks its edit with Load itself as well.
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
		headers := sec.Headers()
		base := len(sections)
		for _, line := range headers {
			sections = append(sections, iniSection{line: line})
		}
		h := 0
		for _, k := range sec.RawKeys() { // in file order: a key belongs to the last header above it
			for h+1 < len(headers) && k.Line > headers[h+1] {
				h++
			}
			sections[base+h].keys = append(sections[base+h].keys, iniKeyOf(k))
		}
	}
	return sections, nil
}

// iniKeyOf says where k's value is and whether it can be replaced in place.
func iniKeyOf(k awsini.Key) iniKey {
	ik := iniKey{name: k.Name, line: k.Line}
	switch {
	case k.Offset < 0:
		ik.problem = "continues on the next line"
	case k.Value == "":
		ik.problem = "is empty"
	case controlProblem(k.Value) != "":
		ik.problem = controlProblem(k.Value)
	case strings.ContainsAny(k.Value, "\"'`"):
		ik.problem = "is quoted, and the AWS CLI reads quotes as part of the value"
	case strings.ContainsFunc(k.Value, unicode.IsSpace):
		ik.problem = "holds whitespace: the AWS CLI reads all of the line after = as the value, an inline comment too"
	}
	if k.Offset >= 0 {
		ik.value = span{k.Offset, k.Offset + len(k.Value)}
	}
	return ik
}

// controlProblem refuses a value with a control character inside, such as
// a lone carriage return: an editor may show it as a line break.
func controlProblem(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] < ' ' || v[i] == 0x7f {
			return "holds a control character"
		}
	}
	return ""
}

// writeTemp writes data to a new file beside the target with the target's
// mode and owner, fsynced and closed, and returns its path.
func writeTemp(f *keyFile, data []byte) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(f.target), "."+filepath.Base(f.target)+".awsenv-*")
	if err != nil {
		return "", err
	}
	name := tmp.Name()
	err = tmp.Chmod(f.info.Mode().Perm())
	if st, ok := f.info.Sys().(*syscall.Stat_t); ok && err == nil {
		if fi, serr := tmp.Stat(); serr == nil {
			if now, ok := fi.Sys().(*syscall.Stat_t); ok && (now.Uid != st.Uid || now.Gid != st.Gid) {
				err = tmp.Chown(int(st.Uid), int(st.Gid))
			}
		}
	}
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// writeBackup copies data to PATH.awsenv-backup-TIME beside path (the name
// the user knows, even when it is a link), never over an existing file.
func writeBackup(path string, data []byte, now time.Time) (string, error) {
	base := path + ".awsenv-backup-" + now.UTC().Format("20060102T150405Z")
	name := base
	for n := 1; ; n++ {
		b, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && n < 1000 {
			name = fmt.Sprintf("%s-%d", base, n)
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = b.Write(data)
		if err == nil {
			err = b.Sync()
		}
		if cerr := b.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(name)
			return "", err
		}
		syncDir(filepath.Dir(name))
		return name, nil
	}
}

// verifyEdit loads the old file (its backup) and the new one with Load and
// checks that they differ in exactly the profile's two keys, which now hold
// id and secret.
func verifyEdit(kind FileKind, profile, oldPath, newPath, id string, secret Secret) error {
	load := func(path string) (*Config, error) {
		// Load reads both files; "" is a missing file, read as empty.
		if kind == ConfigFile {
			return Load(Files{Config: path})
		}
		return Load(Files{Credentials: path})
	}
	before, err := load(oldPath)
	if err != nil {
		return err
	}
	after, err := load(newPath)
	if err != nil {
		return err
	}
	beforeAll, afterAll := before.all(), after.all()
	p, ok := afterAll[profile]
	if !ok {
		return errors.New("the profile is gone")
	}
	if p.AccessKeyID != id || p.SecretAccessKey != secret || p.SessionToken != "" {
		return errors.New("the profile does not hold exactly the new key")
	}
	if len(beforeAll) != len(afterAll) {
		return errors.New("the set of profiles changed")
	}
	for name, b := range beforeAll {
		a, ok := afterAll[name]
		if !ok {
			return fmt.Errorf("profile %q is gone", name)
		}
		want, got := withoutPaths(*b), withoutPaths(*a)
		if name == profile {
			want.AccessKeyID, want.SecretAccessKey = id, secret
		}
		if !reflect.DeepEqual(want, got) {
			return fmt.Errorf("profile %q changed", name)
		}
	}
	return nil
}

// withoutPaths hides which file a profile came from (the backup or the
// temporary file), keeping whether it came from one.
func withoutPaths(p Profile) Profile {
	for _, f := range []*string{&p.ConfigFile, &p.CredentialsFile} {
		if *f != "" {
			*f = "set"
		}
	}
	return p
}

// syncDir makes a rename or a new file in dir durable. A failure loses
// nothing that was not already at risk, so it is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
