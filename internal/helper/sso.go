package helper

import (
	"context"
	"errors"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

var (
	_ awsapi.SSO        = (*Client)(nil)
	_ awsapi.Authorizer = (*Client)(nil)
)

// serveSSO makes the Identity Center call req asks for.
func serveSSO(ctx context.Context, req Request, c awsapi.SSO, resp *Response) error {
	switch {
	case req.SSORegisterClient != nil:
		r, err := c.RegisterClient(ctx, *req.SSORegisterClient)
		resp.SSORegistration = &r
		return err
	case req.SSOStartDeviceAuthorization != nil:
		d, err := c.StartDeviceAuthorization(ctx, *req.SSOStartDeviceAuthorization)
		resp.SSODevice = &d
		return err
	case req.SSOCreateToken != nil:
		t, err := c.CreateToken(ctx, *req.SSOCreateToken)
		resp.SSOToken = &t
		return err
	case req.SSOGetRoleCredentials != nil:
		creds, err := c.GetRoleCredentials(ctx, *req.SSOGetRoleCredentials)
		resp.Credentials = &creds
		return err
	case req.SSOListAccess != nil:
		list, err := c.ListAccess(ctx, *req.SSOListAccess)
		resp.SSOAccess = &AccessList{Pairs: list}
		return err
	default:
		err := c.Logout(ctx, *req.SSOLogout)
		resp.SSOLoggedOut = err == nil
		return err
	}
}

// errMismatch is an answer that is not the one the request asked for.
var errMismatch = errors.New("the helper returned another answer than IAM Identity Center's. Make sure awsenv and awsenv-helper come from the same install.")

// RegisterClient asks the helper for sso-oidc:RegisterClient.
func (c *Client) RegisterClient(ctx context.Context, in awsapi.RegisterClientInput) (awsapi.Registration, error) {
	resp, err := c.call(ctx, Request{SSORegisterClient: &in})
	if err != nil {
		return awsapi.Registration{}, awsapi.Typed(err)
	}
	if resp.SSORegistration == nil || resp.SSORegistration.ClientID == "" {
		return awsapi.Registration{}, errMismatch
	}
	return *resp.SSORegistration, nil
}

// StartDeviceAuthorization asks the helper for
// sso-oidc:StartDeviceAuthorization.
func (c *Client) StartDeviceAuthorization(ctx context.Context, in awsapi.StartInput) (awsapi.Device, error) {
	resp, err := c.call(ctx, Request{SSOStartDeviceAuthorization: &in})
	if err != nil {
		return awsapi.Device{}, awsapi.Typed(err)
	}
	if resp.SSODevice == nil || resp.SSODevice.DeviceCode == "" {
		return awsapi.Device{}, errMismatch
	}
	return *resp.SSODevice, nil
}

// CreateToken asks the helper for sso-oidc:CreateToken. The answers a
// poll expects (pending, slow down, expired, denied) are *awsapi.SSOError.
func (c *Client) CreateToken(ctx context.Context, in awsapi.CreateTokenInput) (awsapi.Token, error) {
	resp, err := c.call(ctx, Request{SSOCreateToken: &in})
	if err != nil {
		return awsapi.Token{}, awsapi.Typed(err)
	}
	if resp.SSOToken == nil || resp.SSOToken.AccessToken == "" {
		return awsapi.Token{}, errMismatch
	}
	return *resp.SSOToken, nil
}

// GetRoleCredentials asks the helper for sso:GetRoleCredentials.
func (c *Client) GetRoleCredentials(ctx context.Context, in awsapi.RoleInput) (profiles.Credentials, error) {
	resp, err := c.call(ctx, Request{SSOGetRoleCredentials: &in})
	if err != nil {
		return profiles.Credentials{}, awsapi.Typed(err)
	}
	return credentialsOf(resp)
}

// Logout asks the helper for sso:Logout.
func (c *Client) Logout(ctx context.Context, in awsapi.LogoutInput) error {
	resp, err := c.call(ctx, Request{SSOLogout: &in})
	if err != nil {
		return awsapi.Typed(err)
	}
	if !resp.SSOLoggedOut {
		return errMismatch
	}
	return nil
}

// StartAuthorization asks the helper to listen for a PKCE sign-in's
// redirect and build its authorization URL.
func (c *Client) StartAuthorization(ctx context.Context, in awsapi.AuthorizeInput) (awsapi.Authorization, error) {
	resp, err := c.call(ctx, Request{SSOStartAuthorization: &in})
	if err != nil {
		return awsapi.Authorization{}, awsapi.Typed(err)
	}
	if resp.SSOAuthorization == nil || resp.SSOAuthorization.URL == "" {
		return awsapi.Authorization{}, errMismatch
	}
	return *resp.SSOAuthorization, nil
}

// WaitAuthorization asks the helper for the code the browser brings back.
// Its errors are *awsapi.SSOError (denied, a bad callback, expired).
func (c *Client) WaitAuthorization(ctx context.Context, in awsapi.CallbackInput) (awsapi.Callback, error) {
	resp, err := c.call(ctx, Request{SSOWaitAuthorization: &in})
	if err != nil {
		return awsapi.Callback{}, awsapi.Typed(err)
	}
	if resp.SSOCallback == nil || resp.SSOCallback.Code == "" {
		return awsapi.Callback{}, errMismatch
	}
	return *resp.SSOCallback, nil
}

// ListAccess asks the helper for every account and role of a token
// (sso:ListAccounts and sso:ListAccountRoles, all pages).
func (c *Client) ListAccess(ctx context.Context, in awsapi.AccessInput) ([]awsapi.AccountRole, error) {
	resp, err := c.call(ctx, Request{SSOListAccess: &in})
	if err != nil {
		return nil, awsapi.Typed(err)
	}
	if resp.SSOAccess == nil {
		return nil, errMismatch
	}
	return resp.SSOAccess.Pairs, nil
}
