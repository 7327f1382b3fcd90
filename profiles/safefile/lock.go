package safefile

import (
	"context"
	"errors"
	"time"

	"github.com/gofrs/flock"
)

// The one lock of awsenv's private files (sessions, the Identity Center
// and `aws login` token caches): an exclusive flock on a lock file beside
// what it guards. The kernel drops a flock when its holder dies, so a
// killed awsenv never wedges the next one.

// ErrReplaced is a lock file that was swapped for something else while it
// was being locked.
var ErrReplaced = errors.New("it was replaced by something that is not a lock file while awsenv opened it")

// Lock takes the lock at path, making the file (0600) if it is missing,
// and waits while another holds it, until ctx ends; onWait, if set, is
// called once before waiting. The file must be a regular file of the
// user's, not open to others (CheckPrivate): a FIFO, a directory or a link
// in its place is a *NotRegularError or a *PrivateError, never a hang.
// gofrs/flock opens the file again with O_NONBLOCK and O_NOFOLLOW, and
// what it locked is checked once more (ErrReplaced). A ctx that ends
// first gives ctx.Err(). unlock releases the lock.
func Lock(ctx context.Context, path string, onWait func()) (unlock func(), err error) {
	f, fi, err := Open(path, NoFollow|Create)
	if err != nil {
		return nil, err
	}
	f.Close()
	if err := CheckPrivate(path, fi, PrivateFile); err != nil {
		return nil, err
	}
	l := flock.New(path, flock.SetPermissions(0o600), flock.SetFlag(LockFlags))
	ok, err := l.TryLock()
	if err == nil && !ok {
		if onWait != nil {
			onWait()
		}
		ok, err = l.TryLockContext(ctx, 25*time.Millisecond)
	}
	if err != nil || !ok {
		l.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if locked, err := l.Stat(); err != nil || !locked.Mode().IsRegular() {
		l.Close()
		return nil, ErrReplaced
	}
	return func() {
		_ = l.Unlock()
		l.Close()
	}, nil
}
