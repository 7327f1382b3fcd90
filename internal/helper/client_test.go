//go:build unix

package helper

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/plugins"
)

// helperPID is the pid of the awsenv-helper c keeps, 0 when none runs.
func helperPID(c *Client) int { return int(c.pids[leanHelper].Load()) }

// fullPID is the pid of the awsenv-helper-full c keeps, 0 when none runs.
func fullPID(c *Client) int { return int(c.pids[fullHelper].Load()) }

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

// awsenv-helper answers the STS calls and the built-in providers without
// awsenv-helper-full; the full helper answers the rest, and once it runs,
// those too, so that a run starts one helper of each kind at most and
// only one when it needs the full one first.
func TestEachRequestGoesToItsHelper(t *testing.T) {
	t.Parallel()
	_, url, alice := fakeWithAlice(t)
	ctx := context.Background()
	code := MFAInput{Provider: "process", Request: plugins.Request{Profile: "alice", Options: map[string]string{"command": "echo 123456"}}}

	lean, stderr := newClient(t, url)
	lean.FullPath = "/nonexistent/awsenv-helper-full"
	if _, err := lean.GetCallerIdentity(ctx, awsapi.Target{}, alice); err != nil {
		t.Fatalf("GetCallerIdentity through awsenv-helper: %v\nstderr: %s", err, stderr)
	}
	if c, err := lean.MFACode(ctx, code); err != nil || c != "123456" {
		t.Fatalf("a built-in provider through awsenv-helper: %q, %v", c, err)
	}
	if lean.Starts() != 1 || lean.FullStarts() != 0 || helperPID(lean) == 0 {
		t.Fatalf("%d starts, %d of the full helper, want one awsenv-helper", lean.Starts(), lean.FullStarts())
	}
	_, err := lean.ListPlugins(ctx, ListInput{})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/awsenv-helper-full") || !strings.Contains(err.Error(), "Install awsenv-helper-full next to awsenv") {
		t.Fatalf("plugins list needs the full helper: %v", err)
	}

	full, stderr := newClient(t, url)
	full.FullPath, full.Path = full.Path+"-full", "/nonexistent/awsenv-helper"
	if _, err := full.ListPlugins(ctx, ListInput{}); err != nil {
		t.Fatalf("plugins list through awsenv-helper-full: %v\nstderr: %s", err, stderr)
	}
	if _, err := full.GetCallerIdentity(ctx, awsapi.Target{}, alice); err != nil {
		t.Fatalf("GetCallerIdentity once the full helper runs: %v", err)
	}
	if c, err := full.MFACode(ctx, code); err != nil || c != "123456" {
		t.Fatalf("a built-in provider once the full helper runs: %q, %v", c, err)
	}
	if full.Starts() != 1 || full.FullStarts() != 1 || fullPID(full) == 0 || helperPID(full) != 0 {
		t.Fatalf("%d starts, %d of the full helper, want only awsenv-helper-full", full.Starts(), full.FullStarts())
	}
	pid := fullPID(full)
	if err := full.Close(); err != nil || !gone(pid) {
		t.Fatalf("close: %v, the full helper gone: %v", err, gone(pid))
	}
}

// awsenv-helper refuses what only the full helper serves, saying so: a
// mixed install, not awsenv, would send it one.
func TestLeanHelperRefusesTheRest(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	cmd := testproc.Command(helperBin)
	cmd.Stdin = strings.NewReader(`{"list_plugins":{}}` + "\n" + `{"mfa_code":{"provider":"thirdparty"}}` + "\n" + `{"secret_list":{}}` + "\n")
	cmd.Stdout = &out
	if err := testproc.Run(cmd); err != nil {
		t.Fatalf("awsenv-helper: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "awsenv-helper-full does") ||
		!strings.Contains(lines[1], "runs only the built-in providers") || !strings.Contains(lines[2], "no secret store") {
		t.Fatalf("awsenv-helper answered:\n%s", out.String())
	}
}
