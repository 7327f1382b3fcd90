package helper

// The end-to-end tests build the real awsenv-helper once and drive it
// through Client, as awsenv does: against the in-repo STS double for the
// clock skew, against moto_server for IAM.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/profiles"
)

var (
	helperBin string
	pluginBin string // the test plugins multi and raw
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "awsenv-helper-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	helperBin = filepath.Join(dir, "awsenv-helper")
	pluginBin = dir
	build := testproc.Command("go", "build", "-o", dir+string(os.PathSeparator), "github.com/awsenv/awsenv/cmd/awsenv-helper", "github.com/awsenv/awsenv/cmd/awsenv-helper-full",
		"github.com/awsenv/awsenv/plugins/rpc/testdata/multi", "github.com/awsenv/awsenv/plugins/rpc/testdata/raw")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := testproc.Run(build); err != nil {
		fmt.Fprintln(os.Stderr, "build awsenv-helper:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// AWS's documented example key: nothing real.
const (
	exampleKeyID  = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// newClient runs the built helper in an environment of the test's own: no
// AWS_* from the machine, a HOME with no AWS files, AWS at endpoint.
func newClient(t *testing.T, endpoint string, extra ...string) (*Client, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL=" + endpoint,
	}
	var stderr bytes.Buffer
	c := &Client{Path: helperBin, Env: append(env, extra...), Stderr: &stderr}
	t.Cleanup(func() { c.Close() })
	return c, &stderr
}

// fakeWithAlice starts the STS double with user alice and her key, until
// the test ends.
func fakeWithAlice(t *testing.T) (*fakeaws.Server, string, profiles.Credentials) {
	t.Helper()
	fake := fakeaws.New()
	t.Cleanup(fake.Close)
	url, err := fake.Start()
	if err != nil {
		t.Fatal(err)
	}
	fake.AddUser("123456789012", "alice").AddKey(exampleKeyID, exampleSecret)
	return fake, url, profiles.Credentials{AccessKeyID: exampleKeyID, SecretAccessKey: exampleSecret}
}

func near(got, want time.Duration) bool {
	d := got - want
	return d > -3*time.Second && d < 3*time.Second
}

// awsenv learns how far off its clock is from any call, also one that the
// SDK had to correct; a call with no answer tells nothing new.
func TestClockSkewThroughTheHelper(t *testing.T) {
	t.Parallel()
	fake, url, alice := fakeWithAlice(t)
	c, stderr := newClient(t, url)
	if _, known := c.ClockSkew(); known {
		t.Fatal("a skew is known before any call")
	}

	for _, tc := range []struct {
		ahead    time.Duration
		attempts int
	}{{3 * time.Minute, 1}, {20 * time.Minute, 2}} {
		fake.ResetCalls()
		fake.SetClock(func() time.Time { return time.Now().Add(tc.ahead) })
		if _, err := c.GetCallerIdentity(context.Background(), awsapi.Target{}, alice); err != nil {
			t.Fatalf("server %v ahead: %v\nstderr: %s", tc.ahead, err, stderr)
		}
		if got, known := c.ClockSkew(); !known || !near(got, tc.ahead) {
			t.Fatalf("server %v ahead: skew %v (known %v)", tc.ahead, got, known)
		}
		if n := fake.Calls("GetCallerIdentity"); n != tc.attempts {
			t.Fatalf("server %v ahead: %d attempts, want %d", tc.ahead, n, tc.attempts)
		}
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nowhere := "http://" + l.Addr().String()
	l.Close()
	fresh, _ := newClient(t, nowhere, "AWS_MAX_ATTEMPTS=1")
	_, err = fresh.GetCallerIdentity(context.Background(), awsapi.Target{}, alice)
	var tr *awsapi.TransportError
	if !errors.As(err, &tr) {
		t.Fatalf("unreachable endpoint: err = %#v, want a TransportError", err)
	}
	if d, known := fresh.ClockSkew(); known {
		t.Fatalf("unreachable endpoint: skew %v reported", d)
	}
	// The last measurement stays when a later call has none. The helper
	// that c keeps running has the old environment: close it, so the next
	// call starts one with the new.
	c.Env = fresh.Env
	c.Close()
	if _, err := c.GetCallerIdentity(context.Background(), awsapi.Target{}, alice); err == nil {
		t.Fatal("unreachable endpoint answered")
	}
	if got, known := c.ClockSkew(); !known || !near(got, 20*time.Minute) {
		t.Fatalf("after an unreachable call: skew %v (known %v), want the 20m seen before", got, known)
	}
}

// startMoto runs moto_server of the test's own on a free loopback port
// until the test ends. After freeCalls requests it checks keys, signatures
// and IAM policies.
func startMoto(t *testing.T, freeCalls int) string {
	t.Helper()
	return testproc.StartMoto(t, freeCalls).URL
}
