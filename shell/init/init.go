// Package shellinit holds the shell integration scripts `awsenv init`
// prints: real files beside this one (awsenv.bash, awsenv.zsh, awsenv.fish,
// awsenv.ps1), embedded into the binary, with the awsenv binary's path
// substituted in, quoted for the shell.
package shellinit

import (
	"embed"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/awsenv/awsenv/shell"
)

// Placeholder is the word each script uses where the quoted path of the
// awsenv binary goes. It is a plain word, so the files stay valid scripts
// for shellcheck, zsh -n and fish --no-execute.
const Placeholder = "__AWSENV_EXE__"

//go:embed awsenv.bash awsenv.zsh awsenv.fish awsenv.ps1
var files embed.FS

// fileFor maps a canonical shell name to its script.
var fileFor = map[string]string{
	"bash":       "awsenv.bash",
	"zsh":        "awsenv.zsh",
	"fish":       "awsenv.fish",
	"powershell": "awsenv.ps1",
}

// Shells returns the names of the shells with an integration script.
func Shells() []string {
	return []string{"bash", "zsh", "fish", "powershell"}
}

// Raw returns the script for the shell called name (a canonical name) as it
// is stored, placeholder included.
func Raw(name string) (string, error) {
	f, ok := fileFor[name]
	if !ok {
		return "", fmt.Errorf("no shell integration for %s (available: %s)", name, strings.Join(Shells(), ", "))
	}
	b, err := files.ReadFile(f)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Script returns the integration script for sh that calls the awsenv binary
// at exe, an absolute path, written into the script as sh.Quote(exe).
func Script(sh shell.Shell, exe string) (string, error) {
	if sh == nil {
		return "", fmt.Errorf("shellinit: Script called with a nil Shell")
	}
	raw, err := Raw(sh.Name())
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(exe) {
		return "", fmt.Errorf("the path of the awsenv binary, %q, is not absolute", exe)
	}
	if strings.IndexByte(exe, 0) >= 0 {
		return "", fmt.Errorf("the path of the awsenv binary contains a NUL byte")
	}
	if sh.Name() == "powershell" && !utf8.ValidString(exe) {
		// PowerShell strings are UTF-16: the path would be altered.
		return "", fmt.Errorf("the path of the awsenv binary, %q, is not valid UTF-8, which PowerShell cannot represent", exe)
	}
	return strings.ReplaceAll(raw, Placeholder, sh.Quote(exe)), nil
}
