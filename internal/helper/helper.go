// Package helper carries STS calls and MFA code requests to the
// awsenv-helper process: one JSON request on its stdin, one JSON answer on
// its stdout. The helper links the AWS SDK and go-plugin; awsenv itself
// does not, so the cached path (no STS call, no code) starts as fast as a
// small Go binary can.
package helper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"

	"github.com/awsenv/awsenv/internal/stsapi"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
)

// Request is one call, exactly one field set.
type Request struct {
	GetSessionToken   *stsapi.GetSessionTokenInput `json:"get_session_token,omitempty"`
	AssumeRole        *stsapi.AssumeRoleInput      `json:"assume_role,omitempty"`
	GetCallerIdentity *IdentityInput               `json:"get_caller_identity,omitempty"`
	MFACode           *MFAInput                    `json:"mfa_code,omitempty"`
	ListPlugins       *ListInput                   `json:"list_plugins,omitempty"`
}

// ListInput asks for every MFA provider, built in or found.
type ListInput struct {
	Pins map[string]string `json:"pins,omitempty"` // sha256 pins from awsenv's config
}

// PluginInfo is one MFA provider as `awsenv plugins list` shows it.
type PluginInfo struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"` // built-in or plugin
	Path     string `json:"path"`
	Protocol int    `json:"protocol,omitempty"`
	Version  string `json:"version,omitempty"`
	Status   string `json:"status"` // ok, or what is wrong and the fix
}

// MFAInput asks an MFA provider, built in or a plugin, for a code.
type MFAInput struct {
	Provider string          `json:"provider"` // prompt, ykman, op, process, or a plugin's name
	Request  plugins.Request `json:"request"`
	SHA256   string          `json:"sha256,omitempty"`  // pin for a third-party plugin
	Timeout  time.Duration   `json:"timeout,omitempty"` // for the call; 0: the default
	Debug    bool            `json:"debug,omitempty"`
}

// MFAError is a plugins.Error as it crosses the pipe.
type MFAError struct {
	Provider string `json:"provider"`
	Problem  string `json:"problem"`
	Fix      string `json:"fix"`
	Cause    string `json:"cause,omitempty"`
}

// IdentityInput is GetCallerIdentity's input.
type IdentityInput struct {
	stsapi.Target
	Credentials profiles.Credentials `json:"credentials"`
}

// Response is the answer, or the error AWS gave.
type Response struct {
	Credentials    *profiles.Credentials  `json:"credentials,omitempty"`
	Identity       *stsapi.Identity       `json:"identity,omitempty"`
	APIError       *stsapi.APIError       `json:"api_error,omitempty"`
	TransportError *stsapi.TransportError `json:"transport_error,omitempty"`
	Code           string                 `json:"code,omitempty"`
	Plugins        []PluginInfo           `json:"plugins,omitempty"`
	MFAError       *MFAError              `json:"mfa_error,omitempty"`
}

// Client runs the helper for each call.
type Client struct {
	Path   string    // the awsenv-helper binary
	Env    []string  // its environment (nil: awsenv's own)
	Stderr io.Writer // where its complaints go
}

func (c *Client) call(ctx context.Context, req Request) (*Response, error) {
	in, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, c.Path)
	cmd.Env = c.Env
	cmd.Stdin = bytes.NewReader(in)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = c.Stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, exec.ErrDot) {
			return nil, fmt.Errorf("run the helper %s: %w. Install awsenv-helper next to awsenv (./install.sh does).", c.Path, err)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("the helper %s failed: %w. Reinstall awsenv with ./install.sh.", c.Path, err)
	}
	var resp Response
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
		return nil, fmt.Errorf("the helper %s answered something awsenv cannot read: %w. Make sure awsenv and awsenv-helper come from the same install.", c.Path, err)
	}
	switch {
	case resp.APIError != nil:
		return nil, resp.APIError
	case resp.TransportError != nil:
		return nil, resp.TransportError
	case resp.MFAError != nil:
		e := resp.MFAError
		pe := &plugins.Error{Provider: e.Provider, Problem: e.Problem, Fix: e.Fix}
		if e.Cause != "" {
			pe.Err = errors.New(e.Cause)
		}
		return nil, pe
	}
	return &resp, nil
}

func (c *Client) GetSessionToken(ctx context.Context, in stsapi.GetSessionTokenInput) (profiles.Credentials, error) {
	resp, err := c.call(ctx, Request{GetSessionToken: &in})
	if err != nil {
		return profiles.Credentials{}, err
	}
	return credentialsOf(resp)
}

func (c *Client) AssumeRole(ctx context.Context, in stsapi.AssumeRoleInput) (profiles.Credentials, error) {
	resp, err := c.call(ctx, Request{AssumeRole: &in})
	if err != nil {
		return profiles.Credentials{}, err
	}
	return credentialsOf(resp)
}

func (c *Client) GetCallerIdentity(ctx context.Context, t stsapi.Target, creds profiles.Credentials) (stsapi.Identity, error) {
	resp, err := c.call(ctx, Request{GetCallerIdentity: &IdentityInput{Target: t, Credentials: creds}})
	if err != nil {
		return stsapi.Identity{}, err
	}
	if resp.Identity == nil {
		return stsapi.Identity{}, errors.New("the helper returned no identity. Make sure awsenv and awsenv-helper come from the same install.")
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

func credentialsOf(resp *Response) (profiles.Credentials, error) {
	if resp.Credentials == nil || resp.Credentials.AccessKeyID == "" {
		return profiles.Credentials{}, errors.New("the helper returned no credentials. Make sure awsenv and awsenv-helper come from the same install.")
	}
	return *resp.Credentials, nil
}

// MFAFunc gets a code from the provider an MFAInput names.
type MFAFunc func(ctx context.Context, in MFAInput) (string, error)

// ListFunc lists the MFA providers.
type ListFunc func(ctx context.Context, in ListInput) []PluginInfo

// Handlers are what the helper does with each kind of request.
type Handlers struct {
	STS  stsapi.Client
	MFA  MFAFunc
	List ListFunc
}

// Serve answers one request from r on w: STS calls with client, code
// requests with mfa. It is the helper's main.
func Serve(ctx context.Context, r io.Reader, w io.Writer, h Handlers) error {
	client := h.STS
	var req Request
	if err := json.NewDecoder(r).Decode(&req); err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	var resp Response
	var err error
	switch {
	case req.GetSessionToken != nil:
		var c profiles.Credentials
		c, err = client.GetSessionToken(ctx, *req.GetSessionToken)
		resp.Credentials = &c
	case req.AssumeRole != nil:
		var c profiles.Credentials
		c, err = client.AssumeRole(ctx, *req.AssumeRole)
		resp.Credentials = &c
	case req.GetCallerIdentity != nil:
		var id stsapi.Identity
		id, err = client.GetCallerIdentity(ctx, req.GetCallerIdentity.Target, req.GetCallerIdentity.Credentials)
		resp.Identity = &id
	case req.MFACode != nil:
		resp.Code, err = h.MFA(ctx, *req.MFACode)
	case req.ListPlugins != nil:
		resp.Plugins = h.List(ctx, *req.ListPlugins)
	default:
		return errors.New("empty request")
	}
	if err != nil {
		resp = Response{}
		var api *stsapi.APIError
		var tr *stsapi.TransportError
		var pe *plugins.Error
		switch {
		case errors.As(err, &pe):
			resp.MFAError = &MFAError{Provider: pe.Provider, Problem: pe.Problem, Fix: pe.Fix}
			if pe.Err != nil {
				resp.MFAError.Cause = pe.Err.Error()
			}
		case errors.As(err, &api):
			resp.APIError = api
		case errors.As(err, &tr):
			resp.TransportError = tr
		default:
			resp.TransportError = &stsapi.TransportError{Message: err.Error()}
		}
	}
	return json.NewEncoder(w).Encode(&resp)
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
