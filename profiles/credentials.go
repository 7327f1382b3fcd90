package profiles

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
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
}

// Temporary reports whether these are session credentials (they carry a token).
func (c Credentials) Temporary() bool { return c.SessionToken != "" }
