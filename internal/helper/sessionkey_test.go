package helper

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles/sessions"
)

// fakeItems is a secret store in memory.
type fakeItems struct {
	items  map[string][]byte
	getErr error
	sets   int
}

func (f *fakeItems) Get(name string) ([]byte, error) {
	if f.getErr != nil {
		return nil, f.getErr
	}
	v, ok := f.items[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, ErrNoItem)
	}
	return v, nil
}

func (f *fakeItems) Set(name string, data []byte) error {
	f.sets++
	f.items[name] = bytes.Clone(data)
	return nil
}

// The data key is made once, 32 random bytes under awsenv:session-key,
// and the same one is given from then on.
func TestServeSessionKeyMakesItOnce(t *testing.T) {
	store := &fakeItems{items: map[string][]byte{}}
	h := Handlers{SessionKey: SessionKeyFrom(store)}
	first, raw := serve(t, h, Request{SessionKey: &SessionKeyInput{}})
	if len(first.SessionKey) != sessions.DataKeySize || first.StoreError != nil {
		t.Fatalf("first answer: %s", raw)
	}
	if !bytes.Equal(store.items["awsenv:session-key"], first.SessionKey) || store.sets != 1 {
		t.Fatalf("the store holds %v after %d sets", store.items, store.sets)
	}
	if bytes.Equal(first.SessionKey, make([]byte, sessions.DataKeySize)) {
		t.Fatal("the key is all zeros")
	}
	second, _ := serve(t, h, Request{SessionKey: &SessionKeyInput{}})
	if !bytes.Equal(second.SessionKey, first.SessionKey) || store.sets != 1 {
		t.Fatalf("a second request made another key")
	}
	other := SessionKeyFrom(&fakeItems{items: map[string][]byte{}})
	third, _ := serve(t, Handlers{SessionKey: other}, Request{SessionKey: &SessionKeyInput{}})
	if bytes.Equal(third.SessionKey, first.SessionKey) {
		t.Fatal("two stores made the same key")
	}
}

// A failing store crosses the pipe as a StoreError with its message (and
// fix), and no key is made over an item that could not be read.
func TestServeSessionKeyStoreFails(t *testing.T) {
	store := &fakeItems{items: map[string][]byte{}, getErr: errors.New("the Secret Service is locked. Unlock your login keyring")}
	resp, raw := serve(t, Handlers{SessionKey: SessionKeyFrom(store)}, Request{SessionKey: &SessionKeyInput{}})
	if resp.StoreError == nil || !strings.Contains(resp.StoreError.Message, "Unlock your login keyring") || len(resp.SessionKey) != 0 {
		t.Fatalf("response: %s", raw)
	}
	if store.sets != 0 {
		t.Fatal("a key was made although the store could not be read")
	}
	resp, raw = serve(t, Handlers{}, Request{SessionKey: &SessionKeyInput{}})
	if resp.StoreError == nil || !strings.Contains(resp.StoreError.Message, "no secret store") {
		t.Fatalf("a helper without a store: %s", raw)
	}
}
