// Package signinclient is awsapi.Signin (`aws login` sessions) with the
// SDK's signin client, configured by package sdk (World.Load), and the
// DPoP proof its refreshes carry (dpop.go).
package signinclient

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/signin/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/awsapi/sdk"
	"github.com/awsenv/awsenv/profiles"
)

// serviceSignin is the sign-in service's SDK id: AWS_ENDPOINT_URL_SIGNIN,
// [services] signin (see Endpoint).
const serviceSignin = "Signin"

// Signin is awsapi.Signin with the SDK's signin client. CreateOAuth2Token
// is unsigned (the refresh token and the DPoP proof authenticate it), as
// botocore and the SDK's logincreds make it.
type Signin struct{ sdk.World }

var _ awsapi.Signin = Signin{}

// CreateOAuth2Token renews a login session: grantType refresh_token, the
// session's clientId and refreshToken in the body, the DPoP proof for the
// request's final URL in the DPoP header.
func (c Signin) CreateOAuth2Token(ctx context.Context, in awsapi.SigninRefreshInput) (awsapi.SigninToken, error) {
	const op = "CreateOAuth2Token"
	key, err := ParseDPoPKey(in.DPoPKey.Reveal())
	if err != nil {
		return awsapi.SigninToken{}, fmt.Errorf("%s: %w", op, err)
	}
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cfg, err := c.Load(ctx, serviceSignin, in.Target, profiles.Credentials{})
	if err != nil {
		return awsapi.SigninToken{}, err
	}
	cfg.Credentials = aws.AnonymousCredentials{}
	cl := signin.NewFromConfig(cfg)
	out, err := cl.CreateOAuth2Token(ctx, &signin.CreateOAuth2TokenInput{TokenInput: &types.CreateOAuth2TokenRequestBody{
		ClientId: aws.String(in.ClientID), GrantType: aws.String("refresh_token"), RefreshToken: aws.String(in.RefreshToken.Reveal()),
	}}, signin.WithAPIOptions(func(st *middleware.Stack) error {
		return st.Finalize.Add(&dpopProof{key: key, now: c.Time}, middleware.After)
	}))
	if err != nil {
		return awsapi.SigninToken{}, signinError(op, err)
	}
	t := out.TokenOutput
	if t == nil || t.AccessToken == nil || t.ExpiresIn == nil {
		return awsapi.SigninToken{}, sdk.Convert(op, sdk.ErrNoCredentials)
	}
	return awsapi.SigninToken{
		Credentials: profiles.Credentials{AccessKeyID: aws.ToString(t.AccessToken.AccessKeyId),
			SecretAccessKey: profiles.Secret(aws.ToString(t.AccessToken.SecretAccessKey)),
			SessionToken:    profiles.Secret(aws.ToString(t.AccessToken.SessionToken))},
		ExpiresIn:    time.Duration(*t.ExpiresIn) * time.Second,
		RefreshToken: profiles.Secret(aws.ToString(t.RefreshToken)),
	}, nil
}

// signinError is Convert, with an AccessDeniedException's OAuth2 error
// (TOKEN_EXPIRED, USER_CREDENTIALS_CHANGED, INSUFFICIENT_PERMISSIONS) as
// the code: that member, not the exception's name, says what to do.
func signinError(op string, err error) error {
	conv := sdk.Convert(op, err)
	var ad *types.AccessDeniedException
	var api *awsapi.APIError
	if errors.As(err, &ad) && ad.Error_ != "" && errors.As(conv, &api) {
		api.Code = string(ad.Error_)
	}
	return conv
}

// dpopProof sets the DPoP header last, when the URL is final.
type dpopProof struct {
	key *ecdsa.PrivateKey
	now func() time.Time
}

func (*dpopProof) ID() string { return "awsenvDPoP" }

func (m *dpopProof) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected transport type %T", in.Request)
	}
	proof, err := DPoPProof(m.key, req.URL.String(), m.now())
	if err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	req.Header.Set("DPoP", proof)
	return next.HandleFinalize(ctx, in)
}
