package main

import (
	"os"
	"syscall"
)

// followParent: with TESTPROC_FOLLOW_PARENT=1 (set by the tests) the plugin
// dies with the test that started it, even a killed one. Test scaffolding,
// not part of the plugin protocol; the standard library's syscall alone, as
// this plugin does without awsenv's packages.
func followParent() {
	if os.Getenv("TESTPROC_FOLLOW_PARENT") != "1" {
		return
	}
	ppid := os.Getppid()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0); errno != 0 {
		return
	}
	if os.Getppid() != ppid {
		os.Exit(1)
	}
}
