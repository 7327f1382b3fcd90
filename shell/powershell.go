package shell

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// powershell renders for Windows PowerShell 5.1 and PowerShell 7.
//
// Inside a PowerShell single-quoted string nothing is expanded, and a quote
// is written by doubling it. PowerShell, however, accepts five characters as
// single quotes: ' and the typographic U+2018, U+2019, U+201A and U+201B, and
// any of them ends the string. Rather than doubling those four, the output
// keeps to printable ASCII: runs of printable ASCII go in '...' (with '
// doubled) and every other character is appended as [char]0xHHHH (UTF-16
// code units, so surrogate pairs for characters beyond U+FFFF). The value
// "żółw" is written as
//
//	('' + [char]0x017C + [char]0x00F3 + [char]0x0142 + 'w')
//
// This matters because PowerShell decodes a native command's output with the
// console code page, and a UTF-8 continuation byte such as 0x91 or 0x92
// decodes to U+2018 or U+2019 under Windows-1252: non-ASCII text could then
// grow a quote that ends the string early. ASCII output reads the same in
// every code page, so values also arrive uncorrupted.
//
// Each statement is one line ending in ";". `awsenv use prod | Invoke-Expression`
// runs every output line as a separate script, so a newline inside quotes
// would let the rest of a value run as code; and
// `Invoke-Expression (awsenv use prod)` joins the lines with spaces, which
// the ";" keeps apart.
type powershell struct{}

func (powershell) Name() string { return "powershell" }

func (powershell) Quote(value string) string {
	var b strings.Builder
	b.Grow(len(value) + 2)
	terms := 0
	inLiteral := false
	for _, r := range value {
		if r >= 0x20 && r <= 0x7e {
			if !inLiteral {
				if terms > 0 {
					b.WriteString(" + ")
				}
				b.WriteByte('\'')
				inLiteral = true
				terms++
			}
			if r == '\'' {
				b.WriteByte('\'')
			}
			b.WriteRune(r)
			continue
		}
		if inLiteral {
			b.WriteByte('\'')
			inLiteral = false
		}
		if terms == 0 {
			// The first term must be a string so that + concatenates
			// instead of adding [char] code points.
			b.WriteString("''")
			terms++
		}
		var units []uint16
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			units = []uint16{uint16(r1), uint16(r2)}
		} else {
			units = []uint16{uint16(r)} // invalid UTF-8 arrives as U+FFFD
		}
		for _, u := range units {
			fmt.Fprintf(&b, " + [char]0x%04X", u)
			terms++
		}
	}
	if inLiteral {
		b.WriteByte('\'')
	}
	switch {
	case terms == 0:
		return "''"
	case terms == 1:
		return b.String()
	default:
		// Parentheses make the concatenation one argument when the result is
		// used as a command argument, not only on an assignment's right side.
		return "(" + b.String() + ")"
	}
}

// Export assigns through the Env: drive. Note that PowerShell before 7.5
// removes a variable that is assigned the empty string.
func (p powershell) Export(name, value string) string {
	return "$Env:" + name + " = " + p.Quote(value) + ";\n"
}

// Unset assigns $null, which removes the variable and, unlike Remove-Item on
// a missing variable, raises no error (not even a silenced one in $Error)
// and leaves $? true.
func (powershell) Unset(name string) string {
	return "$Env:" + name + " = $null;\n"
}

var errPowerShellUTF8 = errors.New("not valid UTF-8, which PowerShell cannot represent")

// checkValue refuses bytes that are not UTF-8: PowerShell strings are UTF-16,
// so they would be replaced by U+FFFD and the secret silently changed.
func (powershell) checkValue(value string) error {
	if !utf8.ValidString(value) {
		return errPowerShellUTF8
	}
	return nil
}
