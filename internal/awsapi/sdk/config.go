// Package sdk is the core of awsenv's AWS clients built on aws-sdk-go-v2:
// the STS client (sts.go, federation.go for the console's sign-in token),
// implementing interfaces of internal/awsapi, and what every client
// shares: the configuration of one call (config.go, clientsettings.go),
// the network's deadlines and CA bundle (http.go), the clock skew
// measurement (skew.go) and the turning of SDK errors into awsapi's
// (errors.go). The other services' clients build on it in subpackages:
// iamclient, ssoclient (the Identity Center portal, its OIDC sign-in and
// the PKCE authorization), signinclient (`aws login` sessions) and
// instanceclient (the instance metadata service and container endpoint).
//
// The core links the SDK's STS client alone, not the SDK's config package
// (whose credential providers import sso, ssooidc and signin) nor the
// other services (internal/layout checks): every cold path of awsenv
// starts the helper for an STS call, and each service package costs the
// helper's start its endpoint tables and schemas.
//
// Only cmd/awsenv-helper and tests import these packages (internal/layout
// checks): the front binary stays free of the SDK.
//
// The world comes in as a World value, set once by cmd/awsenv-helper:
// every read of the environment that shapes a call (the region, retries,
// endpoint variants, AWS_ENDPOINT_URL*, AWS_CA_BUNDLE, ...; see Load) goes
// through its Getenv, the clock through its Now. Only net/http reads its
// own settings from the process environment, for proxies (HTTPS_PROXY,
// NO_PROXY): that is Go's behaviour, and the same as the AWS CLI's.
package sdk

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// World is what the clients read from outside: the environment, the
// clock and the network's deadlines. cmd/awsenv-helper sets it once from
// the real ones; tests pass their own.
type World struct {
	// Getenv reads an environment variable; nil reads none.
	Getenv func(string) string
	// Now is the local clock the clock skew is measured against (see
	// awsapi.WithClockSkewObserver); nil means time.Now.
	Now func() time.Time
	// Network holds the deadlines of every HTTP call; its zero fields
	// take DefaultNetwork's.
	Network Network
}

func (w World) getenv(name string) string {
	if w.Getenv == nil {
		return ""
	}
	return w.Getenv(name)
}

// Time is the world's clock: Now, else time.Now.
func (w World) Time() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

// Load returns the SDK configuration for one call of service (the SDK's
// service id: "STS", "IAM", "SSO", "SSO OIDC"; also named in errors)
// signed with c, built here rather than by the SDK's config package,
// whose credential providers (sso, ssooidc, signin, imds) would cost every
// start of the helper their initialisation. The SDK never reads the
// user's AWS files: awsenv has read them already, as the AWS CLI does, and
// the SDK's own reader is stricter (and has panicked on a lone quote in a
// profile no one uses). The endpoint comes from Endpoint, the HTTP client
// (deadlines and CA bundle) from http.go, the rest of the client settings
// from clientsettings.go. t.Region wins over the environment's; it may be
// empty.
func (w World) Load(ctx context.Context, service string, t awsapi.Target, c profiles.Credentials) (aws.Config, error) {
	op := "configure " + service
	hc, err := w.sharedSDKClient(op, t)
	if err != nil {
		return aws.Config{}, err
	}
	s, err := w.clientSettings(t)
	if err != nil {
		return aws.Config{}, &awsapi.TransportError{Operation: op, Message: err.Error()}
	}
	cfg := aws.Config{
		Region: w.region(t),
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
			c.AccessKeyID, c.SecretAccessKey.Reveal(), c.SessionToken.Reveal())),
		HTTPClient:                 hc,
		APIOptions:                 []func(*middleware.Stack) error{MeasureClockSkew(w.Time)},
		ConfigSources:              []any{s.source},
		RetryMaxAttempts:           s.maxAttempts,
		RetryMode:                  s.retryMode,
		AppID:                      s.appID,
		DisableClockSkewCorrection: s.noSkewCorrection,
		AuthSchemePreference:       s.authSchemes,
		// What the SDK's loader sets when nothing is configured.
		Logger:                      logging.NewStandardLogger(os.Stderr),
		DefaultsMode:                aws.DefaultsModeLegacy,
		RequestMinCompressSizeBytes: 10240,
		AccountIDEndpointMode:       aws.AccountIDEndpointModePreferred,
		RequestChecksumCalculation:  aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation:  aws.ResponseChecksumValidationWhenSupported,
		RestrictFilePermissions:     aws.RestrictFilePermissionsUserReadWrite,
	}
	if url := Endpoint(service, t.Endpoints, w.getenv); url != "" {
		cfg.BaseEndpoint = aws.String(url)
	}
	return cfg, nil
}

// region is t.Region, else AWS_REGION, else AWS_DEFAULT_REGION, as the
// SDK's loader orders them.
func (w World) region(t awsapi.Target) string {
	for _, r := range []string{t.Region, w.getenv("AWS_REGION"), w.getenv("AWS_DEFAULT_REGION")} {
		if r != "" {
			return r
		}
	}
	return ""
}

// Endpoint is the endpoint a call of service goes to, by the SDKs'
// precedence for configured endpoints: AWS_ENDPOINT_URL_<SERVICE>, the
// profile's [services] entry, AWS_ENDPOINT_URL, the profile's endpoint_url;
// none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile's
// ignore_configured_endpoint_urls is true. "" means AWS's own endpoint.
func Endpoint(service string, e awsapi.Endpoints, getenv func(string) string) string {
	if e.Ignore || strings.EqualFold(strings.TrimSpace(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")), "true") {
		return ""
	}
	// The SDK's rule: the service id with spaces as underscores, upper
	// case for the variable ("SSO OIDC" -> AWS_ENDPOINT_URL_SSO_OIDC),
	// lower case for the [services] key (sso_oidc).
	id := strings.ToLower(strings.ReplaceAll(service, " ", "_"))
	for _, v := range []string{getenv("AWS_ENDPOINT_URL_" + strings.ToUpper(id)), e.Services[id], getenv("AWS_ENDPOINT_URL"), e.URL} {
		if v != "" {
			return v
		}
	}
	return ""
}
