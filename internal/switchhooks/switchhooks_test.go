package switchhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// fakeHooks answers per plugin name and records every call.
type fakeHooks struct {
	calls  []string
	pre    map[string]plugins.PreUseResponse
	post   map[string]plugins.PostUseResponse
	errs   map[string]error // by "plugin.Method"
	postRq []plugins.PostUseRequest
}

func (f *fakeHooks) PreUse(_ context.Context, plugin string, req plugins.PreUseRequest) (plugins.PreUseResponse, error) {
	f.calls = append(f.calls, plugin+".PreUse")
	if err := f.errs[plugin+".PreUse"]; err != nil {
		return plugins.PreUseResponse{}, err
	}
	if r, ok := f.pre[plugin]; ok {
		return r, nil
	}
	return plugins.PreUseResponse{Allow: true}, nil
}

func (f *fakeHooks) PostUse(_ context.Context, plugin string, req plugins.PostUseRequest) (plugins.PostUseResponse, error) {
	f.calls = append(f.calls, plugin+".PostUse")
	f.postRq = append(f.postRq, req)
	if err := f.errs[plugin+".PostUse"]; err != nil {
		return plugins.PostUseResponse{}, err
	}
	return f.post[plugin], nil
}

func (f *fakeHooks) Unset(_ context.Context, plugin string, req plugins.UnsetRequest) (plugins.UnsetResponse, error) {
	f.calls = append(f.calls, plugin+".Unset")
	if err := f.errs[plugin+".Unset"]; err != nil {
		return plugins.UnsetResponse{}, err
	}
	return plugins.UnsetResponse{Messages: []string{"bye\x1b[2J"}}, nil
}

func testSwitch(hooks ...string) Switch {
	p := &profiles.Profile{Name: "prod", RoleARN: "arn:aws:iam::123456789012:role/admin", Region: "eu-west-1"}
	src := &profiles.Profile{Name: "alice"}
	sw := Switch{Profile: "prod", Resolved: &profiles.Resolved{Profile: p, Kind: profiles.KindRole,
		Source: &profiles.Resolved{Profile: src, Kind: profiles.KindUser}}}
	for _, h := range hooks {
		sw.Settings.Hooks = append(sw.Settings.Hooks, profiles.Hook{Name: h, Options: map[string]string{"opt": h + "-v"}})
	}
	return sw
}

func TestPreUseOrderAndRefusal(t *testing.T) {
	f := &fakeHooks{pre: map[string]plugins.PreUseResponse{"guard": {Allow: false, Reason: "prod is frozen\x1b]0;x\x07 today"}}}
	var stderr bytes.Buffer
	r := &Runner{Hooks: f, Stderr: &stderr}
	_, err := r.PreUse(context.Background(), testSwitch("a", "guard", "c"))
	var he *Error
	if !errors.As(err, &he) || !he.Refused || he.Hook != "guard" {
		t.Fatalf("PreUse = %v", err)
	}
	if strings.Contains(err.Error(), "\x1b") || !strings.Contains(err.Error(), "prod is frozen") || !strings.Contains(err.Error(), "hook guard refused") {
		t.Fatalf("message %q", err)
	}
	if strings.Join(f.calls, " ") != "a.PreUse guard.PreUse" {
		t.Fatalf("calls %v: want in order, stopping at the refusal", f.calls)
	}
	// Unimplemented counts as allow; a failure is an error naming the hook.
	f = &fakeHooks{errs: map[string]error{"a.PreUse": plugins.ErrUnimplemented, "b.PreUse": errors.New("crashed")}}
	_, err = (&Runner{Hooks: f}).PreUse(context.Background(), testSwitch("a", "b"))
	if !errors.As(err, &he) || he.Refused || he.Hook != "b" || !strings.Contains(err.Error(), "crashed") {
		t.Fatalf("failing hook: %v", err)
	}
	// No Hooks: a clear error, no panic.
	if _, err := (&Runner{}).PreUse(context.Background(), testSwitch("a")); !errors.Is(err, ErrNoHooks) {
		t.Fatalf("no Hooks: %v", err)
	}
}

func TestConfirm(t *testing.T) {
	sw := testSwitch()
	sw.Settings.Confirm = true
	var asked string
	for _, tc := range []struct {
		answer  bool
		err     error
		yes     bool
		refused bool
	}{
		{answer: true}, {answer: false, refused: true}, {err: errors.New("no tty"), refused: true},
		{err: errors.New("no tty"), yes: true},
	} {
		r := &Runner{Yes: tc.yes, Confirm: func(q string) (bool, error) { asked = q; return tc.answer, tc.err }}
		_, err := r.PreUse(context.Background(), sw)
		var he *Error
		if tc.refused != (err != nil) || (err != nil && (!errors.As(err, &he) || !he.Refused)) {
			t.Errorf("%+v: %v", tc, err)
		}
		if tc.err != nil && !tc.yes && !strings.Contains(err.Error(), "--yes") {
			t.Errorf("no terminal: %v", err)
		}
	}
	if !strings.Contains(asked, "prod") || !strings.Contains(asked, "role/admin") {
		t.Errorf("question %q", asked)
	}
}

func TestPostUseOrderSetAndCache(t *testing.T) {
	f := &fakeHooks{post: map[string]plugins.PostUseResponse{
		"a": {Set: []plugins.Variable{{Name: "KUBE_CONTEXT", Value: "prod"}}, Messages: []string{"kube: prod\x1b[31m"}, Cacheable: true},
		"b": {Set: []plugins.Variable{{Name: "TF_WORKSPACE", Value: "prod"}, {Name: "COLOR", Value: "red"}}},
	}}
	var stderr bytes.Buffer
	r := &Runner{Hooks: f, Stderr: &stderr}
	sw := testSwitch("a", "b")
	sw.Settings.Env = []profiles.EnvVar{{Name: "COLOR", Value: "blue"}}
	var saved []sessions.HookAnswer
	cache := Cache{Save: func(a []sessions.HookAnswer) error { saved = a; return nil }}
	exp := time.Unix(2000000000, 0)
	set, err := r.PostUse(context.Background(), sw, exp, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(set); got != "[{COLOR red} {KUBE_CONTEXT prod} {TF_WORKSPACE prod}]" {
		t.Fatalf("set %s", got)
	}
	if len(f.postRq) != 2 || fmt.Sprint(f.postRq[1].Set) != "[{COLOR blue} {KUBE_CONTEXT prod}]" ||
		f.postRq[0].ExpiresUnix != exp.Unix() || f.postRq[0].Options["opt"] != "a-v" || f.postRq[0].AccountID != "123456789012" {
		t.Fatalf("requests %+v", f.postRq)
	}
	if strings.Contains(stderr.String(), "\x1b") || !strings.Contains(stderr.String(), "awsenv: a: kube: prod") {
		t.Fatalf("stderr %q", stderr.String())
	}
	if len(saved) != 1 || saved[0].Hook != "a" {
		t.Fatalf("saved %+v: want only the cacheable answer", saved)
	}
	// Next time: a's answer comes from the cache, b runs again.
	f.calls = nil
	set2, err := r.PostUse(context.Background(), sw, exp, Cache{Answers: saved, Save: cache.Save})
	if err != nil || fmt.Sprint(set2) != fmt.Sprint(set) || strings.Join(f.calls, " ") != "b.PostUse" {
		t.Fatalf("cached: %v %v calls %v", set2, err, f.calls)
	}
	// Changed options: asked again.
	f.calls = nil
	sw.Settings.Hooks[0].Options["opt"] = "other"
	if _, err := r.PostUse(context.Background(), sw, exp, Cache{Answers: saved}); err != nil || len(f.calls) != 2 {
		t.Fatalf("changed options: %v %v", f.calls, err)
	}
	// Only built-ins: Hooks is never touched (nil here).
	only := testSwitch()
	only.Settings.Env = []profiles.EnvVar{{Name: "X", Value: "1"}}
	if set, err := (&Runner{}).PostUse(context.Background(), only, exp, Cache{}); err != nil || len(set) != 1 {
		t.Fatalf("built-ins only: %v %v", set, err)
	}
}

// switchTwice is what `use` does twice on one cached session: PreUse with
// what the session holds (Peek), then PostUse keeping what is new.
func switchTwice(t *testing.T, r *Runner, f *fakeHooks, sw Switch) (first, second []string, kept []sessions.HookAnswer) {
	t.Helper()
	for i := 0; i < 2; i++ {
		f.calls = nil
		sw.Known = kept
		noPre, err := r.PreUse(context.Background(), sw)
		if err != nil {
			t.Fatalf("PreUse %d: %v", i+1, err)
		}
		cache := Cache{Answers: kept, NoPreUse: noPre, Save: func(a []sessions.HookAnswer) error { kept = a; return nil }}
		if _, err := r.PostUse(context.Background(), sw, time.Unix(2000000000, 0), cache); err != nil {
			t.Fatalf("PostUse %d: %v", i+1, err)
		}
		if i == 0 {
			first = f.calls
		}
	}
	return first, f.calls, kept
}

// A cacheable hook costs nothing on the cached path: once it has answered
// PreUse with Unimplemented and PostUse cacheably, the second switch makes
// no Hooks call at all. A hook that serves PreUse is asked every time.
func TestCachedPathSkipsHooksWithoutPreUse(t *testing.T) {
	f := &fakeHooks{
		post: map[string]plugins.PostUseResponse{
			"kube":  {Set: []plugins.Variable{{Name: "KUBE_CONTEXT", Value: "prod"}}, Cacheable: true},
			"guard": {Cacheable: true},
			"tf":    {Set: []plugins.Variable{{Name: "TF_WORKSPACE", Value: "prod"}}},
		},
		errs: map[string]error{"kube.PreUse": plugins.ErrUnimplemented, "tf.PreUse": plugins.ErrUnimplemented,
			"quiet.PreUse": plugins.ErrUnimplemented, "quiet.PostUse": plugins.ErrUnimplemented},
	}
	r := &Runner{Hooks: f, Stderr: &bytes.Buffer{}}
	for _, tc := range []struct {
		hooks         []string
		first, second string
	}{
		{[]string{"kube"}, "kube.PreUse kube.PostUse", ""},
		// A hook that serves neither: as good as cacheable.
		{[]string{"quiet"}, "quiet.PreUse quiet.PostUse", ""},
		// A guard stays a guard.
		{[]string{"guard"}, "guard.PreUse guard.PostUse", "guard.PreUse"},
		// Not cacheable: PostUse every time, PreUse not again.
		{[]string{"tf"}, "tf.PreUse tf.PostUse", "tf.PostUse"},
		{[]string{"guard", "kube", "tf"}, "guard.PreUse kube.PreUse tf.PreUse guard.PostUse kube.PostUse tf.PostUse", "guard.PreUse tf.PostUse"},
	} {
		first, second, kept := switchTwice(t, r, f, testSwitch(tc.hooks...))
		if strings.Join(first, " ") != tc.first || strings.Join(second, " ") != tc.second {
			t.Errorf("%v: calls %v then %v, want [%s] then [%s]; kept %+v", tc.hooks, first, second, tc.first, tc.second, kept)
		}
	}
	// The variables come back the same from the cache.
	sw := testSwitch("kube")
	_, _, kept := switchTwice(t, r, f, sw)
	sw.Known = kept
	noPre, err := r.PreUse(context.Background(), sw)
	if err != nil || !noPre["kube"] {
		t.Fatalf("PreUse from the cache: %v %v", noPre, err)
	}
	f.calls = nil
	set, err := r.PostUse(context.Background(), sw, time.Time{}, Cache{Answers: kept, NoPreUse: noPre})
	if err != nil || fmt.Sprint(set) != "[{KUBE_CONTEXT prod}]" || len(f.calls) != 0 {
		t.Fatalf("cached set %v %v, calls %v", set, err, f.calls)
	}
	// Other options: another request, asked again.
	sw.Settings.Hooks[0].Options["opt"] = "changed"
	f.calls = nil
	if _, err := r.PreUse(context.Background(), sw); err != nil || strings.Join(f.calls, " ") != "kube.PreUse" {
		t.Fatalf("changed options: %v %v", f.calls, err)
	}
	// A cached answer from before NoPreUse was recorded learns it.
	sw = testSwitch("kube")
	old := []sessions.HookAnswer{{Hook: "kube", Request: request("prod", sw.Settings.Hooks[0]), Set: []sessions.HookVar{{Name: "KUBE_CONTEXT", Value: "old"}}}}
	sw.Known = old
	f.calls = nil
	if noPre, err = r.PreUse(context.Background(), sw); err != nil || !noPre["kube"] {
		t.Fatalf("PreUse over an old answer: %v %v", noPre, err)
	}
	kept = nil
	set, err = r.PostUse(context.Background(), sw, time.Time{}, Cache{Answers: old, NoPreUse: noPre,
		Save: func(a []sessions.HookAnswer) error { kept = a; return nil }})
	if err != nil || fmt.Sprint(set) != "[{KUBE_CONTEXT old}]" || strings.Join(f.calls, " ") != "kube.PreUse" ||
		len(kept) != 1 || !kept[0].NoPreUse || kept[0].Set[0].Value != "old" {
		t.Fatalf("upgrade: set %v %v, calls %v, kept %+v", set, err, f.calls, kept)
	}
}

func TestForbiddenNamesRefused(t *testing.T) {
	for _, name := range []string{"PATH", "path", "LD_PRELOAD", "DYLD_INSERT_LIBRARIES", "BASH_ENV", "ENV", "PROMPT_COMMAND",
		"PS1", "PS0", "PS4", "IFS", "SHELLOPTS", "BASHOPTS", "ZDOTDIR", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME",
		"NODE_OPTIONS", "NODE_PATH", "PERL5OPT", "PERL5LIB", "PERLLIB", "RUBYOPT", "RUBYLIB", "GIT_SSH", "GIT_SSH_COMMAND",
		"GIT_EXEC_PATH", "GIT_CONFIG_COUNT", "SSH_ASKPASS", "EDITOR", "VISUAL", "PAGER", "GIT_PAGER", "MANPAGER", "LESSOPEN",
		"LESSCLOSE", "BROWSER", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH", "GCONV_PATH",
		"HOSTALIASES", "LOCALDOMAIN", "RES_OPTIONS", "TMPDIR", "SHELL", "HOME", "fish_function_path", "fish_user_paths",
		"AWS_ACCESS_KEY_ID", "aws_profile", "AWSENV_PROFILE", "AWSENV_HOOK_VARS", "AWSUME_PROFILE", "awsenv_ps1",
		"__awsenv_x", "XDG_DATA_HOME", "FPATH", "precmd_functions", "SSL_CERT_FILE", "GLIBC_TUNABLES", "1X", "A-B", "", "A B"} {
		if err := CheckName(name); err == nil {
			t.Errorf("%q allowed", name)
		}
	}
	for _, name := range []string{"KUBECONFIG", "TF_WORKSPACE", "COLOR", "NODE_ENV", "HTTPS_PROXY", "PS5", "PSQL_HISTORY_X", "_x"} {
		if err := CheckName(name); err != nil {
			t.Errorf("%q refused: %v", name, err)
		}
	}

	f := &fakeHooks{post: map[string]plugins.PostUseResponse{"evil": {Set: []plugins.Variable{{Name: "OK", Value: "1"}, {Name: "LD_PRELOAD", Value: "/tmp/x.so"}}}}}
	_, err := (&Runner{Hooks: f}).PostUse(context.Background(), testSwitch("evil"), time.Time{}, Cache{})
	var he *Error
	if !errors.As(err, &he) || he.Hook != "evil" || !strings.Contains(err.Error(), "LD_PRELOAD") || strings.Contains(err.Error(), "/tmp/x.so") {
		t.Fatalf("forbidden: %v", err)
	}
	// The same from awsenv_env_*: a configuration error.
	sw := testSwitch()
	sw.Settings.Env = []profiles.EnvVar{{Name: "PATH", Value: "/evil", Where: "config [prod]"}}
	var se *profiles.SettingError
	if _, err := (&Runner{}).PostUse(context.Background(), sw, time.Time{}, Cache{}); !errors.As(err, &se) || !strings.Contains(err.Error(), "awsenv_env_PATH") {
		t.Fatalf("awsenv_env_PATH: %v", err)
	}
	// NUL and oversized values.
	for _, v := range []string{"a\x00b", strings.Repeat("x", MaxValueBytes+1)} {
		f := &fakeHooks{post: map[string]plugins.PostUseResponse{"h": {Set: []plugins.Variable{{Name: "V", Value: v}}}}}
		if _, err := (&Runner{Hooks: f}).PostUse(context.Background(), testSwitch("h"), time.Time{}, Cache{}); err == nil {
			t.Errorf("value of %d bytes accepted", len(v))
		}
	}
}

func TestUnsetBestEffort(t *testing.T) {
	f := &fakeHooks{errs: map[string]error{"a.Unset": errors.New("gone"), "c.Unset": plugins.ErrUnimplemented}}
	var stderr bytes.Buffer
	(&Runner{Hooks: f, Stderr: &stderr}).Unset(context.Background(), testSwitch("a", "b", "c"))
	if strings.Join(f.calls, " ") != "a.Unset b.Unset c.Unset" {
		t.Fatalf("calls %v", f.calls)
	}
	out := stderr.String()
	if !strings.Contains(out, "hook a: Unset failed: gone") || !strings.Contains(out, "awsenv: b: bye") || strings.Contains(out, "\x1b") {
		t.Fatalf("stderr %q", out)
	}
	stderr.Reset()
	(&Runner{Stderr: &stderr}).Unset(context.Background(), testSwitch("a"))
	if !strings.Contains(stderr.String(), "note") {
		t.Fatalf("no Hooks: %q", stderr.String())
	}
}

func TestVarsList(t *testing.T) {
	if got := ParseVars(" B A PATH  bad-name A LD_PRELOAD "); fmt.Sprint(got) != "[B A]" {
		t.Fatalf("ParseVars = %v", got)
	}
	if got := FormatVars([]plugins.Variable{{Name: "B"}, {Name: "A"}}); got != "A B" {
		t.Fatalf("FormatVars = %q", got)
	}
}

// PostUse carries who the credentials are: the identity's ARN (never the
// role ARN of the config) and the account the credentials named, before
// what role_arn or mfa_serial say.
func TestPostUseIdentity(t *testing.T) {
	const assumed = "arn:aws:sts::123456789012:assumed-role/admin/awsenv-alice"
	for name, tc := range map[string]struct {
		arn, account   string
		wantARN, wantA string
	}{
		"a role: the assumed-role ARN":              {arn: assumed, wantARN: assumed, wantA: "123456789012"},
		"Identity Center or credential_process":     {account: "111122223333", wantA: "111122223333"},
		"nothing named: no ARN, role_arn's account": {wantA: "123456789012"},
		"an ARN that is none is not passed on":      {arn: "assumed-role/admin", wantA: "123456789012"},
	} {
		f := &fakeHooks{}
		sw := testSwitch("a")
		sw.ARN, sw.AccountID = tc.arn, tc.account
		if _, err := (&Runner{Hooks: f, Stderr: io.Discard}).PostUse(context.Background(), sw, time.Time{}, Cache{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(f.postRq) != 1 || f.postRq[0].ARN != tc.wantARN || f.postRq[0].AccountID != tc.wantA {
			t.Errorf("%s: request %+v, want arn %q account %q", name, f.postRq, tc.wantARN, tc.wantA)
		}
	}
}
