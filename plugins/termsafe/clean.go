package termsafe

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Caps for text from outside, by what it is. A cap is on the bytes shown,
// after the text is made safe.
const (
	// MaxValue is for one value: a variable from the environment, a user
	// code, a key id, a plugin's name or version.
	MaxValue = 256
	// MaxURL is for a URL shown to be opened (browsers and servers take
	// about 2,000 characters; AWS's sign-in URLs are under 300).
	MaxURL = 2048
	// MaxMessage is for a message shown whole: a server's error, a
	// plugin's reason, awsenv's own error with those in it.
	MaxMessage = 16 << 10
)

// Ellipsis marks text cut by Clean or Line.
const Ellipsis = "…"

// Clean is s made safe as String makes it (escape sequences and control
// characters out, newlines and tabs kept), then cut to at most max bytes,
// on a character boundary, ending in Ellipsis. Every text from outside
// that awsenv shows whole goes through Clean or Line: messages and reasons
// of plugins, answers of servers, values from the environment.
func Clean(s string, max int) string {
	return clean(s, max, false)
}

// Line is Clean for a value shown inside a line of awsenv's (a URL, a
// code, a variable's value): a newline or a tab in it is a control
// character too, shown as U+FFFD, so the value cannot start a line of its
// own that looks like awsenv's.
func Line(s string, max int) string {
	return clean(s, max, true)
}

func clean(s string, limit int, oneLine bool) string {
	if oneLine {
		s = strings.NewReplacer("\n", replacement, "\t", replacement, "\r", replacement).Replace(s)
	}
	var b bytes.Buffer
	w := New(&b)
	// In pieces, so a huge text is not made safe beyond what is shown.
	const piece = 4096
	for i := 0; i < len(s) && b.Len() <= limit; i += piece {
		_, _ = w.Write([]byte(s[i:min(i+piece, len(s))]))
	}
	w.flush(false)
	out := b.String()
	if len(out) <= limit {
		return out
	}
	cut := limit - len(Ellipsis)
	for cut > 0 && !utf8.RuneStart(out[cut]) {
		cut--
	}
	return out[:max(cut, 0)] + Ellipsis
}
