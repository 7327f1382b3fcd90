package diagnose

import (
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// Every Identity Center failure the portal and OIDC answer gets its own
// explanation, naming the profile, its sso-session and the sign-in to run.
func TestExplainSSO(t *testing.T) {
	facts := Facts{Profile: "dev", ConfigFile: "/home/alice/.aws/config", SSOSession: "corp", SSORegion: "eu-west-1",
		SSOAccount: "111122223333", SSORole: "ReadOnly"}
	legacy := Facts{Profile: "old", ConfigFile: "/home/alice/.aws/config", SSORegion: "us-east-1"}
	for _, tc := range []struct {
		code, op string
		f        Facts
		id       string
		want     []string
	}{
		{"UnauthorizedException", "GetRoleCredentials", facts, IDSSOTokenInvalid,
			[]string{"profile dev (sso-session corp)", "`awsenv login --sso-session corp`", "`aws sso login --sso-session corp`", "sso_region (eu-west-1)", "[sso-session corp] and [profile dev]"}},
		{"ForbiddenException", "GetRoleCredentials", facts, IDSSONoAccess,
			[]string{"role ReadOnly in account 111122223333", "sso_account_id and sso_role_name", "`aws sso list-account-roles --account-id ID`"}},
		{"InvalidGrantException", "CreateToken", legacy, IDSSOGrantInvalid,
			[]string{"profile old", "`awsenv login old`", "`aws sso login --profile old`"}},
		{"InvalidClientException", "CreateToken", facts, IDSSOClientExpired, []string{"registers a new client", "registrationExpiresAt"}},
		{"ExpiredTokenException", "CreateToken", facts, IDSSODeviceExpired, []string{"was not approved in time", "`awsenv login --sso-session corp`"}},
	} {
		x := Explain(&awsapi.APIError{Code: tc.code, Operation: tc.op, Message: "Session token not found or invalid"}, tc.f)
		if x.ID != tc.id {
			t.Errorf("%s from %s: id %s, want %s", tc.code, tc.op, x.ID, tc.id)
		}
		all := x.What + " " + x.Cause + " " + x.Fix
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: %q lacks %q", tc.code, all, w)
			}
		}
	}
	// Other services' UnauthorizedException and STS's ExpiredTokenException
	// are not Identity Center's.
	if x := Explain(&awsapi.APIError{Code: "UnauthorizedException", Operation: "Invoke"}, Facts{Profile: "p"}); strings.HasPrefix(x.ID, "sso-") {
		t.Errorf("a Lambda UnauthorizedException explained as %s", x.ID)
	}
	if x := Explain(&awsapi.APIError{Code: "ExpiredTokenException", Operation: "ListBuckets"}, facts); x.ID != IDSessionExpired {
		t.Errorf("an expired session explained as %s", x.ID)
	}
}
