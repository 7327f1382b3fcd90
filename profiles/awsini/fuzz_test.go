package awsini

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: Parse never panics; an error is an *Error naming a line of the
// text; otherwise every key is well formed (lower case, stripped, at its
// line, a one-line value found at its Offset), and writing the file out
// again (serialize) and parsing that gives the same sections.
//
//	go test -run '^$' -fuzz FuzzParse ./profiles/awsini/
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "[a]\nk = v\n", "[DEFAULT]\nk = d\n[a]\n[a]\nK : v # c\n  more\n\n  x = 1\n",
		"\ufeff[a]\r\nk=v\r", "[a]]\n[k = v\n", "k = v\n", "[a]\n= x\n", "\t[a]\n\tk = v\n  l = w\n"} {
		f.Add(s)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		f.Add(genFile(rng))
	}
	f.Fuzz(func(t *testing.T, text string) {
		file, err := Parse(text)
		// The fast path for plain lines reads exactly what line() reads.
		slowOnly = true
		slowFile, slowErr := Parse(text)
		slowOnly = false
		if fmt.Sprint(err) != fmt.Sprint(slowErr) {
			t.Fatalf("fast path: error %v, every rule: %v", err, slowErr)
		}
		if err == nil && !reflect.DeepEqual(sections(file), sections(slowFile)) {
			t.Fatalf("fast path read %q, every rule %q", sections(file), sections(slowFile))
		}
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Line > strings.Count(text, "\n")+strings.Count(text, "\r")+1 {
				t.Fatalf("error %v does not name a line of the text", err)
			}
			return
		}
		for _, s := range append(file.Sections(), defaultSection(file)...) {
			for _, k := range s.RawKeys() {
				checkKey(t, text, k)
			}
		}
		again, err := Parse(serialize(file))
		if err != nil {
			t.Fatalf("the serialized file does not parse: %v\n%q", err, serialize(file))
		}
		if a, b := sections(file), sections(again); !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip\n got %q\nwant %q\nvia %q", b, a, serialize(file))
		}
	})
}

func defaultSection(f *File) []Section {
	if s, ok := f.Section(DefaultSection); ok {
		return []Section{s}
	}
	return nil
}

func checkKey(t *testing.T, text string, k Key) {
	t.Helper()
	if k.Name == "" || k.Name != lower(k.Name) || strings.ContainsAny(k.Name, "=:\n\r") {
		t.Fatalf("bad key name %q", k.Name)
	}
	for _, s := range []string{k.Name, k.Value} {
		if r, _ := utf8.DecodeRuneInString(s); s != "" && isSpace(r) && s != k.Value {
			t.Fatalf("%q starts with whitespace", s)
		}
		if r, _ := utf8.DecodeLastRuneInString(s); s != "" && isSpace(r) {
			t.Fatalf("%q ends with whitespace", s)
		}
	}
	if k.Offset >= 0 && (k.Offset+len(k.Value) > len(text) || text[k.Offset:k.Offset+len(k.Value)] != k.Value) {
		t.Fatalf("key %q: value %q is not at offset %d", k.Name, k.Value, k.Offset)
	}
	if k.Offset < 0 && !strings.Contains(k.Value, "\n") {
		t.Fatalf("key %q: a one-line value %q without an offset", k.Name, k.Value)
	}
	if k.Line < 1 || k.Line > strings.Count(text, "\n")+strings.Count(text, "\r")+1 {
		t.Fatalf("key %q: line %d out of range", k.Name, k.Line)
	}
}

// serialize writes a File in the dialect: [DEFAULT] first, then each
// section once with each of its own keys once; a value's further lines
// indented by a tab, its empty lines empty.
func serialize(f *File) string {
	var b strings.Builder
	write := func(s Section) {
		b.WriteString("[" + s.Name() + "]\n")
		raw := s.RawKeys()
		for i, k := range raw {
			if later, _ := last(raw[i+1:], k.Name); later.Name != "" {
				continue // a later key of that name wins
			}
			lines := strings.Split(k.Value, "\n")
			b.WriteString(k.Name + " = " + lines[0] + "\n")
			for _, l := range lines[1:] {
				if l != "" {
					b.WriteString("\t" + l)
				}
				b.WriteString("\n")
			}
		}
	}
	for _, s := range defaultSection(f) {
		write(s)
	}
	for _, s := range f.Sections() {
		write(s)
	}
	return b.String()
}
