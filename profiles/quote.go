package profiles

import "github.com/awsenv/awsenv/shell/shellquote"

// ShellWord quotes s for a POSIX shell command shown in a fix, when it
// needs quoting (shellquote.Word).
func ShellWord(s string) string { return shellquote.Word(s) }
