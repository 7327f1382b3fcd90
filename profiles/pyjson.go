package profiles

import (
	"bytes"
	"fmt"
	"unicode/utf16"
)

// PyJSONString is s as Python's json.dumps writes a string (ensure_ascii):
// ASCII only, other characters as \uXXXX (surrogate pairs beyond the
// BMP). The files awsenv shares with the AWS CLI (the SSO and login
// caches, the registration file names hashed from JSON) are written by
// botocore this way, and awsenv writes them byte for byte alike.
func PyJSONString(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
