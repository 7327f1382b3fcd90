package awssdk

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/awsenv/awsenv/internal/ssoapi"
	"github.com/awsenv/awsenv/profiles"
)

// The SDK's service ids: AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC
// (see Endpoint).
const (
	serviceSSO  = "SSO"
	serviceOIDC = "SSO OIDC"
)

// SSOClient is ssoapi.Client with the SDK's sso and ssooidc clients. Every
// call is unsigned, as the SDK makes them: OIDC calls carry the client's
// id and secret in their bodies, portal calls the access token in the
// x-amz-sso_bearer_token header.
type SSOClient struct {
	Now func() time.Time // for the clock skew measurement; nil: time.Now
}

var _ ssoapi.Client = SSOClient{}

func (c SSOClient) config(ctx context.Context, service string, t ssoapi.Target) (aws.Config, error) {
	cfg, err := Load(ctx, service, t, profiles.Credentials{}, c.Now)
	if err != nil {
		return aws.Config{}, err
	}
	cfg.Credentials = aws.AnonymousCredentials{}
	return cfg, nil
}

func (c SSOClient) oidc(ctx context.Context, t ssoapi.Target) (*ssooidc.Client, error) {
	cfg, err := c.config(ctx, serviceOIDC, t)
	if err != nil {
		return nil, err
	}
	return ssooidc.NewFromConfig(cfg), nil
}

func (c SSOClient) portal(ctx context.Context, t ssoapi.Target) (*sso.Client, error) {
	cfg, err := c.config(ctx, serviceSSO, t)
	if err != nil {
		return nil, err
	}
	return sso.NewFromConfig(cfg), nil
}

// convert is Convert with Identity Center's answers typed.
func convert(op string, err error) error {
	return ssoapi.Typed(Convert(op, err))
}

func (c SSOClient) RegisterClient(ctx context.Context, in ssoapi.RegisterClientInput) (ssoapi.Registration, error) {
	cl, err := c.oidc(ctx, in.Target)
	if err != nil {
		return ssoapi.Registration{}, err
	}
	out, err := cl.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String(in.ClientName),
		ClientType: aws.String("public"), Scopes: in.Scopes, GrantTypes: in.GrantTypes})
	if err != nil {
		return ssoapi.Registration{}, convert("RegisterClient", err)
	}
	return ssoapi.Registration{ClientID: aws.ToString(out.ClientId), ClientSecret: profiles.Secret(aws.ToString(out.ClientSecret)),
		ExpiresAt: time.Unix(out.ClientSecretExpiresAt, 0).UTC()}, nil
}

func (c SSOClient) StartDeviceAuthorization(ctx context.Context, in ssoapi.StartInput) (ssoapi.Device, error) {
	cl, err := c.oidc(ctx, in.Target)
	if err != nil {
		return ssoapi.Device{}, err
	}
	out, err := cl.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: aws.String(in.ClientID),
		ClientSecret: aws.String(in.ClientSecret.Reveal()), StartUrl: aws.String(in.StartURL)})
	if err != nil {
		return ssoapi.Device{}, convert("StartDeviceAuthorization", err)
	}
	return ssoapi.Device{DeviceCode: profiles.Secret(aws.ToString(out.DeviceCode)), UserCode: aws.ToString(out.UserCode),
		VerificationURI: aws.ToString(out.VerificationUri), VerificationURIComplete: aws.ToString(out.VerificationUriComplete),
		ExpiresIn: time.Duration(out.ExpiresIn) * time.Second, Interval: time.Duration(out.Interval) * time.Second}, nil
}

func (c SSOClient) CreateToken(ctx context.Context, in ssoapi.CreateTokenInput) (ssoapi.Token, error) {
	cl, err := c.oidc(ctx, in.Target)
	if err != nil {
		return ssoapi.Token{}, err
	}
	req := &ssooidc.CreateTokenInput{ClientId: aws.String(in.ClientID), ClientSecret: aws.String(in.ClientSecret.Reveal()),
		GrantType: aws.String(in.GrantType)}
	if in.DeviceCode != "" {
		req.DeviceCode = aws.String(in.DeviceCode.Reveal())
	}
	if in.RefreshToken != "" {
		req.RefreshToken = aws.String(in.RefreshToken.Reveal())
	}
	// Polling is awsenv's: a pending answer must come back at once, not
	// be retried by the SDK.
	out, err := cl.CreateToken(ctx, req, func(o *ssooidc.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		return ssoapi.Token{}, convert("CreateToken", err)
	}
	return ssoapi.Token{AccessToken: profiles.Secret(aws.ToString(out.AccessToken)), ExpiresIn: time.Duration(out.ExpiresIn) * time.Second,
		RefreshToken: profiles.Secret(aws.ToString(out.RefreshToken))}, nil
}

func (c SSOClient) GetRoleCredentials(ctx context.Context, in ssoapi.RoleInput) (profiles.Credentials, error) {
	cl, err := c.portal(ctx, in.Target)
	if err != nil {
		return profiles.Credentials{}, err
	}
	out, err := cl.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: aws.String(in.AccessToken.Reveal()),
		AccountId: aws.String(in.AccountID), RoleName: aws.String(in.RoleName)})
	if err != nil {
		return profiles.Credentials{}, convert("GetRoleCredentials", err)
	}
	rc := out.RoleCredentials
	if rc == nil {
		return profiles.Credentials{}, convert("GetRoleCredentials", errNoCredentials)
	}
	return profiles.Credentials{AccessKeyID: aws.ToString(rc.AccessKeyId), SecretAccessKey: profiles.Secret(aws.ToString(rc.SecretAccessKey)),
		SessionToken: profiles.Secret(aws.ToString(rc.SessionToken)), Expiration: time.UnixMilli(rc.Expiration).UTC()}, nil
}

func (c SSOClient) Logout(ctx context.Context, in ssoapi.LogoutInput) error {
	cl, err := c.portal(ctx, in.Target)
	if err != nil {
		return err
	}
	if _, err := cl.Logout(ctx, &sso.LogoutInput{AccessToken: aws.String(in.AccessToken.Reveal())}); err != nil {
		return convert("Logout", err)
	}
	return nil
}
