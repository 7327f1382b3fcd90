package helper

// The data key that seals awsenv's cached sessions (profiles/sessions),
// kept in the secret store as the item awsenv:session-key and made there
// on first need. The front asks for it only when its kernel keyring cache
// has none (internal/sessionkey).

import (
	"context"
	"errors"

	"github.com/awsenv/awsenv/internal/sessionkey"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// SessionKeyInput asks for the data key of cached sessions.
type SessionKeyInput struct{}

// StoreError is the secret store failing, as it crosses the pipe: locked,
// no D-Bus session, a wrong passphrase, a backend this OS lacks. Message
// ends with the store's fix.
type StoreError struct {
	Message string `json:"message"`
}

func (e *StoreError) Error() string { return e.Message }

// ErrNoItem is what SecretItems.Get returns for an item the store does
// not hold.
var ErrNoItem = errors.New("no such item in the secret store")

// SecretItems is what the data key needs of the secret store: the
// helper's internal/secretstore, or a fake in tests.
type SecretItems interface {
	// Get returns the item, or an error wrapping ErrNoItem.
	Get(name string) ([]byte, error)
	Set(name string, data []byte) error
}

// SessionKeyFunc returns the data key.
type SessionKeyFunc func(ctx context.Context) ([]byte, error)

// SessionKeyFrom answers SessionKey requests from store: the item
// awsenv:session-key, made of 32 random bytes when the store has none
// (sessionkey.GetOrMake).
func SessionKeyFrom(store SecretItems) SessionKeyFunc {
	return func(ctx context.Context) ([]byte, error) {
		return sessionkey.GetOrMake(ctx,
			func(context.Context) ([]byte, error) { return store.Get(sessions.DataKeyName) },
			func(_ context.Context, k []byte) error { return store.Set(sessions.DataKeyName, k) },
			func(err error) bool { return errors.Is(err, ErrNoItem) })
	}
}

// SessionKey asks the helper for the data key of cached sessions. A
// failing store is a *StoreError.
func (c *Client) SessionKey(ctx context.Context) ([]byte, error) {
	resp, err := c.call(ctx, Request{SessionKey: &SessionKeyInput{}})
	if err != nil {
		return nil, err
	}
	if resp.StoreError != nil {
		return nil, resp.StoreError
	}
	if len(resp.SessionKey) == 0 {
		return nil, errors.New("the helper returned no session key. Make sure awsenv and awsenv-helper come from the same install (./install.sh)")
	}
	return resp.SessionKey, nil
}
