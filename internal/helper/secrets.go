package helper

// The secret store (internal/secretstore, linked into the helper only):
// the requests, the redacting bytes type the answers carry, the typed
// error, and the client's calls.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SecretBytes is an item's data as it crosses the pipe (base64 in the
// JSON, like []byte). It prints as a placeholder in every fmt verb, so it
// cannot reach a log line, an error or debug output by accident; Reveal
// is the one way out.
type SecretBytes []byte

func (s SecretBytes) String() string             { return "[REDACTED]" }
func (s SecretBytes) GoString() string           { return "[REDACTED]" }
func (s SecretBytes) Format(f fmt.State, _ rune) { fmt.Fprint(f, "[REDACTED]") }

// Reveal returns the bytes themselves.
func (s SecretBytes) Reveal() []byte { return []byte(s) }

// MarshalJSON writes the real bytes: the pipe is private.
func (s SecretBytes) MarshalJSON() ([]byte, error) { return json.Marshal([]byte(s)) }

// UnmarshalJSON reads them back.
func (s *SecretBytes) UnmarshalJSON(b []byte) error {
	var raw []byte
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*s = raw
	return nil
}

// StoreChoice names a secret store: awsenv's own (Service "" or
// "awsenv") with its backend, or aws-vault v7's (Service "aws-vault",
// opened as aws-vault opens it, from the AWS_VAULT_* variables).
type StoreChoice struct {
	Backend    string `json:"backend,omitempty"` // the library's name; "": the system's default
	Service    string `json:"service,omitempty"`
	FileDir    string `json:"file_dir,omitempty"` // the file backend's directory
	PassDir    string `json:"pass_dir,omitempty"`
	PassPrefix string `json:"pass_prefix,omitempty"`
	// Fallback is the backend when none is chosen and the system has
	// none by default (secretstore.Config.Fallback).
	Fallback string `json:"fallback,omitempty"`
}

// AWSVault is StoreChoice.Service for aws-vault's store.
const AWSVault = "aws-vault"

// SecretInput is one operation on one item of a store (Key unused by
// SecretList; Data and Label only for SecretSet).
type SecretInput struct {
	Store StoreChoice `json:"store"`
	Key   string      `json:"key,omitempty"`
	Data  SecretBytes `json:"data,omitempty"`
	Label string      `json:"label,omitempty"`
}

// SecretResult is a store's answer.
type SecretResult struct {
	Data    SecretBytes `json:"data,omitempty"`    // SecretGet
	Keys    []string    `json:"keys,omitempty"`    // SecretList
	Backend string      `json:"backend,omitempty"` // the backend that answered
}

// The operations of SecretFunc.
const (
	SecretOpGet    = "get"
	SecretOpSet    = "set"
	SecretOpRemove = "remove"
	SecretOpList   = "list"
)

// SecretFunc does one operation on the secret store.
type SecretFunc func(ctx context.Context, op string, in SecretInput) (SecretResult, error)

// The kinds of SecretError, as internal/secretstore names them.
const (
	SecretNotFound        = "not-found"
	SecretNoSession       = "no-session"
	SecretLocked          = "locked"
	SecretWrongPassphrase = "wrong-passphrase"
	SecretNoPassphrase    = "no-passphrase"
	SecretUnavailable     = "unavailable"
	SecretFailed          = "failed"
)

// SecretError is a secret store's failure as it crosses the pipe: its
// kind decides awsenv's exit code. It never holds a secret.
type SecretError struct {
	Kind    string `json:"kind"`
	Backend string `json:"backend,omitempty"`
	Message string `json:"message"` // what happened and the fix
}

func (e *SecretError) Error() string { return e.Message }

// NotFound reports whether the store has no such item.
func (e *SecretError) NotFound() bool { return e.Kind == SecretNotFound }

// IsSecretNotFound reports whether err is a store's "no such item".
func IsSecretNotFound(err error) bool {
	var e *SecretError
	return errors.As(err, &e) && e.NotFound()
}

func (c *Client) secret(ctx context.Context, req Request) (SecretResult, error) {
	resp, err := c.call(ctx, req)
	if err != nil {
		return SecretResult{}, err
	}
	if resp.Secret == nil {
		return SecretResult{}, errors.New("the helper returned no answer from the keyring. Make sure awsenv and awsenv-helper come from the same install (./install.sh).")
	}
	return *resp.Secret, nil
}

// SecretGet reads an item.
func (c *Client) SecretGet(ctx context.Context, in SecretInput) (SecretResult, error) {
	return c.secret(ctx, Request{SecretGet: &in})
}

// SecretSet writes an item.
func (c *Client) SecretSet(ctx context.Context, in SecretInput) (SecretResult, error) {
	return c.secret(ctx, Request{SecretSet: &in})
}

// SecretRemove deletes an item.
func (c *Client) SecretRemove(ctx context.Context, in SecretInput) (SecretResult, error) {
	return c.secret(ctx, Request{SecretRemove: &in})
}

// SecretList lists a store's items.
func (c *Client) SecretList(ctx context.Context, in SecretInput) (SecretResult, error) {
	return c.secret(ctx, Request{SecretList: &in})
}

// busEnv is env as the helper gets it with respect to D-Bus: the secret
// store's library connects to the session bus as the helper starts, and
// when it finds no address godbus runs dbus-launch, which leaves a
// dbus-daemon behind. Without a bus to find (no DBUS_SESSION_BUS_ADDRESS,
// no $XDG_RUNTIME_DIR/bus), the helper is given NoBusAddress, which it
// takes out again first thing (DropNoBus).
func busEnv(env []string) []string {
	var addr, runtimeDir string
	for _, kv := range env {
		switch name, v, _ := strings.Cut(kv, "="); name {
		case "DBUS_SESSION_BUS_ADDRESS":
			addr = v
		case "XDG_RUNTIME_DIR":
			runtimeDir = v
		}
	}
	if addr != "" {
		return env
	}
	if runtimeDir == "" {
		runtimeDir = fmt.Sprintf("/run/user/%d", os.Getuid())
	}
	if fi, err := os.Stat(filepath.Join(runtimeDir, "bus")); err == nil && fi.Mode()&os.ModeSocket != 0 {
		return env
	}
	return append(env[:len(env):len(env)], "DBUS_SESSION_BUS_ADDRESS="+NoBusAddress)
}

// NoBusAddress is the D-Bus address that means "no session bus" to
// awsenv-helper (see busEnv); godbus cannot connect to it and starts
// nothing.
const NoBusAddress = "disabled:awsenv=no-session-bus"

// DropNoBus takes NoBusAddress out of the helper's environment, so the
// programs it runs see the environment awsenv had. The helper calls it
// first thing in main.
func DropNoBus() {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == NoBusAddress {
		os.Unsetenv("DBUS_SESSION_BUS_ADDRESS")
	}
}
