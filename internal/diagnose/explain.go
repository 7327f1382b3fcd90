package diagnose

import (
	"fmt"
	"slices"
	"strings"
	"time"

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
	if x, ok := c.sso(); ok {
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

func (c *call) serialExample() string {
	return or(c.f.Serial, "arn:aws:iam::"+c.account()+":mfa/"+c.user())
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

// keyDesc names the credentials that signed the call.
func (c *call) keyDesc() string {
	p := c.f.Profile
	switch {
	case c.key == "" && p != "":
		return "the credentials of profile " + p
	case c.key == "":
		return "the credentials"
	case c.src == srcEnv:
		return "AWS_ACCESS_KEY_ID " + c.key + " in your environment"
	case c.src == srcFile && p != "" && isSessionKey(c.key):
		return "session key " + c.key + " of profile " + p
	case c.src == srcFile && p != "":
		return "access key " + c.key + " of profile " + p
	case c.src == srcCache && p != "":
		return "session key " + c.key + " that awsenv made for profile " + p
	case isSessionKey(c.key):
		return "session key " + c.key
	}
	return "access key " + c.key
}

func (c *call) listKeysCmd() string {
	return "`aws iam list-access-keys --user-name " + c.user() + "`"
}

// 1. InvalidClientTokenId.
func (c *call) invalidClientToken() Explanation {
	if x, ok := c.staleKey(); ok {
		return x
	}
	if c.session() {
		return c.invalidSession("AWS did not accept the session credentials (" + c.keyDesc() + ")" + c.opDesc() + ": their session token is invalid.")
	}
	x := Explanation{
		ID:   IDInvalidClientToken,
		What: "AWS did not accept " + c.keyDesc() + c.opDesc() + ": it does not know the key, or the key is inactive.",
	}
	x.Cause, x.Fix = c.badKeyCauseFix("")
	return x
}

// badKeyCauseFix is the cause and fix of a long-term key AWS does not
// accept: deleted, inactive or mistyped (seed: access key not working).
func (c *call) badKeyCauseFix(alsoCause string) (string, string) {
	p, file, key := c.profile(), c.keyFile(), or(c.key, "KEY-ID")
	var cause string
	switch c.src {
	case srcEnv:
		cause = "The key was deactivated or deleted in IAM, or it was mistyped when it was exported."
	default:
		cause = "The key was deactivated or deleted in IAM, or aws_access_key_id under " + credSection(p) + " in " + file + " is mistyped."
	}
	if alsoCause != "" {
		cause = alsoCause
	}
	var b strings.Builder
	if c.src == srcEnv {
		fmt.Fprintf(&b, "Export working credentials with %s, or drop these with %s. ", useCmd(p), unsetCmd)
	}
	fmt.Fprintf(&b, "Compare aws_access_key_id under %s in %s with the user's keys: `awsenv keys %s`, %s (with credentials that work) or the IAM console (Users > %s > Security credentials).\n",
		credSection(p), file, p, c.listKeysCmd(), c.user())
	fmt.Fprintf(&b, "An inactive key can be activated again: `aws iam update-access-key --user-name %s --access-key-id %s --status Active`.\n", c.user(), key)
	fmt.Fprintf(&b, "A deleted key is gone: create a new one in the IAM console and put it under %s in %s.", credSection(p), file)
	return cause, b.String()
}

// 12. An old key still in use.
func (c *call) staleKey() (Explanation, bool) {
	if !isLongTermKey(c.key) {
		return Explanation{}, false
	}
	when, retired := c.f.Retired[c.key]
	if c.src == srcEnv {
		if retired || c.fileDiffers(c.key) {
			return staleEnv(c.f, false), true
		}
		return Explanation{}, false
	}
	if !retired {
		return Explanation{}, false
	}
	p, file := c.profile(), c.keyFile()
	x := Explanation{
		ID:   IDStaleKey,
		What: fmt.Sprintf("Access key %s, which awsenv rotated away on %s, signed this request%s.", c.key, dateAge(when, c.f.Now), c.opDesc()),
	}
	if c.src == srcFile {
		x.Cause = fmt.Sprintf("%s in %s holds the old key again: restored from a backup, or written by another tool.", credSection(p), file)
	} else {
		x.Cause = "Something still holds the old key: the environment, another profile or a tool's own settings."
	}
	x.Fix = fmt.Sprintf("Put the user's current key under %s in %s (`awsenv keys %s` lists them), and replace %s wherever else it is set: `grep -rn %s ~/.aws`.",
		credSection(p), file, p, c.key, c.key)
	return x, true
}

// fileDiffers: the profile's file holds a different long-term key than id.
func (c *call) fileDiffers(id string) bool {
	return fileDiffers(c.f, id)
}

func fileDiffers(f Facts, id string) bool {
	return isLongTermKey(f.FileKeyID) && !f.FileToken && f.FileKeyID != id
}

// 2. SignatureDoesNotMatch.
func (c *call) signature() Explanation {
	clockMsg := strings.HasPrefix(c.msg, "Signature expired") || strings.HasPrefix(c.msg, "Signature not yet current")
	skew, known := c.skew()
	if clockMsg || known && (skew >= 5*time.Minute || skew <= -5*time.Minute) {
		return c.clockSkew(skew, known)
	}
	p, file, key := c.profile(), c.keyFile(), or(c.key, "KEY-ID")
	x := Explanation{
		ID:   IDSignatureMismatch,
		What: "AWS computed a different signature for " + c.keyDesc() + c.opDesc() + ": the secret key sent with it is not that key's secret.",
	}
	var fix strings.Builder
	switch {
	case c.src == srcEnv:
		x.Cause = "AWS_SECRET_ACCESS_KEY in your environment does not belong to AWS_ACCESS_KEY_ID " + key + ": mistyped, or copied from another key."
		fmt.Fprintf(&fix, "Export matching credentials again with %s, or drop these with %s.", useCmd(p), unsetCmd)
	case c.session():
		x.Cause = "The session's secret key was mistyped or mixed up with another session's."
		fmt.Fprintf(&fix, "Get fresh session credentials with %s: awsenv keeps a session's key, secret and token together.", useCmd(p))
	default:
		x.Cause = "aws_secret_access_key under " + credSection(p) + " in " + file + " is not the secret of " + key + ": mistyped, or copied from another key."
		fmt.Fprintf(&fix, "Put %s's secret as aws_secret_access_key under %s in %s.\n", key, credSection(p), file)
		fmt.Fprintf(&fix, "A lost secret cannot be recovered: create a new key (IAM console, or `aws iam create-access-key --user-name %s` with credentials that work), put its id and secret under %s, then delete the old one: `aws iam delete-access-key --user-name %s --access-key-id %s`.",
			c.user(), credSection(p), c.user(), key)
	}
	if known {
		fmt.Fprintf(&fix, "\nThe clock is fine (%s), so it is the secret.", skewWords(skew))
	} else {
		fmt.Fprintf(&fix, "\nIf the secret is right, check the clock: it must be within 5 minutes of AWS's; %s syncs it.", clockFix)
	}
	x.Fix = fix.String()
	return x
}

// skew is the measured clock offset, else the one AWS's message states.
func (c *call) skew() (time.Duration, bool) {
	if d, ok := signatureTimes(c.msg); ok {
		return d, true
	}
	return c.f.Skew, c.f.SkewKnown
}

func (c *call) clockSkew(skew time.Duration, known bool) Explanation {
	off := "more than 5 minutes off AWS's"
	if known {
		off = skewWords(skew)
	}
	return Explanation{
		ID:    IDClockSkew,
		What:  "AWS refused " + c.opCall() + " because of when it was signed: this computer's clock is " + off + ".",
		Cause: "AWS accepts a request only if it was signed within 5 minutes of AWS's own time, and the clock here is further off.",
		Fix: "Sync the clock with " + clockFix + ", then run the command again.\n" +
			"MFA codes from an authenticator on this machine depend on the clock too.",
	}
}

func (c *call) requestExpired() Explanation {
	skew, known := c.skew()
	if known && (skew >= 5*time.Minute || skew <= -5*time.Minute) {
		return c.clockSkew(skew, known)
	}
	return Explanation{
		ID:    IDRequestExpired,
		What:  "AWS refused " + c.opCall() + " because it arrived after its signature had expired.",
		Cause: "The computer's clock is off, or a signed request or presigned URL was used after it expired.",
		Fix:   "Sync the clock with " + clockFix + ", then run the command again; a presigned URL has to be made anew.",
	}
}

// 3. Wrong mfa_serial.
func (c *call) mfaSerial() Explanation {
	p, cfg := c.profile(), c.configFile()
	device := "the MFA device in mfa_serial (profile " + p + ")"
	if c.f.Serial != "" {
		device = "MFA device " + c.f.Serial + " (mfa_serial of profile " + p + ")"
	}
	x := Explanation{
		ID:    IDMFASerialInvalid,
		What:  "AWS could not match " + device + " to the user whose key signed " + c.opCall() + ".",
		Cause: "mfa_serial under " + configSection(p) + " in " + cfg + " is not the ARN of an MFA device assigned to " + c.user() + ".",
	}
	devs := c.f.Devices
	switch {
	case c.f.DevicesKnown && len(devs) == 0:
		x.Cause = c.userWho() + " has no MFA device assigned, so no serial can match."
		x.Fix = fmt.Sprintf("Assign one in the IAM console (Users > %s > Security credentials > Assign MFA device), then put its ARN under %s in %s:\n  mfa_serial = arn:aws:iam::%s:mfa/DEVICE-NAME",
			c.user(), configSection(p), cfg, c.account())
	case c.f.DevicesKnown && slices.Contains(devs, c.f.Serial):
		x.Cause = c.f.Serial + " is a device of " + c.user() + ", but the call was signed by a key of another user."
		x.Fix = fmt.Sprintf("Check that aws_access_key_id under %s in %s belongs to %s (%s), or set mfa_serial under %s in %s to the device of the key's own user.",
			credSection(p), c.keyFile(), c.user(), c.listKeysCmd(), configSection(p), cfg)
	case c.f.DevicesKnown && len(devs) == 1:
		x.Fix = fmt.Sprintf("%s has one MFA device; set it under %s in %s:\n  mfa_serial = %s", or(c.f.UserName, "The user"), configSection(p), cfg, devs[0])
		x.Repair, x.Subject = RepairSetSerial, devs[0]
	case c.f.DevicesKnown:
		x.Fix = fmt.Sprintf("%s has these MFA devices: %s. Set the one you have under %s in %s, e.g.:\n  mfa_serial = %s",
			or(c.f.UserName, "The user"), strings.Join(devs, ", "), configSection(p), cfg, devs[0])
	default:
		x.Fix = fmt.Sprintf("Copy the ARN shown under \"Assigned MFA device\" in the IAM console (Users > %s > Security credentials), or list the devices with `aws iam list-mfa-devices --user-name %s`, and set it under %s in %s:\n  mfa_serial = arn:aws:iam::%s:mfa/DEVICE-NAME",
			c.user(), c.user(), configSection(p), cfg, c.account())
	}
	return x
}

// 4. Wrong or reused MFA code.
func (c *call) mfaCode() Explanation {
	x := Explanation{
		ID:     IDMFACodeInvalid,
		What:   "AWS refused the MFA code" + c.forDevice() + c.opDesc() + ": it was wrong or already used.",
		Cause:  "A code is valid only in its 30-second window and only once; a mistyped, old or reused code is refused.",
		Fix:    "Wait for the next code from your device and run the command again (`awsenv use " + c.profile() + "` asks again by itself). If every code fails, resync the device in the IAM console (Users > " + c.user() + " > Security credentials > MFA > Resync).",
		Repair: RepairNewCode,
	}
	if skew, known := c.skew(); known && (skew >= 30*time.Second || skew <= -30*time.Second) {
		x.Fix += "\nThis computer's clock is " + skewWords(skew) + ": an authenticator on this machine makes wrong codes until it is synced with " + clockFix + "."
	}
	return x
}

func (c *call) forDevice() string {
	if c.f.Serial == "" {
		return ""
	}
	return " for " + c.f.Serial
}

// 5. GetSessionToken called with session credentials.
func (c *call) sessionCredentials() Explanation {
	p, file, cfg := c.profile(), c.keyFile(), c.configFile()
	x := Explanation{
		ID:   IDSessionCredentials,
		What: "STS refused GetSessionToken because it was called with session credentials (" + c.keyDesc() + "), not an IAM user's long-term keys.",
	}
	if c.src == srcEnv {
		x.Cause = "Your environment holds session credentials (AWS_SESSION_TOKEN is set), and tools use them before any profile."
		x.Fix = fmt.Sprintf("Drop them with %s, then run %s: awsenv calls GetSessionToken with the profile's own long-term keys, never the environment's.", unsetCmd, useCmd(p))
		return x
	}
	if c.src == srcFile || c.f.FileToken {
		x.Cause = fmt.Sprintf("%s in %s holds session credentials (aws_session_token), as written there after an earlier get-session-token; GetSessionToken needs long-term keys (AKIA...).", credSection(p), file)
	} else {
		x.Cause = "The credentials used are themselves session credentials (they carry a session token); GetSessionToken needs an IAM user's long-term keys (AKIA...)."
	}
	lt := p + "-long-term"
	x.Fix = fmt.Sprintf(`Keep the long-term keys in a profile of their own and let awsenv make the sessions. In %s:

  [%s]
  aws_access_key_id = AKIA...        (the user's long-term key)
  aws_secret_access_key = ...        (its secret)

and in %s:

  %s
  mfa_serial = %s

Remove aws_session_token, and the session's key and secret, from %s (point source_profile of your role profiles at %s).
Then %s makes an MFA session, caches it for every shell and exports it; nothing writes sessions into %s again.`,
		file, lt, cfg, configSection(lt), c.serialExample(), credSection(p), lt, useCmd(lt), file)
	return x
}

// 6. and the other session failures: damaged, unknown or mistyped session
// credentials.
func (c *call) invalidSession(what string) Explanation {
	p, file := c.profile(), c.keyFile()
	x := Explanation{ID: IDInvalidSessionToken, What: what}
	if isLongTermKey(c.key) && c.token {
		return c.strayToken()
	}
	switch {
	case c.src == srcEnv:
		x.Cause = "The session in your environment (AWS_SESSION_TOKEN) was cut short or mangled when copied, or does not belong to AWS_ACCESS_KEY_ID."
		x.Fix = fmt.Sprintf("Export a fresh session with %s, or drop it with %s.", useCmd(p), unsetCmd)
	case c.src == srcFile:
		x.Cause = fmt.Sprintf("aws_session_token under %s in %s is damaged, or does not belong to aws_access_key_id there.", credSection(p), file)
		x.Fix = fmt.Sprintf("Replace aws_access_key_id, aws_secret_access_key and aws_session_token under %s in %s together, from one get-session-token answer; better, keep long-term keys in a profile of their own and let %s make the sessions.",
			credSection(p), file, "`awsenv use`")
	case c.src == srcCache:
		x.Cause = "The session awsenv cached for profile " + p + " is damaged or no longer valid."
		x.Fix = fmt.Sprintf("awsenv drops a session AWS refuses and makes a new one the next time you run %s; to drop it by hand: `awsenv sessions clear %s`.", useCmd(p), p)
		x.Repair = RepairDropSession
	default:
		x.Cause = "The session token was cut short or mangled when copied, or does not belong to the access key sent with it."
		x.Fix = fmt.Sprintf("Export a fresh session with %s (or drop it with %s); if awsenv cached it, `awsenv sessions clear %s` drops it (awsenv also does that by itself when AWS refuses a cached session).",
			useCmd(p), unsetCmd, p)
	}
	return x
}

// strayToken: a long-term key sent with a session token, which AWS refuses.
func (c *call) strayToken() Explanation {
	p, file := c.profile(), c.keyFile()
	x := Explanation{
		ID:    IDStraySessionToken,
		What:  "AWS refused " + c.keyDesc() + c.opDesc() + " because it came with a session token, which a long-term key (AKIA...) never has.",
		Cause: "A session token was left behind from an earlier session next to the long-term key.",
	}
	switch c.src {
	case srcEnv:
		x.Fix = fmt.Sprintf("Run `unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN`, or export a consistent set with %s.", useCmd(p))
	default:
		x.Fix = fmt.Sprintf("Remove aws_session_token under %s in %s: a profile holds either long-term keys or a whole session.", credSection(p), file)
	}
	return x
}

// 7. InvalidAccessKeyId: missing token, or no such key.
func (c *call) invalidAccessKeyID() Explanation {
	if x, ok := c.staleKey(); ok {
		return x
	}
	p, file := c.profile(), c.keyFile()
	switch {
	case isSessionKey(c.key) && !c.token:
		x := Explanation{
			ID:   IDSessionTokenMissing,
			What: "AWS does not know " + c.keyDesc() + c.opDesc() + ": it is a session key (ASIA...) and was sent without its session token.",
		}
		switch c.src {
		case srcEnv:
			x.Cause = "AWS_ACCESS_KEY_ID holds a session key, but AWS_SESSION_TOKEN is not set."
			x.Fix = fmt.Sprintf("Export the session's three values together: %s sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN as one.", useCmd(p))
		default:
			x.Cause = fmt.Sprintf("%s in %s has a session key in aws_access_key_id but no aws_session_token.", credSection(p), file)
			x.Fix = fmt.Sprintf("Add aws_session_token (the SessionToken of the same get-session-token answer) under %s in %s; better, keep long-term keys in a profile of their own and let %s make the sessions.",
				credSection(p), file, "`awsenv use`")
		}
		return x
	case c.session():
		return c.invalidSession("AWS does not know " + c.keyDesc() + c.opDesc() + ": the session credentials are mistyped or from a session that no longer exists.")
	case c.key == "":
		x := Explanation{
			ID:   IDAccessKeyNotFound,
			What: "AWS does not know the access key it was sent" + c.opDesc() + ".",
		}
		x.Cause, x.Fix = c.badKeyCauseFix("Either a session key was sent without its session token (AWS_SESSION_TOKEN or aws_session_token is missing), or the access key was deleted or mistyped.")
		x.Fix = fmt.Sprintf("If you use session credentials, export all three values together with %s.\n", useCmd(p)) + x.Fix
		return x
	}
	x := Explanation{
		ID:   IDAccessKeyNotFound,
		What: "AWS has no record of " + c.keyDesc() + c.opDesc() + ".",
	}
	cause := "The key was deleted in IAM, or aws_access_key_id under " + credSection(p) + " in " + file + " is mistyped."
	if c.src == srcEnv {
		cause = "The key was deleted in IAM, or it was mistyped when it was exported."
	}
	x.Cause, x.Fix = c.badKeyCauseFix(cause)
	return x
}

// ExpiredToken.
func (c *call) expired() Explanation {
	p, file := c.profile(), c.keyFile()
	x := Explanation{
		ID:   IDSessionExpired,
		What: "The session credentials (" + c.keyDesc() + ") have expired" + c.expiredAt() + ".",
	}
	switch {
	case c.src == srcEnv:
		x.Cause = "The session exported into this shell has run out; sessions last hours, not days."
		x.Fix = fmt.Sprintf("Run %s again: it reuses a cached MFA session while one is valid and asks for a code otherwise. With the shell hook, AWSENV_AUTO_REFRESH=1 renews sessions before they expire.", useCmd(p))
	case c.src == srcFile:
		x.Cause = fmt.Sprintf("%s in %s holds session credentials that have run out.", credSection(p), file)
		x.Fix = fmt.Sprintf("Keep long-term keys in a profile of their own and let awsenv make sessions that it renews: see `awsenv explain` on \"Cannot call GetSessionToken with session credentials\", or put the long-term keys under %s and run %s.", credSection(p+"-long-term"), useCmd(p+"-long-term"))
	case c.src == srcCache:
		x.Cause = "The session awsenv cached for profile " + p + " has run out."
		x.Fix = fmt.Sprintf("awsenv drops it and makes a new one the next time you run %s; to drop it by hand: `awsenv sessions clear %s`.", useCmd(p), p)
		x.Repair = RepairDropSession
	default:
		x.Cause = "Session credentials last hours, not days, and these have run out."
		x.Fix = fmt.Sprintf("Get a fresh session with %s; if awsenv cached the old one, `awsenv sessions clear %s` drops it.", useCmd(p), p)
	}
	return x
}

func (c *call) expiredAt() string {
	if c.src == srcEnv && !c.f.EnvExpires.IsZero() {
		return " (at " + c.f.EnvExpires.UTC().Format("2006-01-02 15:04 MST") + ")"
	}
	return ""
}

// ValidationError: which parameter AWS refused.
func (c *call) validation() Explanation {
	p, cfg := c.profile(), c.configFile()
	lower := strings.ToLower(c.msg)
	switch {
	case strings.Contains(lower, "durationseconds") || strings.Contains(lower, "maxsessionduration"):
		return c.invalidDuration()
	case strings.Contains(lower, "serialnumber"):
		return Explanation{
			ID:    IDMFASerialInvalid,
			What:  "AWS refused " + or(c.f.Serial, "the MFA serial") + c.opDesc() + ": it is not a valid MFA device serial.",
			Cause: "mfa_serial under " + configSection(p) + " in " + cfg + " must be a device's ARN (arn:aws:iam::ACCOUNT:mfa/NAME) or a hardware device's serial number.",
			Fix: fmt.Sprintf("Copy the ARN under \"Assigned MFA device\" in the IAM console (Users > %s > Security credentials) and set it under %s in %s:\n  mfa_serial = arn:aws:iam::%s:mfa/DEVICE-NAME",
				c.user(), configSection(p), cfg, c.account()),
		}
	case strings.Contains(lower, "tokencode"):
		return Explanation{
			ID:     IDMFACodeInvalid,
			What:   "AWS refused the MFA code" + c.opDesc() + ": it is not a 6-digit code.",
			Cause:  "The code given (or the provider's output) is not six digits.",
			Fix:    "Enter the 6-digit code your device shows now; if a provider gives it, check its awsenv_mfa_* settings under " + configSection(p) + " in " + cfg + ".",
			Repair: RepairNewCode,
		}
	case strings.Contains(lower, "rolearn"):
		role := or(c.f.RoleARN, "the role ARN")
		return Explanation{
			ID:    IDInvalidRoleARN,
			What:  "AWS refused " + role + c.opDesc() + ": it is not a valid role ARN.",
			Cause: "role_arn under " + configSection(p) + " in " + cfg + " is mistyped.",
			Fix:   "Set role_arn under " + configSection(p) + " in " + cfg + " to the role's ARN, e.g. arn:aws:iam::" + c.account() + ":role/ROLE-NAME (the IAM console shows it on the role's page).",
		}
	}
	return Explanation{
		ID:    IDValidation,
		What:  "AWS refused a parameter of the request" + c.opDesc() + ": " + strings.TrimRight(Redact(c.msg), ".") + ".",
		Cause: "A setting of profile " + p + " has a value AWS does not accept.",
		Fix:   "Check the settings under " + configSection(p) + " in " + cfg + " (role_session_name, external_id, duration_seconds) against the message.",
	}
}

func (c *call) invalidDuration() Explanation {
	p, cfg := c.profile(), c.configFile()
	x := Explanation{
		ID:    IDInvalidDuration,
		What:  "AWS refused the session length asked for profile " + p + c.opDesc() + ".",
		Cause: "GetSessionToken sessions last 15 minutes to 36 hours (1 hour at most for the root user).",
		Fix:   "Ask for less: lower awsenv_session_duration under " + configSection(p) + " in " + cfg + ", or pass a shorter --duration.",
	}
	if c.e.Operation == "AssumeRole" || c.f.RoleARN != "" {
		role := or(c.f.RoleARN, "the role")
		name := or(awsapi.ParseARN(c.f.RoleARN).RoleName(), "ROLE-NAME")
		x.Cause = "The duration asked for is longer than the maximum session duration of " + role + " (1 hour unless the role allows more, and 1 hour at most when a role is assumed with session credentials)."
		x.Fix = fmt.Sprintf("Lower duration_seconds under %s in %s (or pass a shorter --duration), or have the role's maximum raised: `aws iam update-role --role-name %s --max-session-duration 43200`.",
			configSection(p), cfg, name)
	}
	return x
}

// AccessDenied: which call was denied decides the explanation.
func (c *call) accessDenied() Explanation {
	op, action := c.e.Operation, c.den.action
	switch {
	case op == "GetSessionToken" || action == "sts:GetSessionToken":
		return c.getSessionTokenDenied()
	case op == "AssumeRole" || action == "sts:AssumeRole":
		return c.assumeRoleDenied()
	case op == "CreateAccessKey" || action == "iam:CreateAccessKey":
		return c.createAccessKeyDenied()
	}
	return c.denied()
}

// 9. sts:GetSessionToken not allowed.
func (c *call) getSessionTokenDenied() Explanation {
	st := statement{Effect: "Allow", Action: "sts:GetSessionToken", Resource: "*"}
	x := Explanation{
		ID:     IDGetSessionTokenDeny,
		What:   c.userWho() + " is not allowed to call sts:GetSessionToken, so no MFA session can be made.",
		Cause:  "No IAM policy of the user or its groups allows sts:GetSessionToken.",
		Policy: st.String(),
	}
	if c.den.explicit != "" {
		x.Cause = "An explicit deny in " + c.den.explicit + " forbids sts:GetSessionToken to this user."
	}
	x.Fix = fmt.Sprintf("Add the statement below to user %s or one of its groups; an administrator can run:\n  aws iam put-user-policy --user-name %s --policy-name AllowGetSessionToken --policy-document %s\nThen run %s again.",
		c.userARN(), c.user(), shellQuote(st.document()), useCmd(c.profile()))
	if c.den.explicit != "" {
		x.Fix += "\nThe explicit deny must be lifted too: an Allow never overrides it."
	}
	return x
}

// 10. iam:CreateAccessKey not allowed.
func (c *call) createAccessKeyDenied() Explanation {
	st := statement{Effect: "Allow", Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::*:user/${aws:username}"}
	x := Explanation{
		ID:     IDCreateAccessKeyDeny,
		What:   c.userWho() + " is not allowed to create access keys (iam:CreateAccessKey).",
		Cause:  "No policy of the user or its groups allows iam:CreateAccessKey on the user's own keys.",
		Policy: st.String(),
	}
	x.Fix = fmt.Sprintf("Ask an administrator to attach the statement below to %s or one of its groups (${aws:username} limits it to each user's own keys):\n  aws iam put-user-policy --user-name %s --policy-name SelfServiceAccessKeys --policy-document %s",
		c.userARN(), c.user(), shellQuote(st.document()))
	if !c.session() {
		x.Fix += fmt.Sprintf("\nIf the account requires MFA for IAM changes, run the call in an MFA session: `awsenv exec %s -- aws iam create-access-key --user-name %s`.", c.profile(), c.user())
	}
	return x
}

// AssumeRole denied: trust policy, MFA condition or a wrong role_arn.
func (c *call) assumeRoleDenied() Explanation {
	p, cfg := c.profile(), c.configFile()
	role := c.f.RoleARN
	if role == "" && awsapi.ParseARN(c.den.resource).Service == "iam" {
		role = c.den.resource
	}
	who := c.userARN()
	st := statement{
		Effect:    "Allow",
		Principal: map[string]string{"AWS": who},
		Action:    "sts:AssumeRole",
		Condition: map[string]map[string]string{"Bool": {"aws:MultiFactorAuthPresent": "true"}},
	}
	x := Explanation{
		ID:     IDAssumeRoleDenied,
		What:   or(c.f.UserName, "Your user") + " may not assume role " + or(role, "ROLE") + " (profile " + p + ").",
		Cause:  "The role's trust policy does not let " + who + " assume it (or asks for MFA), or role_arn under " + configSection(p) + " in " + cfg + " names the wrong role.",
		Policy: st.String(),
	}
	if c.f.Serial == "" {
		x.Cause = "The role's trust policy does not let " + who + " assume it, or requires MFA and this call had none (profile " + p + " has no mfa_serial), or role_arn is wrong."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Check role_arn = %s under %s in %s.\n", or(role, "..."), configSection(p), cfg)
	fmt.Fprintf(&b, "If it is right, the role's administrator must trust %s in the role's trust policy (statement below).", who)
	if c.f.Serial == "" {
		fmt.Fprintf(&b, "\nIf the trust policy requires MFA, add mfa_serial = %s under %s (or its source profile) so awsenv signs in with MFA.",
			c.serialExample(), configSection(p))
	}
	b.WriteString("\nFor a role in another account, your own policies must also allow sts:AssumeRole on it.")
	x.Fix = b.String()
	return x
}

// 8. Denied on a service call: MFA required (long-term keys) or a missing
// permission (session credentials).
func (c *call) denied() Explanation {
	p := c.profile()
	action := c.den.action
	what := or(action, c.e.Operation)
	if what == "" {
		what = "the request"
	}
	resource := or(c.den.resource, "*")
	sim := "the IAM Policy Simulator (https://policysim.aws.amazon.com/) shows which policy decides"
	switch {
	case c.longTerm():
		return Explanation{
			ID:    IDMFARequired,
			What:  "AWS denied " + what + " to " + c.keyDesc() + ", a long-term key used without MFA.",
			Cause: "The account's policy most likely requires MFA (aws:MultiFactorAuthPresent), and calls signed with long-term keys never carry it.",
			Fix: fmt.Sprintf("Use an MFA session: %s in this shell, or `awsenv exec %s -- COMMAND` for one command; awsenv asks for the code once and every shell reuses the session.\nIf it is still denied then, the user lacks permission for %s: %s.",
				useCmd(p), p, what, sim),
		}
	case c.session():
		who := "these session credentials"
		roleARN := c.f.RoleARN
		switch {
		case c.role != "":
			who = "role " + c.role
			if roleARN == "" {
				roleARN = "arn:aws:iam::" + c.account() + ":role/" + c.role
			}
		case c.f.RoleARN != "":
			who = "role " + c.f.RoleARN
		case c.f.UserARN != "":
			who = c.f.UserARN
		}
		x := Explanation{
			ID:    IDPermissionDenied,
			What:  "AWS denied " + what + " to " + who + ".",
			Cause: strings.ToUpper(who[:1]) + who[1:] + " has no policy that allows " + what + " on " + resource + ".",
		}
		if c.den.explicit != "" {
			x.Cause = "An explicit deny in " + c.den.explicit + " forbids " + what + " to " + who + "."
		}
		target := or(roleARN, or(c.f.UserARN, "the role or user"))
		x.Fix = fmt.Sprintf("Ask your administrator to allow %s for %s, or switch to a profile that has it (`awsenv list`); %s.", what, target, sim)
		if action != "" && c.den.explicit == "" {
			x.Policy = statement{Effect: "Allow", Action: action, Resource: resource}.String()
			x.Fix = fmt.Sprintf("Ask your administrator to add the statement below to %s, or switch to a profile that has it (`awsenv list`); %s.", target, sim)
		}
		return x
	}
	return Explanation{
		ID:    IDAccessDenied,
		What:  "AWS denied " + what + ".",
		Cause: "With long-term keys (AKIA...) the account most likely requires MFA; with session credentials the user or role lacks permission for " + what + ".",
		Fix: fmt.Sprintf("With long-term keys, use an MFA session: %s, or `awsenv exec %s -- COMMAND`.\nWith session credentials, ask your administrator to allow %s; %s.",
			useCmd(p), p, what, sim),
	}
}

// 11. Two access keys already.
func (c *call) keyLimit() Explanation {
	p, u := c.profile(), c.user()
	x := Explanation{
		ID:    IDAccessKeyLimit,
		What:  or(c.f.UserName, "The user") + " already has 2 access keys, the most IAM allows, so no new key can be made.",
		Cause: "A user can have at most 2 access keys, active or not.",
	}
	if len(c.f.Keys) == 0 {
		x.Fix = fmt.Sprintf("List them with `awsenv keys %s` or %s, then delete the one no longer in use: `aws iam delete-access-key --user-name %s --access-key-id KEY-ID`.",
			p, c.listKeysCmd(), u)
		return x
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s's keys:\n", or(c.f.UserName, "The user"))
	for _, k := range c.f.Keys {
		b.WriteString("  " + c.keyLine(k) + "\n")
	}
	victim, inactive := c.pickKeyToDelete()
	switch {
	case victim.ID == "":
		fmt.Fprintf(&b, "Delete the one no longer in use: `aws iam delete-access-key --user-name %s --access-key-id KEY-ID`.", u)
	case inactive:
		fmt.Fprintf(&b, "Delete the inactive key %s: `awsenv rotate %s --delete-inactive`, or `aws iam delete-access-key --user-name %s --access-key-id %s`.", victim.ID, p, u, victim.ID)
		x.Repair, x.Subject = RepairDeleteKey, victim.ID
	default:
		fmt.Fprintf(&b, "Both are active. Delete %s, the one profile %s does not hold, once nothing uses it any more: `aws iam delete-access-key --user-name %s --access-key-id %s`.", victim.ID, p, u, victim.ID)
	}
	x.Fix = b.String()
	return x
}

func (c *call) keyLine(k KeyFacts) string {
	line := k.ID + "  " + or(k.Status, "?")
	if !k.Created.IsZero() {
		line += "  created " + dateAge(k.Created, c.f.Now)
	}
	switch lu := k.LastUsed; {
	case lu == nil:
	case lu.Date.IsZero():
		line += "  never used"
	default:
		line += "  last used " + dateAge(lu.Date, c.f.Now)
		if lu.Service != "" && lu.Service != "N/A" {
			line += " in " + lu.Service
		}
		if lu.Region != "" && lu.Region != "N/A" {
			line += " " + lu.Region
		}
	}
	if k.ID == c.f.FileKeyID && c.f.FileKeyID != "" {
		line += "  (profile " + c.profile() + ", " + c.keyFile() + ")"
	}
	return line
}

// pickKeyToDelete prefers an inactive key, then the older active key the
// profile does not use; never the profile's own active key. Among equals,
// a key the profile does not hold, then the oldest.
func (c *call) pickKeyToDelete() (KeyFacts, bool) {
	file := c.f.FileKeyID
	better := func(a, b KeyFacts) bool {
		if b.ID == "" {
			return true
		}
		if (a.ID == file) != (b.ID == file) {
			return b.ID == file
		}
		return a.Created.Before(b.Created)
	}
	var best KeyFacts
	for _, k := range c.f.Keys {
		if k.Status == awsapi.StatusInactive && better(k, best) {
			best = k
		}
	}
	if best.ID != "" {
		return best, true
	}
	for _, k := range c.f.Keys {
		if k.ID != file && better(k, best) {
			best = k
		}
	}
	return best, false
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
