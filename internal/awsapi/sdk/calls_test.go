package sdk_test

// Every client's calls, the core's and the subpackages', in one place: an
// external test, so that the core package links none of the subpackages.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/awsapi/sdk"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/iamclient"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/instanceclient"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/signinclient"
	"github.com/awsenv/awsenv/internal/awsapi/sdk/ssoclient"
	"github.com/awsenv/awsenv/profiles"
)

// AWS's documented example key: nothing real.
const (
	keyID  = "AKIAIOSFODNN7EXAMPLE"
	secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// env is a test's environment, read through World.Getenv.
type env map[string]string

func (e env) world() sdk.World { return sdk.World{Getenv: func(k string) string { return e[k] }} }

// silentServer listens on 127.0.0.1 and never accepts: the kernel
// completes the TCP handshake and takes the request, and no answer comes.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

// muteServer accepts TCP connections and sends nothing on them, TLS
// handshake included.
func muteServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// everyCall is each HTTP call the clients make, by name, with w.
func everyCall(w sdk.World, endpoint string) map[string]func(ctx context.Context) error {
	t := awsapi.Target{Profile: "work", Region: "eu-west-1"}
	c := profiles.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	sts, iam, sso := sdk.STS{World: w}, iamclient.IAM{World: w}, ssoclient.SSO{World: w}
	return map[string]func(ctx context.Context) error{
		"GetSessionToken": func(ctx context.Context) error {
			_, err := sts.GetSessionToken(ctx, awsapi.GetSessionTokenInput{Target: t, Credentials: c})
			return err
		},
		"AssumeRole": func(ctx context.Context) error {
			_, err := sts.AssumeRole(ctx, awsapi.AssumeRoleInput{Target: t, Credentials: c,
				RoleARN: "arn:aws:iam::123456789012:role/admin", RoleSessionName: "alice"})
			return err
		},
		"GetCallerIdentity": func(ctx context.Context) error {
			_, err := sts.GetCallerIdentity(ctx, t, c)
			return err
		},
		"GetFederationToken": func(ctx context.Context) error {
			_, err := sts.GetFederationToken(ctx, awsapi.GetFederationTokenInput{Target: t, Credentials: c, Name: "alice"})
			return err
		},
		"getSigninToken": func(ctx context.Context) error {
			_, err := sts.SigninToken(ctx, awsapi.SigninTokenInput{Endpoint: endpoint, Credentials: c})
			return err
		},
		"ListAccessKeys": func(ctx context.Context) error {
			_, err := iam.ListAccessKeys(ctx, awsapi.IAMCall{Target: t, Credentials: c}, "alice")
			return err
		},
		"RegisterClient": func(ctx context.Context) error {
			_, err := sso.RegisterClient(ctx, awsapi.RegisterClientInput{Target: t, ClientName: "awsenv"})
			return err
		},
		"StartDeviceAuthorization": func(ctx context.Context) error {
			_, err := sso.StartDeviceAuthorization(ctx, awsapi.StartInput{Target: t, ClientID: "id", ClientSecret: "s",
				StartURL: "https://example.awsapps.com/start"})
			return err
		},
		"CreateToken": func(ctx context.Context) error {
			_, err := sso.CreateToken(ctx, awsapi.CreateTokenInput{Target: t, ClientID: "id", ClientSecret: "s",
				GrantType: awsapi.GrantDeviceCode, DeviceCode: "code"})
			return err
		},
		"GetRoleCredentials": func(ctx context.Context) error {
			_, err := sso.GetRoleCredentials(ctx, awsapi.RoleInput{Target: t, AccessToken: "token",
				AccountID: "123456789012", RoleName: "admin"})
			return err
		},
		"Logout": func(ctx context.Context) error {
			return sso.Logout(ctx, awsapi.LogoutInput{Target: t, AccessToken: "token"})
		},
		"AssumeRoleWithWebIdentity": func(ctx context.Context) error {
			_, err := sts.AssumeRoleWithWebIdentity(ctx, awsapi.AssumeRoleWithWebIdentityInput{Target: t,
				RoleARN: "arn:aws:iam::123456789012:role/ci", RoleSessionName: "ci", Token: "jwt"})
			return err
		},
		"credentials from Ec2InstanceMetadata": func(ctx context.Context) error {
			_, err := instanceclient.Instance{World: w}.InstanceCredentials(ctx, awsapi.InstanceInput{Source: profiles.SourceEC2, IMDSEndpoint: endpoint})
			return err
		},
		"credentials from EcsContainer": func(ctx context.Context) error {
			_, err := instanceclient.Instance{World: w}.InstanceCredentials(ctx, awsapi.InstanceInput{Source: profiles.SourceECS, ContainerURL: endpoint + "/creds", AuthToken: "t"})
			return err
		},
		"CreateOAuth2Token": func(ctx context.Context) error {
			_, err := signinclient.Signin{World: w}.CreateOAuth2Token(ctx, awsapi.SigninRefreshInput{Target: t, ClientID: "id",
				RefreshToken: "rt", DPoPKey: testDPoPKey})
			return err
		},
	}
}

// testDPoPKey is a P-256 key as `aws login` caches it (SEC 1 PEM).
var testDPoPKey = func() profiles.Secret {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalECPrivateKey(k)
	return profiles.Secret(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
}()

// Every HTTP call, the SDK clients' and the federation endpoint's, ends
// within the Network's deadlines with a TransportError when the server
// never answers: through the per-call deadline, and through the
// transport's own (TLS handshake, response headers) when the per-call one
// is far off. The defaults (10 s, 20 s, 30 s) are shrunk through the same
// World.Network the helper sets.
func TestEveryCallHasDeadlines(t *testing.T) {
	t.Parallel()
	servers := map[string]string{
		"never accepts":             "http://" + silentServer(t),
		"accepts and sends nothing": "https://" + muteServer(t),
	}
	networks := map[string]struct {
		n     sdk.Network
		limit time.Duration
	}{
		// A per-call deadline of a second, whatever the SDK's retries.
		"per call": {sdk.Network{Connect: time.Minute, TLSHandshake: time.Minute, ResponseHeader: time.Minute, Call: time.Second}, 5 * time.Second},
		// The transport's deadlines alone: each attempt ends at once;
		// the SDK's three attempts and their back-off stay well
		// under the minute of the per-call deadline.
		"transport": {sdk.Network{Connect: 300 * time.Millisecond, TLSHandshake: 300 * time.Millisecond,
			ResponseHeader: 300 * time.Millisecond, Call: time.Minute}, 8 * time.Second},
	}
	// The calls only wait: run them all at once rather than as parallel
	// subtests, which -parallel would queue two by two on two cores.
	type result struct {
		name, op string
		err      error
		took     time.Duration
		limit    time.Duration
	}
	results := make(chan result, 64)
	var wg sync.WaitGroup
	for sname, url := range servers {
		for nname, nw := range networks {
			w := env{"AWS_ENDPOINT_URL": url}.world()
			w.Network = nw.n
			for op, call := range everyCall(w, url) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					start := time.Now()
					err := call(context.Background())
					results <- result{sname + "/" + nname + "/" + op, op, err, time.Since(start), nw.limit}
				}()
			}
		}
	}
	wg.Wait()
	close(results)
	n := 0
	for r := range results {
		n++
		var tr *awsapi.TransportError
		if !errors.As(r.err, &tr) || tr.Operation != r.op {
			t.Errorf("%s: err = %#v (%v), want a TransportError of %s", r.name, r.err, r.err, r.op)
		}
		if r.took > r.limit {
			t.Errorf("%s: took %v, want under %v", r.name, r.took, r.limit)
		}
		if r.err != nil && strings.Contains(r.err.Error(), secret) {
			t.Errorf("%s: the error shows the secret", r.name)
		}
		if testing.Verbose() {
			t.Logf("%s: %v: %v", r.name, r.took.Round(time.Millisecond), r.err)
		}
	}
	if want := len(servers) * len(networks) * len(everyCall(sdk.World{}, "")); n != want {
		t.Fatalf("%d calls ran, want %d", n, want)
	}
}

// The caller's context bounds a call too, when it is nearer than the
// Network's deadline.
func TestCallerDeadlineWins(t *testing.T) {
	t.Parallel()
	url := "http://" + silentServer(t)
	var wg sync.WaitGroup
	for op, call := range everyCall(env{"AWS_ENDPOINT_URL": url}.world(), url) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := call(ctx)
			var tr *awsapi.TransportError
			if !errors.As(err, &tr) {
				t.Errorf("%s: err = %#v, want a TransportError", op, err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("%s: took %v with a caller's deadline of 300ms", op, took)
			}
		}()
	}
	wg.Wait()
}
