package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/adrg/xdg"

	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/builtin"
	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/plugins/discovery"
	"github.com/awsenv/awsenv/plugins/rpc"
)

// pluginDirs are where third-party plugins live, most personal first.
func pluginDirs() []string {
	dirs := []string{filepath.Join(xdg.DataHome, "awsenv", "plugins")}
	for _, d := range xdg.DataDirs {
		dirs = append(dirs, filepath.Join(d, "awsenv", "plugins"))
	}
	return dirs
}

// launchConfig says how to run the third-party plugin name for service
// (rpc.ServiceMFA, ...): the discovered executable (built-in MFA
// providers answer in this process).
func launchConfig(name, service string, debug bool) (rpc.LaunchConfig, error) {
	cfg := rpc.LaunchConfig{Name: name, Service: service, Stderr: os.Stderr, Environ: helper.Environ(os.Environ())}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		cfg.SocketDir = filepath.Join(dir, "awsenv", "plugins")
	}
	if debug {
		cfg.Debug = os.Stderr
	}
	if err := discovery.ValidName(name); err != nil {
		return cfg, withKind(err, service)
	}
	p, err := discovery.Find(pluginDirs(), name, os.Getuid())
	if err != nil {
		// discovery's error names the directories searched and the install
		// command; say once that the name is no built-in either.
		var pe *plugins.Error
		switch {
		case errors.Is(err, discovery.ErrNotFound) && errors.As(err, &pe) && service == rpc.ServiceMFA:
			return cfg, &plugins.Error{Provider: name,
				Problem: "no such MFA provider: it is not built in (" + strings.Join(plugins.Builtins, ", ") + ")",
				Err:     pe.Err, Fix: pe.Fix}
		case errors.Is(err, discovery.ErrNotFound) && errors.As(err, &pe):
			fix, _, _ := strings.Cut(pe.Fix, ", or set awsenv_mfa_provider")
			return cfg, &plugins.Error{Provider: name, Kind: rpc.KindOf(service),
				Problem: "no such plugin", Err: pe.Err,
				Fix: strings.TrimSuffix(fix, ".") + ", or remove " + name + " from the profile's " + settingOf(service) + "."}
		}
		return cfg, withKind(err, service)
	}
	cfg.Path = p.Path
	return cfg, nil
}

// withKind gives a *plugins.Error the kind of plugin service is served by.
func withKind(err error, service string) error {
	var pe *plugins.Error
	if service == rpc.ServiceMFA || !errors.As(err, &pe) {
		return err
	}
	c := *pe
	c.Kind = rpc.KindOf(service)
	return &c
}

// settingOf is the profile key naming the plugins of service.
func settingOf(service string) string {
	if service == rpc.ServiceCredentials {
		return "awsenv_credential_source"
	}
	return "awsenv_hooks"
}

// mfaCode answers a code request from awsenv: a built-in provider is asked
// in this process, a third-party one is run as a plugin (start, handshake,
// call, stop).
func mfaCode() helper.MFAFunc {
	return func(ctx context.Context, in helper.MFAInput) (string, error) {
		// The provider is done with when this returns: nothing it started
		// may stay behind.
		defer childproc.EndOrphans(helper.OrphanWait)
		cleanSocketDirs()
		if p, ok := builtin.New(in.Provider, os.Stderr); ok {
			return builtin.Code(ctx, p, in.Request, in.Timeout)
		}
		cfg, err := launchConfig(in.Provider, rpc.ServiceMFA, in.Debug)
		if err != nil {
			return "", err
		}
		cfg.CallTimeout, cfg.SHA256 = in.Timeout, in.SHA256
		code, _, err := rpc.Code(ctx, cfg, rpc.Request{Request: in.Request})
		return code, err
	}
}

// cleanSocketDirs removes what killed plugin runs left, whichever plugin
// this run uses.
func cleanSocketDirs() {
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		rpc.CleanSocketDirs(filepath.Join(dir, "awsenv", "plugins"))
	}
}

// listPlugins describes every provider: the built-ins, and each plugin
// found, started once to ask its Info, which also proves it speaks the
// protocol.
func listPlugins(ctx context.Context, in helper.ListInput) []helper.PluginInfo {
	defer childproc.EndOrphans(helper.OrphanWait)
	var out []helper.PluginInfo
	self, _ := os.Executable()
	for _, name := range plugins.Builtins {
		// Built-ins are served in this process: nothing to start.
		out = append(out, helper.PluginInfo{Name: name, Kind: "built-in", Path: self,
			Protocol: rpc.ProtocolVersion, Version: version, Services: []string{rpc.ShortName(rpc.ServiceMFA)}, Status: "ok"})
	}
	describe := func(info helper.PluginInfo, cfg rpc.LaunchConfig) helper.PluginInfo {
		cfg.Stderr = nil // a listing is no time for a plugin's chatter
		p, err := rpc.Launch(ctx, cfg)
		if err != nil {
			info.Status = err.Error()
			return info
		}
		defer p.Close()
		info.Protocol, info.Version, info.Status = rpc.ProtocolVersion, p.Info().Version, "ok"
		for _, s := range p.Services() {
			info.Services = append(info.Services, rpc.ShortName(s))
		}
		if len(info.Services) == 0 {
			info.Status = "serves none of awsenv's services (" + strings.Join(shortNames(rpc.ServiceNames), ", ") +
				"). Check that it is an awsenv plugin; see plugins/examples/README.md in awsenv's source for the protocol."
		}
		return info
	}
	for _, p := range discovery.List(pluginDirs(), os.Getuid()) {
		info := helper.PluginInfo{Name: p.Name, Kind: "plugin", Path: p.Path}
		if p.Problem != nil {
			info.Status = p.Problem.Error()
			out = append(out, info)
			continue
		}
		cfg, err := launchConfig(p.Name, rpc.ServiceAny, false)
		if err != nil {
			info.Status = err.Error()
			out = append(out, info)
			continue
		}
		cfg.SHA256 = in.Pins[p.Name]
		out = append(out, describe(info, cfg))
	}
	return out
}

func shortNames(services []string) []string {
	out := make([]string, len(services))
	for i, s := range services {
		out[i] = rpc.ShortName(s)
	}
	return out
}
