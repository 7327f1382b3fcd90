package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/profiles"
)

// Deps is everything awsenv takes from the outside world. Only
// SystemDeps reads the real one; tests build their own.
type Deps struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Environ        func() []string
	Now            func() time.Time
	Home           string
	ConfigHome     string // $XDG_CONFIG_HOME
	StateHome      string // $XDG_STATE_HOME
	DataHome       string // $XDG_DATA_HOME: awsenv's key index and its file keyring
	// Stdin is where `keys add` reads a key when it is not a terminal.
	Stdin io.Reader
	// OpenTTY opens the controlling terminal, for the MFA prompt.
	OpenTTY func() (io.ReadWriteCloser, error)
	// Executable is this binary's path, to find awsenv-helper beside it.
	Executable string
	// Exec replaces the process (awsenv exec).
	Exec func(path string, argv, env []string) error
	// ParentNames yields the names of the parent process (comm, then the
	// executable's base name, each read only when asked for), to tell
	// which shell will read what `use` prints; nil, or yielding nothing,
	// when the OS cannot tell.
	ParentNames func(yield func(string) bool)

	// debugEnv is AWSENV_DEBUG as Main read it (see debugOn).
	debugEnv bool

	helper *helper.Client // this run's helper; see Deps.Helper
	out    *bufio.Writer  // Stdout's buffer, when bufferStdout made one

	// catchSignals switches on Ctrl-C handling (see interrupts): called
	// before anything that may block. Nil in tests that call commands
	// without Main.
	catchSignals func()
}

// interruptible is called before a run does something that may block.
func (d *Deps) interruptible() {
	if d.catchSignals != nil {
		d.catchSignals()
	}
}

// bufferStdout makes Stdout a buffer, written out by flushStdout: a
// listing of thousands of rows then costs a few writes, not one a cell,
// and nothing reaches stdout before the command has succeeded.
func (d *Deps) bufferStdout() {
	if d.out == nil {
		d.out = bufio.NewWriterSize(d.Stdout, 64<<10)
		d.Stdout = d.out
	}
}

// flushStdout writes out what is buffered: at the end of the run, and
// before awsenv exec replaces the process.
func (d *Deps) flushStdout() error {
	if d.out == nil {
		return nil
	}
	return d.out.Flush()
}

// Helper is this run's awsenv-helper client: every command that needs the
// helper shares it, so a run starts at most one helper process (on its
// first request); Main closes it.
func (d *Deps) Helper() *helper.Client {
	if d.helper == nil {
		d.helper = &helper.Client{Find: func() string { return helperPath(d) }, Stderr: d.Stderr, OnStart: d.interruptible}
	}
	return d.helper
}

// pluginClient is this run's helper as the way to hook and
// credential-source plugins, with the plugins' sha256 pins from awsenv's
// config. Nothing starts until a plugin is called.
func (d *Deps) pluginClient(global *profiles.Global, debug bool) *helper.Client {
	c := d.Helper()
	c.Pins = global.PluginPins()
	c.Debug = c.Debug || debug
	return c
}

// closeHelper ends the helper, if this run started one.
func (d *Deps) closeHelper() {
	if d.helper != nil {
		d.helper.Close()
	}
}

// SystemDeps is the real world.
func SystemDeps() *Deps {
	exe, _ := os.Executable()
	// Linux's /proc/self/exe already names the file itself, links
	// resolved: resolving it again cost every run four lstat calls.
	if runtime.GOOS != "linux" {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
	}
	home, _ := os.UserHomeDir()
	configHome, stateHome, dataHome := xdgDirs()
	return &Deps{
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Getenv:     os.Getenv,
		Environ:    os.Environ,
		Now:        time.Now,
		Home:       home,
		ConfigHome: configHome,
		StateHome:  stateHome,
		DataHome:   dataHome,
		Stdin:      os.Stdin,
		OpenTTY: func() (io.ReadWriteCloser, error) {
			return os.OpenFile("/dev/tty", os.O_RDWR, 0)
		},
		Executable:  exe,
		Exec:        syscall.Exec,
		ParentNames: parentNames,
	}
}
