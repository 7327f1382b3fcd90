package childproc

import (
	"io"
	"sync"
	"unicode/utf8"

	"github.com/awsenv/awsenv/plugins/termsafe"
)

// MaxStderr is the most a child's stderr passes on to the person, after
// it is made safe: enough for any message, not enough to bury the
// terminal.
const MaxStderr = 64 << 10

// CutLine ends the stderr of a child that wrote more than its cap.
const CutLine = "… (more output cut)\n"

// Stderr is a child's stderr on its way to the person: made safe for a
// terminal (termsafe), with a Go crash summarised in one line when the
// child is named, and capped. It is safe for concurrent use. Close it when
// the child has ended.
type Stderr struct {
	safe io.WriteCloser
}

// NewStderr passes what a child writes on to w (nil: discarded). name, if
// not empty, names the child in a crash's one-line summary ("plugin
// oathtool", "awsenv-helper"); debug keeps the whole trace. At most limit
// bytes are passed on (0: MaxStderr), then CutLine.
func NewStderr(w io.Writer, name string, debug bool, limit int) *Stderr {
	if w == nil {
		w = io.Discard
	}
	if limit <= 0 {
		limit = MaxStderr
	}
	capped := &capWriter{w: w, left: limit}
	if name == "" {
		return &Stderr{safe: termsafe.New(capped)}
	}
	return &Stderr{safe: termsafe.NewStderr(capped, name, debug)}
}

func (s *Stderr) Write(b []byte) (int, error) { return s.safe.Write(b) }

// Close ends an unfinished line and writes a crash's summary.
func (s *Stderr) Close() error { return s.safe.Close() }

// capWriter passes on at most left bytes, cut at a character boundary,
// then CutLine on a line of its own, then nothing.
type capWriter struct {
	mu       sync.Mutex
	w        io.Writer
	left     int
	cut      bool
	lineOpen bool // the last byte passed on was not a newline
}

func (c *capWriter) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(b)
	if c.cut || n == 0 {
		return n, nil
	}
	if n <= c.left {
		c.left -= n
		c.lineOpen = b[n-1] != '\n'
		_, err := c.w.Write(b)
		return n, err
	}
	i := c.left
	for i > 0 && !utf8.RuneStart(b[i]) {
		i--
	}
	c.cut = true
	out := append([]byte(nil), b[:i]...)
	if i > 0 {
		c.lineOpen = b[i-1] != '\n'
	}
	if c.lineOpen {
		out = append(out, '\n')
	}
	out = append(out, CutLine...)
	_, err := c.w.Write(out)
	return n, err
}
