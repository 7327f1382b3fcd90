package awsapi

import (
	"context"

	"github.com/awsenv/awsenv/profiles"
)

// RoleInput asks the portal for a permission set's credentials.
type RoleInput struct {
	Target
	AccessToken profiles.Secret `json:"access_token"`
	AccountID   string          `json:"account_id"`
	RoleName    string          `json:"role_name"`
}

// LogoutInput ends the sign-in session of an access token.
type LogoutInput struct {
	Target
	AccessToken profiles.Secret `json:"access_token"`
}

// SSOPortal is IAM Identity Center's portal (the "SSO" service): a
// signed-in person's role credentials.
type SSOPortal interface {
	GetRoleCredentials(ctx context.Context, in RoleInput) (profiles.Credentials, error)
	Logout(ctx context.Context, in LogoutInput) error
}

// SSO is IAM Identity Center as awsenv uses it: the sign-in and the
// portal. Its errors are typed with Typed.
type SSO interface {
	SSOOIDC
	SSOPortal
}
