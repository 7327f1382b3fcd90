// Command raw is an awsenv MFA plugin written from plugins/examples/README.md
// alone: it uses gRPC, the code generated from mfa.proto and gRPC's health
// service, but neither go-plugin nor awsenv's rpc package. It does what a
// plugin in Python or Rust would do.
//
// It answers with the option "code" (default 123456) and records what it
// was asked in the JSON file TESTPLUGIN_RECORD, its process id in
// TESTPLUGIN_PIDFILE.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/awsenv/awsenv/plugins/proto/mfav1"
)

// The handshake values from the README.
const (
	cookieKey   = "AWSENV_PLUGIN"
	cookieValue = "27069f140afc3d0f37d58d2e331105502aefb99cd66bdbdf"
	appProtocol = "1"
)

type mfa struct {
	mfav1.UnimplementedMFAProviderServer
}

func (mfa) Info(context.Context, *mfav1.InfoRequest) (*mfav1.InfoResponse, error) {
	return &mfav1.InfoResponse{Name: "raw", Version: "0.1", Description: "written against the .proto alone"}, nil
}

func (mfa) GetCode(_ context.Context, req *mfav1.CodeRequest) (*mfav1.CodeResponse, error) {
	if path := os.Getenv("TESTPLUGIN_RECORD"); path != "" {
		b, _ := json.Marshal(req)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, err
		}
	}
	fmt.Fprintln(os.Stderr, "raw plugin: computing a code")
	code := req.GetOptions()["code"]
	if code == "" {
		code = "123456"
	}
	return &mfav1.CodeResponse{Code: code}, nil
}

// controller is go-plugin's plugin.GRPCController service (package
// "plugin", message plugin.Empty has no fields, like google.protobuf.Empty):
// the host calls Shutdown when it is done.
func controller(stop func()) *grpc.ServiceDesc {
	return &grpc.ServiceDesc{
		ServiceName: "plugin.GRPCController",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Shutdown",
			Handler: func(_ any, _ context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
				if err := dec(new(emptypb.Empty)); err != nil {
					return nil, err
				}
				go stop()
				return new(emptypb.Empty), nil
			},
		}},
	}
}

func main() {
	followParent() // test scaffolding, not part of the protocol
	// 1. Started by awsenv? A person running the plugin by hand is told so.
	if os.Getenv(cookieKey) != cookieValue {
		fmt.Fprintln(os.Stderr, "This is an awsenv plugin: awsenv starts it when it needs an MFA code.")
		os.Exit(1)
	}
	// 2. The host lists the protocol versions it speaks.
	if !slices.Contains(strings.Split(os.Getenv("PLUGIN_PROTOCOL_VERSIONS"), ","), appProtocol) {
		fmt.Fprintln(os.Stderr, "awsenv does not speak plugin protocol "+appProtocol)
		os.Exit(1)
	}
	if path := os.Getenv("TESTPLUGIN_PIDFILE"); path != "" {
		_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())), 0o600)
	}
	// 3. Listen on a Unix socket in the directory the host chose.
	dir := os.Getenv("PLUGIN_UNIX_SOCKET_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	sock := filepath.Join(dir, "raw-"+strconv.Itoa(os.Getpid())+".sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		fmt.Fprintln(os.Stderr, "raw plugin:", err)
		os.Exit(1)
	}
	defer os.Remove(sock)

	// 4. The services: ours, health ("plugin" SERVING), and Shutdown.
	srv := grpc.NewServer()
	mfav1.RegisterMFAProviderServer(srv, mfa{})
	hs := health.NewServer()
	hs.SetServingStatus("plugin", grpc_health_v1.HealthCheckResponse_SERVING)
	grpc_health_v1.RegisterHealthServer(srv, hs)
	srv.RegisterService(controller(srv.Stop), nil)

	// 5. Exit on SIGTERM as well (the host sends it if Shutdown did not end
	// the process).
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	go func() {
		<-sigs
		srv.Stop()
	}()

	// 6. The handshake line, then nothing else on stdout.
	fmt.Printf("1|%s|unix|%s|grpc|\n", appProtocol, sock)
	if err := srv.Serve(lis); err != nil {
		fmt.Fprintln(os.Stderr, "raw plugin:", err)
	}
}
