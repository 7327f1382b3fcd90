//go:build unix

package profiles_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/profiles"
)

// The key being rotated, and the one replacing it.
const (
	oldID     = "AKIAOLDOLDOLD0000001"
	oldSecret = "oldOLDoldOLD/0000+1111oldOLDoldOLDold0001"
	newID     = exampleKeyID2
	newSecret = exampleSecret2
)

func testNow() time.Time { return time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600)) }

// backupSuffix is testNow in UTC, as the backup's name has it.
const backupSuffix = ".awsenv-backup-20250304T040607Z"

func replaceOpts() profiles.ReplaceOptions { return profiles.ReplaceOptions{Now: testNow} }

// crlf joins lines with "\r\n" and a final "\r\n".
func crlf(l ...string) string { return strings.Join(l, "\r\n") + "\r\n" }

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func loadKind(t *testing.T, kind profiles.FileKind, path string) *profiles.Config {
	t.Helper()
	files := profiles.Files{Credentials: path}
	if kind == profiles.ConfigFile {
		files = profiles.Files{Config: path}
	}
	c, err := profiles.Load(files)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// TestReplaceKey edits files shaped like real ones: the output is the input
// with the two old values replaced, and nothing else.
func TestReplaceKey(t *testing.T) {
	cred, conf := profiles.CredentialsFile, profiles.ConfigFile
	tests := []struct {
		name    string
		kind    profiles.FileKind
		profile string
		in      string
	}{
		{"credentials: two profiles", cred, "work", lines(
			"[default]",
			"aws_access_key_id = "+exampleKeyID,
			"aws_secret_access_key = "+exampleSecret,
			"[work]",
			"aws_access_key_id = "+oldID,
			"aws_secret_access_key = "+oldSecret,
			"region = eu-west-1")},
		{"credentials: [default]", cred, "default", lines(
			"[default]",
			"aws_access_key_id = "+oldID,
			"aws_secret_access_key = "+oldSecret,
			"",
			"[work]",
			"aws_access_key_id = "+exampleKeyID,
			"aws_secret_access_key = "+exampleSecret)},
		{"comments, blank lines, odd order, extra keys", cred, "work", lines(
			"# my keys",
			"; edited by hand",
			"",
			"[other]",
			"aws_access_key_id = "+exampleKeyID,
			"aws_secret_access_key = "+exampleSecret,
			"",
			"[work]   # main account",
			"; the secret first",
			"aws_secret_access_key = "+oldSecret,
			"region = eu-west-1",
			"mfa_serial = arn:aws:iam::123456789012:mfa/alice",
			"",
			"# the id",
			"aws_access_key_id = "+oldID,
			"",
			"[later]",
			"aws_access_key_id = "+exampleKeyID2,
			"aws_secret_access_key = "+exampleSecret2,
			"")},
		{"CRLF", cred, "work", crlf(
			"# windows",
			"[default]",
			"aws_access_key_id = "+exampleKeyID,
			"aws_secret_access_key = "+exampleSecret,
			"",
			"[work]",
			"aws_access_key_id = "+oldID,
			"aws_secret_access_key = "+oldSecret)},
		{"no final newline", cred, "work",
			"[work]\naws_access_key_id = " + oldID + "\naws_secret_access_key = " + oldSecret},
		{"CRLF and no final newline", cred, "work",
			"[work]\r\naws_secret_access_key=" + oldSecret + "\r\naws_access_key_id=" + oldID},
		{"tabs and indentation", cred, "work", lines(
			"[work]",
			"\taws_access_key_id\t=\t"+oldID+"\t",
			"\taws_secret_access_key="+oldSecret,
			"\tregion = eu-west-1")},
		{"colon delimiter", cred, "work", lines(
			"[work]",
			"aws_access_key_id: "+oldID,
			"aws_secret_access_key :"+oldSecret)},
		{"comments on lines of their own", cred, "work", lines(
			"[work]",
			"# rotated in 2024",
			"aws_access_key_id = "+oldID,
			"  ; never share",
			"aws_secret_access_key = "+oldSecret)},
		{"key names in other cases", cred, "work", lines(
			"[work]",
			"AWS_ACCESS_KEY_ID = "+oldID,
			"Aws_Secret_Access_Key = "+oldSecret)},
		{"a spaced [ work ] is another profile", cred, "work", lines(
			"[ work ]",
			"aws_access_key_id = "+exampleKeyID,
			"[work]",
			"aws_access_key_id = "+oldID,
			"aws_secret_access_key = "+oldSecret)},
		{"byte order mark", cred, "work",
			"\ufeff[work]\naws_access_key_id = " + oldID + "\naws_secret_access_key = " + oldSecret + "\n"},
		{"nested values name the same keys", cred, "work", lines(
			"[work]",
			"s3 =",
			"  aws_access_key_id = "+exampleKeyID,
			"  max_concurrent_requests = 20",
			"aws_access_key_id = "+oldID,
			"aws_secret_access_key = "+oldSecret)},
		{"whitespace-only line after a key", cred, "work",
			"[work]\naws_access_key_id = " + oldID + "\n   \n\t\naws_secret_access_key = " + oldSecret + "\n"},
		{"[DEFAULT] keys the section overrides", cred, "work", lines(
			"[DEFAULT]",
			"aws_access_key_id = "+exampleKeyID,
			"aws_secret_access_key = "+exampleSecret,
			"[work]",
			"aws_access_key_id = "+oldID,
			"aws_secret_access_key = "+oldSecret)},
		{"config: [profile work] beside a bare [work] and [sso-session work]", conf, "work", lines(
			"[default]",
			"region = us-east-1",
			"",
			"[work]",
			"aws_access_key_id = "+exampleKeyID,
			"aws_secret_access_key = "+exampleSecret,
			"",
			"[profile work]",
			"region = eu-west-1",
			"output = json",
			"aws_access_key_id = "+oldID,
			"aws_secret_access_key = "+oldSecret,
			"mfa_serial = arn:aws:iam::123456789012:mfa/alice",
			"",
			"[sso-session work]",
			"sso_region = eu-west-1",
			"",
			"[profile admin]",
			"role_arn = arn:aws:iam::123456789012:role/admin",
			"source_profile = work")},
		{"config: [default]", conf, "default", lines(
			"[default]",
			"aws_access_key_id = "+oldID,
			"aws_secret_access_key = "+oldSecret,
			"[profile work]",
			"aws_access_key_id = "+exampleKeyID,
			"aws_secret_access_key = "+exampleSecret)},
		{"config: [profile default]", conf, "default", lines(
			"[profile default]",
			"aws_access_key_id = "+oldID,
			"aws_secret_access_key = "+oldSecret)},
		{"config: odd spacing in [profile  work]", conf, "work", crlf(
			"[profile \t work ]",
			"  aws_access_key_id = "+oldID,
			"  aws_secret_access_key = "+oldSecret)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Count(tt.in, oldID) != 1 || strings.Count(tt.in, oldSecret) != 1 {
				t.Fatal("bad test: the old key must appear once")
			}
			dir := t.TempDir()
			path := writeFile(t, dir, "file", tt.in)
			backup, err := profiles.ReplaceKey(path, tt.kind, tt.profile, newID, newSecret, replaceOpts())
			if err != nil {
				t.Fatalf("ReplaceKey: %v", err)
			}
			want := strings.Replace(strings.Replace(tt.in, oldID, newID, 1), oldSecret, newSecret, 1)
			if got := readString(t, path); got != want {
				t.Errorf("file is\n%q\nwant\n%q", got, want)
			}
			if backup != path+backupSuffix {
				t.Errorf("backup = %s, want %s", backup, path+backupSuffix)
			}
			if got := readString(t, backup); got != tt.in {
				t.Errorf("backup holds\n%q\nwant the old file\n%q", got, tt.in)
			}
			if got := dirNames(t, dir); len(got) != 2 {
				t.Errorf("directory holds %v, want the file and its backup", got)
			}
			p := get(t, loadKind(t, tt.kind, path), tt.profile)
			if p.AccessKeyID != newID || p.SecretAccessKey.Reveal() != newSecret {
				t.Errorf("Load reads %s / %q", p.AccessKeyID, p.SecretAccessKey.Reveal())
			}
		})
	}
}

// TestReplaceKeySecretAlphabet: every character AWS uses in secrets lands
// in the file and reads back unchanged, '=' included.
func TestReplaceKeySecretAlphabet(t *testing.T) {
	secrets := []string{
		"abcd+/==abcd+/==abcd",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=",
		strings.Repeat("=", 16),
		strings.Repeat("a", 128),
	}
	for _, s := range secrets {
		dir := t.TempDir()
		path := writeFile(t, dir, "credentials", lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret))
		if _, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", strings.Repeat("A", 128), profiles.Secret(s), replaceOpts()); err != nil {
			t.Fatalf("secret %q: %v", s, err)
		}
		p := get(t, loadKind(t, profiles.CredentialsFile, path), "work")
		if p.SecretAccessKey.Reveal() != s || p.AccessKeyID != strings.Repeat("A", 128) {
			t.Errorf("secret %q reads back as %q", s, p.SecretAccessKey.Reveal())
		}
	}
}

// TestReplaceKeyRefuses: every file ReplaceKey cannot edit unambiguously is
// left as it was, with an error naming the file, the profile and a fix.
func TestReplaceKeyRefuses(t *testing.T) {
	cred, conf := profiles.CredentialsFile, profiles.ConfigFile
	good := lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret)
	tests := []struct {
		name    string
		kind    profiles.FileKind
		profile string
		in      string
		id      string
		secret  string
		oldKey  string
		want    []string
	}{
		{name: "no section", in: lines("[other]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret),
			want: []string{"no [work] section", "add them under [work]"}},
		{name: "empty file", in: "", want: []string{"no [work] section"}},
		{name: "config: a bare [work] is not the profile", kind: conf, in: good,
			want: []string{"no [profile work] section"}},
		{name: "credentials: [profile work] is not the profile", in: lines("[profile work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret),
			want: []string{"no [work] section"}},
		{name: "section twice", in: good + lines("region = x", "[other]", "[work]", "region = y"),
			want: []string{"[work] appears 2 times (lines 1, 6)", "Merge them"}},
		{name: "section twice", in: good + lines("[work]", "region = y"),
			want: []string{"[work] appears 2 times (lines 1, 4)"}},
		{name: "spaces inside the header: another profile", in: lines("[ work ]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret),
			want: []string{"it has no [work] section"}},
		{name: "keys before any section", in: lines("aws_access_key_id = "+exampleKeyID, "[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret),
			want: []string{"line 1 comes before the first [section] header"}},
		{name: "an inline comment is part of the value", in: lines("[work]", "aws_access_key_id = "+oldID+" # rotated in 2024", "aws_secret_access_key = "+oldSecret),
			want: []string{"aws_access_key_id in [work] (line 2) holds whitespace"}},
		{name: "a quoted value keeps its quotes", in: lines("[work]", `aws_access_key_id = "`+oldID+`"`, "aws_secret_access_key = "+oldSecret),
			want: []string{"aws_access_key_id in [work] (line 2) is quoted"}},
		{name: "config: [default] and [profile default]", kind: conf, profile: "default",
			in:   lines("[default]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret, "[profile default]", "region = x"),
			want: []string{"[default] appears 2 times (lines 1, 4)"}},
		{name: "no id", in: lines("[work]", "aws_secret_access_key = "+oldSecret),
			want: []string{"[work] (line 1) has no aws_access_key_id", "Add the profile's aws_access_key_id"}},
		{name: "no secret", in: lines("[work]", "aws_access_key_id = "+oldID),
			want: []string{"has no aws_secret_access_key"}},
		{name: "id twice", in: good + lines("aws_access_key_id = "+exampleKeyID),
			want: []string{"aws_access_key_id appears 2 times in [work] (lines 2, 4)", "Delete the lines"}},
		{name: "id twice in other cases", in: good + lines("AWS_Access_Key_ID = "+exampleKeyID),
			want: []string{"aws_access_key_id appears 2 times"}},
		{name: "secret twice", in: good + lines("aws_secret_access_key: "+exampleSecret),
			want: []string{"aws_secret_access_key appears 2 times"}},
		{name: "session token", in: good + lines("aws_session_token = "+exampleToken),
			want: []string{"[work] holds aws_session_token (line 4)", "temporary session credentials", "delete the aws_session_token line"}},
		{name: "security token", in: good + lines("aws_security_token = "+exampleToken),
			want: []string{"holds aws_security_token"}},
		{name: "empty id", in: lines("[work]", "aws_access_key_id =", "aws_secret_access_key = "+oldSecret),
			want: []string{"aws_access_key_id in [work] (line 2) is empty", "Write it as one line"}},
		{name: "empty quoted secret", in: lines("[work]", "aws_access_key_id = "+oldID, `aws_secret_access_key = ""`),
			want: []string{"aws_secret_access_key in [work] (line 3) is quoted"}},
		{name: "id continues on the next line", in: lines("[work]", "aws_access_key_id = "+oldID, "   MORE", "aws_secret_access_key = "+oldSecret),
			want: []string{"aws_access_key_id in [work] (line 2) continues on the next line"}},
		{name: "deeper indented than the key above", in: lines("[work]", "\taws_access_key_id = "+oldID, "  aws_secret_access_key = "+oldSecret),
			want: []string{"aws_access_key_id in [work] (line 2) continues on the next line"}},
		{name: "empty value with a nested block", in: lines("[work]", "aws_access_key_id =", "  "+oldID, "aws_secret_access_key = "+oldSecret),
			want: []string{"aws_access_key_id in [work] (line 2) continues on the next line"}},
		{name: "carriage return inside the id", in: lines("[work]", "aws_access_key_id = AKIA\rOLD", "aws_secret_access_key = "+oldSecret),
			want: []string{"line 3 is neither a [section] header"}}, // a lone CR ends a line, as in the AWS CLI
		{name: "vertical tab inside the id", in: lines("[work]", "aws_access_key_id = AKIA\vOLD", "aws_secret_access_key = "+oldSecret),
			want: []string{"aws_access_key_id in [work] (line 2) holds a control character"}},
		{name: "tab inside the quoted secret", in: lines("[work]", "aws_access_key_id = "+oldID, `aws_secret_access_key = "a`+"\t"+`b"`),
			want: []string{"aws_secret_access_key in [work] (line 3) holds a control character"}},
		{name: "triple-quoted secret", in: lines("[work]", "aws_access_key_id = "+oldID, `aws_secret_access_key = """`+oldSecret+`"""`),
			want: []string{`(line 3) is quoted`}},
		{name: "multi-line backquoted secret", in: lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = `"+oldSecret, "more`"),
			want: []string{"line 4 is neither a [section] header"}},
		{name: "not INI", in: lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key "+oldSecret),
			want: []string{"line 3 is neither a [section] header", "INI format"}},
		{name: "unclosed section", in: lines("[work", "aws_access_key_id = "+oldID),
			want: []string{"line 1 is a section header without its closing ']'"}},
		{name: "another key than the one rotated", in: good, oldKey: exampleKeyID,
			want: []string{"holds access key " + oldID + ", not " + exampleKeyID}},
		{name: "id in lower case", in: good, id: strings.ToLower(newID), want: []string{"new access key id is not 16 to 128 characters"}},
		{name: "id too short", in: good, id: "AKIA1234", want: []string{"new access key id"}},
		{name: "id too long", in: good, id: strings.Repeat("A", 129), want: []string{"new access key id"}},
		{name: "id with a newline", in: good, id: newID + "\n[evil]", want: []string{"new access key id"}},
		{name: "id with a space", in: good, id: "AKIA " + newID, want: []string{"new access key id"}},
		{name: "secret with a newline", in: good, secret: newSecret + "\nregion = evil", want: []string{"new secret access key is not"}},
		{name: "secret with a comment", in: good, secret: newSecret + "#x", want: []string{"new secret access key"}},
		{name: "secret with a space", in: good, secret: newSecret + " x", want: []string{"new secret access key"}},
		{name: "secret with a quote", in: good, secret: `"` + newSecret + `"`, want: []string{"new secret access key"}},
		{name: "secret too short", in: good, secret: "abc", want: []string{"new secret access key"}},
		{name: "secret too long", in: good, secret: strings.Repeat("a", 129), want: []string{"new secret access key"}},
		{name: "empty secret", in: good, secret: "-", want: []string{"new secret access key"}},
		{name: "profile name with a newline", in: good, profile: "work\n[evil]", want: []string{"invalid profile name"}},
		{name: "unknown file kind", kind: profiles.FileKind(9), in: good, want: []string{"unknown FileKind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, profile, id, secret := tt.kind, tt.profile, tt.id, tt.secret
			if kind == 0 {
				kind = cred
			}
			if profile == "" {
				profile = "work"
			}
			if id == "" {
				id = newID
			}
			switch secret {
			case "":
				secret = newSecret
			case "-":
				secret = ""
			}
			dir := t.TempDir()
			path := writeFile(t, dir, "credentials", tt.in)
			opts := replaceOpts()
			opts.OldKeyID = tt.oldKey
			backup, err := profiles.ReplaceKey(path, kind, profile, id, profiles.Secret(secret), opts)
			if err == nil {
				t.Fatalf("ReplaceKey succeeded; file is now\n%s", readString(t, path))
			}
			if backup != "" {
				t.Errorf("backup = %q on failure", backup)
			}
			msg := err.Error()
			mustContain(t, msg, tt.want...)
			var kwe *profiles.KeyWriteError
			if errors.As(err, &kwe) {
				mustContain(t, msg, path, fmt.Sprintf("%q", profile), "the file is unchanged.")
				if kwe.Fix == "" || !strings.HasSuffix(msg, ".") {
					t.Errorf("error has no fix: %s", msg)
				}
			}
			for _, s := range []string{newSecret, oldSecret, secret} {
				if s != "" && strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), s) {
					t.Errorf("error shows a secret: %s", msg)
				}
			}
			if got := readString(t, path); got != tt.in {
				t.Errorf("file changed to\n%q", got)
			}
			if got := dirNames(t, dir); len(got) != 1 {
				t.Errorf("directory holds %v, want only the file", got)
			}
		})
	}
}

// TestReplaceKeyRefusesFiles: paths that are not one readable regular file.
func TestReplaceKeyRefusesFiles(t *testing.T) {
	content := lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret)
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string
		want  []string
	}{
		{"missing", func(t *testing.T, dir string) string { return filepath.Join(dir, "credentials") },
			[]string{"does not exist", "Name the credentials file"}},
		{"dangling link", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "credentials")
			if err := os.Symlink("nowhere", p); err != nil {
				t.Fatal(err)
			}
			return p
		}, []string{"does not exist"}},
		{"link loop", func(t *testing.T, dir string) string {
			a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			if err := os.Symlink(b, a); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(a, b); err != nil {
				t.Fatal(err)
			}
			return a
		}, []string{"cannot follow its links", "Point the link at the real file"}},
		{"directory", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "credentials")
			if err := os.Mkdir(p, 0o700); err != nil {
				t.Fatal(err)
			}
			return p
		}, []string{"not a regular file"}},
		{"hard link", func(t *testing.T, dir string) string {
			p := writeFile(t, dir, "credentials", content)
			if err := os.Link(p, filepath.Join(dir, "copy")); err != nil {
				t.Fatal(err)
			}
			return p
		}, []string{"2 hard links", "symbolic links"}},
		{"unreadable", func(t *testing.T, dir string) string {
			if os.Geteuid() == 0 {
				t.Skip("root reads mode 000 files")
			}
			p := writeFile(t, dir, "credentials", content)
			if err := os.Chmod(p, 0); err != nil {
				t.Fatal(err)
			}
			return p
		}, []string{"cannot read it", "readable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			before := dirNames(t, dir)
			_, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", newID, newSecret, replaceOpts())
			var kwe *profiles.KeyWriteError
			if !errors.As(err, &kwe) {
				t.Fatalf("error %T %v, want *KeyWriteError", err, err)
			}
			mustContain(t, err.Error(), append(tt.want, path, `"work"`)...)
			if after := dirNames(t, dir); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Errorf("directory went from %v to %v", before, after)
			}
		})
	}
}

func TestReplaceKeyNeedsAClock(t *testing.T) {
	path := writeFile(t, t.TempDir(), "credentials", lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret))
	if _, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", newID, newSecret, profiles.ReplaceOptions{}); err == nil {
		t.Fatal("ReplaceKey without Now succeeded")
	}
}

// TestReplaceKeySymlink: a link to the file stays a link; its target is
// edited, and the backup lies beside the name the user knows.
func TestReplaceKeySymlink(t *testing.T) {
	for _, chain := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d links", chain), func(t *testing.T) {
			root := t.TempDir()
			awsDir, dotfiles := filepath.Join(root, ".aws"), filepath.Join(root, "dotfiles")
			for _, d := range []string{awsDir, dotfiles} {
				if err := os.Mkdir(d, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			in := lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret)
			target := writeFile(t, dotfiles, "aws-credentials", in)
			link := filepath.Join(awsDir, "credentials")
			next := "../dotfiles/aws-credentials" // relative, as dotfile managers write them
			if chain == 2 {
				if err := os.Symlink("aws-credentials", filepath.Join(dotfiles, "current")); err != nil {
					t.Fatal(err)
				}
				next = "../dotfiles/current"
			}
			if err := os.Symlink(next, link); err != nil {
				t.Fatal(err)
			}

			backup, err := profiles.ReplaceKey(link, profiles.CredentialsFile, "work", newID, newSecret, replaceOpts())
			if err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("%s is no longer a link: %v", link, err)
			}
			if got, _ := os.Readlink(link); got != next {
				t.Errorf("link points to %q, want %q", got, next)
			}
			want := strings.Replace(strings.Replace(in, oldID, newID, 1), oldSecret, newSecret, 1)
			if got := readString(t, target); got != want {
				t.Errorf("target holds\n%s", got)
			}
			if backup != link+backupSuffix || readString(t, backup) != in {
				t.Errorf("backup %s does not hold the old file", backup)
			}
			wantDot := []string{"aws-credentials"}
			if chain == 2 {
				wantDot = append(wantDot, "current")
			}
			if got := dirNames(t, dotfiles); strings.Join(got, ",") != strings.Join(wantDot, ",") {
				t.Errorf("dotfiles holds %v, want %v (no temporary file or backup there)", got, wantDot)
			}
		})
	}
}

// TestReplaceKeyKeepsMode: the new file has the old one's mode; the backup
// is private whatever the original's mode.
func TestReplaceKeyKeepsMode(t *testing.T) {
	for _, mode := range []os.FileMode{0o600, 0o640, 0o644} {
		t.Run(mode.String(), func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "credentials", lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret))
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			backup, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", newID, newSecret, replaceOpts())
			if err != nil {
				t.Fatal(err)
			}
			for p, want := range map[string]os.FileMode{path: mode, backup: 0o600} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode() != want {
					t.Errorf("%s has mode %v, want %v", p, fi.Mode(), want)
				}
			}
		})
	}
}

// TestReplaceKeyRefusesReadOnly: a file without its owner's write bit is
// the user's "do not touch": refused before anything is made, unchanged,
// and no backup is left.
func TestReplaceKeyRefusesReadOnly(t *testing.T) {
	for _, mode := range []os.FileMode{0o400, 0o444, 0o440} {
		t.Run(mode.String(), func(t *testing.T) {
			dir := t.TempDir()
			before := lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret)
			path := writeFile(t, dir, "credentials", before)
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			err := profiles.CheckReplaceKey(path, profiles.CredentialsFile, "work", oldID)
			if err == nil || !strings.Contains(err.Error(), "read-only") || !strings.Contains(err.Error(), "chmod u+w "+path) {
				t.Fatalf("check of a %v file: %v", mode, err)
			}
			if _, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", newID, newSecret, replaceOpts()); err == nil {
				t.Fatalf("ReplaceKey replaced a %v file", mode)
			}
			if data, _ := os.ReadFile(path); string(data) != before {
				t.Fatalf("the %v file changed", mode)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Fatalf("left behind: %v", entries)
			}
		})
	}
}

// TestReplaceKeyBackupNames: a backup never overwrites a file or follows a
// link that holds its name.
func TestReplaceKeyBackupNames(t *testing.T) {
	dir := t.TempDir()
	v1 := lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret)
	path := writeFile(t, dir, "credentials", v1)
	base := path + backupSuffix
	writeFile(t, dir, filepath.Base(base), "an older backup")
	victim := filepath.Join(dir, "victim")
	if err := os.Symlink(victim, base+"-1"); err != nil {
		t.Fatal(err)
	}

	backup, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", newID, newSecret, replaceOpts())
	if err != nil {
		t.Fatal(err)
	}
	if backup != base+"-2" || readString(t, backup) != v1 {
		t.Errorf("backup = %s, want %s holding the old file", backup, base+"-2")
	}
	if readString(t, base) != "an older backup" {
		t.Error("the older backup was overwritten")
	}
	if _, err := os.Lstat(victim); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the backup followed a link to %s", victim)
	}

	// The same clock again: the next free name.
	v2 := readString(t, path)
	backup, err = profiles.ReplaceKey(path, profiles.CredentialsFile, "work", oldID, oldSecret, replaceOpts())
	if err != nil {
		t.Fatal(err)
	}
	if backup != base+"-3" || readString(t, backup) != v2 {
		t.Errorf("second backup = %s, want %s holding the second version", backup, base+"-3")
	}
	if readString(t, path) != v1 {
		t.Errorf("rotating back did not give the first file:\n%s", readString(t, path))
	}
}

// TestReplaceKeyStopsBeforeRename: a failure between the temporary file and
// the rename leaves the file, and the directory, as they were.
func TestReplaceKeyStopsBeforeRename(t *testing.T) {
	dir := t.TempDir()
	in := lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret)
	path := writeFile(t, dir, "credentials", in)
	stop := errors.New("stopped by the test")
	opts := replaceOpts()
	var sawTemp string
	profiles.SetBeforeRename(&opts, func(tmp string) error {
		sawTemp = readString(t, tmp)
		return stop
	})
	_, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", newID, newSecret, opts)
	if !errors.Is(err, stop) {
		t.Fatalf("error %v, want the hook's", err)
	}
	if !strings.Contains(sawTemp, newID) {
		t.Errorf("the temporary file did not hold the new key: %q", sawTemp)
	}
	if readString(t, path) != in {
		t.Error("the file changed")
	}
	if got := dirNames(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v, want only the file", got)
	}
}

// TestReplaceKeyLostUpdate: a file edited by someone else while ReplaceKey
// works is not overwritten.
func TestReplaceKeyLostUpdate(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "credentials", lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret))
	theirs := lines("[work]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret)
	opts := replaceOpts()
	profiles.SetBeforeRename(&opts, func(string) error {
		return os.WriteFile(path, []byte(theirs), 0o600)
	})
	_, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", newID, newSecret, opts)
	if err == nil {
		t.Fatal("ReplaceKey succeeded")
	}
	mustContain(t, err.Error(), "changed while awsenv was editing it")
	if readString(t, path) != theirs {
		t.Error("the other edit was overwritten")
	}
	if got := dirNames(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v, want only the file", got)
	}
}

// TestReplaceKeyCrash: a process that dies between writing the temporary
// file and renaming it leaves the original whole and readable.
func TestReplaceKeyCrash(t *testing.T) {
	if path := os.Getenv("AWSENV_TEST_CRASH_FILE"); path != "" {
		opts := replaceOpts()
		profiles.SetBeforeRename(&opts, func(string) error {
			os.Exit(7) // no deferred clean-up runs, as in a crash
			return nil
		})
		_, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", newID, newSecret, opts)
		t.Fatalf("ReplaceKey returned: %v", err)
	}

	dir := t.TempDir()
	in := lines("# keep me", "[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret)
	path := writeFile(t, dir, "credentials", in)
	cmd := testproc.Command(os.Args[0], "-test.run=^TestReplaceKeyCrash$")
	cmd.Env = []string{"AWSENV_TEST_CRASH_FILE=" + path, "HOME=" + dir}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 7 {
		t.Fatalf("child: %v, want exit status 7\n%s", err, out)
	}
	if readString(t, path) != in {
		t.Fatal("the file changed")
	}
	p := get(t, loadKind(t, profiles.CredentialsFile, path), "work")
	if p.AccessKeyID != oldID {
		t.Errorf("Load reads %s after the crash", p.AccessKeyID)
	}
	// The crash leaves a backup of the old file and a hidden temporary file.
	if readString(t, path+backupSuffix) != in {
		t.Error("no backup of the old file")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".credentials.awsenv-*"))
	if len(left) != 1 {
		t.Errorf("temporary files left: %v", left)
	}
	// The leftovers do not stop the next attempt.
	backup, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", newID, newSecret, replaceOpts())
	if err != nil {
		t.Fatal(err)
	}
	if backup != path+backupSuffix+"-1" {
		t.Errorf("backup = %s", backup)
	}
}

// TestReplaceKeyLongNestedValue: a nested value of many lines is one value
// (gopkg.in/ini.v1, the parser awsenv used before, gave up after 4 KB and
// read the indented aws_access_key_id below as a key of the section).
func TestReplaceKeyLongNestedValue(t *testing.T) {
	in := lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret, "s3 =") +
		strings.Repeat("  x = 1\n", 512) + lines("  aws_access_key_id = "+exampleKeyID)
	dir := t.TempDir()
	path := writeFile(t, dir, "credentials", in)
	if _, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", newID, newSecret, replaceOpts()); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(strings.Replace(in, oldID, newID, 1), oldSecret, newSecret, 1)
	if got := readString(t, path); got != want {
		t.Errorf("file is\n%q\nwant\n%q", got, want)
	}
}

func TestCheckReplaceKey(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "credentials", lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret))
	if err := profiles.CheckReplaceKey(path, profiles.CredentialsFile, "work", oldID); err != nil {
		t.Errorf("CheckReplaceKey: %v", err)
	}
	if err := profiles.CheckReplaceKey(path, profiles.CredentialsFile, "work", exampleKeyID); err == nil {
		t.Error("CheckReplaceKey accepted another key id")
	}
	var kwe *profiles.KeyWriteError
	if err := profiles.CheckReplaceKey(path, profiles.ConfigFile, "work", ""); !errors.As(err, &kwe) {
		t.Errorf("CheckReplaceKey on the wrong kind: %v", err)
	}
	if err := profiles.CheckReplaceKey(path, profiles.CredentialsFile, "-x", ""); err == nil {
		t.Error("CheckReplaceKey accepted an invalid name")
	}
	if got := dirNames(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v, want only the file", got)
	}
}

func TestKeyFileKind(t *testing.T) {
	c := load(t,
		lines("[profile a]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret, "[profile b]", "region = x"),
		lines("[b]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret))
	for name, want := range map[string]profiles.FileKind{"a": profiles.ConfigFile, "b": profiles.CredentialsFile} {
		if got := get(t, c, name).KeyFileKind(); got != want {
			t.Errorf("%s: KeyFileKind = %v, want %v", name, got, want)
		}
	}
}

// TestReplaceKeyKeepsOwner: root editing a user's file leaves it the user's.
func TestReplaceKeyKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another user")
	}
	path := writeFile(t, t.TempDir(), "credentials", lines("[work]", "aws_access_key_id = "+oldID, "aws_secret_access_key = "+oldSecret))
	if err := os.Chown(path, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	if _, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "work", newID, newSecret, replaceOpts()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Uid != 1234 || st.Gid != 5678 {
		t.Errorf("owner is %+v, want 1234:5678", fi.Sys())
	}
}
