package termsafe

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// Hostile is one of each thing a terminal would act on; tests elsewhere
// use the same list.
var hostile = []struct{ name, in, want string }{
	{"plain", "Touch your YubiKey\n", "Touch your YubiKey\n"},
	{"tab and UTF-8", "a\tb é ✓\n", "a\tb é ✓\n"},
	{"CRLF", "line\r\n", "line\n"},
	{"OSC 0 title, BEL", "a\x1b]0;pwned\x07b\n", "ab\n"},
	{"OSC 8 link, ST", "a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b\n", "alinkb\n"},
	{"CSI clear screen", "a\x1b[2J\x1b[Hb\n", "ab\n"},
	{"CSI colour", "\x1b[1;31mred\x1b[0m\n", "red\n"},
	{"ESC c reset", "a\x1bcb\n", "ab\n"},
	{"ESC ( B charset", "a\x1b(Bb\n", "ab\n"},
	{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b\n", "ab\n"},
	{"8-bit CSI byte", "a\x9b2Jb\n", "a\uFFFD2Jb\n"},
	{"C1 CSI as UTF-8", "a\u009b2Jb\n", "ab\n"},
	{"C1 OSC as UTF-8", "a\u009d0;t\u009cb\n", "ab\n"},
	{"C1 NEL", "a\u0085b\n", "a\uFFFDb\n"},
	{"bidi override", "a\u202Efdp.exe\u202Cb\n", "a\uFFFDfdp.exe\uFFFDb\n"},
	{"bidi isolate", "a\u2066b\u2069\n", "a\uFFFDb\uFFFD\n"},
	{"invalid UTF-8", "a\xff\xfeb\xc3\n", "a\uFFFD\uFFFDb\uFFFD\n"},
	{"backspace, BEL, NUL, DEL", "a\b\x07\x00\x7fb\n", "a\uFFFD\uFFFD\uFFFD\uFFFDb\n"},
	{"unterminated OSC ends at the newline", "a\x1b]0;title\nnext\n", "a\nnext\n"},
	{"no final newline", "a", "a\n"},
}

func TestWriter(t *testing.T) {
	for _, c := range hostile {
		t.Run(c.name, func(t *testing.T) {
			// Whole, then one byte at a time: sequences split across writes.
			for _, step := range []int{len(c.in), 1} {
				var b bytes.Buffer
				w := New(&b)
				for i := 0; i < len(c.in); i += step {
					w.Write([]byte(c.in[i:min(i+step, len(c.in))]))
				}
				w.Close()
				if b.String() != c.want {
					t.Fatalf("writes of %d: %q gave %q, want %q", step, c.in, b.String(), c.want)
				}
			}
		})
	}
}

func TestLongLineCut(t *testing.T) {
	var b bytes.Buffer
	w := New(&b)
	w.Write([]byte(strings.Repeat("x", 3*MaxLine) + "\nnext\n"))
	w.Close()
	want := strings.Repeat("x", MaxLine) + Cut + "\nnext\n"
	if b.String() != want {
		t.Fatalf("got %d bytes, want %d", b.Len(), len(want))
	}
}

// Whatever comes in, nothing a terminal acts on comes out.
func FuzzWriter(f *testing.F) {
	for _, c := range hostile {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var b bytes.Buffer
		w := New(&b)
		w.Write(in)
		w.Close()
		out := b.Bytes()
		if !utf8.Valid(out) {
			t.Fatalf("%q gave invalid UTF-8 %q", in, out)
		}
		for _, r := range string(out) {
			if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || isBidi(r) {
				t.Fatalf("%q gave %q with %U", in, out, r)
			}
		}
	})
}

const trace = `panic: crash during the call

goroutine 23 [running]:
main.provider.Code({0xc000012345, 0x5}, {0x0, 0x0})
	/src/main.go:31 +0x65
created by google.golang.org/grpc.(*Server).serveStreams
	/go/grpc/server.go:1000 +0x1c5
`

func TestCrash(t *testing.T) {
	var b bytes.Buffer
	c := &Crash{Name: "plugin x", W: &b}
	c.Write([]byte("about to crash\n"))
	for _, l := range strings.SplitAfter(trace, "\n") {
		c.Write([]byte(l))
	}
	c.Close()
	want := "about to crash\nplugin x crashed: panic: crash during the call; run with --debug for the trace\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}

	// "panic:" without a goroutine dump is no crash: passed on at the end.
	b.Reset()
	c = &Crash{Name: "plugin x", W: &b}
	c.Write([]byte("Touch "))
	c.Write([]byte("your key\npanic: not really\nmore\npani"))
	c.Close()
	if want := "Touch your key\npanic: not really\nmore\npani"; b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}

func TestClean(t *testing.T) {
	for _, c := range hostile {
		want := strings.TrimSuffix(c.want, "\n")
		if got := Clean(strings.TrimSuffix(c.in, "\n"), MaxMessage); got != want {
			t.Errorf("%s: Clean(%q) = %q, want %q", c.name, c.in, got, want)
		}
	}
	// Cut on a character boundary, marked, within the cap.
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abc" + Ellipsis},
		{"ééééé", 8, "éé" + Ellipsis},
		{"a\x1b]52;c;" + strings.Repeat("A", 1<<20) + "\x07b", 10, "ab"},
		{strings.Repeat("\x1b[2J", 1<<18) + "visible", 100, "visible"},
		{"https://x/" + strings.Repeat("a", 1<<20), MaxURL, "https://x/" + strings.Repeat("a", MaxURL-10-len(Ellipsis)) + Ellipsis},
	} {
		if got := Clean(tc.in, tc.max); got != tc.want || len(got) > tc.max {
			t.Errorf("Clean(%.20q..., %d) = %.40q... (%d bytes), want %.40q...", tc.in, tc.max, got, len(got), tc.want)
		}
	}
	if got := Line("code\nawsenv: fake line\tx\r", MaxValue); got != "code\uFFFDawsenv: fake line\uFFFDx\uFFFD" {
		t.Errorf("Line = %q", got)
	}
}

// Whatever comes in, Clean gives safe text within the cap.
func FuzzClean(f *testing.F) {
	for _, c := range hostile {
		f.Add(c.in, 16)
	}
	f.Fuzz(func(t *testing.T, in string, limit int) {
		limit = limit&0xffff + len(Ellipsis)
		for _, out := range []string{Clean(in, limit), Line(in, limit)} {
			if len(out) > limit || !utf8.ValidString(out) {
				t.Fatalf("%q, %d gave %q", in, limit, out)
			}
			for _, r := range out {
				if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || isBidi(r) {
					t.Fatalf("%q gave %q with %U", in, out, r)
				}
			}
		}
		if strings.ContainsAny(Line(in, limit), "\n\t") {
			t.Fatalf("Line(%q) holds a line break or tab", in)
		}
	})
}
