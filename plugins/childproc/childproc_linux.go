package childproc

import (
	"syscall"

	"golang.org/x/sys/unix"
)

func setPdeathsig(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }

// holdUntilExit returns a function that blocks until pid has exited,
// without reaping it (cmd.Wait still does). Without pidfds (Linux before
// 5.3) ok is false: the signal then depends on the thread living.
func holdUntilExit(pid int) (hold func(), ok bool) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, false
	}
	return func() {
		defer unix.Close(fd)
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			if _, err := unix.Poll(fds, -1); err != unix.EINTR {
				return
			}
		}
	}, true
}
