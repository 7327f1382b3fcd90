package rpc

import (
	"context"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin/runner"

	"github.com/awsenv/awsenv/plugins/childproc"
)

// drainDelay is how long the plugin's stdout and stderr are still read
// after it exited, before the host closes its ends. A process the plugin
// started may hold them open, and go-plugin waits for their end before it
// collects the plugin, so it would wait as long as that process lives.
const drainDelay = time.Second

// procRunner runs the plugin process for go-plugin (ClientConfig.RunnerFunc)
// instead of go-plugin's own runner, which hands the plugin the host's
// stdin (awsenv's request pipe, in awsenv-helper) and cannot collect a
// plugin whose children keep its output open.
type procRunner struct {
	cmd            *exec.Cmd
	stdout, stderr *os.File // the host's ends of the pipes
	pid            int
	exited         chan struct{} // closed when cmd.Wait returned
	waitErr        error

	closeOnce sync.Once
}

var _ runner.Runner = (*procRunner)(nil)

// newProcRunner prepares cmd (not started) with stdin /dev/null and
// stdout and stderr on pipes.
func newProcRunner(cmd *exec.Cmd) (*procRunner, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		_ = outR.Close()
		_ = outW.Close()
		return nil, err
	}
	cmd.Stdin = nil
	cmd.Stdout, cmd.Stderr = outW, errW
	return &procRunner{cmd: cmd, stdout: outR, stderr: errR, exited: make(chan struct{})}, nil
}

func (r *procRunner) Start(context.Context) error {
	// The plugin dies with its host (awsenv-helper), however the host ends.
	err := childproc.Start(r.cmd)
	// The child has its copies of the write ends; without closing ours the
	// host would never see the end of the output.
	_ = r.cmd.Stdout.(*os.File).Close()
	_ = r.cmd.Stderr.(*os.File).Close()
	if err != nil {
		r.closePipes()
		return err
	}
	r.pid = r.cmd.Process.Pid
	go func() {
		r.waitErr = r.cmd.Wait()
		close(r.exited)
		time.AfterFunc(drainDelay, r.closePipes)
	}()
	return nil
}

// Wait waits for the process to end (go-plugin calls it once the output
// pipes are closed).
func (r *procRunner) Wait(context.Context) error {
	<-r.exited
	return r.waitErr
}

// hasExited reports whether the process ended and was collected; then
// cmd.ProcessState may be read.
func (r *procRunner) hasExited() bool {
	select {
	case <-r.exited:
		return true
	default:
		return false
	}
}

// Kill kills the process with SIGKILL.
func (r *procRunner) Kill(context.Context) error {
	if r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
	}
	return nil
}

func (r *procRunner) closePipes() {
	r.closeOnce.Do(func() {
		_ = r.stdout.Close()
		_ = r.stderr.Close()
	})
}

func (r *procRunner) Stdout() io.ReadCloser           { return r.stdout }
func (r *procRunner) Stderr() io.ReadCloser           { return r.stderr }
func (r *procRunner) Name() string                    { return r.cmd.Path }
func (r *procRunner) Diagnose(context.Context) string { return "" }

// ID is the process id once started; go-plugin's Kill does nothing while
// it is empty.
func (r *procRunner) ID() string {
	if r.pid == 0 {
		return ""
	}
	return strconv.Itoa(r.pid)
}

func (r *procRunner) PluginToHost(network, address string) (string, string, error) {
	return network, address, nil
}

func (r *procRunner) HostToPlugin(network, address string) (string, string, error) {
	return network, address, nil
}
