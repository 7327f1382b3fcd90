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

// The profile's settings apply; a profile the SDK cannot use (awsenv has
// read it already) is no reason to fail; the call's credentials always win.
func TestLoad(t *testing.T) {
	dir := isolate(t)
	config := "[profile work]\nregion = eu-west-1\n[profile looping]\nsource_profile = looping\nrole_arn = arn:aws:iam::123456789012:role/x\n"
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		target stsapi.Target
		region string
	}{
		{stsapi.Target{Profile: "work"}, "eu-west-1"},
		{stsapi.Target{Profile: "work", Region: "ap-south-1"}, "ap-south-1"},
		{stsapi.Target{Profile: "ghost"}, ""},
		{stsapi.Target{Profile: "looping", Region: "us-west-2"}, "us-west-2"},
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

// An error with no answer from AWS keeps its operation.
func TestConvertTransport(t *testing.T) {
	err := Convert("ListMFADevices", errors.New("dial tcp 127.0.0.1:1: connection refused"))
	var tr *stsapi.TransportError
	if !errors.As(err, &tr) || tr.Operation != "ListMFADevices" || !strings.Contains(tr.Message, "connection refused") {
		t.Fatalf("Convert = %#v", err)
	}
}
