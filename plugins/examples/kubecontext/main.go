// Command awsenv-plugin-kubecontext is an awsenv hook plugin: when you
// switch to a profile it points kubectl, helm and Terraform at what belongs
// to that profile, and it refuses accounts you have put on a deny list.
//
// Profile options (in ~/.aws/config, or for every profile in the [default]
// section of ~/.config/awsenv/config):
//
//	awsenv_hooks                  = kubecontext
//	awsenv_hook_kubecontext_kubeconfig = ~/.kube/{profile}   -> KUBECONFIG
//	awsenv_hook_kubecontext_context    = {profile}           -> HELM_KUBECONTEXT
//	awsenv_hook_kubecontext_workspace  = {account}-{region}  -> TF_WORKSPACE
//	awsenv_hook_kubecontext_deny       = 111111111111 222222222222
//
// {profile}, {account} and {region} in a value are replaced by the
// profile's name, its account and its region. A profile whose account is
// on the deny list is refused before anything is exported (PreUse) when
// awsenv knows the account from role_arn or mfa_serial, and once the
// credentials are known (PostUse) otherwise.
package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/rpc"
)

type kubecontext struct {
	home string // for ~/ in kubeconfig
}

// PreUse refuses an account on the deny list, when awsenv knows the
// account before any AWS call.
func (k kubecontext) PreUse(_ context.Context, req plugins.PreUseRequest) (plugins.PreUseResponse, error) {
	if denied(req.Options["deny"], req.AccountID) {
		return plugins.PreUseResponse{Reason: denyReason(req.Profile, req.AccountID)}, nil
	}
	return plugins.PreUseResponse{Allow: true}, nil
}

// PostUse exports the profile's variables. The answer depends only on the
// request, so awsenv may keep it with the session (cacheable), unless the
// kubeconfig file is missing: then the warning comes again next time.
func (k kubecontext) PostUse(_ context.Context, req plugins.PostUseRequest) (plugins.PostUseResponse, error) {
	if denied(req.Options["deny"], req.AccountID) {
		// PreUse could not know the account: the switch fails here, before
		// anything is exported.
		return plugins.PostUseResponse{}, &plugins.Error{Problem: denyReason(req.Profile, req.AccountID),
			Fix: "Use another profile, or remove the account from awsenv_hook_kubecontext_deny."}
	}
	fill := strings.NewReplacer("{profile}", req.Profile, "{account}", req.AccountID, "{region}", req.Region).Replace
	resp := plugins.PostUseResponse{Cacheable: true}
	if v := strings.TrimSpace(req.Options["kubeconfig"]); v != "" {
		path := k.expandHome(fill(v))
		resp.Set = append(resp.Set, plugins.Variable{Name: "KUBECONFIG", Value: path})
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			resp.Cacheable = false
			resp.Messages = append(resp.Messages, "kubecontext: "+path+" does not exist yet; for an EKS cluster: "+
				"aws eks update-kubeconfig --name CLUSTER --kubeconfig "+path)
		}
	}
	if v := strings.TrimSpace(req.Options["context"]); v != "" {
		resp.Set = append(resp.Set, plugins.Variable{Name: "HELM_KUBECONTEXT", Value: fill(v)})
	}
	if v := strings.TrimSpace(req.Options["workspace"]); v != "" {
		resp.Set = append(resp.Set, plugins.Variable{Name: "TF_WORKSPACE", Value: fill(v)})
	}
	return resp, nil
}

// Unset says what is gone: awsenv itself removes the variables.
func (k kubecontext) Unset(_ context.Context, req plugins.UnsetRequest) (plugins.UnsetResponse, error) {
	return plugins.UnsetResponse{Messages: []string{
		"kubecontext: kubectl, helm and terraform no longer follow profile " + req.Profile}}, nil
}

// expandHome turns a leading ~/ into the home directory: the option is
// written as a person types a path, and no shell expands it.
func (k kubecontext) expandHome(path string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok && k.home != "" {
		return filepath.Join(k.home, rest)
	}
	return path
}

// denied reports whether account is on list (account IDs separated by
// commas or spaces). An unknown account (empty) is on no list.
func denied(list, account string) bool {
	if account == "" {
		return false
	}
	for _, a := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if a == account {
			return true
		}
	}
	return false
}

func denyReason(profile, account string) string {
	return "account " + account + " of profile " + profile + " is on kubecontext's deny list " +
		"(awsenv_hook_kubecontext_deny)"
}

func main() {
	home, _ := os.UserHomeDir()
	rpc.ServeAll(rpc.Services{Hooks: kubecontext{home: home}})
}
