package diagnose

import (
	"fmt"
	"strings"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// Explanation ids of the web identity and instance sources' failures: a
// token file that cannot be read, a token STS refuses, and an instance
// metadata service that is not there or speaks only IMDSv1.
const (
	IDWebTokenUnreadable = "web-identity-token-unreadable"
	IDWebTokenInvalid    = "web-identity-token-invalid" // InvalidIdentityToken
	IDWebTokenExpired    = "web-identity-token-expired" // ExpiredTokenException
	IDWebIdentityIDP     = "web-identity-idp-unreachable"
	IDIMDSUnreachable    = "imds-unreachable"
	IDIMDSv1Only         = "imds-v1-only" // the token PUT refused
)

// Operations and codes the parser gives what is not an AWS error answer.
const (
	opWebIdentity  = "AssumeRoleWithWebIdentity"
	opTokenFile    = "read web identity token"
	opIMDS         = "instance metadata"
	codeUnreadable = "TokenFileUnreadable"
	codeIMDSDown   = "IMDSUnreachable"
	codeIMDSv1     = "IMDSv1Only"
)

// parseSource finds a token file or instance metadata failure in a line
// of output: awsenv's own messages, the Go SDK's and botocore's.
func parseSource(line string) (*awsapi.APIError, bool) {
	l := strings.ToLower(line)
	switch {
	case strings.Contains(l, "cannot read the token in web_identity_token_file"),
		strings.Contains(l, "cannot read the token in aws_web_identity_token_file"),
		strings.Contains(l, "failed to retrieve jwt from provide source"):
		return &awsapi.APIError{Operation: opTokenFile, Code: codeUnreadable, Message: strings.TrimSpace(line)}, true
	case strings.Contains(l, "ec2imds") || strings.Contains(l, "metadata service"):
		refused := strings.Contains(l, "gettoken") && (strings.Contains(l, "statuscode: 403") || strings.Contains(l, "statuscode: 405") ||
			strings.Contains(l, "statuscode: 400") || strings.Contains(l, "statuscode: 404"))
		if refused {
			return &awsapi.APIError{Operation: opIMDS, Code: codeIMDSv1, Message: strings.TrimSpace(line)}, true
		}
		for _, s := range []string{"dial tcp", "connection refused", "no route to host", "timeout", "deadline exceeded", "max attempts exceeded", "connect timeout"} {
			if strings.Contains(l, s) {
				return &awsapi.APIError{Operation: opIMDS, Code: codeIMDSDown, Message: strings.TrimSpace(line)}, true
			}
		}
	}
	return nil, false
}

// webIdentity explains those failures; ok is false for other errors.
func (c *call) webIdentity() (Explanation, bool) {
	p := c.profile()
	switch {
	case c.e.Operation == opTokenFile:
		return Explanation{ID: IDWebTokenUnreadable,
			What:  fmt.Sprintf("The web identity token file of profile %s (web_identity_token_file, or AWS_WEB_IDENTITY_TOKEN_FILE) could not be read.", p),
			Cause: "The file is missing or not readable by you: on EKS the pod's service account is not annotated for IRSA (or the volume is not mounted); in CI the job did not request an OIDC token; elsewhere the path is wrong.",
			Fix:   "Check the path and its permissions (ls -l PATH). On EKS annotate the service account with eks.amazonaws.com/role-arn; in GitHub Actions give the job `permissions: id-token: write`; then try again."}, true
	case c.e.Operation == opIMDS && c.code == codeIMDSv1:
		return Explanation{ID: IDIMDSv1Only,
			What:  "The instance metadata service refused the IMDSv2 token request (PUT /latest/api/token), which awsenv sends first.",
			Cause: "The endpoint speaks only IMDSv1, or a proxy in front of it refuses PUT; awsenv (like the SDKs with IMDSv1 disabled) does not fall back to IMDSv1.",
			Fix:   "Enable IMDSv2 on the instance (aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required --http-endpoint enabled), or check AWS_EC2_METADATA_SERVICE_ENDPOINT."}, true
	case c.e.Operation == opIMDS:
		return Explanation{ID: IDIMDSUnreachable,
			What:  "The instance metadata service did not answer (credential_source = Ec2InstanceMetadata).",
			Cause: "This is not an EC2 instance, the metadata endpoint is disabled, or the answer is one hop too far (a container on an instance whose hop limit is 1).",
			Fix:   "On EC2: enable the endpoint and raise the hop limit for containers (aws ec2 modify-instance-metadata-options --instance-id ID --http-endpoint enabled --http-put-response-hop-limit 2). Off EC2: use another credential_source or a source_profile."}, true
	case c.e.Operation != opWebIdentity:
		return Explanation{}, false
	}
	switch c.code {
	case awsapi.InvalidIdentityToken:
		return Explanation{ID: IDWebTokenInvalid,
			What:  fmt.Sprintf("STS refused the web identity token of profile %s (InvalidIdentityToken).", p),
			Cause: "The role's trust policy does not accept the token: its issuer has no IAM OIDC identity provider in the account, or the audience (aud) or subject (sub) does not match the policy's conditions, or the provider's thumbprint is stale.",
			Fix:   "Check the role's trust policy (aws iam get-role --role-name NAME) against the token's iss, aud and sub, and the account's OIDC providers (aws iam list-open-id-connect-providers)."}, true
	case awsapi.ExpiredToken, "ExpiredToken":
		return Explanation{ID: IDWebTokenExpired,
			What:  fmt.Sprintf("The web identity token of profile %s has expired (ExpiredTokenException).", p),
			Cause: "The platform (EKS, the CI runner) writes a fresh token to the file before the old one ends; nothing renewed this one.",
			Fix:   "Check that the process renewing the token file runs (on EKS the kubelet projects it; in CI request a new token), then try again."}, true
	case awsapi.IDPCommunication, "IDPRejectedClaim":
		return Explanation{ID: IDWebIdentityIDP,
			What:  fmt.Sprintf("STS could not check the web identity token of profile %s with its issuer (%s).", p, c.code),
			Cause: "The issuer's OpenID configuration or keys could not be fetched, or it rejected the claim.",
			Fix:   "Try again in a minute; if it persists, check that the issuer's /.well-known/openid-configuration is reachable from the internet."}, true
	}
	return Explanation{}, false
}
