package credflow

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/plugins"
)

// fakeSource is a credential-source plugin reached by name.
type fakeSource struct {
	resp  plugins.CredentialsResponse
	err   error
	calls []string // plugin/profile
	reqs  []plugins.CredentialsRequest
}

func (s *fakeSource) GetCredentials(_ context.Context, plugin string, req plugins.CredentialsRequest) (plugins.CredentialsResponse, error) {
	s.calls = append(s.calls, plugin+"/"+req.Profile)
	s.reqs = append(s.reqs, req)
	return s.resp, s.err
}

const sourceConfig = `[profile vault]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
awsenv_credential_source = pass
awsenv_credential_source_path = aws/alice

[profile vault-role]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = vault

[profile open]
awsenv_credential_source = pass
`

const longTermSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

func sourceRig(t *testing.T) (*rig, *fakeSource) {
	t.Helper()
	r := newRigWith(t, sourceConfig, "")
	src := &fakeSource{resp: plugins.CredentialsResponse{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: longTermSecret}}
	r.flow.Sources = src
	return r, src
}

// Long-term keys from a source go through GetSessionToken with MFA and the
// session cache, as file keys do; the cached path asks the source nothing.
func TestSourceLongTermKeysMakeAnMFASession(t *testing.T) {
	r, src := sourceRig(t)
	res := r.get(t, "vault", Options{})
	if len(src.calls) != 1 || src.calls[0] != "pass/vault" || src.reqs[0].Options["path"] != "aws/alice" {
		t.Fatalf("source calls %v %+v", src.calls, src.reqs)
	}
	if len(r.sts.gst) != 1 || r.sts.gst[0].Credentials.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" ||
		r.sts.gst[0].Credentials.SecretAccessKey.Reveal() != longTermSecret || r.sts.gst[0].TokenCode == "" {
		t.Fatalf("GetSessionToken: %+v", r.sts.gst)
	}
	if res.Cached || res.Session == nil || !strings.HasPrefix(res.Credentials.AccessKeyID, "ASIA") {
		t.Fatalf("result %+v", res)
	}
	again := r.get(t, "vault", Options{})
	if !again.Cached || len(src.calls) != 1 || len(r.sts.gst) != 1 {
		t.Fatalf("second get asked the source %d times, STS %d times", len(src.calls), len(r.sts.gst))
	}
	// A role on it reuses the MFA session: no source call.
	r.get(t, "vault-role", Options{})
	if len(src.calls) != 1 || len(r.sts.ar) != 1 || len(r.mfa.reqs) != 1 {
		t.Fatalf("role: source %d, AssumeRole %d, codes %d", len(src.calls), len(r.sts.ar), len(r.mfa.reqs))
	}
	// The secret is in no file but the session cache.
	files := []string{r.flow.Config.Files.Config, r.flow.Config.Files.Credentials}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if strings.Contains(string(data), longTermSecret) {
			t.Errorf("%s holds the secret", f)
		}
	}
	entries, _ := os.ReadDir(r.flow.Store.Dir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(r.flow.Store.Dir, e.Name()))
		if strings.Contains(string(data), longTermSecret) {
			t.Errorf("session file %s holds the long-term secret", e.Name())
		}
	}
}

// Temporary credentials from a source are used as they are, every time.
func TestSourceTemporaryCredentialsUsedAsTheyAre(t *testing.T) {
	r, src := sourceRig(t)
	exp := r.now.Add(time.Hour)
	src.resp = plugins.CredentialsResponse{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: "s", SessionToken: "tok", ExpiresUnix: exp.Unix()}
	for i := 1; i <= 2; i++ {
		res := r.get(t, "open", Options{})
		if res.Credentials.AccessKeyID != "ASIAIOSFODNN7EXAMPLE" || res.Session != nil || !res.Credentials.Expiration.Equal(exp) {
			t.Fatalf("result %+v", res)
		}
		if len(src.calls) != i || len(r.sts.gst) != 0 {
			t.Fatalf("source calls %d, GetSessionToken %d", len(src.calls), len(r.sts.gst))
		}
	}
	entries, _ := os.ReadDir(r.flow.Store.Dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			t.Errorf("temporary source credentials were cached: %s", e.Name())
		}
	}
}

// Errors name the profile and the source, never the secret.
func TestSourceErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		resp plugins.CredentialsResponse
		err  error
		want string
	}{
		"plugin fails":  {err: errors.New("pass: store locked"), want: "store locked"},
		"no secret":     {resp: plugins.CredentialsResponse{AccessKeyID: "AKIAIOSFODNN7EXAMPLE"}, want: "no secret access key"},
		"bad key id":    {resp: plugins.CredentialsResponse{AccessKeyID: "akia$(rm)", SecretAccessKey: longTermSecret}, want: "not one"},
		"asia no token": {resp: plugins.CredentialsResponse{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: longTermSecret}, want: "without its session token"},
		"expired": {resp: plugins.CredentialsResponse{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: longTermSecret, SessionToken: "t",
			ExpiresUnix: 1}, want: "expired"},
	} {
		t.Run(name, func(t *testing.T) {
			r, src := sourceRig(t)
			src.resp, src.err = tc.resp, tc.err
			_, err := r.flow.Get(context.Background(), "vault", Options{})
			var se *SourceError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), "profile vault: credential source pass: ") ||
				!strings.Contains(err.Error(), tc.want) || !strings.HasSuffix(err.Error(), ".") {
				t.Fatalf("error %v", err)
			}
			if strings.Contains(err.Error(), longTermSecret) || len(r.sts.gst) != 0 {
				t.Fatalf("error shows the secret or STS was called: %v", err)
			}
		})
	}
	// No source wired: a clear error, not a panic.
	r := newRigWith(t, sourceConfig, "")
	if _, err := r.flow.Get(context.Background(), "vault", Options{}); err == nil || !strings.Contains(err.Error(), "credential source pass") {
		t.Fatalf("no Sources: %v", err)
	}
}
