package childproc

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// swept is the count of started children at the last sweep that found
// nothing left.
var swept atomic.Int64

// subreaper is set once this process is the subreaper of its descendants.
var subreaper atomic.Bool

var becomeOnce sync.Once

// BecomeSubreaper makes this process the child subreaper of its
// descendants (PR_SET_CHILD_SUBREAPER): a process that a child of ours
// leaves behind (started in the background, in a session of its own, or
// as a daemon by a double fork) becomes our child when its parent ends,
// instead of init's, so EndOrphans can end it. Run calls it on its first
// call; awsenv-helper calls it at its start.
func BecomeSubreaper() error {
	var err error
	becomeOnce.Do(func() {
		err = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
		subreaper.Store(err == nil)
	})
	return err
}

// isSubreaper reports whether orphans come to this process.
func isSubreaper() bool { return subreaper.Load() }

// EndOrphans kills (SIGKILL) and reaps every child of this process that
// it did not start through this package (Start, Run, Launch) or has
// waited for already: the orphans that came to it as a subreaper, and the
// children they leave in turn, which come to it as they die, for at most
// wait. Children started here and still running (the front's helper, a
// plugin in the middle of a call) are spared. It returns how many
// processes it ended.
func EndOrphans(wait time.Duration) int {
	n := started.Load()
	live.mu.Lock()
	idle := len(live.pids) == 0
	live.mu.Unlock()
	if n == swept.Load() && idle {
		return 0 // nothing started since the last sweep left none
	}
	self := os.Getpid()
	deadline := time.Now().Add(wait)
	ended := 0
	for {
		live.mu.Lock()
		pruneLive()
		var kids []int
		for _, pid := range children(self) {
			if !spared(pid) {
				kids = append(kids, pid)
				kill(pid, self)
			}
		}
		live.mu.Unlock()
		if len(kids) == 0 {
			swept.Store(n)
			return ended
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

// statFields are the fields of /proc/PID/stat after "pid (comm)" (comm
// may hold spaces and parentheses): [0] is the state, [1] the parent,
// [19] the start time; nil if the process is gone.
func statFields(pid int) []string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(s[i+1:])
}

// ppid is the parent of pid, -1 if unknown.
func ppid(pid int) int {
	f := statFields(pid)
	if len(f) < 2 {
		return -1
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return -1
	}
	return n
}

// startTime is when pid started (clock ticks since boot), 0 if it is gone.
func startTime(pid int) uint64 {
	f := statFields(pid)
	if len(f) < 20 {
		return 0
	}
	n, _ := strconv.ParseUint(f[19], 10, 64)
	return n
}
