package helper

import (
	"context"
	"errors"

	"github.com/awsenv/awsenv/profiles"
)

// ServerInput gives the credential endpoint of `awsenv exec --server` the
// credentials to hand out: the first one starts it, later ones renew them.
// The secret in clear: the pipe is private. Never logged.
type ServerInput struct {
	Credentials profiles.Credentials `json:"credentials"`
}

// ServerInfo is where the endpoint listens and the token it asks for, for
// the child's AWS_CONTAINER_CREDENTIALS_FULL_URI and
// AWS_CONTAINER_AUTHORIZATION_TOKEN.
type ServerInfo struct {
	URL   string `json:"url"`
	Token string `json:"token"`
}

// ServerFunc starts the endpoint (once) and sets its credentials.
type ServerFunc func(ctx context.Context, in ServerInput) (ServerInfo, error)

// errNoServer answers credential-server requests when Handlers has none.
var errNoServer = errors.New("this awsenv-helper serves no credentials (exec --server). Reinstall awsenv with ./install.sh.")

// ServeCredentials has the helper hand out creds on its credential
// endpoint, starting it on the first call; the endpoint lives as long as
// the helper.
func (c *Client) ServeCredentials(ctx context.Context, creds profiles.Credentials) (ServerInfo, error) {
	resp, err := c.call(ctx, Request{CredentialServer: &ServerInput{Credentials: creds}})
	if err != nil {
		return ServerInfo{}, err
	}
	if resp.Server == nil || resp.Server.URL == "" || resp.Server.Token == "" {
		return ServerInfo{}, errors.New("the helper returned another answer than its credential endpoint's. Make sure awsenv and awsenv-helper come from the same install.")
	}
	return *resp.Server, nil
}
