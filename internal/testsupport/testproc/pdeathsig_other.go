//go:build !linux

package testproc

import "syscall"

// Pdeathsig is Linux's; elsewhere children are only killed by clean-ups.
func setPdeathsig(*syscall.SysProcAttr) {}

func followParent() {}
