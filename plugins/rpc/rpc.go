// Package rpc runs awsenv's plugins as plugin processes: hashicorp/go-plugin
// starts the process and does the handshake, gRPC carries the services
// over a Unix socket in a private directory: awsenv.mfa.v1 (MFA codes),
// awsenv.hooks.v1 (hooks around a profile switch) and
// awsenv.credentials.v1 (credential sources), under plugins/proto/awsenv/.
// One plugin may serve several; its gRPC health service says which.
//
// Plugin side: a Go plugin is a main that calls Serve with a
// plugins.Provider, or ServeAll with whatever it implements.
//
// Host side: Code runs a plugin for one request (start, handshake, Info,
// GetCode, stop); Launch, Plugin.Code and Plugin.Close do the same in steps.
// PreUse, PostUse, Unset and GetCredentials do it for the other services
// (Plugin has the same methods). Provider wraps Code as a plugins.Provider.
// Every failure is a *plugins.Error naming the plugin, and no plugin
// process outlives the call.
//
// Package plugins (the contract) does not import this package, so awsenv's
// paths that need no plugin do not pay for gRPC's start-up.
package rpc

import (
	"cmp"
	"context"
	"errors"
	"strings"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health/grpc_health_v1"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/proto/credentialsv1"
	"github.com/awsenv/awsenv/plugins/proto/hooksv1"
	"github.com/awsenv/awsenv/plugins/proto/mfav1"
	"github.com/awsenv/awsenv/plugins/termsafe"
)

const (
	// ProtocolVersion is the plugin protocol this package speaks: the second
	// field of the handshake line. Version 1 is the awsenv.mfa.v1 service,
	// and, in plugins whose health service reports them, awsenv.hooks.v1
	// and awsenv.credentials.v1.
	ProtocolVersion = 1

	// PluginName is the name of awsenv's plugin in go-plugin's plugin set
	// (all services; "mfa" for history's sake).
	PluginName = "mfa"

	// EnvLog is set to "debug" in a plugin's environment when awsenv logs
	// for debugging; a plugin may then write more to its stderr. Serve turns
	// it into go-plugin's JSON log lines, which awsenv shows only in its
	// debug log.
	EnvLog = "AWSENV_PLUGIN_LOG"

	// HealthService is the service name a plugin must report as SERVING in
	// the standard gRPC health service (grpc.health.v1.Health), as
	// go-plugin requires of gRPC plugins.
	HealthService = plugin.GRPCServiceName
)

// Handshake is what host and plugin must agree on. The magic cookie is not a
// secret and not a security measure: it only lets a plugin binary tell that
// awsenv started it, so one run by hand says so instead of waiting.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "AWSENV_PLUGIN",
	MagicCookieValue: "27069f140afc3d0f37d58d2e331105502aefb99cd66bdbdf",
}

// VersionedPlugins is the plugin set for each protocol version: p serves
// the plugin side; the host passes nil.
func VersionedPlugins(p plugins.Provider) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		ProtocolVersion: {PluginName: &GRPCPlugin{Provider: p}},
	}
}

// Request is what the host sends a plugin: the contract's request.
// Rejected travels as last_rejected_code, Accepted as last_accepted_code.
type Request struct {
	plugins.Request
	// LastAccepted, if set, is sent instead of Request.Accepted.
	//
	// Deprecated: set Request.Accepted. LastAccepted predates that field
	// and stays so that callers written against it still compile.
	LastAccepted string
}

// Info is what a plugin says about itself (the Info call). Values are
// cleaned of control characters and shortened before they get here.
type Info struct {
	Name        string
	Version     string
	Description string
}

// GRPCPlugin is go-plugin's plugin.GRPCPlugin for awsenv's services, both
// sides. Serve and ServeAll use it; a plugin needs it directly only to
// serve with go-plugin's own options (then use NewGRPCServer as
// ServeConfig.GRPCServer, so that its health service reports the services).
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin

	// Provider, Hooks and Credentials answer the calls of awsenv.mfa.v1,
	// awsenv.hooks.v1 and awsenv.credentials.v1 on the plugin side; each
	// that is nil is not served. The host leaves them all nil.
	Provider    plugins.Provider
	Hooks       plugins.HookPlugin
	Credentials plugins.CredentialPlugin

	stderr stderrRestorer // set by Serve
}

// GRPCServer registers the services the plugin serves (plugin side).
func (g *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if g.Provider == nil && g.Hooks == nil && g.Credentials == nil {
		return errors.New("rpc: GRPCPlugin serves nothing: set Provider, Hooks or Credentials")
	}
	if g.Provider != nil {
		mfav1.RegisterMFAProviderServer(s, &server{p: g.Provider, stderr: g.stderr})
	}
	if g.Hooks != nil {
		hooksv1.RegisterHooksServer(s, &hooksServer{h: g.Hooks, stderr: g.stderr})
	}
	if g.Credentials != nil {
		credentialsv1.RegisterCredentialSourceServer(s, &credentialsServer{c: g.Credentials, stderr: g.stderr})
	}
	return nil
}

// GRPCClient returns the host's view of the services (host side). Its
// type is not exported: use Launch, Code, PreUse, ...
func (g *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &remote{
		mfa:    mfav1.NewMFAProviderClient(c),
		hooks:  hooksv1.NewHooksClient(c),
		creds:  credentialsv1.NewCredentialSourceClient(c),
		health: grpc_health_v1.NewHealthClient(c),
	}, nil
}

var _ plugin.GRPCPlugin = (*GRPCPlugin)(nil)

// remote is the host's client of one plugin process.
type remote struct {
	mfa    mfav1.MFAProviderClient
	hooks  hooksv1.HooksClient
	creds  credentialsv1.CredentialSourceClient
	health grpc_health_v1.HealthClient
}

func (r *remote) checkHealth(ctx context.Context) error {
	resp, err := r.health.Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: HealthService})
	if err != nil {
		return err
	}
	if resp.GetStatus() != grpc_health_v1.HealthCheckResponse_SERVING {
		return errNotServing
	}
	return nil
}

var errNotServing = errors.New("health service says the plugin is not serving")

func (r *remote) info(ctx context.Context) (Info, error) {
	resp, err := r.mfa.Info(ctx, &mfav1.InfoRequest{})
	if err != nil {
		return Info{}, err
	}
	return Info{
		Name:        clean(resp.GetName(), 64),
		Version:     clean(resp.GetVersion(), 64),
		Description: clean(resp.GetDescription(), 200),
	}, nil
}

func (r *remote) getCode(ctx context.Context, req Request) (string, error) {
	resp, err := r.mfa.GetCode(ctx, toProto(req))
	if err != nil {
		return "", err
	}
	return resp.GetCode(), nil
}

func toProto(req Request) *mfav1.CodeRequest {
	return &mfav1.CodeRequest{
		Profile:          req.Profile,
		MfaSerial:        req.Serial,
		Options:          req.Options,
		Terminal:         req.Terminal,
		LastRejectedCode: req.Rejected,
		LastAcceptedCode: cmp.Or(req.LastAccepted, req.Accepted),
	}
}

func fromProto(in *mfav1.CodeRequest) plugins.Request {
	return plugins.Request{
		Profile:  in.GetProfile(),
		Serial:   in.GetMfaSerial(),
		Options:  in.GetOptions(),
		Terminal: in.GetTerminal(),
		Rejected: in.GetLastRejectedCode(),
		Accepted: in.GetLastAcceptedCode(),
	}
}

// clean makes text from a plugin safe to print on a terminal with
// termsafe, awsenv's one sanitiser: escape sequences go whole (not just
// their ESC), control and bidi characters and invalid UTF-8 are shown as
// U+FFFD, and it is cut to max bytes. Newlines and tabs become spaces: a
// plugin's text is shown inside one line of awsenv's.
func clean(s string, max int) string {
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(termsafe.Clean(s, max))
}
