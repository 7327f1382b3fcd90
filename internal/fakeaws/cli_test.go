package fakeaws

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The Python AWS CLI (botocore) is a second, independent client: if it and
// the Go SDK both accept the server, the server is not merely bug-compatible
// with one of them.

func awsCLIPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI (`aws`, Python v1) is not on PATH; CI must provide it")
		}
		t.Skip("the AWS CLI (`aws`, Python v1) is not on PATH: skipping the independent-client tests")
	}
	return path
}

// runCLI runs `aws ARGS --output json` against the server in an environment
// holding no AWS_* variable but the ones given here.
func runCLI(t *testing.T, endpoint string, creds *stsCreds, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	aws := awsCLIPath(t)
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"HOME="+home,
		"AWS_ACCESS_KEY_ID="+creds.id,
		"AWS_SECRET_ACCESS_KEY="+creds.secret,
		"AWS_ENDPOINT_URL="+endpoint,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(home, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "no-credentials"),
	)
	if creds.token != "" {
		env = append(env, "AWS_SESSION_TOKEN="+creds.token)
	}
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(c, aws, append(args, "--output", "json")...)
	cmd.Env = env
	cmd.Dir = home
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// newCLIWorld is a world on the real clock, which the CLI signs with. CLI
// tests run in parallel: each aws process takes about a second to start.
func newCLIWorld(t *testing.T) *world {
	t.Helper()
	awsCLIPath(t)
	t.Parallel()
	w := startWorld(t)
	w.srv.SetClock(nil)
	return w
}

var aliceCreds = &stsCreds{aliceKeyID, aliceSecret, ""}

func TestCLIGetCallerIdentity(t *testing.T) {
	w := newCLIWorld(t)
	stdout, stderr, err := runCLI(t, w.url, aliceCreds, "sts", "get-caller-identity")
	if err != nil {
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, stderr)
	}
	var id struct{ UserId, Account, Arn string }
	if err := json.Unmarshal([]byte(stdout), &id); err != nil {
		t.Fatalf("output %q: %v", stdout, err)
	}
	if id.Arn != w.alice.ARN() || id.Account != account || !strings.HasPrefix(id.UserId, "AIDA") {
		t.Errorf("identity %+v", id)
	}
	if got := w.srv.Calls("GetCallerIdentity"); got != 1 {
		t.Errorf("Calls = %d, want 1", got)
	}
}

func TestCLIGetSessionTokenWithMFA(t *testing.T) {
	w := newCLIWorld(t)
	stdout, stderr, err := runCLI(t, w.url, aliceCreds, "sts", "get-session-token",
		"--serial-number", aliceSerial, "--token-code", TOTPCode(aliceTOTP, time.Now()), "--duration-seconds", "900")
	if err != nil {
		t.Fatalf("aws sts get-session-token: %v\n%s", err, stderr)
	}
	var out struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("output %q: %v", stdout, err)
	}
	c := out.Credentials
	if !strings.HasPrefix(c.AccessKeyId, "ASIA") || len(c.SecretAccessKey) != 40 || c.SessionToken == "" {
		t.Fatalf("credentials: key id %q, secret of %d chars, token of %d chars", c.AccessKeyId, len(c.SecretAccessKey), len(c.SessionToken))
	}
	exp, err := time.Parse(time.RFC3339, c.Expiration)
	if err != nil || exp.Sub(time.Now()) > 15*time.Minute || exp.Sub(time.Now()) < 14*time.Minute {
		t.Errorf("Expiration %q (%v), want about 15 minutes from now", c.Expiration, err)
	}

	// The session works from the CLI too (it sends X-Amz-Security-Token).
	stdout, stderr, err = runCLI(t, w.url, &stsCreds{c.AccessKeyId, c.SecretAccessKey, c.SessionToken}, "sts", "get-caller-identity")
	if err != nil {
		t.Fatalf("get-caller-identity with the session: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, w.alice.ARN()) {
		t.Errorf("identity %s", stdout)
	}
}

func TestCLIErrorsAreDecoded(t *testing.T) {
	w := newCLIWorld(t)
	_, stderr, err := runCLI(t, w.url, &stsCreds{aliceKeyID, bobSecret, ""}, "sts", "get-caller-identity")
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("want a failing exit, got %v", err)
	}
	want := "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we calculated does not match the signature you provided. Check your key and signing method."
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr %q\nwant it to contain %q", stderr, want)
	}

	w.srv.AddRole("arn:aws:iam::123456789012:role/admin", RoleOptions{RequireMFA: true})
	_, stderr, err = runCLI(t, w.url, aliceCreds, "sts", "assume-role",
		"--role-arn", "arn:aws:iam::123456789012:role/admin", "--role-session-name", "cli")
	want = "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/admin"
	if err == nil || !strings.Contains(stderr, want) {
		t.Errorf("err %v, stderr %q\nwant it to contain %q", err, stderr, want)
	}
	stdout, stderr, err := runCLI(t, w.url, aliceCreds, "sts", "assume-role",
		"--role-arn", "arn:aws:iam::123456789012:role/admin", "--role-session-name", "cli",
		"--serial-number", aliceSerial, "--token-code", TOTPCode(aliceTOTP, time.Now()))
	if err != nil {
		t.Fatalf("assume-role with MFA: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, `"Arn": "arn:aws:sts::123456789012:assumed-role/admin/cli"`) {
		t.Errorf("output %s", stdout)
	}
}
