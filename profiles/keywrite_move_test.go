package profiles_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

const (
	moveID     = "AKIAIOSFODNN7EXAMPLE"
	moveSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// RemoveKeys takes out the two key lines and nothing else (comments,
// spacing, CRLF, the section itself, other profiles' keys), leaves no
// backup, and AddKeys puts them back as the first keys of the section.
func TestRemoveAndAddKeys(t *testing.T) {
	t.Parallel()
	for name, nl := range map[string]string{"LF": "\n", "CRLF": "\r\n"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "credentials")
			l := func(lines ...string) string { return strings.Join(lines, nl) + nl }
			orig := l("# mine", "[other]", "aws_access_key_id=AKIAI44QH8DHBEXAMPLE", "aws_secret_access_key=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
				"", "; work", "[alice]", "aws_secret_access_key   =   "+moveSecret, "# comment", "aws_access_key_id  ="+moveID, "region = eu-west-1")
			if err := os.WriteFile(path, []byte(orig), 0o640); err != nil {
				t.Fatal(err)
			}
			if err := profiles.RemoveKeys(path, profiles.CredentialsFile, "alice", "AKIAOTHERKEY00000000", profiles.MoveOptions{}); err == nil {
				t.Fatal("RemoveKeys took out a key other than the one named")
			}
			if err := profiles.RemoveKeys(path, profiles.CredentialsFile, "alice", moveID, profiles.MoveOptions{}); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			want := l("# mine", "[other]", "aws_access_key_id=AKIAI44QH8DHBEXAMPLE", "aws_secret_access_key=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
				"", "; work", "[alice]", "# comment", "region = eu-west-1")
			if string(got) != want {
				t.Fatalf("after RemoveKeys:\n%q\nwant\n%q", got, want)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
				t.Errorf("mode %v, want the file's own 0640", fi.Mode())
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Fatalf("files beside it: %v (no backup, no temporary file)", entries)
			}
			if err := profiles.AddKeys(path, profiles.CredentialsFile, "alice", moveID, profiles.Secret(moveSecret), profiles.MoveOptions{}); err != nil {
				t.Fatal(err)
			}
			got, _ = os.ReadFile(path)
			want = l("# mine", "[other]", "aws_access_key_id=AKIAI44QH8DHBEXAMPLE", "aws_secret_access_key=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
				"", "; work", "[alice]", "aws_access_key_id = "+moveID, "aws_secret_access_key = "+moveSecret, "# comment", "region = eu-west-1")
			if string(got) != want {
				t.Fatalf("after AddKeys:\n%q\nwant\n%q", got, want)
			}
			if err := profiles.AddKeys(path, profiles.CredentialsFile, "alice", moveID, profiles.Secret(moveSecret), profiles.MoveOptions{}); err == nil {
				t.Fatal("AddKeys wrote a second key into a section that has one")
			}
			// A profile the file lacks gets a section of its own; a file
			// that is not there is made, 0600.
			if err := profiles.AddKeys(path, profiles.CredentialsFile, "bob", moveID, profiles.Secret(moveSecret), profiles.MoveOptions{}); err != nil {
				t.Fatal(err)
			}
			cfg, err := profiles.Load(profiles.Files{Credentials: path})
			if err != nil {
				t.Fatal(err)
			}
			if p, err := cfg.Get("bob"); err != nil || p.AccessKeyID != moveID {
				t.Fatalf("bob: %v", err)
			}
			fresh := filepath.Join(dir, "new", "credentials")
			if err := profiles.AddKeys(fresh, profiles.CredentialsFile, "carol", moveID, profiles.Secret(moveSecret), profiles.MoveOptions{}); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("a new file: %v %v", err, fi)
			}
		})
	}
}

// A profile with no keys in the files but an entry in the key index is a
// user profile whose key is in the keyring; the index is read only for
// such profiles, and an unsafe index is refused.
func TestKeyIndexResolves(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	index := filepath.Join(dir, "data", "keys.json")
	if err := os.WriteFile(creds, []byte("[alice]\nregion = eu-west-1\n[empty]\nregion = x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := profiles.UpdateKeyIndex(index, "alice", &profiles.StoredKey{KeyID: moveID, Backend: "file"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := profiles.Load(profiles.Files{Credentials: creds, KeyIndex: index})
	if err != nil {
		t.Fatal(err)
	}
	r, err := cfg.Resolve("alice")
	if err != nil || r.Kind != profiles.KindUser || r.Profile.Stored == nil || r.Profile.AccessKeyID != moveID || r.Profile.SecretAccessKey != "" {
		t.Fatalf("alice: %+v, %v", r, err)
	}
	if !strings.Contains(r.Profile.KeyPlace(), "keyring (file)") {
		t.Errorf("KeyPlace = %q", r.Profile.KeyPlace())
	}
	if _, err := cfg.Resolve("empty"); err == nil || !strings.Contains(err.Error(), "awsenv keys add empty") {
		t.Errorf("a profile with no keys anywhere: %v", err)
	}
	if err := os.Chmod(index, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _ = profiles.Load(profiles.Files{Credentials: creds, KeyIndex: index})
	if _, err := cfg.Resolve("alice"); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("an index others can read: %v", err)
	}
	if err := profiles.UpdateKeyIndex(index, "alice", nil); err == nil {
		t.Error("UpdateKeyIndex rewrote an unsafe index")
	}
}
