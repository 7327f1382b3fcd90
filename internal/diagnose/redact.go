package diagnose

import (
	"slices"
	"strings"
)

// Redacted replaces a secret in text awsenv echoes.
const Redacted = "[REDACTED]"

// secretNames are the names a secret key or session token goes by in
// credentials files, environment variables, JSON answers and URLs,
// lowercased.
var secretNames = []string{
	"aws_secret_access_key", "aws_session_token", "aws_security_token",
	"secretaccesskey", "sessiontoken", "secret_access_key", "session_token",
	"x-amz-security-token",
}

// Redact hides anything in s that looks like a secret access key or a
// session token: the value after one of their names (name = value,
// NAME=value, "Name": "value"), and any run of 40 or more base64
// characters with both upper and lower case letters (a secret key is 40, a
// token hundreds; paths and ids are lower case or broken up by '.', '-' or
// ':'). Access key ids (AKIA..., 20 characters) are not secret and stay.
func Redact(s string) string {
	var spans [][2]int // byte ranges to hide, in order, not overlapping
	lower := asciiLower(s)
	for _, name := range secretNames {
		for from := 0; ; {
			i := strings.Index(lower[from:], name)
			if i < 0 {
				break
			}
			i += from
			from = i + len(name)
			if start, end, ok := valueAfter(s, from); ok {
				spans = append(spans, [2]int{start, end})
				from = end
			}
		}
	}
	for i := 0; i < len(s); {
		if !base64Char(s[i]) {
			i++
			continue
		}
		j := i
		upper, lower := false, false
		for j < len(s) && base64Char(s[j]) {
			upper = upper || 'A' <= s[j] && s[j] <= 'Z'
			lower = lower || 'a' <= s[j] && s[j] <= 'z'
			j++
		}
		long := j-i >= 40
		for j < len(s) && s[j] == '=' {
			j++
		}
		if long && upper && lower {
			spans = append(spans, [2]int{i, j})
		}
		i = j
	}
	if len(spans) == 0 {
		return s
	}
	return cut(s, spans)
}

// valueAfter finds the value that follows a secret's name at s[at:]: after
// optional quotes and spaces, a ':' or '=', more quotes and spaces, the run
// up to the next space, quote or separator.
func valueAfter(s string, at int) (int, int, bool) {
	i, sep := at, false
	for i < len(s) && i-at < 8 {
		c := s[i]
		if c == ':' || c == '=' {
			sep = true
		} else if c != ' ' && c != '\t' && c != '"' && c != '\'' {
			break
		}
		i++
	}
	if !sep {
		return 0, 0, false
	}
	j := i
	for j < len(s) && !strings.ContainsRune(" \t\r\n\"'`,;&)}]", rune(s[j])) {
		j++
	}
	return i, j, j > i
}

// cut replaces each span with Redacted; overlapping or touching spans
// become one.
func cut(s string, spans [][2]int) string {
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		last := &merged[len(merged)-1]
		if sp[0] <= last[1] {
			last[1] = max(last[1], sp[1])
			continue
		}
		merged = append(merged, sp)
	}
	var b strings.Builder
	pos := 0
	for _, sp := range merged {
		b.WriteString(s[pos:sp[0]])
		b.WriteString(Redacted)
		pos = sp[1]
	}
	b.WriteString(s[pos:])
	return b.String()
}

func base64Char(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '+'
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
