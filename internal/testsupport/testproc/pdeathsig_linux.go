package testproc

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

func setPdeathsig(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }

func followParent() {
	ppid := os.Getppid()
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
		return
	}
	if os.Getppid() != ppid { // the parent died before the signal was set
		os.Exit(1)
	}
}
