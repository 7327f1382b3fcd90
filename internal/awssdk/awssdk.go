// Package awssdk is what the SDK-backed STS and IAM clients share: loading
// the SDK's configuration for one call, measuring the server's clock on
// every response, and turning SDK errors into stsapi's plain ones.
package awssdk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsenv/awsenv/internal/stsapi"
	"github.com/awsenv/awsenv/profiles"
)

// Load returns the SDK configuration for one call of service ("STS" or
// "IAM", also named in errors) signed with c. The SDK never reads the
// user's AWS files: awsenv has read them already, as the AWS CLI does, and
// the SDK's own reader is stricter (and has panicked on a lone quote in a
// profile no one uses). The environment's settings apply as the SDK reads
// them (AWS_ENDPOINT_URL*, AWS_CA_BUNDLE, AWS_MAX_ATTEMPTS, ...), and the
// profile's endpoint settings from t.Endpoints with the SDKs' precedence
// (see Endpoint). t.Region wins over the environment's; it may be empty.
// now is the local clock for the skew measurement (nil: time.Now).
func Load(ctx context.Context, service string, t stsapi.Target, c profiles.Credentials, now func() time.Time) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			c.AccessKeyID, c.SecretAccessKey.Reveal(), c.SessionToken.Reveal())),
		config.WithAPIOptions([]func(*middleware.Stack) error{MeasureClockSkew(now)}),
		// No files; the helper starts without AWS_PROFILE, which would make
		// the SDK look for that profile in them.
		config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}),
	}
	if t.Region != "" {
		opts = append(opts, config.WithRegion(t.Region))
	}
	if os.Getenv("AWS_CA_BUNDLE") == "" && t.Endpoints.CABundle != "" {
		pem, err := os.ReadFile(t.Endpoints.CABundle)
		if err != nil {
			return aws.Config{}, &stsapi.TransportError{Operation: "configure " + service,
				Message: fmt.Sprintf("read the ca_bundle of profile %s: %v. Fix the path in ca_bundle, or remove it to use the system's certificates.", t.Profile, err)}
		}
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(pem)))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, &stsapi.TransportError{Operation: "configure " + service, Message: err.Error()}
	}
	if url := Endpoint(service, t.Endpoints, os.Getenv); url != "" {
		cfg.BaseEndpoint = aws.String(url)
	}
	return cfg, nil
}

// Endpoint is the endpoint a call of service goes to, by the SDKs'
// precedence for configured endpoints: AWS_ENDPOINT_URL_<SERVICE>, the
// profile's [services] entry, AWS_ENDPOINT_URL, the profile's endpoint_url;
// none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile's
// ignore_configured_endpoint_urls is true. "" means AWS's own endpoint.
func Endpoint(service string, e stsapi.Endpoints, getenv func(string) string) string {
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

// errNoCredentials is an answer without credentials in it.
var errNoCredentials = errors.New("the answer held no credentials")

// skewID names the middleware in the stack.
const skewID = "awsenv.MeasureClockSkew"

// MeasureClockSkew is an API option that reports, for every attempt that
// got an HTTP response, the response's Date header minus the local clock
// when the response arrived to the observer in the call's context (see
// stsapi.WithClockSkewObserver). It sits in the deserialize step, under the
// operation's error handling, so it sees failed calls too, and every retry:
// the last report is the last attempt's.
func MeasureClockSkew(now func() time.Time) func(*middleware.Stack) error {
	if now == nil {
		now = time.Now
	}
	return func(s *middleware.Stack) error {
		return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc(skewID, func(
			ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler,
		) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			arrived := now()
			observe := stsapi.ClockSkewObserver(ctx)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && observe != nil {
				if date := resp.Header.Get("Date"); date != "" {
					if server, perr := smithyhttp.ParseTime(date); perr == nil {
						observe(server.Sub(arrived))
					}
				}
			}
			return out, md, err
		}), middleware.After)
	}
}

// Convert turns an SDK error from operation op into AWS's code and message
// (*stsapi.APIError), without the SDK's layers of operation and retry text,
// or into a *stsapi.TransportError when AWS gave no answer.
func Convert(op string, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		e := &stsapi.APIError{Operation: op, Code: api.ErrorCode(), Message: api.ErrorMessage()}
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			e.HTTPStatus = re.HTTPStatusCode()
			e.RequestID = re.ServiceRequestID()
		}
		return e
	}
	return &stsapi.TransportError{Operation: op, Message: err.Error()}
}
