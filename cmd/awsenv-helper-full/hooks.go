package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/plugins/rpc"
)

// hookCall runs a hook plugin for one call (start, handshake, call, stop),
// with the checks, timeouts and clean-up of an MFA plugin. Its messages
// and reason come back made safe for a terminal; its variables as the
// plugin sent them (awsenv checks and quotes them).
func hookCall(ctx context.Context, in helper.HookInput) (helper.HookResult, error) {
	// The plugin is done with when this returns: nothing it started may
	// stay behind.
	defer childproc.EndOrphans(helper.OrphanWait)
	cleanSocketDirs()
	var res helper.HookResult
	bad := func(problem string) error {
		return &plugins.Error{Provider: in.Plugin, Kind: plugins.KindHook, Problem: problem,
			Fix: "Make sure awsenv and awsenv-helper come from the same install (./install.sh)."}
	}
	switch {
	case in.Call == helper.CallPreUse && in.PreUse == nil,
		in.Call == helper.CallPostUse && in.PostUse == nil,
		in.Call == helper.CallUnset && in.Unset == nil:
		return res, bad("the " + in.Call + " request came without its input")
	case in.Call != helper.CallPreUse && in.Call != helper.CallPostUse && in.Call != helper.CallUnset:
		return res, bad(fmt.Sprintf("no such hook call %q (pre_use, post_use, unset)", in.Call))
	}
	cfg, err := launchConfig(in.Plugin, rpc.ServiceHooks, in.Debug)
	if err != nil {
		return res, err
	}
	cfg.CallTimeout, cfg.SHA256 = in.Timeout, in.SHA256
	switch in.Call {
	case helper.CallPreUse:
		var r plugins.PreUseResponse
		r, err = rpc.PreUse(ctx, cfg, *in.PreUse)
		res.PreUse = &r
	case helper.CallPostUse:
		var r plugins.PostUseResponse
		r, err = rpc.PostUse(ctx, cfg, *in.PostUse)
		res.PostUse = &r
	case helper.CallUnset:
		var r plugins.UnsetResponse
		r, err = rpc.Unset(ctx, cfg, *in.Unset)
		res.Unset = &r
	}
	if err != nil {
		return helper.HookResult{}, err
	}
	return res, nil
}

// sourceCredentials runs a credential-source plugin for one
// GetCredentials call. The answer holds a secret: it goes back to awsenv
// over the private pipe and nowhere else.
func sourceCredentials(ctx context.Context, in helper.CredentialsInput) (plugins.CredentialsResponse, error) {
	defer childproc.EndOrphans(helper.OrphanWait)
	cleanSocketDirs()
	cfg, err := launchConfig(in.Plugin, rpc.ServiceCredentials, in.Debug)
	if err != nil {
		return plugins.CredentialsResponse{}, err
	}
	cfg.CallTimeout, cfg.SHA256 = in.Timeout, in.SHA256
	creds, err := rpc.GetCredentials(ctx, cfg, in.Request)
	var pe *plugins.Error
	if err != nil && !errors.As(err, &pe) {
		return plugins.CredentialsResponse{}, &plugins.Error{Provider: in.Plugin, Kind: plugins.KindCredentialSource,
			Problem: "it gave no credentials", Err: err, Fix: "Run the command again with --debug to see why."}
	}
	return creds, err
}
