//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The trust gate through the real binaries: a file others can write
// (0666) that names each kind of key the gate covers makes awsenv refuse
// before anything runs (exit 3, the chmod fix, nothing on stdout, no
// marker file, no plugin started, no AWS call), doctor fails a check
// naming the same file, and once the file is private the refusal is gone.
func TestTrustGateEveryKind(t *testing.T) {
	t.Parallel()
	keys := fmt.Sprintf("[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n", userKeyID, userSecret)
	alice := "[profile alice]\nregion = eu-west-1\nmfa_serial = " + serial + "\n"
	for _, tt := range []struct {
		name                  string
		config, creds, global string // "" leaves the world's own; MARKER and SCRIPT are replaced
		plugin                string // installed test plugin
		open                  string // "config", "credentials" or "global": the file made 0666
		args                  []string
	}{
		{name: "credential_process", config: "[profile alice]\nregion = eu-west-1\ncredential_process = SCRIPT\n", creds: "\n",
			open: "config", args: []string{"use", "alice"}},
		{name: "mfa_process", config: alice + "mfa_process = touch MARKER; echo 123456\n",
			open: "config", args: []string{"use", "alice"}},
		{name: "awsenv_mfa_provider", config: alice + "awsenv_mfa_provider = oath\n", plugin: "oath",
			open: "config", args: []string{"use", "alice"}},
		{name: "awsenv_credential_source", config: alice + "awsenv_credential_source = vault\n", creds: "\n", plugin: "vault",
			open: "config", args: []string{"use", "alice", "--mfa-code", "CODE"}},
		{name: "awsenv_credential_source option", config: alice + "awsenv_credential_source = vault\n",
			creds: "[alice]\nawsenv_credential_source_path = other/account\n", plugin: "vault",
			open: "credentials", args: []string{"use", "alice", "--mfa-code", "CODE"}},
		{name: "awsenv_hooks", config: alice + "awsenv_hooks = kube\n", plugin: "kube",
			open: "config", args: []string{"use", "alice", "--mfa-code", "CODE"}},
		{name: "awsenv_hook option", config: alice + "awsenv_hooks = kube\n", creds: keys + "awsenv_hook_kube_cacheable = true\n", plugin: "kube",
			open: "credentials", args: []string{"use", "alice", "--mfa-code", "CODE"}},
		{name: "awsenv_env", config: alice + "awsenv_env_PWNED = yes\n",
			open: "config", args: []string{"use", "alice", "--mfa-code", "CODE"}},
		{name: "awsenv_env in awsenv's config", global: "[default]\nenv_PWNED = yes\n",
			open: "global", args: []string{"use", "alice", "--mfa-code", "CODE"}},
		{name: "hooks in awsenv's config", global: "[default]\nhooks = kube\n", plugin: "kube",
			open: "global", args: []string{"use", "alice", "--mfa-code", "CODE"}},
		{name: "awsenv's config pins a credential source", config: alice + "awsenv_credential_source = vault\n", creds: "\n", plugin: "vault",
			global: "[plugin other]\nsha256 = 00\n", open: "global", args: []string{"use", "alice", "--mfa-code", "CODE"}},
		{name: "exec with awsenv_env", config: alice + "awsenv_env_PWNED = yes\n",
			open: "config", args: []string{"exec", "alice", "--mfa-code", "CODE", "--", "touch", "MARKER"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			marker := filepath.Join(w.dir, "MARKER")
			script := filepath.Join(w.dir, "getcreds")
			must(t, os.WriteFile(script, []byte(fmt.Sprintf("#!/bin/sh\ntouch %s\necho '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}'\n",
				marker, userKeyID, userSecret)), 0o700))
			fill := func(s string) string {
				return strings.NewReplacer("MARKER", marker, "SCRIPT", script).Replace(s)
			}
			global := filepath.Join(w.dir, "config", "awsenv", "config")
			must(t, os.MkdirAll(filepath.Dir(global), 0o700))
			must(t, os.WriteFile(global, []byte(tt.global), 0o600))
			if tt.config != "" {
				w.writeConfig(fill(tt.config))
			}
			if tt.creds != "" {
				w.writeCredentials(tt.creds)
			}
			if tt.plugin != "" {
				w.installHookPlugin(t, tt.plugin)
			}
			open := map[string]string{"config": filepath.Join(w.home, ".aws", "config"),
				"credentials": filepath.Join(w.home, ".aws", "credentials"), "global": global}[tt.open]
			must(t, os.Chmod(open, 0o666))
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = fill(a)
				if a == "CODE" {
					args[i] = w.code()
				}
			}

			r := w.run(args...)
			if r.code != exitConfig || r.stdout != "" || !strings.Contains(r.stderr, "refusing to") ||
				!strings.Contains(r.stderr, "named in "+open) || !strings.Contains(r.stderr, "chmod go-w "+open) {
				t.Fatalf("want exit 3 naming %s with the chmod fix, nothing on stdout:\n%s", open, r)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatal("a command ran")
			}
			if tt.plugin != "" {
				if pids := w.pluginPIDs(t); len(pids) > 0 {
					t.Fatalf("a plugin started: %v", pids)
				}
			}
			if n := w.fake.Calls("GetSessionToken") + w.fake.Calls("AssumeRole"); n != 0 {
				t.Fatalf("%d STS calls", n)
			}

			rep, dr := w.doctor(nil, "alice")
			failed := false
			for _, c := range rep.Checks {
				failed = failed || c.Status == "fail" && strings.Contains(c.Detail, open) && strings.Contains(c.Detail+c.Fix, "chmod go-w "+open)
			}
			if rep.OK || !failed {
				t.Errorf("doctor does not fail a check naming %s with the fix:\n%s", open, dr)
			}

			must(t, os.Chmod(open, 0o600))
			for i, a := range tt.args {
				if a == "CODE" {
					args[i] = w.code()
				}
			}
			if r := w.run(args...); strings.Contains(r.stderr, "refusing to") {
				t.Errorf("still refused once private:\n%s", r)
			}
		})
	}
}
