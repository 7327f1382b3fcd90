//go:build unix

package sessions

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

func lockPath(s *Store, key Key) string {
	return filepath.Join(s.Dir, strings.TrimSuffix(key.file(), ".json")+".lock")
}

func TestLockUncontended(t *testing.T) {
	s := openStore(t)
	key := mfaKey("dev")
	var waits atomic.Int32
	onWait := func() { waits.Add(1) }

	unlock, err := s.Lock(t.Context(), key, onWait)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(lockPath(s, key))
	if err != nil {
		t.Fatalf("lock file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file mode %v, want 0600", fi.Mode().Perm())
	}
	// Another key is another lock.
	unlock2, err := s.Lock(t.Context(), mfaKey("prod"), onWait)
	if err != nil {
		t.Fatal(err)
	}
	unlock2()
	unlock()
	// Unlocked: the same key is free again at once.
	unlock, err = s.Lock(t.Context(), key, onWait)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if n := waits.Load(); n != 0 {
		t.Errorf("onWait called %d times without contention", n)
	}
	// A nil onWait is fine.
	unlock, err = s.Lock(t.Context(), key, nil)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	// Lock files are not sessions.
	if got, err := s.List(); err != nil || len(got) != 0 {
		t.Errorf("List = %v, %v", got, err)
	}
}

func TestLockWaitsForUnlock(t *testing.T) {
	s := openStore(t)
	key := mfaKey("dev")
	unlock, err := s.Lock(t.Context(), key, nil)
	if err != nil {
		t.Fatal(err)
	}

	var waits atomic.Int32
	waiting := make(chan struct{})
	acquired := make(chan func(), 1)
	errc := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		u, err := s.Lock(ctx, key, func() {
			if waits.Add(1) == 1 {
				close(waiting)
			}
		})
		if err != nil {
			errc <- err
			return
		}
		acquired <- u
	}()

	select {
	case <-waiting:
	case err := <-errc:
		t.Fatalf("second Lock: %v", err)
	case <-acquired:
		t.Fatal("second Lock took a held lock")
	case <-time.After(5 * time.Second):
		t.Fatal("second Lock neither waited nor returned")
	}
	// Still held by us: the waiter must not have it.
	select {
	case <-acquired:
		t.Fatal("second Lock took a held lock")
	case <-time.After(60 * time.Millisecond):
	}

	unlock()
	select {
	case u := <-acquired:
		u()
	case err := <-errc:
		t.Fatalf("second Lock after unlock: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("second Lock did not get the lock after unlock")
	}
	if n := waits.Load(); n != 1 {
		t.Errorf("onWait called %d times, want 1", n)
	}
}

func TestLockContext(t *testing.T) {
	s := openStore(t)
	key := mfaKey("dev")
	unlock, err := s.Lock(t.Context(), key, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	t.Run("timeout", func(t *testing.T) {
		var waits atomic.Int32
		ctx, cancel := context.WithTimeout(t.Context(), 80*time.Millisecond)
		defer cancel()
		start := time.Now()
		u, err := s.Lock(ctx, key, func() { waits.Add(1) })
		if err == nil {
			u()
			t.Fatal("Lock took a held lock")
		}
		if u != nil {
			t.Error("Lock returned an unlock func with its error")
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
		}
		if !strings.Contains(err.Error(), `dev`) {
			t.Errorf("error does not name the profile: %v", err)
		}
		if waits.Load() != 1 {
			t.Errorf("onWait called %d times, want 1", waits.Load())
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Lock returned after %v, long past its deadline", d)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := s.Lock(ctx, key, nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Lock with a cancelled context = %v, want context.Canceled", err)
		}
	})

	t.Run("cancelled but free", func(t *testing.T) {
		// A free lock is taken even when the context is done: TryLock
		// comes first. This records the behaviour.
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		u, err := s.Lock(ctx, mfaKey("free"), nil)
		if err != nil {
			t.Fatalf("Lock of a free key with a done context: %v", err)
		}
		u()
	})
}

// TestLockHolderKilled: the kernel drops a flock when its holder dies, so
// a SIGKILLed awsenv does not block the next one.
func TestLockHolderKilled(t *testing.T) {
	s := openStore(t)
	key := mfaKey("dev")
	path := lockPath(s, key)

	cmd := testproc.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdLockEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := testproc.Start(cmd); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})

	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		if l != "locked\n" {
			t.Fatalf("child said %q, want locked", l)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("child did not take the lock")
	}

	// The child really holds it.
	var waits atomic.Int32
	ctx, cancel := context.WithTimeout(t.Context(), 80*time.Millisecond)
	defer cancel()
	if u, err := s.Lock(ctx, key, func() { waits.Add(1) }); err == nil {
		u()
		t.Fatal("Lock took the lock the child holds")
	}
	if waits.Load() != 1 {
		t.Errorf("onWait called %d times while the child held the lock, want 1", waits.Load())
	}

	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed = true

	waits.Store(0)
	ctx2, cancel2 := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel2()
	u, err := s.Lock(ctx2, key, func() { waits.Add(1) })
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	u()
	if waits.Load() != 0 {
		t.Errorf("Lock waited for a dead holder")
	}
}
