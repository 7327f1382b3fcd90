// Package termsafe passes on what a child process (a plugin, ykman, op,
// mfa_process, awsenv-helper) writes toward the person's terminal, with
// everything a terminal would act on taken out: escape sequences (CSI, OSC,
// DCS, SOS, PM, APC and single-character escapes, in their 7-bit and 8-bit
// forms), C0 and C1 control characters other than newline and tab, bidi
// controls, and bytes that are not UTF-8. Text is passed on as it comes, so
// a line such as "Touch your YubiKey" appears before its newline; lines
// longer than MaxLine bytes are cut. A Go crash (a "panic:" or "fatal
// error:" line followed by goroutine dumps) can be cut down to one line.
//
// It is awsenv's one sanitiser for text from outside: the stream of a
// child's stderr (Writer, Stderr), and whole texts with a length cap
// (Clean, Line in clean.go): server answers, plugin messages and reasons,
// values from the environment that explain and doctor echo.
package termsafe

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxLine is the most bytes of one line passed on; the rest of the line is
// dropped and Cut marks the place.
const MaxLine = 4096

// Cut ends a line that was cut.
const Cut = " [line cut]"

// replacement stands for a control character or a byte that is not UTF-8,
// so that what was there stays visible without the terminal acting on it.
const replacement = "\uFFFD"

type state uint8

const (
	ground   state = iota
	escape         // after ESC
	escInter       // ESC, intermediate bytes (0x20-0x2F), waiting for the final byte
	csi            // control sequence: parameters and intermediates until a final byte
	str            // OSC, DCS, SOS, PM, APC: until BEL or ST
	strEsc         // ESC inside a string: ST if followed by '\'
)

// Writer is an io.Writer that writes a safe form of its input to the
// writer inside. It is safe for concurrent use; Close (or Flush) passes on
// what is held back at the end and ends an unfinished line.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	st      state
	pending []byte // the start of a UTF-8 sequence split across writes
	lineLen int    // bytes passed on since the last newline
	cut     bool   // the rest of this line is dropped
	out     []byte
}

// New returns a Writer that writes to w.
func New(w io.Writer) *Writer { return &Writer{w: w} }

// String is s made safe, for text that is shown whole (a message).
func String(s string) string {
	var b bytes.Buffer
	w := New(&b)
	_, _ = w.Write([]byte(s))
	w.flush(false)
	return b.String()
}

// Write always consumes all of b; an error from the writer inside is
// returned.
func (w *Writer) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(b)
	if len(w.pending) > 0 {
		b = append(w.pending, b...)
		w.pending = nil
	}
	w.out = w.out[:0]
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			w.ascii(c)
			i++
			continue
		}
		if !utf8.FullRune(b[i:]) {
			w.pending = append([]byte(nil), b[i:]...)
			break
		}
		r, size := utf8.DecodeRune(b[i:])
		w.nonASCII(r, b[i:i+size])
		i += size
	}
	return n, w.emit()
}

func (w *Writer) emit() error {
	if len(w.out) == 0 || w.w == nil {
		return nil
	}
	_, err := w.w.Write(w.out)
	w.out = w.out[:0]
	return err
}

// ascii handles one byte below 0x80.
func (w *Writer) ascii(c byte) {
	if c == '\n' {
		// A newline ends whatever sequence was open: the damage of a
		// malformed one stays within its line.
		w.st = ground
		w.out = append(w.out, '\n')
		w.lineLen, w.cut = 0, false
		return
	}
	switch w.st {
	case escape:
		switch {
		case c == '[':
			w.st = csi
		case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
			w.st = str
		case c >= 0x20 && c <= 0x2f:
			w.st = escInter
		default: // a single-character escape (ESC c, ESC 7, ...) or junk
			w.st = ground
		}
		return
	case escInter:
		if c < 0x20 || c > 0x2f {
			w.st = ground
		}
		return
	case csi:
		if c < 0x20 || c > 0x3f { // the final byte, or something that ends it
			w.st = ground
		}
		return
	case str:
		switch c {
		case 0x07:
			w.st = ground
		case 0x1b:
			w.st = strEsc
		}
		return
	case strEsc:
		if c == '\\' {
			w.st = ground
		} else if c != 0x1b {
			w.st = str
		}
		return
	}
	switch {
	case c == 0x1b:
		w.st = escape
	case c == '\r':
		// Dropped: a CR before a newline is a line ending, a lone one would
		// let a line be written over another.
	case c == '\t':
		w.text([]byte{c})
	case c < 0x20 || c == 0x7f:
		w.text([]byte(replacement))
	default:
		w.text([]byte{c})
	}
}

// nonASCII handles one rune from 0x80 up (utf8.RuneError with size 1 for
// a byte that is not UTF-8).
func (w *Writer) nonASCII(r rune, enc []byte) {
	if w.st != ground {
		// Inside a sequence: dropped, except that the C1 string terminator
		// ends a string and anything else ends a CSI or an escape.
		switch {
		case (w.st == str || w.st == strEsc) && r == 0x9c:
			w.st = ground
		case w.st == str || w.st == strEsc:
			w.st = str
		default:
			w.st = ground
		}
		return
	}
	switch {
	case r == utf8.RuneError && len(enc) == 1:
		w.text([]byte(replacement))
	case r == 0x9b: // C1 CSI
		w.st = csi
	case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // OSC, DCS, SOS, PM, APC
		w.st = str
	case r >= 0x80 && r <= 0x9f, isBidi(r):
		w.text([]byte(replacement))
	default:
		w.text(enc)
	}
}

// isBidi reports the characters that reorder text when displayed: a line
// could show other words than it holds (CVE-2021-42574).
func isBidi(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

func (w *Writer) text(b []byte) {
	if w.cut {
		return
	}
	if w.lineLen+len(b) > MaxLine {
		w.out = append(w.out, Cut...)
		w.cut = true
		return
	}
	w.out = append(w.out, b...)
	w.lineLen += len(b)
}

// Flush passes on a UTF-8 sequence held back (as a replacement character)
// and ends an unfinished line with a newline, so what is written next
// starts on a line of its own.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flush(true)
}

// Close is Flush.
func (w *Writer) Close() error { return w.Flush() }

func (w *Writer) flush(newline bool) error {
	if len(w.pending) > 0 {
		w.pending = nil
		if w.st == ground {
			w.text([]byte(replacement))
		}
	}
	w.st = ground
	if newline && (w.lineLen > 0 || w.cut) {
		w.out = append(w.out, '\n')
		w.lineLen, w.cut = 0, false
	}
	return w.emit()
}

// Crash is a line filter for the stderr of a Go program: when it crashes,
// the panic's first line is kept and the goroutine dump that follows it is
// held back. Close then writes one line: "NAME crashed: panic: ...; run
// with --debug for the trace". Other lines pass through as they come.
// Feed it text that is already safe (a Writer in front of it).
type Crash struct {
	Name string    // "plugin oathtool", "awsenv-helper"
	W    io.Writer // where the text goes

	mu      sync.Mutex
	line    []byte   // the current line, while it may begin a crash report
	held    [][]byte // lines from a "panic:" line on, until a goroutine header confirms a crash
	first   string   // the first line of the crash report
	crashed bool     // a goroutine header followed: the rest is trace
	passing bool     // the current line is not held: pass it through
}

// crashHeld bounds the lines held back while a "panic:" line waits for its
// goroutine header: a multi-line panic value fits, a chatty program does
// not stall.
const crashHeld = 64

func (c *Crash) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		chunk := b
		if i >= 0 {
			chunk = b[:i+1]
		}
		b = b[len(chunk):]
		if err := c.chunk(chunk, i >= 0); err != nil {
			return n, err
		}
	}
	return n, nil
}

// chunk takes part of one line; end says whether it ends the line.
func (c *Crash) chunk(b []byte, end bool) error {
	if c.crashed {
		return nil
	}
	if c.passing {
		if end {
			c.passing = false
		}
		_, err := c.W.Write(b)
		return err
	}
	c.line = append(c.line, b...)
	if !end {
		if len(c.held) > 0 || couldStartCrash(c.line) {
			return nil // wait for the line's end to decide
		}
		c.passing = true
		line := c.line
		c.line = nil
		_, err := c.W.Write(line)
		return err
	}
	line := c.line
	c.line = nil
	switch {
	case len(c.held) > 0 && isGoroutineHeader(line):
		c.crashed = true
		return nil
	case len(c.held) > 0 && len(c.held) < crashHeld:
		c.held = append(c.held, line)
		return nil
	case len(c.held) > 0:
		if err := c.release(); err != nil {
			return err
		}
	}
	if startsCrash(line) {
		c.first = strings.TrimSpace(string(line))
		c.held = append(c.held, line)
		return nil
	}
	_, err := c.W.Write(line)
	return err
}

// release passes on the held lines: they were no crash report after all.
func (c *Crash) release() error {
	held := c.held
	c.held, c.first = nil, ""
	for _, l := range held {
		if _, err := c.W.Write(l); err != nil {
			return err
		}
	}
	return nil
}

// Close ends the input: the one-line summary of a crash, or what was held
// back.
func (c *Crash) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.crashed {
		c.crashed = false
		_, err := io.WriteString(c.W, c.Name+" crashed: "+c.first+"; run with --debug for the trace\n")
		c.held, c.first, c.line = nil, "", nil
		return err
	}
	if len(c.line) > 0 {
		c.held = append(c.held, c.line)
		c.line = nil
	}
	return c.release()
}

var crashStarts = []string{"panic: ", "fatal error: "}

func startsCrash(line []byte) bool {
	for _, p := range crashStarts {
		if bytes.HasPrefix(line, []byte(p)) {
			return true
		}
	}
	return false
}

func couldStartCrash(part []byte) bool {
	for _, p := range crashStarts {
		if len(part) < len(p) && strings.HasPrefix(p, string(part)) || bytes.HasPrefix(part, []byte(p)) {
			return true
		}
	}
	return false
}

// isGoroutineHeader matches "goroutine 1 [running]:".
func isGoroutineHeader(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("goroutine "))
	if !ok {
		return false
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	return i > 0 && bytes.HasPrefix(rest[i:], []byte(" ["))
}

// Stderr is a child program's stderr on its way to the person: made safe
// for a terminal and, unless debug is on, with a Go crash summarised in one
// line (see Crash). Close it when the program has ended.
type Stderr struct {
	safe  *Writer
	crash *Crash // nil with debug on
}

// NewStderr passes what program name writes on to w.
func NewStderr(w io.Writer, name string, debug bool) *Stderr {
	if debug {
		return &Stderr{safe: New(w)}
	}
	crash := &Crash{Name: name, W: w}
	return &Stderr{safe: New(crash), crash: crash}
}

func (s *Stderr) Write(b []byte) (int, error) { return s.safe.Write(b) }

// Close ends an unfinished line and writes a crash's summary.
func (s *Stderr) Close() error {
	err := s.safe.Close()
	if s.crash != nil {
		if cerr := s.crash.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
