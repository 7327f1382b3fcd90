// Package stsclient implements stsapi.Client with aws-sdk-go-v2, so the
// SDK's own endpoint settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS,
// endpoint_url in the profile), CA bundle and retries all apply.
package stsclient

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsenv/awsenv/internal/stsapi"
	"github.com/awsenv/awsenv/profiles"
)

// DefaultRegion is used when neither the profile nor the environment names
// one: STS answers in every region, and us-east-1 is its historic home.
const DefaultRegion = "us-east-1"

// Client is STS through the SDK.
type Client struct{}

func (Client) client(ctx context.Context, t stsapi.Target, c profiles.Credentials) (*sts.Client, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			c.AccessKeyID, c.SecretAccessKey.Reveal(), c.SessionToken.Reveal())),
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
			return nil, &stsapi.TransportError{Operation: "configure STS", Message: err.Error()}
		}
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	return sts.NewFromConfig(cfg), nil
}

// GetSessionToken calls sts:GetSessionToken.
func (c Client) GetSessionToken(ctx context.Context, in stsapi.GetSessionTokenInput) (profiles.Credentials, error) {
	cl, err := c.client(ctx, in.Target, in.Credentials)
	if err != nil {
		return profiles.Credentials{}, err
	}
	req := &sts.GetSessionTokenInput{}
	if in.Duration > 0 {
		req.DurationSeconds = aws.Int32(int32(in.Duration / time.Second))
	}
	if in.SerialNumber != "" {
		req.SerialNumber = aws.String(in.SerialNumber)
		req.TokenCode = aws.String(in.TokenCode)
	}
	out, err := cl.GetSessionToken(ctx, req)
	if err != nil {
		return profiles.Credentials{}, convert("GetSessionToken", err)
	}
	return fromSDK(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken, out.Credentials.Expiration), nil
}

// AssumeRole calls sts:AssumeRole.
func (c Client) AssumeRole(ctx context.Context, in stsapi.AssumeRoleInput) (profiles.Credentials, error) {
	cl, err := c.client(ctx, in.Target, in.Credentials)
	if err != nil {
		return profiles.Credentials{}, err
	}
	req := &sts.AssumeRoleInput{
		RoleArn:         aws.String(in.RoleARN),
		RoleSessionName: aws.String(in.RoleSessionName),
	}
	if in.Duration > 0 {
		req.DurationSeconds = aws.Int32(int32(in.Duration / time.Second))
	}
	if in.ExternalID != "" {
		req.ExternalId = aws.String(in.ExternalID)
	}
	if in.SerialNumber != "" {
		req.SerialNumber = aws.String(in.SerialNumber)
		req.TokenCode = aws.String(in.TokenCode)
	}
	out, err := cl.AssumeRole(ctx, req)
	if err != nil {
		return profiles.Credentials{}, convert("AssumeRole", err)
	}
	return fromSDK(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken, out.Credentials.Expiration), nil
}

// GetCallerIdentity calls sts:GetCallerIdentity.
func (c Client) GetCallerIdentity(ctx context.Context, t stsapi.Target, creds profiles.Credentials) (stsapi.Identity, error) {
	cl, err := c.client(ctx, t, creds)
	if err != nil {
		return stsapi.Identity{}, err
	}
	out, err := cl.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return stsapi.Identity{}, convert("GetCallerIdentity", err)
	}
	return stsapi.Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}, nil
}

func fromSDK(id, secret, token *string, exp *time.Time) profiles.Credentials {
	return profiles.Credentials{
		AccessKeyID:     aws.ToString(id),
		SecretAccessKey: profiles.Secret(aws.ToString(secret)),
		SessionToken:    profiles.Secret(aws.ToString(token)),
		Expiration:      aws.ToTime(exp).UTC(),
	}
}

// convert turns an SDK error into AWS's code and message, without the
// SDK's layers of operation and retry text.
func convert(op string, err error) error {
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
