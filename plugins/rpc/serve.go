package rpc

import (
	"context"
	"errors"
	"os"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/proto/mfav1"
)

// Serve serves p as an awsenv MFA plugin and returns when awsenv is done
// with the process; main should return then. A whole plugin:
//
//	func main() { rpc.Serve(myProvider{}) }
//
// Info reports p.Name(), and p.Version() and p.Description() if p has those
// methods. GetCode calls p.Code. A *plugins.Error from the provider reaches the person with its Problem and
// Fix; any other error with its text.
//
// The plugin's stdout belongs to the handshake: whatever the provider
// writes there is thrown away. What it writes to os.Stderr reaches the
// person (awsenv's stderr), line by line, complete before awsenv goes on.
// To ask the person something, open /dev/tty when Request.Terminal is true.
//
// Run by hand, without the environment awsenv sets, a plugin prints a note
// to stderr and exits with status 1.
func Serve(p plugins.Provider) { ServeAll(Services{MFA: p}) }

// Services are what one plugin process serves: each service whose field
// is set.
type Services struct {
	MFA         plugins.Provider         // awsenv.mfa.v1.MFAProvider
	Hooks       plugins.HookPlugin       // awsenv.hooks.v1.Hooks
	Credentials plugins.CredentialPlugin // awsenv.credentials.v1.CredentialSource
}

// ServeAll serves every service set in s from one plugin process, as Serve
// does for an MFA provider alone, and reports each as SERVING in the gRPC
// health service under its full name (ServiceMFA, ServiceHooks,
// ServiceCredentials), so awsenv knows which the plugin serves. A whole
// hook plugin:
//
//	func main() { rpc.ServeAll(rpc.Services{Hooks: myHooks{}}) }
//
// A method of a HookPlugin that has nothing to do returns an empty
// response; one the plugin does not implement returns an error wrapping
// plugins.ErrUnimplemented. Errors reach the person as Serve's do: a
// *plugins.Error with its Problem and Fix, any other with its text. Never
// put a secret in an error or on stderr.
func ServeAll(s Services) {
	stderr := os.Stderr
	g := &GRPCPlugin{Provider: s.MFA, Hooks: s.Hooks, Credentials: s.Credentials,
		stderr: stderrRestorer{once: new(sync.Once), f: stderr}}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{ProtocolVersion: {PluginName: g}},
		GRPCServer:       NewGRPCServer,
		Logger:           serveLogger(stderr),
	})
}

// serveLogger is go-plugin's logger in the plugin: silent, unless awsenv
// asks for debug output (EnvLog), then JSON lines on stderr, which the host
// reads into its debug log.
func serveLogger(stderr *os.File) hclog.Logger {
	level := hclog.LevelFromString(os.Getenv(EnvLog))
	if level == hclog.NoLevel || level == hclog.Off {
		return hclog.NewNullLogger()
	}
	return hclog.New(&hclog.LoggerOptions{Output: stderr, Level: level, JSONFormat: true})
}

// stderrRestorer points os.Stderr back at the process's own stderr on the
// first call. go-plugin's Serve points os.Stderr at a pipe that it streams
// to the host on the side, so the last lines written before an answer can
// be lost when the host stops the plugin right after it; the host reads
// the real stderr to its end before it goes on. (go-plugin assigns
// os.Stderr before it starts serving, so calls see its value.)
type stderrRestorer struct {
	once *sync.Once
	f    *os.File
}

func (r stderrRestorer) restore() {
	if r.f != nil {
		r.once.Do(func() { os.Stderr = r.f })
	}
}

// server is the plugin side of the awsenv.mfa.v1 service.
type server struct {
	mfav1.UnimplementedMFAProviderServer
	p      plugins.Provider
	stderr stderrRestorer
}

func (s *server) Info(context.Context, *mfav1.InfoRequest) (*mfav1.InfoResponse, error) {
	s.stderr.restore()
	resp := &mfav1.InfoResponse{Name: s.p.Name()}
	if v, ok := s.p.(interface{ Version() string }); ok {
		resp.Version = v.Version()
	}
	if d, ok := s.p.(interface{ Description() string }); ok {
		resp.Description = d.Description()
	}
	return resp, nil
}

func (s *server) GetCode(ctx context.Context, in *mfav1.CodeRequest) (*mfav1.CodeResponse, error) {
	s.stderr.restore()
	code, err := s.p.Code(ctx, fromProto(in))
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	return &mfav1.CodeResponse{Code: code}, nil
}

// toStatus turns a provider's error into the gRPC status the host expects:
// a *plugins.Error with a Failure detail, never UNAVAILABLE (which the host
// reads as a crash).
func toStatus(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return status.FromContextError(ctx.Err()).Err()
	}
	if errors.Is(err, plugins.ErrUnimplemented) {
		return status.Error(codes.Unimplemented, err.Error())
	}
	var pe *plugins.Error
	if errors.As(err, &pe) {
		problem := pe.Problem
		if pe.Err != nil {
			problem += ": " + pe.Err.Error()
		}
		st := status.New(codes.FailedPrecondition, problem)
		if withFix, derr := st.WithDetails(&mfav1.Failure{Problem: problem, Fix: pe.Fix}); derr == nil {
			st = withFix
		}
		return st.Err()
	}
	if st, ok := status.FromError(err); ok && st.Code() != codes.Unavailable {
		return err
	}
	return status.Error(codes.Unknown, err.Error())
}
