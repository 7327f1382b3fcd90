package awsapi

import (
	"context"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// GetSessionTokenInput asks for a session for an IAM user.
type GetSessionTokenInput struct {
	Target
	Credentials  profiles.Credentials `json:"credentials"`
	Duration     time.Duration        `json:"duration"`
	SerialNumber string               `json:"serial_number,omitempty"`
	TokenCode    string               `json:"token_code,omitempty"`
}

// AssumeRoleInput asks for a role's credentials.
type AssumeRoleInput struct {
	Target
	Credentials     profiles.Credentials `json:"credentials"`
	RoleARN         string               `json:"role_arn"`
	RoleSessionName string               `json:"role_session_name"`
	ExternalID      string               `json:"external_id,omitempty"`
	Duration        time.Duration        `json:"duration"`
	SerialNumber    string               `json:"serial_number,omitempty"`
	TokenCode       string               `json:"token_code,omitempty"`
	// aws-vault's session_tags, transitive_session_tags and
	// source_identity of the role's profile.
	Tags              map[string]string `json:"tags,omitempty"`
	TransitiveTagKeys []string          `json:"transitive_tag_keys,omitempty"`
	SourceIdentity    string            `json:"source_identity,omitempty"`
}

// Identity is GetCallerIdentity's answer.
type Identity struct {
	Account string `json:"account"`
	ARN     string `json:"arn"`
	UserID  string `json:"user_id"`
}

// STS is the slice of AWS STS awsenv uses.
type STS interface {
	GetSessionToken(ctx context.Context, in GetSessionTokenInput) (profiles.Credentials, error)
	AssumeRole(ctx context.Context, in AssumeRoleInput) (profiles.Credentials, error)
	GetCallerIdentity(ctx context.Context, t Target, c profiles.Credentials) (Identity, error)
}

// AssumeRoleWithWebIdentityInput asks for a role's credentials with a web
// identity token (an OIDC token from EKS, GitHub Actions, GitLab): the
// call is not signed, the token is the proof.
type AssumeRoleWithWebIdentityInput struct {
	Target
	RoleARN         string          `json:"role_arn"`
	RoleSessionName string          `json:"role_session_name"`
	Token           profiles.Secret `json:"token"`
	Duration        time.Duration   `json:"duration"`
}

// WebIdentity is sts:AssumeRoleWithWebIdentity.
type WebIdentity interface {
	AssumeRoleWithWebIdentity(ctx context.Context, in AssumeRoleWithWebIdentityInput) (profiles.Credentials, error)
}

// Web identity errors STS gives (diagnose explains them).
const (
	InvalidIdentityToken = "InvalidIdentityToken"
	ExpiredToken         = "ExpiredTokenException"
	IDPCommunication     = "IDPCommunicationError"
)
