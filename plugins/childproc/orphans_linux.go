package childproc

import (
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// swept is the count of started children at the last sweep.
var swept atomic.Int64

// BecomeSubreaper makes this process the child subreaper of its
// descendants (PR_SET_CHILD_SUBREAPER): a process that a child of ours
// leaves behind (started in the background, in a session of its own, or
// as a daemon by a double fork) becomes our child when its parent ends,
// instead of init's, so EndOrphans can end it.
func BecomeSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// EndOrphans kills (SIGKILL) and reaps every child of this process, and
// the children they leave in turn, which come to us as they die, for at
// most wait. Call it only when this process runs no child it still needs:
// it takes them all. It returns how many processes it ended.
func EndOrphans(wait time.Duration) int {
	n := started.Load()
	if n == swept.Load() {
		return 0 // nothing started since the last sweep left none
	}
	self := os.Getpid()
	deadline := time.Now().Add(wait)
	ended := 0
	for {
		kids := children(self)
		if len(kids) == 0 {
			swept.Store(n)
			return ended
		}
		for _, pid := range kids {
			kill(pid, self)
		}
		for _, pid := range kids {
			if reap(pid, deadline) {
				ended++
			}
		}
		if time.Now().After(deadline) {
			return ended
		}
	}
}

// kill sends SIGKILL to pid if it is still our child. A pidfd pins the
// process, so a pid reused in the meantime is never hit.
func kill(pid, self int) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if err == unix.ENOSYS { // Linux before 5.3
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		return
	}
	defer unix.Close(fd)
	if ppid(pid) == self {
		_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
	}
}

// reap collects pid's exit, waiting for it until deadline.
func reap(pid int, deadline time.Time) bool {
	for {
		var ws unix.WaitStatus
		got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil: // ECHILD: reaped by someone else
			return false
		case got == pid:
			return true
		case time.Now().After(deadline):
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// children lists the processes whose parent is pid, from /proc.
func children(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil || n == pid {
			continue
		}
		if ppid(n) == pid {
			out = append(out, n)
		}
	}
	return out
}

// ppid reads the parent of pid from /proc/PID/stat ("pid (comm) state
// ppid ..."; comm may hold spaces and parentheses), -1 if unknown.
func ppid(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return -1
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return -1
	}
	return n
}
