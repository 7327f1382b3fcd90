// Package awsapi is what awsenv knows of AWS, with no SDK in it: the plain
// types of every call it makes (one file per service: sts.go, iam.go,
// sso.go for the Identity Center portal, ssooidc.go, signin.go for the
// renewal of `aws login` sessions, federation.go for the console), the
// interfaces the helper implements (STS, IAM, SSO, Signin, Federation),
// and what the services share: the call's target and endpoint settings
// (target.go), AWS's answers as errors (errors.go), the server's clock
// (skew.go) and ARNs (arn.go).
//
// The awsenv binary imports it and talks to AWS only through the helper,
// so it never links the SDK; the helper's SDK-backed clients live in
// awsapi/sdk. Its types cross the helper pipe as JSON: their field names
// are the protocol.
package awsapi
