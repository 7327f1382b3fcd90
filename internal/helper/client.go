package helper

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/profiles"
)

// helperStderrLimit caps what the helper's stderr passes on in one run:
// each program it runs is capped at childproc.MaxStderr already.
const helperStderrLimit = 1 << 20

// closeWait is how long Close lets the helper finish after its stdin
// closes before it is killed.
const closeWait = 5 * time.Second

// Client sends requests to awsenv's helpers: awsenv-helper for the STS
// calls and the built-in MFA providers (Request.lean), awsenv-helper-full
// for everything else, and for those too once it runs, so that a run that
// needs the full helper starts only it. Each is started on its first
// request and kept for the next ones until Close. Requests are served one
// at a time; Client is safe for concurrent use.
type Client struct {
	Path string // the awsenv-helper binary
	// Find, when Path is empty, finds it at the first start: a run that
	// needs no helper never looks.
	Find func() string
	// FullPath is the awsenv-helper-full binary; "" means FullPath(Path).
	FullPath string
	Env      []string  // their environment (nil: Environ(awsenv's own))
	Stderr   io.Writer // where their complaints go, made safe for a terminal (termsafe)
	// Debug shows a crashed helper's whole trace; without it the trace is
	// cut down to one line.
	Debug bool
	// OnStart, if set, is called before a helper is started: awsenv
	// switches its Ctrl-C handling on then.
	OnStart func()

	// Pins are the sha256 pins of plugins by name (awsenv's config), sent
	// with the hook and credentials requests of the plugins.Hooks and
	// plugins.CredentialSource methods.
	Pins map[string]string
	// PluginTimeout bounds one call of a hook or credential source made
	// through those methods; 0: the helper's default (30 s).
	PluginTimeout time.Duration

	skew skewBox

	mu     sync.Mutex
	procs  [2]*process // the running helpers (leanHelper, fullHelper); nil before the first request, after Close, or after one died
	starts [2]int
	pids   [2]atomic.Int64 // procs' pids, readable while a request holds mu
}

// The two helpers, as indexes of Client.procs.
const (
	leanHelper = iota
	fullHelper
)

var (
	_ awsapi.STS               = (*Client)(nil)
	_ awsapi.IAM               = (*Client)(nil)
	_ plugins.Hooks            = (*Client)(nil)
	_ plugins.CredentialSource = (*Client)(nil)
)

// process is one running helper and its two pipes. Its stderr goes to
// the person through childproc (made safe, capped, a crash summarised):
// the helper passes on what its providers' programs write (ykman, op,
// mfa_process), and a crash would print a Go trace.
type process struct {
	child *childproc.Child
	in    io.WriteCloser
	out   *bufio.Reader
}

// wait waits for the helper; its stderr is ended then (an unfinished line
// ended, a crash summarised).
func (p *process) wait() error { return p.child.Wait() }

// Starts is how many helper processes c has started, of both kinds (for
// tests and --debug: a run needs at most one of each).
func (c *Client) Starts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.starts[leanHelper] + c.starts[fullHelper]
}

// FullStarts is how many of them were awsenv-helper-full.
func (c *Client) FullStarts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.starts[fullHelper]
}

// path is the binary of helper which.
func (c *Client) path(which int) string {
	if which == leanHelper {
		return c.Path
	}
	return cmp.Or(c.FullPath, FullPath(c.Path))
}

// FullPath is where awsenv-helper-full is, given where awsenv-helper is:
// beside it, as install.sh puts them.
func FullPath(helper string) string { return helper + "-full" }

// name is helper which's name in messages.
func name(which int) string {
	if which == leanHelper {
		return "awsenv-helper"
	}
	return "awsenv-helper-full"
}

// helperFor picks the helper that answers req; the caller holds c.mu.
func (c *Client) helperFor(req *Request) int {
	if req.lean() && c.procs[fullHelper] == nil {
		return leanHelper
	}
	return fullHelper
}

// ClockSkew returns the last clock skew (AWS's clock minus this machine's)
// an STS or IAM call through c measured, and whether any did. A call that
// succeeded may still have needed the SDK to correct a skew it found.
func (c *Client) ClockSkew() (time.Duration, bool) { return c.skew.get() }

// skewBox holds a measurement that may be read and written concurrently.
type skewBox struct {
	mu    sync.Mutex
	skew  time.Duration
	known bool
}

func (b *skewBox) set(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.skew, b.known = d, true
}

func (b *skewBox) get() (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.skew, b.known
}

// Environ is env as the helper gets it: without the AWS credentials and
// without the profile choice (AWS_PROFILE, AWS_DEFAULT_PROFILE). The helper
// signs every call with the credentials its request names, for the profile
// it names, and neither it nor the providers and plugins it runs have any
// business with the others. Where there is no D-Bus session bus, it gets
// the address that says so (busEnv): the keyring library it links asks
// for the bus as it initialises, and would otherwise launch a D-Bus daemon
// that outlives it, whichever of the helper's commands runs.
func Environ(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
			"AWS_PROFILE", "AWS_DEFAULT_PROFILE":
			continue
		}
		out = append(out, kv)
	}
	return busEnv(out)
}

// start runs helper which. The caller holds c.mu.
func (c *Client) start(which int) (*process, error) {
	if c.Path == "" && c.Find != nil {
		c.Path = c.Find()
	}
	if c.OnStart != nil {
		c.OnStart()
	}
	env := c.Env
	if env == nil {
		env = Environ(os.Environ())
	}
	env = busEnv(env) // a caller's own Env too
	// The helper dies with awsenv, even with kill -9: it must never be left
	// reading the terminal for an MFA code nobody is waiting for. It gets
	// more stderr than one program's cap: it passes on the (capped) output
	// of every provider it runs.
	child, err := childproc.Launch(childproc.Spec{Argv: []string{c.path(which)}, Env: env,
		Stderr: c.Stderr, Name: name(which), Debug: c.Debug, StderrLimit: helperStderrLimit},
		childproc.Pipes{Stdin: true, Stdout: true})
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, exec.ErrDot) || errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("run the helper %s: %w. Install %s next to awsenv (./install.sh does).", c.path(which), err, name(which))
		}
		return nil, fmt.Errorf("run the helper %s: %w. Reinstall awsenv with ./install.sh.", c.path(which), err)
	}
	c.starts[which]++
	c.pids[which].Store(int64(child.Pid()))
	return &process{child: child, in: child.Stdin, out: bufio.NewReader(child.Stdout)}, nil
}

// Close ends the helpers: their stdin closes, they finish and exit; one
// that does not within closeWait is killed. Close may be called more than
// once, and the next request starts a new helper.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var running []*process
	for i, p := range c.procs {
		if p != nil {
			running = append(running, p)
			p.in.Close()
		}
		c.procs[i] = nil
		c.pids[i].Store(0)
	}
	var errs []error
	deadline := time.After(closeWait)
	for _, p := range running {
		done := make(chan error, 1)
		go func() { done <- p.wait() }()
		select {
		case err := <-done:
			errs = append(errs, err)
		case <-deadline:
			p.child.Kill()
			errs = append(errs, <-done)
		}
	}
	return errors.Join(errs...)
}

// kill stops helper which in the middle of a request. The caller holds
// c.mu.
func (c *Client) kill(which int) error {
	p := c.procs[which]
	c.procs[which] = nil
	c.pids[which].Store(0)
	p.child.Kill()
	return p.wait()
}

func (c *Client) call(ctx context.Context, req Request) (*Response, error) {
	in, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	which := c.helperFor(&req)
	p := c.procs[which]
	if p == nil {
		if p, err = c.start(which); err != nil {
			return nil, err
		}
		c.procs[which] = p
	}
	type answer struct {
		line []byte
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		if _, err := p.in.Write(append(in, '\n')); err != nil {
			got <- answer{err: err}
			return
		}
		line, err := p.out.ReadBytes('\n')
		got <- answer{line, err}
	}()
	var a answer
	select {
	case a = <-got:
	case <-ctx.Done():
		// The request is abandoned: the helper (and any provider it runs)
		// goes with it, and the next request starts a new one.
		c.kill(which)
		<-got
		return nil, ctx.Err()
	}
	if a.err != nil {
		werr := c.kill(which)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if werr == nil {
			werr = a.err
		}
		return nil, fmt.Errorf("the helper %s failed: %w. Reinstall awsenv with ./install.sh.", c.path(which), werr)
	}
	var resp Response
	if err := json.Unmarshal(a.line, &resp); err != nil {
		c.kill(which)
		return nil, fmt.Errorf("the helper %s answered something awsenv cannot read: %w. Make sure awsenv and its helpers come from the same install.", c.path(which), err)
	}
	if resp.ClockSkew != nil {
		c.skew.set(*resp.ClockSkew)
	}
	switch {
	case resp.APIError != nil:
		return nil, resp.APIError
	case resp.TransportError != nil:
		return nil, resp.TransportError
	case resp.SecretError != nil:
		return nil, resp.SecretError
	case resp.MFAError != nil:
		e := resp.MFAError
		pe := &plugins.Error{Provider: e.Provider, Kind: e.Kind, Problem: e.Problem, Fix: e.Fix}
		switch {
		case e.Unimplemented:
			pe.Err = plugins.ErrUnimplemented
		case e.Cause != "":
			pe.Err = errors.New(e.Cause)
		}
		return nil, pe
	}
	return &resp, nil
}
func (c *Client) GetSessionToken(ctx context.Context, in awsapi.GetSessionTokenInput) (profiles.Credentials, error) {
	resp, err := c.call(ctx, Request{GetSessionToken: &in})
	if err != nil {
		return profiles.Credentials{}, err
	}
	return credentialsOf(resp)
}

func (c *Client) AssumeRole(ctx context.Context, in awsapi.AssumeRoleInput) (profiles.Credentials, error) {
	resp, err := c.call(ctx, Request{AssumeRole: &in})
	if err != nil {
		return profiles.Credentials{}, err
	}
	return credentialsOf(resp)
}

func (c *Client) GetCallerIdentity(ctx context.Context, t awsapi.Target, creds profiles.Credentials) (awsapi.Identity, error) {
	resp, err := c.call(ctx, Request{GetCallerIdentity: &IdentityInput{Target: t, Credentials: creds}})
	if err != nil {
		return awsapi.Identity{}, err
	}
	if resp.Identity == nil {
		return awsapi.Identity{}, errors.New("the helper returned no identity. Make sure awsenv and awsenv-helper come from the same install.")
	}
	return *resp.Identity, nil
}

// ListPlugins asks the helper for every MFA provider.
func (c *Client) ListPlugins(ctx context.Context, in ListInput) ([]PluginInfo, error) {
	resp, err := c.call(ctx, Request{ListPlugins: &in})
	if err != nil {
		return nil, err
	}
	return resp.Plugins, nil
}

// MFACode asks the helper for a code from a provider.
func (c *Client) MFACode(ctx context.Context, in MFAInput) (string, error) {
	resp, err := c.call(ctx, Request{MFACode: &in})
	if err != nil {
		return "", err
	}
	return resp.Code, nil
}

// ListAccessKeys asks the helper for iam:ListAccessKeys.
func (c *Client) ListAccessKeys(ctx context.Context, call awsapi.IAMCall, userName string) ([]awsapi.AccessKey, error) {
	resp, err := c.call(ctx, Request{ListAccessKeys: &IAMInput{IAMCall: call, UserName: userName}})
	if err != nil {
		return nil, err
	}
	return resp.AccessKeys, nil
}

// CreateAccessKey asks the helper for iam:CreateAccessKey.
func (c *Client) CreateAccessKey(ctx context.Context, call awsapi.IAMCall, userName string) (awsapi.NewKey, error) {
	resp, err := c.call(ctx, Request{CreateAccessKey: &IAMInput{IAMCall: call, UserName: userName}})
	if err != nil {
		return awsapi.NewKey{}, err
	}
	if resp.NewKey == nil || resp.NewKey.ID == "" || resp.NewKey.Secret == "" {
		return awsapi.NewKey{}, errors.New("the helper returned no new key, though IAM may have made one. List the user's keys and delete any you do not know; make sure awsenv and awsenv-helper come from the same install.")
	}
	return *resp.NewKey, nil
}

// UpdateAccessKey asks the helper for iam:UpdateAccessKey.
func (c *Client) UpdateAccessKey(ctx context.Context, call awsapi.IAMCall, userName, keyID, status string) error {
	_, err := c.call(ctx, Request{UpdateAccessKey: &IAMInput{IAMCall: call, UserName: userName, KeyID: keyID, Status: status}})
	return err
}

// DeleteAccessKey asks the helper for iam:DeleteAccessKey.
func (c *Client) DeleteAccessKey(ctx context.Context, call awsapi.IAMCall, userName, keyID string) error {
	_, err := c.call(ctx, Request{DeleteAccessKey: &IAMInput{IAMCall: call, UserName: userName, KeyID: keyID}})
	return err
}

// GetAccessKeyLastUsed asks the helper for iam:GetAccessKeyLastUsed.
func (c *Client) GetAccessKeyLastUsed(ctx context.Context, call awsapi.IAMCall, keyID string) (awsapi.LastUsed, error) {
	resp, err := c.call(ctx, Request{GetAccessKeyLastUsed: &IAMInput{IAMCall: call, KeyID: keyID}})
	if err != nil {
		return awsapi.LastUsed{}, err
	}
	if resp.LastUsed == nil {
		return awsapi.LastUsed{}, errors.New("the helper returned no last use. Make sure awsenv and awsenv-helper come from the same install.")
	}
	return *resp.LastUsed, nil
}

// ListMFADevices asks the helper for iam:ListMFADevices.
func (c *Client) ListMFADevices(ctx context.Context, call awsapi.IAMCall, userName string) ([]awsapi.MFADevice, error) {
	resp, err := c.call(ctx, Request{ListMFADevices: &IAMInput{IAMCall: call, UserName: userName}})
	if err != nil {
		return nil, err
	}
	return resp.MFADevices, nil
}

func credentialsOf(resp *Response) (profiles.Credentials, error) {
	if resp.Credentials == nil || resp.Credentials.AccessKeyID == "" {
		return profiles.Credentials{}, errors.New("the helper returned no credentials. Make sure awsenv and awsenv-helper come from the same install.")
	}
	return *resp.Credentials, nil
}

// Provider is an MFA provider reached through the helper: awsenv asks, the
// helper runs the provider (a plugin process) and answers with the code.
type Provider struct {
	Client   *Client
	Provider string            // the provider's name
	Extra    map[string]string // options awsenv adds to the profile's (e.g. the mfa_process command)
	SHA256   string
	Timeout  time.Duration
	Debug    bool
}

func (p *Provider) Name() string { return p.Provider }

func (p *Provider) Code(ctx context.Context, req plugins.Request) (string, error) {
	if len(p.Extra) > 0 {
		opts := map[string]string{}
		for k, v := range req.Options {
			opts[k] = v
		}
		for k, v := range p.Extra {
			opts[k] = v
		}
		req.Options = opts
	}
	return p.Client.MFACode(ctx, MFAInput{Provider: p.Provider, Request: req, SHA256: p.SHA256, Timeout: p.Timeout, Debug: p.Debug})
}

// Hook asks the helper for one call of a hook plugin. A failure is a
// *plugins.Error with Kind plugins.KindHook.
func (c *Client) Hook(ctx context.Context, in HookInput) (HookResult, error) {
	resp, err := c.call(ctx, Request{Hook: &in})
	if err != nil {
		return HookResult{}, err
	}
	if resp.Hook == nil {
		return HookResult{}, errors.New("the helper returned no answer from the hook. Make sure awsenv and awsenv-helper come from the same install.")
	}
	return *resp.Hook, nil
}

// SourceCredentials asks the helper for a credential source's credentials.
// The secret crosses the private pipe and is never logged.
func (c *Client) SourceCredentials(ctx context.Context, in CredentialsInput) (plugins.CredentialsResponse, error) {
	resp, err := c.call(ctx, Request{SourceCredentials: &in})
	if err != nil {
		return plugins.CredentialsResponse{}, err
	}
	if resp.SourceCredentials == nil || resp.SourceCredentials.AccessKeyID == "" {
		return plugins.CredentialsResponse{}, errors.New("the helper returned no credentials from the credential source. Make sure awsenv and awsenv-helper come from the same install.")
	}
	return *resp.SourceCredentials, nil
}

// HooksWithin is c as plugins.Hooks with d for each call instead of
// PluginTimeout (0: PluginTimeout): a profile's awsenv_hook_timeout.
func (c *Client) HooksWithin(d time.Duration) plugins.Hooks {
	if d <= 0 {
		return c
	}
	return timedHooks{c: c, timeout: d}
}

// timedHooks are the hook calls through c, each within timeout (0: c's
// PluginTimeout).
type timedHooks struct {
	c       *Client
	timeout time.Duration
}

// input is a HookInput for plugin with c's pin and debug.
func (t timedHooks) input(plugin, call string) HookInput {
	return HookInput{Plugin: plugin, Call: call, SHA256: t.c.Pins[plugin], Timeout: cmp.Or(t.timeout, t.c.PluginTimeout), Debug: t.c.Debug}
}

func (t timedHooks) PreUse(ctx context.Context, plugin string, req plugins.PreUseRequest) (plugins.PreUseResponse, error) {
	in := t.input(plugin, CallPreUse)
	in.PreUse = &req
	res, err := t.c.Hook(ctx, in)
	return hookAnswer(res, err, res.PreUse)
}

func (t timedHooks) PostUse(ctx context.Context, plugin string, req plugins.PostUseRequest) (plugins.PostUseResponse, error) {
	in := t.input(plugin, CallPostUse)
	in.PostUse = &req
	res, err := t.c.Hook(ctx, in)
	return hookAnswer(res, err, res.PostUse)
}

func (t timedHooks) Unset(ctx context.Context, plugin string, req plugins.UnsetRequest) (plugins.UnsetResponse, error) {
	in := t.input(plugin, CallUnset)
	in.Unset = &req
	res, err := t.c.Hook(ctx, in)
	return hookAnswer(res, err, res.Unset)
}

// hookAnswer is the part of a HookResult a call asked for.
func hookAnswer[T any](res HookResult, err error, part *T) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if part == nil {
		return zero, errors.New("the helper returned another answer than the hook call asked for. Make sure awsenv and awsenv-helper come from the same install.")
	}
	return *part, nil
}

// PreUse runs the PreUse call of the hook plugin (plugins.Hooks).
func (c *Client) PreUse(ctx context.Context, plugin string, req plugins.PreUseRequest) (plugins.PreUseResponse, error) {
	return timedHooks{c: c}.PreUse(ctx, plugin, req)
}

// PostUse runs the PostUse call of the hook plugin (plugins.Hooks).
func (c *Client) PostUse(ctx context.Context, plugin string, req plugins.PostUseRequest) (plugins.PostUseResponse, error) {
	return timedHooks{c: c}.PostUse(ctx, plugin, req)
}

// Unset runs the Unset call of the hook plugin (plugins.Hooks).
func (c *Client) Unset(ctx context.Context, plugin string, req plugins.UnsetRequest) (plugins.UnsetResponse, error) {
	return timedHooks{c: c}.Unset(ctx, plugin, req)
}

// GetCredentials asks the credential-source plugin for a profile's base
// credentials (plugins.CredentialSource).
func (c *Client) GetCredentials(ctx context.Context, plugin string, req plugins.CredentialsRequest) (plugins.CredentialsResponse, error) {
	return c.SourceCredentials(ctx, CredentialsInput{Plugin: plugin, Request: req, SHA256: c.Pins[plugin],
		Timeout: c.PluginTimeout, Debug: c.Debug})
}

// GetFederationToken asks the helper for a federated user's credentials.
func (c *Client) GetFederationToken(ctx context.Context, in awsapi.GetFederationTokenInput) (profiles.Credentials, error) {
	resp, err := c.call(ctx, Request{GetFederationToken: &in})
	if err != nil {
		return profiles.Credentials{}, err
	}
	return credentialsOf(resp)
}

// SigninToken asks the helper for a console sign-in token.
func (c *Client) SigninToken(ctx context.Context, in awsapi.SigninTokenInput) (string, error) {
	resp, err := c.call(ctx, Request{SigninToken: &in})
	if err != nil {
		return "", err
	}
	if resp.SigninToken == "" {
		return "", errors.New("the helper returned no sign-in token. Make sure awsenv and awsenv-helper come from the same install (./install.sh).")
	}
	return resp.SigninToken, nil
}
