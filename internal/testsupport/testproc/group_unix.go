//go:build unix

package testproc

import (
	"os/exec"
	"syscall"
)

// setGroup puts cmd in a process group of its own, so killGroup ends
// what it starts too (moto_server's werkzeug reloader).
func setGroup(cmd *exec.Cmd) { cmd.SysProcAttr.Setpgid = true }

func killGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
