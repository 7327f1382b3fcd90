// Package awssdk is what the SDK-backed STS and IAM clients share: loading
// the SDK's configuration for one call, measuring the server's clock on
// every response, and turning SDK errors into stsapi's plain ones.
package awssdk

import (
	"context"
	"errors"
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

// Load returns the SDK configuration for one call of service (e.g. "STS",
// named in errors) signed with c. The SDK's own settings apply: the
// endpoint settings of t.Profile (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>,
// endpoint_url), the CA bundle, retries. t.Region wins over the profile's;
// the region may still be empty. now is the local clock for the skew
// measurement (nil: time.Now).
func Load(ctx context.Context, service string, t stsapi.Target, c profiles.Credentials, now func() time.Time) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			c.AccessKeyID, c.SecretAccessKey.Reveal(), c.SessionToken.Reveal())),
		config.WithAPIOptions([]func(*middleware.Stack) error{MeasureClockSkew(now)}),
	}
	if t.Region != "" {
		opts = append(opts, config.WithRegion(t.Region))
	}
	// The profile is named so its endpoint settings apply; AWS_PROFILE from
	// the environment must not pick another one.
	cfg, err := config.LoadDefaultConfig(ctx, append(opts, config.WithSharedConfigProfile(t.Profile))...)
	if err != nil || t.Profile == "" {
		// The SDK is stricter than the AWS CLI about some files; awsenv has
		// already read the profile, so go on without the SDK's view of it.
		cfg, err = config.LoadDefaultConfig(ctx, append(opts,
			config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}),
			config.WithSharedConfigProfile(""))...)
		if err != nil {
			return aws.Config{}, &stsapi.TransportError{Operation: "configure " + service, Message: err.Error()}
		}
	}
	return cfg, nil
}

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
