// Package awsini reads the INI dialect of the AWS shared config and
// credentials files, as the AWS CLI (botocore) reads it: Python's
// configparser.RawConfigParser with its defaults. It has one job: text in,
// sections of key/value pairs out, each with its line number.
//
// The dialect, line by line (lines end in "\n", "\r\n" or "\r"):
//
//   - A line that is empty or holds only whitespace is blank. Whitespace is
//     what Python's str.isspace calls whitespace, Unicode included.
//   - A line whose first non-blank character is '#' or ';' is a comment.
//     There are no inline comments: in "key = value # note" the value is
//     "value # note", and in "cmd ; other" the ';' stays too.
//   - A line indented deeper than the line of the current key continues that
//     key's value: its text, stripped, is joined to the value with "\n".
//     Blank lines inside a value are kept as empty lines, blank lines at its
//     end are dropped, and comment lines inside it are skipped. A value that
//     starts with "\n" ("s3 =" followed by indented lines) is a nested block
//     (see Nested).
//   - Otherwise a line whose stripped text starts with '[' and has a ']'
//     after at least one more character is a section header; the name is
//     everything between the '[' and the last ']', as written (not
//     stripped). Text after the last ']' is ignored.
//   - Otherwise it is "key = value" or "key : value", split at the first '='
//     or ':'. The key is lower-cased and stripped, the value stripped. Quotes
//     are kept as written.
//   - [DEFAULT] is configparser's defaults section: its keys apply to every
//     other section of the same file that does not set them.
//
// Where configparser (in botocore's strict mode) refuses a file that names
// one section twice, or one key twice in a section, this package merges:
// the sections become one, and the later key wins, as the Go SDK does. A
// section keeps the place where its name first appears.
//
// Two more leniencies: a UTF-8 byte order mark at the start is skipped, and
// bytes that are not UTF-8 are kept as they are (botocore refuses both).
// Key names are lower-cased with Go's Unicode rules, which differ from
// Python's str.lower for a handful of non-ASCII letters.
//
// Lines configparser refuses are errors here too, by line number: text
// before the first section header, a line that is neither a header, a
// comment nor "key = value", and an empty key name. The error never quotes
// the line, which may hold a secret.
//
// Parse takes time linear in the size of its input. Values on one line are
// substrings of the input (Key.Offset says where); only values joined from
// several lines and key names with upper-case letters are copies.
package awsini

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// DefaultSection is configparser's defaults section.
const DefaultSection = "DEFAULT"

// Key is one key of a section.
type Key struct {
	Name string // lower case, stripped
	// Written is the name as written (stripped, not lower-cased), for the
	// few keys whose case means something to awsenv (awsenv_env_NAME).
	Written string
	Value   string // stripped; lines of a continued value joined by "\n"
	Line    int    // 1-based line of the key
	// Offset is where Value starts in the parsed text when Value is a
	// substring of it (a value on one line, even empty), else -1.
	Offset int
}

// Error is a line the AWS CLI refuses. It names the line by number only.
type Error struct {
	Line    int    // 1-based
	Problem string // what is wrong with the line, without its text
}

func (e *Error) Error() string { return fmt.Sprintf("line %d %s", e.Line, e.Problem) }

// File is a parsed file. Parse checks every line and indexes the section
// headers; a section's keys are read from its lines when asked for, so a
// file of thousands of sections costs little more than its size in bytes.
// A File is safe for use by several goroutines.
type File struct {
	data     string
	blocks   []block   // one per section header, in file order
	sections []section // by name, in order of first appearance
	byName   map[string]int32
	def      int32 // the DEFAULT section, or -1

	defOnce sync.Once
	defKeys []Key // [DEFAULT]'s keys, read once
}

// block is one section header and the lines under it.
type block struct {
	line      int32 // of the header
	indent    int32 // of the header, in characters
	bodyStart int32 // the lines under it: data[bodyStart:bodyEnd]
	bodyEnd   int32 // the next header's line start, or the end
	next      int32 // the next block of the same section, or -1
	section   int32
}

// MaxSize is the longest text Parse reads (offsets are 32-bit inside).
const MaxSize = 1<<31 - 1

type section struct {
	name        string
	first, last int32 // blocks
}

// Section is one section of a File, all its headers merged.
type Section struct {
	f *File
	i int32
}

// Parse reads text in the AWS config dialect.
func Parse(text string) (*File, error) {
	if len(text) > MaxSize {
		return nil, &Error{Line: 1, Problem: fmt.Sprintf("starts a text of %d bytes, more than the %d this parser reads", len(text), MaxSize)}
	}
	brackets := strings.Count(text, "[") // a section per '[' at most
	f := &File{data: text, def: -1, byName: make(map[string]int32, brackets),
		blocks: make([]block, 0, brackets), sections: make([]section, 0, brackets)}
	p := parser{f: f, data: text}
	pos := 0
	if strings.HasPrefix(text, "\ufeff") {
		pos = len("\ufeff")
	}
	if err := p.run(pos, 1); err != nil {
		return nil, err
	}
	if n := len(f.blocks); n > 0 {
		f.blocks[n-1].bodyEnd = int32(len(text))
	}
	return f, nil
}

// parser runs configparser's line loop over a file, or over the lines of
// one section (keys set), storing the keys.
type parser struct {
	f    *File
	data string
	keys *[]Key // where to store keys; nil while checking the whole file

	inValue     bool // a key's value may continue on the next lines
	key         int  // index of that key in *keys, when storing
	keyIndent   int  // indentation of the line that set the key (or the last header)
	valueStart  int  // where the lines after the key's line start
	contEnd     int  // end of the key's last continuation line's text, -1 when none
	haveSection bool
}

func (p *parser) run(pos, line int) error {
	data := p.data
	hasCR := strings.IndexByte(data[pos:], '\r') >= 0
	p.contEnd = -1
	fast := p.keys == nil && !hasCR && !slowOnly
	for ; pos < len(data); line++ {
		if fast {
			if next, ok := p.plainLine(pos); ok {
				pos = next
				continue
			}
		}
		end, next := lineEnd(data, pos, hasCR)
		if err := p.line(line, pos, data[pos:end], next); err != nil {
			return err
		}
		pos = next
	}
	p.finishKey()
	return nil
}

// slowOnly turns plainLine off, so tests can compare both ways.
var slowOnly bool

// plainLine checks the commonest lines of a file in one short scan, when
// the whole file is checked and no key is stored: a blank line, a comment
// and a "key = value" line that starts at the first column, in ASCII. It
// returns where the next line starts; ok is false for any other line,
// which line() then reads with every rule.
func (p *parser) plainLine(pos int) (next int, ok bool) {
	data := p.data
	switch c := data[pos]; {
	case c == '\n':
		return pos + 1, true
	case c == '#' || c == ';':
	case c > ' ' && c < 0x7f && c != '[' && c != '=' && c != ':' && p.haveSection:
		// A key at the first column: never a continuation (that needs more
		// indentation than a key's, which is at least 0). It starts with a
		// character that is not blank, so its name is not empty whatever
		// follows, and the line is a key's iff a delimiter is on it.
		line := data[pos:]
		if nl := strings.IndexByte(line, '\n'); nl >= 0 {
			line = line[:nl]
		}
		if strings.IndexByte(line, '=') < 0 && strings.IndexByte(line, ':') < 0 {
			return 0, false
		}
		p.finishKey()
		p.keyIndent, p.inValue = 0, true
		if len(line) < len(data)-pos {
			return pos + len(line) + 1, true
		}
		return len(data), true
	default:
		return 0, false
	}
	// A blank line or a comment at the first column.
	if nl := strings.IndexByte(data[pos:], '\n'); nl >= 0 {
		return pos + nl + 1, true
	}
	return len(data), true
}

// lineEnd finds the end of the line starting at pos and the start of the
// next one. Without any '\r' in the text it is one vectorised search.
func lineEnd(data string, pos int, hasCR bool) (end, next int) {
	if !hasCR {
		i := strings.IndexByte(data[pos:], '\n')
		if i < 0 {
			return len(data), len(data)
		}
		return pos + i, pos + i + 1
	}
	for i := pos; i < len(data); i++ {
		switch data[i] {
		case '\n':
			return i, i + 1
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				return i, i + 2
			}
			return i, i + 1
		}
	}
	return len(data), len(data)
}

// line handles one line: s is its text without the line end, starting at
// byte start of the data; next is where the following line starts.
func (p *parser) line(n, start int, s string, next int) error {
	lead, indent := leadingSpace(s)
	if lead == len(s) {
		return nil // blank: kept inside a value when a continuation follows
	}
	if c := s[lead]; c == '#' || c == ';' {
		return nil // a comment, even inside a value
	}
	text := s[lead:trailingSpace(s)]
	if p.inValue && indent > p.keyIndent {
		p.contEnd = start + lead + len(text)
		return nil
	}
	p.finishKey()
	p.keyIndent = indent
	if text[0] == '[' {
		if r := strings.LastIndexByte(text, ']'); r >= 2 {
			if p.keys != nil {
				return errNested(n) // the next section's header: cannot happen
			}
			p.header(n, indent, start, text[1:r], next)
			return nil
		}
	}
	if !p.haveSection {
		if text[0] == '[' {
			return &Error{Line: n, Problem: "is a section header without its closing ']' (or with an empty name)"}
		}
		return &Error{Line: n, Problem: "comes before the first [section] header"}
	}
	d := delimiter(text)
	if d < 0 {
		if text[0] == '[' {
			return &Error{Line: n, Problem: "is a section header without its closing ']' (or with an empty name)"}
		}
		return &Error{Line: n, Problem: "is neither a [section] header, a key = value pair nor a comment"}
	}
	if d == 0 { // text starts with its first non-blank character
		return &Error{Line: n, Problem: "has an empty key name before its '" + text[:1] + "'"}
	}
	p.inValue = true
	if p.keys != nil {
		value := text[d+1:]
		vlead, _ := leadingSpace(value)
		written := text[:trailingSpace(text[:d])]
		*p.keys = append(*p.keys, Key{Name: lower(written), Written: written, Value: value[vlead:], Line: n,
			Offset: start + lead + d + 1 + vlead})
		p.key = len(*p.keys) - 1
		p.valueStart = next
	}
	return nil
}

func errNested(n int) error {
	return &Error{Line: n, Problem: "is a section header inside a section (a bug in awsenv)"}
}

// delimiter is the index of the first '=' or ':' in text, or -1.
func delimiter(text string) int {
	d := strings.IndexByte(text, '=')
	limit := text
	if d >= 0 {
		limit = text[:d]
	}
	if c := strings.IndexByte(limit, ':'); c >= 0 {
		return c
	}
	return d
}

// header starts a new section block.
func (p *parser) header(n, indent, start int, name string, next int) {
	f := p.f
	p.haveSection = true
	b := int32(len(f.blocks))
	if b > 0 {
		f.blocks[b-1].bodyEnd = int32(start)
	}
	f.blocks = append(f.blocks, block{line: int32(n), indent: int32(indent), bodyStart: int32(next), next: -1})
	si, ok := f.byName[name]
	if ok {
		f.blocks[f.sections[si].last].next = b
		f.sections[si].last = b
	} else {
		si = int32(len(f.sections))
		f.sections = append(f.sections, section{name: name, first: b, last: b})
		f.byName[name] = si
		if name == DefaultSection {
			f.def = si
		}
	}
	f.blocks[b].section = si
}

// finishKey ends the current key's value, joining its continuation lines
// when keys are stored.
func (p *parser) finishKey() {
	if p.keys != nil && p.inValue && p.contEnd >= 0 {
		k := &(*p.keys)[p.key]
		k.Value = joinLines(k.Value, p.data[p.valueStart:p.contEnd])
		k.Offset = -1
	}
	p.inValue, p.contEnd = false, -1
}

// blockKeys reads the keys under one header, appending them to keys.
func (f *File) blockKeys(b int32, keys []Key) []Key {
	blk := &f.blocks[b]
	// The state after a header: no key yet, the header's indentation.
	p := parser{f: f, data: f.data[:blk.bodyEnd], keys: &keys, keyIndent: int(blk.indent), haveSection: true}
	// Parse checked these lines in this same state: no error can come.
	_ = p.run(int(blk.bodyStart), int(blk.line)+1)
	return keys
}

// joinLines is configparser's value: the first line's value, then each
// line of rest stripped (blank lines as empty lines, comments skipped),
// joined by "\n". rest ends with a continuation line's text.
func joinLines(first, rest string) string {
	var b strings.Builder
	b.Grow(len(first) + 1 + len(rest))
	b.WriteString(first)
	hasCR := strings.IndexByte(rest, '\r') >= 0
	for pos := 0; pos < len(rest); {
		end, next := lineEnd(rest, pos, hasCR)
		s := rest[pos:end]
		lead, _ := leadingSpace(s)
		switch {
		case lead == len(s):
			b.WriteByte('\n')
		case s[lead] == '#' || s[lead] == ';':
		default:
			b.WriteByte('\n')
			b.WriteString(s[lead:trailingSpace(s)])
		}
		pos = next
	}
	return b.String()
}

// lower is configparser's optionxform (str.lower), without a copy for the
// usual lower-case ASCII name.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// asciiSpace marks the ASCII characters Python's str.isspace accepts.
var asciiSpace = [128]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true,
	0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true, ' ': true}

// isSpace is Python's str.isspace for one character.
func isSpace(r rune) bool {
	if r < 0x80 {
		return asciiSpace[r]
	}
	switch {
	case r == 0x85, r == 0xa0, r == 0x1680, 0x2000 <= r && r <= 0x200a,
		r == 0x2028, r == 0x2029, r == 0x202f, r == 0x205f, r == 0x3000:
		return true
	}
	return false
}

// leadingSpace returns the byte length of s's leading whitespace and its
// length in characters (configparser measures indentation in characters).
func leadingSpace(s string) (bytes, chars int) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < 0x80 {
			if !asciiSpace[c] {
				break
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !isSpace(r) {
				break
			}
			i += size
		}
		chars++
	}
	return i, chars
}

// trailingSpace returns the end of s without its trailing whitespace.
func trailingSpace(s string) int {
	i := len(s)
	for i > 0 {
		c := s[i-1]
		if c < 0x80 {
			if !asciiSpace[c] {
				break
			}
			i--
		} else {
			r, size := utf8.DecodeLastRuneInString(s[:i])
			if !isSpace(r) {
				break
			}
			i -= size
		}
	}
	return i
}

// Sections are the file's sections in order of first appearance, without
// [DEFAULT].
func (f *File) Sections() []Section {
	out := make([]Section, 0, len(f.sections))
	for i := range f.sections {
		if int32(i) != f.def {
			out = append(out, Section{f, int32(i)})
		}
	}
	return out
}

// NumSections counts the sections Sections returns.
func (f *File) NumSections() int {
	if f.def >= 0 {
		return len(f.sections) - 1
	}
	return len(f.sections)
}

// SectionAt is the i-th section Sections returns, without allocating.
func (f *File) SectionAt(i int) Section {
	if f.def >= 0 && int32(i) >= f.def {
		i++
	}
	return Section{f, int32(i)}
}

// Section finds a section by its exact name. [DEFAULT] is found too.
func (f *File) Section(name string) (Section, bool) {
	i, ok := f.byName[name]
	return Section{f, i}, ok
}

// Name is the section's name as written between the brackets.
func (s Section) Name() string { return s.f.sections[s.i].name }

// Line is the line of the section's first header.
func (s Section) Line() int { return int(s.f.blocks[s.f.sections[s.i].first].line) }

// Headers are the lines of all the section's headers: more than one when
// the file repeats it.
func (s Section) Headers() []int {
	var lines []int
	for b := s.f.sections[s.i].first; b >= 0; b = s.f.blocks[b].next {
		lines = append(lines, int(s.f.blocks[b].line))
	}
	return lines
}

// RawKeys are every key line of the section, under all its headers, in
// file order: a key written twice is there twice. [DEFAULT]'s are not.
// Each call reads the section's lines again.
func (s Section) RawKeys() []Key {
	if s.i == s.f.def {
		return s.f.defaults()
	}
	var keys []Key
	for b := s.f.sections[s.i].first; b >= 0; b = s.f.blocks[b].next {
		keys = s.f.blockKeys(b, keys)
	}
	return keys
}

// Block is one header of a section and the key lines under it, in file
// order: what a tool that edits the file in place needs to tell a repeated
// section's headers apart (profiles.ReplaceKey).
type Block struct {
	Line int // of the header, 1-based
	Keys []Key
}

// Blocks are the section's headers in file order, each with its keys.
// Each call reads the section's lines again.
func (s Section) Blocks() []Block {
	var out []Block
	for b := s.f.sections[s.i].first; b >= 0; b = s.f.blocks[b].next {
		out = append(out, Block{Line: int(s.f.blocks[b].line), Keys: s.f.blockKeys(b, nil)})
	}
	return out
}

// defaults are the keys of [DEFAULT], read once.
func (f *File) defaults() []Key {
	if f.def < 0 {
		return nil
	}
	f.defOnce.Do(func() {
		for b := f.sections[f.def].first; b >= 0; b = f.blocks[b].next {
			f.defKeys = f.blockKeys(b, f.defKeys)
		}
	})
	return f.defKeys
}

// Own looks a key up in the section itself: the last one of that name.
func (s Section) Own(name string) (Key, bool) {
	return last(s.RawKeys(), name)
}

func last(keys []Key, name string) (Key, bool) {
	for i := len(keys) - 1; i >= 0; i-- {
		if keys[i].Name == name {
			return keys[i], true
		}
	}
	return Key{}, false
}

// Get looks a key up as configparser does: the section's own (the last
// one of that name), else [DEFAULT]'s. name must be lower case.
func (s Section) Get(name string) (Key, bool) {
	if k, ok := s.Own(name); ok {
		return k, true
	}
	if s.i != s.f.def {
		return last(s.f.defaults(), name)
	}
	return Key{}, false
}

// Keys are the section's keys as configparser sees them: each name once
// with its last value, then the [DEFAULT] keys the section does not set.
func (s Section) Keys() []Key {
	raw := s.RawKeys()
	var def []Key
	if s.i != s.f.def {
		def = s.f.defaults()
	}
	if len(def) == 0 && !hasRepeats(raw) {
		return raw
	}
	all := make([]Key, 0, len(raw)+len(def))
	all = append(all, def...)
	all = append(all, raw...)
	// Keep the last of each name: walk backwards, then restore the order.
	seen := make(map[string]bool, len(all))
	out := make([]Key, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		if !seen[all[i].Name] {
			seen[all[i].Name] = true
			out = append(out, all[i])
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// hasRepeats tells whether a name occurs twice in keys; quadratic only for
// the few keys a section usually has.
func hasRepeats(keys []Key) bool {
	if len(keys) > 16 {
		seen := make(map[string]struct{}, len(keys))
		for _, k := range keys {
			if _, ok := seen[k.Name]; ok {
				return true
			}
			seen[k.Name] = struct{}{}
		}
		return false
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[i].Name == keys[j].Name {
				return true
			}
		}
	}
	return false
}

// Map is Keys as a map from name to value.
func (s Section) Map() map[string]string {
	keys := s.Keys()
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		m[k.Name] = k.Value
	}
	return m
}

// Nested reads a nested block, a value that starts with a line break, as
// botocore does: one "key = value" per line, split at the first '=', both
// sides stripped (names keep their case). Blank lines are skipped; so are
// lines without '=', which make botocore refuse the whole file. ok is
// false when value is not a nested block.
func Nested(value string) (m map[string]string, ok bool) {
	if !strings.HasPrefix(value, "\n") {
		return nil, false
	}
	m = map[string]string{}
	for _, line := range strings.Split(value[1:], "\n") {
		k, v, found := strings.Cut(line, "=")
		if !found {
			continue
		}
		m[strings.TrimFunc(k, isSpace)] = strings.TrimFunc(v, isSpace)
	}
	return m, true
}
