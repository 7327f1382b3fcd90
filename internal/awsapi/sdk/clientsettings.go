package sdk

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// profileClientOptions are the profile's client settings (use_fips_endpoint,
// use_dualstack_endpoint, max_attempts, retry_mode) as loader options,
// each only when its environment variable is unset: the SDK's loader reads
// those variables itself, and they win over the profile, as in every SDK.
func (w World) profileClientOptions(t awsapi.Target) []func(*config.LoadOptions) error {
	var opts []func(*config.LoadOptions) error
	if v := t.Endpoints.FIPS; v != nil && w.getenv("AWS_USE_FIPS_ENDPOINT") == "" {
		state := aws.FIPSEndpointStateDisabled
		if *v {
			state = aws.FIPSEndpointStateEnabled
		}
		opts = append(opts, config.WithUseFIPSEndpoint(state))
	}
	if v := t.Endpoints.DualStack; v != nil && w.getenv("AWS_USE_DUALSTACK_ENDPOINT") == "" {
		state := aws.DualStackEndpointStateDisabled
		if *v {
			state = aws.DualStackEndpointStateEnabled
		}
		opts = append(opts, config.WithUseDualStackEndpoint(state))
	}
	if n := t.Retries.MaxAttempts; n > 0 && w.getenv("AWS_MAX_ATTEMPTS") == "" {
		opts = append(opts, config.WithRetryMaxAttempts(n))
	}
	if m := t.Retries.Mode; m != "" && w.getenv("AWS_RETRY_MODE") == "" {
		opts = append(opts, config.WithRetryMode(retryMode(m)))
	}
	return opts
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
