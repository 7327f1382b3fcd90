package rpc

import (
	"bytes"
	"io"
	"sync"

	"github.com/awsenv/awsenv/plugins/childproc"
)

// What a plugin writes on its stderr, on its way to the person.

// sink is where the plugin's stderr goes: writes from go-plugin's
// goroutines one at a time, nothing after close. What reaches w is made
// safe for a terminal and capped (childproc.NewStderr, as for every
// child), and a Go crash is cut down to one line unless debug is on.
type sink struct {
	mu     sync.Mutex
	out    *childproc.Stderr // nil with no w
	closed bool
}

func newSink(w io.Writer, name string, debug bool) *sink {
	if w == nil {
		return &sink{}
	}
	return &sink{out: childproc.NewStderr(w, name, debug, 0)}
}

func (s *sink) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out != nil && !s.closed {
		_, _ = s.out.Write(b)
	}
	return len(b), nil
}

// close ends the output: an unfinished line is ended, a crash summarised.
func (s *sink) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed && s.out != nil {
		_ = s.out.Close()
	}
	s.closed = true
}

// rawStderr takes the plugin's real stderr from go-plugin, which writes
// each line and then its newline, and passes the lines on, except
// go-plugin's own JSON log lines (`{"@level":...}`), which go-plugin also
// sends to the debug log and which are noise to the person.
type rawStderr struct {
	sink *sink
	line []byte
}

const maxLine = 64 << 10

func (r *rawStderr) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			r.line = append(r.line, b...)
			if len(r.line) > maxLine {
				_, _ = r.sink.Write(r.line)
				r.line = r.line[:0]
			}
			break
		}
		r.line = append(r.line, b[:i+1]...)
		b = b[i+1:]
		if !isLogLine(r.line) {
			_, _ = r.sink.Write(r.line)
		}
		r.line = r.line[:0]
	}
	return n, nil
}

func isLogLine(line []byte) bool {
	return bytes.HasPrefix(line, []byte(`{"@`)) && bytes.Contains(line, []byte(`"@level":`))
}
