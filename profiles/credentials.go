package profiles

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/awsenv/awsenv/profiles/credshape"
)

// Secret holds a secret access key or a session token. It prints as a
// placeholder in every fmt verb, so a secret cannot reach an error message,
// a log line or debug output by accident; Reveal is the one way out.
type Secret string

const redacted = "[REDACTED]"

func (s Secret) String() string   { return redacted }
func (s Secret) GoString() string { return redacted }

// Format covers the verbs String does not (%d, %x, %q...), which would
// otherwise print the value through fmt's bad-verb path.
func (s Secret) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// Reveal returns the secret itself, for the places that must hand it on:
// the shell exports, the session file, the STS request.
func (s Secret) Reveal() string { return string(s) }

// MarshalJSON writes the real value: JSON is how session files and the STS
// helper's pipe carry secrets, and both are private to the user.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(string(s)) }

// Credentials is one set of AWS credentials, long-term or temporary.
type Credentials struct {
	AccessKeyID     string    `json:"access_key_id"`
	SecretAccessKey Secret    `json:"secret_access_key"`
	SessionToken    Secret    `json:"session_token,omitempty"`
	Expiration      time.Time `json:"expiration,omitzero"`
	// Who the credentials are, where their source says (not secret, never
	// used to sign): ARN is the identity's (AssumeRole's AssumedRoleUser,
	// an assumed-role ARN), AccountID the 12-digit account (Identity
	// Center's sso_account_id, a credential_process's AccountId). Hooks
	// get them in PostUse; empty when the source names none.
	ARN       string `json:"arn,omitempty"`
	AccountID string `json:"account_id,omitempty"`
}

// Temporary reports whether these are session credentials (they carry a token).
func (c Credentials) Temporary() bool { return c.SessionToken != "" }

// Limits of Validate.
const (
	// MaxTemporaryLifetime is how far ahead temporary credentials may
	// expire: 36 h is the longest AWS hands out (GetSessionToken), and 12 h
	// more leaves room for a clock behind AWS's.
	MaxTemporaryLifetime = 48 * time.Hour
	// maxLongTermLifetime bounds the expiry a credential_process or plugin
	// may give long-term keys (a rotation date, say): far, but not absurd.
	maxLongTermLifetime = 10 * 365 * 24 * time.Hour
)

// Validate is the one check of credentials from any source (STS and
// IAM Identity Center answers, credential_process, credential-source
// plugins, sessions read back from the cache) before awsenv uses, caches
// or exports them, at time now:
//
//   - the access key id is 16 to 128 upper-case letters and digits, as
//     AWS's are (AKIA..., ASIA...);
//   - the secret and the token (if any) are printable ASCII without
//     spaces: nothing a shell, a file format or a terminal would read as
//     more than a value;
//   - a temporary key (ASIA...) has its session token;
//   - the identity, when the source names one, is 12 digits (AccountID)
//     and printable ASCII without spaces (ARN);
//   - an expiry, when there is one, is after now, and for temporary
//     credentials (with a token) at most MaxTemporaryLifetime ahead (for
//     long-term keys, at most ten years). No expiry is allowed: long-term
//     keys have none, and a credential_process may give none for
//     temporary ones (botocore then treats them as never expiring); the
//     callers whose source always gives one check that themselves.
//
// The error (*CredentialsError) says what is wrong without quoting the
// secret or the token.
func (c Credentials) Validate(now time.Time) error {
	bad := func(format string, args ...any) error {
		return &CredentialsError{Problem: fmt.Sprintf(format, args...)}
	}
	switch {
	case c.AccessKeyID == "":
		return bad("no access key id")
	case !credshape.KeyID(c.AccessKeyID):
		return bad("the access key id is not one (16 to 128 upper-case letters and digits, such as AKIA... or ASIA...)")
	case c.SecretAccessKey == "":
		return bad("no secret access key")
	case !credshape.SecretText(string(c.SecretAccessKey)):
		return bad("the secret access key holds a space, a control character or anything but printable ASCII, or is too long")
	case c.SessionToken != "" && !credshape.SecretText(string(c.SessionToken)):
		return bad("the session token holds a space, a control character or anything but printable ASCII, or is too long")
	case strings.HasPrefix(c.AccessKeyID, "ASIA") && c.SessionToken == "":
		return bad("a temporary key (ASIA...) without its session token")
	case c.AccountID != "" && !credshape.AccountID(c.AccountID):
		return bad("the account id is not one (12 digits)")
	case c.ARN != "" && !credshape.ARN(c.ARN):
		return bad("the identity's ARN holds a space, a control character or anything but printable ASCII, or is over %d characters", credshape.MaxARN)
	}
	if c.Expiration.IsZero() {
		return nil
	}
	most := maxLongTermLifetime
	if c.Temporary() {
		most = MaxTemporaryLifetime
	}
	switch exp := c.Expiration; {
	case exp.Year() < 1970 || exp.Year() > 9999:
		return bad("their expiry is not a time (year %d)", exp.Year())
	case !exp.After(now):
		return bad("they expired at %s", exp.UTC().Format(time.RFC3339))
	case exp.Sub(now) > most:
		return bad("they expire at %s, more than %dh from now, later than such credentials last",
			exp.UTC().Format(time.RFC3339), int(most.Hours()))
	}
	return nil
}

// CredentialsError is credentials Validate refused.
type CredentialsError struct {
	Problem string // never quotes the secret or the token
}

func (e *CredentialsError) Error() string { return e.Problem }
