package diagnose

// Explanations of errors about session credentials: the wrong kind for the call, damaged, expired.

import "fmt"

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
