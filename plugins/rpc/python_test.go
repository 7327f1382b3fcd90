//go:build unix

package rpc

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/shell/shellquote"
)

// pythonWithGRPC is a python3 that imports grpc and google.protobuf
// (Debian: python3-grpcio python3-protobuf): python3 on PATH, else
// /usr/bin/python3 (where apt installs them when PATH's python3 is
// another, e.g. pyenv's). Without one the test skips, except in CI
// (CI=true), where .ci/run must have installed them.
func pythonWithGRPC(t *testing.T) string {
	t.Helper()
	var candidates []string
	if p, err := exec.LookPath("python3"); err == nil {
		if strings.Contains(p, "shims") {
			if out, err := exec.Command("pyenv", "which", "python3").Output(); err == nil {
				p = strings.TrimSpace(string(out))
			}
		}
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/python3")
	for _, py := range candidates {
		if err := exec.Command(py, "-c", "import grpc, google.protobuf").Run(); err == nil {
			return py
		}
	}
	msg := "no python3 with grpc and protobuf (tried " + strings.Join(candidates, ", ") +
		"); apt-get install python3-grpcio python3-protobuf"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; .ci/run must install them")
	}
	t.Skip(msg)
	return ""
}

// pythonPlugin generates the Python modules from the .proto files with
// protoc --python_out (no gRPC plugin for protoc: the script registers its
// methods by hand), next to a copy of testdata/python/hook_plugin.py, as a
// person would install it, and returns a run that starts it with python3.
func pythonPlugin(t *testing.T) *run {
	t.Helper()
	py := pythonWithGRPC(t)
	protoc := testproc.Tool(t, "protoc")
	dir := t.TempDir()
	for _, gen := range [][]string{
		{"--proto_path=../proto", "awsenv/hooks/v1/hooks.proto", "awsenv/mfa/v1/mfa.proto"},
		{"--proto_path=testdata/python", "health.proto", "status.proto"},
	} {
		cmd := testproc.Command(protoc, append([]string{"--python_out=" + dir}, gen...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("protoc %v: %v\n%s", gen, err, out)
		}
	}
	script, err := os.ReadFile("testdata/python/hook_plugin.py")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hook_plugin.py"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	// Installed as a person would: an executable awsenv-plugin-NAME, here a
	// two-line wrapper naming the python3 that has grpc.
	wrapper := filepath.Join(dir, "awsenv-plugin-python")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\nexec "+shellquote.Word(py)+" "+shellquote.Word(filepath.Join(dir, "hook_plugin.py"))+
		" \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := newRun(t, "python")
	r.cfg.Path = wrapper
	r.cfg.Environ = append(r.cfg.Environ, "PYTHONDONTWRITEBYTECODE=1")
	return r
}

// A hook plugin written in Python from the README and the .proto files
// alone runs through the real host: handshake, health (it serves hooks and
// nothing else), the three calls with every field, a refusal, an error with
// a fix, Shutdown, and nothing left behind (newRun's clean-up).
func TestPythonHookPlugin(t *testing.T) {
	r := pythonPlugin(t)
	r.cfg.Service = ServiceAny
	p, err := Launch(testContext(), r.cfg)
	if err != nil {
		t.Fatalf("%v\nstderr: %s", err, r.stderr.String())
	}
	if got := p.Services(); !reflect.DeepEqual(got, []string{ServiceHooks}) {
		t.Errorf("Services = %v, want only hooks", got)
	}
	p.Close()

	r = pythonPlugin(t)
	pre := plugins.PreUseRequest{Profile: "prod", RoleARN: "arn:aws:iam::123456789012:role/admin",
		AccountID: "123456789012", Region: "eu-west-1", SourceProfile: "alice", Terminal: true,
		Options: map[string]string{"deny": "staging, other"}}
	resp, err := PreUse(testContext(), r.cfg, pre)
	if err != nil || !resp.Allow {
		t.Fatalf("PreUse = %+v, %v\nstderr: %s", resp, err, r.stderr.String())
	}
	want := "python hook: PreUse prod account=123456789012 role=arn:aws:iam::123456789012:role/admin region=eu-west-1 source=alice terminal=True\n"
	if got := r.stderr.String(); got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}

	r = pythonPlugin(t)
	pre.Options["deny"] = "staging, prod"
	resp, err = PreUse(testContext(), r.cfg, pre)
	if err != nil || resp.Allow || resp.Reason != "profile prod is denied by the python hook" {
		t.Errorf("PreUse of a denied profile = %+v, %v", resp, err)
	}

	r = pythonPlugin(t)
	pre.Options = map[string]string{"fail": "yes"}
	_, err = PreUse(testContext(), r.cfg, pre)
	pe := asPluginError(t, err, "python", "the change calendar is closed")
	if pe.Fix != "Try again after the freeze, or ask the on-call engineer." {
		t.Errorf("Fix = %q: the Failure detail did not arrive", pe.Fix)
	}

	r = pythonPlugin(t)
	post, err := PostUse(testContext(), r.cfg, plugins.PostUseRequest{Profile: "prod", AccountID: "123456789012",
		ARN: "arn:aws:sts::123456789012:assumed-role/admin/alice", Region: "eu-west-1", ExpiresUnix: 1700000000,
		Options: map[string]string{"cacheable": "true"},
		Set:     []plugins.Variable{{Name: "KUBECONFIG", Value: "/k"}, {Name: "TF_WORKSPACE", Value: "a b"}}})
	if err != nil {
		t.Fatal(err)
	}
	wantPost := plugins.PostUseResponse{
		Set: []plugins.Variable{
			{Name: "PY_HOOK", Value: "prod@123456789012 arn:aws:sts::123456789012:assumed-role/admin/alice eu-west-1 1700000000"},
			{Name: "PY_SEEN", Value: "KUBECONFIG=/k;TF_WORKSPACE=a b"},
		},
		Messages:  []string{"python hook: set PY_HOOK for prod"},
		Cacheable: true,
	}
	if !reflect.DeepEqual(post, wantPost) {
		t.Errorf("PostUse = %#v\nwant %#v", post, wantPost)
	}

	r = pythonPlugin(t)
	un, err := Unset(testContext(), r.cfg, plugins.UnsetRequest{Profile: "prod"})
	if err != nil || !reflect.DeepEqual(un.Messages, []string{"python hook: bye prod"}) {
		t.Errorf("Unset = %+v, %v", un, err)
	}

	// Asked for another service, it is refused at its start, by what its
	// health service says.
	r = pythonPlugin(t)
	_, err = GetCredentials(testContext(), r.cfg, plugins.CredentialsRequest{Profile: "alice"})
	asPluginError(t, err, "python", "the plugin does not serve awsenv.credentials.v1 (it serves awsenv.hooks.v1)")
}
