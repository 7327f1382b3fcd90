// Command misbehave is a test plugin that goes wrong in the way its first
// argument names. It writes its process id to TESTPLUGIN_PIDFILE.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/awsenv/awsenv/internal/testproc"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/rpc"
)

type provider struct {
	mode   string
	stdout *os.File // the process's own stdout, the handshake channel
}

func (provider) Name() string { return "misbehave" }

func (p provider) Code(ctx context.Context, req plugins.Request) (string, error) {
	switch p.mode {
	case "crash":
		fmt.Fprintln(os.Stderr, "about to crash")
		panic("crash during the call")
	case "exit":
		os.Exit(3)
	case "hang":
		select {} // ignores its context, the worst case
	case "badcode":
		return "12ab56", nil
	case "refuse":
		return "", &plugins.Error{Provider: "misbehave", Problem: "no YubiKey\x1b[2J is plugged in",
			Fix: "Plug in your YubiKey and run the command again."}
	case "fail":
		return "", errors.New("something broke")
	case "junk-after":
		fmt.Fprintln(p.stdout, "JUNK on the handshake channel after the handshake")
		fmt.Fprintln(os.Stdout, "JUNK on os.Stdout during a call")
		return "654321", nil
	}
	return "111111", nil
}

func serve(p provider, hs plugin.HandshakeConfig) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  hs,
		VersionedPlugins: map[int]plugin.PluginSet{int(hs.ProtocolVersion): {rpc.PluginName: &rpc.GRPCPlugin{Provider: p}}},
		GRPCServer:       plugin.DefaultGRPCServer,
		Logger:           hclog.NewNullLogger(),
	})
}

func main() {
	testproc.FollowParent()
	if path := os.Getenv("TESTPLUGIN_PIDFILE"); path != "" {
		_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())), 0o600)
	}
	p := provider{stdout: os.Stdout}
	if len(os.Args) > 1 {
		p.mode = os.Args[1]
	}
	switch p.mode {
	case "junk-before":
		fmt.Println("JUNK before the handshake")
	case "slow-start":
		time.Sleep(time.Minute)
	case "v2":
		hs := rpc.Handshake
		hs.ProtocolVersion = 2
		serve(p, hs)
		return
	case "cookie":
		hs := rpc.Handshake
		hs.MagicCookieValue = "another program's cookie"
		serve(p, hs)
		return
	case "go-plugin-logs":
		// go-plugin's default logger: JSON trace lines on stderr.
		plugin.Serve(&plugin.ServeConfig{
			HandshakeConfig:  rpc.Handshake,
			VersionedPlugins: rpc.VersionedPlugins(p),
			GRPCServer:       plugin.DefaultGRPCServer,
		})
		return
	}
	rpc.Serve(p)
}
