//go:build unix

package main

// The hook contract, through the real awsenv, helper and hook plugin:
// what PostUse is told of the identity, by the kind of profile, and how a
// hook's message reaches the terminal.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/plugins"
)

// spyHook installs the test plugin as "spy" on profile, recording the
// PostUse request it gets, and returns where.
func (w *world) spyHook(t *testing.T, profile, more string) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(w.dir, "data", "awsenv", "plugins", "awsenv-plugin-spy")); err != nil {
		w.installHookPlugin(t, "spy")
	}
	rec := filepath.Join(w.dir, "postuse-"+profile+".json")
	w.addToConfig(t, profile, "awsenv_hooks = spy\nawsenv_hook_spy_record = "+rec+"\n"+more)
	return rec
}

func readPostUse(t *testing.T, path string) plugins.PostUseRequest {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the hook recorded no PostUse request: %v", err)
	}
	var req plugins.PostUseRequest
	must(t, json.Unmarshal(data, &req))
	return req
}

// A role: PostUse's arn is the assumed-role ARN AssumeRole answered (not
// the role_arn of the config), its account that ARN's; a message's escape
// sequences are taken out whole (no "[31m" left on the terminal).
func TestHookPostUseRoleIdentityAndMessage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rec := w.spyHook(t, "prod", `awsenv_hook_spy_message = "\x1b[31mred\x1b[0m and \x1b]0;title\x07done"`+"\n")
	r := w.run("use", "prod", "--shell", "bash", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("use prod: %s", r)
	}
	req := readPostUse(t, rec)
	if !strings.HasPrefix(req.ARN, "arn:aws:sts::123456789012:assumed-role/admin/") || req.AccountID != account {
		t.Errorf("PostUse arn %q account %q: want the assumed-role ARN of admin in %s", req.ARN, req.AccountID, account)
	}
	if !strings.Contains(r.stderr, "awsenv: spy: red and done\n") || strings.Contains(r.stderr, "[31m") ||
		strings.Contains(r.stderr, "[0m") || strings.Contains(r.stderr, "title") || strings.ContainsRune(r.stderr, 0x1b) {
		t.Errorf("the hook's message on stderr: %q, want %q", r.stderr, "awsenv: spy: red and done")
	}
	// The cached path: the session keeps who it is.
	must(t, os.Remove(rec))
	if r := w.run("use", "prod", "--shell", "bash", "--no-input"); r.code != 0 {
		t.Fatalf("cached use prod: %s", r)
	}
	if again := readPostUse(t, rec); again.ARN != req.ARN || again.AccountID != account {
		t.Errorf("cached PostUse arn %q account %q, want %q", again.ARN, again.AccountID, req.ARN)
	}
}

// An IAM user: GetSessionToken names no identity, so arn is empty and the
// account is mfa_serial's.
func TestHookPostUseUserIdentity(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rec := w.spyHook(t, "alice", "")
	if r := w.run("use", "alice", "--shell", "bash", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("use alice: %s", r)
	}
	if req := readPostUse(t, rec); req.ARN != "" || req.AccountID != account {
		t.Errorf("PostUse arn %q account %q, want no ARN and %s", req.ARN, req.AccountID, account)
	}
}

// IAM Identity Center: the account is sso_account_id.
func TestHookPostUseSSOAccount(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	access, refresh, id, secret := cliToken(t, w, u)
	w.writeCLIToken("corp", access, refresh, id, secret, time.Now().Add(time.Hour))
	rec := w.spyHook(t, "dev", "")
	if r := w.run("use", "dev", "--shell", "bash", "--no-input"); r.code != 0 {
		t.Fatalf("use dev: %s", r)
	}
	if req := readPostUse(t, rec); req.AccountID != ssoAccount || req.ARN != "" {
		t.Errorf("PostUse arn %q account %q, want no ARN and %s", req.ARN, req.AccountID, ssoAccount)
	}
}

// credential_process: the account is the process's AccountId, for
// temporary credentials used as they are and for long-term keys made into
// a session; an AccountId that is no account is refused, unquoted.
func TestHookPostUseCredentialProcessAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	script := func(name, accountID, token string) string {
		path := filepath.Join(w.dir, name)
		out := fmt.Sprintf(`{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "AccountId": %q`, userKeyID, userSecret, accountID)
		if token != "" {
			out = fmt.Sprintf(`{"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "%s", "SessionToken": "%s", "Expiration": "%s", "AccountId": %q`,
				userSecret, token, exp, accountID)
		}
		must(t, os.WriteFile(path, []byte("#!/bin/sh\ncat <<'EOF'\n"+out+"}\nEOF\n"), 0o700))
		return path
	}
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	w.writeConfig(string(cfg) + fmt.Sprintf("\n[profile temp]\ncredential_process = %s\n\n[profile keys]\ncredential_process = %s\n\n[profile bad]\ncredential_process = %s\n",
		script("temp.sh", "444455556666", "FwoGZXIvYXdzEXAMPLETOKEN"), script("keys.sh", "777788889999", ""), script("bad.sh", "98765", "FwoGZXIvYXdzEXAMPLETOKEN")))
	for profile, want := range map[string]string{"temp": "444455556666", "keys": "777788889999"} {
		rec := w.spyHook(t, profile, "")
		if r := w.run("use", profile, "--shell", "bash", "--no-input"); r.code != 0 {
			t.Fatalf("use %s: %s", profile, r)
		}
		if req := readPostUse(t, rec); req.AccountID != want || req.ARN != "" {
			t.Errorf("%s: PostUse arn %q account %q, want no ARN and %s", profile, req.ARN, req.AccountID, want)
		}
	}
	r := w.run("use", "bad", "--shell", "bash", "--no-input")
	if r.code != 7 || r.stdout != "" || !strings.Contains(r.stderr, "account id is not one") || strings.Contains(r.stderr, "98765") {
		t.Errorf("an AccountId that is no account: %s", r)
	}
}
