//go:build unix

package profiles_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

// FuzzReplaceKey: whatever the file holds, ReplaceKey either refuses and
// leaves it (and its directory) untouched, or changes nothing but one value
// to the new id and one to the new secret, which the loader then reads.
func FuzzReplaceKey(f *testing.F) {
	keys := "aws_access_key_id = " + oldID + "\naws_secret_access_key = " + oldSecret + "\n"
	seeds := []string{
		"[work]\n" + keys,
		"[default]\n" + keys + "[work]\nregion = x\n" + keys,
		"# c\n; c\n\n[work]   # c\naws_secret_access_key = " + oldSecret + "\nregion = eu-west-1\n\naws_access_key_id = " + oldID + "\n",
		strings.ReplaceAll("[work]\n"+keys, "\n", "\r\n"),
		"[work]\naws_access_key_id = " + oldID + "\naws_secret_access_key = " + oldSecret,
		"[work]\n\taws_access_key_id\t=\t" + oldID + "\n\taws_secret_access_key:" + oldSecret + "\n",
		"[work]\naws_access_key_id = \"" + oldID + "\" # c\naws_secret_access_key = '" + oldSecret + "' ; c\n",
		"[ work ]\nAWS_ACCESS_KEY_ID = " + oldID + "\nAws_Secret_Access_Key = " + oldSecret + "\n",
		"\ufeff[work]\n" + keys,
		"[work]\ns3 =\n  aws_access_key_id = x\n" + keys,
		"[work]\naws_access_key_id = " + oldID + "\n   \n\t\naws_secret_access_key = " + oldSecret + "\n",
		"[profile work]\n" + keys + "[work]\n" + keys,
		"[default]\n" + keys + "[profile default]\nregion = x\n",
		"[profile \t work ]\r\n  aws_access_key_id = " + oldID + "\r\n  aws_secret_access_key = " + oldSecret + "\r\n",
		"[work]\n" + keys + "aws_session_token = x\n",
		"[work]\naws_access_key_id = " + oldID + "\n  more\naws_secret_access_key = " + oldSecret + "\n",
		"[work]\naws_access_key_id = `" + oldID + "\n`\naws_secret_access_key = \"\"\"" + oldSecret + "\"\"\"\n",
		"[work]\n\taws_access_key_id = " + oldID + "\n  aws_secret_access_key = " + oldSecret + "\n",
		"[work]\n" + keys + "[work]\n",
		"[work\n" + keys,
		"[x]\n" + keys + "\f aws_access_key_id = y\n",
		"",
	}
	for _, s := range seeds {
		for which := range uint8(3) {
			f.Add([]byte(s), which, false)
			f.Add([]byte(s), which, true)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8, config bool) {
		profile := []string{"work", "default", "x"}[which%3]
		kind := profiles.CredentialsFile
		if config {
			kind = profiles.ConfigFile
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "credentials")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		backup, err := profiles.ReplaceKey(path, kind, profile, newID, newSecret, replaceOpts())
		got, rerr := os.ReadFile(path)
		if rerr != nil {
			t.Fatal(rerr)
		}
		if err != nil {
			if !bytes.Equal(got, data) {
				t.Fatalf("refused (%v) but changed the file to %q", err, got)
			}
			if names := dirNames(t, dir); len(names) != 1 {
				t.Fatalf("refused (%v) but left %v", err, names)
			}
			if msg := err.Error(); strings.Contains(msg, newSecret) || strings.Contains(msg, "\n") {
				t.Fatalf("error shows the secret or spans lines: %q", msg)
			}
			return
		}
		if !onlyValuesChanged(data, got, newID, newSecret) {
			t.Fatalf("more than the two values changed:\n in: %q\nout: %q", data, got)
		}
		if b, err := os.ReadFile(backup); err != nil || !bytes.Equal(b, data) {
			t.Fatalf("backup %s does not hold the old file: %v", backup, err)
		}
		files := profiles.Files{Credentials: path}
		if config {
			files = profiles.Files{Config: path}
		}
		c, err := profiles.Load(files)
		if err != nil {
			t.Fatalf("Load after ReplaceKey: %v", err)
		}
		p, err := c.Get(profile)
		if err != nil || p.AccessKeyID != newID || p.SecretAccessKey.Reveal() != newSecret {
			t.Fatalf("Load does not read the new key: %v", err)
		}
	})
}

// onlyValuesChanged reports whether out is in with, at most, one run of
// bytes inside a line replaced by id and one by secret.
func onlyValuesChanged(in, out []byte, id, secret string) bool {
	inLines, outLines := bytes.SplitAfter(in, []byte("\n")), bytes.SplitAfter(out, []byte("\n"))
	if len(inLines) != len(outLines) {
		return false
	}
	ids, secrets := 0, 0
	for i := range inLines {
		switch a, b := inLines[i], outLines[i]; {
		case bytes.Equal(a, b):
		case replacedOnce(a, b, id):
			ids++
		case replacedOnce(a, b, secret):
			secrets++
		default:
			return false
		}
	}
	return ids <= 1 && secrets <= 1
}

// replacedOnce reports whether b is a with one run replaced by v. The old
// run is a value as the loader reads it: not empty, on one line, and not
// starting or ending with white space.
func replacedOnce(a, b []byte, v string) bool {
	for k := 0; k+len(v) <= len(b); k++ {
		if string(b[k:k+len(v)]) != v {
			continue
		}
		pre, suf := b[:k], b[k+len(v):]
		if len(a) <= len(pre)+len(suf) || !bytes.HasPrefix(a, pre) || !bytes.HasSuffix(a, suf) {
			continue
		}
		old := a[len(pre) : len(a)-len(suf)]
		if !bytes.ContainsAny(old, "\r\n") && len(bytes.TrimSpace(old)) == len(old) {
			return true
		}
	}
	return false
}

// TestOnlyValuesChanged: the fuzz test's oracle tells edits apart.
func TestOnlyValuesChanged(t *testing.T) {
	const in = "[x]\r\nid = OLDID\r\nsecret = OLDSECRET # c\n"
	tests := []struct {
		out  string
		want bool
	}{
		{in, true},
		{"[x]\r\nid = NEWID\r\nsecret = NEWSECRET # c\n", true},
		{"[x]\r\nid = OLDNEWID\r\nsecret = OLDSECRET # c\n", true}, // the run replaced is "ID"
		{"[x]\r\nid = NEWID\nsecret = NEWSECRET # c\n", false},     // a line end changed
		{"[x]\r\nid = NEWID\r\nsecret = NEWSECRET # c", false},     // the final newline went
		{"[x]\r\nid = NEWID\r\nsecret = NEWSECRET #c\n", false},    // the comment changed
		{"[x]\r\nid=NEWID\r\nsecret = NEWSECRET # c\n", false},     // spacing changed
		{"[x]\r\nid = NEWSECRET\r\nsecret = NEWSECRET # c\n", false},
		{"[x]\r\nid = NEWID\r\nsecret = NEWSECRET # c\nregion = x\n", false},
		{"[y]\r\nid = NEWID\r\nsecret = NEWSECRET # c\n", false},
	}
	for _, tt := range tests {
		if got := onlyValuesChanged([]byte(in), []byte(tt.out), "NEWID", "NEWSECRET"); got != tt.want {
			t.Errorf("onlyValuesChanged(%q) = %v, want %v", tt.out, got, tt.want)
		}
	}
}
