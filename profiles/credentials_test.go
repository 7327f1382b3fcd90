package profiles_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

var fixedExpiry = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func exampleCredentials() profiles.Credentials {
	return profiles.Credentials{
		AccessKeyID:     "ASIAIOSFODNN7EXAMPLE",
		SecretAccessKey: exampleSecret,
		SessionToken:    exampleToken,
		Expiration:      fixedExpiry,
	}
}

// leaks reports whether out shows the secret or the token, as text or hex.
func leaks(out string) bool {
	for _, s := range []string{exampleSecret, exampleToken} {
		if strings.Contains(out, s) || strings.Contains(strings.ToLower(out), hex.EncodeToString([]byte(s))) {
			return true
		}
	}
	return false
}

func TestSecretNeverPrints(t *testing.T) {
	c := exampleCredentials()
	p := &profiles.Profile{Name: "x", AccessKeyID: exampleKeyID, SecretAccessKey: exampleSecret, SessionToken: exampleToken}
	values := map[string]any{
		"Credentials":  c,
		"*Credentials": &c,
		"Secret":       c.SecretAccessKey,
		"*Secret":      &c.SecretAccessKey,
		"*Profile":     p,
		"Profile":      *p,
		"[]Secret":     []profiles.Secret{c.SecretAccessKey},
		"map":          map[string]profiles.Secret{"k": c.SessionToken},
		"error":        fmt.Errorf("wrapped: %v", c.SecretAccessKey),
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
			out := fmt.Sprintf(verb, v)
			if leaks(out) {
				t.Errorf("%s with %s shows the secret: %s", name, verb, out)
			}
		}
		for _, out := range []string{fmt.Sprint(v), fmt.Sprintln(v)} {
			if leaks(out) {
				t.Errorf("%s with Sprint shows the secret: %s", name, out)
			}
		}
	}
	if got := fmt.Sprint(c.SecretAccessKey); got != "[REDACTED]" {
		t.Errorf("Sprint(secret) = %q", got)
	}
	if c.SecretAccessKey.Reveal() != exampleSecret || c.SessionToken.Reveal() != exampleToken {
		t.Error("Reveal does not return the secret")
	}
	// The access key id is not a secret: it stays visible for debugging.
	if !strings.Contains(fmt.Sprintf("%+v", c), "ASIAIOSFODNN7EXAMPLE") {
		t.Errorf("%%+v hides the access key id: %+v", c)
	}
}

// TestSecretOtherVerbs: verbs a Stringer does not answer (%d, %t, %c...)
// print the "bad verb" form, which shows the underlying string.
func TestSecretOtherVerbs(t *testing.T) {
	c := exampleCredentials()
	// Formats come from a slice so vet's printf check lets them through:
	// they are mistakes a caller can make, which is the point.
	// %p is left out: fmt handles it before any method of the value, so
	// no method can redact it; nothing in awsenv formats secrets with %p.
	verbs := []string{"%d", "%t", "%c", "%e", "%U", "%b", "%o", "%x", "%q"}
	for _, v := range []any{c, c.SecretAccessKey} {
		for _, verb := range verbs {
			if out := fmt.Sprintf(verb, v); leaks(out) {
				t.Errorf("%s of %T shows the secret: %s", verb, v, out)
			}
		}
	}
}

func TestCredentialsJSON(t *testing.T) {
	c := exampleCredentials()
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"access_key_id":"ASIAIOSFODNN7EXAMPLE","secret_access_key":"` + exampleSecret +
		`","session_token":"` + exampleToken + `","expiration":"2030-01-02T03:04:05Z"}`
	if string(data) != want {
		t.Errorf("json.Marshal = %s\nwant %s", data, want)
	}
	var back profiles.Credentials
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back != c {
		t.Errorf("round trip = %+v, want %+v", back, c)
	}

	// Long-term keys: no token, no expiration.
	lt := profiles.Credentials{AccessKeyID: exampleKeyID, SecretAccessKey: exampleSecret}
	data, err = json.Marshal(lt)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"access_key_id":"` + exampleKeyID + `","secret_access_key":"` + exampleSecret + `"}`; string(data) != want {
		t.Errorf("json.Marshal = %s, want %s", data, want)
	}
	if lt.Temporary() || !c.Temporary() {
		t.Errorf("Temporary: long-term %v, session %v", lt.Temporary(), c.Temporary())
	}

	// A secret inside an error chain stays hidden even when the error is
	// formatted with every common verb.
	err = fmt.Errorf("sts: %w", errors.New("bad key "+fmt.Sprint(c.SecretAccessKey)))
	if leaks(err.Error()) {
		t.Errorf("error shows the secret: %v", err)
	}
}
