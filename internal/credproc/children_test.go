//go:build linux

package credproc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/plugins/childproc/childproctest"
)

const okJSON = `echo '{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"s"}'`

// A credential_process goes through childproc: its hostile stderr reaches
// the terminal made safe and capped.
func TestRunHostileStderr(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	var term bytes.Buffer
	r := &Runner{Stderr: &term}
	out, err := r.Run(context.Background(), Request{Argv: []string{childproctest.Script(t, okJSON)}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(out, time.Now()); err != nil {
		t.Fatal(err)
	}
	childproctest.Check(t, term.String())
}

// What a credential_process leaves running (a setsid sleep) is gone after
// it succeeded, timed out or was cancelled; awsenv's own live child (the
// helper, here a sleep started through childproc) is spared.
func TestRunEndsWhatTheProcessLeft(t *testing.T) {
	for _, p := range []string{"sh", "setsid", "sleep"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skip("no " + p)
		}
	}
	helper, err := childproc.Launch(childproc.Spec{Argv: []string{"sleep", "300"}}, childproc.Pipes{Stdin: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { helper.Kill(); helper.Wait() }()
	r := &Runner{}
	for _, tc := range []struct {
		name, then string
		timeout    time.Duration
		ctxAfter   time.Duration // > 0: cancel once the left-behind process has started
		want       func(error) bool
	}{
		{"success", okJSON, 10 * time.Second, 0, func(err error) bool { return err == nil }},
		// 2 s: what it leaves behind must have started by then, also on a
		// loaded machine; a cancel waits for that.
		{"timeout", "sleep 30", 2 * time.Second, 0, func(err error) bool { return errors.Is(err, ErrTimeout) }},
		{"cancel", "sleep 30", 10 * time.Second, time.Nanosecond, func(err error) bool { return errors.Is(err, context.Canceled) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.ctxAfter > 0 {
				go func() {
					for ctx.Err() == nil {
						if fi, err := os.Stat(pidFile); err == nil && fi.Size() > 0 {
							cancel()
							return
						}
						time.Sleep(10 * time.Millisecond)
					}
				}()
			}
			_, err := r.Run(ctx, Request{Argv: []string{"sh", "-c", childproctest.LeaveBehindSh(pidFile) + "; " + tc.then}, Timeout: tc.timeout})
			if !tc.want(err) {
				t.Fatalf("Run = %v", err)
			}
			childproctest.Gone(t, childproctest.LeftPid(t, pidFile), "the setsid sleep the credential_process left")
			childproctest.Alive(t, helper.Pid(), "awsenv's helper")
		})
	}
}
