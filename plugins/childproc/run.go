package childproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"
)

// Defaults of Spec.
const (
	// MaxStdout is the most of a child's stdout Run keeps.
	MaxStdout = 64 << 10
	// WaitDelay is how long Run waits for a child's pipes to close after
	// it exited: what it left holding them is ended before.
	WaitDelay = time.Second
	// orphanWait bounds the time spent ending what a child left running.
	orphanWait = 2 * time.Second
)

// ErrTimeout is the cause of a Run that outlived Spec.Timeout.
var ErrTimeout = errors.New("timed out")

// ErrHeldOpen is the cause of a Run whose child exited but left a process
// holding its output open that could not be ended (where there is no
// subreaper): the output may be incomplete.
var ErrHeldOpen = errors.New("a process it started kept its output open, so its output may be incomplete; awsenv stopped waiting for it")

// Spec is one child: what to run and how it meets the world.
type Spec struct {
	Argv []string // the program (a path, or a name looked up in PATH) and its arguments
	Env  []string // KEY=VALUE; nil: this process's environment
	Dir  string   // working directory; empty: this process's

	// Stdin is the child's stdin; nil: /dev/null (awsenv's own stdin may
	// be data meant for another program; a child that asks the person
	// opens /dev/tty).
	Stdin io.Reader

	// Stderr is where the child's stderr goes, made safe for a terminal
	// and capped at MaxStderr (or StderrLimit): see NewStderr. Nil
	// discards it.
	Stderr      io.Writer
	Name        string // names the child in a Go crash's summary; empty: no summary
	Debug       bool   // a crash's whole trace
	StderrLimit int    // 0: MaxStderr

	// KeepStderr, if positive, keeps the first KeepStderr bytes of the raw
	// stderr in Result.Stderr (for a caller that reads the program's error
	// message).
	KeepStderr int

	// MaxStdout is the most of stdout kept (0: MaxStdout); more is
	// dropped and Result.StdoutCut set.
	MaxStdout int
	// StdoutToStderr sends stdout where stderr goes, made safe alike (a
	// program whose output is only for the person).
	StdoutToStderr bool

	// Timeout, if positive, bounds the run: the child is killed and Run
	// returns an error wrapping ErrTimeout.
	Timeout time.Duration

	// WaitDelay bounds the wait for the pipes after the child exited
	// (0: WaitDelay).
	WaitDelay time.Duration

	// Detach leaves the child and what it starts running when this
	// process ends: no parent-death signal, no sweep after it. Only for
	// the browser opener: the browser it may start is the person's, and
	// must stay open after awsenv.
	Detach bool
}

// Result is what a child left.
type Result struct {
	Stdout    []byte // at most MaxStdout bytes
	StdoutCut bool   // it printed more: the rest was dropped
	Stderr    []byte // the first KeepStderr bytes of its raw stderr
}

// StartError is a program that could not be started (not found, not
// executable); it wraps the cause (exec.ErrNotFound, fs.ErrNotExist, ...).
type StartError struct{ Err error }

func (e *StartError) Error() string { return e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

// Run runs a child to its end, dying with this process. Its error is a
// *StartError if it could not start, ctx.Err() if ctx ended first, one
// wrapping ErrTimeout after Spec.Timeout, one wrapping ErrHeldOpen (see
// there), or the *exec.ExitError of a child that failed. Whatever the
// child left running is ended before Run returns (on Linux, where this
// process becomes the subreaper of its descendants on the first Run);
// other children of this process are spared.
func Run(ctx context.Context, s Spec) (Result, error) {
	if len(s.Argv) == 0 {
		return Result{}, &StartError{Err: errors.New("no program to run")}
	}
	if !s.Detach {
		_ = BecomeSubreaper() // where it fails, orphans go to init as before
	}
	runCtx := ctx
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(runCtx, s.Argv[0], s.Argv[1:]...)
	cmd.Env, cmd.Dir, cmd.Stdin = s.Env, s.Dir, s.Stdin
	stderr := NewStderr(s.Stderr, s.Name, s.Debug, s.StderrLimit)
	var keep *keepWriter
	cmd.Stderr = stderr
	if s.KeepStderr > 0 {
		keep = &keepWriter{max: s.KeepStderr}
		cmd.Stderr = io.MultiWriter(stderr, keep)
	}
	out := &keepWriter{max: s.MaxStdout}
	if out.max <= 0 {
		out.max = MaxStdout
	}
	cmd.Stdout = out
	if s.StdoutToStderr {
		cmd.Stdout = cmd.Stderr // one pipe for both
	}
	cmd.WaitDelay = s.WaitDelay
	if cmd.WaitDelay <= 0 {
		cmd.WaitDelay = WaitDelay
	}

	exited, err := start(cmd, !s.Detach)
	if err != nil {
		_ = stderr.Close()
		return Result{}, &StartError{Err: err}
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	sweep := sweep
	if s.Detach {
		sweep = func() {}
	}
	select {
	case <-exited: // never with a nil exited
		// What it left holding the pipes is ended now, so the wait for
		// them ends with the output complete.
		sweep()
		err = <-waited
	case err = <-waited:
		sweep()
	}
	forget(cmd)
	_ = stderr.Close()

	res := Result{Stdout: out.buf.Bytes(), StdoutCut: out.over}
	if keep != nil {
		res.Stderr = keep.buf.Bytes()
	}
	switch {
	case ctx.Err() != nil:
		return res, ctx.Err()
	case runCtx.Err() != nil:
		return res, fmt.Errorf("%w after %s", ErrTimeout, s.Timeout)
	case errors.Is(err, exec.ErrWaitDelay):
		return res, ErrHeldOpen
	}
	return res, err
}

// sweep ends what children left running, where this process is their
// subreaper.
func sweep() {
	if isSubreaper() {
		EndOrphans(orphanWait)
	}
}

// keepWriter keeps the first max bytes written and notes any more.
type keepWriter struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (k *keepWriter) Write(b []byte) (int, error) {
	if room := k.max - k.buf.Len(); len(b) > room {
		k.over = true
		k.buf.Write(b[:max(room, 0)])
		return len(b), nil
	}
	return k.buf.Write(b)
}
