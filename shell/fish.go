package shell

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// fish renders for the fish shell (3.x and later).
//
// Inside fish single quotes only \\ and \' are escapes; everything else,
// including $, (, ), {, }, *, ~ and newlines, is literal. Control characters
// are nevertheless written outside the quotes as \xHH, and bytes that are not
// valid UTF-8 as \XHH (fish's escape for a raw byte), so that:
//   - each statement is exactly one line, which keeps the popular
//     `eval (awsenv use prod)` working: fish splits a command substitution on
//     newlines and eval rejoins the pieces with spaces, which would alter a
//     literal newline inside quotes;
//   - the script itself is valid UTF-8 whatever the value holds.
//
// Both escapes are followed only by another escape, a quote or the end of the
// word, so a literal hex digit can never be taken as part of one.
//
// Statements end in ";" for the same eval reason: rejoined on one line they
// remain separate commands.
type fish struct{}

func (fish) Name() string { return "fish" }

func (fish) Quote(value string) string {
	var b strings.Builder
	b.Grow(len(value) + 2)
	quoted := false
	setQuoted := func(q bool) {
		if quoted != q {
			b.WriteByte('\'')
			quoted = q
		}
	}
	for i := 0; i < len(value); {
		r, size := utf8.DecodeRuneInString(value[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			setQuoted(false)
			fmt.Fprintf(&b, `\X%02X`, value[i])
		case r < 0x20 || r == 0x7f:
			setQuoted(false)
			fmt.Fprintf(&b, `\x%02X`, r)
		case r == '\\' || r == '\'':
			setQuoted(true)
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			setQuoted(true)
			b.WriteString(value[i : i+size])
		}
		i += size
	}
	setQuoted(false)
	if b.Len() == 0 {
		return "''"
	}
	return b.String()
}

// Export uses -g so that the variable is global even when the code is sourced
// inside a wrapper function (plain set -x would make it function-local).
// Option parsing stops at NAME, so a value such as "-e" is not an option.
func (f fish) Export(name, value string) string {
	return "set -gx " + name + " " + f.Quote(value) + ";\n"
}

// Unset erases the variable in the two scopes a name can have outside a
// function: global (where Export writes and inherited environment variables
// live) and universal (`set -Ux AWS_PROFILE x`, stored in fish_variables and
// shared by every fish session of the user). A global shadows a universal,
// and `set -e -g` erases only the global, so an exported universal
// AWS_PROFILE would come back into view and still reach the aws CLI. Both
// are erased, each with its own statement (erasing several scopes in one
// `set -e` is not in every fish 3 release): the universal is gone for the
// user's other fish sessions too, as `use` means that no AWS_PROFILE should
// pick credentials. set -e prints nothing for a missing variable but
// returns 4, so "or true" keeps the status 0 (a sourced script's status is
// its last command's). Render uses it for awsenv's own variables (the
// credentials, AWS_PROFILE, AWSENV_*); the ones hooks set go through
// UnsetGlobal.
func (fish) Unset(name string) string {
	return "set -e -g " + name + "; set -e -U " + name + "; or true;\n"
}

// UnsetGlobal erases the global only (Change.KeepUniversal): the variables
// hooks set (KUBECONFIG, TF_WORKSPACE...) may also be the user's own
// universals (`set -Ux KUBECONFIG ~/.kube/config`), which hold for every
// session and must survive `unset` and a switch; once the global that
// shadowed it is gone, the universal is in view again, as before `use`.
func (fish) UnsetGlobal(name string) string {
	return "set -e -g " + name + "; or true;\n"
}
