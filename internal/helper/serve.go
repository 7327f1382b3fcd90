package helper

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
)

// RequestTimeout bounds one request in the helper: a person may be typing
// a code, but nothing should wait longer.
const RequestTimeout = 10 * time.Minute

// MFAFunc gets a code from the provider an MFAInput names.
type MFAFunc func(ctx context.Context, in MFAInput) (string, error)

// ListFunc lists the MFA providers.
type ListFunc func(ctx context.Context, in ListInput) []PluginInfo

// HookFunc makes the call of a hook plugin a HookInput names.
type HookFunc func(ctx context.Context, in HookInput) (HookResult, error)

// CredentialsFunc asks a credential-source plugin for credentials.
type CredentialsFunc func(ctx context.Context, in CredentialsInput) (plugins.CredentialsResponse, error)

// Handlers are what the helper does with each kind of request.
type Handlers struct {
	STS         awsapi.STS
	IAM         awsapi.IAM
	MFA         MFAFunc
	List        ListFunc
	Hook        HookFunc
	Credentials CredentialsFunc
	SSO         awsapi.SSO
	Authorizer  awsapi.Authorizer
	Signin      awsapi.Signin
	Secrets     SecretFunc
	Server      ServerFunc
	// Instance answers InstanceCredentials (credential_source); nil
	// refuses them. STS answers AssumeRoleWithWebIdentity when it is an
	// awsapi.WebIdentity.
	Instance awsapi.Instance
}

// errNoPlugins answers hook and credentials requests when Handlers has no
// function for them.
var errNoPlugins = errors.New("this awsenv-helper runs no plugins: awsenv-helper-full does. Reinstall awsenv with ./install.sh.")

// errNoSSO answers Identity Center requests when Handlers has no SSO
// client.
var errNoSSO = errors.New("this awsenv-helper makes no IAM Identity Center calls. Reinstall awsenv with ./install.sh.")

// errNoSecrets answers secret-store requests when Handlers has no
// function for them.
var errNoSecrets = errors.New("this awsenv-helper has no secret store. Reinstall awsenv with ./install.sh.")

// errNoIAM answers IAM requests when Handlers has no IAM client.
var errNoIAM = errors.New("this awsenv-helper makes no IAM calls. Reinstall awsenv with ./install.sh.")

// Serve answers requests from r on w, one JSON value a line each way,
// until r ends: STS calls with h.STS, IAM calls with h.IAM, code requests
// with h.MFA. It is the helper's main. AWS calls report the clock skew
// their responses showed.
func Serve(ctx context.Context, r io.Reader, w io.Writer, h Handlers) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	out := bufio.NewWriter(w)
	for {
		var req Request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read request: %w", err)
		}
		rctx, cancel := context.WithTimeout(ctx, RequestTimeout)
		resp, err := serveOne(rctx, req, h)
		cancel()
		if err != nil {
			return err
		}
		resp.representable()
		if err := json.NewEncoder(out).Encode(resp); err != nil {
			return err
		}
		if err := out.Flush(); err != nil {
			return err
		}
	}
}

// serveOne answers one request; its error is for a request no handler
// takes.
func serveOne(ctx context.Context, req Request, h Handlers) (*Response, error) {
	client := h.STS
	var skew skewBox
	awsCtx := awsapi.WithClockSkewObserver(ctx, skew.set)
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
		var id awsapi.Identity
		id, err = client.GetCallerIdentity(awsCtx, req.GetCallerIdentity.Target, req.GetCallerIdentity.Credentials)
		resp.Identity = &id
	case req.GetFederationToken != nil || req.SigninToken != nil:
		resp, err = serveFederation(awsCtx, req, client)
	case h.IAM == nil && req.isIAM():
		err = errNoIAM
	case req.ListAccessKeys != nil:
		in := req.ListAccessKeys
		resp.AccessKeys, err = h.IAM.ListAccessKeys(awsCtx, in.IAMCall, in.UserName)
	case req.CreateAccessKey != nil:
		in := req.CreateAccessKey
		var k awsapi.NewKey
		k, err = h.IAM.CreateAccessKey(awsCtx, in.IAMCall, in.UserName)
		resp.NewKey = &k
	case req.UpdateAccessKey != nil:
		in := req.UpdateAccessKey
		err = h.IAM.UpdateAccessKey(awsCtx, in.IAMCall, in.UserName, in.KeyID, in.Status)
	case req.DeleteAccessKey != nil:
		in := req.DeleteAccessKey
		err = h.IAM.DeleteAccessKey(awsCtx, in.IAMCall, in.UserName, in.KeyID)
	case req.GetAccessKeyLastUsed != nil:
		in := req.GetAccessKeyLastUsed
		var lu awsapi.LastUsed
		lu, err = h.IAM.GetAccessKeyLastUsed(awsCtx, in.IAMCall, in.KeyID)
		resp.LastUsed = &lu
	case req.ListMFADevices != nil:
		in := req.ListMFADevices
		resp.MFADevices, err = h.IAM.ListMFADevices(awsCtx, in.IAMCall, in.UserName)
	case h.SSO == nil && req.isSSO():
		err = errNoSSO
	case req.isSSO():
		err = serveSSO(awsCtx, req, h.SSO, &resp)
	case req.isAuthorize() && h.Authorizer == nil:
		err = errNoSSO
	case req.SSOStartAuthorization != nil:
		var a awsapi.Authorization
		a, err = h.Authorizer.StartAuthorization(awsCtx, *req.SSOStartAuthorization)
		resp.SSOAuthorization = &a
	case req.SSOWaitAuthorization != nil:
		var cb awsapi.Callback
		cb, err = h.Authorizer.WaitAuthorization(ctx, *req.SSOWaitAuthorization)
		resp.SSOCallback = &cb
	case req.AssumeRoleWithWebIdentity != nil || req.InstanceCredentials != nil:
		var c profiles.Credentials
		c, err = serveWebIdentity(awsCtx, req, h)
		resp.Credentials = &c
	case req.SigninRefresh != nil && h.Signin == nil:
		err = errNoSignin
	case req.SigninRefresh != nil:
		var t awsapi.SigninToken
		t, err = h.Signin.CreateOAuth2Token(awsCtx, *req.SigninRefresh)
		resp.Signin = &t
	case req.isSecret() && h.Secrets == nil:
		err = errNoSecrets
	case req.isSecret():
		var res SecretResult
		if res, err = serveSecret(ctx, req, h.Secrets); err == nil {
			resp.Secret = &res
		}
	case req.CredentialServer != nil && h.Server == nil:
		err = errNoServer
	case req.CredentialServer != nil:
		var info ServerInfo
		if info, err = h.Server(ctx, *req.CredentialServer); err == nil {
			resp.Server = &info
		}
	case req.MFACode != nil && h.MFA == nil:
		err = errNoPlugins
	case req.MFACode != nil:
		resp.Code, err = h.MFA(ctx, *req.MFACode)
	case req.ListPlugins != nil && h.List == nil:
		err = errNoPlugins
	case req.ListPlugins != nil:
		resp.Plugins = h.List(ctx, *req.ListPlugins)
	case req.Hook != nil && h.Hook == nil, req.SourceCredentials != nil && h.Credentials == nil:
		err = errNoPlugins
	case req.Hook != nil:
		var res HookResult
		if res, err = h.Hook(ctx, *req.Hook); err == nil {
			resp.Hook = &res
		}
	case req.SourceCredentials != nil:
		var c plugins.CredentialsResponse
		if c, err = h.Credentials(ctx, *req.SourceCredentials); err == nil {
			resp.SourceCredentials = &c
		}
	default:
		return nil, errors.New("empty request")
	}
	if err != nil {
		resp = Response{}
		var api *awsapi.APIError
		var tr *awsapi.TransportError
		var pe *plugins.Error
		var se *SecretError
		switch {
		case errors.As(err, &se):
			resp.SecretError = se
		case errors.As(err, &pe):
			resp.MFAError = &MFAError{Provider: pe.Provider, Kind: pe.Kind, Problem: pe.Problem, Fix: pe.Fix,
				Unimplemented: errors.Is(pe, plugins.ErrUnimplemented)}
			if pe.Err != nil {
				resp.MFAError.Cause = pe.Err.Error()
			}
		case errors.As(err, &api):
			resp.APIError = api
		case errors.As(err, &tr):
			resp.TransportError = tr
		default:
			resp.TransportError = &awsapi.TransportError{Message: err.Error()}
		}
	}
	if d, ok := skew.get(); ok {
		resp.ClockSkew = &d
	}
	return &resp, nil
}

// serveSecret answers a secret-store request.
func serveSecret(ctx context.Context, req Request, f SecretFunc) (SecretResult, error) {
	switch {
	case req.SecretGet != nil:
		return f(ctx, SecretOpGet, *req.SecretGet)
	case req.SecretSet != nil:
		return f(ctx, SecretOpSet, *req.SecretSet)
	case req.SecretRemove != nil:
		return f(ctx, SecretOpRemove, *req.SecretRemove)
	}
	return f(ctx, SecretOpList, *req.SecretList)
}

// serveFederation answers the console's requests with an STS client that
// also speaks the federation endpoint (sdk.STS does).
func serveFederation(ctx context.Context, req Request, client awsapi.STS) (Response, error) {
	var resp Response
	fed, ok := client.(awsapi.Federation)
	if !ok {
		return resp, errors.New("this helper cannot open the console. Make sure awsenv and awsenv-helper come from the same install (./install.sh)")
	}
	var err error
	if req.GetFederationToken != nil {
		var c profiles.Credentials
		c, err = fed.GetFederationToken(ctx, *req.GetFederationToken)
		resp.Credentials = &c
	} else {
		resp.SigninToken, err = fed.SigninToken(ctx, *req.SigninToken)
	}
	return resp, err
}

// representable keeps an answer's expiry within what JSON carries (years
// 0 to 9999): AWS (or what answers for it) may send any number, and the
// front's one credential check (profiles.Credentials.Validate) refuses
// what is out of range, with a message, where an encoding error would
// only end the helper.
func (r *Response) representable() {
	if r.Credentials == nil {
		return
	}
	r.Credentials.Expiration = awsapi.ClampTime(r.Credentials.Expiration)
}
