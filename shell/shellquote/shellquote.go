// Package shellquote is the one rule for writing words for a POSIX shell
// (sh, bash, zsh, dash, ksh): the values `use` exports and every command a
// message shows a person to paste (a fix). It imports nothing of awsenv's,
// so every package may use it.
//
// Inside single quotes every byte is literal except the closing quote, so a
// word is wrapped in single quotes and each quote in it is closed, escaped
// and reopened:
//
//	it's  ->  'it'\''s'
//
// A closing quote in that encoding is always followed by a backslash, a
// space or a newline, never by another quote, so zsh's RC_QUOTES option
// cannot change the meaning. Newlines stay literal: POSIX has no portable
// escape for them outside quotes.
package shellquote

import "strings"

// Always quotes s, whatever it holds: for values a shell evaluates.
func Always(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			b.WriteString(`'\''`)
		} else {
			b.WriteByte(s[i])
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// Word quotes s only when a shell would not read it as one literal word,
// so messages show names and paths as a person would type them.
func Word(s string) string {
	if s == "" {
		return "''"
	}
	for i := 0; i < len(s); i++ {
		if !plain(s[i]) {
			return Always(s)
		}
	}
	return s
}

// Command is words as one POSIX command line, each quoted as Word does.
func Command(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = Word(w)
	}
	return strings.Join(q, " ")
}

// plain bytes need no quoting anywhere in a word.
func plain(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("@%+=:,./_-", c) >= 0
}
