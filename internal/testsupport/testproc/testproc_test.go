package testproc

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const holdEnv = "TESTPROC_HOLD_SHARED_MOTO"

// TestHoldSharedMoto is the child of TestSharedMotoDiesWithTestBinary: it
// starts the shared moto_server, says where, and waits to be killed.
func TestHoldSharedMoto(t *testing.T) {
	if os.Getenv(holdEnv) != "1" {
		t.Skip("run by TestSharedMotoDiesWithTestBinary")
	}
	m := SharedMoto(t)
	fmt.Printf("moto pid=%d url=%s\n", m.Pid, m.URL)
	time.Sleep(time.Minute) // the parent kills us long before
}

// A test binary that is killed (kill -9, or go test's timeout) takes the
// moto_server it started with it: no clean-up runs, Pdeathsig does the work.
func TestSharedMotoDiesWithTestBinary(t *testing.T) {
	Tool(t, "moto_server")
	child := Command(os.Args[0], "-test.run=^TestHoldSharedMoto$", "-test.count=1")
	child.Env = append(os.Environ(), holdEnv+"=1")
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := Start(child); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })

	var pid int
	var url string
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(60 * time.Second)
	for pid == 0 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the child test ended without starting moto_server")
			}
			if _, err := fmt.Sscanf(l, "moto pid=%d url=%s", &pid, &url); err != nil {
				pid = 0
			}
		case <-timeout:
			t.Fatal("the child test did not start moto_server within 60s")
		}
	}
	go func() {
		for range lines {
		}
	}()
	// moto_server is the child's own child: no pyenv shim or shell between
	// them that would not pass the death signal on.
	if ppid := parentOf(pid); ppid != child.Process.Pid {
		t.Fatalf("moto_server %d has parent %d, want the test binary %d", pid, ppid, child.Process.Pid)
	}
	addr := strings.TrimPrefix(url, "http://")
	if !listening(addr) {
		t.Fatalf("moto_server does not listen on %s", addr)
	}

	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) || listening(addr) {
		if time.Now().After(deadline) {
			t.Fatalf("moto_server %d outlived its killed test binary by 5s", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// parentOf reads the parent pid from /proc/PID/stat; 0 if unknown.
func parentOf(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// alive: the process exists and is not a zombie (a zombie is dead, only not
// yet reaped by whoever adopted it).
func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err == nil {
		c.Close()
	}
	return err == nil
}
