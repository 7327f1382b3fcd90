// Package testproc starts the child processes of tests (servers, the
// binaries under test, shells) so that they die with the test binary, also
// when it is killed: `go test -timeout` ends a test binary with SIGQUIT and
// runs none of its clean-ups, and kill -9 runs nothing at all.
//
// On Linux every child gets SysProcAttr.Pdeathsig = SIGKILL. The kernel sends
// that signal when the *thread* that forked the child exits, not the process,
// and a Go thread exits when a goroutine locked to it (runtime.LockOSThread)
// returns without unlocking. Start therefore forks from a goroutine locked to
// its thread and keeps that thread locked until the child has exited, so no
// other goroutine can end the thread under a living child; it unlocks
// afterwards and never lets the thread exit. Test code must not exit a
// goroutine while it holds runtime.LockOSThread.
//
// Only test code imports this package.
package testproc

import (
	"os"
	"os/exec"
	"syscall"

	"github.com/awsenv/awsenv/plugins/childproc"
)

// DieWithParent makes cmd's process get SIGKILL when the test binary dies.
// Other SysProcAttr fields (Setsid, Setctty, Setpgid, ...) are kept. It
// returns cmd.
func DieWithParent(cmd *exec.Cmd) *exec.Cmd {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	setPdeathsig(cmd.SysProcAttr)
	return cmd
}

// Command is exec.Command with DieWithParent.
func Command(name string, arg ...string) *exec.Cmd {
	return DieWithParent(exec.Command(name, arg...))
}

// Start starts cmd as cmd.Start does, with DieWithParent, from a goroutine
// locked to its OS thread until the process has exited. The caller waits
// for the process with cmd.Wait as usual.
func Start(cmd *exec.Cmd) error {
	return childproc.Start(cmd)
}

// Run is cmd.Run with Start.
func Run(cmd *exec.Cmd) error {
	if err := Start(cmd); err != nil {
		return err
	}
	return cmd.Wait()
}

// EnvFollowParent, set to 1 in the environment of a test's helper program
// (a test plugin) that is started by code which sets no Pdeathsig, asks the
// program to call FollowParent.
const EnvFollowParent = "TESTPROC_FOLLOW_PARENT"

// FollowParent, called first thing in a test's helper program, makes it
// die with its parent when EnvFollowParent is 1: the code under test
// starts such programs, and a test must not change how. Only for programs
// whose parent is the test binary (or one of its children): a test that
// checks that the code under test ends its children must not set it.
func FollowParent() {
	if os.Getenv(EnvFollowParent) == "1" {
		followParent()
	}
}
