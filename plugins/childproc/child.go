package childproc

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Pipes says which of a long-lived child's standard streams the caller
// talks to itself. A stream without a pipe is /dev/null (stdin and
// stdout) or goes to Spec.Stderr (stderr).
type Pipes struct {
	Stdin  bool // Child.Stdin writes to it
	Stdout bool // Child.Stdout reads it
	Stderr bool // Child.Stderr reads it raw (go-plugin does, and passes the lines on through a Stderr of its own)
}

// Child is a long-lived child (the helper, a plugin), started by Launch.
// It is waited for in the background as soon as it exits; Spec.WaitDelay
// later our ends of its pipes are closed, so what it left holding them
// keeps no reader waiting.
type Child struct {
	Stdin  io.WriteCloser // with Pipes.Stdin
	Stdout io.ReadCloser  // with Pipes.Stdout
	Stderr io.ReadCloser  // with Pipes.Stderr

	cmd     *exec.Cmd
	stderr  *Stderr // nil with Pipes.Stderr
	exited  chan struct{}
	waitErr error
	close   sync.Once
	pipes   []*os.File // our ends, closed after the exit
}

// Launch starts a long-lived child with Start's parent-death tie; its
// stderr, unless Pipes.Stderr, goes to Spec.Stderr as in Run. Spec's
// Stdin, KeepStderr, MaxStdout, StdoutToStderr and Timeout are not used:
// the caller talks to the child through its pipes and ends it.
func Launch(s Spec, p Pipes) (*Child, error) {
	if len(s.Argv) == 0 {
		return nil, &StartError{Err: errors.New("no program to run")}
	}
	cmd := exec.Command(s.Argv[0], s.Argv[1:]...)
	cmd.Env, cmd.Dir = s.Env, s.Dir
	c := &Child{cmd: cmd, exited: make(chan struct{})}
	delay := s.WaitDelay
	if delay <= 0 {
		delay = WaitDelay
	}
	cmd.WaitDelay = delay
	var childEnds []*os.File
	fail := func(err error) (*Child, error) {
		for _, f := range append(childEnds, c.pipes...) {
			_ = f.Close()
		}
		if c.Stdin != nil {
			_ = c.Stdin.Close()
		}
		if c.stderr != nil {
			_ = c.stderr.Close()
		}
		return nil, err
	}
	if p.Stdin {
		r, w, err := os.Pipe()
		if err != nil {
			return fail(err)
		}
		cmd.Stdin, c.Stdin = r, w
		childEnds = append(childEnds, r)
		c.pipes = append(c.pipes, w)
	}
	readPipe := func() (*os.File, error) {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		c.pipes = append(c.pipes, r)
		childEnds = append(childEnds, w)
		return w, nil
	}
	if p.Stdout {
		w, err := readPipe()
		if err != nil {
			return fail(err)
		}
		cmd.Stdout, c.Stdout = w, c.pipes[len(c.pipes)-1]
	}
	if p.Stderr {
		w, err := readPipe()
		if err != nil {
			return fail(err)
		}
		cmd.Stderr, c.Stderr = w, c.pipes[len(c.pipes)-1]
	} else {
		c.stderr = NewStderr(s.Stderr, s.Name, s.Debug, s.StderrLimit)
		cmd.Stderr = c.stderr
	}
	if err := Start(cmd); err != nil {
		return fail(&StartError{Err: err})
	}
	// The child has its copies; without closing ours a reader would never
	// see the end of the output.
	for _, f := range childEnds {
		_ = f.Close()
	}
	go func() {
		c.waitErr = cmd.Wait()
		if errors.Is(c.waitErr, exec.ErrWaitDelay) {
			c.waitErr = ErrHeldOpen
		}
		forget(cmd)
		if c.stderr != nil {
			_ = c.stderr.Close()
		}
		close(c.exited)
		time.AfterFunc(delay, c.closePipes)
	}()
	return c, nil
}

// Wait waits for the child to end and returns how (as cmd.Wait, with
// ErrHeldOpen for exec.ErrWaitDelay). It may
// be called more than once, from any goroutine.
func (c *Child) Wait() error {
	<-c.exited
	return c.waitErr
}

// Done is closed when the child has ended and been waited for.
func (c *Child) Done() <-chan struct{} { return c.exited }

// Exited reports whether the child has ended; then State may be read.
func (c *Child) Exited() bool {
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

// State is how the child ended, nil before.
func (c *Child) State() *os.ProcessState {
	if !c.Exited() {
		return nil
	}
	return c.cmd.ProcessState
}

// Pid is the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Path is the program that runs.
func (c *Child) Path() string { return c.cmd.Path }

// Kill kills the child with SIGKILL (nothing if it has ended).
func (c *Child) Kill() {
	if !c.Exited() {
		_ = c.cmd.Process.Kill()
	}
}

// Signal sends sig to the child (nothing if it has ended).
func (c *Child) Signal(sig os.Signal) {
	if !c.Exited() {
		_ = c.cmd.Process.Signal(sig)
	}
}

// ClosePipes closes our ends of its pipes now (Launch closes them
// WaitDelay after the exit).
func (c *Child) ClosePipes() { c.closePipes() }

func (c *Child) closePipes() {
	c.close.Do(func() {
		for _, f := range c.pipes {
			_ = f.Close()
		}
	})
}
