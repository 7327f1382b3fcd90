package profiles

import "strings"

// shlexSecond is botocore's test for a section name such as
// "profile NAME": Python's shlex.split(section) must give exactly two
// words, and the second is the name. ok is false otherwise, and when
// shlex.split fails (an unclosed quote, a trailing backslash).
func shlexSecond(s string) (second string, ok bool) {
	// One pass: words are runs of non-whitespace, and the second is a
	// substring of s, unless a quote or a backslash needs the full rules.
	n := 0
	for i := 0; i < len(s); {
		for i < len(s) && shlexSpace(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		j := i
		for ; j < len(s) && !shlexSpace(s[j]); j++ {
			if shlexQuote[s[j]] {
				words, ok := shlexSplit(s)
				if !ok || len(words) != 2 {
					return "", false
				}
				return words[1], true
			}
		}
		n++
		if n == 2 {
			second = s[i:j]
		}
		i = j
	}
	return second, n == 2
}

// shlexQuote marks the characters that need shlex's full rules.
var shlexQuote = [256]bool{'"': true, '\'': true, '\\': true}

// shlexSpace is shlex's whitespace: " \t\r\n".
func shlexSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// shlexSplit is Python's shlex.split(s) (POSIX mode, no comments): words
// split at whitespace; '...' quotes everything; "..." quotes everything but
// a backslash before '"' or '\'; a backslash outside quotes escapes the next
// character; an empty quoted string is a word. ok is false where Python
// raises ValueError ("No closing quotation", "No escaped character").
func shlexSplit(s string) (words []string, ok bool) {
	var (
		word   strings.Builder
		inWord bool // a word has started (possibly empty, if quoted)
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case shlexSpace(c):
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case c == '\\':
			if i+1 == len(s) {
				return nil, false
			}
			i++
			word.WriteByte(s[i])
			inWord = true
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, false
			}
			word.WriteString(s[i+1 : i+1+end])
			i += 1 + end
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				word.WriteByte(s[i])
			}
			if i == len(s) {
				return nil, false
			}
			inWord = true
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, true
}
