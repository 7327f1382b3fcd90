// Package shell renders environment-variable changes as code for the user's
// shell to evaluate, as in
//
//	eval "$(awsenv use prod)"                          # sh, bash, zsh, dash, ksh
//	awsenv use prod | source                           # fish
//	awsenv use prod | Out-String | Invoke-Expression   # PowerShell
//
// The rendered text is executed, and values come from places a user does not
// fully control (config files, profile names, STS responses), so every value
// is emitted as quoted data that the target shell cannot parse as code, and
// every variable name is checked against a strict pattern before it is
// written out unquoted.
package shell

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Change is one variable to set or to remove.
// When Unset is true, Value is ignored.
type Change struct {
	Name  string
	Value string
	Unset bool
	// KeepUniversal, with Unset, removes the variable from this shell
	// only: a fish universal variable of that name (`set -Ux`, shared by
	// all the user's fish sessions) is left as it is and comes back into
	// view. For variables that may be the user's own as much as awsenv's
	// (what hooks set). Other shells have no such scope.
	KeepUniversal bool
}

// Shell renders variable changes as code one shell evaluates.
type Shell interface {
	// Name is the canonical name: "sh", "bash", "zsh", "fish" or "powershell".
	Name() string
	// Quote returns value as one literal word (string) of the shell. For
	// PowerShell a value with characters outside printable ASCII becomes a
	// parenthesized string expression, still a single argument. value must
	// not contain NUL; Render rejects such values before quoting.
	Quote(value string) string
	// Export returns one statement, ending in "\n", that sets and exports
	// name. name must be a valid name (see Render); it is not quoted.
	Export(name, value string) string
	// Unset returns one statement, ending in "\n", that removes name from the
	// shell and its environment. It prints nothing and succeeds even when
	// name is not set.
	Unset(name string) string
}

// globalUnsetter is implemented by shells where a variable can also live
// beyond this shell (fish's universal variables): UnsetGlobal removes it
// from this shell only, for Change.KeepUniversal.
type globalUnsetter interface {
	UnsetGlobal(name string) string
}

// valueChecker is implemented by shells that cannot represent every byte
// string (PowerShell strings are UTF-16). Render consults it so that a value
// is refused rather than silently altered.
type valueChecker interface {
	checkValue(value string) error
}

var shells = map[string]Shell{
	"sh":         posix{name: "sh"},
	"bash":       posix{name: "bash"},
	"zsh":        posix{name: "zsh"},
	"fish":       fish{},
	"powershell": powershell{},
}

// aliases maps other accepted spellings to a canonical name. POSIX shells
// without their own entry share sh's quoting, which they all parse the same.
var aliases = map[string]string{
	"pwsh": "powershell",
	"dash": "sh",
	"ash":  "sh",
	"ksh":  "sh",
	"mksh": "sh",
}

// Names returns the canonical names of the supported shells, sorted.
func Names() []string {
	names := make([]string, 0, len(shells))
	for n := range shells {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Lookup returns the shell called name, which is a canonical name or an
// alias ("pwsh", "dash", "ash", "ksh", "mksh"), in any letter case.
func Lookup(name string) (Shell, error) {
	n := strings.ToLower(name)
	if a, ok := aliases[n]; ok {
		n = a
	}
	if sh, ok := shells[n]; ok {
		return sh, nil
	}
	return nil, fmt.Errorf("shell: unknown shell %s (supported: %s)",
		quoteShort(name), strings.Join(Names(), ", "))
}

// Detect picks the shell from the value of $SHELL, such as "/usr/bin/zsh" or
// `C:\Program Files\PowerShell\7\pwsh.exe`. An empty or unknown value gives
// POSIX sh, the output most shells at least understand.
func Detect(shellEnv string) Shell {
	base := shellEnv[strings.LastIndexAny(shellEnv, `/\`)+1:]
	// Windows executables carry a suffix; a login shell's argv[0] carries a
	// leading "-" and sometimes ends up in $SHELL.
	if len(base) > 4 && strings.EqualFold(base[len(base)-4:], ".exe") {
		base = base[:len(base)-4]
	}
	base = strings.TrimPrefix(base, "-")
	if sh, err := Lookup(base); err == nil {
		return sh
	}
	return shells["sh"]
}

// processShells maps the names a shell's process goes by (its
// /proc/PID/comm, or its executable's base name) to the shell whose code it
// reads. Every POSIX shell without its own entry reads sh's code; busybox
// runs as sh or ash.
var processShells = map[string]string{
	"bash": "bash", "zsh": "zsh", "fish": "fish",
	"sh": "sh", "dash": "sh", "ash": "sh", "busybox": "sh", "ksh": "sh", "ksh93": "sh", "mksh": "sh",
	"lksh": "sh", "oksh": "sh", "pdksh": "sh", "yash": "sh", "posh": "sh",
	"pwsh": "powershell", "powershell": "powershell",
}

// FromProcess returns the shell a process called name is, such as "bash",
// "dash" (sh), "busybox" (sh) or "pwsh.exe" (powershell); ok is false for
// anything else (python3, env, sudo, a terminal...), so that the caller can
// fall back to another guess. Unlike Detect it never defaults to sh.
func FromProcess(name string) (sh Shell, ok bool) {
	base := strings.ToLower(name[strings.LastIndexAny(name, `/\`)+1:])
	base = strings.TrimSuffix(strings.TrimPrefix(base, "-"), ".exe")
	if n, ok := processShells[base]; ok {
		return shells[n], true
	}
	return nil, false
}

// Render returns the code that applies changes in sh: removals first, then
// assignments, each group sorted by name so the output is stable.
//
// Every name must match ^[A-Za-z_][A-Za-z0-9_]*$ and appear only once, and no
// value may contain NUL (no environment can hold it). Values are otherwise
// arbitrary bytes; a shell that cannot represent a value (PowerShell needs
// valid UTF-8) rejects it. On any error Render returns "" and an error that
// names the variable but never includes its value, which may be a secret.
//
// A valid name is not necessarily a safe one: setting PATH, LD_PRELOAD,
// BASH_ENV, PROMPT_COMMAND and the like runs code later. Names must come
// from the program, not from configuration or other untrusted input.
func Render(sh Shell, changes []Change) (string, error) {
	if sh == nil {
		return "", errors.New("shell: Render called with a nil Shell")
	}
	checker, _ := sh.(valueChecker)
	seen := make(map[string]bool, len(changes))
	var unsets, exports []Change
	for _, c := range changes {
		if !validName(c.Name) {
			return "", fmt.Errorf("shell: invalid variable name %s: want letters, digits and _, not starting with a digit", quoteShort(c.Name))
		}
		if seen[c.Name] {
			return "", fmt.Errorf("shell: variable %s is changed more than once", c.Name)
		}
		seen[c.Name] = true
		if c.Unset {
			unsets = append(unsets, c)
			continue
		}
		if strings.IndexByte(c.Value, 0) >= 0 {
			return "", fmt.Errorf("shell: value of %s contains a NUL byte, which no environment variable can hold", c.Name)
		}
		if checker != nil {
			if err := checker.checkValue(c.Value); err != nil {
				return "", fmt.Errorf("shell: value of %s: %w", c.Name, err)
			}
		}
		exports = append(exports, c)
	}
	byName := func(a, b Change) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(unsets, byName)
	slices.SortFunc(exports, byName)

	var b strings.Builder
	for _, c := range unsets {
		if g, ok := sh.(globalUnsetter); ok && c.KeepUniversal {
			b.WriteString(g.UnsetGlobal(c.Name))
			continue
		}
		b.WriteString(sh.Unset(c.Name))
	}
	for _, c := range exports {
		b.WriteString(sh.Export(c.Name, c.Value))
	}
	return b.String(), nil
}

// ValidName reports whether name is a variable name Render accepts:
// ^[A-Za-z_][A-Za-z0-9_]*$. Valid is not safe: see Render.
func ValidName(name string) bool { return validName(name) }

// validName reports whether name matches ^[A-Za-z_][A-Za-z0-9_]*$. Names are
// written unquoted (quoting a name is not possible in every shell), so this
// check is what keeps them inert.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// quoteShort quotes a non-secret string (a name) for an error message,
// shortening it so a garbage argument cannot flood the terminal.
func quoteShort(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
