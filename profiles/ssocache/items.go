package ssocache

// awsenv_sso_token_storage = keyring: awsenv's own IAM Identity Center
// sign-in (the token, and the client registration with its secret) kept
// in the secret store, as Granted keeps its, instead of the AWS CLI's
// ~/.aws/sso/cache. Not shared with the CLI: `aws sso login` and awsenv
// each sign in. The lock files stay files, in awsenv's own directory.

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/awsenv/awsenv/profiles/safefile"
)

// Items is the secret store as the cache uses it. The front's goes
// through awsenv-helper (the store's library is linked there only).
type Items interface {
	// Get returns the item's data, or an error wrapping fs.ErrNotExist
	// when the store has no such item.
	Get(name string) ([]byte, error)
	Set(name string, data []byte) error
	// Remove deletes the item; a missing one is no error.
	Remove(name string) error
}

// ItemPrefix starts the name of every item the cache keeps; the rest is
// the AWS CLI's file name for the same token or registration.
const ItemPrefix = "awsenv:sso:"

// itemName is the store's name for what would be the file path.
func itemName(path string) string { return ItemPrefix + filepath.Base(path) }

// read reads a token or registration: the file (readToken), or the item.
func (c *Cache) read(path string) ([]byte, error) {
	if c.Items == nil {
		return readToken(path)
	}
	name := itemName(path)
	data, err := c.Items.Get(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w in the secret store (%s): %w. Sign in with `awsenv login`; awsenv_sso_token_storage = keyring keeps awsenv's sign-in apart from the AWS CLI's.", ErrNoToken, name, err)
	}
	if err != nil {
		return nil, err
	}
	if len(data) > MaxTokenSize {
		return nil, &CorruptError{Path: name, Why: fmt.Sprintf("it is larger than %s, which no token is", safefile.Size(MaxTokenSize)), Err: safefile.ErrTooLarge}
	}
	return data, nil
}

// write replaces a token or registration: the file, atomically and 0600,
// or the item.
func (c *Cache) write(path string, data []byte) error {
	if c.Items == nil {
		return writeAtomic(path, data)
	}
	return c.Items.Set(itemName(path), data)
}

// label names path in messages: the file, or the item.
func (c *Cache) label(path string) string {
	if c.Items == nil {
		return path
	}
	return itemName(path)
}
