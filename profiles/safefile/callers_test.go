//go:build unix

package safefile_test

// Every writer and reader of awsenv's private files goes through the one
// atomic write and the one owner and mode check: shown here by a fault
// injected into WriteAtomic stopping each writer, and by the same hostile
// files refused by each reader.

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/safefile"
	"github.com/awsenv/awsenv/profiles/sessions"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

var crash = errors.New("crash before the rename")

// writers are every function that replaces a private file, each given a
// fresh directory and a version number to write.
var writers = []struct {
	name  string
	write func(t *testing.T, dir string, v int) error
}{
	{"sessions.Save", func(t *testing.T, dir string, v int) error {
		s := openStore(t, dir)
		return s.Save(sessions.Key{Profile: "p", Kind: sessions.KindRole}, &sessions.Session{RoleARN: strconv.Itoa(v)})
	}},
	{"sessions.SaveRecord (rotate journal)", func(t *testing.T, dir string, v int) error {
		return openStore(t, dir).SaveRecord("rotate-journal", map[string]int{"v": v})
	}},
	{"sessions.SaveLastCode", func(t *testing.T, dir string, v int) error {
		return openStore(t, dir).SaveLastCode("arn:aws:iam::123456789012:mfa/u", strconv.Itoa(100000+v), time.Unix(int64(v), 0))
	}},
	{"ssocache.Save", func(t *testing.T, dir string, v int) error {
		c := &ssocache.Cache{Dir: dir}
		return c.Save(t.Context(), "sso", &ssocache.Token{AccessToken: profiles.Secret("tok" + strconv.Itoa(v)), ExpiresAt: time.Unix(int64(v), 0)})
	}},
	{"ssocache.SaveRegistration", func(t *testing.T, dir string, v int) error {
		c := &ssocache.Cache{Dir: dir}
		return c.SaveRegistration("reg", &ssocache.Registration{ClientID: "id" + strconv.Itoa(v), ExpiresAt: time.Unix(int64(v), 0)})
	}},
	{"profiles.ReplaceKey (the credentials writer)", func(t *testing.T, dir string, v int) error {
		path := filepath.Join(dir, "credentials")
		if v == 1 {
			must(t, os.MkdirAll(dir, 0o700))
			return os.WriteFile(path, []byte("[p]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"), 0o600)
		}
		_, err := profiles.ReplaceKey(path, profiles.CredentialsFile, "p", "AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
			profiles.ReplaceOptions{Now: func() time.Time { return time.Unix(int64(v), 0) }})
		return err
	}},
	{"profiles.Populate.Write (sso populate)", func(t *testing.T, dir string, v int) error {
		path := filepath.Join(dir, "config")
		if v == 1 {
			must(t, os.MkdirAll(dir, 0o700))
			return os.WriteFile(path, []byte("# mine\n[profile mine]\nregion = eu-west-1\n"), 0o600)
		}
		p, err := profiles.PlanPopulate(path, []profiles.Generated{{Name: "g" + strconv.Itoa(v), Keys: [][2]string{{"sso_session", "corp"}}}}, "sso-session corp", true)
		if err != nil {
			return err
		}
		_, err = p.Write(profiles.PopulateWriteOptions{Now: func() time.Time { return time.Unix(int64(v), 0) }})
		return err
	}},
}

func openStore(t *testing.T, dir string) *sessions.Store {
	t.Helper()
	s, err := sessions.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEveryWriterIsAtomic: with a fault injected just before
// WriteAtomic's rename, each writer fails with it and leaves its directory
// exactly as it was: the old file whole, no temporary file, no backup.
func TestEveryWriterIsAtomic(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "d")
			if err := w.write(t, dir, 1); err != nil {
				t.Fatalf("first write: %v", err)
			}
			before := snapshot(t, dir)
			undo := safefile.InjectFault(dir, crash)
			err := w.write(t, dir, 2)
			undo()
			if !errors.Is(err, crash) {
				t.Fatalf("with a fault in WriteAtomic: %v; the writer does not go through it", err)
			}
			if after := snapshot(t, dir); !equal(before, after) {
				t.Errorf("the directory changed:\nbefore %v\nafter  %v", keys(before), keys(after))
			}
			if err := w.write(t, dir, 3); err != nil {
				t.Fatalf("write after the fault: %v", err)
			}
			if after := snapshot(t, dir); equal(before, after) {
				t.Error("the third write changed nothing")
			}
		})
	}
}

// snapshot is every file in dir (lock files aside: taking a lock makes
// one), by name, with its bytes and mode.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".lock") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(p)
		fi, serr := os.Lstat(p)
		if err != nil || serr != nil {
			t.Fatal(err, serr)
		}
		out[e.Name()] = fi.Mode().String() + " " + string(data)
	}
	return out
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestEveryReaderChecksPrivate: the same hostile files put where each
// reader of private files looks are refused with safefile's
// *PrivateError (or, for the SSO cache, which the AWS CLI shares and
// writes 0644 in older releases, refused when not the user's).
func TestEveryReaderChecksPrivate(t *testing.T) {
	type reader struct {
		name string
		// place makes the file the reader reads and returns its path.
		place func(t *testing.T, dir string) string
		read  func(t *testing.T, dir string) error
		// modeChecked: a 0644 file is refused (the SSO cache only
		// checks the owner).
		modeChecked bool
	}
	key := sessions.Key{Profile: "p", Kind: sessions.KindRole}
	sessionPath := func(t *testing.T, dir string) string {
		s := openStore(t, dir)
		if err := s.Save(key, &sessions.Session{Credentials: profiles.Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s", SessionToken: "t", Expiration: time.Now().Add(time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		ents, _ := s.List()
		return ents[0].Path
	}
	readers := []reader{
		{"sessions.Load", sessionPath, func(t *testing.T, dir string) error {
			_, err := openStore(t, dir).Load(key)
			return err
		}, true},
		{"sessions.List (skips)", sessionPath, func(t *testing.T, dir string) error {
			ents, err := openStore(t, dir).List()
			if err == nil && len(ents) == 0 {
				return &safefile.PrivateError{Reason: safefile.OpenMode} // skipped: refused quietly
			}
			return err
		}, true},
		{"sessions.LoadRecord", func(t *testing.T, dir string) string {
			s := openStore(t, dir)
			if err := s.SaveRecord("rotate-journal", 1); err != nil {
				t.Fatal(err)
			}
			return s.RecordPath("rotate-journal")
		}, func(t *testing.T, dir string) error {
			var v int
			_, err := openStore(t, dir).LoadRecord("rotate-journal", &v)
			return err
		}, true},
		{"ssocache.Load", func(t *testing.T, dir string) string {
			c := &ssocache.Cache{Dir: dir}
			if err := c.Save(t.Context(), "sso", &ssocache.Token{AccessToken: "tok", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			return c.Path("sso")
		}, func(t *testing.T, dir string) error {
			_, err := (&ssocache.Cache{Dir: dir}).Load("sso")
			return err
		}, false},
	}
	for _, r := range readers {
		for _, hostile := range []string{"mode 0644", "someone else's", "a FIFO", "a symbolic link"} {
			t.Run(r.name+"/"+hostile, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "d")
				path := r.place(t, dir)
				if err := r.read(t, dir); err != nil {
					t.Fatalf("reading the file as written: %v", err)
				}
				refused := true
				switch hostile {
				case "mode 0644":
					must(t, os.Chmod(path, 0o644))
					refused = r.modeChecked
				case "someone else's":
					if os.Geteuid() != 0 {
						t.Skip("needs root to give a file away")
					}
					must(t, os.Chown(path, 65534, 65534))
				case "a FIFO":
					must(t, os.Remove(path))
					must(t, syscall.Mkfifo(path, 0o600))
				case "a symbolic link":
					other := filepath.Join(t.TempDir(), "other")
					data, err := os.ReadFile(path)
					must(t, err)
					must(t, os.WriteFile(other, data, 0o600))
					must(t, os.Remove(path))
					must(t, os.Symlink(other, path))
				}
				err := r.read(t, dir)
				var pe *safefile.PrivateError
				var corrupt *ssocache.CorruptError
				switch {
				case !refused && err != nil:
					t.Errorf("refused: %v", err)
				case refused && !errors.As(err, &pe) && !errors.As(err, &corrupt):
					t.Errorf("read %s: %v, want a refusal", hostile, err)
				}
			})
		}
	}
}

// TestNoOtherWriter: outside safefile, no code in profiles renames a file
// into place, makes a temporary file, or reads a file's owner: those are
// WriteAtomic's and CheckPrivate's.
func TestNoOtherWriter(t *testing.T) {
	banned := map[string]bool{"os.Rename": true, "os.CreateTemp": true, "syscall.Stat_t": true, "os.WriteFile": true}
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() && (d.Name() == "testdata" || p == filepath.Join(root, "safefile")) {
			if d != nil && d.IsDir() && err == nil {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && banned[id.Name+"."+sel.Sel.Name] {
					t.Errorf("%s uses %s.%s: write through safefile.WriteAtomic, check owners with safefile.CheckPrivate", p, id.Name, sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
