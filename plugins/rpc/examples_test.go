//go:build unix

package rpc

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/plugins"
)

// The examples in plugins/examples, built as an outsider builds them (by
// TestMain, from their own main packages) and driven over the real
// protocol, as awsenv drives them.

func TestKubecontextExample(t *testing.T) {
	opts := map[string]string{
		"kubeconfig": "~/.kube/{profile}",
		"context":    "{profile}-ctx",
		"workspace":  "{account}-{region}",
		"deny":       "111111111111, 222222222222",
	}
	post := plugins.PostUseRequest{Profile: "prod", AccountID: "123456789012",
		ARN: "arn:aws:sts::123456789012:assumed-role/admin/alice", Region: "eu-west-1", Options: opts}

	// No kubeconfig file yet: the variables, a message with the fix, and
	// not cacheable, so the message comes again next time.
	r := newRun(t, "kubecontext")
	home := r.getenv("HOME")
	kubeconfig := filepath.Join(home, ".kube", "prod")
	resp, err := PostUse(testContext(), r.cfg, post)
	if err != nil {
		t.Fatal(err)
	}
	wantSet := []plugins.Variable{
		{Name: "KUBECONFIG", Value: kubeconfig},
		{Name: "HELM_KUBECONTEXT", Value: "prod-ctx"},
		{Name: "TF_WORKSPACE", Value: "123456789012-eu-west-1"},
	}
	if !reflect.DeepEqual(resp.Set, wantSet) || resp.Cacheable || len(resp.Messages) != 1 ||
		!strings.Contains(resp.Messages[0], "aws eks update-kubeconfig --name CLUSTER --kubeconfig "+kubeconfig) {
		t.Errorf("PostUse without the kubeconfig file = %+v", resp)
	}

	// With the file: the same variables, nothing to say, cacheable.
	if err := os.MkdirAll(filepath.Dir(kubeconfig), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = newRun(t, "kubecontext")
	r.setenv("HOME", home)
	resp, err = PostUse(testContext(), r.cfg, post)
	if err != nil {
		t.Fatal(err)
	}
	if want := (plugins.PostUseResponse{Set: wantSet, Cacheable: true}); !reflect.DeepEqual(resp, want) {
		t.Errorf("PostUse = %+v, want %+v", resp, want)
	}

	// No options: nothing to export, nothing to say.
	r = newRun(t, "kubecontext")
	if resp, err = PostUse(testContext(), r.cfg, plugins.PostUseRequest{Profile: "dev"}); err != nil ||
		!reflect.DeepEqual(resp, plugins.PostUseResponse{Cacheable: true}) {
		t.Errorf("PostUse without options = %+v, %v", resp, err)
	}

	// PreUse: an account on the deny list is refused; another, or one
	// awsenv does not know yet, is allowed.
	for account, allow := range map[string]bool{"222222222222": false, "123456789012": true, "": true} {
		r = newRun(t, "kubecontext")
		pre, err := PreUse(testContext(), r.cfg, plugins.PreUseRequest{Profile: "prod", AccountID: account, Options: opts})
		if err != nil {
			t.Fatal(err)
		}
		if pre.Allow != allow {
			t.Errorf("PreUse for account %q: %+v, want allow=%t", account, pre, allow)
		}
		if !allow && pre.Reason != "account 222222222222 of profile prod is on kubecontext's deny list (awsenv_hook_kubecontext_deny)" {
			t.Errorf("reason %q", pre.Reason)
		}
	}

	// PostUse learns the account PreUse could not know: a denied one fails
	// the switch.
	r = newRun(t, "kubecontext")
	post.AccountID = "111111111111"
	_, err = PostUse(testContext(), r.cfg, post)
	pe := asPluginError(t, err, "kubecontext", "account 111111111111 of profile prod is on kubecontext's deny list")
	if !strings.HasPrefix(err.Error(), "hook kubecontext: ") || !strings.Contains(pe.Fix, "awsenv_hook_kubecontext_deny") {
		t.Errorf("error %q, fix %q", err, pe.Fix)
	}

	r = newRun(t, "kubecontext")
	un, err := Unset(testContext(), r.cfg, plugins.UnsetRequest{Profile: "prod"})
	if err != nil || !reflect.DeepEqual(un.Messages, []string{"kubecontext: kubectl, helm and terraform no longer follow profile prod"}) {
		t.Errorf("Unset = %+v, %v", un, err)
	}
}

// fakePass answers `pass show NAME` as pass does, from NAME.txt files under
// the directory it returns. (pass itself needs a gpg key and agent; the
// plugin only reads what `pass show` prints.)
const fakePass = `#!/bin/sh
[ "$1" = show ] || { echo "fake pass: only show" >&2; exit 2; }
f="$FAKE_PASS_STORE/$2.txt"
if [ -f "$f" ]; then cat "$f"; exit 0; fi
echo "Error: $2 is not in the password store." >&2
exit 1
`

func TestPassExample(t *testing.T) {
	store := t.TempDir()
	tools := t.TempDir()
	if err := os.WriteFile(filepath.Join(tools, "pass"), []byte(fakePass), 0o755); err != nil {
		t.Fatal(err)
	}
	const (
		keyID  = "AKIAIOSFODNN7EXAMPLE"
		secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	)
	entries := map[string]string{
		"aws/alice":    secret + "\naws_access_key_id: " + keyID + "\nurl: https://console.aws.amazon.com/\n",
		"aws/ini":      secret + "\nnotes\naws_access_key_id = " + keyID + "\n",
		"aws/no-id":    secret + "\n",
		"aws/empty":    "\naws_access_key_id: " + keyID + "\n",
		"aws/lower-id": secret + "\naws_access_key_id: akiaiosfodnn7example\n",
	}
	for name, text := range entries {
		path := filepath.Join(store, name+".txt")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	call := func(t *testing.T, opts map[string]string) (plugins.CredentialsResponse, string, error) {
		t.Helper()
		r := newRun(t, "pass")
		r.setenv("PATH", tools+string(os.PathListSeparator)+os.Getenv("PATH"))
		r.setenv("FAKE_PASS_STORE", store)
		var debug bytes.Buffer
		r.cfg.Debug = &debug
		got, err := GetCredentials(testContext(), r.cfg, plugins.CredentialsRequest{Profile: "alice", Options: opts})
		// The secret is never on stderr, in the debug log or in an error.
		said := r.stderr.String() + debug.String()
		if err != nil {
			said += err.Error()
		}
		if strings.Contains(said, secret) || strings.Contains(said, "EXAMPLEKEY") {
			t.Errorf("the secret got out: %s", said)
		}
		return got, r.stderr.String(), err
	}

	for _, entry := range []string{"aws/alice", "aws/ini"} {
		got, _, err := call(t, map[string]string{"entry": entry})
		if want := (plugins.CredentialsResponse{AccessKeyID: keyID, SecretAccessKey: secret}); err != nil || got != want {
			t.Errorf("%s: GetCredentials = %v, %v", entry, got, err)
		}
	}

	_, stderr, err := call(t, map[string]string{"entry": "aws/missing"})
	asPluginError(t, err, "pass", "pass show aws/missing failed")
	if !strings.Contains(stderr, "Error: aws/missing is not in the password store.") {
		t.Errorf("pass's own message did not reach the person: %q", stderr)
	}

	for entry, want := range map[string]string{
		"aws/no-id": "the pass entry aws/no-id has no line aws_access_key_id: ...",
		"aws/empty": "the pass entry aws/empty has no secret access key on its first line",
		// The plugin passes the ID on; awsenv refuses it without quoting it.
		"aws/lower-id": "the plugin answered with an access key ID that is not 16 to 128 capital letters and digits",
	} {
		_, _, err := call(t, map[string]string{"entry": entry})
		asPluginError(t, err, "pass", want)
		if strings.Contains(err.Error(), "akiaiosfodnn7example") {
			t.Errorf("the error quotes the entry: %v", err)
		}
	}

	_, _, err = call(t, nil)
	pe := asPluginError(t, err, "pass", "no pass entry is set for profile alice")
	if !strings.Contains(pe.Fix, "awsenv_credential_source_entry = NAME") {
		t.Errorf("Fix = %q", pe.Fix)
	}
	_, _, err = call(t, map[string]string{"entry": "aws/alice", "pass": filepath.Join(tools, "no-such-pass")})
	asPluginError(t, err, "pass", "cannot run "+filepath.Join(tools, "no-such-pass"))
	_, _, err = call(t, map[string]string{"entry": "--help"})
	asPluginError(t, err, "pass", "starts with -")
}

// getenv is the value of key in the plugin's environment.
func (r *run) getenv(key string) string {
	for _, kv := range r.cfg.Environ {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v
		}
	}
	return ""
}

// setenv sets key in the plugin's environment, replacing its value.
func (r *run) setenv(key, value string) {
	for i, kv := range r.cfg.Environ {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			r.cfg.Environ[i] = key + "=" + value
			return
		}
	}
	r.cfg.Environ = append(r.cfg.Environ, key+"="+value)
}
