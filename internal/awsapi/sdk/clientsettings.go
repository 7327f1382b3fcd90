package sdk

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// settings are the client settings of one call beyond its region,
// credentials and endpoint: what the SDK's loader would read from the
// environment and the profile, read here through World.Getenv. Each
// variable, when set, wins over the profile, as in every SDK; a variable
// with a value the SDK would refuse fails the call, as the loader did.
type settings struct {
	source           configSource
	maxAttempts      int
	retryMode        aws.RetryMode
	appID            string
	noSkewCorrection bool
	authSchemes      []string
}

// configSource gives the clients the endpoint variants: the SDK's service
// clients read them from aws.Config.ConfigSources, through these methods.
type configSource struct {
	fips      aws.FIPSEndpointState
	dualStack aws.DualStackEndpointState
}

func (s configSource) GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error) {
	return s.fips, s.fips != aws.FIPSEndpointStateUnset, nil
}

func (s configSource) GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error) {
	return s.dualStack, s.dualStack != aws.DualStackEndpointStateUnset, nil
}

// clientSettings reads t's settings and the variables over them:
// AWS_USE_FIPS_ENDPOINT over use_fips_endpoint, AWS_USE_DUALSTACK_ENDPOINT
// over use_dualstack_endpoint, AWS_MAX_ATTEMPTS over max_attempts,
// AWS_RETRY_MODE over retry_mode, and, from the environment alone,
// AWS_SDK_UA_APP_ID, AWS_DISABLE_CLOCK_SKEW_CORRECTION and
// AWS_AUTH_SCHEME_PREFERENCE (STS may sign with SigV4a). The values are
// read as the SDK's loader reads them: untrimmed, true and false in any
// case, the retry modes in lower case.
//
// Left out, as no call of awsenv's changes with them:
// AWS_DEFAULTS_MODE (it sets the HTTP client's timeouts, which the frozen
// client ignores, and the standard retry mode every mode has; auto would
// ask the instance metadata service), the request compression and
// checksum settings and AWS_ACCOUNT_ID_ENDPOINT_MODE (no STS, IAM,
// Identity Center or sign-in operation uses them), and the S3, endpoint
// discovery, IMDS and credential variables (other services; the call's
// credentials are given).
func (w World) clientSettings(t awsapi.Target) (settings, error) {
	var s settings
	fips, err := w.boolVar("AWS_USE_FIPS_ENDPOINT", t.Endpoints.FIPS)
	if err != nil {
		return s, err
	}
	if fips != nil {
		s.source.fips = aws.FIPSEndpointStateDisabled
		if *fips {
			s.source.fips = aws.FIPSEndpointStateEnabled
		}
	}
	dual, err := w.boolVar("AWS_USE_DUALSTACK_ENDPOINT", t.Endpoints.DualStack)
	if err != nil {
		return s, err
	}
	if dual != nil {
		s.source.dualStack = aws.DualStackEndpointStateDisabled
		if *dual {
			s.source.dualStack = aws.DualStackEndpointStateEnabled
		}
	}
	if n := t.Retries.MaxAttempts; n > 0 {
		s.maxAttempts = n
	}
	if v := w.getenv("AWS_MAX_ATTEMPTS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s, fmt.Errorf("AWS_MAX_ATTEMPTS = %s is not a whole number. Set it to the number of attempts a call may make (such as 3), or unset it.", v)
		}
		s.maxAttempts = int(n)
	}
	if m := t.Retries.Mode; m != "" {
		s.retryMode = retryMode(m)
	}
	if v := w.getenv("AWS_RETRY_MODE"); v == "legacy" {
		// botocore's own mode, which the AWS CLI accepts: taken as the
		// profile's legacy is (retryMode).
		s.retryMode = retryMode(v)
	} else if v != "" {
		m, err := aws.ParseRetryMode(v)
		if err != nil {
			return s, fmt.Errorf("AWS_RETRY_MODE = %s is not legacy, standard or adaptive. Set it to one of them, or unset it.", v)
		}
		s.retryMode = m
	}
	s.appID = w.getenv("AWS_SDK_UA_APP_ID")
	skew, err := w.boolVar("AWS_DISABLE_CLOCK_SKEW_CORRECTION", nil)
	if err != nil {
		return s, err
	}
	s.noSkewCorrection = skew != nil && *skew
	for _, id := range strings.Split(w.getenv("AWS_AUTH_SCHEME_PREFERENCE"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			s.authSchemes = append(s.authSchemes, id)
		}
	}
	return s, nil
}

// boolVar is the variable env as the SDK's loader reads a boolean (true or
// false in any case; anything else is an error), else profile's value.
func (w World) boolVar(env string, profile *bool) (*bool, error) {
	switch v := w.getenv(env); {
	case v == "":
		return profile, nil
	case strings.EqualFold(v, "true"):
		return aws.Bool(true), nil
	case strings.EqualFold(v, "false"):
		return aws.Bool(false), nil
	default:
		return nil, fmt.Errorf("%s = %s is neither true nor false. Set it to one of them, or unset it.", env, v)
	}
}

// retryMode is botocore's retry_mode in the Go SDK's terms: the Go SDK
// has no "legacy" mode (botocore's older, unthrottled retries), so legacy
// is taken as standard, the AWS CLI v2's default.
func retryMode(m string) aws.RetryMode {
	if m == "adaptive" {
		return aws.RetryModeAdaptive
	}
	return aws.RetryModeStandard
}

// variant reports whether an endpoint variant is on: the environment's
// variable when set (botocore's ensure_boolean: "true" in any case), else
// the profile's value.
func (w World) variant(env string, profile *bool) bool {
	if v := strings.TrimSpace(w.getenv(env)); v != "" {
		return strings.EqualFold(v, "true")
	}
	return profile != nil && *profile
}

// legacyGlobalSTSRegions are botocore's LEGACY_GLOBAL_STS_REGIONS (args.py):
// with sts_regional_endpoints = legacy, STS calls in these regions go to
// the global endpoint (TestLegacyGlobalSTSRegionsBotocore checks the list).
var legacyGlobalSTSRegions = []string{
	"ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global",
	"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
	"sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// globalSTSEndpoint is where STS calls go under sts_regional_endpoints =
// legacy.
const globalSTSEndpoint = "https://sts.amazonaws.com"

// stsGlobal decides botocore's _should_set_global_sts_endpoint: the
// setting (AWS_STS_REGIONAL_ENDPOINTS over the profile's
// sts_regional_endpoints; regional when neither, botocore's default since
// 1.x and the Go SDK's only behaviour) is legacy, the region is one of
// legacyGlobalSTSRegions, and no endpoint URL nor FIPS or dual-stack
// variant is configured.
func (w World) stsGlobal(t awsapi.Target, region string, endpointSet bool) (bool, error) {
	setting := strings.ToLower(strings.TrimSpace(w.getenv("AWS_STS_REGIONAL_ENDPOINTS")))
	if setting == "" {
		setting = t.Endpoints.STSRegional
	}
	switch setting {
	case "", "regional":
		return false, nil
	case "legacy":
	default:
		return false, &awsapi.TransportError{Operation: "configure STS",
			Message: fmt.Sprintf("AWS_STS_REGIONAL_ENDPOINTS = %s is neither regional nor legacy. Set it to regional, or unset it.", w.getenv("AWS_STS_REGIONAL_ENDPOINTS"))}
	}
	if endpointSet || w.variant("AWS_USE_FIPS_ENDPOINT", t.Endpoints.FIPS) || w.variant("AWS_USE_DUALSTACK_ENDPOINT", t.Endpoints.DualStack) {
		return false, nil
	}
	return slices.Contains(legacyGlobalSTSRegions, region), nil
}
