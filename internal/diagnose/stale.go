package diagnose

import "fmt"

// Stale reports credential variables in the environment that no longer fit,
// without any failed call: an old key after a rotation, a session key
// without its token, a token next to a long-term key, an exported session
// that has expired, AWS_PROFILE next to keys that override it. `awsenv
// doctor` shows them, and `awsenv rotate` after replacing a key.
func Stale(f Facts) []Explanation {
	id := f.EnvKeyID
	if id == "" {
		return nil
	}
	var out []Explanation
	p := or(f.Profile, phProfile)
	_, retired := f.Retired[id]
	if isLongTermKey(id) && (retired || fileDiffers(f, id)) {
		out = append(out, staleEnv(f, true))
	}
	if isSessionKey(id) && !f.EnvToken {
		out = append(out, Explanation{
			ID:    IDSessionTokenMissing,
			What:  "AWS_ACCESS_KEY_ID in your environment is a session key (" + id + "), but AWS_SESSION_TOKEN is not set.",
			Cause: "A session's key, secret and token were exported separately and the token got lost; AWS refuses the key without it.",
			Fix:   fmt.Sprintf("Export the session's three values together with %s, or drop them with %s.", useCmd(p), unsetCmd),
		})
	}
	if isLongTermKey(id) && f.EnvToken {
		out = append(out, Explanation{
			ID:    IDStraySessionToken,
			What:  "AWS_SESSION_TOKEN is set next to the long-term key " + id + " in your environment.",
			Cause: "The token was left from an earlier session; AWS refuses a long-term key sent with a session token.",
			Fix:   fmt.Sprintf("Run `unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN`, or export a consistent set with %s.", useCmd(p)),
		})
	}
	if !f.EnvExpires.IsZero() && !f.Now.IsZero() && !f.Now.Before(f.EnvExpires) {
		out = append(out, Explanation{
			ID:    IDEnvironmentExpired,
			What:  "The session exported into this shell (key " + id + ") expired at " + f.EnvExpires.UTC().Format("2006-01-02 15:04 MST") + ".",
			Cause: "Sessions last hours; every call with it now fails with ExpiredToken.",
			Fix:   fmt.Sprintf("Run %s again; with the shell hook, AWSENV_AUTO_REFRESH=1 renews sessions before they expire.", useCmd(p)),
		})
	}
	if f.EnvProfile != "" {
		out = append(out, Explanation{
			ID:    IDProfileShadowed,
			What:  "AWS_PROFILE=" + f.EnvProfile + " is set, but the keys in your environment (" + id + ") win: tools use them, not profile " + f.EnvProfile + ".",
			Cause: "Exported keys come before AWS_PROFILE in the AWS CLI's and SDKs' search, while prompts show AWS_PROFILE, so they name the wrong profile.",
			Fix:   fmt.Sprintf("Run %s (it unsets AWS_PROFILE), or `unset AWS_PROFILE` to keep the keys.", useCmd(f.EnvProfile)),
		})
	}
	return out
}

// staleEnv is error 12: AWS_ACCESS_KEY_ID is an old key. standalone is true
// when no call failed (then the key might be exported on purpose).
func staleEnv(f Facts, standalone bool) Explanation {
	p, key := or(f.Profile, phProfile), f.EnvKeyID
	x := Explanation{ID: IDStaleKey}
	when, retired := f.Retired[key]
	if retired {
		x.What = "AWS_ACCESS_KEY_ID in your environment is the old key " + key + " that awsenv rotated away on " + dateAge(when, f.Now) + "."
		x.Cause = "The shell kept the old keys after the rotation: exported variables win over the credentials file, so tools started from this shell still use them."
	} else {
		x.What = "AWS_ACCESS_KEY_ID in your environment is " + key + ", not the key profile " + p + " holds now (" + f.FileKeyID + ")."
		x.Cause = "The shell most likely kept an old key after the one in " + or(f.KeyFile, phKeyFile) + " was replaced: exported variables win over the credentials file."
	}
	x.Fix = fmt.Sprintf("Run %s for fresh credentials of profile %s, or %s to drop the old ones; programs started from this shell keep their copy until restarted.",
		useCmd(p), p, unsetCmd)
	if standalone && !retired {
		x.Fix += "\nIf you exported " + key + " on purpose (another user's key), ignore this."
	}
	return x
}
