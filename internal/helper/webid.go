package helper

import (
	"context"
	"errors"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

var (
	_ awsapi.WebIdentity = (*Client)(nil)
	_ awsapi.Instance    = (*Client)(nil)
)

// errNoInstance answers web identity and credential_source requests the
// helper has no client for.
var errNoInstance = errors.New("this awsenv-helper cannot get web identity, instance or container credentials. Reinstall awsenv with ./install.sh.")

// serveWebIdentity answers AssumeRoleWithWebIdentity with h.STS and
// InstanceCredentials with h.Instance.
func serveWebIdentity(ctx context.Context, req Request, h Handlers) (profiles.Credentials, error) {
	if req.AssumeRoleWithWebIdentity != nil {
		wi, ok := h.STS.(awsapi.WebIdentity)
		if !ok {
			return profiles.Credentials{}, errNoInstance
		}
		return wi.AssumeRoleWithWebIdentity(ctx, *req.AssumeRoleWithWebIdentity)
	}
	if h.Instance == nil {
		return profiles.Credentials{}, errNoInstance
	}
	return h.Instance.InstanceCredentials(ctx, *req.InstanceCredentials)
}

// AssumeRoleWithWebIdentity asks the helper for
// sts:AssumeRoleWithWebIdentity.
func (c *Client) AssumeRoleWithWebIdentity(ctx context.Context, in awsapi.AssumeRoleWithWebIdentityInput) (profiles.Credentials, error) {
	return c.credentials(ctx, Request{AssumeRoleWithWebIdentity: &in})
}

// InstanceCredentials asks the helper for the instance's (IMDSv2) or the
// container's credentials.
func (c *Client) InstanceCredentials(ctx context.Context, in awsapi.InstanceInput) (profiles.Credentials, error) {
	return c.credentials(ctx, Request{InstanceCredentials: &in})
}

func (c *Client) credentials(ctx context.Context, req Request) (profiles.Credentials, error) {
	resp, err := c.call(ctx, req)
	if err != nil {
		return profiles.Credentials{}, err
	}
	return credentialsOf(resp)
}
