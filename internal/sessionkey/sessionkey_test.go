package sessionkey

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

type fakeCache struct {
	keys   map[string][]byte
	putErr error
	gets   int
}

func (f *fakeCache) Get(name string) ([]byte, bool) {
	f.gets++
	k, ok := f.keys[name]
	return k, ok
}

func (f *fakeCache) Put(name string, key []byte) error {
	if f.putErr != nil {
		return f.putErr
	}
	f.keys[name] = key
	return nil
}

// fetcher is the helper's SessionKey, counting calls.
type fetcher struct {
	key   []byte
	err   error
	calls int
}

func (f *fetcher) fetch(context.Context) ([]byte, error) {
	f.calls++
	return f.key, f.err
}

func TestChainCacheFirst(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{3}, 32)
	cache := &fakeCache{keys: map[string][]byte{}}
	helper := &fetcher{key: key}
	c := &Chain{Cache: cache, Name: Name("", "/state/awsenv/sessions"), Fetch: helper.fetch}

	// A miss asks the helper and caches what it gave.
	if k, err := c.DataKey(context.Background()); err != nil || !bytes.Equal(k, key) || helper.calls != 1 {
		t.Fatalf("miss: %x, %v, %d helper calls", k, err, helper.calls)
	}
	if !bytes.Equal(cache.keys[c.Name], key) {
		t.Fatalf("the key was not cached under %s", c.Name)
	}
	// A hit never asks the helper: the cached path is one process.
	for range 3 {
		if k, err := c.DataKey(context.Background()); err != nil || !bytes.Equal(k, key) {
			t.Fatalf("hit: %x, %v", k, err)
		}
	}
	if helper.calls != 1 {
		t.Fatalf("the helper was asked %d times with the key cached", helper.calls)
	}
}

func TestChainFailures(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{3}, 32)

	// A cache that cannot keep the key costs time, not the key.
	cache := &fakeCache{keys: map[string][]byte{}, putErr: errors.New("EDQUOT")}
	helper := &fetcher{key: key}
	var said []string
	c := &Chain{Cache: cache, Name: "n", Fetch: helper.fetch, Debugf: func(f string, a ...any) { said = append(said, f) }}
	for range 2 {
		if k, err := c.DataKey(context.Background()); err != nil || !bytes.Equal(k, key) {
			t.Fatalf("with a failing cache: %x, %v", k, err)
		}
	}
	if helper.calls != 2 || !strings.Contains(strings.Join(said, "\n"), "could not cache") {
		t.Fatalf("%d helper calls; debug said %q", helper.calls, said)
	}

	// A cached entry of the wrong size is a miss.
	cache = &fakeCache{keys: map[string][]byte{"n": []byte("short")}}
	helper = &fetcher{key: key}
	c = &Chain{Cache: cache, Name: "n", Fetch: helper.fetch}
	if k, err := c.DataKey(context.Background()); err != nil || !bytes.Equal(k, key) || helper.calls != 1 {
		t.Fatalf("a short cached key: %x, %v, %d calls", k, err, helper.calls)
	}

	// The store failing is the error, never a key.
	helper = &fetcher{err: errors.New("the keyring is locked. Unlock it")}
	c = &Chain{Cache: &fakeCache{keys: map[string][]byte{}}, Name: "n", Fetch: helper.fetch}
	if k, err := c.DataKey(context.Background()); err == nil || k != nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("a failing store: %x, %v", k, err)
	}

	// A store item of the wrong size is refused, with the way out.
	helper = &fetcher{key: []byte("sixteen bytes!!!")}
	cache = &fakeCache{keys: map[string][]byte{}}
	c = &Chain{Cache: cache, Name: "n", Fetch: helper.fetch}
	if _, err := c.DataKey(context.Background()); err == nil || !strings.Contains(err.Error(), "16 bytes") || len(cache.keys) != 0 {
		t.Fatalf("a short stored key: %v, cached %v", err, cache.keys)
	}

	// No cache (not Linux): the helper every time.
	helper = &fetcher{key: key}
	c = &Chain{Name: "n", Fetch: helper.fetch}
	c.DataKey(context.Background())
	c.DataKey(context.Background())
	if helper.calls != 2 {
		t.Fatalf("without a cache: %d helper calls", helper.calls)
	}
}

func TestNameScopes(t *testing.T) {
	t.Parallel()
	a := Name("", "/home/a/.local/state/awsenv/sessions")
	if !strings.HasPrefix(a, "awsenv:session-key:") {
		t.Errorf("name %s", a)
	}
	for _, other := range []string{Name("file", "/home/a/.local/state/awsenv/sessions"), Name("", "/tmp/x/awsenv/sessions")} {
		if other == a {
			t.Errorf("another backend or directory shares the cache entry %s", a)
		}
	}
	if Name("", "/d") != Name("", "/d") {
		t.Error("Name is not stable")
	}
}
