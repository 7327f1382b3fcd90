// Package sdk holds awsenv's AWS clients built on aws-sdk-go-v2, one file
// per service (sts.go, iam.go, sso.go for the Identity Center portal,
// signin.go for `aws login` sessions,
// ssooidc.go, federation.go for the console's sign-in token), each
// implementing an interface of internal/awsapi, and what they share: the
// configuration of one call (config.go), the network's deadlines and CA
// bundle (http.go), the clock skew measurement (skew.go) and the turning
// of SDK errors into awsapi's (errors.go).
//
// Only cmd/awsenv-helper and tests import it (internal/layout checks):
// the front binary stays free of the SDK.
//
// The world comes in as a World value, set once by cmd/awsenv-helper:
// awsenv's own reads of the environment (AWS_ENDPOINT_URL*,
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, AWS_CA_BUNDLE) go through its
// Getenv, the clock through its Now. The SDK's configuration loader still
// reads its own settings from the process environment (AWS_REGION,
// AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, AWS_USE_FIPS_ENDPOINT, ...), as does
// net/http for proxies (HTTPS_PROXY, NO_PROXY): that is the SDK's and Go's
// behaviour, and the same as the AWS CLI's.
package sdk

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
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

func (w World) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

// Load returns the SDK configuration for one call of service (the SDK's
// service id: "STS", "IAM", "SSO", "SSO OIDC"; also named in errors)
// signed with c. The SDK never reads the user's AWS files: awsenv has read
// them already, as the AWS CLI does, and the SDK's own reader is stricter
// (and has panicked on a lone quote in a profile no one uses). The
// endpoint comes from Endpoint, the HTTP client (deadlines and CA bundle)
// from http.go. t.Region wins over the environment's; it may be empty.
func (w World) Load(ctx context.Context, service string, t awsapi.Target, c profiles.Credentials) (aws.Config, error) {
	hc, pem, err := w.sdkHTTPClient("configure "+service, t)
	if err != nil {
		return aws.Config{}, err
	}
	opts := []func(*config.LoadOptions) error{
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			c.AccessKeyID, c.SecretAccessKey.Reveal(), c.SessionToken.Reveal())),
		config.WithAPIOptions([]func(*middleware.Stack) error{MeasureClockSkew(w.now)}),
		// No files; the helper starts without AWS_PROFILE, which would make
		// the SDK look for that profile in them.
		config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}),
		config.WithHTTPClient(hc),
	}
	if pem != nil {
		// Given to the loader, so it does not read the process's own
		// AWS_CA_BUNDLE over awsenv's choice.
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(pem)))
	}
	if t.Region != "" {
		opts = append(opts, config.WithRegion(t.Region))
	}
	opts = append(opts, w.profileClientOptions(t)...)
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, &awsapi.TransportError{Operation: "configure " + service, Message: err.Error()}
	}
	// The loader applies a CA bundle to a copy of hc (the process's
	// AWS_CA_BUNDLE when awsenv chose none); hc, with the bundle awsenv
	// chose through Getenv, stands, frozen so that the SDK's defaults
	// modes cannot change its deadlines.
	cfg.HTTPClient = hc.Freeze()
	if url := Endpoint(service, t.Endpoints, w.getenv); url != "" {
		cfg.BaseEndpoint = aws.String(url)
	}
	return cfg, nil
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
