// Package plugins is the contract between awsenv and its plugins, built in
// or third-party: MFA code providers (provider.go: the terminal prompt, a
// code given on the command line, ykman, op, mfa_process and plugin
// processes), and hooks and credential sources (hooks.go). The transport
// is in rpc, the one child runner in childproc and the one sanitiser in
// termsafe.
package plugins

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Builtins are the MFA providers built into awsenv, in the order `awsenv
// plugins list` shows them. Both helpers answer them in their own process;
// awsenv sends a code request for any other name to the full helper, which
// runs third-party plugins.
var Builtins = []string{"prompt", "ykman", "op", "process"}

// IsBuiltin reports whether name is one of Builtins.
func IsBuiltin(name string) bool { return slices.Contains(Builtins, name) }

// DefaultCodeTimeout bounds one code request when the profile sets no
// awsenv_mfa_timeout: a person may be finding their key or phone.
const DefaultCodeTimeout = 2 * time.Minute

// Request is what a provider is told when awsenv needs a code.
type Request struct {
	Profile  string            // the profile the code is for
	Serial   string            // the MFA device's serial or ARN
	Options  map[string]string // the awsenv_mfa_<option> keys of the profile
	Terminal bool              // whether a controlling terminal is available
	// Rejected is the code AWS rejected on the previous try, if any, so a
	// provider can tell the person and not hand the same code back.
	Rejected string
	// Accepted is the last code AWS accepted for this serial, if it may
	// still be current: handing it back would be refused as a reuse.
	Accepted string
}

// Provider supplies MFA codes.
type Provider interface {
	Name() string
	Code(ctx context.Context, req Request) (string, error)
}

// ValidCode reports whether code is six ASCII digits, the only shape AWS
// accepts for a TOTP code.
func ValidCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// Static is the code given on the command line (--mfa-code). It can be
// used once: a second request means AWS rejected it, and asking again
// would get the same code.
type Static struct {
	code string
	used bool
}

// NewStatic checks the code's shape before any STS call is made.
func NewStatic(code string) (*Static, error) {
	if !ValidCode(code) {
		return nil, &Error{Provider: "--mfa-code", Problem: "the code must be six digits",
			Fix: "Pass the 6-digit code your MFA device shows now, e.g. --mfa-code 123456."}
	}
	return &Static{code: code}, nil
}

func (s *Static) Name() string { return "--mfa-code" }

// Fixed reports that the code cannot change: waiting gets no other.
func (s *Static) Fixed() bool { return true }

func (s *Static) Code(_ context.Context, req Request) (string, error) {
	if s.used {
		return "", &Error{Provider: s.Name(), Problem: "the code given with --mfa-code was already used",
			Fix: "Run the command again with the next code from your MFA device."}
	}
	s.used = true
	return s.code, nil
}

// Error is a provider that could not produce a code, or a hook or
// credential source that failed.
type Error struct {
	Provider string // the provider's or plugin's name
	// Kind says what Provider is in the message: empty for an MFA provider,
	// else e.g. KindHook or KindCredentialSource.
	Kind    string
	Problem string
	Fix     string
	Err     error
}

// Kinds of plugin an Error may name.
const (
	KindHook             = "hook"
	KindCredentialSource = "credential source"
)

func (e *Error) Error() string {
	kind := e.Kind
	if kind == "" {
		kind = "MFA provider"
	}
	msg := fmt.Sprintf("%s %s: %s", kind, e.Provider, strings.TrimRight(e.Problem, ". "))
	if e.Err != nil {
		msg += ": " + strings.TrimRight(e.Err.Error(), ". ")
	}
	return msg + ". " + e.Fix
}

func (e *Error) Unwrap() error { return e.Err }
