//go:build unix

package helper

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins"
)

// helperPID is the pid of the helper c keeps, 0 when none runs.
func helperPID(c *Client) int { return int(c.pid.Load()) }

// gone reports whether no process has pid (a zombie would still answer
// signal 0, but the client reaps what it kills).
func gone(pid int) bool {
	return syscall.Kill(pid, 0) != nil
}

// One helper serves every request of a client, whatever the kind, and
// ends when the client closes.
func TestOneHelperServesEveryRequest(t *testing.T) {
	t.Parallel()
	fake, url, alice := fakeWithAlice(t)
	c, stderr := newClient(t, url)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := c.GetCallerIdentity(ctx, awsapi.Target{}, alice); err != nil {
			t.Fatalf("call %d: %v\nstderr: %s", i, err, stderr)
		}
	}
	if _, err := c.GetSessionToken(ctx, awsapi.GetSessionTokenInput{Credentials: alice}); err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	code, err := c.MFACode(ctx, MFAInput{Provider: "process",
		Request: plugins.Request{Profile: "alice", Options: map[string]string{"command": "echo 123456"}}})
	if err != nil || code != "123456" {
		t.Fatalf("code from the process provider: %q, %v", code, err)
	}
	if _, err := c.GetCallerIdentity(ctx, awsapi.Target{}, alice); err != nil {
		t.Fatalf("call after the code: %v", err)
	}
	if n := c.Starts(); n != 1 {
		t.Fatalf("%d helpers started for six requests, want 1", n)
	}
	if n := fake.Calls("GetCallerIdentity"); n != 4 {
		t.Fatalf("the double saw %d GetCallerIdentity calls, want 4", n)
	}
	pid := helperPID(c)
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if !gone(pid) {
		t.Fatalf("helper %d still runs after Close", pid)
	}
	// A request after Close starts a new helper.
	if _, err := c.GetCallerIdentity(ctx, awsapi.Target{}, alice); err != nil || c.Starts() != 2 {
		t.Fatalf("call after Close: %v, %d starts", err, c.Starts())
	}
}

// A request given up (Ctrl-C, a deadline) takes the helper and what it
// runs with it, at once; the next request gets a new helper.
func TestCancelledRequestKillsTheHelper(t *testing.T) {
	t.Parallel()
	c, stderr := newClient(t, "http://127.0.0.1:9")
	ctx, cancel := context.WithCancel(context.Background())
	pids := make(chan int, 1)
	go func() {
		for helperPID(c) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		pids <- helperPID(c)
		time.Sleep(200 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	_, err := c.MFACode(ctx, MFAInput{Provider: "process",
		Request: plugins.Request{Profile: "alice", Options: map[string]string{"command": "sleep 30; echo 123456"}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled request: %v, want context.Canceled\nstderr: %s", err, stderr)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("the cancelled request took %s", took)
	}
	if pid := <-pids; helperPID(c) != 0 || !gone(pid) {
		t.Fatalf("the helper %d of a cancelled request is still held or running", pid)
	}
	code, err := c.MFACode(context.Background(), MFAInput{Provider: "process",
		Request: plugins.Request{Profile: "alice", Options: map[string]string{"command": "echo 654321"}}})
	if err != nil || code != "654321" || c.Starts() != 2 {
		t.Fatalf("after the cancel: %q, %v, %d starts", code, err, c.Starts())
	}
}

// A helper that dies between requests is reported, and replaced on the
// next request.
func TestDeadHelperIsReplaced(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t, "http://127.0.0.1:9")
	ctx := context.Background()
	req := MFAInput{Provider: "process", Request: plugins.Request{Profile: "alice", Options: map[string]string{"command": "echo 123456"}}}
	if _, err := c.MFACode(ctx, req); err != nil {
		t.Fatal(err)
	}
	pid := helperPID(c)
	syscall.Kill(pid, syscall.SIGKILL)
	_, err := c.MFACode(ctx, req)
	if err == nil || !strings.Contains(err.Error(), "the helper") || !strings.Contains(err.Error(), "Reinstall awsenv") {
		t.Fatalf("request to a dead helper: %v", err)
	}
	if code, err := c.MFACode(ctx, req); err != nil || code != "123456" || c.Starts() != 2 {
		t.Fatalf("request after the death: %q, %v, %d starts", code, err, c.Starts())
	}
}
