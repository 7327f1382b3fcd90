//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A web identity role against moto_server: from a profile, from the
// environment's AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, and as the
// source of a second role; the aws CLI in the child sees each role. The
// token file is read again on a renewal: gone, it is named in the error.
func TestWebIdentityAgainstMoto(t *testing.T) {
	t.Parallel()
	requireTool(t, "aws")
	w := newWorld(t)
	moto := startMoto(t)
	w.extra = []string{"AWS_ENDPOINT_URL=" + moto}
	token := filepath.Join(w.dir, "token")
	must(t, os.WriteFile(token, []byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmF3c2Vudi9hd3NlbnYifQ.c2ln\n"), 0o644))
	w.writeConfig(`[profile web]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/webid-web
web_identity_token_file = ` + token + `
role_session_name = gha

[profile second]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/webid-second
source_profile = web

[profile ci]
region = us-east-1
`)
	arn := func(profile string, env ...string) result {
		return w.runEnv(env, "exec", profile, "--", "aws", "sts", "get-caller-identity", "--query", "Arn", "--output", "text")
	}
	if r := arn("web"); r.code != 0 || !strings.Contains(r.stdout, ":assumed-role/webid-web/gha") {
		t.Fatalf("web identity from a profile: %s", r)
	}
	if r := arn("second"); r.code != 0 || !strings.Contains(r.stdout, ":assumed-role/webid-second/") {
		t.Fatalf("a role on a web identity: %s", r)
	}
	env := []string{"AWS_ROLE_ARN=arn:aws:iam::123456789012:role/webid-env", "AWS_WEB_IDENTITY_TOKEN_FILE=" + token, "AWS_ROLE_SESSION_NAME=gitlab"}
	if r := arn("ci", env...); r.code != 0 || !strings.Contains(r.stdout, ":assumed-role/webid-env/gitlab") {
		t.Fatalf("web identity from the environment: %s", r)
	}
	// Cached like a role: the second run makes no call; a renewal reads the
	// file again.
	must(t, os.Remove(token))
	if r := w.run("use", "web"); r.code != 0 {
		t.Fatalf("the cached web identity session: %s", r)
	}
	r := w.run("use", "web", "--refresh")
	if r.code == 0 || !strings.Contains(r.stderr, "web_identity_token_file") || !strings.Contains(r.stderr, token) {
		t.Fatalf("a renewal without the token file: %s", r)
	}
	// explain and doctor know it too.
	r = w.run("doctor", "web")
	if !strings.Contains(r.stdout, "web_identity_token_file") || !strings.Contains(r.stdout, token) {
		t.Errorf("doctor with the token file gone: %s", r)
	}
	for text, want := range map[string]string{
		"An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found": "web-identity-token-invalid",
		"An error occurred (ExpiredTokenException) when calling the AssumeRoleWithWebIdentity operation: Token expired":                  "web-identity-token-expired",
		"operation error ec2imds: getToken, http response error StatusCode: 403, request to EC2 IMDS failed":                             "imds-v1-only",
	} {
		r := w.shell("bash", `printf '%s\n' "$MSG" | awsenv explain --json`, "MSG="+text)
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("explain %q: %s", text, r)
		}
	}
}
