// Package ssoclient is awsapi.SSO and awsapi.Authorizer (IAM Identity
// Center: the portal, the OIDC sign-in, the PKCE authorization) with the
// SDK's sso and ssooidc clients, configured by package sdk (World.Load).
package ssoclient

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/awsapi/sdk"
	"github.com/awsenv/awsenv/profiles"
)

// The SDK's service ids: AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC
// (see Endpoint).
const (
	serviceSSO  = "SSO"
	serviceOIDC = "SSO OIDC"
)

// SSO is awsapi.SSO (IAM Identity Center: the portal here, the OIDC
// sign-in in ssooidc.go) with the SDK's sso and ssooidc clients. Every
// call is unsigned, as the SDK makes them: OIDC calls carry the client's
// id and secret in their bodies, portal calls the access token in the
// x-amz-sso_bearer_token header.
type SSO struct{ sdk.World }

var _ awsapi.SSO = SSO{}

func (c SSO) config(ctx context.Context, service string, t awsapi.Target) (aws.Config, error) {
	cfg, err := c.Load(ctx, service, t, profiles.Credentials{})
	if err != nil {
		return aws.Config{}, err
	}
	cfg.Credentials = aws.AnonymousCredentials{}
	return cfg, nil
}

func (c SSO) portal(ctx context.Context, t awsapi.Target) (*sso.Client, error) {
	cfg, err := c.config(ctx, serviceSSO, t)
	if err != nil {
		return nil, err
	}
	return sso.NewFromConfig(cfg), nil
}

// convert is Convert with Identity Center's answers typed.
func convert(op string, err error) error {
	return awsapi.Typed(sdk.Convert(op, err))
}

// GetRoleCredentials calls the portal's GetRoleCredentials.
func (c SSO) GetRoleCredentials(ctx context.Context, in awsapi.RoleInput) (profiles.Credentials, error) {
	const op = "GetRoleCredentials"
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.portal(ctx, in.Target)
	if err != nil {
		return profiles.Credentials{}, err
	}
	out, err := cl.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: aws.String(in.AccessToken.Reveal()),
		AccountId: aws.String(in.AccountID), RoleName: aws.String(in.RoleName)})
	if err != nil {
		return profiles.Credentials{}, convert(op, err)
	}
	rc := out.RoleCredentials
	if rc == nil {
		return profiles.Credentials{}, convert(op, sdk.ErrNoCredentials)
	}
	// Milliseconds since 1970 as an int64: any value can come. It is
	// clamped to what the pipe carries; the front judges it.
	exp := awsapi.UnixTime(rc.Expiration, time.Millisecond)
	return profiles.Credentials{AccessKeyID: aws.ToString(rc.AccessKeyId), SecretAccessKey: profiles.Secret(aws.ToString(rc.SecretAccessKey)),
		SessionToken: profiles.Secret(aws.ToString(rc.SessionToken)), Expiration: exp}, nil
}

// Logout calls the portal's Logout.
func (c SSO) Logout(ctx context.Context, in awsapi.LogoutInput) error {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.portal(ctx, in.Target)
	if err != nil {
		return err
	}
	if _, err := cl.Logout(ctx, &sso.LogoutInput{AccessToken: aws.String(in.AccessToken.Reveal())}); err != nil {
		return convert("Logout", err)
	}
	return nil
}

// ListAccess lists every account and role of a token: awsapi.ListAccess
// over the pages below, several accounts at once.
func (c SSO) ListAccess(ctx context.Context, in awsapi.AccessInput) ([]awsapi.AccountRole, error) {
	return awsapi.ListAccess(ctx, c, in)
}

// ListAccountsPage calls the portal's ListAccounts for one page.
func (c SSO) ListAccountsPage(ctx context.Context, in awsapi.AccessInput, next string) ([]awsapi.AccountRole, string, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.portal(ctx, in.Target)
	if err != nil {
		return nil, "", err
	}
	q := &sso.ListAccountsInput{AccessToken: aws.String(in.AccessToken.Reveal()), MaxResults: aws.Int32(100)}
	if next != "" {
		q.NextToken = aws.String(next)
	}
	out, err := cl.ListAccounts(ctx, q)
	if err != nil {
		return nil, "", convert("ListAccounts", err)
	}
	accounts := make([]awsapi.AccountRole, 0, len(out.AccountList))
	for _, a := range out.AccountList {
		accounts = append(accounts, awsapi.AccountRole{AccountID: aws.ToString(a.AccountId), AccountName: aws.ToString(a.AccountName)})
	}
	return accounts, aws.ToString(out.NextToken), nil
}

// ListAccountRolesPage calls the portal's ListAccountRoles for one page.
func (c SSO) ListAccountRolesPage(ctx context.Context, in awsapi.AccessInput, account, next string) ([]string, string, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.portal(ctx, in.Target)
	if err != nil {
		return nil, "", err
	}
	q := &sso.ListAccountRolesInput{AccessToken: aws.String(in.AccessToken.Reveal()), AccountId: aws.String(account), MaxResults: aws.Int32(100)}
	if next != "" {
		q.NextToken = aws.String(next)
	}
	out, err := cl.ListAccountRoles(ctx, q)
	if err != nil {
		return nil, "", convert("ListAccountRoles", err)
	}
	roles := make([]string, 0, len(out.RoleList))
	for _, r := range out.RoleList {
		roles = append(roles, aws.ToString(r.RoleName))
	}
	return roles, aws.ToString(out.NextToken), nil
}
