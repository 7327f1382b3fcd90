package fakeaws

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// The Python AWS CLI (botocore) is a second, independent client: if it and
// the Go SDK both accept the server, the server is not merely bug-compatible
// with one of them.

func awsCLIPath(t *testing.T) string {
	t.Helper()
	path, err := resolveAWSCLI()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI (`aws`, Python v1) is not on PATH; CI must provide it")
		}
		t.Skip("the AWS CLI (`aws`, Python v1) is not on PATH: skipping the independent-client tests")
	}
	return path
}

// resolveAWSCLI finds aws once. A pyenv shim is resolved to the real script
// (`pyenv which`), which starts in half the time: these tests run it often.
var resolveAWSCLI = sync.OnceValues(func() (string, error) {
	path, err := exec.LookPath("aws")
	if err != nil {
		return "", err
	}
	if strings.Contains(path, "shims") {
		if out, err := exec.Command("pyenv", "which", "aws").Output(); err == nil {
			path = strings.TrimSpace(string(out))
		}
	}
	return path, nil
})

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
	cmd := testproc.DieWithParent(exec.CommandContext(c, aws, append(args, "--output", "json")...))
	cmd.Env = env
	cmd.Dir = home
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = testproc.Run(cmd)
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

// rawSession gets temporary credentials without the SDK, whose config
// loading reads the environment that parallel CLI tests cannot isolate.
func rawSession(t *testing.T, w *world, c *stsCreds, params string) *stsCreds {
	t.Helper()
	r := w.do(t, rawRequest{method: "POST", path: "/", body: "Action=GetSessionToken&Version=2011-06-15" + params, keyID: c.id, secret: c.secret})
	var doc struct {
		C struct{ AccessKeyId, SecretAccessKey, SessionToken string } `xml:"GetSessionTokenResult>Credentials"`
	}
	if err := xml.Unmarshal([]byte(r.body), &doc); err != nil || r.status != 200 {
		t.Fatalf("GetSessionToken: %d %v %s", r.status, err, redact(r.body))
	}
	return &stsCreds{doc.C.AccessKeyId, doc.C.SecretAccessKey, doc.C.SessionToken}
}

// `aws s3 ls` prints S3's own words for each way credentials go wrong.
func TestCLIS3ListBuckets(t *testing.T) {
	w := newCLIWorld(t)
	w.bob.RequireMFA()
	sess := rawSession(t, w, aliceCreds, "")
	mfa := rawSession(t, w, aliceCreds, "&SerialNumber="+url.QueryEscape(aliceSerial)+"&TokenCode="+TOTPCode(aliceTOTP, time.Now()))
	const prefix = "An error occurred (%s) when calling the ListBuckets operation: %s"
	for _, tc := range []struct {
		name  string
		creds *stsCreds
		want  string // stderr line; "" for success
	}{
		{"long-term key", aliceCreds, ""},
		{"session", sess, ""},
		{"unknown key", &stsCreds{"AKIAJUNKNOWNEXAMPLE0", aliceSecret, ""},
			fmt.Sprintf(prefix, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")},
		{"session key without token", &stsCreds{sess.id, sess.secret, ""},
			fmt.Sprintf(prefix, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")},
		{"malformed token", &stsCreds{sess.id, sess.secret, "bm90IGEgdG9rZW4="},
			fmt.Sprintf(prefix, "InvalidToken", "The provided token is malformed or otherwise invalid.")},
		{"wrong secret", &stsCreds{aliceKeyID, bobSecret, ""},
			fmt.Sprintf(prefix, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")},
		{"MFA required, long-term key", &stsCreds{bobKeyID, bobSecret, ""},
			fmt.Sprintf(prefix, "AccessDenied", "Access Denied")},
		{"MFA required, MFA session", mfa, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, err := runCLI(t, w.url, tc.creds, "s3", "ls")
			if tc.want == "" {
				if err != nil || stdout != "" || stderr != "" {
					t.Errorf("aws s3 ls: %v\nstdout %q\nstderr %q", err, stdout, stderr)
				}
				return
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || stdout != "" {
				t.Errorf("want a failing exit and no output, got %v, stdout %q", err, stdout)
			}
			if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || lines[0] != tc.want {
				t.Errorf("stderr %q\nwant exactly %q", stderr, tc.want)
			}
		})
	}
}

// The CLI's own parser (botocore) reads every IAM document the server writes.
func TestCLIIAM(t *testing.T) {
	w := newCLIWorld(t)
	t.Run("keys and devices", func(t *testing.T) {
		t.Parallel()
		stdout, stderr, err := runCLI(t, w.url, aliceCreds, "iam", "list-access-keys")
		if err != nil {
			t.Fatalf("list-access-keys: %v\n%s", err, stderr)
		}
		var keys struct {
			AccessKeyMetadata []struct{ UserName, AccessKeyId, Status, CreateDate string }
			IsTruncated       bool
		}
		if err := json.Unmarshal([]byte(stdout), &keys); err != nil || len(keys.AccessKeyMetadata) != 1 {
			t.Fatalf("output %q: %v", stdout, err)
		}
		k := keys.AccessKeyMetadata[0]
		if _, perr := time.Parse(time.RFC3339, k.CreateDate); perr != nil || k.UserName != "alice" || k.AccessKeyId != aliceKeyID || k.Status != "Active" {
			t.Errorf("key %+v", k)
		}

		stdout, stderr, err = runCLI(t, w.url, aliceCreds, "iam", "list-mfa-devices")
		if err != nil {
			t.Fatalf("list-mfa-devices: %v\n%s", err, stderr)
		}
		var devices struct {
			MFADevices []struct{ UserName, SerialNumber, EnableDate string }
		}
		if err := json.Unmarshal([]byte(stdout), &devices); err != nil || len(devices.MFADevices) != 1 ||
			devices.MFADevices[0].SerialNumber != aliceSerial || devices.MFADevices[0].EnableDate == "" {
			t.Errorf("output %q: %v", stdout, err)
		}
	})
	t.Run("create until the quota, then last use", func(t *testing.T) {
		t.Parallel()
		bob := &stsCreds{bobKeyID, bobSecret, ""}
		stdout, stderr, err := runCLI(t, w.url, bob, "iam", "create-access-key")
		if err != nil {
			t.Fatalf("create-access-key: %v\n%s", err, stderr)
		}
		var created struct {
			AccessKey struct{ UserName, AccessKeyId, Status, SecretAccessKey, CreateDate string }
		}
		if err := json.Unmarshal([]byte(stdout), &created); err != nil {
			t.Fatalf("output: %v", err)
		}
		if c := created.AccessKey; c.UserName != "bob" || !newKeyIDPattern.MatchString(c.AccessKeyId) || !newSecretPattern.MatchString(c.SecretAccessKey) || c.Status != "Active" {
			t.Errorf("created %s %s %s", c.UserName, c.AccessKeyId, c.Status)
		}
		_, stderr, err = runCLI(t, w.url, bob, "iam", "create-access-key", "--user-name", "bob")
		want := "An error occurred (LimitExceeded) when calling the CreateAccessKey operation: Cannot exceed quota for AccessKeysPerUser: 2"
		if err == nil || !strings.Contains(stderr, want) {
			t.Errorf("err %v, stderr %q\nwant %q", err, stderr, want)
		}

		stdout, stderr, err = runCLI(t, w.url, bob, "iam", "get-access-key-last-used", "--access-key-id", created.AccessKey.AccessKeyId)
		if err != nil {
			t.Fatalf("get-access-key-last-used: %v\n%s", err, stderr)
		}
		var never struct {
			UserName          string
			AccessKeyLastUsed map[string]string
		}
		if err := json.Unmarshal([]byte(stdout), &never); err != nil || never.UserName != "bob" ||
			len(never.AccessKeyLastUsed) != 2 || never.AccessKeyLastUsed["ServiceName"] != "N/A" || never.AccessKeyLastUsed["Region"] != "N/A" {
			t.Errorf("never used: %q %v", stdout, err)
		}
		stdout, _, err = runCLI(t, w.url, bob, "iam", "get-access-key-last-used", "--access-key-id", bobKeyID)
		var used struct {
			AccessKeyLastUsed struct{ LastUsedDate, ServiceName, Region string }
		}
		if err := json.Unmarshal([]byte(stdout), &used); err != nil || used.AccessKeyLastUsed.ServiceName != "iam" ||
			used.AccessKeyLastUsed.Region != "us-east-1" || used.AccessKeyLastUsed.LastUsedDate == "" {
			t.Errorf("used: %q %v", stdout, err)
		}
	})
}
