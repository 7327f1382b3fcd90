package diagnose

import (
	"fmt"
	"strings"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// Explanation ids of `aws login` session failures (the sign-in service's
// CreateOAuth2Token refusing to renew a login_session profile).
const (
	IDLoginExpired      = "login-session-expired"         // TOKEN_EXPIRED: the session ended
	IDLoginCredsChanged = "login-credentials-changed"     // USER_CREDENTIALS_CHANGED: the password changed
	IDLoginNoPermission = "login-insufficient-permission" // INSUFFICIENT_PERMISSIONS: signin:CreateOAuth2Token denied
)

const opCreateOAuth2Token = "CreateOAuth2Token"

// loginTexts are how botocore (the AWS CLI) and the Go SDK word these
// failures, which name no error code: each is read as the sign-in
// service's code.
var loginTexts = []struct{ text, code string }{
	{"Your session has expired or credentials have changed. Please reauthenticate using 'aws login'", awsapi.SigninTokenExpired},
	{"missing permission for the 'signin:CreateOAuth2Token' action", awsapi.SigninNoPermission},
	{"login session has expired, please reauthenticate", awsapi.SigninTokenExpired},
	{"login session password has changed, please reauthenticate", awsapi.SigninCredentialsChanged},
	{"you may be missing permissions for the CreateOAuth2Token action", awsapi.SigninNoPermission},
}

// parseLogin finds a login session failure in a line of output.
func parseLogin(line string) (*awsapi.APIError, bool) {
	for _, t := range loginTexts {
		if strings.Contains(line, t.text) {
			return &awsapi.APIError{Operation: opCreateOAuth2Token, Code: t.code, Message: strings.TrimSpace(line)}, true
		}
	}
	return nil, false
}

// login explains a sign-in service failure; ok is false for other errors.
func (c *call) login() (Explanation, bool) {
	code := c.e.Code
	if c.e.Operation == opCreateOAuth2Token && (code == "AccessDeniedException" || code == "AccessDenied") {
		// The CLI's raw error names the exception, not its OAuth2 code:
		// the message tells them apart.
		switch m := strings.ToLower(c.msg); {
		case strings.Contains(m, "permission"):
			code = awsapi.SigninNoPermission
		case strings.Contains(m, "password") || strings.Contains(m, "credentials changed"):
			code = awsapi.SigninCredentialsChanged
		default:
			code = awsapi.SigninTokenExpired
		}
	}
	again := fmt.Sprintf("Sign in again: aws login --profile %s (AWS CLI 2.32 or later); awsenv then uses the new session.", c.profile())
	switch code {
	case awsapi.SigninTokenExpired:
		return Explanation{
			ID:    IDLoginExpired,
			What:  fmt.Sprintf("The sign-in service would not renew the `aws login` session of profile %s: the session has ended (TOKEN_EXPIRED).", c.profile()),
			Cause: "A login session lasts as long as the console session allows (up to 12 hours); after that, or once its refresh token was used by a copy of the cache elsewhere, it cannot be renewed.",
			Fix:   again,
		}, true
	case awsapi.SigninCredentialsChanged:
		return Explanation{
			ID:    IDLoginCredsChanged,
			What:  fmt.Sprintf("The sign-in service ended the `aws login` session of profile %s because the user's credentials changed (USER_CREDENTIALS_CHANGED).", c.profile()),
			Cause: "The console password of the user (or the root user) was changed or reset, which ends every session signed in with the old one.",
			Fix:   again,
		}, true
	case awsapi.SigninNoPermission:
		return Explanation{
			ID:    IDLoginNoPermission,
			What:  fmt.Sprintf("The sign-in service refused to renew the `aws login` session of profile %s: its identity is not allowed signin:CreateOAuth2Token (INSUFFICIENT_PERMISSIONS).", c.profile()),
			Cause: "Signing in with `aws login` and renewing the session need the signin:AuthorizeOAuth2Access and signin:CreateOAuth2Token actions; a policy of the user or role, a permissions boundary or an SCP does not allow them.",
			Fix:   "Ask your administrator to attach the AWS managed policy SignInLocalDevelopmentAccess (or a statement allowing signin:AuthorizeOAuth2Access and signin:CreateOAuth2Token), then " + strings.ToLower(again[:1]) + again[1:],
			Policy: `{
  "Effect": "Allow",
  "Action": ["signin:AuthorizeOAuth2Access", "signin:CreateOAuth2Token"],
  "Resource": "arn:aws:signin:*:*:oauth2/public-client/*"
}`,
		}, true
	}
	return Explanation{}, false
}
