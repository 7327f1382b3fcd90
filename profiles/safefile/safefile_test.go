//go:build unix

package safefile

import (
	"errors"
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
		{"/dev/zero", 0, "a character device", "rm /dev/zero"},
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
			if !errors.As(err, &nr) || nr.What != tc.what || nr.Path != tc.path || !strings.Contains(nr.Fix(), tc.fix) {
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
