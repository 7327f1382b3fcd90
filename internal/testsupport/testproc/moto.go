package testproc

import (
	"fmt"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// Moto is a moto_server on 127.0.0.1.
type Moto struct {
	URL string
	Pid int
}

// StartMoto runs a moto_server of the test's own on a free loopback port
// until the test ends. With freeActions >= 0, authentication is enforced
// after that many free actions (INITIAL_NO_AUTH_ACTION_COUNT): such a server
// counts every request, so it cannot be shared.
func StartMoto(tb testing.TB, freeActions int) *Moto {
	tb.Helper()
	m, stop, err := startMoto(Tool(tb, "moto_server"), freeActions)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return m
}

var shared struct {
	sync.Mutex
	m   *Moto
	err error
}

// SharedMoto is one moto_server per test binary, without authentication,
// started by the first test that asks. Tests that share it must keep out of
// each other's way (their own IAM user and role names, for example). It
// dies with the test binary.
func SharedMoto(tb testing.TB) *Moto {
	tb.Helper()
	bin := Tool(tb, "moto_server")
	shared.Lock()
	defer shared.Unlock()
	if shared.m == nil && shared.err == nil {
		shared.m, _, shared.err = startMoto(bin, -1)
	}
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.m
}

func startMoto(bin string, freeActions int) (*Moto, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := Command(bin, "-H", "127.0.0.1", "-p", port)
	cmd.Env = os.Environ()
	if freeActions >= 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("INITIAL_NO_AUTH_ACTION_COUNT=%d", freeActions))
	}
	setGroup(cmd)
	if err := Start(cmd); err != nil {
		return nil, nil, fmt.Errorf("start moto_server: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		killGroup(cmd)
		<-exited
	}
	// A TCP dial, not an HTTP request: with authentication every request
	// counts as an action.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return &Moto{URL: "http://" + addr, Pid: cmd.Process.Pid}, stop, nil
		}
		select {
		case <-exited:
			return nil, nil, fmt.Errorf("moto_server on %s exited before it listened: %v", addr, cmd.ProcessState)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return nil, nil, fmt.Errorf("moto_server did not listen on %s within 30s: %v", addr, err)
		}
	}
}
