// Package instanceclient is awsapi.Instance: credentials from the instance
// metadata service or the container endpoint, with package sdk's HTTP
// client.
package instanceclient

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/awsapi/sdk"
	"github.com/awsenv/awsenv/profiles"
)

// Instance is awsapi.Instance through the SDK's providers: ec2rolecreds on
// an IMDSv2-only client (the token PUT first; no fall-back to IMDSv1) and
// endpointcreds for the container endpoint, both with http.go's deadlines.
type Instance struct{ sdk.World }

var _ awsapi.Instance = Instance{}

// InstanceCredentials asks the instance metadata service or the container
// endpoint in names for credentials.
func (c Instance) InstanceCredentials(ctx context.Context, in awsapi.InstanceInput) (profiles.Credentials, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	op := "credentials from " + in.Source
	hc, err := c.SDKHTTPClient(op, awsapi.Target{})
	if err != nil {
		return profiles.Credentials{}, err
	}
	var p aws.CredentialsProvider
	switch in.Source {
	case profiles.SourceEC2:
		ep := in.IMDSEndpoint
		if ep == "" {
			ep = awsapi.DefaultIMDSEndpoint
		}
		cl := imds.New(imds.Options{Endpoint: ep, HTTPClient: hc, EnableFallback: aws.FalseTernary,
			ClientEnableState: imds.ClientEnabled})
		p = ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = cl })
	case profiles.SourceECS:
		if in.ContainerURL == "" {
			return profiles.Credentials{}, &awsapi.TransportError{Operation: op,
				Message: "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set. Run awsenv inside the container (ECS, EKS Pod Identity), or set credential_source to the source you have."}
		}
		p = endpointcreds.New(in.ContainerURL, func(o *endpointcreds.Options) {
			o.HTTPClient = hc
			o.AuthorizationToken = in.AuthToken.Reveal()
		})
	default:
		return profiles.Credentials{}, fmt.Errorf("credential_source %q is not one the helper knows. Make sure awsenv and awsenv-helper come from the same install", in.Source)
	}
	got, err := p.Retrieve(ctx)
	if err != nil {
		return profiles.Credentials{}, &awsapi.TransportError{Operation: op, Message: err.Error()}
	}
	creds := profiles.Credentials{AccessKeyID: got.AccessKeyID, SecretAccessKey: profiles.Secret(got.SecretAccessKey),
		SessionToken: profiles.Secret(got.SessionToken), AccountID: got.AccountID}
	if got.CanExpire {
		creds.Expiration = got.Expires.UTC()
	}
	return creds, nil
}
