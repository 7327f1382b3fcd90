package diagnose

// Explanations of errors that come from the clock: a bad signature, an expired or skewed request.

import (
	"fmt"
	"strings"
	"time"
)

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
