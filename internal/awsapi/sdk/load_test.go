package sdk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// loadVars are the variables Load reads besides the endpoint and CA bundle
// ones (TestEndpoint, TestLoadCABundle).
var loadVars = []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
	"AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_SDK_UA_APP_ID",
	"AWS_DISABLE_CLOCK_SKEW_CORRECTION", "AWS_AUTH_SCHEME_PREFERENCE"}

// resolved is what an STS client built from a configuration does with it:
// the SDK's own resolution of each setting.
type resolved struct {
	Region          string
	MaxAttempts     int
	RetryMode       aws.RetryMode
	FIPS            aws.FIPSEndpointState
	DualStack       aws.DualStackEndpointState
	AppID           string
	NoSkewCorrected bool
	AuthSchemes     []string
	DefaultsMode    aws.DefaultsMode
	BaseEndpoint    string
}

func resolve(cfg aws.Config) resolved {
	o := sts.NewFromConfig(cfg).Options()
	return resolved{Region: o.Region, MaxAttempts: o.RetryMaxAttempts, RetryMode: o.RetryMode,
		FIPS: o.EndpointOptions.UseFIPSEndpoint, DualStack: o.EndpointOptions.UseDualStackEndpoint,
		AppID: o.AppID, NoSkewCorrected: o.DisableClockSkewCorrection, AuthSchemes: o.AuthSchemePreference,
		DefaultsMode: o.DefaultsMode, BaseEndpoint: aws.ToString(o.BaseEndpoint)}
}

// Each variable wins over the profile's setting; the profile's applies
// when the variable is unset; the region is the call's, else AWS_REGION,
// else AWS_DEFAULT_REGION. Checked on the STS client the SDK builds from
// Load's configuration.
func TestLoadEnvironmentOverProfile(t *testing.T) {
	t.Parallel()
	profile := awsapi.Target{Profile: "p", Endpoints: awsapi.Endpoints{FIPS: ptr(true), DualStack: ptr(false)},
		Retries: awsapi.Retries{MaxAttempts: 7, Mode: "legacy"}}
	for _, tc := range []struct {
		name   string
		env    env
		target awsapi.Target
		want   resolved
	}{
		{"nothing set", env{}, awsapi.Target{},
			resolved{RetryMode: aws.RetryModeStandard, DefaultsMode: aws.DefaultsModeLegacy}},
		{"the profile's", env{}, profile,
			resolved{MaxAttempts: 7, RetryMode: aws.RetryModeStandard, FIPS: aws.FIPSEndpointStateEnabled,
				DualStack: aws.DualStackEndpointStateDisabled, DefaultsMode: aws.DefaultsModeLegacy}},
		{"the environment's over the profile's", env{"AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "adaptive",
			"AWS_USE_FIPS_ENDPOINT": "FALSE", "AWS_USE_DUALSTACK_ENDPOINT": "True"}, profile,
			resolved{MaxAttempts: 2, RetryMode: aws.RetryModeAdaptive, FIPS: aws.FIPSEndpointStateDisabled,
				DualStack: aws.DualStackEndpointStateEnabled, DefaultsMode: aws.DefaultsModeLegacy}},
		{"AWS_MAX_ATTEMPTS=0 is the SDK's default, not the profile's", env{"AWS_MAX_ATTEMPTS": "0"}, profile,
			resolved{RetryMode: aws.RetryModeStandard, FIPS: aws.FIPSEndpointStateEnabled,
				DualStack: aws.DualStackEndpointStateDisabled, DefaultsMode: aws.DefaultsModeLegacy}},
		{"the environment's alone", env{"AWS_SDK_UA_APP_ID": "team-a", "AWS_DISABLE_CLOCK_SKEW_CORRECTION": "true",
			"AWS_AUTH_SCHEME_PREFERENCE": " sigv4a, ,sigv4 "}, awsapi.Target{},
			resolved{AppID: "team-a", NoSkewCorrected: true, AuthSchemes: []string{"sigv4a", "sigv4"}, RetryMode: aws.RetryModeStandard, DefaultsMode: aws.DefaultsModeLegacy}},
		{"AWS_REGION over AWS_DEFAULT_REGION", env{"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"}, awsapi.Target{},
			resolved{Region: "eu-west-1", RetryMode: aws.RetryModeStandard, DefaultsMode: aws.DefaultsModeLegacy}},
		{"AWS_DEFAULT_REGION", env{"AWS_DEFAULT_REGION": "eu-west-2"}, awsapi.Target{},
			resolved{Region: "eu-west-2", RetryMode: aws.RetryModeStandard, DefaultsMode: aws.DefaultsModeLegacy}},
		{"the environment's endpoint", env{"AWS_ENDPOINT_URL": "http://env"}, awsapi.Target{},
			resolved{BaseEndpoint: "http://env", RetryMode: aws.RetryModeStandard, DefaultsMode: aws.DefaultsModeLegacy}},
		// As in botocore; the SDK's loader kept AWS_ENDPOINT_URL then.
		{"no endpoint under the profile's ignore_configured_endpoint_urls", env{"AWS_ENDPOINT_URL": "http://env", "AWS_ENDPOINT_URL_STS": "http://env-sts"},
			awsapi.Target{Endpoints: awsapi.Endpoints{Ignore: true}},
			resolved{RetryMode: aws.RetryModeStandard, DefaultsMode: aws.DefaultsModeLegacy}},
		// botocore's legacy mode, which the SDK's loader refused: standard,
		// as the profile's retry_mode = legacy is.
		{"AWS_RETRY_MODE=legacy as the AWS CLI takes it", env{"AWS_RETRY_MODE": "legacy"}, profile,
			resolved{MaxAttempts: 7, RetryMode: aws.RetryModeStandard, FIPS: aws.FIPSEndpointStateEnabled,
				DualStack: aws.DualStackEndpointStateDisabled, DefaultsMode: aws.DefaultsModeLegacy}},
		{"the call's region over both", env{"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"}, awsapi.Target{Region: "ap-south-1"},
			resolved{Region: "ap-south-1", RetryMode: aws.RetryModeStandard, DefaultsMode: aws.DefaultsModeLegacy}},
	} {
		cfg, err := tc.env.world().Load(context.Background(), "STS", tc.target, creds)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := resolve(cfg); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

// A variable with a value the SDK refuses fails the call before it is
// made, naming the variable and its value and saying what to set, even
// when the profile has a valid setting.
func TestLoadInvalidEnvironment(t *testing.T) {
	t.Parallel()
	profile := awsapi.Target{Profile: "p", Endpoints: awsapi.Endpoints{FIPS: ptr(true), DualStack: ptr(true)},
		Retries: awsapi.Retries{MaxAttempts: 3, Mode: "standard"}}
	for _, tc := range []struct{ name, value, want string }{
		{"AWS_MAX_ATTEMPTS", "three", "is not a whole number"},
		{"AWS_MAX_ATTEMPTS", "3.5", "is not a whole number"},
		{"AWS_RETRY_MODE", "Standard", "is not legacy, standard or adaptive"},
		{"AWS_RETRY_MODE", "exponential", "is not legacy, standard or adaptive"},
		{"AWS_USE_FIPS_ENDPOINT", "yes", "is neither true nor false"},
		{"AWS_USE_FIPS_ENDPOINT", " true", "is neither true nor false"},
		{"AWS_USE_DUALSTACK_ENDPOINT", "1", "is neither true nor false"},
		{"AWS_DISABLE_CLOCK_SKEW_CORRECTION", "on", "is neither true nor false"},
	} {
		_, err := env{tc.name: tc.value}.world().Load(context.Background(), "STS", profile, creds)
		var tr *awsapi.TransportError
		if !errors.As(err, &tr) || tr.Operation != "configure STS" || !strings.Contains(tr.Message, tc.name+" = "+tc.value+" "+tc.want) ||
			!strings.Contains(tr.Message, "or unset it.") {
			t.Errorf("%s=%q: %v, want a TransportError of configure STS saying it %s", tc.name, tc.value, err, tc.want)
		}
	}
}

// Load reads the environment through World alone: the process's own
// variables, even invalid ones and an unreadable AWS_CA_BUNDLE, change
// nothing (the SDK's loader used to read them itself). The STS client
// reads nothing from the process either.
func TestLoadIgnoresTheProcessEnvironment(t *testing.T) {
	dir := t.TempDir()
	sdkFiles(t, dir)
	for _, v := range loadVars {
		t.Setenv(v, "junk")
	}
	t.Setenv("AWS_CA_BUNDLE", filepath.Join(dir, "missing.pem"))
	t.Setenv("AWS_ENDPOINT_URL_STS", "http://process-sts")
	t.Setenv("AWS_DEFAULTS_MODE", "junk")
	t.Setenv("AWS_PROFILE", "nowhere")
	cfg, err := env{}.world().Load(context.Background(), "STS", awsapi.Target{Profile: "work"}, creds)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := resolve(cfg), (resolved{RetryMode: aws.RetryModeStandard, DefaultsMode: aws.DefaultsModeLegacy}); !reflect.DeepEqual(got, want) {
		t.Fatalf("with the process's variables set:\n got %+v\nwant %+v", got, want)
	}
}

// Load resolves as the SDK's loader did (config.LoadDefaultConfig with the
// profile's settings as options, each only when its variable is unset):
// for each environment, the same STS client options, or an error in both.
func TestLoadAsTheSDKLoader(t *testing.T) {
	sdkFiles(t, t.TempDir())
	for _, v := range append(loadVars, "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_CA_BUNDLE", "AWS_DEFAULTS_MODE") {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	profile := awsapi.Target{Profile: "p", Endpoints: awsapi.Endpoints{FIPS: ptr(false), DualStack: ptr(true)},
		Retries: awsapi.Retries{MaxAttempts: 4, Mode: "adaptive"}}
	for _, e := range []env{
		{},
		{"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"},
		{"AWS_DEFAULT_REGION": "eu-west-2"},
		{"AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "standard"},
		{"AWS_MAX_ATTEMPTS": "0"},
		{"AWS_MAX_ATTEMPTS": "-1"},
		{"AWS_MAX_ATTEMPTS": "x"},
		{"AWS_USE_FIPS_ENDPOINT": "TRUE", "AWS_USE_DUALSTACK_ENDPOINT": "false"},
		{"AWS_USE_FIPS_ENDPOINT": "maybe"},
		{"AWS_USE_DUALSTACK_ENDPOINT": "true "},
		{"AWS_SDK_UA_APP_ID": "team-a"},
		{"AWS_DISABLE_CLOCK_SKEW_CORRECTION": "TRUE"},
		{"AWS_DISABLE_CLOCK_SKEW_CORRECTION": "no"},
		{"AWS_AUTH_SCHEME_PREFERENCE": "sigv4a,sigv4"},
	} {
		for _, target := range []awsapi.Target{{}, profile, {Region: "ap-south-1"}} {
			for k, v := range e {
				t.Setenv(k, v)
			}
			ours, ourErr := e.world().Load(context.Background(), "STS", target, creds)
			theirs, theirErr := sdkLoader(e, target)
			for k := range e {
				os.Unsetenv(k)
			}
			if (ourErr != nil) != (theirErr != nil) {
				t.Errorf("%v, %+v: error %v, the SDK's loader's %v", e, target, ourErr, theirErr)
				continue
			}
			if ourErr != nil {
				continue
			}
			if got, want := resolve(ours), resolve(theirs); !reflect.DeepEqual(got, want) {
				t.Errorf("%v, %+v:\n got %+v\nwant %+v (the SDK's loader's)", e, target, got, want)
			}
		}
	}
}

// sdkLoader is how Load built its configuration with the SDK's loader,
// reading the process's environment (set to e by the caller).
func sdkLoader(e env, t awsapi.Target) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey.Reveal(), "")),
		config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}),
	}
	if t.Region != "" {
		opts = append(opts, config.WithRegion(t.Region))
	}
	if v := t.Endpoints.FIPS; v != nil && e["AWS_USE_FIPS_ENDPOINT"] == "" {
		state := aws.FIPSEndpointStateDisabled
		if *v {
			state = aws.FIPSEndpointStateEnabled
		}
		opts = append(opts, config.WithUseFIPSEndpoint(state))
	}
	if v := t.Endpoints.DualStack; v != nil && e["AWS_USE_DUALSTACK_ENDPOINT"] == "" {
		state := aws.DualStackEndpointStateDisabled
		if *v {
			state = aws.DualStackEndpointStateEnabled
		}
		opts = append(opts, config.WithUseDualStackEndpoint(state))
	}
	if n := t.Retries.MaxAttempts; n > 0 && e["AWS_MAX_ATTEMPTS"] == "" {
		opts = append(opts, config.WithRetryMaxAttempts(n))
	}
	if m := t.Retries.Mode; m != "" && e["AWS_RETRY_MODE"] == "" {
		opts = append(opts, config.WithRetryMode(retryMode(m)))
	}
	return config.LoadDefaultConfig(context.Background(), opts...)
}
