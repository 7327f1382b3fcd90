package rpc

import (
	"context"
	"time"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/proto/hooksv1"
)

// DefaultHookTimeout bounds one call of a hook or a credential source when
// LaunchConfig.CallTimeout is zero.
const DefaultHookTimeout = 30 * time.Second

// Limits on what a hook's answer may put on the person's terminal.
const (
	maxReason   = 500  // bytes of PreUseResponse.reason (termsafe caps bytes)
	maxMessage  = 2000 // bytes of one message
	maxMessages = 64   // messages of one answer; the rest are dropped
)

// PreUse runs the hook plugin of cfg for one PreUse call: Launch, the call,
// Close. The reason is made safe for a terminal.
func PreUse(ctx context.Context, cfg LaunchConfig, req plugins.PreUseRequest) (plugins.PreUseResponse, error) {
	return runOnce(ctx, cfg, ServiceHooks, func(p *Plugin) (plugins.PreUseResponse, error) { return p.PreUse(ctx, req) })
}

// PostUse runs the hook plugin of cfg for one PostUse call. The messages
// are made safe for a terminal; the variables are as the plugin sent them
// (awsenv checks names and quotes values).
func PostUse(ctx context.Context, cfg LaunchConfig, req plugins.PostUseRequest) (plugins.PostUseResponse, error) {
	return runOnce(ctx, cfg, ServiceHooks, func(p *Plugin) (plugins.PostUseResponse, error) { return p.PostUse(ctx, req) })
}

// Unset runs the hook plugin of cfg for one Unset call.
func Unset(ctx context.Context, cfg LaunchConfig, req plugins.UnsetRequest) (plugins.UnsetResponse, error) {
	return runOnce(ctx, cfg, ServiceHooks, func(p *Plugin) (plugins.UnsetResponse, error) { return p.Unset(ctx, req) })
}

// runOnce launches the plugin of cfg for service, makes one call and stops
// it.
func runOnce[T any](ctx context.Context, cfg LaunchConfig, service string, call func(*Plugin) (T, error)) (T, error) {
	cfg.Service = service
	p, err := Launch(ctx, cfg)
	if err != nil {
		var zero T
		return zero, err
	}
	defer p.Close()
	return call(p)
}

// PreUse asks the plugin whether the switch may go on, within
// LaunchConfig.CallTimeout.
func (p *Plugin) PreUse(ctx context.Context, req plugins.PreUseRequest) (plugins.PreUseResponse, error) {
	resp, err := invoke(ctx, p, ServiceHooks, "PreUse", func(ctx context.Context) (*hooksv1.PreUseResponse, error) {
		return p.remote.hooks.PreUse(ctx, &hooksv1.PreUseRequest{
			Profile: req.Profile, RoleArn: req.RoleARN, AccountId: req.AccountID, Region: req.Region,
			SourceProfile: req.SourceProfile, Terminal: req.Terminal, Options: req.Options,
		})
	})
	if err != nil {
		return plugins.PreUseResponse{}, err
	}
	out := plugins.PreUseResponse{Allow: resp.GetAllow()}
	if !out.Allow {
		out.Reason = clean(resp.GetReason(), maxReason)
	}
	return out, nil
}

// PostUse asks the plugin for variables to export, within
// LaunchConfig.CallTimeout.
func (p *Plugin) PostUse(ctx context.Context, req plugins.PostUseRequest) (plugins.PostUseResponse, error) {
	resp, err := invoke(ctx, p, ServiceHooks, "PostUse", func(ctx context.Context) (*hooksv1.PostUseResponse, error) {
		return p.remote.hooks.PostUse(ctx, &hooksv1.PostUseRequest{
			Profile: req.Profile, AccountId: req.AccountID, Arn: req.ARN, Region: req.Region,
			ExpiresUnix: req.ExpiresUnix, Options: req.Options, Set: toProtoVars(req.Set),
		})
	})
	if err != nil {
		return plugins.PostUseResponse{}, err
	}
	return plugins.PostUseResponse{
		Set:       fromProtoVars(resp.GetSet()),
		Messages:  cleanMessages(resp.GetMessages()),
		Cacheable: resp.GetCacheable(),
	}, nil
}

// Unset tells the plugin the profile is no longer in use, within
// LaunchConfig.CallTimeout.
func (p *Plugin) Unset(ctx context.Context, req plugins.UnsetRequest) (plugins.UnsetResponse, error) {
	resp, err := invoke(ctx, p, ServiceHooks, "Unset", func(ctx context.Context) (*hooksv1.UnsetResponse, error) {
		return p.remote.hooks.Unset(ctx, &hooksv1.UnsetRequest{Profile: req.Profile, Options: req.Options})
	})
	if err != nil {
		return plugins.UnsetResponse{}, err
	}
	return plugins.UnsetResponse{Messages: cleanMessages(resp.GetMessages())}, nil
}

// invoke makes one call of a service other than awsenv.mfa.v1 within
// LaunchConfig.CallTimeout; a failure is a *plugins.Error naming the
// plugin (see serviceCallError).
func invoke[T any](ctx context.Context, p *Plugin, service, method string, call func(context.Context) (T, error)) (T, error) {
	var zero T
	if p.stopped {
		return zero, p.fail("the plugin was already stopped", "This is a bug in awsenv: please report it.", nil)
	}
	callCtx, cancel := context.WithTimeout(ctx, p.cfg.CallTimeout)
	defer cancel()
	start := time.Now()
	resp, err := call(callCtx)
	if err != nil {
		return zero, p.serviceCallError(ctx, callCtx, service, method, err)
	}
	p.log.Debug(method+" answered", "took", time.Since(start)) // never the answer: it may hold a secret
	return resp, nil
}

func toProtoVars(vars []plugins.Variable) []*hooksv1.Variable {
	out := make([]*hooksv1.Variable, 0, len(vars))
	for _, v := range vars {
		out = append(out, &hooksv1.Variable{Name: v.Name, Value: v.Value})
	}
	return out
}

func fromProtoVars(vars []*hooksv1.Variable) []plugins.Variable {
	if len(vars) == 0 {
		return nil
	}
	out := make([]plugins.Variable, 0, len(vars))
	for _, v := range vars {
		out = append(out, plugins.Variable{Name: v.GetName(), Value: v.GetValue()})
	}
	return out
}

// cleanMessages makes a hook's messages safe for a terminal (clean:
// termsafe's whole-sequence stripper), each cut to maxMessage bytes, and
// there are at most maxMessages of them.
func cleanMessages(msgs []string) []string {
	if len(msgs) == 0 {
		return nil
	}
	if len(msgs) > maxMessages {
		msgs = msgs[:maxMessages]
	}
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, clean(m, maxMessage))
	}
	return out
}

// hooksServer is the plugin side of awsenv.hooks.v1.
type hooksServer struct {
	hooksv1.UnimplementedHooksServer
	h      plugins.HookPlugin
	stderr stderrRestorer
}

func (s *hooksServer) PreUse(ctx context.Context, in *hooksv1.PreUseRequest) (*hooksv1.PreUseResponse, error) {
	s.stderr.restore()
	resp, err := s.h.PreUse(ctx, plugins.PreUseRequest{
		Profile: in.GetProfile(), RoleARN: in.GetRoleArn(), AccountID: in.GetAccountId(), Region: in.GetRegion(),
		SourceProfile: in.GetSourceProfile(), Terminal: in.GetTerminal(), Options: in.GetOptions(),
	})
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	return &hooksv1.PreUseResponse{Allow: resp.Allow, Reason: resp.Reason}, nil
}

func (s *hooksServer) PostUse(ctx context.Context, in *hooksv1.PostUseRequest) (*hooksv1.PostUseResponse, error) {
	s.stderr.restore()
	resp, err := s.h.PostUse(ctx, plugins.PostUseRequest{
		Profile: in.GetProfile(), AccountID: in.GetAccountId(), ARN: in.GetArn(), Region: in.GetRegion(),
		ExpiresUnix: in.GetExpiresUnix(), Options: in.GetOptions(), Set: fromProtoVars(in.GetSet()),
	})
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	return &hooksv1.PostUseResponse{Set: toProtoVars(resp.Set), Messages: resp.Messages, Cacheable: resp.Cacheable}, nil
}

func (s *hooksServer) Unset(ctx context.Context, in *hooksv1.UnsetRequest) (*hooksv1.UnsetResponse, error) {
	s.stderr.restore()
	resp, err := s.h.Unset(ctx, plugins.UnsetRequest{Profile: in.GetProfile(), Options: in.GetOptions()})
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	return &hooksv1.UnsetResponse{Messages: resp.Messages}, nil
}
