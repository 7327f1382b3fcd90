//go:build unix

package main

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
)

// Credentials AWS (here the double, made hostile) answers with that are
// not AWS credentials are refused by the one credential check, whichever
// call made them: a key id with an escape sequence or in lower case, a
// newline in the secret, a control character in the token, an absurd or
// negative expiry. The real binaries exit 5 with a clear error that
// quotes none of it, print nothing on stdout, cache nothing; once AWS
// answers properly again, the same command works.
func TestHostileCredentialsRefused(t *testing.T) {
	t.Parallel()
	variants := []struct {
		name string
		fn   func(*fakeaws.AnswerCredentials)
	}{
		{"escape in key id", func(c *fakeaws.AnswerCredentials) { c.AccessKeyID = "ASIA\x1b]52;c;cHduZWQ=\x07AAAAAAAAAA" }},
		{"lower-case key id", func(c *fakeaws.AnswerCredentials) { c.AccessKeyID = strings.ToLower(c.AccessKeyID) }},
		{"newline in secret", func(c *fakeaws.AnswerCredentials) { c.SecretAccessKey += "\nexport PWNED=1" }},
		{"control in token", func(c *fakeaws.AnswerCredentials) { c.SessionToken += "\x07" }},
		{"absurd expiry", func(c *fakeaws.AnswerCredentials) {
			c.Expiration, c.ExpirationMillis = "9999-12-31T23:59:59Z", math.MaxInt64
		}},
		{"no or negative expiry", func(c *fakeaws.AnswerCredentials) { c.Expiration, c.ExpirationMillis = "0001-01-01T00:00:00Z", -1 }},
	}
	calls := []struct {
		action  string
		profile string // whose session must not be cached
		sso     bool
		args    []string
	}{
		{"GetSessionToken", "alice", false, []string{"use", "alice", "--mfa-code", "CODE"}},
		{"AssumeRole", "prod", false, []string{"use", "prod", "--mfa-code", "CODE"}},
		{"GetRoleCredentials", "dev", true, []string{"use", "dev", "--no-input"}},
	}
	for _, call := range calls {
		for _, v := range variants {
			t.Run(call.action+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				var w *world
				if call.sso {
					var u *fakeaws.SSOUser
					w, u = ssoWorld(t)
					access, refresh, id, secret := cliToken(t, w, u)
					w.writeCLIToken("corp", access, refresh, id, secret, time.Now().Add(time.Hour))
				} else {
					w = newWorld(t)
				}
				args := func() []string {
					out := append([]string(nil), call.args...)
					for i, a := range out {
						if a == "CODE" {
							out[i] = w.code()
						}
					}
					return out
				}
				remove := w.fake.TamperCredentials(func(c *fakeaws.AnswerCredentials) {
					if c.Action == call.action {
						v.fn(c)
					}
				})
				r := w.run(args()...)
				if r.code != exitAWS || r.stdout != "" || !strings.Contains(r.stderr, "profile "+call.profile) ||
					!strings.Contains(r.stderr, "unusable") {
					t.Fatalf("want exit 5, nothing on stdout, the profile and the problem named:\n%s", r)
				}
				if strings.ContainsAny(r.stderr, "\x1b\x07") || strings.Contains(r.stderr, "PWNED") || strings.Contains(r.stderr, "cHduZWQ") {
					t.Fatalf("the answer reached stderr:\n%q", r.stderr)
				}
				entries, _ := os.ReadDir(w.sessionDir())
				for _, e := range entries {
					if strings.HasPrefix(e.Name(), call.profile+".") && strings.HasSuffix(e.Name(), ".json") {
						t.Errorf("a session was cached: %s", e.Name())
					}
				}
				remove()
				if r := w.run(args()...); r.code != 0 || !strings.Contains(r.stdout, "AWS_ACCESS_KEY_ID='ASIA") {
					t.Fatalf("with a proper answer again:\n%s", r)
				}
			})
		}
	}
}

// A credential-source plugin's answer passes the plugin host's protocol
// check (a key id that is no key id) and then the one credential check
// in awsenv itself (an expiry of 2^63-1 seconds, which the protocol
// allows): either way exit 7, nothing on stdout, no AWS call.
func TestHostileCredentialSourceRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, option, want string }{
		{"lower-case key id", "awsenv_credential_source_key_id = akiaiosfodnn7example", "access key ID that is not 16 to 128 capital letters"},
		{"absurd expiry", "awsenv_credential_source_expires = 9223372036854775807", "their expiry is not a time"},
		{"expired", "awsenv_credential_source_expires = 1", "expired at 1970-01-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := sourceWorld(t)
			w.appendConfig("[profile hostile]\nawsenv_credential_source = vault\n" + tc.option + "\n")
			r := w.run("use", "hostile", "--mfa-code", w.code())
			if r.code != exitPlugin || r.stdout != "" || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "hostile") {
				t.Fatalf("want exit 7 naming the profile and %q, nothing on stdout:\n%s", tc.want, r)
			}
			if n := w.fake.Calls("GetSessionToken"); n != 0 {
				t.Fatalf("%d GetSessionToken calls with refused keys", n)
			}
		})
	}
}
