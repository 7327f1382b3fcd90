package awssdk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/stsapi"
	"github.com/awsenv/awsenv/profiles"
)

func isolate(t *testing.T) string {
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
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return dir
}

var creds = profiles.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

// The SDK never reads the AWS files, even ones its own reader would panic
// on (a lone quote, in a profile no one uses): the region is the call's,
// and the call's credentials always win.
func TestLoadReadsNoFiles(t *testing.T) {
	dir := isolate(t)
	config := "[profile work]\nregion = eu-west-1\n[profile unrelated]\nregion = \"\n[default]\nregion = '\n"
	for _, f := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_PROFILE", "work") // the helper starts without it; the SDK must still not fail
	os.Unsetenv("AWS_PROFILE")
	for _, tc := range []struct {
		target stsapi.Target
		region string
	}{
		{stsapi.Target{Profile: "work"}, ""},
		{stsapi.Target{Profile: "work", Region: "ap-south-1"}, "ap-south-1"},
		{stsapi.Target{Profile: "unrelated", Region: "us-west-2"}, "us-west-2"},
		{stsapi.Target{}, ""},
	} {
		cfg, err := Load(context.Background(), "STS", tc.target, creds, nil)
		if err != nil {
			t.Fatalf("%+v: %v", tc.target, err)
		}
		if cfg.Region != tc.region {
			t.Errorf("%+v: region %q, want %q", tc.target, cfg.Region, tc.region)
		}
		got, err := cfg.Credentials.Retrieve(context.Background())
		if err != nil || got.AccessKeyID != creds.AccessKeyID || got.SecretAccessKey != creds.SecretAccessKey.Reveal() {
			t.Errorf("%+v: credentials %v, %v", tc.target, got.AccessKeyID, err)
		}
	}
}

// The SDKs' precedence for configured endpoints: the service's variable,
// the profile's [services] entry, AWS_ENDPOINT_URL, the profile's
// endpoint_url; nothing when told to ignore them.
func TestEndpoint(t *testing.T) {
	prof := stsapi.Endpoints{URL: "http://profile", Services: map[string]string{"sts": "http://services-sts"}}
	for _, tc := range []struct {
		service string
		env     map[string]string
		e       stsapi.Endpoints
		want    string
	}{
		{"STS", map[string]string{"AWS_ENDPOINT_URL_STS": "http://env-sts", "AWS_ENDPOINT_URL": "http://env"}, prof, "http://env-sts"},
		{"STS", map[string]string{"AWS_ENDPOINT_URL": "http://env"}, prof, "http://services-sts"},
		{"IAM", map[string]string{"AWS_ENDPOINT_URL": "http://env"}, prof, "http://env"},
		{"IAM", nil, prof, "http://profile"},
		{"IAM", map[string]string{"AWS_ENDPOINT_URL_IAM": "http://env-iam"}, prof, "http://env-iam"},
		{"STS", nil, stsapi.Endpoints{}, ""},
		// Identity Center: the SDK's service ids "SSO" and "SSO OIDC".
		{"SSO OIDC", map[string]string{"AWS_ENDPOINT_URL_SSO_OIDC": "http://env-oidc", "AWS_ENDPOINT_URL_SSO": "http://env-sso"}, prof, "http://env-oidc"},
		{"SSO", map[string]string{"AWS_ENDPOINT_URL_SSO_OIDC": "http://env-oidc", "AWS_ENDPOINT_URL_SSO": "http://env-sso"}, prof, "http://env-sso"},
		{"SSO OIDC", map[string]string{"AWS_ENDPOINT_URL": "http://env"}, stsapi.Endpoints{Services: map[string]string{"sso_oidc": "http://services-oidc"}}, "http://services-oidc"},
		{"SSO OIDC", map[string]string{"AWS_ENDPOINT_URL": "http://env"}, prof, "http://env"},
		{"STS", map[string]string{"AWS_ENDPOINT_URL": "http://env", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE"}, prof, ""},
		{"STS", map[string]string{"AWS_ENDPOINT_URL": "http://env"}, stsapi.Endpoints{URL: "http://profile", Ignore: true}, ""},
	} {
		got := Endpoint(tc.service, tc.e, func(k string) string { return tc.env[k] })
		if got != tc.want {
			t.Errorf("%s with %v and %+v: %q, want %q", tc.service, tc.env, tc.e, got, tc.want)
		}
	}
}

// A profile's ca_bundle is read by the helper; a missing one says which
// profile names it.
func TestLoadCABundle(t *testing.T) {
	dir := isolate(t)
	_, err := Load(context.Background(), "STS", stsapi.Target{Profile: "work",
		Endpoints: stsapi.Endpoints{CABundle: filepath.Join(dir, "missing.pem")}}, creds, nil)
	var tr *stsapi.TransportError
	if !errors.As(err, &tr) || !strings.Contains(tr.Message, "ca_bundle of profile work") {
		t.Fatalf("missing ca_bundle: %v", err)
	}
}

// An error with no answer from AWS keeps its operation.
func TestConvertTransport(t *testing.T) {
	err := Convert("ListMFADevices", errors.New("dial tcp 127.0.0.1:1: connection refused"))
	var tr *stsapi.TransportError
	if !errors.As(err, &tr) || tr.Operation != "ListMFADevices" || !strings.Contains(tr.Message, "connection refused") {
		t.Fatalf("Convert = %#v", err)
	}
}
