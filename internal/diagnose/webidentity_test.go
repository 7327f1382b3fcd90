package diagnose

import (
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// Each web identity refusal gets its own explanation, ahead of the SSO
// and session ones that share ExpiredTokenException.
func TestExplainWebIdentity(t *testing.T) {
	for code, id := range map[string]string{awsapi.InvalidIdentityToken: IDWebTokenInvalid, awsapi.ExpiredToken: IDWebTokenExpired,
		awsapi.IDPCommunication: IDWebIdentityIDP} {
		x := Explain(&awsapi.APIError{Operation: "AssumeRoleWithWebIdentity", Code: code, Message: "m"}, Facts{Profile: "ci"})
		if x.ID != id || !strings.Contains(x.What, "profile ci") || x.Fix == "" {
			t.Errorf("%s: %+v", code, x)
		}
	}
	if x := Explain(&awsapi.APIError{Operation: "CreateToken", Code: "ExpiredTokenException"}, Facts{}); x.ID == IDWebTokenExpired {
		t.Errorf("an SSO CreateToken expiry taken for a web identity one")
	}
}

// Pasted output of awsenv, the Go SDK and botocore: an unreadable token
// file, an absent IMDS and an IMDSv1-only one (the token PUT refused).
func TestParseSourceFailures(t *testing.T) {
	for text, id := range map[string]string{
		"awsenv: profile ci: cannot read the token in web_identity_token_file ('/t'): open /t: no such file or directory.":                    IDWebTokenUnreadable,
		"failed to refresh cached credentials, failed to retrieve jwt from provide source, unable to read file at /t":                         IDWebTokenUnreadable,
		"operation error ec2imds: getToken, http response error StatusCode: 403, request to EC2 IMDS failed":                                  IDIMDSv1Only,
		"operation error ec2imds: getToken, exceeded maximum number of attempts, 3, dial tcp 169.254.169.254:80: connect: connection refused": IDIMDSUnreachable,
		"Max attempts exceeded (1) when attempting to retrieve data from metadata service.":                                                   IDIMDSUnreachable,
		"An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found":      IDWebTokenInvalid,
	} {
		e, ok := Parse(text)
		if !ok {
			t.Errorf("Parse(%q) found nothing", text)
			continue
		}
		if x := Explain(e, Facts{Profile: "ci"}); x.ID != id {
			t.Errorf("Parse(%q): %s, want %s", text, x.ID, id)
		}
	}
}
