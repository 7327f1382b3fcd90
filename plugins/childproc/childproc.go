// Package childproc starts child processes that die with this one: on
// Linux the kernel sends them SIGKILL (PR_SET_PDEATHSIG) when their parent
// ends, however it ends, even by kill -9. awsenv starts its helper this way
// and the helper its plugins, so nothing awsenv started outlives it to
// read the terminal or hold a socket.
//
// The kernel sends the signal when the thread that forked the child exits,
// not the process; Go may end threads, so Start forks from a goroutine
// locked to its thread and keeps that thread until the child has exited.
package childproc

import (
	"os/exec"
	"runtime"
	"sync/atomic"
	"syscall"
)

// started counts the children Start started: a process can only be left
// an orphan by a descendant, so with none started since the last sweep
// EndOrphans has nothing to look for (and spares a scan of /proc).
var started atomic.Int64

// Start starts cmd as cmd.Start does, tied to this process's life where
// the OS allows it. Other SysProcAttr fields (Setsid, Setctty, ...) are
// kept. The caller waits for cmd as usual.
func Start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	setPdeathsig(cmd.SysProcAttr)
	started.Add(1)
	result := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread() // the thread lives on: never exit it locked
		if err := cmd.Start(); err != nil {
			result <- err
			return
		}
		// Opened before Start returns, so before anyone can reap the pid.
		hold := holdUntilExit(cmd.Process.Pid)
		result <- nil
		hold()
	}()
	return <-result
}
