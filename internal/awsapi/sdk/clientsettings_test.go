package sdk

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

func ptr(b bool) *bool { return &b }

// The profile's use_fips_endpoint, use_dualstack_endpoint, max_attempts
// and retry_mode reach the SDK's clients; each environment variable, when
// set, wins. (The SDK's loader once read the variables from the process
// environment, so the test sets them there too, and cannot run in
// parallel; TestLoadIgnoresTheProcessEnvironment shows they no longer
// count.)
func TestLoadProfileClientSettings(t *testing.T) {
	sdkFiles(t, t.TempDir())
	for _, n := range []string{"AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_STS_REGIONAL_ENDPOINTS"} {
		t.Setenv(n, "")
	}
	tg := awsapi.Target{Profile: "p", Region: "eu-west-1",
		Endpoints: awsapi.Endpoints{FIPS: ptr(true), DualStack: ptr(true)},
		Retries:   awsapi.Retries{MaxAttempts: 7, Mode: "adaptive"}}
	c := STS{env{}.world()}
	cl, err := c.client(context.Background(), tg, creds)
	if err != nil {
		t.Fatal(err)
	}
	o := cl.Options()
	if o.EndpointOptions.UseFIPSEndpoint != aws.FIPSEndpointStateEnabled || o.EndpointOptions.UseDualStackEndpoint != aws.DualStackEndpointStateEnabled ||
		o.RetryMaxAttempts != 7 || o.RetryMode != aws.RetryModeAdaptive {
		t.Errorf("from the profile: fips %v dualstack %v attempts %d mode %q", o.EndpointOptions.UseFIPSEndpoint,
			o.EndpointOptions.UseDualStackEndpoint, o.RetryMaxAttempts, o.RetryMode)
	}
	e := env{"AWS_USE_FIPS_ENDPOINT": "false", "AWS_USE_DUALSTACK_ENDPOINT": "false", "AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "standard"}
	for k, v := range e {
		t.Setenv(k, v)
	}
	cl, err = STS{e.world()}.client(context.Background(), tg, creds)
	if err != nil {
		t.Fatal(err)
	}
	o = cl.Options()
	if o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled || o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled ||
		o.RetryMaxAttempts != 2 || o.RetryMode != aws.RetryModeStandard {
		t.Errorf("environment over the profile: fips %v dualstack %v attempts %d mode %q", o.EndpointOptions.UseFIPSEndpoint,
			o.EndpointOptions.UseDualStackEndpoint, o.RetryMaxAttempts, o.RetryMode)
	}
}

// sts_regional_endpoints = legacy sends STS calls in botocore's legacy
// regions to the global endpoint, unless an endpoint or a variant is
// configured; regional (the default) never does; the environment wins.
func TestSTSRegionalEndpoints(t *testing.T) {
	legacy := awsapi.Target{Region: "eu-west-1", Endpoints: awsapi.Endpoints{STSRegional: "legacy"}}
	for _, tc := range []struct {
		name   string
		e      env
		t      awsapi.Target
		region string
		set    bool
		want   bool
	}{
		{"legacy", env{}, legacy, "eu-west-1", false, true},
		{"legacy, a region not in the list", env{}, legacy, "eu-south-1", false, false},
		{"legacy, an endpoint", env{}, legacy, "eu-west-1", true, false},
		{"legacy, FIPS", env{"AWS_USE_FIPS_ENDPOINT": "true"}, legacy, "eu-west-1", false, false},
		{"regional by the environment", env{"AWS_STS_REGIONAL_ENDPOINTS": "regional"}, legacy, "eu-west-1", false, false},
		{"legacy by the environment", env{"AWS_STS_REGIONAL_ENDPOINTS": "legacy"}, awsapi.Target{}, "us-east-1", false, true},
		{"unset", env{}, awsapi.Target{}, "us-east-1", false, false},
	} {
		got, err := tc.e.world().stsGlobal(tc.t, tc.region, tc.set)
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := (env{"AWS_STS_REGIONAL_ENDPOINTS": "global"}).world().stsGlobal(legacy, "eu-west-1", false); err == nil {
		t.Error("AWS_STS_REGIONAL_ENDPOINTS = global accepted")
	}
	cl, err := STS{env{}.world()}.client(context.Background(), legacy, creds)
	if err != nil {
		t.Fatal(err)
	}
	if o := cl.Options(); aws.ToString(o.BaseEndpoint) != globalSTSEndpoint || o.Region != "us-east-1" {
		t.Errorf("legacy client: endpoint %q region %q", aws.ToString(o.BaseEndpoint), o.Region)
	}
}

// legacyGlobalSTSRegions is botocore's list, read from the installed one.
func TestLegacyGlobalSTSRegionsBotocore(t *testing.T) {
	out := testproc.Botocore(t, "-c", "import json\nfrom botocore.args import LEGACY_GLOBAL_STS_REGIONS as r\nprint(json.dumps(sorted(r)))")
	var want []string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(legacyGlobalSTSRegions, want) {
		t.Errorf("legacyGlobalSTSRegions = %v; botocore's %v", legacyGlobalSTSRegions, want)
	}
}

// AssumeRole sends the session tags, transitive keys and source identity
// on the wire, as the double records them.
func TestAssumeRoleSendsTags(t *testing.T) {
	t.Parallel()
	srv, w := fakeSTS(t)
	role := "arn:aws:iam::123456789012:role/tagged"
	srv.AddRole(role, fakeaws.RoleOptions{})
	_, err := STS{World: w}.AssumeRole(context.Background(), awsapi.AssumeRoleInput{Credentials: alice, RoleARN: role, RoleSessionName: "s1",
		Tags: map[string]string{"team": "core", "env": "prod"}, TransitiveTagKeys: []string{"team"}, SourceIdentity: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.AssumeRoleRequests()
	want := []fakeaws.AssumeRoleRequest{{RoleARN: role, RoleSessionName: "s1", Tags: map[string]string{"team": "core", "env": "prod"},
		TransitiveTagKeys: []string{"team"}, SourceIdentity: "alice"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the double saw %+v; want %+v", got, want)
	}
}
