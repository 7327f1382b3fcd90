package credflow

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/credproc"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
)

// hostile are credentials that are not AWS credentials, each changed from
// good ones in one way; secretMark is in every secret and token, to see
// that no error quotes them.
const secretMark = "SECRETMARK"

var hostile = []struct {
	name string
	fn   func(c *profiles.Credentials, now time.Time)
	want string
}{
	{"escape in key id", func(c *profiles.Credentials, _ time.Time) { c.AccessKeyID = "ASIA\x1b]52;c;AAAAAAAAAAAAAA\x07" }, "access key id is not one"},
	{"lower-case key id", func(c *profiles.Credentials, _ time.Time) { c.AccessKeyID = strings.ToLower(c.AccessKeyID) }, "access key id is not one"},
	{"newline in secret", func(c *profiles.Credentials, _ time.Time) { c.SecretAccessKey += "\nexport X=1" }, "secret access key holds"},
	{"control in token", func(c *profiles.Credentials, _ time.Time) { c.SessionToken += "\x07" }, "session token holds"},
	{"absurd expiry", func(c *profiles.Credentials, _ time.Time) {
		c.Expiration = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	}, "later than such credentials last"},
	{"year 1 expiry", func(c *profiles.Credentials, _ time.Time) { c.Expiration = time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC) }, "not a time"},
	{"expiry a year ahead", func(c *profiles.Credentials, now time.Time) { c.Expiration = now.Add(365 * 24 * time.Hour) }, "later than such credentials last"},
	{"expired", func(c *profiles.Credentials, now time.Time) { c.Expiration = now.Add(-time.Minute) }, "expired at"},
}

// goodTemporary are credentials of AWS's shape, made at now.
func goodTemporary(now time.Time) profiles.Credentials {
	return profiles.Credentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: secretMark + "/K7MDENG/bPxRfiCYEXAMPLEKEY",
		SessionToken: secretMark + "token", Expiration: now.Add(time.Hour)}
}

// noSessionSaved fails when the rig's store holds a session file.
func noSessionSaved(t *testing.T, r *rig) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(r.flow.Store.Dir, "*.json"))
	if len(files) > 0 {
		t.Errorf("sessions were cached: %v", files)
	}
}

// Hostile credentials from each source reach the one check
// (profiles.Credentials.Validate) and are refused with the source named
// and nothing cached or handed out: STS's GetSessionToken and AssumeRole
// answers (credflow's funnel for new sessions), a credential_process's
// output (credproc.Parse), a credential-source plugin's answer.
// GetRoleCredentials goes through the same funnel (see
// TestHostileCredentialsRefused in cmd/awsenv, through the real binaries).
func TestEverySourceValidated(t *testing.T) {
	sources := []struct {
		name    string
		profile string
		setup   func(r *rig, src *fakeSource, bad func(*profiles.Credentials))
		check   func(err error) bool
	}{
		{"GetSessionToken", "nomfa", func(r *rig, _ *fakeSource, bad func(*profiles.Credentials)) {
			r.sts.tamper = func(call string, c *profiles.Credentials) {
				*c = goodTemporary(r.now)
				bad(c)
			}
		}, func(err error) bool { var ce *CredentialsError; return errors.As(err, &ce) && ce.Profile == "nomfa" }},
		{"AssumeRole", "role", func(r *rig, _ *fakeSource, bad func(*profiles.Credentials)) {
			r.sts.tamper = func(call string, c *profiles.Credentials) {
				if call == "AR" {
					*c = goodTemporary(r.now)
					bad(c)
				}
			}
		}, func(err error) bool { var ce *CredentialsError; return errors.As(err, &ce) && ce.Profile == "role" }},
		{"credential_process", "proc", func(r *rig, _ *fakeSource, bad func(*profiles.Credentials)) {
			c := goodTemporary(r.now)
			bad(&c)
			out, _ := json.Marshal(map[string]any{"Version": 1, "AccessKeyId": c.AccessKeyID, "SecretAccessKey": c.SecretAccessKey.Reveal(),
				"SessionToken": c.SessionToken.Reveal(), "Expiration": c.Expiration.UTC().Format(time.RFC3339)})
			r.flow.Processes = &ProcessSource{Run: func(context.Context, credproc.Request) ([]byte, error) { return out, nil }}
		}, func(err error) bool { var pe *ProcessError; return errors.As(err, &pe) && pe.Profile == "proc" }},
		{"credential source", "vault", func(r *rig, src *fakeSource, bad func(*profiles.Credentials)) {
			c := goodTemporary(r.now)
			bad(&c)
			src.resp = plugins.CredentialsResponse{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey.Reveal(),
				SessionToken: c.SessionToken.Reveal(), ExpiresUnix: c.Expiration.Unix()}
			if c.Expiration.Year() == 9999 {
				src.resp.ExpiresUnix = math.MaxInt64 // 2^63-1, which once crashed the helper
			}
		}, func(err error) bool { var se *SourceError; return errors.As(err, &se) && se.Profile == "vault" }},
		{"AssumeRoleWithWebIdentity", "web", func(r *rig, _ *fakeSource, bad func(*profiles.Credentials)) {
			r.flow.WebIdentity = &fakeWebIdentity{now: r.flow.Now, tamper: func(c *profiles.Credentials) { *c = goodTemporary(r.now); bad(c) }}
		}, func(err error) bool { var ce *CredentialsError; return errors.As(err, &ce) && ce.Profile == "web" }},
		{"credential_source", "ec2src", func(r *rig, _ *fakeSource, bad func(*profiles.Credentials)) {
			r.flow.Instance = &fakeWebIdentity{now: r.flow.Now, tamper: func(c *profiles.Credentials) { *c = goodTemporary(r.now); bad(c) }}
		}, func(err error) bool { var ce *CredentialsError; return errors.As(err, &ce) && ce.Profile == "ec2src" }},
	}
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("tok"), 0o644); err != nil {
		t.Fatal(err)
	}
	config := webConfig(token) + sourceConfig + "\n[profile proc]\ncredential_process = getcreds\n\n[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = nomfa\n"
	for _, s := range sources {
		for _, h := range hostile {
			t.Run(s.name+"/"+h.name, func(t *testing.T) {
				if s.name == "credential source" && h.name == "year 1 expiry" {
					t.Skip("ExpiresUnix before 1970 is negative: the plugin host refuses it, and the front reads it as none")
				}
				r := newRigWith(t, config, testCredentials)
				src := &fakeSource{}
				r.flow.Sources = src
				s.setup(r, src, func(c *profiles.Credentials) { h.fn(c, r.now) })
				res, err := r.flow.Get(context.Background(), s.profile, Options{})
				want := h.want
				if s.name == "credential source" && h.name == "absurd expiry" {
					want = "not a time (year 292277026596)"
				}
				if err == nil || res != nil || !s.check(err) || !strings.Contains(err.Error(), want) {
					t.Fatalf("want the %s refused (%q), got %v, %v", s.name, want, res, err)
				}
				if strings.Contains(err.Error(), secretMark) || strings.ContainsAny(err.Error(), "\x1b\x07") {
					t.Fatalf("the error quotes the answer: %q", err)
				}
				noSessionSaved(t, r)
			})
		}
	}
}

// A session read back from the cache that the check refuses counts as
// absent: a new one is made and replaces it.
func TestHostileCachedSessionReplaced(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			r := newRig(t)
			first := r.get(t, "nomfa", Options{})
			key := userKey(get(t, r.flow.Config, "nomfa"), "")
			s, err := r.flow.Store.Load(key)
			if err != nil || s == nil {
				t.Fatalf("cached: %v, %v", s, err)
			}
			h.fn(&s.Credentials, s.Created)
			if err := r.flow.Store.Save(key, s); err != nil {
				t.Fatal(err)
			}
			if got, err := r.flow.Store.Load(key); got != nil || err != nil {
				t.Fatalf("Load of a hostile session = %+v, %v; want nil, nil", got, err)
			}
			again := r.get(t, "nomfa", Options{})
			if again.Cached || len(r.sts.gst) != 2 || again.Credentials.AccessKeyID == first.Credentials.AccessKeyID {
				t.Fatalf("the hostile session was not replaced: %+v", again)
			}
			if s, err := r.flow.Store.Load(key); s == nil || err != nil || s.Credentials.AccessKeyID != again.Credentials.AccessKeyID {
				t.Fatalf("the new session was not cached: %+v, %v", s, err)
			}
		})
	}
}

func get(t *testing.T, c *profiles.Config, name string) *profiles.Profile {
	t.Helper()
	r, err := c.Resolve(name)
	if err != nil {
		t.Fatal(err)
	}
	return r.Profile
}
