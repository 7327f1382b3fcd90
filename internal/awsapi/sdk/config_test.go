package sdk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// env is a test's environment, read through World.Getenv.
type env map[string]string

func (e env) world() World { return World{Getenv: func(k string) string { return e[k] }} }

// sdkFiles points the SDK's own variables for the AWS files (which its
// config package would read from the process environment) at dir, and
// clears the region and profile it would read there: for the tests that
// prove the SDK reads no files even when the environment names them. Such
// tests cannot run in parallel.
func sdkFiles(t *testing.T, dir string) {
	t.Helper()
	t.Setenv("HOME", dir)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	for _, name := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
		t.Setenv(name, "") // restored after the test
		os.Unsetenv(name)
	}
}

var creds = profiles.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

// The SDK never reads the AWS files, even ones its own reader would panic
// on (a lone quote, in a profile no one uses): the region is the call's,
// and the call's credentials always win.
func TestLoadReadsNoFiles(t *testing.T) {
	dir := t.TempDir()
	sdkFiles(t, dir)
	config := "[profile work]\nregion = eu-west-1\n[profile unrelated]\nregion = \"\n[default]\nregion = '\n"
	for _, f := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		target awsapi.Target
		region string
	}{
		{awsapi.Target{Profile: "work"}, ""},
		{awsapi.Target{Profile: "work", Region: "ap-south-1"}, "ap-south-1"},
		{awsapi.Target{Profile: "unrelated", Region: "us-west-2"}, "us-west-2"},
		{awsapi.Target{}, ""},
	} {
		cfg, err := env{}.world().Load(context.Background(), "STS", tc.target, creds)
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
	t.Parallel()
	prof := awsapi.Endpoints{URL: "http://profile", Services: map[string]string{"sts": "http://services-sts"}}
	for _, tc := range []struct {
		service string
		env     map[string]string
		e       awsapi.Endpoints
		want    string
	}{
		{"STS", map[string]string{"AWS_ENDPOINT_URL_STS": "http://env-sts", "AWS_ENDPOINT_URL": "http://env"}, prof, "http://env-sts"},
		{"STS", map[string]string{"AWS_ENDPOINT_URL": "http://env"}, prof, "http://services-sts"},
		{"IAM", map[string]string{"AWS_ENDPOINT_URL": "http://env"}, prof, "http://env"},
		{"IAM", nil, prof, "http://profile"},
		{"IAM", map[string]string{"AWS_ENDPOINT_URL_IAM": "http://env-iam"}, prof, "http://env-iam"},
		{"STS", nil, awsapi.Endpoints{}, ""},
		// Identity Center: the SDK's service ids "SSO" and "SSO OIDC".
		{"SSO OIDC", map[string]string{"AWS_ENDPOINT_URL_SSO_OIDC": "http://env-oidc", "AWS_ENDPOINT_URL_SSO": "http://env-sso"}, prof, "http://env-oidc"},
		{"SSO", map[string]string{"AWS_ENDPOINT_URL_SSO_OIDC": "http://env-oidc", "AWS_ENDPOINT_URL_SSO": "http://env-sso"}, prof, "http://env-sso"},
		{"SSO OIDC", map[string]string{"AWS_ENDPOINT_URL": "http://env"}, awsapi.Endpoints{Services: map[string]string{"sso_oidc": "http://services-oidc"}}, "http://services-oidc"},
		{"SSO OIDC", map[string]string{"AWS_ENDPOINT_URL": "http://env"}, prof, "http://env"},
		{"STS", map[string]string{"AWS_ENDPOINT_URL": "http://env", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE"}, prof, ""},
		{"STS", map[string]string{"AWS_ENDPOINT_URL": "http://env"}, awsapi.Endpoints{URL: "http://profile", Ignore: true}, ""},
	} {
		got := Endpoint(tc.service, tc.e, func(k string) string { return tc.env[k] })
		if got != tc.want {
			t.Errorf("%s with %v and %+v: %q, want %q", tc.service, tc.env, tc.e, got, tc.want)
		}
	}
	// Load uses it, with World's environment.
	cfg, err := env{"AWS_ENDPOINT_URL_STS": "http://env-sts"}.world().Load(context.Background(), "STS", awsapi.Target{Endpoints: prof}, creds)
	if err != nil || cfg.BaseEndpoint == nil || *cfg.BaseEndpoint != "http://env-sts" {
		t.Fatalf("Load: endpoint %v, %v", cfg.BaseEndpoint, err)
	}
}

// A profile's ca_bundle and AWS_CA_BUNDLE are read by awsenv, the
// variable through World's environment; one that cannot be read, or holds
// no certificate, says which setting to fix.
func TestLoadCABundle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing, empty := filepath.Join(dir, "missing.pem"), filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env    env
		bundle string
		want   string
	}{
		{env{}, missing, "ca_bundle of profile work"},
		{env{}, empty, "ca_bundle of profile work (" + empty + ") holds no PEM certificate"},
		{env{"AWS_CA_BUNDLE": missing}, "", "read AWS_CA_BUNDLE"},
		{env{"AWS_CA_BUNDLE": empty}, "", "AWS_CA_BUNDLE (" + empty + ") holds no PEM certificate"},
		// The variable wins over the profile's, as in the SDKs.
		{env{"AWS_CA_BUNDLE": missing}, empty, "read AWS_CA_BUNDLE"},
	} {
		_, err := tc.env.world().Load(context.Background(), "STS", awsapi.Target{Profile: "work",
			Endpoints: awsapi.Endpoints{CABundle: tc.bundle}}, creds)
		var tr *awsapi.TransportError
		if !errors.As(err, &tr) || !strings.Contains(tr.Message, tc.want) {
			t.Errorf("env %v, ca_bundle %q: %v, want %q", tc.env, tc.bundle, err, tc.want)
		}
	}
}

// An error with no answer from AWS keeps its operation.
func TestConvertTransport(t *testing.T) {
	t.Parallel()
	err := Convert("ListMFADevices", errors.New("dial tcp 127.0.0.1:1: connection refused"))
	var tr *awsapi.TransportError
	if !errors.As(err, &tr) || tr.Operation != "ListMFADevices" || !strings.Contains(tr.Message, "connection refused") {
		t.Fatalf("Convert = %#v", err)
	}
}
