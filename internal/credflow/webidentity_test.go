package credflow

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// fakeWebIdentity answers AssumeRoleWithWebIdentity and instance
// credentials, recording the tokens it was given.
type fakeWebIdentity struct {
	now    func() time.Time
	tokens []string
	asked  []awsapi.InstanceInput
	tamper func(c *profiles.Credentials)
}

func (f *fakeWebIdentity) answer() profiles.Credentials {
	c := profiles.Credentials{AccessKeyID: fakeKeyID("WEB", len(f.tokens)+len(f.asked)), SecretAccessKey: "s", SessionToken: "t",
		Expiration: f.now().Add(time.Hour)}
	if f.tamper != nil {
		f.tamper(&c)
	}
	return c
}

func (f *fakeWebIdentity) AssumeRoleWithWebIdentity(_ context.Context, in awsapi.AssumeRoleWithWebIdentityInput) (profiles.Credentials, error) {
	f.tokens = append(f.tokens, in.Token.Reveal())
	return f.answer(), nil
}

func (f *fakeWebIdentity) InstanceCredentials(_ context.Context, in awsapi.InstanceInput) (profiles.Credentials, error) {
	f.asked = append(f.asked, in)
	return f.answer(), nil
}

// webConfig is a web identity profile reading token, a role on top of it,
// and roles whose credential_source is the instance or the container.
func webConfig(token string) string {
	return testConfig + "\n[profile web]\nrole_arn = arn:aws:iam::123456789012:role/web\nweb_identity_token_file = " + token +
		"\n\n[profile onweb]\nrole_arn = arn:aws:iam::123456789012:role/second\nsource_profile = web\n" +
		"\n[profile ec2src]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Ec2InstanceMetadata\n" +
		"\n[profile ecssrc]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = EcsContainer\n"
}

// The token file is read again on each renewal (the platform rotates it),
// the session is cached like a role's in between, and a role on top of it
// is assumed with its credentials.
func TestWebIdentityRereadsToken(t *testing.T) {
	token := filepath.Join(t.TempDir(), "token")
	must(t, os.WriteFile(token, []byte("first\n"), 0o644))
	r := newRigWith(t, webConfig(token), testCredentials)
	wi := &fakeWebIdentity{now: r.flow.Now}
	r.flow.WebIdentity = wi
	first := r.get(t, "web", Options{})
	if again := r.get(t, "web", Options{}); !again.Cached || len(wi.tokens) != 1 || wi.tokens[0] != "first" {
		t.Fatalf("not cached: %+v %q", again, wi.tokens)
	}
	must(t, os.WriteFile(token, []byte("second"), 0o644))
	if renewed := r.get(t, "web", Options{Refresh: true}); renewed.Credentials.AccessKeyID == first.Credentials.AccessKeyID ||
		len(wi.tokens) != 2 || wi.tokens[1] != "second" {
		t.Fatalf("the renewal did not read the file again: %q", wi.tokens)
	}
	res := r.get(t, "onweb", Options{})
	if len(r.sts.ar) != 1 || r.sts.ar[0].Credentials.AccessKeyID != fakeKeyID("WEB", 2) || len(wi.tokens) != 2 || res.Kind != profiles.KindRole {
		t.Fatalf("the second role was not assumed with the cached web identity session: %+v", r.sts.ar)
	}
}

// credential_source reads awsenv's environment: the IMDS endpoint, the
// container's URI (relative on 169.254.170.2) and its token file.
func TestCredentialSourceEnvironment(t *testing.T) {
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "auth")
	must(t, os.WriteFile(tokFile, []byte("Bearer x\n"), 0o600))
	r := newRigWith(t, webConfig(filepath.Join(dir, "none")), testCredentials)
	wi := &fakeWebIdentity{now: r.flow.Now}
	r.flow.Instance = wi
	env := map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/creds",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokFile}
	r.flow.Getenv = func(k string) string { return env[k] }
	r.get(t, "ec2src", Options{})
	r.get(t, "ecssrc", Options{})
	if len(wi.asked) != 2 || wi.asked[0].IMDSEndpoint != "http://127.0.0.1:1" || wi.asked[1].ContainerURL != "http://169.254.170.2/v2/creds" ||
		wi.asked[1].AuthToken.Reveal() != "Bearer x" {
		t.Fatalf("asked %+v", wi.asked)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A full container URI that would send the token in clear over the
// network is refused, as botocore does; loopback and https are taken.
func TestContainerURLAllowed(t *testing.T) {
	for u, want := range map[string]bool{"http://127.0.0.1:8080/c": true, "http://localhost/c": true, "http://169.254.170.23/v1/credentials": true,
		"https://creds.example.com/c": true, "http://creds.example.com/c": false, "http://10.0.0.1/c": false, "file:///etc/passwd": false} {
		if got := allowedContainerURL(u); got != want {
			t.Errorf("allowedContainerURL(%s) = %v, want %v", u, got, want)
		}
	}
}
