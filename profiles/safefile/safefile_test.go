//go:build unix

package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Every kind of file that is not a regular file is refused at once, named
// for what it is, with the command that removes it; none blocks the open.
func TestOpenRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "dir")
	must(t, os.Mkdir(sub, 0o700))
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	must(t, err)
	defer l.Close()
	link := filepath.Join(dir, "link")
	must(t, os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o600))
	must(t, os.Symlink("file", link))

	for _, tc := range []struct {
		path  string
		flags int
		what  string
		fix   string
	}{
		{fifo, 0, "a FIFO (named pipe)", "rm " + fifo},
		{fifo, Create | NoFollow, "a FIFO (named pipe)", "rm " + fifo},
		{sub, 0, "a directory", "rmdir " + sub},
		{sub, Create | NoFollow, "a directory", "rmdir " + sub},
		{sock, 0, "a socket", "rm " + sock},
		// A device is never the user's to remove: point back at a file.
		{"/dev/zero", 0, "a character device", "/dev/zero is not a file to remove: point the variable or setting that named it back at a regular file."},
		{link, NoFollow, "a symbolic link", "rm " + link},
	} {
		done := make(chan error, 1)
		go func() {
			f, _, err := Open(tc.path, tc.flags)
			if f != nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			var nr *NotRegularError
			if !errors.As(err, &nr) || nr.What != tc.what || nr.Path != tc.path || !strings.Contains(nr.Fix(""), tc.fix) {
				t.Errorf("Open(%s, %#x) = %v, want %s with fix %q", tc.path, tc.flags, err, tc.what, tc.fix)
			}
		case <-time.After(2 * time.Second):
			if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
			t.Fatalf("Open(%s) blocked", tc.path)
		}
	}
	// Without NoFollow a link to a regular file is fine; /dev/null reads empty.
	for _, p := range []string{link, os.DevNull} {
		data, _, err := ReadFile(p, 0, 10)
		if err != nil || (p == os.DevNull) != (len(data) == 0) {
			t.Errorf("ReadFile(%s) = %q, %v", p, data, err)
		}
	}
}

// The fix removes only what is the user's own mistake: never a device, a
// pipe of the shell (/dev/stdin, /dev/fd/N), anything under /dev or /proc,
// or a FIFO in a directory others may write (/tmp); a link of the user's
// to a device is removed as a link. With Setting known, the fix names it.
func TestNotRegularFixPointsTheRightWay(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	must(t, syscall.Mkfifo(fifo, 0o600))
	ttyLink := filepath.Join(dir, "config")
	must(t, os.Symlink("/dev/zero", ttyLink))
	// A FIFO straight in a world-writable (sticky) directory such as /tmp.
	shared := filepath.Join(dir, "shared")
	must(t, os.Mkdir(shared, 0o777))
	must(t, os.Chmod(shared, 0o1777))
	sharedFifo := filepath.Join(shared, "fifo")
	must(t, syscall.Mkfifo(sharedFifo, 0o600))
	r, w, err := os.Pipe()
	must(t, err)
	defer r.Close()
	defer w.Close()
	shellPipe := fmt.Sprintf("/dev/fd/%d", r.Fd())
	procPipe := fmt.Sprintf("/proc/self/fd/%d", r.Fd())

	for _, tc := range []struct {
		path, setting string
		want          string // the whole fix
	}{
		{"/dev/zero", "AWS_SHARED_CREDENTIALS_FILE", "/dev/zero is not a file to remove: point AWS_SHARED_CREDENTIALS_FILE back at a regular file (or unset it, for its default)."},
		{shellPipe, "AWS_CONFIG_FILE", shellPipe + " is not a file to remove: point AWS_CONFIG_FILE back at a regular file (or unset it, for its default)."},
		{procPipe, "", procPipe + " is not a file to remove: point the variable or setting that named it back at a regular file."},
		{sharedFifo, "AWS_CONFIG_FILE", sharedFifo + " is not a file to remove: point AWS_CONFIG_FILE back at a regular file (or unset it, for its default)."},
		{fifo, "AWS_CONFIG_FILE", "Remove it (rm " + fifo + "), then retry."},
		{ttyLink, "", "Remove the link (rm " + ttyLink + "; what it points at stays), then retry."},
	} {
		f, _, err := Open(tc.path, 0)
		if f != nil {
			f.Close()
		}
		var nr *NotRegularError
		if !errors.As(err, &nr) {
			t.Errorf("Open(%s) = %v, want a *NotRegularError", tc.path, err)
			continue
		}
		nr.Setting = tc.setting
		if got := nr.Fix(", then retry"); got != tc.want {
			t.Errorf("Open(%s): fix\n  %s\nwant\n  %s", tc.path, got, tc.want)
		}
	}
	if _, err := os.Stat("/dev/tty"); err == nil {
		if e := NotRegular("/dev/tty", mustStat(t, "/dev/tty")); e.Removable || strings.Contains(e.Fix(""), "rm ") {
			t.Errorf("/dev/tty: %+v, fix %q", e, e.Fix(""))
		}
	}
}

func mustStat(t *testing.T, p string) fs.FileInfo {
	t.Helper()
	fi, err := os.Stat(p)
	must(t, err)
	return fi
}

func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	must(t, os.WriteFile(p, nil, 0o600))
	must(t, os.Truncate(p, 3<<30)) // sparse: instant, no disk
	start := time.Now()
	_, _, err := ReadFile(p, 0, 64<<10)
	var tl *TooLargeError
	if !errors.As(err, &tl) || !errors.Is(err, ErrTooLarge) || tl.Size != 3<<30 ||
		!strings.Contains(err.Error(), "3 GiB (3221225472 bytes), over the limit of 64 KiB") {
		t.Fatalf("ReadFile = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusing took %s: the file was read", d)
	}
	must(t, os.Truncate(p, 64<<10))
	if data, _, err := ReadFile(p, 0, 64<<10); err != nil || len(data) != 64<<10 {
		t.Fatalf("at the limit: %d bytes, %v", len(data), err)
	}
	// A file that grows after the fstat is cut at limit+1 bytes.
	f, fi, err := Open(p, 0)
	must(t, err)
	defer f.Close()
	must(t, os.Truncate(p, 1<<20))
	if _, err := ReadAll(f, fi, 64<<10); !errors.As(err, &tl) || tl.Size != -1 {
		t.Fatalf("grown file: %v", err)
	}
}

func TestMode(t *testing.T) {
	for m, want := range map[fs.FileMode]string{
		0o600:                 "0600",
		0o777 | fs.ModeSticky: "1777",
		0o755 | fs.ModeSetuid: "4755",
		0o2750 & fs.ModePerm:  "0750",
		fs.ModeSetgid | 0o750: "2750",
	} {
		if got := Mode(m); got != want {
			t.Errorf("Mode(%v) = %s, want %s", m, got, want)
		}
	}
}

// Every non-regular file awsenv refuses is described by NotRegular, which
// decides whether the fix may remove it: no other code builds the error.
func TestNotRegularOneConstructor(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n := strings.Count(string(data), "NotRegularError{")
		switch filepath.ToSlash(path) {
		case "../../profiles/safefile/safefile.go":
			n-- // NotRegular itself
		case "../../profiles/safefile/sys_unix.go":
			n-- // a link that vanished before its Lstat: nothing to remove
		}
		if n > 0 {
			t.Errorf("%s builds a NotRegularError itself: use safefile.NotRegular", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
