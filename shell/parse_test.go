package shell

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// These are small independent re-parsers of the quoting each shell applies,
// written from the shells' rules rather than from the encoders, so a
// round trip through them checks the encoders. They accept only the forms
// the encoders are meant to emit and reject anything else, so a stray
// unquoted character is an error rather than a silent pass.

// unquotePOSIX parses one POSIX shell word made of '...' runs and \'
// escapes. Inside single quotes every byte is literal up to the next '.
func unquotePOSIX(word string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(word); {
		switch word[i] {
		case '\'':
			j := strings.IndexByte(word[i+1:], '\'')
			if j < 0 {
				return "", errors.New("unterminated single quote")
			}
			b.WriteString(word[i+1 : i+1+j])
			i += j + 2
		case '\\':
			// Only \' is expected; \<newline> would be a line continuation.
			if i+1 >= len(word) || word[i+1] != '\'' {
				return "", fmt.Errorf("unexpected escape at byte %d", i)
			}
			b.WriteByte('\'')
			i += 2
		default:
			return "", fmt.Errorf("unquoted byte %q at %d", word[i], i)
		}
	}
	if len(word) == 0 {
		return "", errors.New("empty word")
	}
	return b.String(), nil
}

// unquoteFish parses one fish word made of '...' runs (in which only \\ and
// \' are escapes; a backslash before anything else is literal) and, outside
// quotes, \xHH (an ASCII character, HH <= 7F) and \XHH (a raw byte).
func unquoteFish(word string) (string, error) {
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(word); {
		c := word[i]
		if inQuote {
			switch {
			case c == '\'':
				inQuote = false
				i++
			case c == '\\' && i+1 < len(word) && (word[i+1] == '\\' || word[i+1] == '\''):
				b.WriteByte(word[i+1])
				i += 2
			default:
				b.WriteByte(c)
				i++
			}
			continue
		}
		switch {
		case c == '\'':
			inQuote = true
			i++
		case c == '\\' && i+3 < len(word) && (word[i+1] == 'x' || word[i+1] == 'X'):
			n, err := strconv.ParseUint(word[i+2:i+4], 16, 8)
			if err != nil {
				return "", fmt.Errorf("bad hex escape at %d: %v", i, err)
			}
			v := byte(n)
			if word[i+1] == 'x' && v > 0x7f {
				return "", fmt.Errorf(`\x%02X is not ASCII`, v)
			}
			b.WriteByte(v)
			i += 4
		default:
			return "", fmt.Errorf("unquoted byte %q at %d", c, i)
		}
	}
	if inQuote {
		return "", errors.New("unterminated single quote")
	}
	if len(word) == 0 {
		return "", errors.New("empty word")
	}
	return b.String(), nil
}

// isPSQuote reports whether PowerShell's tokenizer takes r as a single
// quote: the ASCII one and four typographic ones.
func isPSQuote(r rune) bool {
	switch r {
	case '\'', '\u2018', '\u2019', '\u201a', '\u201b':
		return true
	}
	return false
}

// scanPSSingleQuoted follows PowerShell's tokenizer on a single-quoted
// string starting at rs[0]: any quote character ends the string unless
// another quote character follows, in which case the second is kept.
func scanPSSingleQuoted(rs []rune) (value, rest []rune, err error) {
	if len(rs) == 0 || !isPSQuote(rs[0]) {
		return nil, nil, errors.New("not a single-quoted string")
	}
	for i := 1; i < len(rs); i++ {
		if !isPSQuote(rs[i]) {
			value = append(value, rs[i])
			continue
		}
		if i+1 < len(rs) && isPSQuote(rs[i+1]) {
			value = append(value, rs[i+1])
			i++
			continue
		}
		return value, rs[i+1:], nil
	}
	return nil, nil, errors.New("unterminated single-quoted string")
}

// parsePowerShellExpr evaluates the expressions the PowerShell encoder
// emits: one single-quoted string, or a parenthesized concatenation
//
//	('...' + [char]0xHHHH + '...')
//
// whose first term is a string (so + concatenates strings).
func parsePowerShellExpr(expr string) (string, error) {
	rs := []rune(expr)
	paren := len(rs) > 0 && rs[0] == '('
	if paren {
		if rs[len(rs)-1] != ')' {
			return "", errors.New("unbalanced parenthesis")
		}
		rs = rs[1 : len(rs)-1]
	}
	var units []uint16
	terms := 0
	for {
		switch {
		case len(rs) > 0 && isPSQuote(rs[0]):
			v, rest, err := scanPSSingleQuoted(rs)
			if err != nil {
				return "", err
			}
			units = append(units, utf16.Encode(v)...)
			rs = rest
		case len(rs) >= 8 && string(rs[:8]) == "[char]0x":
			if terms == 0 {
				return "", errors.New("first term is a [char], so + would add numbers")
			}
			if len(rs) < 12 {
				return "", errors.New("short [char] literal")
			}
			u, err := strconv.ParseUint(string(rs[8:12]), 16, 16)
			if err != nil {
				return "", fmt.Errorf("bad [char] literal: %v", err)
			}
			units = append(units, uint16(u))
			rs = rs[12:]
		default:
			return "", fmt.Errorf("unexpected text %q", truncate(string(rs)))
		}
		terms++
		if len(rs) == 0 {
			break
		}
		if !strings.HasPrefix(string(rs[:min(3, len(rs))]), " + ") {
			return "", fmt.Errorf("unexpected text %q after term %d", truncate(string(rs)), terms)
		}
		rs = rs[3:]
	}
	if terms > 1 && !paren {
		return "", errors.New("concatenation is not parenthesized")
	}
	return string(utf16.Decode(units)), nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// The re-parsers are only worth trusting if they follow the shells' rules,
// so check them on hand-written inputs first.
func TestReParsers(t *testing.T) {
	posix := []struct{ in, want string }{
		{`''`, ""},
		{`'a b'`, "a b"},
		{`'it'\''s'`, "it's"},
		{`'a\b'`, `a\b`},
		{"'a\nb'", "a\nb"},
	}
	for _, c := range posix {
		if got, err := unquotePOSIX(c.in); err != nil || got != c.want {
			t.Errorf("unquotePOSIX(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{``, `'a`, `a`, `'a' 'b'`, `'a'\b`, "'a'\\\n"} {
		if got, err := unquotePOSIX(bad); err == nil {
			t.Errorf("unquotePOSIX(%q) = %q, want error", bad, got)
		}
	}

	fishCases := []struct{ in, want string }{
		{`''`, ""},
		{`'a\\b'`, `a\b`},
		{`'a\'b'`, `a'b`},
		{`'a\nb'`, `a\nb`}, // \n is not an escape inside fish quotes
		{`'a'\x0A'b'`, "a\nb"},
		{`\XFF\x01`, "\xff\x01"},
	}
	for _, c := range fishCases {
		if got, err := unquoteFish(c.in); err != nil || got != c.want {
			t.Errorf("unquoteFish(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{``, `'a`, `a`, `'a' 'b'`, `\xFF`, `\x4`, `\x4'a'`, `'a'\n`} {
		if got, err := unquoteFish(bad); err == nil {
			t.Errorf("unquoteFish(%q) = %q, want error", bad, got)
		}
	}

	ps := []struct{ in, want string }{
		{`''`, ""},
		{`'it''s'`, "it's"},
		{"'a\u2019\u2019b'", "a\u2019b"},         // a doubled typographic quote is one
		{"\u2018a'\u2019b\u201b", "a\u2019b"},    // any quote pair escapes; any quote opens and closes
		{"('' + [char]0x017C + 'x')", "\u017cx"}, // concatenation
		{"('' + [char]0xD83D + [char]0xDC22)", "🐢"},
	}
	for _, c := range ps {
		if got, err := parsePowerShellExpr(c.in); err != nil || got != c.want {
			t.Errorf("parsePowerShellExpr(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{
		``, `'a`, `a`,
		"'a\u2019b'",             // the typographic quote ends the string early
		"'a' + 'b'",              // unparenthesized concatenation
		"([char]0x0041 + 'b')",   // [char] first
		"('a' + [char]0x41)",     // short literal
		"('a' + [char]0x0041 b)", // stray text
	} {
		if got, err := parsePowerShellExpr(bad); err == nil {
			t.Errorf("parsePowerShellExpr(%q) = %q, want error", bad, got)
		}
	}
}
