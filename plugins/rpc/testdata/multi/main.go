// Command multi is a test plugin that serves awsenv.mfa.v1,
// awsenv.hooks.v1 and awsenv.credentials.v1 from one binary, with
// rpc.ServeAll. TESTPLUGIN_SERVES (comma-separated: mfa, hooks,
// credentials; default all three) chooses what it serves. Each call's
// option "mode" chooses how it behaves: "crash" panics, "hang" blocks and
// ignores its context, "refuse" fails with a *plugins.Error,
// "unimplemented" answers plugins.ErrUnimplemented; anything else answers.
// It writes its process id to TESTPLUGIN_PIDFILE.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/rpc"
)

// AWS's documented example keys: nothing real.
const (
	KeyID  = "AKIAIOSFODNN7EXAMPLE"
	Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

type multi struct{}

func (multi) Name() string    { return "multi" }
func (multi) Version() string { return "2.0.0" }

func (multi) Code(_ context.Context, req plugins.Request) (string, error) { return "246810", nil }

// behave does what the option "mode" asks: an error to answer with, or
// nil to answer normally.
func behave(opts map[string]string) error {
	switch opts["mode"] {
	case "crash":
		fmt.Fprintln(os.Stderr, "about to crash")
		panic("crash during the call")
	case "hang":
		select {} // ignores its context, the worst case
	case "refuse":
		return &plugins.Error{Problem: "the vault\x1b[2J is locked", Fix: "Unlock it with `vault unlock` and try again."}
	case "unimplemented":
		return fmt.Errorf("multi: %w", plugins.ErrUnimplemented)
	}
	return nil
}

func (multi) PreUse(ctx context.Context, req plugins.PreUseRequest) (plugins.PreUseResponse, error) {
	if err := behave(req.Options); err != nil {
		return plugins.PreUseResponse{}, err
	}
	fmt.Fprintf(os.Stderr, "PreUse %s role=%s account=%s region=%s source=%s terminal=%t\n",
		req.Profile, req.RoleARN, req.AccountID, req.Region, req.SourceProfile, req.Terminal)
	if req.Options["allow"] == "no" {
		return plugins.PreUseResponse{Reason: "production\x1b]0;pwned\x07 needs a ticket\nsecond line"}, nil
	}
	return plugins.PreUseResponse{Allow: true}, nil
}

func (multi) PostUse(ctx context.Context, req plugins.PostUseRequest) (plugins.PostUseResponse, error) {
	if err := behave(req.Options); err != nil {
		return plugins.PostUseResponse{}, err
	}
	var seen []string
	for _, v := range req.Set {
		seen = append(seen, v.Name+"="+v.Value)
	}
	return plugins.PostUseResponse{
		Set: []plugins.Variable{
			{Name: "KUBE_CONTEXT", Value: req.Profile + "@" + req.AccountID},
			{Name: "HOOK_SEEN", Value: strings.Join(seen, ";")},
			{Name: "HOOK_INFO", Value: req.ARN + " " + req.Region + " " + strconv.FormatInt(req.ExpiresUnix, 10)},
			{Name: "HOSTILE", Value: "a'b\"c $(id) `id` \x1b[31m\nnew line"},
		},
		Messages:  []string{"kube context set\x1b[2J", "second\u202emessage"},
		Cacheable: req.Options["cacheable"] == "true",
	}, nil
}

func (multi) Unset(ctx context.Context, req plugins.UnsetRequest) (plugins.UnsetResponse, error) {
	if err := behave(req.Options); err != nil {
		return plugins.UnsetResponse{}, err
	}
	return plugins.UnsetResponse{Messages: []string{"bye " + req.Profile}}, nil
}

func (multi) GetCredentials(ctx context.Context, req plugins.CredentialsRequest) (plugins.CredentialsResponse, error) {
	if err := behave(req.Options); err != nil {
		return plugins.CredentialsResponse{}, err
	}
	switch req.Options["mode"] {
	case "no-secret":
		return plugins.CredentialsResponse{AccessKeyID: KeyID}, nil
	case "temporary":
		return plugins.CredentialsResponse{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: Secret,
			SessionToken: "FwoGZXIvYXdzEXAMPLETOKEN", ExpiresUnix: 2000000000}, nil
	}
	return plugins.CredentialsResponse{AccessKeyID: KeyID, SecretAccessKey: Secret}, nil
}

func main() {
	testproc.FollowParent()
	if path := os.Getenv("TESTPLUGIN_PIDFILE"); path != "" {
		_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())), 0o600)
	}
	serves := os.Getenv("TESTPLUGIN_SERVES")
	if serves == "" {
		serves = "mfa,hooks,credentials"
	}
	var s rpc.Services
	for _, name := range strings.Split(serves, ",") {
		switch name {
		case "mfa":
			s.MFA = multi{}
		case "hooks":
			s.Hooks = multi{}
		case "credentials":
			s.Credentials = multi{}
		}
	}
	rpc.ServeAll(s)
}
