//go:build unix

package main

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// blackHole is a server on 127.0.0.1 that accepts connections and never
// answers, as a black-holed endpoint, proxy or firewall does.
func blackHole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never read or answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// The AWSENV_AUTO_REFRESH prompt hook never holds the prompt longer than
// its documented bound (5 s, `use --timeout 5s`), in real shells, when
// AWS accepts the connection and never answers: the renewal is given up,
// said once, and the old credentials stay.
func TestInitAutoRefreshBoundedWhenAWSNeverAnswers(t *testing.T) {
	t.Parallel()
	const bound = 5 * time.Second
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if r := w.run("use", "prod", "--mfa-code", w.code()); r.code != 0 {
				t.Fatalf("use prod: %s", r)
			}
			// The role's session is gone, its MFA session cached: the
			// renewal must call AssumeRole, and AWS never answers.
			if r := w.run("sessions", "clear", "prod"); r.code != 0 {
				t.Fatalf("sessions clear prod: %s", r)
			}
			script := w.initScript(t, sh) + "\n" + promptRun[sh] + "\necho \"key=$AWS_ACCESS_KEY_ID profile=$AWSENV_PROFILE\"\n"
			expires := strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10)
			start := time.Now()
			r := w.shell(sh, script, "AWSENV_AUTO_REFRESH=1", "AWSENV_PROFILE=prod", "AWSENV_EXPIRES_AT="+expires,
				"AWS_ACCESS_KEY_ID=ASIAOLD", "AWS_ENDPOINT_URL="+blackHole(t))
			el := time.Since(start)
			wantOutput(t, sh, r, "key=ASIAOLD profile=prod\n", "awsenv: could not renew prod (exit 1): run awsenv use prod\n")
			// The shell's start and awsenv's own clean-up come on top of the
			// bound: a second or two on a loaded machine, far from the 20 s
			// and more an unbounded renewal waits.
			if el > bound+4*time.Second {
				t.Errorf("%s: the prompt hook took %s, more than its %s bound", sh, el, bound)
			}
			if el < bound-time.Second {
				t.Errorf("%s: the prompt hook returned after %s: it did not wait on AWS at all", sh, el)
			}
			if left := w.processesOf(); len(left) > 0 {
				t.Errorf("%s: processes left behind (the helper stuck on AWS?): %v", sh, left)
			}
		})
	}
}

// `use --timeout` bounds the whole run: against an endpoint that never
// answers it stops at the deadline, exit 1, nothing on stdout, and says
// what happened; a value that is no duration is a usage error.
func TestUseTimeout(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("use alice: %s", r)
	}
	start := time.Now()
	r := w.runEnv([]string{"AWS_ENDPOINT_URL=" + blackHole(t)}, "use", "prod", "--no-input", "--timeout", "2s", "--shell", "bash")
	if el := time.Since(start); el > 5*time.Second || el < 1500*time.Millisecond {
		t.Errorf("use --timeout 2s took %s", el)
	}
	if r.code != 1 || r.stdout != "" || r.stderr != "awsenv: use did not finish within --timeout 2s, so it stopped and changed nothing. Run `awsenv use` without --timeout (and with --debug) to see what it waits on.\n" {
		t.Errorf("use --timeout 2s against an endpoint that never answers: %s", r)
	}
	for _, v := range []string{"soon", "-1", "0"} {
		if r := w.run("use", "prod", "--timeout", v); r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "--timeout") {
			t.Errorf("--timeout %s: %s", v, r)
		}
	}
	// A run that ends in time is not changed by the flag.
	if r := w.run("use", "alice", "--no-input", "--timeout", "30s", "--shell", "bash"); r.code != 0 || !strings.Contains(r.stdout, "AWS_SESSION_TOKEN") {
		t.Errorf("use --timeout 30s on a cached session: %s", r)
	}
}
