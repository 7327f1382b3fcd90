package fakeaws

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// Documented AWS example keys and fixed dummy TOTP secrets: nothing real.
const (
	account      = "123456789012"
	otherAccount = "210987654321"

	aliceKeyID  = "AKIAIOSFODNN7EXAMPLE"
	aliceSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	aliceSerial = "arn:aws:iam::123456789012:mfa/alice"
	aliceTOTP   = "JBSWY3DPEHPK3PXP"

	bobKeyID  = "AKIAI44QH8DHBEXAMPLE"
	bobSecret = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
	bobSerial = "arn:aws:iam::123456789012:mfa/bob"
	bobTOTP   = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

	region = "us-east-1"
)

// testClock is a settable clock for Server.SetClock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// world is a started server with alice (key + MFA device) and bob (key +
// MFA device) in account 123456789012, and a frozen clock at the real time,
// so that SDK signatures are within the skew window and TOTP windows are
// deterministic.
type world struct {
	srv   *Server
	url   string
	clock *testClock
	now   time.Time
	alice *User
	key   *AccessKey
	bob   *User
}

func newWorld(t *testing.T) *world {
	t.Helper()
	isolateAWSEnv(t)
	return startWorld(t)
}

// startWorld is newWorld without touching the environment, for tests that
// build their clients' environment themselves and run in parallel.
func startWorld(t *testing.T) *world {
	t.Helper()
	w := &world{srv: New(), now: time.Now().UTC().Truncate(time.Second)}
	w.clock = &testClock{t: w.now}
	w.srv.SetClock(w.clock.Now)
	w.alice = w.srv.AddUser(account, "alice")
	w.key = w.alice.AddKey(aliceKeyID, aliceSecret)
	w.alice.AddMFADevice(aliceSerial, aliceTOTP)
	w.bob = w.srv.AddUser(account, "bob")
	w.bob.AddKey(bobKeyID, bobSecret)
	w.bob.AddMFADevice(bobSerial, bobTOTP)
	url, err := w.srv.Start()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(w.srv.Close)
	w.url = url
	return w
}

// isolateAWSEnv removes every AWS_* variable for the test (the machine sets
// AWS_CA_BUNDLE, for one) and points the SDK at config files that do not exist.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") {
			t.Setenv(name, "") // restores the original value after the test
			os.Unsetenv(name)
		}
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// client returns a real SDK STS client for the server, signing with the given
// credentials.
func (w *world) client(t *testing.T, keyID, secret, token string, optFns ...func(*sts.Options)) *sts.Client {
	t.Helper()
	return w.clientWith(t, credentials.NewStaticCredentialsProvider(keyID, secret, token), optFns...)
}

func (w *world) clientWith(t *testing.T, provider aws.CredentialsProvider, optFns ...func(*sts.Options)) *sts.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(region),
		config.WithCredentialsProvider(provider),
	)
	if err != nil {
		t.Fatalf("LoadDefaultConfig: %v", err)
	}
	base := func(o *sts.Options) { o.BaseEndpoint = aws.String(w.url) }
	return sts.NewFromConfig(cfg, append([]func(*sts.Options){base}, optFns...)...)
}

func (w *world) aliceClient(t *testing.T) *sts.Client {
	return w.client(t, aliceKeyID, aliceSecret, "")
}

func sessionClient(t *testing.T, w *world, c *stsCreds) *sts.Client {
	t.Helper()
	return w.client(t, c.id, c.secret, c.token)
}

type stsCreds struct{ id, secret, token string }

func credsFrom(c *types.Credentials) *stsCreds {
	return &stsCreds{aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)}
}

// code returns the TOTP code at the server's (frozen) time plus offset.
func (w *world) code(secret string, offset time.Duration) string {
	return TOTPCode(secret, w.clock.Now().Add(offset))
}

// wantAPIError checks that err is the AWS error code/message/status, decoded
// by the SDK from the server's ErrorResponse.
func wantAPIError(t *testing.T, err error, status int, code, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got success, want %s (%q)", code, message)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not a smithy.APIError", err)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != message {
		t.Errorf("got %s %q\nwant %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, message)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v carries no HTTP response", err)
	}
	if re.HTTPStatusCode() != status {
		t.Errorf("HTTP status = %d, want %d", re.HTTPStatusCode(), status)
	}
	if re.ServiceRequestID() == "" {
		t.Errorf("no request id decoded")
	}
}

func apiErrorOf(err error) smithy.APIError {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}
