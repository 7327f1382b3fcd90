package profiles_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

// Sources awsenv does not support yet are named, as botocore would take
// them: web_identity_token_file beats source_profile. login_session (now
// supported) comes after the keys of the profile and before
// credential_process.
func TestResolveUnsupportedSources(t *testing.T) {
	c := load(t, lines("[profile web]", "role_arn = arn:aws:iam::123456789012:role/r", "web_identity_token_file = /t",
		"[profile websrc]", "role_arn = arn:aws:iam::123456789012:role/r", "web_identity_token_file = /t", "source_profile = keys",
		"[profile login]", "login_session = arn:aws:iam::123456789012:user/a", "credential_process = /bin/creds",
		"[profile loginkeys]", "login_session = arn:aws:iam::123456789012:user/a"),
		lines("[keys]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret,
			"[loginkeys]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret))
	for name, want := range map[string]string{"web": "web_identity_token_file", "websrc": "web_identity_token_file"} {
		_, err := c.Resolve(name)
		var pe *profiles.ProfileError
		if !errors.As(err, &pe) || !strings.Contains(pe.Problem, want) || !strings.Contains(pe.Problem, "does not support yet") ||
			!strings.Contains(pe.Fix, "aws configure export-credentials --profile "+name+" --format process") {
			t.Errorf("Resolve(%s) = %v", name, err)
		}
	}
	if r, err := c.Resolve("login"); err != nil || r.Kind != profiles.KindLogin {
		t.Errorf("login_session beside credential_process: %v, %v", r, err)
	}
	if r, err := c.Resolve("loginkeys"); err != nil || r.Kind != profiles.KindUser {
		t.Errorf("keys beside login_session: %v, %v", r, err)
	}
}
