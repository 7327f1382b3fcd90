// Package childproc is the one way awsenv and awsenv-helper start a
// program: the helper itself, plugins, credential_process, mfa_process,
// ykman, op and the browser opener all go through it, so each child gets
// the same rules:
//
//   - it dies with its parent: on Linux the kernel sends it SIGKILL
//     (PR_SET_PDEATHSIG) when the parent ends, however it ends, even by
//     kill -9 (Start);
//   - what it writes on stderr reaches the person made safe for a terminal
//     and capped (NewStderr);
//   - a run-to-completion child has its stdin chosen by the caller
//     (/dev/null by default), a capped stdout, a timeout and a bounded wait
//     for its pipes, and every process it leaves behind is ended after the
//     call (Run): on Linux this process becomes their subreaper
//     (PR_SET_CHILD_SUBREAPER), so an orphan comes to it, and the sweep
//     (EndOrphans) kills and reaps every child it did not start itself
//     through this package and still runs;
//   - a long-lived child (the helper, a go-plugin plugin) gets the same
//     parent-death tie and stderr, and its pipes are closed a moment after
//     it exits, whatever it left holding them (Launch).
//
// The kernel sends the parent-death signal when the thread that forked the
// child exits, not the process; Go may end threads, so Start forks from a
// goroutine locked to its thread and keeps that thread until the child has
// exited.
package childproc

import (
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
)

// started counts the children Start started: a process can only be left
// an orphan by a descendant, so with none started since the last sweep
// and none still running, EndOrphans has nothing to look for (and spares a
// scan of /proc).
var started atomic.Int64

// live holds the children started here that have not been waited for, by
// pid, with their start time (so a pid used again by another process is
// not taken for them): the sweep spares them. mu is held from the fork to
// the registration and through a sweep's listing and killing, so a sweep
// never sees a fresh child it does not know yet.
var live = struct {
	mu   sync.Mutex
	pids map[int]uint64
}{pids: map[int]uint64{}}

// Start starts cmd as cmd.Start does, tied to this process's life where
// the OS allows it, and known to the sweep as a child this process still
// runs. Other SysProcAttr fields (Setsid, Setctty, ...) are kept. The
// caller waits for cmd as usual.
func Start(cmd *exec.Cmd) error {
	_, err := start(cmd, true)
	return err
}

// start is Start (without the parent-death tie unless tie); exited, when
// not nil, is closed once the child has exited (before it is reaped:
// cmd.Wait still collects it).
func start(cmd *exec.Cmd, tie bool) (exited <-chan struct{}, err error) {
	if tie {
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{}
		}
		setPdeathsig(cmd.SysProcAttr)
	}
	started.Add(1)
	type result struct {
		exited chan struct{}
		err    error
	}
	res := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread() // the thread lives on: never exit it locked
		live.mu.Lock()
		if err := cmd.Start(); err != nil {
			live.mu.Unlock()
			res <- result{err: err}
			return
		}
		pid := cmd.Process.Pid
		live.pids[pid] = startTime(pid)
		live.mu.Unlock()
		// Opened before Start returns, so before anyone can reap the pid.
		hold, ok := holdUntilExit(pid)
		if !ok {
			res <- result{}
			return
		}
		done := make(chan struct{})
		res <- result{exited: done}
		hold()
		close(done)
	}()
	r := <-res
	if r.exited == nil {
		return nil, r.err
	}
	return r.exited, nil
}

// forget drops a child that has been waited for from the ones the sweep
// spares.
func forget(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	live.mu.Lock()
	delete(live.pids, cmd.Process.Pid)
	live.mu.Unlock()
}

// spared reports whether pid is a child started here that has not been
// waited for. The caller holds live.mu.
func spared(pid int) bool {
	t, ok := live.pids[pid]
	return ok && t == startTime(pid)
}

// pruneLive drops the entries of processes gone (waited for by a caller
// of Start that does not tell forget). The caller holds live.mu.
func pruneLive() {
	for pid, t := range live.pids {
		if startTime(pid) != t {
			delete(live.pids, pid)
		}
	}
}
