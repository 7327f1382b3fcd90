// Package helper carries STS and IAM calls and MFA code requests to the
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
	"sync"
	"time"

	"github.com/awsenv/awsenv/internal/iamapi"
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

	ListAccessKeys       *IAMInput `json:"list_access_keys,omitempty"`
	CreateAccessKey      *IAMInput `json:"create_access_key,omitempty"`
	UpdateAccessKey      *IAMInput `json:"update_access_key,omitempty"`
	DeleteAccessKey      *IAMInput `json:"delete_access_key,omitempty"`
	GetAccessKeyLastUsed *IAMInput `json:"get_access_key_last_used,omitempty"`
	ListMFADevices       *IAMInput `json:"list_mfa_devices,omitempty"`
}

// isIAM reports whether r asks for an IAM call.
func (r *Request) isIAM() bool {
	return r.ListAccessKeys != nil || r.CreateAccessKey != nil || r.UpdateAccessKey != nil ||
		r.DeleteAccessKey != nil || r.GetAccessKeyLastUsed != nil || r.ListMFADevices != nil
}

// IAMInput is the input of every IAM call; each uses the fields its
// iamapi.Client method takes.
type IAMInput struct {
	iamapi.Call
	UserName string `json:"user_name,omitempty"`
	KeyID    string `json:"key_id,omitempty"`
	Status   string `json:"status,omitempty"`
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
	AccessKeys     []iamapi.AccessKey     `json:"access_keys,omitempty"`
	NewKey         *iamapi.NewKey         `json:"new_key,omitempty"` // its secret in clear: the pipe is private
	LastUsed       *iamapi.LastUsed       `json:"last_used,omitempty"`
	MFADevices     []iamapi.MFADevice     `json:"mfa_devices,omitempty"`
	Identity       *stsapi.Identity       `json:"identity,omitempty"`
	APIError       *stsapi.APIError       `json:"api_error,omitempty"`
	TransportError *stsapi.TransportError `json:"transport_error,omitempty"`
	Code           string                 `json:"code,omitempty"`
	Plugins        []PluginInfo           `json:"plugins,omitempty"`
	MFAError       *MFAError              `json:"mfa_error,omitempty"`

	// ClockSkew is the server's clock minus the helper's, in nanoseconds,
	// as the last response of an STS or IAM call measured it, failed calls
	// included; nil when no response came (or for other requests).
	ClockSkew *time.Duration `json:"clock_skew,omitempty"`
}

// Client runs the helper for each call. It is safe for concurrent use.
type Client struct {
	Path   string    // the awsenv-helper binary
	Env    []string  // its environment (nil: awsenv's own)
	Stderr io.Writer // where its complaints go

	skew skewBox
}

var (
	_ stsapi.Client = (*Client)(nil)
	_ iamapi.Client = (*Client)(nil)
)

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
	if resp.ClockSkew != nil {
		c.skew.set(*resp.ClockSkew)
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

// ListAccessKeys asks the helper for iam:ListAccessKeys.
func (c *Client) ListAccessKeys(ctx context.Context, call iamapi.Call, userName string) ([]iamapi.AccessKey, error) {
	resp, err := c.call(ctx, Request{ListAccessKeys: &IAMInput{Call: call, UserName: userName}})
	if err != nil {
		return nil, err
	}
	return resp.AccessKeys, nil
}

// CreateAccessKey asks the helper for iam:CreateAccessKey.
func (c *Client) CreateAccessKey(ctx context.Context, call iamapi.Call, userName string) (iamapi.NewKey, error) {
	resp, err := c.call(ctx, Request{CreateAccessKey: &IAMInput{Call: call, UserName: userName}})
	if err != nil {
		return iamapi.NewKey{}, err
	}
	if resp.NewKey == nil || resp.NewKey.ID == "" || resp.NewKey.Secret == "" {
		return iamapi.NewKey{}, errors.New("the helper returned no new key, though IAM may have made one. List the user's keys and delete any you do not know; make sure awsenv and awsenv-helper come from the same install.")
	}
	return *resp.NewKey, nil
}

// UpdateAccessKey asks the helper for iam:UpdateAccessKey.
func (c *Client) UpdateAccessKey(ctx context.Context, call iamapi.Call, userName, keyID, status string) error {
	_, err := c.call(ctx, Request{UpdateAccessKey: &IAMInput{Call: call, UserName: userName, KeyID: keyID, Status: status}})
	return err
}

// DeleteAccessKey asks the helper for iam:DeleteAccessKey.
func (c *Client) DeleteAccessKey(ctx context.Context, call iamapi.Call, userName, keyID string) error {
	_, err := c.call(ctx, Request{DeleteAccessKey: &IAMInput{Call: call, UserName: userName, KeyID: keyID}})
	return err
}

// GetAccessKeyLastUsed asks the helper for iam:GetAccessKeyLastUsed.
func (c *Client) GetAccessKeyLastUsed(ctx context.Context, call iamapi.Call, keyID string) (iamapi.LastUsed, error) {
	resp, err := c.call(ctx, Request{GetAccessKeyLastUsed: &IAMInput{Call: call, KeyID: keyID}})
	if err != nil {
		return iamapi.LastUsed{}, err
	}
	if resp.LastUsed == nil {
		return iamapi.LastUsed{}, errors.New("the helper returned no last use. Make sure awsenv and awsenv-helper come from the same install.")
	}
	return *resp.LastUsed, nil
}

// ListMFADevices asks the helper for iam:ListMFADevices.
func (c *Client) ListMFADevices(ctx context.Context, call iamapi.Call, userName string) ([]iamapi.MFADevice, error) {
	resp, err := c.call(ctx, Request{ListMFADevices: &IAMInput{Call: call, UserName: userName}})
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

// MFAFunc gets a code from the provider an MFAInput names.
type MFAFunc func(ctx context.Context, in MFAInput) (string, error)

// ListFunc lists the MFA providers.
type ListFunc func(ctx context.Context, in ListInput) []PluginInfo

// Handlers are what the helper does with each kind of request.
type Handlers struct {
	STS  stsapi.Client
	IAM  iamapi.Client
	MFA  MFAFunc
	List ListFunc
}

// errNoIAM answers IAM requests when Handlers has no IAM client.
var errNoIAM = errors.New("this awsenv-helper makes no IAM calls. Reinstall awsenv with ./install.sh.")

// Serve answers one request from r on w: STS calls with h.STS, IAM calls
// with h.IAM, code requests with h.MFA. It is the helper's main. AWS calls
// report the clock skew their responses showed.
func Serve(ctx context.Context, r io.Reader, w io.Writer, h Handlers) error {
	client := h.STS
	var req Request
	if err := json.NewDecoder(r).Decode(&req); err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	var skew skewBox
	awsCtx := stsapi.WithClockSkewObserver(ctx, skew.set)
	var resp Response
	var err error
	switch {
	case req.GetSessionToken != nil:
		var c profiles.Credentials
		c, err = client.GetSessionToken(awsCtx, *req.GetSessionToken)
		resp.Credentials = &c
	case req.AssumeRole != nil:
		var c profiles.Credentials
		c, err = client.AssumeRole(awsCtx, *req.AssumeRole)
		resp.Credentials = &c
	case req.GetCallerIdentity != nil:
		var id stsapi.Identity
		id, err = client.GetCallerIdentity(awsCtx, req.GetCallerIdentity.Target, req.GetCallerIdentity.Credentials)
		resp.Identity = &id
	case h.IAM == nil && req.isIAM():
		err = errNoIAM
	case req.ListAccessKeys != nil:
		in := req.ListAccessKeys
		resp.AccessKeys, err = h.IAM.ListAccessKeys(awsCtx, in.Call, in.UserName)
	case req.CreateAccessKey != nil:
		in := req.CreateAccessKey
		var k iamapi.NewKey
		k, err = h.IAM.CreateAccessKey(awsCtx, in.Call, in.UserName)
		resp.NewKey = &k
	case req.UpdateAccessKey != nil:
		in := req.UpdateAccessKey
		err = h.IAM.UpdateAccessKey(awsCtx, in.Call, in.UserName, in.KeyID, in.Status)
	case req.DeleteAccessKey != nil:
		in := req.DeleteAccessKey
		err = h.IAM.DeleteAccessKey(awsCtx, in.Call, in.UserName, in.KeyID)
	case req.GetAccessKeyLastUsed != nil:
		in := req.GetAccessKeyLastUsed
		var lu iamapi.LastUsed
		lu, err = h.IAM.GetAccessKeyLastUsed(awsCtx, in.Call, in.KeyID)
		resp.LastUsed = &lu
	case req.ListMFADevices != nil:
		in := req.ListMFADevices
		resp.MFADevices, err = h.IAM.ListMFADevices(awsCtx, in.Call, in.UserName)
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
	if d, ok := skew.get(); ok {
		resp.ClockSkew = &d
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
