package sdk

import (
	"context"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// DefaultRegion is used when neither the profile nor the environment names
// one: STS answers in every region, and us-east-1 is its historic home.
const DefaultRegion = "us-east-1"

// STS is awsapi.STS and awsapi.Federation through the SDK.
type STS struct{ World }

var (
	_ awsapi.STS         = STS{}
	_ awsapi.Federation  = STS{}
	_ awsapi.WebIdentity = STS{}
)

func (c STS) client(ctx context.Context, t awsapi.Target, creds profiles.Credentials) (*sts.Client, error) {
	cfg, err := c.Load(ctx, "STS", t, creds)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	global, err := c.stsGlobal(t, cfg.Region, cfg.BaseEndpoint != nil)
	if err != nil {
		return nil, err
	}
	if global {
		// sts_regional_endpoints = legacy: the global endpoint, signed
		// for us-east-1, as botocore's _set_global_sts_endpoint does.
		cfg.BaseEndpoint, cfg.Region = aws.String(globalSTSEndpoint), "us-east-1"
	}
	return sts.NewFromConfig(cfg), nil
}

// GetSessionToken calls sts:GetSessionToken.
func (c STS) GetSessionToken(ctx context.Context, in awsapi.GetSessionTokenInput) (profiles.Credentials, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
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
		return profiles.Credentials{}, Convert("GetSessionToken", err)
	}
	return fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken, out.Credentials.Expiration), nil
}

// AssumeRole calls sts:AssumeRole.
func (c STS) AssumeRole(ctx context.Context, in awsapi.AssumeRoleInput) (profiles.Credentials, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
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
	req.Tags, req.TransitiveTagKeys = stsTags(in.Tags), in.TransitiveTagKeys
	if in.SourceIdentity != "" {
		req.SourceIdentity = aws.String(in.SourceIdentity)
	}
	out, err := cl.AssumeRole(ctx, req)
	if err != nil {
		return profiles.Credentials{}, Convert("AssumeRole", err)
	}
	creds := fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken, out.Credentials.Expiration)
	// Who they are: the assumed-role ARN (hooks get it in PostUse). The
	// front checks it with the credentials.
	if out.AssumedRoleUser != nil {
		creds.ARN = aws.ToString(out.AssumedRoleUser.Arn)
	}
	return creds, nil
}

// stsTags are session tags, sorted by key so the request is the same each
// time.
func stsTags(m map[string]string) []types.Tag {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var tags []types.Tag
	for _, k := range keys {
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}

// AssumeRoleWithWebIdentity calls sts:AssumeRoleWithWebIdentity, unsigned:
// the web identity token is the proof.
func (c STS) AssumeRoleWithWebIdentity(ctx context.Context, in awsapi.AssumeRoleWithWebIdentityInput) (profiles.Credentials, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.client(ctx, in.Target, profiles.Credentials{})
	if err != nil {
		return profiles.Credentials{}, err
	}
	req := &sts.AssumeRoleWithWebIdentityInput{
		RoleArn:          aws.String(in.RoleARN),
		RoleSessionName:  aws.String(in.RoleSessionName),
		WebIdentityToken: aws.String(in.Token.Reveal()),
	}
	if in.Duration > 0 {
		req.DurationSeconds = aws.Int32(int32(in.Duration / time.Second))
	}
	out, err := cl.AssumeRoleWithWebIdentity(ctx, req, func(o *sts.Options) { o.Credentials = aws.AnonymousCredentials{} })
	if err != nil {
		return profiles.Credentials{}, Convert("AssumeRoleWithWebIdentity", err)
	}
	if out.Credentials == nil {
		return profiles.Credentials{}, Convert("AssumeRoleWithWebIdentity", ErrNoCredentials)
	}
	creds := fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken, out.Credentials.Expiration)
	if out.AssumedRoleUser != nil {
		creds.ARN = aws.ToString(out.AssumedRoleUser.Arn)
	}
	return creds, nil
}

// GetCallerIdentity calls sts:GetCallerIdentity.
func (c STS) GetCallerIdentity(ctx context.Context, t awsapi.Target, creds profiles.Credentials) (awsapi.Identity, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.client(ctx, t, creds)
	if err != nil {
		return awsapi.Identity{}, err
	}
	out, err := cl.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return awsapi.Identity{}, Convert("GetCallerIdentity", err)
	}
	return awsapi.Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}, nil
}

// fromSTS is STS's credentials; the SDK parses their expiration as an
// ISO 8601 time, so it has a four-digit year.
func fromSTS(id, secret, token *string, exp *time.Time) profiles.Credentials {
	return profiles.Credentials{
		AccessKeyID:     aws.ToString(id),
		SecretAccessKey: profiles.Secret(aws.ToString(secret)),
		SessionToken:    profiles.Secret(aws.ToString(token)),
		Expiration:      aws.ToTime(exp).UTC(),
	}
}
