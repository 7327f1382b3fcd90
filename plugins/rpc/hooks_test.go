//go:build unix

package rpc

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/proto/credentialsv1"
	"github.com/awsenv/awsenv/plugins/proto/hooksv1"
	"github.com/awsenv/awsenv/plugins/proto/mfav1"
)

// The example keys the multi test plugin hands out.
const (
	multiKeyID  = "AKIAIOSFODNN7EXAMPLE"
	multiSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func TestServiceNamesMatchTheProtos(t *testing.T) {
	for got, want := range map[string]string{
		mfav1.MFAProvider_ServiceDesc.ServiceName:              ServiceMFA,
		hooksv1.Hooks_ServiceDesc.ServiceName:                  ServiceHooks,
		credentialsv1.CredentialSource_ServiceDesc.ServiceName: ServiceCredentials,
	} {
		if got != want {
			t.Errorf("generated service name %q, constant %q", got, want)
		}
	}
	if ShortName(ServiceHooks) != "awsenv.hooks.v1" {
		t.Errorf("ShortName = %q", ShortName(ServiceHooks))
	}
}

// multiRun is a run of the multi plugin serving what serves lists.
func multiRun(t *testing.T, serves string) *run {
	t.Helper()
	r := newRun(t, "multi")
	if serves != "" {
		r.cfg.Environ = append(r.cfg.Environ, "TESTPLUGIN_SERVES="+serves)
	}
	return r
}

// Each plugin reports what it serves: the health service of one built with
// ServeAll lists its services; a plugin that reports none (raw, built
// without this package) is an MFA provider.
func TestServices(t *testing.T) {
	for _, tc := range []struct {
		plugin, serves string
		want           []string
	}{
		{"multi", "", []string{ServiceMFA, ServiceHooks, ServiceCredentials}},
		{"multi", "hooks", []string{ServiceHooks}},
		{"multi", "credentials,mfa", []string{ServiceMFA, ServiceCredentials}},
		{"good", "", []string{ServiceMFA}},
		{"raw", "", []string{ServiceMFA}},
		{"oathtool", "", []string{ServiceMFA}},
		{"kubecontext", "", []string{ServiceHooks}},
		{"pass", "", []string{ServiceCredentials}},
	} {
		t.Run(tc.plugin+"/"+tc.serves, func(t *testing.T) {
			r := multiRun(t, tc.serves)
			r.cfg.Path = filepath.Join(bin, tc.plugin)
			r.cfg.Service = ServiceAny
			p, err := Launch(testContext(), r.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if got := p.Services(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Services = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPreUse(t *testing.T) {
	r := multiRun(t, "")
	req := plugins.PreUseRequest{Profile: "prod", RoleARN: "arn:aws:iam::123456789012:role/admin",
		AccountID: "123456789012", Region: "eu-west-1", SourceProfile: "alice", Terminal: true}
	resp, err := PreUse(testContext(), r.cfg, req)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Allow || resp.Reason != "" {
		t.Errorf("PreUse = %+v, want allowed", resp)
	}
	want := "PreUse prod role=arn:aws:iam::123456789012:role/admin account=123456789012 region=eu-west-1 source=alice terminal=true\n"
	if got := r.stderr.String(); got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}

	r = multiRun(t, "")
	req.Options = map[string]string{"allow": "no"}
	resp, err = PreUse(testContext(), r.cfg, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Allow {
		t.Fatal("PreUse allowed; the plugin refused")
	}
	if resp.Reason != "production needs a ticket second line" { // the OSC goes whole (termsafe)
		t.Errorf("reason %q: not the plugin's, made safe", resp.Reason)
	}
}

func TestPostUse(t *testing.T) {
	r := multiRun(t, "")
	req := plugins.PostUseRequest{Profile: "prod", AccountID: "123456789012",
		ARN: "arn:aws:sts::123456789012:assumed-role/admin/alice", Region: "eu-west-1", ExpiresUnix: 1700000000,
		Set: []plugins.Variable{{Name: "FIRST", Value: "1"}, {Name: "SECOND", Value: "two words"}}}
	resp, err := PostUse(testContext(), r.cfg, req)
	if err != nil {
		t.Fatal(err)
	}
	want := plugins.PostUseResponse{
		Set: []plugins.Variable{
			{Name: "KUBE_CONTEXT", Value: "prod@123456789012"},
			{Name: "HOOK_SEEN", Value: "FIRST=1;SECOND=two words"},
			{Name: "HOOK_INFO", Value: "arn:aws:sts::123456789012:assumed-role/admin/alice eu-west-1 1700000000"},
			// Values as the plugin sent them: awsenv quotes them for the shell.
			{Name: "HOSTILE", Value: "a'b\"c $(id) `id` \x1b[31m\nnew line"},
		},
		Messages: []string{"kube context set", "second\ufffdmessage"}, // CSI gone whole, bidi shown as U+FFFD
	}
	if !reflect.DeepEqual(resp, want) {
		t.Errorf("PostUse = %#v\nwant %#v", resp, want)
	}

	r = multiRun(t, "")
	req.Options = map[string]string{"cacheable": "true"}
	if resp, err = PostUse(testContext(), r.cfg, req); err != nil || !resp.Cacheable {
		t.Errorf("PostUse = %+v, %v; want cacheable", resp, err)
	}
}

func TestUnset(t *testing.T) {
	r := multiRun(t, "")
	resp, err := Unset(testContext(), r.cfg, plugins.UnsetRequest{Profile: "prod"})
	if err != nil || !reflect.DeepEqual(resp.Messages, []string{"bye prod"}) {
		t.Errorf("Unset = %+v, %v", resp, err)
	}
}

// One process serves several calls of several services.
func TestOnePluginSeveralServices(t *testing.T) {
	r := multiRun(t, "")
	r.cfg.Service = ServiceAny
	p, err := Launch(testContext(), r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if code, err := p.Code(testContext(), aliceRequest); err != nil || code != "246810" {
		t.Errorf("Code = %q, %v", code, err)
	}
	if resp, err := p.PreUse(testContext(), plugins.PreUseRequest{Profile: "prod"}); err != nil || !resp.Allow {
		t.Errorf("PreUse = %+v, %v", resp, err)
	}
	if c, err := p.GetCredentials(testContext(), plugins.CredentialsRequest{Profile: "alice"}); err != nil || c.AccessKeyID != multiKeyID {
		t.Errorf("GetCredentials: %v", err)
	}
}

func TestGetCredentials(t *testing.T) {
	r := multiRun(t, "")
	var debug bytes.Buffer
	r.cfg.Debug = &debug
	got, err := GetCredentials(testContext(), r.cfg, plugins.CredentialsRequest{Profile: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (plugins.CredentialsResponse{AccessKeyID: multiKeyID, SecretAccessKey: multiSecret}); got != want {
		t.Errorf("GetCredentials = %+v", got)
	}
	if strings.Contains(debug.String(), multiSecret) {
		t.Error("the secret reached the debug log")
	}
	if !strings.Contains(debug.String(), "GetCredentials answered") {
		t.Errorf("debug log without the call: %s", debug.String())
	}

	r = multiRun(t, "")
	got, err = GetCredentials(testContext(), r.cfg, plugins.CredentialsRequest{Profile: "alice",
		Options: map[string]string{"mode": "temporary"}})
	if err != nil || got.SessionToken == "" || got.ExpiresUnix != 2000000000 {
		t.Errorf("temporary credentials: %+v, %v", got.ExpiresUnix, err)
	}

	r = multiRun(t, "")
	_, err = GetCredentials(testContext(), r.cfg, plugins.CredentialsRequest{Profile: "alice",
		Options: map[string]string{"mode": "no-secret"}})
	pe := asPluginError(t, err, "multi", "without a secret access key")
	if pe.Kind != plugins.KindCredentialSource || !strings.HasPrefix(err.Error(), "credential source multi: ") {
		t.Errorf("error %q (kind %q)", err, pe.Kind)
	}
}

// A refusal carries the plugin's problem and fix, made safe.
func TestHookRefuses(t *testing.T) {
	r := multiRun(t, "")
	_, err := PostUse(testContext(), r.cfg, plugins.PostUseRequest{Profile: "prod", Options: map[string]string{"mode": "refuse"}})
	pe := asPluginError(t, err, "multi", "the vault is locked")
	if pe.Fix != "Unlock it with `vault unlock` and try again." {
		t.Errorf("Fix = %q", pe.Fix)
	}
	if !strings.HasPrefix(err.Error(), "hook multi: ") {
		t.Errorf("error %q does not name the hook", err)
	}
}

// A hook that crashes fails the call, its crash cut to one line; nothing
// is left running (newRun's clean-up checks).
func TestHookCrashes(t *testing.T) {
	r := multiRun(t, "")
	_, err := PostUse(testContext(), r.cfg, plugins.PostUseRequest{Profile: "prod", Options: map[string]string{"mode": "crash"}})
	asPluginError(t, err, "multi", "the plugin exited during its PostUse call (exit status 2)")
	stderr := r.stderr.String()
	if !strings.Contains(stderr, "plugin multi crashed: panic: crash during the call") || strings.Contains(stderr, "goroutine") {
		t.Errorf("stderr = %q", stderr)
	}
}

// A hook that hangs fails after the call timeout, and is killed.
func TestHookHangs(t *testing.T) {
	r := multiRun(t, "")
	r.cfg.CallTimeout = 500 * time.Millisecond
	start := time.Now()
	_, err := PreUse(testContext(), r.cfg, plugins.PreUseRequest{Profile: "prod", Options: map[string]string{"mode": "hang"}})
	asPluginError(t, err, "multi", "no answer to PreUse after 500ms")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the hung call took %s", took)
	}
}

func TestDefaultHookTimeout(t *testing.T) {
	r := multiRun(t, "")
	r.cfg.Service, r.cfg.CallTimeout = ServiceHooks, 0
	p, err := Launch(testContext(), r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.cfg.CallTimeout != DefaultHookTimeout || DefaultHookTimeout != 30*time.Second {
		t.Errorf("call timeout %s", p.cfg.CallTimeout)
	}
}

// A plugin that does not serve a service says so: at its start when its
// health service lists what it serves, at the call when it lists nothing
// (raw) or when the method itself answers Unimplemented.
func TestNotServed(t *testing.T) {
	r := multiRun(t, "mfa")
	_, err := PreUse(testContext(), r.cfg, plugins.PreUseRequest{Profile: "prod"})
	pe := asPluginError(t, err, "multi", "the plugin does not serve awsenv.hooks.v1 (it serves awsenv.mfa.v1)")
	if !strings.Contains(pe.Fix, "awsenv_hooks") {
		t.Errorf("Fix = %q", pe.Fix)
	}

	r = multiRun(t, "hooks")
	_, err = GetCredentials(testContext(), r.cfg, plugins.CredentialsRequest{Profile: "alice"})
	asPluginError(t, err, "multi", "the plugin does not serve awsenv.credentials.v1 (it serves awsenv.hooks.v1)")

	r = multiRun(t, "hooks")
	_, _, err = Code(testContext(), r.cfg, aliceRequest)
	asPluginError(t, err, "multi", "the plugin does not serve awsenv.mfa.v1 (it serves awsenv.hooks.v1)")

	r = newRun(t, "raw")
	_, err = PostUse(testContext(), r.cfg, plugins.PostUseRequest{Profile: "prod"})
	asPluginError(t, err, "raw", "the plugin does not serve awsenv.hooks.v1 (PostUse answered Unimplemented)")

	r = multiRun(t, "")
	_, err = Unset(testContext(), r.cfg, plugins.UnsetRequest{Profile: "prod", Options: map[string]string{"mode": "unimplemented"}})
	asPluginError(t, err, "multi", "the plugin does not serve awsenv.hooks.v1 (Unset answered Unimplemented)")
}

// The oathtool example built from the commit before hooks existed (its
// rpc.Serve reported no services) still works, and is an MFA provider.
func TestOathtoolFromBeforeHooks(t *testing.T) {
	const before = "1edc7d0e731e2a78c7da00fa1b105e779712051a"
	oldBin := buildAt(t, before, "./plugins/examples/oathtool")
	r := newRun(t, "oathtool")
	r.cfg.Path = oldBin
	r.cfg.Service = ServiceAny
	p, err := Launch(testContext(), r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Services(); !reflect.DeepEqual(got, []string{ServiceMFA}) {
		t.Errorf("Services = %v", got)
	}
	p.Close()
	if _, err := exec.LookPath("oathtool"); err != nil {
		t.Skip("oathtool is not installed (apt install oathtool)")
	}
	r = newRun(t, "oathtool")
	r.cfg.Path = oldBin
	code, _, err := Code(testContext(), r.cfg, Request{Request: plugins.Request{
		Profile: "alice", Options: map[string]string{"secret_command": "printf '%s\\n' JBSWY3DPEHPK3PXP"}}})
	if err != nil || !plugins.ValidCode(code) {
		t.Errorf("Code = %q, %v", code, err)
	}
	_, err = PreUse(testContext(), r.cfg, plugins.PreUseRequest{Profile: "prod"})
	asPluginError(t, err, "oathtool", "the plugin does not serve awsenv.hooks.v1 (PreUse answered Unimplemented)")
}

// buildAt builds pkg from this repository as it was at commit, into a
// temporary directory. Without git or the commit (a shallow clone), the
// test is skipped.
func buildAt(t *testing.T, commit, pkg string) string {
	t.Helper()
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	root := strings.TrimSpace(string(top))
	if err := exec.Command("git", "-C", root, "cat-file", "-e", commit+"^{commit}").Run(); err != nil {
		t.Skipf("commit %s is not in this clone", commit)
	}
	src := t.TempDir()
	archive := testproc.Command("sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", root, commit, src)
	if out, err := archive.CombinedOutput(); err != nil {
		t.Fatalf("git archive: %v\n%s", err, out)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(pkg))
	build := testproc.Command("go", "build", "-o", out, pkg)
	build.Dir = src
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s at %s: %v\n%s", pkg, commit, err, b)
	}
	if err := os.Chmod(filepath.Dir(out), 0o755); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}
