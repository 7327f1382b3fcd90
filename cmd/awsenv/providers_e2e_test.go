//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	w := newWorld(t)
	w.setProvider(t, "awsenv_mfa_provider = nosuch\n")
	r := w.run("use", "alice")
	if r.code != exitMFA || r.stdout != "" || !strings.Contains(r.stderr, "nosuch") {
		t.Fatalf("unknown provider: %s", r)
	}
	// One message: each thing said once (it used to say "MFA provider
	// nosuch" twice and give two fixes, one pointing "above" at nothing).
	if n := strings.Count(r.stderr, "MFA provider nosuch"); n != 1 || strings.Count(r.stderr, "\n") != 1 ||
		strings.Contains(r.stderr, "above") || strings.Count(r.stderr, "awsenv_mfa_provider") != 1 {
		t.Fatalf("unknown provider: want one message naming the provider once and one fix, got %s", r)
	}
}

// A third-party plugin, built as an outsider builds it, found in the XDG
// data directory and selected by name; unsafe permissions and a wrong pin
// are refused.
func TestThirdPartyPlugin(t *testing.T) {
	t.Parallel()
	requireTool(t, "oathtool")
	w := newWorld(t)
	dir := filepath.Join(w.dir, "data", "awsenv", "plugins")
	must(t, os.MkdirAll(dir, 0o755))
	plugin := filepath.Join(dir, "awsenv-plugin-oathtool")
	build := testproc.Command("go", "build", "-o", plugin, "-ldflags", "-X main.version=1.2.3", "github.com/awsenv/awsenv/plugins/examples/oathtool")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the example plugin: %v\n%s", err, out)
	}
	w.setProvider(t, "awsenv_mfa_provider = oathtool\nawsenv_mfa_secret_command = echo "+mfaSecret+"\n")
	if r := w.run("use", "prod"); r.code != 0 {
		t.Fatalf("use prod through the oathtool plugin: %s", r)
	}
	r := w.run("plugins", "list")
	if r.code != 0 || !regexp.MustCompile(`(?m)^oathtool\s+plugin\s+1\s+1\.2\.3\s+mfa\.v1\s+ok\s+`+regexp.QuoteMeta(plugin)+`$`).MatchString(r.stdout) ||
		!regexp.MustCompile(`(?m)^prompt\s+built-in\s+1\s+\S+\s+mfa\.v1\s+ok\s`).MatchString(r.stdout) {
		t.Fatalf("plugins list:\n%s", r)
	}

	// Writable by others: refused before it runs, with the fix.
	must(t, os.Chmod(plugin, 0o777))
	r = w.run("use", "alice", "--refresh")
	if r.code != exitMFA || r.stdout != "" || !strings.Contains(r.stderr, "chmod") {
		t.Fatalf("world-writable plugin: %s", r)
	}
	must(t, os.Chmod(plugin, 0o755))

	// A sha256 pin that does not match: refused.
	cfgDir := filepath.Join(w.dir, "config", "awsenv")
	must(t, os.MkdirAll(cfgDir, 0o700))
	must(t, os.WriteFile(filepath.Join(cfgDir, "config"), []byte("[plugin oathtool]\nsha256 = "+strings.Repeat("0", 64)+"\n"), 0o600))
	r = w.run("use", "alice", "--refresh")
	if r.code != exitMFA || r.stdout != "" || !strings.Contains(strings.ToLower(r.stderr), "sha256") {
		t.Fatalf("wrong pin: %s", r)
	}
}

// Plugins that go wrong, run through awsenv as a person would: a clear
// error naming the plugin, nothing on stdout, no process left behind.
func TestMisbehavingPlugins(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	dir := filepath.Join(w.dir, "data", "awsenv", "plugins")
	must(t, os.MkdirAll(dir, 0o755))
	bin := filepath.Join(w.dir, "misbehave")
	build := testproc.Command("go", "build", "-o", bin, "github.com/awsenv/awsenv/plugins/rpc/testdata/misbehave")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the test plugin: %v\n%s", err, out)
	}
	pidFile := filepath.Join(w.dir, "plugin.pid")
	base, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	cases := []struct {
		mode string
		want string
	}{
		{"crash", "crash"},
		{"hang", "2s"},
		{"v2", "protocol"},
		{"junk-before", "misbehave-junk-before"},
		{"badcode", "6-digit"},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			name := "misbehave-" + c.mode
			script := fmt.Sprintf("#!/bin/sh\nexec %s %s\n", bin, c.mode)
			must(t, os.WriteFile(filepath.Join(dir, "awsenv-plugin-"+name), []byte(script), 0o755))
			w.writeConfig(string(base))
			w.setProvider(t, "awsenv_mfa_provider = "+name+"\nawsenv_mfa_timeout = 2s\n")
			os.Remove(pidFile)
			r := w.runEnv([]string{"TESTPLUGIN_PIDFILE=" + pidFile}, "use", "alice", "--refresh")
			if r.code != exitMFA || r.stdout != "" || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stdout+r.stderr, "JUNK") {
				t.Fatalf("want exit %d, empty stdout and %q in the error, got %s", exitMFA, c.want, r)
			}
			if data, err := os.ReadFile(pidFile); err == nil {
				pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
				if pid > 0 && syscall.Kill(pid, 0) == nil {
					t.Fatalf("plugin process %d is still running", pid)
				}
			}
		})
	}
}
