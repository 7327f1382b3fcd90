package sdk

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/profiles"
)

// AWS's documented example key: nothing real.
const (
	keyID  = "AKIAIOSFODNN7EXAMPLE"
	secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// observed collects what a call reports through awsapi.WithClockSkewObserver.
type observed struct {
	mu    sync.Mutex
	skews []time.Duration
}

func (o *observed) context() context.Context {
	return awsapi.WithClockSkewObserver(context.Background(), func(d time.Duration) {
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

// fakeSTS starts the double with alice's key, and returns it with a World
// whose environment points every AWS call at it.
func fakeSTS(t *testing.T) (*fakeaws.Server, World) {
	t.Helper()
	srv := fakeaws.New()
	t.Cleanup(srv.Close)
	url, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	srv.AddUser("123456789012", "alice").AddKey(keyID, secret)
	return srv, env{"AWS_ENDPOINT_URL": url}.world()
}

var alice = profiles.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}

// The skew is AWS's clock minus ours, measured on every response: within
// the signature's 15 minutes the call simply succeeds; beyond them the SDK
// retries with a corrected signing time, and the skew still shows it.
func TestClockSkewOnSuccess(t *testing.T) {
	t.Parallel()
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
			t.Parallel()
			srv, w := fakeSTS(t)
			srv.SetClock(func() time.Time { return time.Now().Add(tc.serverAhead) })
			w.Now = func() time.Time { return time.Now().Add(-tc.localBehind) }
			c := STS{World: w}
			var o observed
			id, err := c.GetCallerIdentity(o.context(), awsapi.Target{}, alice)
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
	t.Parallel()
	srv, w := fakeSTS(t)
	srv.SetClock(func() time.Time { return time.Now().Add(3 * time.Minute) })
	var o observed
	wrong := profiles.Credentials{AccessKeyID: keyID, SecretAccessKey: "not-the-secret"}
	_, err := STS{World: w}.GetSessionToken(o.context(), awsapi.GetSessionTokenInput{Credentials: wrong})
	var api *awsapi.APIError
	if !errors.As(err, &api) || api.Code != "SignatureDoesNotMatch" || api.Operation != "GetSessionToken" || api.HTTPStatus != 403 || api.RequestID == "" {
		t.Fatalf("err = %#v, want SignatureDoesNotMatch from GetSessionToken", err)
	}
	if got := o.last(t); !near(got, 3*time.Minute) {
		t.Fatalf("skew = %v, want about 3m", got)
	}
}

// No answer, no measurement.
func TestNoClockSkewWithoutAnswer(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	w := env{"AWS_ENDPOINT_URL": url}.world()
	w.Network.Call = 5 * time.Second // the SDK's retries end there
	var o observed
	_, err = STS{World: w}.GetCallerIdentity(o.context(), awsapi.Target{}, alice)
	var tr *awsapi.TransportError
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

// The calls of one helper share a transport: a cold `use` makes
// GetSessionToken and then AssumeRole to the same endpoint over one
// connection, so against AWS one TLS handshake, not one a call. Counted
// by a forwarder in front of the double.
func TestCallsShareAConnection(t *testing.T) {
	t.Parallel()
	srv, _ := fakeSTS(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var mu sync.Mutex
	conns := 0
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns++
			mu.Unlock()
			up, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "http://"))
			if err != nil {
				c.Close()
				continue
			}
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	// Deadlines of their own, so that no other test's calls share the
	// transport counted here.
	w := env{"AWS_ENDPOINT_URL": "http://" + l.Addr().String()}.world()
	w.Network = Network{Call: 29 * time.Second}
	c := STS{World: w}
	for i := range 3 {
		if _, err := c.GetCallerIdentity(context.Background(), awsapi.Target{}, alice); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if conns != 1 {
		t.Fatalf("3 calls opened %d connections, want 1", conns)
	}
}
