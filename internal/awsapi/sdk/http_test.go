package sdk

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// The zero Network is DefaultNetwork; a field set keeps its value.
func TestNetworkDefaults(t *testing.T) {
	t.Parallel()
	if got := (World{}).network(); got != DefaultNetwork {
		t.Fatalf("zero Network = %+v, want %+v", got, DefaultNetwork)
	}
	got := World{Network: Network{Call: time.Second}}.network()
	if got.Call != time.Second || got.Connect != DefaultNetwork.Connect || got.ResponseHeader != DefaultNetwork.ResponseHeader {
		t.Fatalf("Network{Call: 1s} = %+v", got)
	}
	if d := DefaultNetwork; d.Connect != 10*time.Second || d.Call != 30*time.Second {
		t.Fatalf("DefaultNetwork = %+v, the README says 10 s to connect and 30 s a call", d)
	}
}

// The federation endpoint trusts AWS_CA_BUNDLE as read through World, like
// the SDK clients.
func TestSigninTokenCABundle(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing.pem")
	_, err := STS{World: env{"AWS_CA_BUNDLE": missing}.world()}.SigninToken(context.Background(),
		awsapi.SigninTokenInput{Endpoint: "https://127.0.0.1:1", Credentials: profiles.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}})
	var tr *awsapi.TransportError
	if !errors.As(err, &tr) || tr.Operation != "getSigninToken" || !strings.Contains(tr.Message, "AWS_CA_BUNDLE") {
		t.Fatalf("err = %v, want the unreadable AWS_CA_BUNDLE named", err)
	}
}

// tlsAWS is an HTTPS server with a certificate of its own that answers
// GetCallerIdentity and the federation endpoint; it returns the URL and a
// PEM file of the certificate.
func tlsAWS(t *testing.T) (string, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/federation" {
			fmt.Fprint(w, `{"SigninToken":"token"}`)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA</UserId><Account>123456789012</Account>
</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted case's handshakes fail
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pemFile := filepath.Join(t.TempDir(), "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(pemFile, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, pemFile
}

// The certificates trusted are AWS_CA_BUNDLE's (through World), else the
// profile's ca_bundle, else the system's, for the SDK clients and the
// federation endpoint alike.
func TestCABundleTrusted(t *testing.T) {
	t.Parallel()
	url, bundle := tlsAWS(t)
	c := profiles.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	for _, tc := range []struct {
		name    string
		env     env
		profile string
		trusted bool
	}{
		{"AWS_CA_BUNDLE", env{"AWS_CA_BUNDLE": bundle}, "", true},
		{"the profile's ca_bundle", env{}, bundle, true},
		{"neither: the system's", env{}, "", false},
	} {
		tc.env["AWS_ENDPOINT_URL"] = url
		w := tc.env.world()
		w.Network = Network{Call: 5 * time.Second}
		id, err := STS{World: w}.GetCallerIdentity(context.Background(),
			awsapi.Target{Profile: "work", Endpoints: awsapi.Endpoints{CABundle: tc.profile}}, c)
		if tc.trusted && (err != nil || id.Account != "123456789012") {
			t.Errorf("%s: GetCallerIdentity: %+v, %v", tc.name, id, err)
		}
		var tr *awsapi.TransportError
		if !tc.trusted && (!errors.As(err, &tr) || !strings.Contains(err.Error(), "certificate")) {
			t.Errorf("%s: GetCallerIdentity: %v, want a certificate error", tc.name, err)
		}
		if tc.profile != "" {
			continue // the federation endpoint is no profile's
		}
		token, err := STS{World: w}.SigninToken(context.Background(), awsapi.SigninTokenInput{Endpoint: url, Credentials: c})
		if tc.trusted && (err != nil || token != "token") {
			t.Errorf("%s: SigninToken: %q, %v", tc.name, token, err)
		}
		if !tc.trusted && (!errors.As(err, &tr) || !strings.Contains(err.Error(), "certificate")) {
			t.Errorf("%s: SigninToken: %v, want a certificate error", tc.name, err)
		}
	}
}
