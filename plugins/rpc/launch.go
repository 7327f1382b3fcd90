package rpc

import (
	"context"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/termsafe"
)

// Starting a plugin: the process, go-plugin's handshake, the health check
// and Info.

// Defaults for LaunchConfig's timeouts.
const (
	DefaultStartTimeout = 10 * time.Second
	DefaultCallTimeout  = plugins.DefaultCodeTimeout
)

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
