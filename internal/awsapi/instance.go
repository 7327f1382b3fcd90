package awsapi

import (
	"context"

	"github.com/awsenv/awsenv/profiles"
)

// The instance and container credential endpoints a role's
// credential_source may name (botocore's Ec2InstanceMetadata and
// EcsContainer).

// Default endpoints, as the SDKs use them.
const (
	DefaultIMDSEndpoint = "http://169.254.169.254"
	ContainerHost       = "http://169.254.170.2"
)

// InstanceInput asks for the credentials of the instance (IMDSv2) or of
// the container. The front reads the environment and passes it here, so
// the helper reads none of it.
type InstanceInput struct {
	// Source is profiles.SourceEC2 or profiles.SourceECS.
	Source string `json:"source"`
	// IMDSEndpoint is AWS_EC2_METADATA_SERVICE_ENDPOINT, else
	// DefaultIMDSEndpoint.
	IMDSEndpoint string `json:"imds_endpoint,omitempty"`
	// ContainerURL is AWS_CONTAINER_CREDENTIALS_FULL_URI, or
	// ContainerHost + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; AuthToken
	// is AWS_CONTAINER_AUTHORIZATION_TOKEN or the contents of
	// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.
	ContainerURL string          `json:"container_url,omitempty"`
	AuthToken    profiles.Secret `json:"auth_token,omitempty"`
}

// Instance is the SDK's instance and container credential providers.
type Instance interface {
	InstanceCredentials(ctx context.Context, in InstanceInput) (profiles.Credentials, error)
}
