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
