package awsapi

import "time"

// The range of times an answer can carry across the helper's pipe and into
// the session files: RFC 3339, as encoding/json writes it, has four-digit
// years. Whether a time in it makes sense for credentials is the front's
// one check (profiles.Credentials.Validate), not the transport's.
var (
	MinTime = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// ClampTime brings t into MinTime..MaxTime, so that any number a server
// sends becomes a time the front can judge and refuse with a message,
// where an encoding error would only end the helper.
func ClampTime(t time.Time) time.Time {
	switch {
	case t.Before(MinTime):
		return MinTime
	case t.After(MaxTime):
		return MaxTime
	}
	return t
}

// UnixTime is v units (time.Second, time.Millisecond) after the Unix
// epoch, clamped as ClampTime does (2^63-1 milliseconds is some 292
// million years away).
func UnixTime(v int64, unit time.Duration) time.Time {
	perSecond := int64(time.Second / unit)
	// Compared in seconds first: time.Unix wraps around past about 2^63
	// seconds.
	switch sec := v / perSecond; {
	case sec < MinTime.Unix():
		return MinTime
	case sec > MaxTime.Unix():
		return MaxTime
	}
	return time.Unix(v/perSecond, v%perSecond*int64(unit)).UTC()
}
