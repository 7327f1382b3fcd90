package profiles

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration settings. Every awsenv_* key whose value is a duration is read
// by one parser, DurationSetting.Parse, with the key's range: a value out
// of range is refused the same way for every key (a *SettingError naming
// the key, the file and section, the line, the range and the fix; exit 3),
// never taken silently by one key and refused by another.
//
// duration_seconds, the AWS CLI's key, is not one of them: it is whole
// seconds only, as the AWS CLI reads it, and a role's is fitted to AWS's
// 15 min to 12 h (see Resolve and credflow). The --duration flag is a
// command-line word, refused as a usage error (exit 2).

// DurationSetting is one key whose value is a duration, with the range
// awsenv takes (Min and Max, both included).
type DurationSetting struct {
	Key      string // as written in a profile, with the awsenv_ prefix
	Min, Max time.Duration
	Default  time.Duration
	What     string // what the duration bounds: "how long one call of a hook plugin may take"
	Example  string // a value to show: "5s"
}

// The duration settings, each with the range the README gives it.
var (
	// HookTimeout: one call of a hook plugin. awsenv-helper gives up on any
	// request after 10 minutes (helper.RequestTimeout).
	HookTimeout = DurationSetting{Key: "awsenv_hook_timeout", Min: time.Second, Max: MaxHookTimeout,
		Default: 30 * time.Second, What: "how long one call of a hook plugin may take", Example: "5s"}
	// CredentialProcessTimeout: one run of a profile's credential_process.
	// The default is the Go SDK's (processcreds.DefaultTimeout); botocore
	// waits for ever.
	CredentialProcessTimeout = DurationSetting{Key: "awsenv_credential_process_timeout", Min: minCredentialProcessTimeout,
		Max: maxCredentialProcessTimeout, Default: DefaultCredentialProcessTimeout,
		What: "how long one run of credential_process may take", Example: "30s"}
	// MFATimeout: one call of an MFA provider (someone may be touching a
	// key); the same 10-minute bound as every request to the helper.
	MFATimeout = DurationSetting{Key: "awsenv_mfa_timeout", Min: time.Second, Max: 10 * time.Minute,
		Default: 2 * time.Minute, What: "how long an MFA provider may take", Example: "2m"}
	// SessionDuration: what GetSessionToken is asked for. AWS takes 15 min
	// to 36 h, and credflow asks for the nearest with a note, so the
	// range here only refuses what cannot be meant.
	SessionDuration = DurationSetting{Key: "awsenv_session_duration", Min: time.Second, Max: maxDuration,
		Default: DefaultSessionDuration, What: "how long an MFA session lasts (AWS gives 15m to 36h)", Example: "12h"}
	// RefreshMargin: a cached session with less than this left is renewed;
	// 0 renews only at expiry.
	RefreshMargin = DurationSetting{Key: "awsenv_refresh_margin", Min: 0, Max: maxDuration,
		Default: DefaultRefreshMargin, What: "how much time a cached session must have left", Example: "5m"}
)

// DurationSettings are all of them: a test checks each is refused alike.
var DurationSettings = []DurationSetting{HookTimeout, CredentialProcessTimeout, MFATimeout, SessionDuration, RefreshMargin}

// maxDuration bounds what ParseDuration accepts, far above any AWS limit,
// so a typo cannot overflow time.Duration.
const maxDuration = 365 * 24 * time.Hour

// Parse reads v, the value of s written at where ("FILE [profile]"), line
// line (0 when unknown). The error is a *SettingError.
func (s DurationSetting) Parse(v, where string, line int) (time.Duration, error) {
	d, err := ParseDuration(v)
	switch {
	case err != nil:
	case d < s.Min:
		err = fmt.Errorf("%s is shorter than %s", shown(v), durationWord(s.Min))
	case d > s.Max:
		err = fmt.Errorf("%s is longer than %s", shown(v), durationWord(s.Max))
	}
	if err != nil {
		return 0, &SettingError{Where: where, Line: line, Key: s.Key, Err: err, Fix: s.Fix()}
	}
	return d, nil
}

// Fix is the sentence that says what s takes.
func (s DurationSetting) Fix() string {
	return fmt.Sprintf("Write %s, between %s and %s, such as %s = %s (or whole seconds; the default is %s).",
		s.What, durationWord(s.Min), durationWord(s.Max), s.Key, s.Example, durationWord(s.Default))
}

// ParseDuration accepts Go durations ("12h", "90m") or whole seconds
// ("3600"), from 0 to a year. Settings go through DurationSetting.Parse,
// which adds each key's range; the --duration flag uses it directly.
func ParseDuration(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("%s is negative", shown(v))
		}
		if n > int(maxDuration/time.Second) {
			return 0, fmt.Errorf("%s is longer than a year", shown(v))
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s is not a duration like 12h, 90m or 3600", shown(v))
	}
	if d > maxDuration {
		return 0, fmt.Errorf("%s is longer than a year", shown(v))
	}
	return d, nil
}

// shown quotes a value for a message, cut to a length a person reads.
func shown(v string) string {
	const most = 40
	if len(v) > most {
		return strconv.Quote(v[:most]) + "..."
	}
	return strconv.Quote(v)
}

// durationWord prints d as people write it, and as ParseDuration reads
// it: 30s, 10m, 1h30m, 8760h.
func durationWord(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
