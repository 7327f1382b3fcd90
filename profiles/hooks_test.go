package profiles_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

func hookConfig(t *testing.T, global string) (*profiles.Config, *profiles.Global) {
	t.Helper()
	c := load(t, lines(
		"[profile base]",
		"awsenv_hooks = kube, tf_ws",
		"awsenv_hook_kube_context = base-ctx",
		"awsenv_hook_tf_ws_name = basews",
		"awsenv_env_COLOR = red",
		"awsenv_env_TEAM = infra",
		"",
		"[profile role]",
		"role_arn = arn:aws:iam::123456789012:role/r",
		"source_profile = base",
		"awsenv_hook_kube_context = role-ctx",
		"awsenv_env_COLOR = blue",
		"awsenv_confirm = Yes",
		"",
		"[profile own]",
		"role_arn = arn:aws:iam::123456789012:role/o",
		"source_profile = base",
		"awsenv_hooks =",
		"",
		"[profile plain]",
		"awsenv_confirm = off",
		"",
		"[profile src]",
		"awsenv_credential_source = pass",
		"awsenv_credential_source_path = aws/alice",
		"",
		"[profile onsrc]",
		"role_arn = arn:aws:iam::123456789012:role/s",
		"source_profile = src",
		"",
		"[profile bad]",
		"awsenv_confirm = maybe",
	), lines(
		"[base]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret,
		"[plain]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret,
		"[bad]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret,
	))
	path := filepath.Join(t.TempDir(), "config")
	if global != "" {
		path = writeFile(t, filepath.Dir(path), "config", global)
	}
	g, err := profiles.LoadGlobal(path)
	if err != nil {
		t.Fatal(err)
	}
	return c, g
}

func hookSettings(t *testing.T, c *profiles.Config, g *profiles.Global, name string) (profiles.HookSettings, error) {
	t.Helper()
	r, err := c.Resolve(name)
	if err != nil {
		t.Fatalf("Resolve(%s): %v", name, err)
	}
	return g.HookSettings(r)
}

func TestHookSettingsFollowTheChain(t *testing.T) {
	c, g := hookConfig(t, lines("[default]", "hooks = prompt-color", "awsenv_env_GLOBAL = g", "env_COLOR = grey"))
	hs, err := hookSettings(t, c, g, "role")
	if err != nil {
		t.Fatal(err)
	}
	want := []profiles.Hook{
		{Name: "kube", Options: map[string]string{"context": "role-ctx"}},
		{Name: "tf_ws", Options: map[string]string{"name": "basews"}},
	}
	if !reflect.DeepEqual(hs.Hooks, want) {
		t.Errorf("role hooks = %+v, want the source's list with the role's option winning: %+v", hs.Hooks, want)
	}
	var env []string
	for _, e := range hs.Env {
		env = append(env, e.Name+"="+e.Value)
	}
	if !reflect.DeepEqual(env, []string{"COLOR=blue", "GLOBAL=g", "TEAM=infra"}) {
		t.Errorf("env = %v", env)
	}
	if !hs.Confirm || len(hs.CommandFiles) != 2 {
		t.Errorf("confirm = %v, command files %v", hs.Confirm, hs.CommandFiles)
	}

	// An empty list on the profile wins over its source's and the default.
	if hs, err := hookSettings(t, c, g, "own"); err != nil || len(hs.Hooks) != 0 {
		t.Errorf("own: %+v, %v", hs.Hooks, err)
	}
	// No list anywhere on the chain: the default's.
	hs, err = hookSettings(t, c, g, "plain")
	if err != nil || len(hs.Hooks) != 1 || hs.Hooks[0].Name != "prompt-color" || hs.Confirm {
		t.Errorf("plain: %+v, %v", hs, err)
	}
	// Nothing at all.
	c2, g2 := hookConfig(t, "")
	if hs, err := hookSettings(t, c2, g2, "plain"); err != nil || !hs.None() {
		t.Errorf("plain without a default: %+v, %v", hs, err)
	}
	var se *profiles.SettingError
	if _, err := hookSettings(t, c2, g2, "bad"); !errors.As(err, &se) || se.Key != "awsenv_confirm" {
		t.Errorf("awsenv_confirm = maybe: %v", err)
	}
}

func TestHookListErrors(t *testing.T) {
	for _, v := range []string{"a,,b", "Kube", "a, a", "-x", "a b"} {
		c := load(t, lines("[profile p]", "awsenv_hooks = "+v), lines("[p]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret))
		g, _ := profiles.LoadGlobal(filepath.Join(t.TempDir(), "none"))
		r, err := c.Resolve("p")
		if err != nil {
			t.Fatal(err)
		}
		var se *profiles.SettingError
		if _, err := g.HookSettings(r); !errors.As(err, &se) {
			t.Errorf("awsenv_hooks = %s: %v, want a SettingError", v, err)
		}
	}
}

func TestCredentialSourceCountsAsKeys(t *testing.T) {
	c, _ := hookConfig(t, "")
	r, err := c.Resolve("src")
	if err != nil || r.Kind != profiles.KindUser {
		t.Fatalf("src: %+v, %v", r, err)
	}
	name, opts := r.Profile.CredentialPlugin()
	if name != "pass" || !reflect.DeepEqual(opts, map[string]string{"path": "aws/alice"}) {
		t.Errorf("CredentialPlugin = %s %v", name, opts)
	}
	r, err = c.Resolve("onsrc")
	if err != nil || r.Kind != profiles.KindRole || r.Source.Profile.Name != "src" {
		t.Fatalf("onsrc: %+v, %v", r, err)
	}

	both := load(t, lines("[profile x]", "awsenv_credential_source = pass"), lines("[x]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret))
	var pe *profiles.ProfileError
	if _, err := both.Resolve("x"); !errors.As(err, &pe) {
		t.Errorf("keys and a source: %v", err)
	}
	// A role whose own profile names the source.
	self := load(t, lines("[profile r]", "role_arn = arn:aws:iam::123456789012:role/r", "awsenv_credential_source = pass"), "")
	if r, err := self.Resolve("r"); err != nil || r.Kind != profiles.KindRole || r.Source.Profile.Name != "r" {
		t.Errorf("role with its own source: %+v, %v", r, err)
	}
}

// awsenv_hook_timeout is taken key by key like awsenv_confirm (nearest
// wins, [default] last) and is not mistaken for an option of a hook.
func TestHookTimeout(t *testing.T) {
	c, g := hookConfig(t, lines("[default]", "hook_timeout = 20s"))
	if hs, err := hookSettings(t, c, g, "role"); err != nil || hs.Timeout != 20*time.Second {
		t.Errorf("from [default]: %v, %v", hs.Timeout, err)
	}
	c, g = hookConfig(t, "")
	if hs, err := hookSettings(t, c, g, "role"); err != nil || hs.Timeout != 0 {
		t.Errorf("unset: %v, %v", hs.Timeout, err)
	}
	cred := lines("[p]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret)
	for v, want := range map[string]time.Duration{"2s": 2 * time.Second, "90": 90 * time.Second, "10m": 10 * time.Minute,
		"0": -1, "11m": -1, "soon": -1, "-1s": -1} {
		c := load(t, lines("[profile p]", "awsenv_hooks = timeout", "awsenv_hook_timeout = "+v, "awsenv_hook_timeout_x = y"), cred)
		g, _ := profiles.LoadGlobal(filepath.Join(t.TempDir(), "none"))
		r, err := c.Resolve("p")
		if err != nil {
			t.Fatal(err)
		}
		hs, err := g.HookSettings(r)
		var se *profiles.SettingError
		switch {
		case want < 0 && (!errors.As(err, &se) || se.Key != "awsenv_hook_timeout"):
			t.Errorf("awsenv_hook_timeout = %s: %v, want a SettingError", v, err)
		case want >= 0 && (err != nil || hs.Timeout != want || !reflect.DeepEqual(hs.Hooks[0].Options, map[string]string{"x": "y"})):
			t.Errorf("awsenv_hook_timeout = %s: %v %+v, %v", v, hs.Timeout, hs.Hooks, err)
		}
	}
}
