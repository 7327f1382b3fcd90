//go:build unix

package helper

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/plugins"
)

// pluginClient is a helper client whose plugin directory holds the test
// plugins multi and raw; the plugins write their pid to the returned file.
func pluginClient(t *testing.T) (*Client, *testproc.Buffer, string) {
	t.Helper()
	dir := t.TempDir()
	plugins := filepath.Join(dir, "data", "awsenv", "plugins")
	if err := os.MkdirAll(plugins, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"multi", "raw"} {
		if err := os.Symlink(filepath.Join(pluginBin, name), filepath.Join(plugins, "awsenv-plugin-"+name)); err != nil {
			t.Fatal(err)
		}
	}
	pidFile := filepath.Join(dir, "plugin.pid")
	c, _ := newClient(t, "http://127.0.0.1:9", "XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_DATA_DIRS="+filepath.Join(dir, "none"),
		"TESTPLUGIN_PIDFILE="+pidFile)
	// The helper's stderr: what plugins say reaches it.
	stderr := new(testproc.Buffer)
	c.Stderr = stderr
	return c, stderr, pidFile
}

// pluginGone checks that the last plugin whose pid is in pidFile has
// ended, and removes the file.
func pluginGone(t *testing.T, pidFile string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("no plugin pid: %v", err)
	}
	pid, _ := strconv.Atoi(string(b))
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("plugin %d still exists after its call (kill -0: %v)", pid, err)
	}
	_ = os.Remove(pidFile)
}

// Every hook call and a credential source, through the one helper of the
// run, as awsenv makes them: helper.Client as plugins.Hooks and
// plugins.CredentialSource.
func TestHooksThroughTheHelper(t *testing.T) {
	t.Parallel()
	c, stderr, pidFile := pluginClient(t)
	ctx := context.Background()
	var hooks plugins.Hooks = c
	var source plugins.CredentialSource = c

	pre, err := hooks.PreUse(ctx, "multi", plugins.PreUseRequest{Profile: "prod", Region: "eu-west-1", Terminal: false})
	if err != nil || !pre.Allow {
		t.Fatalf("PreUse = %+v, %v\nstderr: %s", pre, err, stderr)
	}
	if !eventually(func() bool {
		return strings.Contains(stderr.String(), "PreUse prod role= account= region=eu-west-1 source= terminal=false\n")
	}) {
		t.Errorf("the plugin's stderr did not reach awsenv's: %q", stderr)
	}
	pluginGone(t, pidFile)

	pre, err = hooks.PreUse(ctx, "multi", plugins.PreUseRequest{Profile: "prod", Options: map[string]string{"allow": "no"}})
	if err != nil || pre.Allow || pre.Reason != "production needs a ticket second line" {
		t.Fatalf("refusing PreUse = %+v, %v", pre, err)
	}

	post, err := hooks.PostUse(ctx, "multi", plugins.PostUseRequest{Profile: "prod", AccountID: "123456789012",
		Set: []plugins.Variable{{Name: "EARLIER", Value: "x y"}}, Options: map[string]string{"cacheable": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	if !post.Cacheable || len(post.Set) != 4 || post.Set[0] != (plugins.Variable{Name: "KUBE_CONTEXT", Value: "prod@123456789012"}) ||
		post.Set[1].Value != "EARLIER=x y" || post.Set[3].Value != "a'b\"c $(id) `id` \x1b[31m\nnew line" ||
		!reflect.DeepEqual(post.Messages, []string{"kube context set", "second\ufffdmessage"}) { // sequences gone whole (termsafe)
		t.Errorf("PostUse = %#v", post)
	}
	pluginGone(t, pidFile)

	un, err := hooks.Unset(ctx, "multi", plugins.UnsetRequest{Profile: "prod"})
	if err != nil || !reflect.DeepEqual(un.Messages, []string{"bye prod"}) {
		t.Errorf("Unset = %+v, %v", un, err)
	}

	c.Debug = true // the debug log must not show the secret either
	creds, err := source.GetCredentials(ctx, "multi", plugins.CredentialsRequest{Profile: "alice"})
	if err != nil || creds.AccessKeyID != exampleKeyID || creds.SecretAccessKey != exampleSecret || creds.SessionToken != "" {
		t.Errorf("GetCredentials: %s, %v", creds, err)
	}
	if strings.Contains(stderr.String(), exampleSecret) {
		t.Error("the secret reached stderr")
	}
	pluginGone(t, pidFile)
	c.Debug = false

	if n := c.Starts(); n != 1 {
		t.Errorf("%d helpers for the run, want 1", n)
	}
}

// A hook that crashes or hangs fails its call with an error naming it, and
// leaves nothing running; the helper goes on serving.
func TestBrokenHooksThroughTheHelper(t *testing.T) {
	t.Parallel()
	c, stderr, pidFile := pluginClient(t)
	ctx := context.Background()

	_, err := c.PostUse(ctx, "multi", plugins.PostUseRequest{Profile: "prod", Options: map[string]string{"mode": "crash"}})
	var pe *plugins.Error
	if !errors.As(err, &pe) || pe.Kind != plugins.KindHook || pe.Provider != "multi" ||
		!strings.HasPrefix(err.Error(), "hook multi: the plugin exited during its PostUse call") {
		t.Fatalf("crash: %v", err)
	}
	// The helper's stderr reaches us through a pipe of its own: it may
	// come a moment after the answer.
	if !eventually(func() bool {
		return strings.Contains(stderr.String(), "plugin multi crashed: panic: crash during the call")
	}) {
		t.Errorf("stderr = %q", stderr)
	}
	pluginGone(t, pidFile)

	c.PluginTimeout = 500 * time.Millisecond
	start := time.Now()
	_, err = c.PreUse(ctx, "multi", plugins.PreUseRequest{Profile: "prod", Options: map[string]string{"mode": "hang"}})
	if err == nil || !strings.Contains(err.Error(), "hook multi: no answer to PreUse after 500ms") {
		t.Fatalf("hang: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the hung hook took %s", took)
	}
	pluginGone(t, pidFile)

	_, err = c.PreUse(ctx, "raw", plugins.PreUseRequest{Profile: "prod"})
	if err == nil || !strings.Contains(err.Error(), "hook raw: the plugin does not serve awsenv.hooks.v1") {
		t.Fatalf("MFA-only plugin as a hook: %v", err)
	}
	_, err = c.GetCredentials(ctx, "nosuch", plugins.CredentialsRequest{Profile: "alice"})
	if err == nil || !strings.HasPrefix(err.Error(), "credential source nosuch: no such plugin") ||
		!strings.Contains(err.Error(), "awsenv_credential_source") {
		t.Fatalf("missing source: %v", err)
	}
	if n := c.Starts(); n != 1 {
		t.Errorf("%d helpers for the run, want 1", n)
	}
}

// `awsenv plugins list` shows the services of each: the built-ins and the
// MFA-only raw plugin serve awsenv.mfa.v1 alone.
func TestListShowsServices(t *testing.T) {
	t.Parallel()
	c, stderr, _ := pluginClient(t)
	list, err := c.ListPlugins(context.Background(), ListInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, p := range list {
		if p.Status != "ok" {
			t.Errorf("%s: %s", p.Name, p.Status)
		}
		got[p.Name] = p.Services
	}
	mfa := []string{"awsenv.mfa.v1"}
	want := map[string][]string{"prompt": mfa, "ykman": mfa, "op": mfa, "process": mfa, "raw": mfa,
		"multi": {"awsenv.mfa.v1", "awsenv.hooks.v1", "awsenv.credentials.v1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("services = %v\nwant %v\nstderr: %s", got, want, stderr)
	}
}

// eventually reports whether cond becomes true within a few seconds.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
