// Package sessionkey gives awsenv (the front) the data key that seals its
// cached sessions (profiles/sessions): from the kernel keyring when this
// login session has it cached (Linux: one syscall, no D-Bus, no helper),
// else through awsenv-helper, which asks the secret store for the item
// awsenv:session-key and creates it on first need; a key fetched so is
// cached in the kernel keyring for the next runs.
//
// The front never links the secret store's library: only the helper does.
package sessionkey

import (
	"context"
	"crypto/rand"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/awsenv/awsenv/profiles/sessions"
)

// Lifetime is how long the data key stays in the kernel keyring after it
// was last used: each run that reads it starts the clock again, so a key
// in daily use stays, and one idle for 12 hours is gone (and so is every
// key of the login session's keyring at logout). The next run then asks
// the secret store again, through the helper (about one helper start).
const Lifetime = 12 * time.Hour

// Cache is where the front keeps the data key between runs: the kernel
// keyring on Linux (Kernel); nothing elsewhere.
type Cache interface {
	// Get returns the key cached under name; ok is false on a miss or any
	// failure (a cache can only save time).
	Get(name string) (key []byte, ok bool)
	// Put caches key under name for Lifetime.
	Put(name string, key []byte) error
}

// Chain is the front's sessions.Keys: the cache, then the helper.
type Chain struct {
	// Cache is nil where there is none (not Linux, or turned off with
	// AWSENV_SESSION_KEY_CACHE=off).
	Cache Cache
	// Name is the key's name in the cache (Name below).
	Name string
	// Fetch asks the helper for the data key (helper.Client.SessionKey),
	// which makes the key if the store has none.
	Fetch func(ctx context.Context) ([]byte, error)
	// Debugf says where the key came from (--debug).
	Debugf func(format string, args ...any)
}

var _ sessions.Keys = (*Chain)(nil)

// DataKey returns the data key: from the cache, else fetched and cached.
func (c *Chain) DataKey(ctx context.Context) ([]byte, error) {
	if c.Cache != nil {
		if k, ok := c.Cache.Get(c.Name); ok && len(k) == sessions.DataKeySize {
			c.debugf("session key: from the kernel keyring (%s)", c.Name)
			return k, nil
		}
	}
	k, err := c.Fetch(ctx)
	if err != nil {
		return nil, err
	}
	if len(k) != sessions.DataKeySize {
		return nil, fmt.Errorf("the secret store's %s has %d bytes, not %d. Remove the item from the store (awsenv keys remove is for profiles; use the store's own tool) and run awsenv again: a new key is made, and cached sessions are made anew",
			sessions.DataKeyName, len(k), sessions.DataKeySize)
	}
	c.debugf("session key: from the secret store, through the helper")
	if c.Cache != nil {
		if err := c.Cache.Put(c.Name, k); err != nil {
			// Only time is lost: the next run asks the helper again.
			c.debugf("session key: could not cache it in the kernel keyring: %v", err)
		}
	}
	return k, nil
}

func (c *Chain) debugf(format string, args ...any) {
	if c.Debugf != nil {
		c.Debugf(format, args...)
	}
}

// Name is the key's name in the kernel keyring for one secret store
// choice and one session directory: awsenv:session-key:HASH. A different
// backend, or another XDG_STATE_HOME (another awsenv set-up, or a test),
// has a cache entry of its own, so it never uses a key its store does not
// hold.
func Name(backend, sessionDir string) string {
	h := fnv.New64a()
	h.Write([]byte(backend + "\x00" + sessionDir))
	return fmt.Sprintf("%s:%012x", sessions.DataKeyName, h.Sum64()&(1<<48-1))
}

// GetOrMake returns the data key kept as an item of the secret store:
// read, or, when absent says the store has no such item, made of 32
// random bytes, stored, and read back (two runs making it at once both end
// with the one written last; sessions sealed with the other count as
// absent and are made anew). The helper's SessionKey answers with it; a
// front that reaches the store's items through the helper may call it
// directly.
func GetOrMake(ctx context.Context, get func(context.Context) ([]byte, error), set func(context.Context, []byte) error,
	absent func(error) bool) ([]byte, error) {
	k, err := get(ctx)
	if err == nil || !absent(err) {
		return k, err
	}
	k = make([]byte, sessions.DataKeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("make the data key: %w", err)
	}
	if err := set(ctx, k); err != nil {
		return nil, err
	}
	return get(ctx)
}
