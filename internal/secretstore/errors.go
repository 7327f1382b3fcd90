package secretstore

import (
	"errors"
	"fmt"
	"strings"
)

// Kind says what went wrong with the store, so the front can pick the
// exit code and the fix.
type Kind string

// The kinds of Error.
const (
	// KindNotFound: the store has no such item.
	KindNotFound Kind = "not-found"
	// KindNoSession: the backend needs a D-Bus session bus and there is
	// none (Secret Service, KWallet).
	KindNoSession Kind = "no-session"
	// KindLocked: the keyring is locked and could not be unlocked (no
	// prompt could be shown, or nobody answered it).
	KindLocked Kind = "locked"
	// KindWrongPassphrase: the file backend's passphrase does not open
	// its items.
	KindWrongPassphrase Kind = "wrong-passphrase"
	// KindNoPassphrase: the file backend needs a passphrase and there is
	// neither a terminal nor AWSENV_KEYRING_PASSPHRASE.
	KindNoPassphrase Kind = "no-passphrase"
	// KindUnavailable: the backend does not exist on this system or
	// build (keychain on Linux, pass not installed, an unknown name).
	KindUnavailable Kind = "unavailable"
	// KindFailed: anything else the backend reported.
	KindFailed Kind = "failed"
)

// Error is a store operation that failed. It never holds a secret: the
// backends' messages name items and paths only.
type Error struct {
	Kind    Kind
	Backend string // the library's name of the backend
	Op      string // "open", "get profile:prod", ...
	Err     error  // the backend's own error, when there is one
	Fix     string // a sentence with the command or setting that mends it
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "keyring (%s): %s: %s", e.Backend, e.Op, e.problem())
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	b.WriteString(". ")
	b.WriteString(e.Fix)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) problem() string {
	switch e.Kind {
	case KindNotFound:
		return "no such item"
	case KindNoSession:
		return "no D-Bus session bus, which this backend needs"
	case KindLocked:
		return "the keyring is locked and could not be unlocked"
	case KindWrongPassphrase:
		return "the passphrase does not open the keyring"
	case KindNoPassphrase:
		return "the encrypted file backend needs a passphrase, and there is no terminal to ask on and no AWSENV_KEYRING_PASSPHRASE"
	case KindUnavailable:
		return "this backend is not available here"
	}
	return "the keyring failed"
}

// IsNotFound reports whether err is a store's "no such item".
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindNotFound
}

// KindOf is err's Kind, KindFailed for an error of another type.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindFailed
}
