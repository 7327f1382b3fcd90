//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `console --print` prints a sign-in URL the federation endpoint accepts:
// for a role through getSigninToken with the role's credentials, for an
// IAM user through GetFederationToken with its long-term keys.
func TestConsolePrint(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.extra = append(w.extra, "AWSENV_FEDERATION_ENDPOINT="+w.fake.URL())

	r := w.run("console", "prod", "--print", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("console prod: %s", r)
	}
	link := strings.TrimSpace(r.stdout)
	in, err := w.fake.CheckConsoleURL(link)
	if err != nil {
		t.Fatalf("the double refused the URL: %v", err)
	}
	if !strings.Contains(in.ARN, ":assumed-role/admin/") || in.Issuer != "awsenv" ||
		in.Destination != "https://console.aws.amazon.com/?region=us-west-2" || in.SessionDuration.Hours() != 1 {
		t.Fatalf("signed in as %+v", in)
	}
	if strings.Contains(r.stderr, "SigninToken") || strings.Contains(r.stderr, link) {
		t.Fatalf("the URL reached stderr: %s", r)
	}

	gft := w.fake.Calls("GetFederationToken")
	r = w.run("console", "alice", "--print")
	if r.code != 0 {
		t.Fatalf("console alice: %s", r)
	}
	in, err = w.fake.CheckConsoleURL(strings.TrimSpace(r.stdout))
	if err != nil {
		t.Fatalf("the double refused the IAM user's URL: %v", err)
	}
	if !strings.Contains(in.ARN, ":federated-user/alice") || in.SessionDuration != 0 {
		t.Fatalf("signed in as %+v", in)
	}
	if n := w.fake.Calls("GetFederationToken") - gft; n != 1 {
		t.Fatalf("GetFederationToken calls = %d, want 1", n)
	}
}

// Without --print the URL goes to $BROWSER, never to stdout; without a
// browser it is printed on stderr and the exit status is 0.
func TestConsoleBrowser(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.extra = append(w.extra, "AWSENV_FEDERATION_ENDPOINT="+w.fake.URL())
	got := filepath.Join(w.dir, "opened")
	browser := filepath.Join(w.dir, "browser")
	must(t, os.WriteFile(browser, []byte(fmt.Sprintf("#!/bin/sh\nprintf '%%s' \"$1\" > %s\necho browser chatter\n", got)), 0o700))
	r := w.runEnv([]string{"BROWSER=" + browser}, "console", "prod", "--mfa-code", w.code())
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("console prod with a browser: want exit 0 and nothing on stdout: %s", r)
	}
	opened, err := os.ReadFile(got)
	must(t, err)
	if _, err := w.fake.CheckConsoleURL(string(opened)); err != nil {
		t.Fatalf("the browser got a URL the double refuses: %v", err)
	}
	r = w.runEnv([]string{"BROWSER=" + filepath.Join(w.dir, "no-such-browser")}, "console", "prod")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "could not open a browser") {
		t.Fatalf("console prod without a browser: %s", r)
	}
	link := r.stderr[strings.Index(r.stderr, "http"):]
	if _, err := w.fake.CheckConsoleURL(strings.TrimSpace(link)); err != nil {
		t.Fatalf("the URL on stderr is refused: %v", err)
	}
}

// Every failure leaves stdout empty: an MFA session in the file (the
// federation endpoint refuses it), a federation endpoint that cannot be
// reached, a profile that does not exist.
func TestConsoleFailures(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.extra = append(w.extra, "AWSENV_FEDERATION_ENDPOINT="+w.fake.URL())
	r := w.run("credential-process", "alice", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("credential-process alice: %s", r)
	}
	var sess processOutput
	must(t, jsonUnmarshal(r.stdout, &sess))
	w.writeCredentials(fmt.Sprintf("[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n[mfasess]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n",
		userKeyID, userSecret, sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken))

	r = w.run("console", "mfasess", "--print")
	if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, "GetSessionToken") || strings.Contains(r.stderr, sess.SessionToken) {
		t.Fatalf("console of an MFA session: %s", r)
	}
	t.Logf("%s", r.stderr)
	r = w.runEnv([]string{"AWSENV_FEDERATION_ENDPOINT=http://127.0.0.1:1"}, "console", "alice", "--print")
	if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, "AWSENV_FEDERATION_ENDPOINT") ||
		strings.Contains(r.stderr, "sessionKey") || strings.Contains(r.stderr, "Session=") {
		t.Fatalf("console with an unreachable endpoint: %s", r)
	}
	t.Logf("%s", r.stderr)
	r = w.run("console", "ghost", "--print")
	if r.code != 3 || r.stdout != "" {
		t.Fatalf("console ghost: %s", r)
	}
	t.Logf("%s", r.stderr)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
