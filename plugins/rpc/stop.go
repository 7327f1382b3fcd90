package rpc

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Stopping a plugin: Shutdown, then SIGTERM, then SIGKILL, and what it
// leaves (its socket directory, its stderr).

// How a plugin is stopped after its last call: go-plugin asks it to shut
// down (GRPCController.Shutdown); a plugin still running exitGrace later
// gets SIGTERM, termGrace after that SIGKILL. reapWait bounds the wait for
// go-plugin to finish with the process, in case of a bug.
const (
	exitGrace = 250 * time.Millisecond
	termGrace = time.Second
	reapWait  = 3 * time.Second
)

// killProcess kills the plugin process with SIGKILL, if it was started.
func (p *Plugin) killProcess() {
	p.mu.Lock()
	r := p.runner
	p.mu.Unlock()
	if r != nil {
		_ = r.Kill(context.Background())
	}
}

// Close stops the plugin: go-plugin asks it to exit (Shutdown); it gets
// SIGTERM if it is still running a moment later, then SIGKILL. Close waits
// for the process and the end of its stderr, and removes its socket
// directory. It may be called more than once.
func (p *Plugin) Close() { p.stop(false) }

// stop ends the process, at once (after a failure) or gracefully.
func (p *Plugin) stop(now bool) {
	p.stopOnce.Do(func() {
		p.stopped = true
		if p.stopCtxKill != nil {
			p.stopCtxKill()
		}
		if p.client != nil {
			done := make(chan struct{})
			go func() {
				p.client.Kill()
				close(done)
			}()
			if now {
				p.killProcess()
			} else {
				p.escalate(done)
			}
			select {
			case <-done:
			case <-time.After(reapWait):
				p.log.Warn("gave up waiting for the plugin process to end", "path", p.cfg.Path)
			}
		}
		p.mu.Lock()
		r, dir := p.runner, p.socketDir
		p.mu.Unlock()
		if r != nil && r.hasExited() {
			r.closePipes()
		}
		p.sink.close()
		if dir != "" {
			// go-plugin removes it too, but not the socket of a plugin it
			// had to kill, and not if it gave up.
			if err := os.RemoveAll(dir); err != nil {
				p.log.Warn("could not remove the socket directory", "dir", dir, "error", err)
			}
		}
	})
}

// escalate waits for a graceful exit, then sends SIGTERM, then SIGKILL.
func (p *Plugin) escalate(done <-chan struct{}) {
	select {
	case <-done:
		return
	case <-time.After(exitGrace):
	}
	p.mu.Lock()
	r := p.runner
	p.mu.Unlock()
	if r != nil && r.pid() != 0 {
		p.log.Debug("plugin still running after Shutdown: sending SIGTERM")
		r.signal(syscall.SIGTERM)
	}
	select {
	case <-done:
	case <-time.After(termGrace):
		p.log.Debug("plugin still running after SIGTERM: killing it")
		p.killProcess()
	}
}

// exitStatus describes how the process ended ("exit status 2"), after
// stop; empty if unknown or if awsenv killed it.
func (p *Plugin) exitStatus() string {
	p.mu.Lock()
	r := p.runner
	p.mu.Unlock()
	if r == nil || r.state() == nil {
		return ""
	}
	ps := r.state()
	ws, ok := ps.Sys().(syscall.WaitStatus)
	switch {
	case !ok:
		return ps.String()
	case ws.Exited():
		return "exit status " + strconv.Itoa(ws.ExitStatus())
	case ws.Signaled() && ws.Signal() != syscall.SIGKILL:
		return "killed by " + ws.Signal().String()
	}
	return ""
}

// pid is the plugin process's id, 0 before it started.
func (p *Plugin) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.runner == nil {
		return 0
	}
	return p.runner.pid()
}
