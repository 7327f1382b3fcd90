//go:build !linux

package childproc

import "syscall"

// Other systems have no parent-death signal: there a child ends when awsenv
// closes its pipes or kills it, not when awsenv is killed.
func setPdeathsig(*syscall.SysProcAttr) {}

func holdUntilExit(int) (func(), bool) { return nil, false }
