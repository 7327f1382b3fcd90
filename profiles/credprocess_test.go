package profiles_test

import (
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// credential_process counts as a profile's credentials as botocore counts
// it: after the credentials file's keys, never for a role without
// source_profile, and not beside a credential-source plugin.
func TestResolveCredentialProcess(t *testing.T) {
	cfg := load(t, lines(
		"[profile proc]",
		"credential_process = get-creds --profile x",
		"",
		"[profile role]",
		"role_arn = arn:aws:iam::123456789012:role/admin",
		"source_profile = proc",
		"",
		"[profile ownrole]",
		"role_arn = arn:aws:iam::123456789012:role/admin",
		"credential_process = get-creds",
		"",
		"[profile both]",
		"credential_process = get-creds",
		"awsenv_credential_source = vault",
		"",
		"[profile keys]",
		"credential_process = get-creds",
	), lines("[keys]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret))
	r, err := cfg.Resolve("role")
	if err != nil || r.Kind != profiles.KindRole || r.Source.Profile.Name != "proc" || !r.Source.Profile.HasCredentialProcess() {
		t.Fatalf("role on a credential_process: %+v, %v", r, err)
	}
	if r, err := cfg.Resolve("keys"); err != nil || r.Profile.HasCredentialProcess() {
		t.Fatalf("keys in the credentials file win over credential_process: %+v, %v", r, err)
	}
	_, err = cfg.Resolve("ownrole")
	mustContain(t, errString(err), "role_arn and credential_process without source_profile", "source_profile = that profile in [profile ownrole]")
	_, err = cfg.Resolve("both")
	mustContain(t, errString(err), "both awsenv_credential_source = vault and credential_process")
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestSplitCommand(t *testing.T) {
	for in, want := range map[string][]string{
		`get-creds --a "b c" 'd e' f\ g`: {"get-creds", "--a", "b c", "d e", "f g"},
		`cmd ; rm -rf ~ # $HOME`:         {"cmd", ";", "rm", "-rf", "~", "#", "$HOME"},
	} {
		got, err := profiles.SplitCommand(in)
		if err != nil || len(got) != len(want) {
			t.Fatalf("SplitCommand(%q) = %q, %v; want %q", in, got, err, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("SplitCommand(%q) = %q; want %q", in, got, want)
			}
		}
	}
	for _, bad := range []string{"", "   ", `a "b`, `a\`} {
		if _, err := profiles.SplitCommand(bad); err == nil {
			t.Errorf("SplitCommand(%q) succeeded", bad)
		}
	}
}

func TestCredentialProcessTimeout(t *testing.T) {
	cfg := load(t, lines("[profile a]", "credential_process = x", "awsenv_credential_process_timeout = 5s",
		"", "[profile b]", "credential_process = x", "awsenv_credential_process_timeout = 1h",
		"", "[profile c]", "credential_process = x"), "-")
	g := &profiles.Global{}
	for name, want := range map[string]time.Duration{"a": 5 * time.Second, "c": time.Minute} {
		p, _ := cfg.Get(name)
		if d, err := g.CredentialProcessTimeout(p); err != nil || d != want {
			t.Errorf("%s: %s, %v; want %s", name, d, err, want)
		}
	}
	p, _ := cfg.Get("b")
	_, err := g.CredentialProcessTimeout(p)
	mustContain(t, errString(err), "awsenv_credential_process_timeout", "between 1s and 10m")
}
