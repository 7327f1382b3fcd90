package shell

import (
	"strings"
	"unicode/utf8"
)

// hostile holds values that would run code, change meaning or get mangled if
// any shell saw them unquoted or badly quoted. Anything that succeeds in
// running code creates a file named PWNED in the working directory.
var hostile = []struct {
	name  string
	value string
}{
	{"empty", ""},
	{"space", " "},
	{"spaces", "  two  spaces  "},
	{"plain", "AKIAIOSFODNN7EXAMPLE"},
	{"secret-like", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+/="},
	{"single-quote", "'"},
	{"single-quotes", "''"},
	{"quote-breakout", "'; touch PWNED; '"},
	{"quote-breakout-posix", `'"'"'; touch PWNED #`},
	{"double-quote", `"`},
	{"double-breakout", `"; touch PWNED; "`},
	{"backslash", `\`},
	{"backslashes", `\\\`},
	{"trailing-backslash", `abc\`},
	{"backslash-quote", `\'; touch PWNED; echo \'`},
	{"backslash-n", `a\nb`},
	{"command-subst", "$(touch PWNED)"},
	{"backticks", "`touch PWNED`"},
	{"param", "$HOME ${HOME} $0 $1 $@ $* $# $? $$ $!"},
	{"ifs", "${IFS}touch${IFS}PWNED"},
	{"arith", "$((1+1))"},
	{"semicolon", "; touch PWNED"},
	{"and", "&& touch PWNED"},
	{"or", "|| touch PWNED"},
	{"pipe", "| touch PWNED"},
	{"redirect", "> PWNED"},
	{"background", "& touch PWNED &"},
	{"newline", "\n"},
	{"newline-cmd", "x\ntouch PWNED\n"},
	{"newline-quote-cmd", "x'\ntouch PWNED\n'"},
	{"cr", "\r"},
	{"crlf-cmd", "x\r\ntouch PWNED\r\n"},
	{"tab", "a\tb"},
	{"controls", "\x01\x07\x08\x0b\x0c\x1b[31mred\x1b[0m\x7f"},
	{"bang", "!"},
	{"bangbang", "!!"},
	{"history", "!-1 !$ ^a^b"},
	{"glob-star", "*"},
	{"glob-question", "?"},
	{"glob-bracket", "[a]"},
	{"bracket", "["},
	{"tilde", "~"},
	{"tilde-user", "~root/x"},
	{"percent", "%"},
	{"prompt", "%n%~%(!.#.$) %1"},
	{"braces", "{a,b}"},
	{"braces-empty", "{}"},
	{"hash", "#"},
	{"comment", "x # touch PWNED"},
	{"dash", "-"},
	{"dashdash", "--"},
	{"option", "-e"},
	{"long-option", "--help"},
	{"equals", "=ls"},
	{"assignment", "X=1 touch PWNED"},
	{"utf8", "żółw 🐢"},
	{"ps-typographic", "\u2018\u2019\u201a\u201b"},
	{"ps-breakout", "\u2019; New-Item PWNED; \u2018"},
	{"ps-env", "$Env:HOME"},
	{"ps-subexpr", "$(New-Item PWNED)"},
	{"ps-backtick", "`n`0`'"},
	{"ps-array", "@(1) @{a=1}"},
	{"fish-cmdsubst", "(touch PWNED)"},
	{"fish-dollar-subst", "$(touch PWNED)"},
	{"fish-escape", `\x41\u00e9`},
	{"fish-var", "$fish_pid %self"},
	{"unicode-separators", "a\u2028b\u2029c\u0085d\u00a0e"},
	{"bom", "\ufeffx"},
	{"replacement-char", "\ufffd"},
	{"fish-pua", "\uf600\uf6ff"},
	{"invalid-utf8", "\xff\xfe"},
	{"invalid-utf8-quote", "\xc5'; touch PWNED; '"},
	{"lone-continuation", "\x91\x92"},
	{"surrogate-bytes", "\xed\xa0\x80"},
	{"truncated-utf8", "\xf0\x9f\x90"},
	{"long", longValue(100 * 1024)},
	{"long-quotes", strings.Repeat("'", 100*1024)},
}

// longValue is n bytes of valid UTF-8 made of hostile pieces.
func longValue(n int) string {
	const chunk = "a'b\"c\\d$(touch PWNED)`e`;\n\t\r*?[~%{a,b}# żółw🐢\u2019!"
	s := strings.Repeat(chunk, n/len(chunk)+1)[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
