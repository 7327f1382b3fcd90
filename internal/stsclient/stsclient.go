// Package stsclient implements stsapi.Client with aws-sdk-go-v2, so the
// SDK's own endpoint settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS,
// endpoint_url in the profile), CA bundle and retries all apply.
package stsclient

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsenv/awsenv/internal/awssdk"
	"github.com/awsenv/awsenv/internal/stsapi"
	"github.com/awsenv/awsenv/profiles"
)

// DefaultRegion is used when neither the profile nor the environment names
// one: STS answers in every region, and us-east-1 is its historic home.
const DefaultRegion = "us-east-1"

// Client is STS through the SDK.
type Client struct {
	// Now is the local clock the clock skew is measured against (see
	// stsapi.WithClockSkewObserver); nil means time.Now.
	Now func() time.Time
}

func (c Client) client(ctx context.Context, t stsapi.Target, creds profiles.Credentials) (*sts.Client, error) {
	cfg, err := awssdk.Load(ctx, "STS", t, creds, c.Now)
	if err != nil {
		return nil, err
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
		return profiles.Credentials{}, awssdk.Convert("GetSessionToken", err)
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
		return profiles.Credentials{}, awssdk.Convert("AssumeRole", err)
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
		return stsapi.Identity{}, awssdk.Convert("GetCallerIdentity", err)
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
