package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")

	// A new file is private.
	must(t, WriteAtomic(path, []byte("one"), WriteOptions{}))
	wantFile(t, path, "one", 0o600)

	// Like keeps the mode of the file it replaces.
	must(t, os.Chmod(path, 0o640))
	fi, err := os.Stat(path)
	must(t, err)
	must(t, WriteAtomic(path, []byte("two"), WriteOptions{Like: fi}))
	wantFile(t, path, "two", 0o640)

	// Check sees the whole new file; its error leaves the old one.
	refused := errors.New("refused")
	err = WriteAtomic(path, []byte("three"), WriteOptions{Check: func(tmp string) error {
		if data, err := os.ReadFile(tmp); err != nil || string(data) != "three" {
			t.Errorf("Check sees %q, %v", data, err)
		}
		return refused
	}})
	if err != refused {
		t.Errorf("WriteAtomic = %v, want Check's error as it is", err)
	}
	wantFile(t, path, "two", 0o640)

	// An injected fault stops it before the rename, as a crash would.
	undo := InjectFault(dir, refused)
	if err := WriteAtomic(path, []byte("four"), WriteOptions{}); !errors.Is(err, refused) {
		t.Errorf("with a fault: %v", err)
	}
	undo()
	wantFile(t, path, "two", 0o640)
	wantNoTemp(t, dir)

	// A link in its place is replaced, not followed.
	target := filepath.Join(dir, "target")
	must(t, os.WriteFile(target, []byte("target"), 0o600))
	link := filepath.Join(dir, "link")
	must(t, os.Symlink(target, link))
	must(t, WriteAtomic(link, []byte("five"), WriteOptions{}))
	wantFile(t, link, "five", 0o600)
	wantFile(t, target, "target", 0o600)

	// A directory that cannot take the file: a *WriteError naming the step.
	err = WriteAtomic(filepath.Join(dir, "missing", "f"), []byte("x"), WriteOptions{})
	var we *WriteError
	if !errors.As(err, &we) || we.Step != StepCreate || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "Check that") {
		t.Errorf("into a missing directory: %v", err)
	}
	// A directory in place of the file: the rename fails, nothing is left.
	must(t, os.Mkdir(filepath.Join(dir, "d"), 0o700))
	must(t, os.WriteFile(filepath.Join(dir, "d", "x"), nil, 0o600))
	if err := WriteAtomic(filepath.Join(dir, "d"), []byte("x"), WriteOptions{}); !errors.As(err, &we) || we.Step != StepRename {
		t.Errorf("over a directory: %v", err)
	}
	wantNoTemp(t, dir)
}

// TestWriteAtomicKeepsOwner: as root, the new file keeps the owner and
// group of the one it replaces (root rotating a key in a user's file).
func TestWriteAtomicKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file away")
	}
	path := filepath.Join(t.TempDir(), "f")
	must(t, os.WriteFile(path, []byte("old"), 0o600))
	must(t, os.Chown(path, 65534, 65534))
	fi, err := os.Stat(path)
	must(t, err)
	must(t, WriteAtomic(path, []byte("new"), WriteOptions{Like: fi}))
	after, err := os.Stat(path)
	must(t, err)
	if uid, gid, _ := Owner(after); uid != 65534 || gid != 65534 {
		t.Errorf("owner %d:%d, want 65534:65534", uid, gid)
	}
}

func TestCheckPrivate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	must(t, os.WriteFile(file, nil, 0o600))
	sub := filepath.Join(dir, "sub")
	must(t, os.Mkdir(sub, 0o700))
	link := filepath.Join(dir, "link")
	must(t, os.Symlink(file, link))

	for _, tc := range []struct {
		path   string
		mode   fs.FileMode // 0: as made
		want   Private
		reason Reason // 0: no error
		fix    string
	}{
		{file, 0, PrivateFile, 0, ""},
		{file, 0o400, PrivateFile, 0, ""},
		{file, 0o640, PrivateFile, OpenMode, "chmod 600 " + file},
		{file, 0o604, PrivateFile, OpenMode, "chmod 600 " + file},
		{file, 0o644, OwnFile, 0, ""},
		{file, 0o600, PrivateDir, WrongKind, "rm " + file},
		{sub, 0, PrivateDir, 0, ""},
		{sub, 0o710, PrivateDir, OpenMode, "chmod 700 " + sub},
		{sub, 0o755, OwnDir, 0, ""},
		{sub, 0o700, PrivateFile, WrongKind, "rmdir " + sub},
		{link, 0, PrivateFile, WrongKind, "rm " + link},
	} {
		if tc.mode != 0 {
			must(t, os.Chmod(tc.path, tc.mode))
		}
		fi, err := os.Lstat(tc.path)
		must(t, err)
		err = CheckPrivate(tc.path, fi, tc.want)
		var pe *PrivateError
		switch {
		case tc.reason == 0 && err != nil:
			t.Errorf("CheckPrivate(%s %04o, %d) = %v, want nil", tc.path, tc.mode, tc.want, err)
		case tc.reason != 0 && (!errors.As(err, &pe) || pe.Reason != tc.reason || !strings.Contains(pe.Fix, tc.fix)):
			t.Errorf("CheckPrivate(%s %04o, %d) = %v, want reason %d with fix %q", tc.path, tc.mode, tc.want, err, tc.reason, tc.fix)
		}
	}
	if os.Geteuid() == 0 {
		must(t, os.Chmod(file, 0o600))
		must(t, os.Chown(file, 65534, 65534))
		fi, err := os.Lstat(file)
		must(t, err)
		var pe *PrivateError
		if err := CheckPrivate(file, fi, OwnFile); !errors.As(err, &pe) || pe.Reason != NotOwned || !strings.Contains(pe.Fix, "chown 0 "+file) {
			t.Errorf("someone else's file: %v", err)
		}
	}
}

func wantFile(t *testing.T, path, data string, mode fs.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != data {
		t.Errorf("%s holds %q, %v; want %q", path, got, err, data)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode() != mode {
		t.Errorf("%s: mode %v, %v; want %v", path, fi.Mode(), err, mode)
	}
}

func wantNoTemp(t *testing.T, dir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(dir, ".*.awsenv-*.tmp"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
