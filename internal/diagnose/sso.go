package diagnose

import (
	"fmt"
	"strings"
)

// Explanation ids of IAM Identity Center (SSO) failures.
const (
	IDSSOTokenInvalid  = "sso-token-invalid"  // the portal refuses the access token: expired, revoked, or of another region
	IDSSONoAccess      = "sso-no-access"      // no assignment of that account and role to the user
	IDSSOGrantInvalid  = "sso-grant-invalid"  // the refresh token or device code is no longer good
	IDSSOClientExpired = "sso-client-expired" // the client registration expired or is unknown
	IDSSODeviceExpired = "sso-device-expired" // the sign-in was not approved in time
)

// ssoOperations are the operations of the SSO portal and SSO OIDC: other
// services answer UnauthorizedException and ForbiddenException too.
var ssoOperations = map[string]bool{
	"GetRoleCredentials": true, "ListAccounts": true, "ListAccountRoles": true, "Logout": true,
	"RegisterClient": true, "StartDeviceAuthorization": true, "CreateToken": true,
}

// sso explains an Identity Center failure; ok is false for other errors.
func (c *call) sso() (Explanation, bool) {
	if !ssoOperations[c.e.Operation] && c.f.SSORegion == "" {
		return Explanation{}, false
	}
	switch c.e.Code {
	case "UnauthorizedException":
		return Explanation{
			ID:   IDSSOTokenInvalid,
			What: fmt.Sprintf("IAM Identity Center refused the sign-in of %s when calling %s: the access token is expired, revoked, or not of this portal.", c.ssoSubject(), c.op()),
			Cause: fmt.Sprintf("Access tokens last hours; signing out (`aws sso logout`, `awsenv logout`) or an administrator ending the session revokes them; and a token is good only in its own region, so sso_region%s must be the region of your IAM Identity Center instance.",
				c.ssoRegionNote()),
			Fix: "Sign in again: " + c.ssoLogin() + ". If that fails the same way, check sso_region and sso_start_url" + c.ssoWhere() + " against the AWS access portal's settings.",
		}, true
	case "ForbiddenException":
		return Explanation{
			ID:    IDSSONoAccess,
			What:  fmt.Sprintf("IAM Identity Center signed %s in, but gives no access to %s.", c.ssoSubject(), c.ssoAssignment()),
			Cause: "The permission set (sso_role_name) is not assigned to you in that account (sso_account_id), or the names are mistyped.",
			Fix: fmt.Sprintf("Check sso_account_id and sso_role_name%s against the accounts and roles the AWS access portal shows you (`aws sso list-accounts` and `aws sso list-account-roles --account-id ID` list them); if the role should be yours, ask your administrator to assign it.",
				c.ssoWhere()),
		}, true
	case "InvalidGrantException":
		return Explanation{
			ID:    IDSSOGrantInvalid,
			What:  fmt.Sprintf("IAM Identity Center would not renew the sign-in of %s (%s): the refresh token or the device code is no longer good.", c.ssoSubject(), c.op()),
			Cause: "The sign-in session ended (it lasts up to the session duration your administrator set, often 8 to 12 hours), it was revoked, or the code was already used.",
			Fix:   "Sign in again: " + c.ssoLogin() + ".",
		}, true
	case "InvalidClientException", "UnauthorizedClientException":
		return Explanation{
			ID:    IDSSOClientExpired,
			What:  fmt.Sprintf("IAM Identity Center no longer knows the client that signs %s in (%s).", c.ssoSubject(), c.op()),
			Cause: "Client registrations expire after about 90 days (registrationExpiresAt in the token cache), or the cached one belongs to another region or instance.",
			Fix:   "Sign in again, which registers a new client: " + c.ssoLogin() + ".",
		}, true
	case "ExpiredTokenException":
		if c.e.Operation == "CreateToken" {
			return Explanation{
				ID:    IDSSODeviceExpired,
				What:  fmt.Sprintf("The sign-in of %s was not approved in time: its code expired.", c.ssoSubject()),
				Cause: "A device code lasts about 10 minutes; the page at the verification URL was not confirmed before then.",
				Fix:   "Start again and approve the code on the page it opens: " + c.ssoLogin() + ".",
			}, true
		}
	}
	return Explanation{}, false
}

// op names the operation that failed.
func (c *call) op() string { return or(c.e.Operation, "the call") }

// ssoSubject names the profile and its sign-in session.
func (c *call) ssoSubject() string {
	s := "profile " + c.profile()
	if c.f.SSOSession != "" {
		s += " (sso-session " + c.f.SSOSession + ")"
	}
	return s
}

// ssoAssignment names the account and role asked for.
func (c *call) ssoAssignment() string {
	if c.f.SSOAccount == "" && c.f.SSORole == "" {
		return "the account and role asked for"
	}
	return fmt.Sprintf("role %s in account %s", or(c.f.SSORole, "(sso_role_name)"), or(c.f.SSOAccount, "(sso_account_id)"))
}

// ssoLogin is the command that signs the profile in, awsenv's and the CLI's.
func (c *call) ssoLogin() string {
	if c.f.SSOSession != "" {
		return fmt.Sprintf("`awsenv login --sso-session %s` (or `aws sso login --sso-session %s`)", c.f.SSOSession, c.f.SSOSession)
	}
	return fmt.Sprintf("`awsenv login %s` (or `aws sso login --profile %s`)", c.profile(), c.profile())
}

// ssoWhere is where the profile's SSO settings are written.
func (c *call) ssoWhere() string {
	var where []string
	if c.f.SSOSession != "" {
		where = append(where, "[sso-session "+c.f.SSOSession+"]")
	}
	where = append(where, configSection(c.profile()))
	return " under " + strings.Join(where, " and ") + " in " + c.configFile()
}

func (c *call) ssoRegionNote() string {
	if c.f.SSORegion == "" {
		return ""
	}
	return " (" + c.f.SSORegion + ")"
}
