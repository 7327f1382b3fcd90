package tool

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/termsafe"
)

// The tests run fake programs, one by one: writing an executable while
// another test forks can make exec fail with "text file busy".

// script writes an executable shell script that runs body and returns
// its path.
func script(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tool")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// runner is a Runner for command whose hooks record what they were given
// in the returned *seen.
func runner(command string) (*Runner, *seen) {
	s := &seen{}
	r := &Runner{
		Provider: "fake", Source: "the fake", Command: command, Args: []string{"a b", "-c"},
		Timeout: 5 * time.Second, Retry: 10 * time.Millisecond,
		NotInstalled: "fake is not installed", InstallFix: "install fake",
		TimeoutFix: "touch it", NoNewCodeFix: "wait for the next code",
		Failed: func(runErr error, stderr string) *plugins.Error {
			s.failed, s.runErr, s.stderr = true, runErr, stderr
			return &plugins.Error{Provider: "fake", Problem: "fake failed"}
		},
		NotACode: func(out string) *plugins.Error {
			s.notACode, s.out = true, out
			return &plugins.Error{Provider: "fake", Problem: "not a code"}
		},
	}
	return r, s
}

type seen struct {
	failed, notACode bool
	runErr           error
	stderr, out      string
}

func request() plugins.Request {
	return plugins.Request{Profile: "prod", Serial: "arn:aws:iam::123456789012:mfa/alice"}
}

// asError is err as a *plugins.Error, or fails the test.
func asError(t *testing.T, err error) *plugins.Error {
	t.Helper()
	var pe *plugins.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *plugins.Error", err)
	}
	return pe
}

func TestCodeAndArgs(t *testing.T) {
	r, _ := runner(script(t, `printf '%s|' "$@" >&2; printf ' 123456\n'`))
	var stderr bytes.Buffer
	r.Stderr = &stderr
	code, err := r.Run(context.Background(), request())
	if err != nil || code != "123456" {
		t.Fatalf("Run = %q, %v", code, err)
	}
	// An unfinished last line is ended, so awsenv's next words start a line.
	if stderr.String() != "a b|-c|\n" {
		t.Errorf("stderr = %q, want the arguments as given, passed on", stderr.String())
	}
}

func TestNilStderr(t *testing.T) {
	r, _ := runner(script(t, "echo noise >&2; echo 123456"))
	if code, err := r.Run(context.Background(), request()); err != nil || code != "123456" {
		t.Fatalf("Run = %q, %v", code, err)
	}
}

func TestFailedGetsExitErrorAndStderr(t *testing.T) {
	r, s := runner(script(t, "printf 'Error: nope\\n' >&2; exit 3"))
	var stderr bytes.Buffer
	r.Stderr = &stderr
	_, err := r.Run(context.Background(), request())
	if pe := asError(t, err); pe.Problem != "fake failed" {
		t.Fatalf("err = %v, want Failed's error", err)
	}
	var exit *exec.ExitError
	if !s.failed || !errors.As(s.runErr, &exit) || exit.ExitCode() != 3 {
		t.Errorf("Failed got runErr %v, want exit status 3", s.runErr)
	}
	if s.stderr != "Error: nope\n" || stderr.String() != "Error: nope\n" {
		t.Errorf("Failed got %q, Stderr got %q; want both the program's stderr", s.stderr, stderr.String())
	}
}

func TestStderrCap(t *testing.T) {
	// 100,000 bytes, more than the cap, then a failure.
	r, s := runner(script(t, "head -c 100000 /dev/zero | tr '\\0' x >&2; exit 1"))
	var stderr bytes.Buffer
	r.Stderr = &stderr
	if _, err := r.Run(context.Background(), request()); err == nil {
		t.Fatal("Run succeeded")
	}
	// The person gets the line cut (termsafe), Failed the first capSize bytes.
	if want := strings.Repeat("x", termsafe.MaxLine) + termsafe.Cut + "\n"; stderr.String() != want {
		t.Errorf("Stderr got %d bytes, want the line cut at %d", stderr.Len(), termsafe.MaxLine)
	}
	if len(s.stderr) != capSize || strings.Trim(s.stderr, "x") != "" {
		t.Errorf("Failed got %d bytes, want the first %d", len(s.stderr), capSize)
	}
}

func TestNotACode(t *testing.T) {
	for _, out := range []string{"", "12345", "1234567", "12345a", "123 456"} {
		r, s := runner(script(t, "printf '%s\\n' '"+out+"'"))
		code, err := r.Run(context.Background(), request())
		if code != "" || asError(t, err).Problem != "not a code" {
			t.Errorf("%q: Run = %q, %v", out, code, err)
		}
		if !s.notACode || s.out != out || s.failed {
			t.Errorf("%q: NotACode got %q (called %v), Failed called %v", out, s.out, s.notACode, s.failed)
		}
	}
}

func TestNotInstalled(t *testing.T) {
	for _, command := range []string{filepath.Join(t.TempDir(), "tool"), "awsenv-test-no-such-tool"} {
		r, s := runner(command)
		_, err := r.Run(context.Background(), request())
		pe := asError(t, err)
		if pe.Provider != "fake" || pe.Problem != "fake is not installed" || pe.Fix != "install fake" || pe.Err == nil {
			t.Errorf("%s: err = %+v", command, pe)
		}
		if s.failed {
			t.Errorf("%s: Failed was called for a missing program", command)
		}
	}
}

func TestTimeout(t *testing.T) {
	r, s := runner(script(t, "printf 'Touch it\\n' >&2\nexec sleep 30"))
	var stderr bytes.Buffer
	r.Stderr, r.Timeout = &stderr, 300*time.Millisecond
	start := time.Now()
	_, err := r.Run(context.Background(), request())
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Run took %s after a 300ms timeout", d)
	}
	pe := asError(t, err)
	if pe.Provider != "fake" || pe.Problem != "no code from the fake after 300ms" || pe.Fix != "touch it" {
		t.Errorf("err = %+v", pe)
	}
	if s.failed {
		t.Error("Failed was called for a timeout")
	}
	if stderr.String() != "Touch it\n" {
		t.Errorf("stderr = %q, want the program's prompt", stderr.String())
	}
}

func TestCancel(t *testing.T) {
	r, _ := runner(script(t, "exec sleep 30"))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if _, err := r.Run(ctx, request()); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRetryOnRejectedCode(t *testing.T) {
	// The first run prints the rejected code, the next ones a new code.
	r, _ := runner(script(t, `echo run >> "$0.runs"; if [ -f "$0.ran" ]; then echo 222222; else : > "$0.ran"; echo 111111; fi`))
	var stderr bytes.Buffer
	r.Stderr = &stderr
	req := request()
	req.Rejected = "111111"
	code, err := r.Run(context.Background(), req)
	if err != nil || code != "222222" {
		t.Fatalf("Run = %q, %v; want the next code", code, err)
	}
	if b, _ := os.ReadFile(r.Command + ".runs"); string(b) != "run\nrun\n" {
		t.Errorf("runs = %q, want two", b)
	}
	if want := "awsenv: the fake gave the code AWS just rejected; asking again in 10ms.\n"; stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

func TestRejectedCodeUntilTimeout(t *testing.T) {
	r, _ := runner(script(t, "echo 111111"))
	r.Timeout = 100 * time.Millisecond
	req := request()
	req.Rejected = "111111"
	_, err := r.Run(context.Background(), req)
	pe := asError(t, err)
	if pe.Problem != "the fake gave no new code within 100ms" || pe.Fix != "wait for the next code" {
		t.Errorf("err = %+v", pe)
	}

	// A retry that the timeout cuts short says the same, not "no code".
	r, _ = runner(script(t, `if [ -f "$0.ran" ]; then exec sleep 30; fi; : > "$0.ran"; echo 111111`))
	r.Timeout = 300 * time.Millisecond
	_, err = r.Run(context.Background(), req)
	if pe := asError(t, err); pe.Problem != "the fake gave no new code within 300ms" {
		t.Errorf("err = %+v", pe)
	}
}

func TestRejectedCodeThenCancel(t *testing.T) {
	r, _ := runner(script(t, "echo 111111"))
	r.Retry = time.Minute
	req := request()
	req.Rejected = "111111"
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if _, err := r.Run(ctx, req); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestCommandLine(t *testing.T) {
	got := CommandLine("/usr/bin/ykman", []string{"oath", "AWS prod", "it's", "", "a@b.c:d=e,f+g%_-"})
	if want := `/usr/bin/ykman oath 'AWS prod' 'it'\''s' '' a@b.c:d=e,f+g%_-`; got != want {
		t.Errorf("CommandLine = %s, want %s", got, want)
	}
}
