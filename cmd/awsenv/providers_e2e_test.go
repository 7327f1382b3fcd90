package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeTool writes an executable NAME into a directory put first on PATH: it
// checks the exact arguments it gets (each followed by "|") and answers
// like the real tool.
func (w *world) fakeTool(t *testing.T, name, wantArgs, body string) {
	t.Helper()
	dir := filepath.Join(w.dir, "fakebin")
	must(t, os.MkdirAll(dir, 0o755))
	script := fmt.Sprintf(`#!/bin/sh
got=$(printf '%%s|' "$@")
if [ "$got" != %q ]; then
  echo "fake %s: unexpected arguments: $got" >&2
  exit 99
fi
%s
`, wantArgs, name, body)
	must(t, os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755))
	w.extra = append(w.extra, "PATH="+dir+string(os.PathListSeparator)+binDir+string(os.PathListSeparator)+toolDirs()+"/usr/local/bin:/usr/bin:/bin")
}

func (w *world) setProvider(t *testing.T, lines string) {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	w.writeConfig(strings.Replace(string(cfg), "[profile alice]\n", "[profile alice]\n"+lines, 1))
}

func TestYkmanProvider(t *testing.T) {
	oathtool := requireTool(t, "oathtool")
	w := newWorld(t)
	w.setProvider(t, "awsenv_mfa_provider = ykman\nawsenv_mfa_account = aws:alice\nawsenv_mfa_device = 12345678\n")
	w.fakeTool(t, "ykman", "--device|12345678|oath|accounts|code|--single|aws:alice|",
		"echo 'Touch your YubiKey...' >&2\n"+oathtool+" --totp -b "+mfaSecret)
	r := w.run("use", "prod")
	if r.code != 0 || !strings.Contains(r.stderr, "Touch your YubiKey...") {
		t.Fatalf("use prod with ykman: %s", r)
	}

	w2 := newWorld(t)
	w2.setProvider(t, "awsenv_mfa_provider = ykman\nawsenv_mfa_account = aws:alice\n")
	w2.fakeTool(t, "ykman", "oath|accounts|code|--single|aws:alice|",
		"echo 'WARNING: PC/SC not available. Smart card protocols will not function.' >&2\necho 'Error: No YubiKey detected!' >&2\nexit 1")
	r = w2.run("use", "alice")
	if r.code != exitMFA || r.stdout != "" || !strings.Contains(r.stderr, "YubiKey") {
		t.Fatalf("no YubiKey: want exit %d and a fix, got %s", exitMFA, r)
	}
	if n := w2.fake.Calls("GetSessionToken"); n != 0 {
		t.Fatalf("STS called without a code (%d)", n)
	}
}

func TestOpProvider(t *testing.T) {
	oathtool := requireTool(t, "oathtool")
	w := newWorld(t)
	w.setProvider(t, "awsenv_mfa_provider = op\nawsenv_mfa_item = AWS alice\nawsenv_mfa_vault = Work\n")
	w.fakeTool(t, "op", "item|get|AWS alice|--otp|--vault|Work|", oathtool+" --totp -b "+mfaSecret)
	if r := w.run("use", "alice"); r.code != 0 {
		t.Fatalf("use alice with op: %s", r)
	}
	w2 := newWorld(t)
	w2.setProvider(t, "awsenv_mfa_provider = op\nawsenv_mfa_item = AWS alice\n")
	w2.fakeTool(t, "op", "item|get|AWS alice|--otp|",
		"echo '[ERROR] 2026/11/23 12:00:00 You are not currently signed in. Please run `op signin --help` for instructions' >&2\nexit 1")
	r := w2.run("use", "alice")
	if r.code != exitMFA || !strings.Contains(r.stderr, "op signin") {
		t.Fatalf("op not signed in: %s", r)
	}
}

func TestUnknownProvider(t *testing.T) {
	w := newWorld(t)
	w.setProvider(t, "awsenv_mfa_provider = nosuch\n")
	r := w.run("use", "alice")
	if r.code != exitMFA || r.stdout != "" || !strings.Contains(r.stderr, "nosuch") {
		t.Fatalf("unknown provider: %s", r)
	}
}
