package ssoclient

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

func (c SSO) oidc(ctx context.Context, t awsapi.Target) (*ssooidc.Client, error) {
	cfg, err := c.config(ctx, serviceOIDC, t)
	if err != nil {
		return nil, err
	}
	return ssooidc.NewFromConfig(cfg), nil
}

// RegisterClient calls SSO OIDC's RegisterClient for a public client.
func (c SSO) RegisterClient(ctx context.Context, in awsapi.RegisterClientInput) (awsapi.Registration, error) {
	const op = "RegisterClient"
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.oidc(ctx, in.Target)
	if err != nil {
		return awsapi.Registration{}, err
	}
	out, err := cl.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String(in.ClientName),
		ClientType: aws.String("public"), Scopes: in.Scopes, GrantTypes: in.GrantTypes, RedirectUris: in.RedirectURIs,
		IssuerUrl: optional(in.IssuerURL)})
	if err != nil {
		return awsapi.Registration{}, convert(op, err)
	}
	// Seconds since 1970 as an int64: any value can come. It is clamped
	// to what the pipe carries; the front judges it.
	exp := awsapi.UnixTime(out.ClientSecretExpiresAt, time.Second)
	return awsapi.Registration{ClientID: aws.ToString(out.ClientId), ClientSecret: profiles.Secret(aws.ToString(out.ClientSecret)),
		ExpiresAt: exp}, nil
}

// StartDeviceAuthorization calls SSO OIDC's StartDeviceAuthorization.
func (c SSO) StartDeviceAuthorization(ctx context.Context, in awsapi.StartInput) (awsapi.Device, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.oidc(ctx, in.Target)
	if err != nil {
		return awsapi.Device{}, err
	}
	out, err := cl.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: aws.String(in.ClientID),
		ClientSecret: aws.String(in.ClientSecret.Reveal()), StartUrl: aws.String(in.StartURL)})
	if err != nil {
		return awsapi.Device{}, convert("StartDeviceAuthorization", err)
	}
	// ExpiresIn and Interval are int32 seconds: at most 68 years, which a
	// Duration holds.
	return awsapi.Device{DeviceCode: profiles.Secret(aws.ToString(out.DeviceCode)), UserCode: aws.ToString(out.UserCode),
		VerificationURI: aws.ToString(out.VerificationUri), VerificationURIComplete: aws.ToString(out.VerificationUriComplete),
		ExpiresIn: time.Duration(out.ExpiresIn) * time.Second, Interval: time.Duration(out.Interval) * time.Second}, nil
}

// CreateToken calls SSO OIDC's CreateToken, once: polling is awsenv's.
func (c SSO) CreateToken(ctx context.Context, in awsapi.CreateTokenInput) (awsapi.Token, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.oidc(ctx, in.Target)
	if err != nil {
		return awsapi.Token{}, err
	}
	req := &ssooidc.CreateTokenInput{ClientId: aws.String(in.ClientID), ClientSecret: aws.String(in.ClientSecret.Reveal()),
		GrantType: aws.String(in.GrantType)}
	if in.DeviceCode != "" {
		req.DeviceCode = aws.String(in.DeviceCode.Reveal())
	}
	if in.RefreshToken != "" {
		req.RefreshToken = aws.String(in.RefreshToken.Reveal())
	}
	if in.Code != "" {
		req.Code = aws.String(in.Code.Reveal())
		req.CodeVerifier = aws.String(in.CodeVerifier.Reveal())
		req.RedirectUri = aws.String(in.RedirectURI)
	}
	// A pending answer must come back at once, not be retried by the SDK.
	out, err := cl.CreateToken(ctx, req, func(o *ssooidc.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		return awsapi.Token{}, convert("CreateToken", err)
	}
	return awsapi.Token{AccessToken: profiles.Secret(aws.ToString(out.AccessToken)), ExpiresIn: time.Duration(out.ExpiresIn) * time.Second,
		RefreshToken: profiles.Secret(aws.ToString(out.RefreshToken))}, nil
}

// optional is nil for "": no issuer URL but an empty one.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
