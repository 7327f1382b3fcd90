package stsclient

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/stsapi"
	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/profiles"
)

// AWS's documented example key: nothing real.
const (
	keyID  = "AKIAIOSFODNN7EXAMPLE"
	secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// isolate gives the SDK an environment of the test's own: no AWS_* from the
// machine (it sets AWS_CA_BUNDLE), no shared files, endpoint as given.
func isolate(t *testing.T, endpoint string) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") {
			t.Setenv(name, "") // restored after the test
			os.Unsetenv(name)
		}
	}
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
}

// observed collects what a call reports through stsapi.WithClockSkewObserver.
type observed struct {
	mu    sync.Mutex
	skews []time.Duration
}

func (o *observed) context() context.Context {
	return stsapi.WithClockSkewObserver(context.Background(), func(d time.Duration) {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.skews = append(o.skews, d)
	})
}

func (o *observed) last(t *testing.T) time.Duration {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.skews) == 0 {
		t.Fatal("the call reported no clock skew")
	}
	return o.skews[len(o.skews)-1]
}

// near allows for the Date header's one-second resolution and a slow machine.
func near(got, want time.Duration) bool {
	d := got - want
	return d > -3*time.Second && d < 3*time.Second
}

func fakeSTS(t *testing.T) *fakeaws.Server {
	t.Helper()
	srv := fakeaws.New()
	t.Cleanup(srv.Close)
	url, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	srv.AddUser("123456789012", "alice").AddKey(keyID, secret)
	isolate(t, url)
	return srv
}

var alice = profiles.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}

// The skew is AWS's clock minus ours, measured on every response: within
// the signature's 15 minutes the call simply succeeds; beyond them the SDK
// retries with a corrected signing time, and the skew still shows it.
func TestClockSkewOnSuccess(t *testing.T) {
	for _, tc := range []struct {
		name        string
		serverAhead time.Duration
		localBehind time.Duration // through Client.Now
		attempts    int
	}{
		{"in sync", 0, 0, 1},
		{"server 3 minutes ahead", 3 * time.Minute, 0, 1},
		{"server 20 minutes ahead, corrected by the SDK", 20 * time.Minute, 0, 2},
		{"server 20 minutes behind, corrected by the SDK", -20 * time.Minute, 0, 2},
		{"the injected local clock an hour behind", 0, time.Hour, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeSTS(t)
			srv.SetClock(func() time.Time { return time.Now().Add(tc.serverAhead) })
			c := Client{Now: func() time.Time { return time.Now().Add(-tc.localBehind) }}
			var o observed
			id, err := c.GetCallerIdentity(o.context(), stsapi.Target{}, alice)
			if err != nil {
				t.Fatalf("GetCallerIdentity: %v", err)
			}
			if id.Account != "123456789012" {
				t.Fatalf("identity %+v", id)
			}
			want := tc.serverAhead + tc.localBehind
			if got := o.last(t); !near(got, want) {
				t.Fatalf("skew = %v, want about %v", got, want)
			}
			if n := srv.Calls("GetCallerIdentity"); n != tc.attempts {
				t.Fatalf("%d attempts reached the server, want %d", n, tc.attempts)
			}
		})
	}
}

// A call AWS refuses still shows the skew, and the error is AWS's own.
func TestClockSkewOnFailure(t *testing.T) {
	srv := fakeSTS(t)
	srv.SetClock(func() time.Time { return time.Now().Add(3 * time.Minute) })
	var o observed
	wrong := profiles.Credentials{AccessKeyID: keyID, SecretAccessKey: "not-the-secret"}
	_, err := Client{}.GetSessionToken(o.context(), stsapi.GetSessionTokenInput{Credentials: wrong})
	var api *stsapi.APIError
	if !errors.As(err, &api) || api.Code != "SignatureDoesNotMatch" || api.Operation != "GetSessionToken" || api.HTTPStatus != 403 || api.RequestID == "" {
		t.Fatalf("err = %#v, want SignatureDoesNotMatch from GetSessionToken", err)
	}
	if got := o.last(t); !near(got, 3*time.Minute) {
		t.Fatalf("skew = %v, want about 3m", got)
	}
}

// No answer, no measurement.
func TestNoClockSkewWithoutAnswer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	isolate(t, url)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	var o observed
	_, err = Client{}.GetCallerIdentity(o.context(), stsapi.Target{}, alice)
	var tr *stsapi.TransportError
	if !errors.As(err, &tr) || tr.Operation != "GetCallerIdentity" {
		t.Fatalf("err = %#v, want a TransportError from GetCallerIdentity", err)
	}
	if len(o.skews) != 0 {
		t.Fatalf("skew reported without an answer: %v", o.skews)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatal("the error shows the secret")
	}
}
