package testproc

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

func setPdeathsig(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }

// holdUntilExit opens a pidfd for pid and returns a function that blocks
// until the process has exited, without reaping it (cmd.Wait still can).
// Without pidfds (Linux before 5.3) it returns at once: the thread is then
// not held, and Pdeathsig still fires when the process dies.
func holdUntilExit(pid int) func() {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return func() {}
	}
	return func() {
		defer unix.Close(fd)
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			if _, err := unix.Poll(fds, -1); err != unix.EINTR {
				return
			}
		}
	}
}

func followParent() {
	ppid := os.Getppid()
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
		return
	}
	if os.Getppid() != ppid { // the parent died before the signal was set
		os.Exit(1)
	}
}
