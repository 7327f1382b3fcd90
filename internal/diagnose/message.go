package diagnose

import (
	"strings"
	"time"
)

// arnChar reports whether c may be part of an ARN quoted in a message.
func arnChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(":/_+=,.@-*${}", c) >= 0
}

// tokenAfter is the run of ARN characters right after the first marker in
// msg, without a trailing sentence dot or comma.
func tokenAfter(msg, marker string) string {
	i := strings.Index(msg, marker)
	if i < 0 {
		return ""
	}
	rest := msg[i+len(marker):]
	j := 0
	for j < len(rest) && arnChar(rest[j]) {
		j++
	}
	return strings.TrimRight(rest[:j], ".,")
}

// denial is what an access-denied message says, in AWS's wordings:
//
//	User: arn:aws:iam::123456789012:user/alice is not authorized to perform:
//	  sts:GetSessionToken on resource: * with an explicit deny in an
//	  identity-based policy
//	... because no identity-based policy allows the s3:ListAllMyBuckets action
//	API: sqs:CreateQueue Access to the resource https://... is denied.
type denial struct {
	caller   string // the caller's ARN
	action   string // service:Action
	resource string
	explicit string // the kind of policy with an explicit deny, e.g. "a service control policy"
}

func parseDenial(msg string) denial {
	d := denial{
		caller:   tokenAfter(msg, "User: "),
		action:   tokenAfter(msg, "to perform: "),
		resource: tokenAfter(msg, "on resource: "),
	}
	if d.action == "" {
		d.action = tokenAfter(msg, "no identity-based policy allows the ")
	}
	if d.action == "" && strings.HasPrefix(msg, "API: ") {
		d.action = tokenAfter(msg, "API: ")
	}
	if !strings.Contains(d.action, ":") {
		d.action = ""
	}
	if _, kind, ok := strings.Cut(msg, "with an explicit deny in "); ok {
		kind = strings.TrimSpace(kind)
		if i := strings.IndexAny(kind, ".:"); i >= 0 {
			kind = kind[:i]
		}
		d.explicit = kind
	}
	return d
}

// signatureTimes reads the two times AWS puts in a clock error:
//
//	Signature expired: 20130524T000000Z is now earlier than 20130524T001500Z (20130524T002000Z - 5 min.)
//	Signature not yet current: 20130524T002000Z is still later than 20130524T001500Z (20130524T000000Z + 15 min.)
//
// The first is when the request was signed (the local clock), the one in
// parentheses AWS's clock; it returns AWS minus local.
func signatureTimes(msg string) (time.Duration, bool) {
	if !strings.HasPrefix(msg, "Signature expired: ") && !strings.HasPrefix(msg, "Signature not yet current: ") {
		return 0, false
	}
	_, rest, _ := strings.Cut(msg, ": ")
	signed, ok := stamp(rest)
	if !ok {
		return 0, false
	}
	_, inParen, found := strings.Cut(rest, "(")
	if !found {
		return 0, false
	}
	server, ok := stamp(inParen)
	if !ok {
		return 0, false
	}
	return server.Sub(signed), true
}

// stamp parses the AWS basic time stamp at the start of s.
func stamp(s string) (time.Time, bool) {
	const layout = "20060102T150405Z"
	if len(s) < len(layout) {
		return time.Time{}, false
	}
	t, err := time.Parse(layout, s[:len(layout)])
	return t, err == nil
}
