package shell

import "github.com/awsenv/awsenv/shell/shellquote"

// posix renders for sh, bash, zsh, dash and ksh, which all share the rule
// used here: inside single quotes every byte is literal except the closing
// quote. Nothing is expanded there, not $, `, \, !, %, ~, *, globs or braces,
// not even by zsh or by bash's history expansion (which applies to typed
// lines, never to eval'd text). So a value is wrapped in single quotes and
// each quote in it is closed, escaped and reopened:
//
//	it's  ->  'it'\''s'
//
// A closing quote in that encoding is always followed by a backslash, a
// space or a newline, never by another quote, so zsh's RC_QUOTES option
// (which reads two adjacent quotes inside quotes as one) cannot change the
// meaning. Newlines stay literal: POSIX has no portable escape for them
// outside quotes (dash lacks $'...'), and eval "$(...)" keeps them intact.
type posix struct{ name string }

func (p posix) Name() string { return p.name }

func (posix) Quote(value string) string { return shellquote.Always(value) }

// Export uses the one-argument form "export NAME=value": it is POSIX and,
// since the whole argument is one quoted word, no shell splits or globs it.
func (p posix) Export(name, value string) string {
	return "export " + name + "=" + p.Quote(value) + "\n"
}

// Unset uses -v because plain "unset NAME" in bash removes a function called
// NAME when no such variable exists. Unsetting an unset variable is silent
// and succeeds in every POSIX shell.
func (posix) Unset(name string) string {
	return "unset -v " + name + "\n"
}
