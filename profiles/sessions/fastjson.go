package sessions

// A decoder for session files as awsenv writes them, without reflection:
// encoding/json builds its reflection caches for these types on first use,
// and that was a tenth of every cached `use`. It accepts a strict subset of
// JSON (known keys spelled as json.Marshal spells them, each once, no null,
// numbers as plain integers, valid UTF-8, no surrogate escapes) and says
// no to anything else, which then goes to encoding/json as before: a file
// is never read differently. TestFastDecodeMatchesJSON and
// FuzzFastDecode hold it to encoding/json's result.

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/awsenv/awsenv/profiles"
)

// unmarshalFile is json.Unmarshal(data, f), fast when data is in the subset.
func unmarshalFile(data []byte, f *fileForm) error {
	var g fileForm
	if fastDecodeFile(data, &g) {
		*f = g
		return nil
	}
	return jsonUnmarshal(data, f)
}

// unmarshalSession is json.Unmarshal(data, s), fast when data is in the
// subset.
func unmarshalSession(data []byte, s *Session) error {
	var g Session
	if fastDecodeSession(data, &g) {
		*s = g
		return nil
	}
	return jsonUnmarshal(data, s)
}

// fastDecodeFile decodes a session file into f (zero on entry); false
// when data is outside the subset.
func fastDecodeFile(data []byte, f *fileForm) bool {
	d := &scanner{data: data}
	ok := d.object(func(key string) bool {
		switch key {
		case "expires":
			return d.time(&f.Expires)
		case "access_key_id":
			return d.str(&f.AccessKeyID)
		case "sealed":
			return d.bytes(&f.Sealed)
		}
		return d.sessionField(key, &f.Session)
	})
	return ok && d.end()
}

// fastDecodeSession decodes a session into s (zero on entry); false when
// data is outside the subset.
func fastDecodeSession(data []byte, s *Session) bool {
	d := &scanner{data: data}
	ok := d.object(func(key string) bool { return d.sessionField(key, s) })
	return ok && d.end()
}

// scanner reads the subset. Every method returns false at anything it does
// not take.
type scanner struct {
	data []byte
	i    int
}

func (d *scanner) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *scanner) end() bool {
	d.space()
	return d.i == len(d.data)
}

func (d *scanner) peek() byte {
	d.space()
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

func (d *scanner) consume(c byte) bool {
	if d.peek() != c {
		return false
	}
	d.i++
	return true
}

// object reads {"key": value, ...}, calling field for each key (which
// reads the value); a key seen twice is refused (encoding/json would let
// the last win).
func (d *scanner) object(field func(key string) bool) bool {
	if !d.consume('{') {
		return false
	}
	if d.consume('}') {
		return true
	}
	var seen []string
	for {
		var key string
		if d.peek() != '"' || !d.str(&key) || !d.consume(':') {
			return false
		}
		for _, k := range seen {
			if k == key {
				return false
			}
		}
		seen = append(seen, key)
		if !field(key) {
			return false
		}
		if d.consume(',') {
			continue
		}
		return d.consume('}')
	}
}

// array reads [value, ...], calling elem for each.
func (d *scanner) array(elem func() bool) bool {
	if !d.consume('[') {
		return false
	}
	if d.consume(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.consume(',') {
			continue
		}
		return d.consume(']')
	}
}

// str reads a string: valid UTF-8, no control characters, escapes other
// than surrogates.
func (d *scanner) str(out *string) bool {
	if !d.consume('"') {
		return false
	}
	start := d.i
	// The common case: no escape.
	for d.i < len(d.data) {
		c := d.data[d.i]
		if c == '"' {
			s := d.data[start:d.i]
			if !utf8.Valid(s) {
				return false
			}
			d.i++
			*out = string(s)
			return true
		}
		if c == '\\' || c < 0x20 {
			break
		}
		d.i++
	}
	buf := append([]byte(nil), d.data[start:d.i]...)
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch {
		case c == '"':
			if !utf8.Valid(buf) {
				return false
			}
			d.i++
			*out = string(buf)
			return true
		case c < 0x20:
			return false
		case c != '\\':
			buf = append(buf, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.data) {
			return false
		}
		e := d.data[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			if d.i+4 > len(d.data) {
				return false
			}
			r, err := strconv.ParseUint(string(d.data[d.i:d.i+4]), 16, 32)
			if err != nil || (r >= 0xD800 && r < 0xE000) {
				return false // surrogates: left to encoding/json
			}
			d.i += 4
			buf = utf8.AppendRune(buf, rune(r))
		default:
			return false
		}
	}
	return false
}

// integer reads a small non-negative integer written plainly.
func (d *scanner) integer(out *int) bool {
	d.space()
	start := d.i
	for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
		d.i++
	}
	n := d.i - start
	if n == 0 || n > 9 || (n > 1 && d.data[start] == '0') {
		return false
	}
	if d.i < len(d.data) {
		switch d.data[d.i] {
		case '.', 'e', 'E':
			return false
		}
	}
	v, err := strconv.Atoi(string(d.data[start:d.i]))
	if err != nil {
		return false
	}
	*out = v
	return true
}

func (d *scanner) boolean(out *bool) bool {
	d.space()
	for _, lit := range []string{"true", "false"} {
		if len(d.data)-d.i >= len(lit) && string(d.data[d.i:d.i+len(lit)]) == lit {
			d.i += len(lit)
			*out = lit == "true"
			return true
		}
	}
	return false
}

// time reads a time as encoding/json does: the quoted text, escapes and
// all, handed to time.Time's UnmarshalJSON (strict RFC 3339).
func (d *scanner) time(out *time.Time) bool {
	var s string
	if d.peek() != '"' {
		return false
	}
	start := d.i
	if !d.str(&s) {
		return false
	}
	var t time.Time
	if t.UnmarshalJSON(d.data[start:d.i]) != nil {
		return false
	}
	*out = t
	return true
}

// bytes reads base64 as encoding/json reads a []byte.
func (d *scanner) bytes(out *[]byte) bool {
	var s string
	if !d.str(&s) {
		return false
	}
	b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(b, []byte(s))
	if err != nil {
		return false
	}
	*out = b[:n]
	return true
}

func (d *scanner) strings(out *[]string) bool {
	v := []string{}
	ok := d.array(func() bool {
		var s string
		if !d.str(&s) {
			return false
		}
		v = append(v, s)
		return true
	})
	*out = v
	return ok
}

// sessionField reads the value of key into s.
func (d *scanner) sessionField(key string, s *Session) bool {
	switch key {
	case "version":
		return d.integer(&s.Version)
	case "profile":
		return d.str(&s.Profile)
	case "kind":
		return d.str(&s.Kind)
	case "credentials":
		return d.object(func(k string) bool { return d.credentialsField(k, &s.Credentials) })
	case "created":
		return d.time(&s.Created)
	case "base_key_id":
		return d.str(&s.BaseKeyID)
	case "mfa_serial":
		return d.str(&s.MFASerial)
	case "role_arn":
		return d.str(&s.RoleARN)
	case "source":
		return d.str(&s.Source)
	case "hooks":
		hooks := []HookAnswer{}
		ok := d.array(func() bool {
			var h HookAnswer
			if !d.object(func(k string) bool { return d.hookField(k, &h) }) {
				return false
			}
			hooks = append(hooks, h)
			return true
		})
		s.Hooks = hooks
		return ok
	}
	return false
}

func (d *scanner) credentialsField(key string, c *profiles.Credentials) bool {
	var s string
	switch key {
	case "access_key_id":
		return d.str(&c.AccessKeyID)
	case "secret_access_key":
		ok := d.str(&s)
		c.SecretAccessKey = profiles.Secret(s)
		return ok
	case "session_token":
		ok := d.str(&s)
		c.SessionToken = profiles.Secret(s)
		return ok
	case "expiration":
		return d.time(&c.Expiration)
	case "arn":
		return d.str(&c.ARN)
	case "account_id":
		return d.str(&c.AccountID)
	}
	return false
}

func (d *scanner) hookField(key string, h *HookAnswer) bool {
	switch key {
	case "hook":
		return d.str(&h.Hook)
	case "request":
		return d.str(&h.Request)
	case "set":
		set := []HookVar{}
		ok := d.array(func() bool {
			var v HookVar
			if !d.object(func(k string) bool {
				switch k {
				case "name":
					return d.str(&v.Name)
				case "value":
					return d.str(&v.Value)
				}
				return false
			}) {
				return false
			}
			set = append(set, v)
			return true
		})
		h.Set = set
		return ok
	case "messages":
		return d.strings(&h.Messages)
	case "no_pre_use":
		return d.boolean(&h.NoPreUse)
	case "ask":
		return d.boolean(&h.Ask)
	}
	return false
}

// jsonUnmarshal is encoding/json's, for what the fast path does not take.
func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
