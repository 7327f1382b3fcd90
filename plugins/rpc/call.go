package rpc

import (
	"context"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins"
)

// Calling an MFA provider: one code, or one run of the plugin for one
// request (hooks.go and credentials.go hold the other services' calls).

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
