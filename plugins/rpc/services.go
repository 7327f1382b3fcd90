package rpc

import (
	"context"
	"strings"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// The services a plugin may serve, by their full gRPC names. A plugin
// reports each one it serves as SERVING in the gRPC health service under
// this name, besides "plugin" (HealthService).
const (
	ServiceMFA         = "awsenv.mfa.v1.MFAProvider"
	ServiceHooks       = "awsenv.hooks.v1.Hooks"
	ServiceCredentials = "awsenv.credentials.v1.CredentialSource"
)

// ServiceNames lists the services in the order they are shown.
var ServiceNames = []string{ServiceMFA, ServiceHooks, ServiceCredentials}

// ShortName is a service's proto package, as messages and `awsenv plugins
// list` name it: "awsenv.hooks.v1" for ServiceHooks.
func ShortName(service string) string {
	if i := strings.LastIndexByte(service, '.'); i > 0 {
		return service[:i]
	}
	return service
}

// probeService is a name no plugin serves. A health service that reports
// it SERVING answers yes to every name, so its answers tell nothing.
const probeService = "awsenv.probe.v0.NoSuchService"

// serviceSet is what the host learnt about the services of a plugin.
type serviceSet struct {
	// known: the health service named at least one awsenv service and
	// does not answer SERVING for every name. Otherwise (a plugin built
	// before awsenv.hooks.v1, or a health service that says yes to all)
	// the plugin is taken for an MFA provider if Info answers.
	known  bool
	served map[string]bool
}

func (s serviceSet) has(service string) bool { return s.served[service] }

// discoverServices asks the plugin's health service about each awsenv
// service (and a made-up one), all at once. An error (NOT_FOUND, which
// Go's health service answers for a name it does not know, UNIMPLEMENTED,
// anything else) or a status other than SERVING means "not served". Only
// the context's end is an error.
func (r *remote) discoverServices(ctx context.Context) (serviceSet, error) {
	names := append([]string{probeService}, ServiceNames...)
	serving := make([]bool, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := r.health.Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: name})
			serving[i] = err == nil && resp.GetStatus() == grpc_health_v1.HealthCheckResponse_SERVING
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return serviceSet{}, err
	}
	set := serviceSet{served: map[string]bool{}}
	for i, name := range names[1:] {
		if serving[i+1] {
			set.served[name] = true
		}
	}
	set.known = !serving[0] && len(set.served) > 0
	if !set.known {
		set.served = map[string]bool{}
	}
	return set, nil
}

// NewGRPCServer is the gRPC server of a plugin served by Serve or
// ServeAll (go-plugin's ServeConfig.GRPCServer): go-plugin's default, whose
// health service also reports each awsenv service registered on the server
// (ServiceMFA, ServiceHooks, ServiceCredentials) as SERVING, and NOT_FOUND
// for the others. go-plugin makes the health service itself and reports
// only "plugin"; this server answers for the awsenv names before it.
func NewGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	var srv *grpc.Server
	var once sync.Once
	var registered map[string]bool
	check := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		in, ok := req.(*grpc_health_v1.HealthCheckRequest)
		if !ok || info.FullMethod != grpc_health_v1.Health_Check_FullMethodName ||
			!strings.HasPrefix(in.GetService(), "awsenv.") {
			return next(ctx, req)
		}
		once.Do(func() {
			registered = map[string]bool{}
			for name := range srv.GetServiceInfo() {
				registered[name] = true
			}
		})
		if registered[in.GetService()] {
			return &grpc_health_v1.HealthCheckResponse{Status: grpc_health_v1.HealthCheckResponse_SERVING}, nil
		}
		return nil, status.Error(codes.NotFound, "unknown service")
	}
	srv = grpc.NewServer(append(opts, grpc.ChainUnaryInterceptor(check))...)
	return srv
}
