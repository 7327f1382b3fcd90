package rpc

import (
	"context"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin/runner"

	"github.com/awsenv/awsenv/plugins/childproc"
)

// runnerFunc is go-plugin's RunnerFunc: spec carries go-plugin's
// environment (magic cookie, protocol versions, socket directory, AutoMTLS
// certificate); socketDir is the fresh directory it made for the socket.
func (p *Plugin) runnerFunc(_ hclog.Logger, spec *exec.Cmd, socketDir string) (runner.Runner, error) {
	p.mu.Lock()
	p.socketDir = socketDir
	p.mu.Unlock()
	if err := p.checkSocketPath(socketDir); err != nil {
		return nil, err
	}
	p.log.Debug("starting plugin", "path", p.cfg.Path, "args", p.cfg.Args, "socket_dir", socketDir)
	r := newProcRunner(childproc.Spec{
		Argv: append([]string{p.cfg.Path}, p.cfg.Args...),
		Env:  append(p.environ(), spec.Env...), // go-plugin's last: they win
	})
	p.mu.Lock()
	p.runner = r
	p.mu.Unlock()
	return r, nil
}

// drainDelay is how long the plugin's stdout and stderr are still read
// after it exited, before the host closes its ends. A process the plugin
// started may hold them open, and go-plugin waits for their end before it
// collects the plugin, so it would wait as long as that process lives.
const drainDelay = time.Second

// procRunner runs the plugin process for go-plugin (ClientConfig.RunnerFunc)
// through childproc.Launch, instead of go-plugin's own runner, which hands
// the plugin the host's stdin (awsenv's request pipe, in awsenv-helper) and
// cannot collect a plugin whose children keep its output open. The plugin
// gets stdin /dev/null, dies with its host, and its stdout and stderr are
// pipes go-plugin reads (its stderr reaches the person through the sink,
// made safe and capped by childproc.NewStderr).
type procRunner struct {
	spec  childproc.Spec
	child atomic.Pointer[childproc.Child] // set once started
}

var _ runner.Runner = (*procRunner)(nil)

func newProcRunner(spec childproc.Spec) *procRunner {
	spec.WaitDelay = drainDelay
	return &procRunner{spec: spec}
}

func (r *procRunner) Start(context.Context) error {
	c, err := childproc.Launch(r.spec, childproc.Pipes{Stdout: true, Stderr: true})
	if err != nil {
		return err
	}
	r.child.Store(c)
	return nil
}

// Wait waits for the process to end (go-plugin calls it once the output
// pipes are closed).
func (r *procRunner) Wait(context.Context) error {
	c := r.child.Load()
	if c == nil {
		return nil
	}
	return c.Wait()
}

// hasExited reports whether the process ended and was collected; then
// state may be read.
func (r *procRunner) hasExited() bool {
	c := r.child.Load()
	return c != nil && c.Exited()
}

// state is how the process ended, nil before.
func (r *procRunner) state() *os.ProcessState {
	if c := r.child.Load(); c != nil {
		return c.State()
	}
	return nil
}

// Kill kills the process with SIGKILL.
func (r *procRunner) Kill(context.Context) error {
	if c := r.child.Load(); c != nil {
		c.Kill()
	}
	return nil
}

// signal sends sig to the process, if it runs.
func (r *procRunner) signal(sig os.Signal) {
	if c := r.child.Load(); c != nil {
		c.Signal(sig)
	}
}

func (r *procRunner) closePipes() {
	if c := r.child.Load(); c != nil {
		c.ClosePipes()
	}
}

func (r *procRunner) Stdout() io.ReadCloser           { return r.child.Load().Stdout }
func (r *procRunner) Stderr() io.ReadCloser           { return r.child.Load().Stderr }
func (r *procRunner) Name() string                    { return r.spec.Argv[0] }
func (r *procRunner) Diagnose(context.Context) string { return "" }

// pid is the process id once started, else 0.
func (r *procRunner) pid() int {
	if c := r.child.Load(); c != nil {
		return c.Pid()
	}
	return 0
}

// ID is the process id once started; go-plugin's Kill does nothing while
// it is empty.
func (r *procRunner) ID() string {
	if pid := r.pid(); pid != 0 {
		return strconv.Itoa(pid)
	}
	return ""
}

func (r *procRunner) PluginToHost(network, address string) (string, string, error) {
	return network, address, nil
}

func (r *procRunner) HostToPlugin(network, address string) (string, string, error) {
	return network, address, nil
}
