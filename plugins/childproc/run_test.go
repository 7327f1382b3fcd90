//go:build linux

package childproc_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/plugins/childproc/childproctest"
)

func needSh(t *testing.T) {
	t.Helper()
	for _, p := range []string{"sh", "setsid", "sleep"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skip("no " + p)
		}
	}
}

func sh(script string) []string { return []string{"/bin/sh", "-c", script} }

func TestRunStdinStdoutAndCap(t *testing.T) {
	needSh(t)
	res, err := childproc.Run(context.Background(), childproc.Spec{Argv: sh(`read x; echo "in=$x"`)})
	if err != nil || string(res.Stdout) != "in=\n" || res.StdoutCut {
		t.Fatalf("Run = %q, %v (stdin must be /dev/null)", res.Stdout, err)
	}
	res, err = childproc.Run(context.Background(), childproc.Spec{Argv: sh(`cat`), Stdin: strings.NewReader("given")})
	if err != nil || string(res.Stdout) != "given" {
		t.Fatalf("Run with stdin = %q, %v", res.Stdout, err)
	}
	res, err = childproc.Run(context.Background(), childproc.Spec{Argv: sh("head -c 100000 /dev/zero")})
	if err != nil || !res.StdoutCut || len(res.Stdout) != childproc.MaxStdout {
		t.Fatalf("big output: %d bytes, cut %v, %v", len(res.Stdout), res.StdoutCut, err)
	}
	_, err = childproc.Run(context.Background(), childproc.Spec{Argv: []string{"/no/such/program"}})
	var se *childproc.StartError
	if !errors.As(err, &se) {
		t.Fatalf("missing program: %v", err)
	}
	_, err = childproc.Run(context.Background(), childproc.Spec{Argv: sh("exit 3")})
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("exit 3: %v", err)
	}
}

// A hostile program's stderr reaches the terminal made safe and capped;
// KeepStderr keeps the raw start for the caller.
func TestRunHostileStderr(t *testing.T) {
	needSh(t)
	var term bytes.Buffer
	res, err := childproc.Run(context.Background(), childproc.Spec{Argv: []string{childproctest.Script(t, "echo out")},
		Stderr: &term, KeepStderr: 100})
	if err != nil || string(res.Stdout) != "out\n" || !strings.HasPrefix(string(res.Stderr), "HOSTILE-START") || len(res.Stderr) != 100 {
		t.Fatalf("Run = %q, stderr kept %q, %v", res.Stdout, res.Stderr, err)
	}
	childproctest.Check(t, term.String())
	// Stdout meant for the person goes the same way.
	term.Reset()
	_, err = childproc.Run(context.Background(), childproc.Spec{Argv: sh(childproctest.HostileSh() + " 2>&1"), Stderr: &term, StdoutToStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	childproctest.Check(t, term.String())
}

func TestStderrCapCutsAtACharacter(t *testing.T) {
	var b bytes.Buffer
	s := childproc.NewStderr(&b, "", false, 5)
	s.Write([]byte("abcd€f\n"))
	s.Write([]byte("more\n"))
	s.Close()
	if got := b.String(); got != "abcd\n"+childproc.CutLine {
		t.Fatalf("got %q", got)
	}
}

// Every process a child leaves behind (here a setsid sleep) is gone after
// Run returns: after success, after its timeout and after ctx ends. Other
// children of this process are spared: one started with Launch and one
// with Start.
func TestRunEndsWhatTheChildLeft(t *testing.T) {
	needSh(t)
	sibling, err := childproc.Launch(childproc.Spec{Argv: []string{"sleep", "300"}}, childproc.Pipes{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { sibling.Kill(); sibling.Wait() }()
	plain := exec.Command("sleep", "300")
	if err := childproc.Start(plain); err != nil {
		t.Fatal(err)
	}
	defer func() { plain.Process.Kill(); plain.Wait() }()

	for _, tc := range []struct {
		name  string
		after string
		spec  func(*childproc.Spec)
		ctx   func(pidFile string) (context.Context, context.CancelFunc)
		want  func(error) bool
	}{
		{name: "success", after: "echo ok", want: func(err error) bool { return err == nil }},
		// 2 s: the child must have started what it leaves behind by then,
		// also on a loaded machine.
		{name: "timeout", after: "sleep 30", spec: func(s *childproc.Spec) { s.Timeout = 2 * time.Second },
			want: func(err error) bool { return errors.Is(err, childproc.ErrTimeout) }},
		{name: "cancel", after: "sleep 30",
			// Cancelled once what it leaves behind has started.
			ctx: func(pidFile string) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				go func() {
					for ctx.Err() == nil {
						if fi, err := os.Stat(pidFile); err == nil && fi.Size() > 0 {
							cancel()
							return
						}
						time.Sleep(10 * time.Millisecond)
					}
				}()
				return ctx, cancel
			},
			want: func(err error) bool {
				return errors.Is(err, context.Canceled) && !errors.Is(err, childproc.ErrTimeout)
			}},
		{name: "failure", after: "exit 4", want: func(err error) bool { var ee *exec.ExitError; return errors.As(err, &ee) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			s := childproc.Spec{Argv: sh(childproctest.LeaveBehindSh(pidFile) + "; " + tc.after)}
			if tc.spec != nil {
				tc.spec(&s)
			}
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tc.ctx != nil {
				ctx, cancel = tc.ctx(pidFile)
			}
			defer cancel()
			start := time.Now()
			_, err := childproc.Run(ctx, s)
			if !tc.want(err) || time.Since(start) > 5*time.Second {
				t.Fatalf("Run = %v after %s", err, time.Since(start))
			}
			childproctest.Gone(t, childproctest.LeftPid(t, pidFile), "the setsid sleep")
			childproctest.Alive(t, sibling.Pid(), "a child started with Launch")
			childproctest.Alive(t, plain.Process.Pid, "a child started with Start")
		})
	}
}

// A child that exits 0 but leaves a process holding its stdout open: the
// holder is ended, the output is complete, the run a success, and no
// "WaitDelay expired" reaches anyone.
func TestRunStdoutHeldOpen(t *testing.T) {
	needSh(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	start := time.Now()
	res, err := childproc.Run(context.Background(), childproc.Spec{Argv: sh("sleep 300 & echo $! > " + pidFile + "; echo done"),
		WaitDelay: 5 * time.Second})
	if err != nil || string(res.Stdout) != "done\n" {
		t.Fatalf("Run = %q, %v", res.Stdout, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Run waited %s for the holder of its stdout", d)
	}
	childproctest.Gone(t, childproctest.LeftPid(t, pidFile), "the background sleep")
}

// A long-lived child: its pipes, its stderr made safe, and the end of its
// output even while a process it started holds it.
func TestLaunch(t *testing.T) {
	needSh(t)
	var term bytes.Buffer
	c, err := childproc.Launch(childproc.Spec{Argv: sh(`printf 'hi\033[2J\n' >&2; read x; echo "got $x"; sleep 300 2>/dev/null &`),
		Stderr: &term, WaitDelay: 200 * time.Millisecond}, childproc.Pipes{Stdin: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c.Stdin, "ping\n")
	c.Stdin.Close()
	line, _ := bufio.NewReader(c.Stdout).ReadString('\n')
	if line != "got ping\n" {
		t.Fatalf("read %q", line)
	}
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, c.Stdout); close(done) }()
	if err := c.Wait(); err != nil || c.State() == nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stdout pipe stayed open after the child ended")
	}
	if got := term.String(); got != "hi\n" {
		t.Fatalf("stderr = %q", got)
	}
	childproc.EndOrphans(time.Second)
}
