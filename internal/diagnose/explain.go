package diagnose

import (
	"strings"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// aliases map other services' and SDKs' names of the same failures to the
// STS/IAM code awsenv explains.
var aliases = map[string]string{
	"UnrecognizedClientException": "InvalidClientTokenId", // JSON services (DynamoDB, Lambda...)
	"UnrecognizedClient":          "InvalidClientTokenId",
	"AuthFailure":                 "InvalidClientTokenId", // EC2
	"InvalidSignatureException":   "SignatureDoesNotMatch",
	"ExpiredTokenException":       "ExpiredToken",
	"TokenRefreshRequired":        "ExpiredToken",
	"AccessDeniedException":       "AccessDenied",
	"UnauthorizedOperation":       "AccessDenied", // EC2
	"AuthorizationError":          "AccessDenied", // SNS
	"ValidationException":         "ValidationError",
	"LimitExceededException":      "LimitExceeded",
}

// source is where the credentials that signed the call came from.
type source int

const (
	srcUnknown source = iota
	srcEnv            // AWS_ACCESS_KEY_ID and friends
	srcFile           // the profile's credentials file
	srcCache          // a session awsenv made and cached
)

// call is one failed call with everything derived from it and the facts.
type call struct {
	e     *awsapi.APIError
	f     Facts
	code  string
	msg   string
	key   string // access key id that signed, "" if unknown
	src   source
	token bool // a session token was sent
	role  string
	den   denial
}

// Explain says what an AWS error answer means for this user and what to do.
// Unrecognised errors get a general explanation with ID IDUnknown.
func Explain(e *awsapi.APIError, f Facts) Explanation {
	if e == nil {
		e = &awsapi.APIError{}
	}
	c := newCall(e, f)
	if x, ok := c.webIdentity(); ok {
		return x
	}
	if x, ok := c.sso(); ok {
		return x
	}
	if x, ok := c.login(); ok {
		return x
	}
	msg := c.msg
	switch {
	case strings.HasPrefix(msg, "MultiFactorAuthentication failed, unable to validate MFA code"):
		return c.mfaSerial()
	case strings.HasPrefix(msg, "MultiFactorAuthentication failed with invalid MFA one time pass code"):
		return c.mfaCode()
	case strings.Contains(msg, "Cannot call GetSessionToken with session credentials"):
		return c.sessionCredentials()
	}
	switch c.code {
	case "InvalidClientTokenId":
		return c.invalidClientToken()
	case "SignatureDoesNotMatch":
		return c.signature()
	case "RequestTimeTooSkewed":
		skew, known := c.skew()
		return c.clockSkew(skew, known)
	case "RequestExpired":
		return c.requestExpired()
	case "InvalidToken":
		return c.invalidSession("AWS could not read the session token sent with " + c.keyDesc() + ": it is malformed or otherwise invalid.")
	case "InvalidAccessKeyId":
		return c.invalidAccessKeyID()
	case "ExpiredToken":
		return c.expired()
	case "ValidationError":
		return c.validation()
	case "LimitExceeded":
		if strings.Contains(msg, "AccessKeysPerUser") {
			return c.keyLimit()
		}
	case "AccessDenied":
		return c.accessDenied()
	}
	return c.unknown()
}

func newCall(e *awsapi.APIError, f Facts) *call {
	c := &call{e: e, f: f, code: strings.TrimSpace(e.Code), msg: strings.TrimSpace(e.Message)}
	if a, ok := aliases[c.code]; ok {
		c.code = a
	}
	switch {
	case f.KeyID != "":
		c.key, c.token = f.KeyID, f.Temporary
		switch {
		case f.KeyID == f.EnvKeyID:
			c.src, c.token = srcEnv, c.token || f.EnvToken
		case f.KeyID == f.FileKeyID:
			c.src, c.token = srcFile, c.token || f.FileToken
		case f.Temporary || isSessionKey(f.KeyID):
			c.src = srcCache
		}
	case f.Temporary:
		c.token = true // session credentials whose key we were not told
	case f.EnvKeyID != "":
		c.key, c.src, c.token = f.EnvKeyID, srcEnv, f.EnvToken
	case f.FileKeyID != "":
		c.key, c.src, c.token = f.FileKeyID, srcFile, f.FileToken
	}
	c.den = parseDenial(c.msg)
	caller := awsapi.ParseARN(c.den.caller)
	if name := caller.UserName(); name != "" && c.f.UserARN == "" {
		c.f.UserARN, c.f.UserName = c.den.caller, name
	}
	if r := caller.AssumedRole(); r != "" {
		c.role, c.token = r, true
	}
	if c.f.UserName == "" {
		c.f.UserName = awsapi.ParseARN(c.f.UserARN).UserName()
	}
	if c.f.Account == "" {
		c.f.Account = awsapi.ParseARN(c.f.UserARN).Account
	}
	if c.f.Account == "" {
		c.f.Account = caller.Account
	}
	return c
}

// longTerm: an IAM user's key without a token. session: session credentials.
// Neither, when awsenv does not know which key signed.
func (c *call) longTerm() bool { return isLongTermKey(c.key) && !c.token }
func (c *call) session() bool  { return c.token || isSessionKey(c.key) }

func (c *call) profile() string    { return or(c.f.Profile, phProfile) }
func (c *call) keyFile() string    { return or(c.f.KeyFile, phKeyFile) }
func (c *call) configFile() string { return or(c.f.ConfigFile, phConfigFile) }
func (c *call) user() string       { return or(c.f.UserName, phUser) }
func (c *call) account() string    { return or(c.f.Account, phAccount) }

// userARN is the user's ARN, built from account and name when AWS did not say.
func (c *call) userARN() string {
	if c.f.UserARN != "" {
		return c.f.UserARN
	}
	return "arn:aws:iam::" + c.account() + ":user/" + c.user()
}

// userWho names the user in a sentence.
func (c *call) userWho() string {
	switch {
	case c.f.UserARN != "":
		return "User " + c.f.UserARN
	case c.f.UserName != "":
		return "User " + c.f.UserName
	}
	return "Your IAM user"
}

// opDesc is " when calling OP", or nothing.
func (c *call) opDesc() string {
	if c.e.Operation == "" {
		return ""
	}
	return " when calling " + c.e.Operation
}

// opCall is "the OP call", or "the call".
func (c *call) opCall() string {
	if c.e.Operation == "" {
		return "the call"
	}
	return "the " + c.e.Operation + " call"
}

func (c *call) unknown() Explanation {
	code := or(c.e.Code, "an error")
	what := "AWS answered " + code
	if c.e.Operation != "" {
		what += " to " + c.e.Operation
	}
	if c.msg != "" {
		what += ": " + strings.TrimRight(Redact(c.msg), ".")
	}
	return Explanation{
		ID:    IDUnknown,
		What:  what + ".",
		Cause: "awsenv does not know this error, so it cannot say more than AWS did.",
		Fix:   "Check profile " + c.profile() + " in " + c.configFile() + " and " + c.keyFile() + ", and look up " + code + " in the AWS documentation of the service that answered.",
	}
}
