package diagnose

// Explanations of errors about the access key itself: unknown, inactive, stale after a rotation, sent without its token, one too many.

import (
	"fmt"
	"strings"

	"github.com/awsenv/awsenv/internal/awsapi"
)

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
