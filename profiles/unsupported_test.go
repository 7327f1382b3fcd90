package profiles_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

// Sources as botocore takes them: web_identity_token_file beats
// source_profile (and resolves as a source too); login_session comes after
// the keys of the profile and before credential_process; credential_source
// names one of botocore's three canonical sources, or is refused naming it.
func TestResolveOtherSources(t *testing.T) {
	c := load(t, lines("[profile web]", "role_arn = arn:aws:iam::123456789012:role/r", "web_identity_token_file = /t", "role_session_name = ci",
		"[profile websrc]", "role_arn = arn:aws:iam::123456789012:role/r", "web_identity_token_file = /t", "source_profile = keys",
		"[profile onweb]", "role_arn = arn:aws:iam::123456789012:role/second", "source_profile = web",
		"[profile envsrc]", "role_arn = arn:aws:iam::123456789012:role/r", "credential_source = Environment",
		"[profile bogus]", "role_arn = arn:aws:iam::123456789012:role/r", "credential_source = environment",
		"[profile login]", "login_session = arn:aws:iam::123456789012:user/a", "credential_process = /bin/creds",
		"[profile loginkeys]", "login_session = arn:aws:iam::123456789012:user/a"),
		lines("[keys]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret,
			"[loginkeys]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret))
	for _, name := range []string{"web", "websrc"} {
		r, err := c.Resolve(name)
		if err != nil || r.Kind != profiles.KindWebIdentity || r.WebIdentity == nil || r.WebIdentity.TokenFile != "/t" ||
			r.WebIdentity.RoleARN != "arn:aws:iam::123456789012:role/r" || r.WebIdentity.FromEnv {
			t.Errorf("Resolve(%s) = %+v, %v", name, r, err)
		}
	}
	if r, _ := c.Resolve("web"); r == nil || r.WebIdentity.SessionName != "ci" {
		t.Errorf("role_session_name not kept: %+v", r)
	}
	if r, err := c.Resolve("onweb"); err != nil || r.Kind != profiles.KindRole || r.Source.Kind != profiles.KindWebIdentity {
		t.Errorf("a role on a web identity: %+v, %v", r, err)
	}
	if r, err := c.Resolve("envsrc"); err != nil || r.Kind != profiles.KindRole || r.Source.Kind != profiles.KindCredentialSource {
		t.Errorf("credential_source = Environment: %+v, %v", r, err)
	}
	var pe *profiles.ProfileError
	if _, err := c.Resolve("bogus"); !errors.As(err, &pe) || !strings.Contains(pe.Problem, "credential_source = environment") ||
		!strings.Contains(pe.Fix, "Ec2InstanceMetadata") {
		t.Errorf("an unknown credential_source: %v", err)
	}
	if r, err := c.Resolve("login"); err != nil || r.Kind != profiles.KindLogin {
		t.Errorf("login_session beside credential_process: %v, %v", r, err)
	}
	if r, err := c.Resolve("loginkeys"); err != nil || r.Kind != profiles.KindUser {
		t.Errorf("keys beside login_session: %v, %v", r, err)
	}
}

// A profile with no credentials of its own assumes the environment's
// AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE; a token without a role is
// refused naming the variable.
func TestResolveWebIdentityFromEnvironment(t *testing.T) {
	c := load(t, lines("[profile ci]", "region = eu-west-1", "[profile keys]"), lines("[keys]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret))
	c.Files.WebIdentity = profiles.WebIdentity{RoleARN: "arn:aws:iam::123456789012:role/ci", TokenFile: "/t", FromEnv: true}
	if r, err := c.Resolve("ci"); err != nil || r.Kind != profiles.KindWebIdentity || !r.WebIdentity.FromEnv {
		t.Errorf("Resolve(ci) = %+v, %v", r, err)
	}
	if r, err := c.Resolve("keys"); err != nil || r.Kind != profiles.KindUser {
		t.Errorf("the profile's own keys come first: %+v, %v", r, err)
	}
	c2 := load(t, lines("[profile ci]", "region = eu-west-1"), "")
	c2.Files.WebIdentity = profiles.WebIdentity{TokenFile: "/t", FromEnv: true}
	if _, err := c2.Resolve("ci"); err == nil || !strings.Contains(err.Error(), "AWS_ROLE_ARN") {
		t.Errorf("a token without a role: %v", err)
	}
}
