//go:build unix

package safefile_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles/safefile"
)

// The one lock: a second taker waits and gives up with its context; a
// FIFO, or a lock file others can open, in its place is refused at once.
func TestLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "x.lock")
	unlock, err := safefile.Lock(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	waited := false
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := safefile.Lock(ctx, path, func() { waited = true }); !errors.Is(err, context.DeadlineExceeded) || !waited {
		t.Fatalf("second taker: %v (waited %v), want the context's end after waiting", err, waited)
	}
	unlock()
	again, err := safefile.Lock(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	again()

	fifo := filepath.Join(dir, "fifo.lock")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	var nr *safefile.NotRegularError
	if _, err := safefile.Lock(context.Background(), fifo, nil); !errors.As(err, &nr) {
		t.Fatalf("a FIFO: %v, want a NotRegularError", err)
	}
	open := filepath.Join(dir, "open.lock")
	if err := os.WriteFile(open, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o666); err != nil {
		t.Fatal(err)
	}
	var pe *safefile.PrivateError
	if _, err := safefile.Lock(context.Background(), open, nil); !errors.As(err, &pe) {
		t.Fatalf("a lock file others can open: %v, want a PrivateError", err)
	}
}
