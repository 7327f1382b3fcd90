package rpc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/termsafe"
)

// Defaults for LaunchConfig's timeouts.
const (
	DefaultStartTimeout = 10 * time.Second
	DefaultCallTimeout  = 2 * time.Minute
)

// How a plugin is stopped after its last call: go-plugin asks it to shut
// down (GRPCController.Shutdown); a plugin still running exitGrace later
// gets SIGTERM, termGrace after that SIGKILL. reapWait bounds the wait for
// go-plugin to finish with the process, in case of a bug.
const (
	exitGrace = 250 * time.Millisecond
	termGrace = time.Second
	reapWait  = 3 * time.Second
)

// LaunchConfig says which plugin to run and how.
type LaunchConfig struct {
	// Name is the provider's name in messages, e.g. "oathtool". Empty means
	// the executable's name without its "awsenv-plugin-" prefix.
	Name string

	// Path is the plugin executable. It is run directly, without a shell or
	// a PATH search (a relative path is taken from the working directory).
	// It must be a regular file, executable, owned by the user or root, and
	// neither it nor its directory writable by others.
	Path string

	// Args are the plugin's arguments, passed as a list.
	Args []string

	// Environ is the environment the plugin starts with (KEY=VALUE). Nil
	// means this process's environment. go-plugin's variables (PLUGIN_*,
	// AWSENV_PLUGIN, AWSENV_PLUGIN_LOG) are dropped from it and from Env and
	// set by Launch.
	Environ []string

	// Env holds extra KEY=VALUE pairs, added after Environ (so they win).
	Env []string

	// SocketDir is the directory for the plugin's Unix socket, normally
	// $XDG_RUNTIME_DIR/awsenv/plugins. Each launch makes a fresh
	// subdirectory there (go-plugin's plugin-dirNNN) and removes it
	// afterwards, with any socket a killed plugin left behind. SocketDir is created with mode 0700 if missing and
	// refused if it is a symbolic link, belongs to someone else or others may
	// use it. Empty means a fresh 0700 directory under os.TempDir(), and so
	// does a SocketDir too deep for a Unix socket path (about 70 bytes).
	SocketDir string

	// SHA256 optionally pins the executable: its SHA-256 checksum in hex
	// (what sha256sum prints). A file with another checksum is not run.
	SHA256 string

	// AutoMTLS has host and plugin authenticate each other with one-time
	// TLS certificates (go-plugin's AutoMTLS). The plugin must take part:
	// plugins served by Serve do; one that does not cannot be reached (the
	// host does not fall back to plain text). Off by default: the socket
	// directory is private to the user, which is what guards the channel.
	AutoMTLS bool

	// StartTimeout bounds the start: exec, handshake, health check and Info.
	// Zero means DefaultStartTimeout.
	StartTimeout time.Duration

	// CallTimeout bounds one call (GetCode, PreUse, ...). Zero means
	// DefaultCallTimeout for an MFA provider, DefaultHookTimeout for the
	// other services.
	CallTimeout time.Duration

	// Service is the service the caller will use: ServiceMFA (or empty),
	// ServiceHooks, ServiceCredentials, or ServiceAny to describe a plugin
	// whatever it serves (`awsenv plugins list`). A plugin whose health
	// service reports the services it serves, and not this one, is refused
	// at its start. It also says what errors call the plugin ("MFA provider
	// NAME", "hook NAME", "credential source NAME").
	Service string

	// Stderr receives what the plugin writes to its stderr, line by line
	// (nil: discarded). Nothing is written after Close returns. The plugin's
	// stdout never reaches anything: it carries the handshake, then it is
	// thrown away.
	Stderr io.Writer

	// Debug receives go-plugin's log and the plugin's own debug log (nil:
	// silent). Codes are never logged.
	Debug io.Writer
}

func (c LaunchConfig) name() string {
	if c.Name != "" {
		return c.Name
	}
	if c.Path == "" {
		return "plugin"
	}
	base := filepath.Base(c.Path)
	if n := strings.TrimPrefix(base, "awsenv-plugin-"); n != "" {
		return n
	}
	return base
}

// Plugin is a running plugin process, ready for Code. Close it. A Plugin
// is for one goroutine at a time.
type Plugin struct {
	name   string
	cfg    LaunchConfig
	log    hclog.Logger
	client *plugin.Client
	remote *remote
	sink   *sink
	info   Info
	kind   string     // plugins.Error.Kind
	served serviceSet // what its health service says it serves

	mu        sync.Mutex
	runner    *procRunner // set by go-plugin's call of runnerFunc
	socketDir string      // go-plugin's fresh directory in SocketDir

	stopCtxKill func() bool // unregisters the kill on ctx's end
	stopOnce    sync.Once
	stopped     bool
}

// Launch starts the plugin at cfg.Path, does the handshake, checks its
// health and asks for its Info. ctx bounds the life of the process: when
// it ends, the plugin is killed. On error nothing is left running.
func Launch(ctx context.Context, cfg LaunchConfig) (*Plugin, error) {
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = DefaultStartTimeout
	}
	if cfg.Service == "" {
		cfg.Service = ServiceMFA
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
		if cfg.Service != ServiceMFA {
			cfg.CallTimeout = DefaultHookTimeout
		}
	}
	if cfg.Path != "" && !filepath.IsAbs(cfg.Path) {
		if abs, err := filepath.Abs(cfg.Path); err == nil {
			cfg.Path = abs // exec would search PATH for a bare name
		}
	}
	p := &Plugin{name: cfg.name(), cfg: cfg, kind: KindOf(cfg.Service),
		sink: newSink(cfg.Stderr, "plugin "+cfg.name(), cfg.Debug != nil)}
	p.log = hclog.NewNullLogger()
	if cfg.Debug != nil {
		// go-plugin logs the plugin's stderr lines too: made safe alike.
		p.log = hclog.New(&hclog.LoggerOptions{Name: "plugin." + p.name, Output: termsafe.New(cfg.Debug), Level: hclog.Debug})
	}
	if err := ctx.Err(); err != nil {
		return nil, p.interrupted(err)
	}
	if err := p.checkExecutable(); err != nil {
		return nil, err
	}
	if err := p.checkSHA256(); err != nil {
		return nil, err
	}
	if err := p.checkSocketDir(); err != nil {
		return nil, err
	}
	socketBase := cfg.SocketDir
	if socketBase != "" && len(socketBase)+socketDirName+socketName > maxSocketPath() {
		// Just as private, only less tidy.
		p.log.Debug("socket directory too deep for a Unix socket path: using a temporary directory",
			"dir", socketBase)
		socketBase = ""
	}

	p.client = plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: VersionedPlugins(nil),
		RunnerFunc:       p.runnerFunc,
		SkipHostEnv:      true,
		UnixSocketConfig: &plugin.UnixSocketConfig{TempDir: socketBase},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     cfg.StartTimeout,
		AutoMTLS:         cfg.AutoMTLS,
		Stderr:           &rawStderr{sink: p.sink},
		SyncStderr:       p.sink,
		SyncStdout:       io.Discard,
		Logger:           p.log,
	})
	p.stopCtxKill = context.AfterFunc(ctx, p.killProcess)

	started := time.Now()
	if err := p.start(ctx, started.Add(cfg.StartTimeout)); err != nil {
		p.stop(true)
		return nil, err
	}
	p.log.Debug("plugin ready", "path", cfg.Path, "name", p.info.Name, "version", p.info.Version,
		"took", time.Since(started))
	return p, nil
}

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
	cmd := exec.Command(p.cfg.Path, p.cfg.Args...)
	cmd.Env = append(p.environ(), spec.Env...) // go-plugin's last: they win
	r, err := newProcRunner(cmd)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.runner = r
	p.mu.Unlock()
	return r, nil
}

// killProcess kills the plugin process with SIGKILL, if it was started.
func (p *Plugin) killProcess() {
	p.mu.Lock()
	r := p.runner
	p.mu.Unlock()
	if r != nil {
		_ = r.Kill(context.Background())
	}
}

func (p *Plugin) start(ctx context.Context, deadline time.Time) error {
	cp, err := p.client.Client()
	if err != nil {
		return p.startError(ctx, err)
	}
	raw, err := cp.Dispense(PluginName)
	if err != nil {
		return p.startError(ctx, err)
	}
	p.remote = raw.(*remote)

	callCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	if err := p.remote.checkHealth(callCtx); err != nil {
		return p.startCallError(ctx, callCtx, "health", err)
	}
	if p.served, err = p.remote.discoverServices(callCtx); err != nil {
		return p.startCallError(ctx, callCtx, "health", err)
	}
	want := p.cfg.Service
	if p.served.known && want != ServiceAny && !p.served.has(want) {
		p.stop(true)
		return p.notServed(want)
	}
	if p.served.known && !p.served.has(ServiceMFA) {
		return nil // no Info to ask for
	}
	p.info, err = p.remote.info(callCtx)
	switch {
	case err == nil:
		// A plugin that reports no services (built before awsenv.hooks.v1)
		// is an MFA provider: it answered Info.
		p.served.served[ServiceMFA] = true
	case !p.served.known && want != ServiceMFA && status.Code(err) == codes.Unimplemented:
		// No MFA provider: what it serves shows when it is called.
	default:
		return p.startCallError(ctx, callCtx, "Info", err)
	}
	return nil
}

// Info is what the plugin said about itself (empty for a plugin that is
// no MFA provider: Info belongs to awsenv.mfa.v1).
func (p *Plugin) Info() Info { return p.info }

// Services are the services the plugin serves, by full name, in the order
// of ServiceNames: those its health service reports SERVING; for a plugin
// that reports none of them (one built before awsenv.hooks.v1, or a health
// service that says SERVING to every name), ServiceMFA if it answered Info.
func (p *Plugin) Services() []string {
	var out []string
	for _, s := range ServiceNames {
		if p.served.has(s) {
			out = append(out, s)
		}
	}
	return out
}

// Code asks the plugin for a code, within LaunchConfig.CallTimeout. The
// code is six digits. After a failure other than a refusal by the plugin
// itself, the process is already gone; Close it all the same.
func (p *Plugin) Code(ctx context.Context, req Request) (string, error) {
	if p.stopped {
		return "", p.fail("the plugin was already stopped", "This is a bug in awsenv: please report it.", nil)
	}
	callCtx, cancel := context.WithTimeout(ctx, p.cfg.CallTimeout)
	defer cancel()
	start := time.Now()
	code, err := p.remote.getCode(callCtx, req)
	if err != nil {
		return "", p.callError(ctx, callCtx, err)
	}
	p.log.Debug("GetCode answered", "took", time.Since(start))
	code = strings.TrimSpace(code)
	if !plugins.ValidCode(code) {
		return "", p.fail(
			"the plugin answered with something that is not a 6-digit code ("+plural(len(code), "character")+")",
			"This is a fault in the plugin or in its own settings; its documentation or author can tell which.", nil)
	}
	return code, nil
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
	if r != nil && r.cmd.Process != nil {
		p.log.Debug("plugin still running after Shutdown: sending SIGTERM")
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
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
	if r == nil || !r.hasExited() || r.cmd.ProcessState == nil {
		return ""
	}
	ps := r.cmd.ProcessState
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
	return p.runner.pid
}

// Code runs the plugin for one request: Launch, Plugin.Code, Close. It
// returns the code (six digits) and what the plugin said about itself.
func Code(ctx context.Context, cfg LaunchConfig, req Request) (string, Info, error) {
	p, err := Launch(ctx, cfg)
	if err != nil {
		return "", Info{}, err
	}
	defer p.Close()
	code, err := p.Code(ctx, req)
	return code, p.Info(), err
}

// Provider is a plugin as a plugins.Provider: each Code call runs the
// plugin once (see Code).
type Provider struct {
	Config LaunchConfig
}

// Name is Config's name.
func (p *Provider) Name() string { return p.Config.name() }

// Code runs the plugin for req.
func (p *Provider) Code(ctx context.Context, req plugins.Request) (string, error) {
	code, _, err := Code(ctx, p.Config, Request{Request: req})
	return code, err
}

var _ plugins.Provider = (*Provider)(nil)

// environ is the plugin's environment before go-plugin's variables:
// Environ and Env without them, and EnvLog.
func (p *Plugin) environ() []string {
	base := p.cfg.Environ
	if base == nil {
		base = os.Environ()
	}
	env := make([]string, 0, len(base)+len(p.cfg.Env)+2)
	for _, list := range [][]string{base, p.cfg.Env} {
		for _, kv := range list {
			if !reservedEnv(kv) {
				env = append(env, kv)
			}
		}
	}
	if p.cfg.Debug != nil {
		env = append(env, EnvLog+"=debug")
	}
	return env
}

func reservedEnv(kv string) bool {
	k, _, _ := strings.Cut(kv, "=")
	return strings.HasPrefix(k, "PLUGIN_") || k == Handshake.MagicCookieKey || k == EnvLog
}

// checkSHA256 compares the executable with its pinned checksum. (The file
// could still change between this check and its start; the pin guards
// against a plugin replaced earlier, the permission checks against one
// replaced by someone else.)
func (p *Plugin) checkSHA256() error {
	if p.cfg.SHA256 == "" {
		return nil
	}
	want, err := hex.DecodeString(strings.TrimSpace(p.cfg.SHA256))
	if err != nil || len(want) != sha256.Size {
		return p.fail("the pinned SHA-256 checksum is not 64 hexadecimal digits",
			"Pin the checksum sha256sum prints for the plugin: sha256sum "+shq(p.cfg.Path), nil)
	}
	f, err := os.Open(p.cfg.Path)
	if err != nil {
		return p.fail("cannot read "+p.cfg.Path+" to check its SHA-256 checksum", "Check the file.", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return p.fail("cannot read "+p.cfg.Path+" to check its SHA-256 checksum", "Check the file.", err)
	}
	if subtle.ConstantTimeCompare(h.Sum(nil), want) != 1 {
		return p.fail(p.cfg.Path+" does not match its pinned SHA-256 checksum",
			"If you installed a new version on purpose, pin its checksum again (sha256sum "+shq(p.cfg.Path)+
				"); if not, the file was changed behind your back: reinstall the plugin.", nil)
	}
	return nil
}

func (p *Plugin) fail(problem, fix string, err error) *plugins.Error {
	return &plugins.Error{Provider: p.name, Kind: p.kind, Problem: problem, Fix: fix, Err: err}
}

// ServiceAny, as LaunchConfig.Service, starts a plugin whatever it serves.
const ServiceAny = "*"

// KindOf is plugins.Error.Kind for a plugin started for service.
func KindOf(service string) string {
	switch service {
	case ServiceHooks:
		return plugins.KindHook
	case ServiceCredentials:
		return plugins.KindCredentialSource
	case ServiceAny:
		return "plugin"
	}
	return ""
}

func (p *Plugin) interrupted(err error) *plugins.Error {
	if p.cfg.Service != ServiceMFA {
		return p.fail("stopped before the plugin answered", "Run the command again.", err)
	}
	return p.fail("stopped before the plugin gave a code", "Run the command again.", err)
}

// sink is where the plugin's stderr goes: writes from go-plugin's
// goroutines one at a time, nothing after close. What reaches w is made
// safe for a terminal (termsafe), and a Go crash is cut down to one line
// unless debug is on.
type sink struct {
	mu     sync.Mutex
	out    *termsafe.Stderr // nil with no w
	closed bool
}

func newSink(w io.Writer, name string, debug bool) *sink {
	if w == nil {
		return &sink{}
	}
	return &sink{out: termsafe.NewStderr(w, name, debug)}
}

func (s *sink) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out != nil && !s.closed {
		_, _ = s.out.Write(b)
	}
	return len(b), nil
}

// close ends the output: an unfinished line is ended, a crash summarised.
func (s *sink) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed && s.out != nil {
		_ = s.out.Close()
	}
	s.closed = true
}

// rawStderr takes the plugin's real stderr from go-plugin, which writes
// each line and then its newline, and passes the lines on, except
// go-plugin's own JSON log lines (`{"@level":...}`), which go-plugin also
// sends to the debug log and which are noise to the person.
type rawStderr struct {
	sink *sink
	line []byte
}

const maxLine = 64 << 10

func (r *rawStderr) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			r.line = append(r.line, b...)
			if len(r.line) > maxLine {
				_, _ = r.sink.Write(r.line)
				r.line = r.line[:0]
			}
			break
		}
		r.line = append(r.line, b[:i+1]...)
		b = b[i+1:]
		if !isLogLine(r.line) {
			_, _ = r.sink.Write(r.line)
		}
		r.line = r.line[:0]
	}
	return n, nil
}

func isLogLine(line []byte) bool {
	return bytes.HasPrefix(line, []byte(`{"@`)) && bytes.Contains(line, []byte(`"@level":`))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
