package rpc

import (
	"context"
	"strings"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/proto/credentialsv1"
	"github.com/awsenv/awsenv/profiles/credshape"
)

// GetCredentials runs the credential-source plugin of cfg for one
// GetCredentials call: Launch, the call, Close. The secret and the token
// are never logged.
func GetCredentials(ctx context.Context, cfg LaunchConfig, req plugins.CredentialsRequest) (plugins.CredentialsResponse, error) {
	return runOnce(ctx, cfg, ServiceCredentials, func(p *Plugin) (plugins.CredentialsResponse, error) {
		return p.GetCredentials(ctx, req)
	})
}

// GetCredentials asks the plugin for a profile's base credentials, within
// LaunchConfig.CallTimeout. An answer without an access key ID or a secret,
// or with one awsenv could not use, is an error that quotes neither.
func (p *Plugin) GetCredentials(ctx context.Context, req plugins.CredentialsRequest) (plugins.CredentialsResponse, error) {
	resp, err := invoke(ctx, p, ServiceCredentials, "GetCredentials", func(ctx context.Context) (*credentialsv1.CredentialsResponse, error) {
		return p.remote.creds.GetCredentials(ctx, &credentialsv1.CredentialsRequest{Profile: req.Profile, Options: req.Options})
	})
	if err != nil {
		return plugins.CredentialsResponse{}, err
	}
	out := plugins.CredentialsResponse{
		AccessKeyID:     strings.TrimSpace(resp.GetAccessKeyId()),
		SecretAccessKey: strings.TrimSpace(resp.GetSecretAccessKey()),
		SessionToken:    strings.TrimSpace(resp.GetSessionToken()),
		ExpiresUnix:     resp.GetExpiresUnix(),
	}
	bad := func(problem string) (plugins.CredentialsResponse, error) {
		return plugins.CredentialsResponse{}, p.fail(problem,
			"This is a fault in the plugin or in its own settings (the profile's awsenv_credential_source_* keys); "+
				"its documentation or author can tell which.", nil)
	}
	switch {
	case out.AccessKeyID == "":
		return bad("the plugin answered without an access key ID")
	case !credshape.KeyID(out.AccessKeyID):
		return bad("the plugin answered with an access key ID that is not 16 to 128 capital letters and digits")
	case out.SecretAccessKey == "":
		return bad("the plugin answered without a secret access key")
	case !credshape.SecretText(out.SecretAccessKey) || (out.SessionToken != "" && !credshape.SecretText(out.SessionToken)):
		return bad("the plugin answered with a secret access key or session token that holds white space or control characters")
	case out.ExpiresUnix < 0:
		return bad("the plugin answered with a negative expiry time")
	}
	return out, nil
}

// credentialsServer is the plugin side of awsenv.credentials.v1.
type credentialsServer struct {
	credentialsv1.UnimplementedCredentialSourceServer
	c      plugins.CredentialPlugin
	stderr stderrRestorer
}

func (s *credentialsServer) GetCredentials(ctx context.Context, in *credentialsv1.CredentialsRequest) (*credentialsv1.CredentialsResponse, error) {
	s.stderr.restore()
	resp, err := s.c.GetCredentials(ctx, plugins.CredentialsRequest{Profile: in.GetProfile(), Options: in.GetOptions()})
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	return &credentialsv1.CredentialsResponse{AccessKeyId: resp.AccessKeyID, SecretAccessKey: resp.SecretAccessKey,
		SessionToken: resp.SessionToken, ExpiresUnix: resp.ExpiresUnix}, nil
}
