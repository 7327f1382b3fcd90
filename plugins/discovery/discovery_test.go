package discovery

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles/safefile"
)

// base is a fresh temporary directory whose own chain up to / is safe; on
// a machine whose temp directory is not (say a group-writable $TMPDIR)
// nothing here can be tested.
func base(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var untrusted *safefile.UntrustedError
	if err := safefile.Trusted(dir, os.Getuid()); errors.As(err, &untrusted) {
		t.Skipf("the temporary directory is not safe for these tests: %v", err)
	} else if err != nil {
		t.Fatal(err)
	}
	return dir
}

func mkdir(t *testing.T, path string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func write(t *testing.T, path string, mode os.FileMode, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// plugin writes dir/awsenv-plugin-name with mode.
func plugin(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	return write(t, filepath.Join(dir, Prefix+name), mode, "#!/bin/sh\nexit 0\n")
}

func asError(t *testing.T, err error) *plugins.Error {
	t.Helper()
	var pe *plugins.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *plugins.Error", err)
	}
	return pe
}

func TestModes(t *testing.T) {
	tests := []struct {
		dirMode, fileMode os.FileMode
		unsafe            string // "" if usable, else the path (dir or file) to blame
	}{
		{0o755, 0o755, ""},
		{0o700, 0o700, ""},
		{0o755, 0o500, ""},
		{os.ModeSticky | 0o777, 0o755, ""}, // like /tmp
		{0o775, 0o755, "dir"},
		{0o777, 0o755, "dir"},
		{0o755, 0o775, "file"},
		{0o755, 0o757, "file"},
		{0o777, 0o757, "both"},
	}
	uid := os.Getuid()
	for _, tt := range tests {
		t.Run(fmt.Sprintf("dir%v_file%v", tt.dirMode, tt.fileMode), func(t *testing.T) {
			t.Parallel()
			dir := mkdir(t, filepath.Join(base(t), "plugins"), tt.dirMode)
			path := plugin(t, dir, "demo", tt.fileMode)
			pl, err := Find([]string{dir}, "demo", uid)
			if pl.Path != path || pl.Name != "demo" {
				t.Errorf("Find = %+v, want path %s", pl, path)
			}
			if tt.unsafe == "" {
				if err != nil || pl.Problem != nil {
					t.Fatalf("Find: %v, want the plugin", err)
				}
				return
			}
			if !errors.Is(err, ErrUnsafe) || pl.Problem != err {
				t.Fatalf("err = %v, Problem = %v; want ErrUnsafe in both", err, pl.Problem)
			}
			pe := asError(t, err)
			if pe.Provider != "demo" || pe.Problem != "refusing to run "+path {
				t.Errorf("Provider, Problem = %q, %q", pe.Provider, pe.Problem)
			}
			if tt.unsafe == "dir" || tt.unsafe == "both" {
				if !strings.Contains(pe.Fix, "chmod go-w "+dir) || !strings.Contains(err.Error(), dir+" is writable by group or others") {
					t.Errorf("err = %v, want the directory named with chmod go-w", err)
				}
			}
			if tt.unsafe == "file" || tt.unsafe == "both" {
				if !strings.Contains(pe.Fix, "chmod go-w "+path) {
					t.Errorf("Fix = %q, want chmod go-w %s", pe.Fix, path)
				}
			}
			if tt.unsafe == "file" && strings.Contains(pe.Fix, "chmod go-w "+dir+"`") {
				t.Errorf("Fix = %q blames the safe directory", pe.Fix)
			}
		})
	}
}

func TestUnsafeParent(t *testing.T) {
	t.Parallel()
	open := mkdir(t, filepath.Join(base(t), "share"), 0o777)
	dir := mkdir(t, filepath.Join(open, "awsenv", "plugins"), 0o755)
	os.Chmod(filepath.Join(open, "awsenv"), 0o755)
	plugin(t, dir, "demo", 0o755)
	_, err := Find([]string{dir}, "demo", os.Getuid())
	if !errors.Is(err, ErrUnsafe) || !strings.Contains(asError(t, err).Fix, "chmod go-w "+open) {
		t.Fatalf("err = %v, want %s blamed", err, open)
	}
}

func TestSymlinks(t *testing.T) {
	t.Parallel()
	root := base(t)
	dir := mkdir(t, filepath.Join(root, "plugins"), 0o755)
	good := mkdir(t, filepath.Join(root, "good"), 0o755)
	bad := mkdir(t, filepath.Join(root, "bad"), 0o777)
	uid := os.Getuid()

	target := write(t, filepath.Join(good, "real"), 0o755, "#!/bin/sh\n")
	link := filepath.Join(dir, Prefix+"good")
	must(t, os.Symlink(target, link))
	if err := CheckSafe(link, uid); err != nil {
		t.Errorf("link to a safe file: %v", err)
	}

	badTarget := write(t, filepath.Join(bad, "real"), 0o755, "#!/bin/sh\n")
	link = filepath.Join(dir, Prefix+"bad")
	must(t, os.Symlink(badTarget, link))
	err := CheckSafe(link, uid)
	if !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), bad+" is writable by group or others") ||
		!strings.Contains(asError(t, err).Fix, "chmod go-w "+bad) {
		t.Errorf("link into a world-writable directory: %v", err)
	}

	// A relative link to a file that is itself writable by others.
	write(t, filepath.Join(good, "loose"), 0o757, "#!/bin/sh\n")
	link = filepath.Join(dir, Prefix+"loose")
	must(t, os.Symlink("../good/loose", link))
	if err := CheckSafe(link, uid); !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), filepath.Join(good, "loose")) {
		t.Errorf("link to a loose file: %v", err)
	}

	link = filepath.Join(dir, Prefix+"dangling")
	must(t, os.Symlink(filepath.Join(good, "missing"), link))
	if err := CheckSafe(link, uid); err == nil || !strings.Contains(err.Error(), "follow symbolic links") {
		t.Errorf("dangling link: %v", err)
	}

	// The plugin directory itself is a link into an unsafe place.
	badPlugins := mkdir(t, filepath.Join(bad, "plugins"), 0o755)
	plugin(t, badPlugins, "demo", 0o755)
	linkedDir := filepath.Join(root, "linked")
	must(t, os.Symlink(badPlugins, linkedDir))
	if _, err := Find([]string{linkedDir}, "demo", uid); !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), bad) {
		t.Errorf("plugin dir linked into an unsafe directory: %v", err)
	}
}

func TestNotARegularExecutable(t *testing.T) {
	t.Parallel()
	dir := mkdir(t, filepath.Join(base(t), "plugins"), 0o755)
	path := plugin(t, dir, "noexec", 0o644)
	err := CheckSafe(path, os.Getuid())
	if err == nil || !strings.Contains(asError(t, err).Fix, "chmod 755 "+path) {
		t.Errorf("not executable: %v", err)
	}
	sub := mkdir(t, filepath.Join(dir, Prefix+"adir"), 0o755)
	if err := CheckSafe(sub, os.Getuid()); err == nil || !strings.Contains(err.Error(), "not a regular file (a directory)") {
		t.Errorf("a directory: %v", err)
	}
}

func TestOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give files away")
	}
	t.Parallel()
	dir := mkdir(t, filepath.Join(base(t), "plugins"), 0o755)
	path := plugin(t, dir, "demo", 0o755)
	must(t, os.Chown(path, 1234, 1234))
	if err := CheckSafe(path, 1234); err != nil {
		t.Errorf("file of uid 1234 in root's directories, for uid 1234: %v", err)
	}
	err := CheckSafe(path, 0)
	if !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), path+" belongs to 1234") ||
		!strings.Contains(asError(t, err).Fix, "chown root "+path) {
		t.Errorf("file of uid 1234, for root: %v", err)
	}
	if err := CheckSafe(path, 4321); !errors.Is(err, ErrUnsafe) {
		t.Errorf("file of uid 1234, for uid 4321: %v", err)
	}

	must(t, os.Chown(path, 0, 0))
	must(t, os.Chown(dir, 1234, 1234))
	if err := CheckSafe(path, 0); !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), dir+" belongs to 1234") {
		t.Errorf("directory of uid 1234, for root: %v", err)
	}
	if err := CheckSafe(path, 1234); err != nil {
		t.Errorf("root's file in uid 1234's directory, for uid 1234: %v", err)
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	dir := mkdir(t, filepath.Join(base(t), "plugins"), 0o755)
	for _, name := range []string{"a", "my-plugin_2", "0day", "yubikey-bio"} {
		if err := ValidName(name); err != nil {
			t.Errorf("ValidName(%q) = %v", name, err)
		}
	}
	for _, name := range []string{"", "Bad", "-x", "_x", "a/b", "../x", "a.b", "a b", "é"} {
		_, err := Find([]string{dir}, name, os.Getuid())
		if pe := asError(t, err); !strings.Contains(pe.Problem, "not a valid plugin name") {
			t.Errorf("Find(%q) = %v", name, err)
		}
	}
	for _, name := range Reserved {
		plugin(t, dir, name, 0o755)
		_, err := Find([]string{dir}, name, os.Getuid())
		if pe := asError(t, err); !strings.Contains(pe.Problem, "built-in provider") {
			t.Errorf("Find(%q) = %v", name, err)
		}
	}
}

func TestFirstDirWins(t *testing.T) {
	t.Parallel()
	root := base(t)
	home := mkdir(t, filepath.Join(root, "home", "awsenv", "plugins"), 0o755)
	system := mkdir(t, filepath.Join(root, "usr", "awsenv", "plugins"), 0o755)
	uid := os.Getuid()
	first := plugin(t, home, "demo", 0o755)
	plugin(t, system, "demo", 0o755)
	only := plugin(t, system, "other", 0o755)
	dirs := []string{"", "relative/dir", filepath.Join(root, "missing"), home, system}

	if pl, err := Find(dirs, "demo", uid); err != nil || pl.Path != first {
		t.Errorf("Find(demo) = %+v, %v; want %s", pl, err, first)
	}
	if pl, err := Find(dirs, "other", uid); err != nil || pl.Path != only {
		t.Errorf("Find(other) = %+v, %v; want %s", pl, err, only)
	}
	// An unsafe first match is refused, not skipped for the next one.
	must(t, os.Chmod(first, 0o777))
	if pl, err := Find(dirs, "demo", uid); !errors.Is(err, ErrUnsafe) || pl.Path != first {
		t.Errorf("Find(demo) = %+v, %v; want %s refused", pl, err, first)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	root := base(t)
	home := filepath.Join(root, "home", "awsenv", "plugins") // not created yet
	system := mkdir(t, filepath.Join(root, "usr", "awsenv", "plugins"), 0o755)
	_, err := Find([]string{home, "relative", system, home}, "demo", os.Getuid())
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	pe := asError(t, err)
	if want := "no " + Prefix + "demo in " + home + ", " + system; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to say %q", err, want)
	}
	path := filepath.Join(home, Prefix+"demo")
	for _, want := range []string{"mkdir -p " + home, "cp PLUGIN-EXECUTABLE " + path, "chmod 755 " + path} {
		if !strings.Contains(pe.Fix, want) {
			t.Errorf("Fix = %q, want %q", pe.Fix, want)
		}
	}
	if _, err := Find(nil, "demo", os.Getuid()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find with no dirs = %v", err)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	root := base(t)
	home := mkdir(t, filepath.Join(root, "home"), 0o755)
	system := mkdir(t, filepath.Join(root, "usr"), 0o755)
	uid := os.Getuid()
	foo := plugin(t, home, "foo", 0o755)
	bar := plugin(t, home, "bar", 0o775)
	yk := plugin(t, home, "ykman", 0o755)
	bad := plugin(t, home, "Bad.sh", 0o755)
	write(t, filepath.Join(home, "README"), 0o644, "not a plugin")
	plugin(t, system, "foo", 0o755)
	baz := plugin(t, system, "baz", 0o755)

	got := List([]string{home, system, filepath.Join(root, "missing")}, uid)
	want := []struct {
		name, path, problem string
	}{
		{"Bad.sh", bad, "not have a valid plugin name"},
		{"bar", bar, "refusing to run"},
		{"baz", baz, ""},
		{"foo", foo, ""},
		{"ykman", yk, "name of a built-in provider"},
	}
	if len(got) != len(want) {
		t.Fatalf("List = %+v, want %d plugins", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.Path != w.path {
			t.Errorf("List[%d] = %s %s, want %s %s", i, g.Name, g.Path, w.name, w.path)
		}
		switch {
		case w.problem == "" && g.Problem != nil:
			t.Errorf("%s: Problem = %v", w.name, g.Problem)
		case w.problem != "" && (g.Problem == nil || !strings.Contains(g.Problem.Error(), w.problem)):
			t.Errorf("%s: Problem = %v, want %q", w.name, g.Problem, w.problem)
		}
	}
}

func TestSHA256File(t *testing.T) {
	t.Parallel()
	dir := base(t)
	path := write(t, filepath.Join(dir, "f"), 0o644, "hello\n")
	sum, err := SHA256File(path)
	if err != nil || sum != "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" {
		t.Errorf("SHA256File = %s, %v", sum, err)
	}
	if _, err := SHA256File(dir); err == nil {
		t.Error("SHA256File(directory) succeeded")
	}
	if _, err := SHA256File(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("SHA256File(missing) = %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
