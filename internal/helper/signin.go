package helper

import (
	"context"
	"errors"

	"github.com/awsenv/awsenv/internal/awsapi"
)

var _ awsapi.Signin = (*Client)(nil)

// errNoSignin answers sign-in service requests when Handlers has no
// Signin client.
var errNoSignin = errors.New("this awsenv-helper makes no sign-in service calls (aws login sessions). Reinstall awsenv with ./install.sh.")

// CreateOAuth2Token asks the helper for signin:CreateOAuth2Token, the
// renewal of an `aws login` session.
func (c *Client) CreateOAuth2Token(ctx context.Context, in awsapi.SigninRefreshInput) (awsapi.SigninToken, error) {
	resp, err := c.call(ctx, Request{SigninRefresh: &in})
	if err != nil {
		return awsapi.SigninToken{}, err
	}
	if resp.Signin == nil || resp.Signin.Credentials.AccessKeyID == "" {
		return awsapi.SigninToken{}, errors.New("the helper returned another answer than the sign-in service's. Make sure awsenv and awsenv-helper come from the same install.")
	}
	return *resp.Signin, nil
}
