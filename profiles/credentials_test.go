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

// Validate, the one check every source's credentials pass: what AWS's
// credentials look like passes; each way to be something else is refused
// with the problem named and neither the secret nor the token quoted.
func TestCredentialsValidate(t *testing.T) {
	now := fixedExpiry.Add(-time.Hour)
	long := profiles.Credentials{AccessKeyID: exampleKeyID, SecretAccessKey: exampleSecret}
	for name, c := range map[string]profiles.Credentials{
		"temporary":            exampleCredentials(),
		"long-term, no expiry": long,
		"temporary, no expiry": {AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: exampleSecret, SessionToken: exampleToken},
		"GetSessionToken's 36h": func() profiles.Credentials {
			c := exampleCredentials()
			c.Expiration = now.Add(36 * time.Hour)
			return c
		}(),
		"long-term, rotation date":       func() profiles.Credentials { c := long; c.Expiration = now.Add(90 * 24 * time.Hour); return c }(),
		"128-character key id":           func() profiles.Credentials { c := long; c.AccessKeyID = strings.Repeat("A", 128); return c }(),
		"AKIA with a token (LocalStack)": func() profiles.Credentials { c := exampleCredentials(); c.AccessKeyID = exampleKeyID; return c }(),
		"with its identity": func() profiles.Credentials {
			c := exampleCredentials()
			c.ARN, c.AccountID = "arn:aws:sts::123456789012:assumed-role/admin/awsenv-alice", "123456789012"
			return c
		}(),
	} {
		if err := c.Validate(now); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, tc := range map[string]struct {
		change func(c *profiles.Credentials)
		want   string
	}{
		"no key id":            {func(c *profiles.Credentials) { c.AccessKeyID = "" }, "no access key id"},
		"short key id":         {func(c *profiles.Credentials) { c.AccessKeyID = "ASIA123" }, "access key id is not one"},
		"long key id":          {func(c *profiles.Credentials) { c.AccessKeyID = strings.Repeat("A", 129) }, "access key id is not one"},
		"lower-case key id":    {func(c *profiles.Credentials) { c.AccessKeyID = "asiaiosfodnn7example" }, "access key id is not one"},
		"escape in key id":     {func(c *profiles.Credentials) { c.AccessKeyID = "ASIA\x1b[2JIOSFODNN7EXAMPLE" }, "access key id is not one"},
		"no secret":            {func(c *profiles.Credentials) { c.SecretAccessKey = "" }, "no secret access key"},
		"newline in secret":    {func(c *profiles.Credentials) { c.SecretAccessKey += "\n" }, "secret access key holds"},
		"space in secret":      {func(c *profiles.Credentials) { c.SecretAccessKey += " x" }, "secret access key holds"},
		"UTF-8 in secret":      {func(c *profiles.Credentials) { c.SecretAccessKey += "é" }, "secret access key holds"},
		"huge secret":          {func(c *profiles.Credentials) { c.SecretAccessKey = profiles.Secret(strings.Repeat("a", 1<<20)) }, "too long"},
		"control in token":     {func(c *profiles.Credentials) { c.SessionToken += "\x00" }, "session token holds"},
		"ASIA without token":   {func(c *profiles.Credentials) { c.SessionToken = "" }, "without its session token"},
		"expired":              {func(c *profiles.Credentials) { c.Expiration = now.Add(-time.Second) }, "expired at"},
		"expires now":          {func(c *profiles.Credentials) { c.Expiration = now }, "expired at"},
		"49h ahead":            {func(c *profiles.Credentials) { c.Expiration = now.Add(49 * time.Hour) }, "later than such credentials last"},
		"year 9999":            {func(c *profiles.Credentials) { c.Expiration = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) }, "later than"},
		"year 1":               {func(c *profiles.Credentials) { c.Expiration = time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC) }, "not a time"},
		"2^63-1 seconds":       {func(c *profiles.Credentials) { c.Expiration = time.Unix(1<<63-1, 0) }, "not a time"},
		"account of 11 digits": {func(c *profiles.Credentials) { c.AccountID = "12345678901" }, "account id is not one"},
		"escape in account":    {func(c *profiles.Credentials) { c.AccountID = "1234567890\x1b[" }, "account id is not one"},
		"space in ARN":         {func(c *profiles.Credentials) { c.ARN = "arn:aws:sts::1:assumed-role/a b" }, "ARN holds"},
		"escape in ARN":        {func(c *profiles.Credentials) { c.ARN = "arn:aws:sts::1:\x1b]0;x\x07" }, "ARN holds"},
		"huge ARN":             {func(c *profiles.Credentials) { c.ARN = "arn:" + strings.Repeat("a", 4096) }, "ARN holds"},
		"long-term 11 years":   {func(c *profiles.Credentials) { *c = long; c.Expiration = now.Add(11 * 365 * 24 * time.Hour) }, "later than"},
	} {
		c := exampleCredentials()
		tc.change(&c)
		err := c.Validate(now)
		var ce *profiles.CredentialsError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
			continue
		}
		if leaks(err.Error()) || strings.ContainsAny(err.Error(), "\x00\x1b\n") {
			t.Errorf("%s: the error quotes what it refuses: %q", name, err)
		}
	}
}
