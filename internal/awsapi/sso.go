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
	// ListAccess lists every account and role the token may use (see
	// ListAccess).
	ListAccess(ctx context.Context, in AccessInput) ([]AccountRole, error)
}

// SSO is IAM Identity Center as awsenv uses it: the sign-in and the
// portal. Its errors are typed with Typed.
type SSO interface {
	SSOOIDC
	SSOPortal
}

// AccessInput asks the portal for every account and role an access token
// may use (ListAccounts and ListAccountRoles, all pages).
type AccessInput struct {
	Target
	AccessToken profiles.Secret `json:"access_token"`
}

// AccountRole is one account and permission set a signed-in person may
// use: what `awsenv sso populate` writes a profile for.
type AccountRole struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name"`
	RoleName    string `json:"role_name"`
}

// SSOLister is the portal's two listing calls, one page each; ListAccess
// walks them.
type SSOLister interface {
	// ListAccountsPage returns one page of accounts and the next page's
	// token ("" after the last).
	ListAccountsPage(ctx context.Context, in AccessInput, next string) (accounts []AccountRole, nextToken string, err error)
	// ListAccountRolesPage returns one page of an account's roles.
	ListAccountRolesPage(ctx context.Context, in AccessInput, accountID, next string) (roles []string, nextToken string, err error)
}
