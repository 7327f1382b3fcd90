//go:build unix

package rpc

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/childproc/childproctest"
	"github.com/awsenv/awsenv/shell/shellquote"
)

func testContext() context.Context { return context.Background() }

var aliceRequest = Request{
	Request: plugins.Request{
		Profile:  "alice",
		Serial:   "arn:aws:iam::123456789012:mfa/alice",
		Options:  map[string]string{"code": "654321", "account": "it's \"me\" $(x)"},
		Terminal: true,
		Rejected: "111111",
		Accepted: "222222",
	},
}

func TestCodeRoundTrip(t *testing.T) {
	r := newRun(t, "good", "--flag", "two words")
	r.cfg.Env = []string{"TESTPLUGIN_ECHO=hello", "PLUGIN_UNIX_SOCKET_DIR=/elsewhere", "AWSENV_PLUGIN=wrong"}
	code, info, err := Code(testContext(), r.cfg, aliceRequest)
	if err != nil {
		t.Fatal(err)
	}
	if code != "654321" {
		t.Errorf("code = %q", code)
	}
	want := Info{Name: "good", Version: "1.2.3", Description: "a test plugin that behaves"}
	if info != want {
		t.Errorf("info = %+v, want %+v", info, want)
	}
	rec := r.recorded()
	wantReq := map[string]any{
		"Profile": "alice", "Serial": "arn:aws:iam::123456789012:mfa/alice",
		"Options":  map[string]any{"code": "654321", "account": "it's \"me\" $(x)"},
		"Terminal": true, "Rejected": "111111", "Accepted": "222222",
	}
	if !reflect.DeepEqual(rec["request"], wantReq) {
		t.Errorf("plugin got %v\nwant %v", rec["request"], wantReq)
	}
	if rec["echo"] != "hello" || rec["cookie"] != true || rec["log"] != "" || rec["stdin_null"] != true {
		t.Errorf("plugin environment: %v", rec)
	}
	if dir, _ := rec["socket_dir"].(string); !strings.HasPrefix(dir, r.cfg.SocketDir+"/plugin-dir") {
		t.Errorf("socket dir %q is not a fresh directory in %s", dir, r.cfg.SocketDir)
	}
	if !reflect.DeepEqual(rec["args"], []any{"--flag", "two words"}) {
		t.Errorf("args = %v", rec["args"])
	}
	if got := r.stderr.String(); got != "Touch your key for alice\n" {
		t.Errorf("stderr = %q", got)
	}
}

func TestLaunchServesSeveralCalls(t *testing.T) {
	r := newRun(t, "good")
	p, err := Launch(testContext(), r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"100001", "100002"} {
		req := aliceRequest
		req.Options = map[string]string{"code": want}
		code, err := p.Code(testContext(), req)
		if err != nil || code != want {
			t.Errorf("Code = %q, %v; want %s", code, err, want)
		}
	}
	p.Close()
	p.Close()
	if _, err := p.Code(testContext(), aliceRequest); err == nil {
		t.Error("Code after Close did not fail")
	}
}

func TestProvider(t *testing.T) {
	r := newRun(t, "good")
	var prov plugins.Provider = &Provider{Config: r.cfg}
	if prov.Name() != "good" {
		t.Errorf("Name = %q", prov.Name())
	}
	code, err := prov.Code(testContext(), plugins.Request{Profile: "bob", Accepted: "333333"})
	if err != nil || code != "123456" {
		t.Fatalf("Code = %q, %v", code, err)
	}
	req := r.recorded()["request"].(map[string]any)
	if req["Profile"] != "bob" || req["Accepted"] != "333333" {
		t.Errorf("plugin got %v", req)
	}
}

// The raw plugin follows plugins/examples/README.md without go-plugin or
// this package.
func TestRawPlugin(t *testing.T) {
	r := newRun(t, "raw")
	start := time.Now()
	code, info, err := Code(testContext(), r.cfg, aliceRequest)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if code != "654321" || info.Name != "raw" || info.Version != "0.1" {
		t.Errorf("code %q, info %+v", code, info)
	}
	rec := r.recorded()
	want := map[string]any{
		"profile": "alice", "mfa_serial": "arn:aws:iam::123456789012:mfa/alice",
		"options":  map[string]any{"code": "654321", "account": "it's \"me\" $(x)"},
		"terminal": true, "last_rejected_code": "111111", "last_accepted_code": "222222",
	}
	if !reflect.DeepEqual(rec, want) {
		t.Errorf("raw plugin got %v\nwant %v", rec, want)
	}
	if got := r.stderr.String(); got != "raw plugin: computing a code\n" {
		t.Errorf("stderr = %q", got)
	}
	// It implements Shutdown, so it is not left to SIGTERM.
	if took > exitGrace+time.Second {
		t.Errorf("round trip took %s", took)
	}
}

func TestErrors(t *testing.T) {
	scripts := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		path := filepath.Join(scripts, name)
		if err := os.WriteFile(path, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	openDir := filepath.Join(scripts, "open")
	if err := os.Mkdir(openDir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(openDir, 0o777); err != nil {
		t.Fatal(err)
	}
	inOpenDir := filepath.Join(openDir, "awsenv-plugin-x")
	if err := os.WriteFile(inOpenDir, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name    string
		plugin  string   // in bin
		args    []string // for the plugin
		edit    func(*LaunchConfig)
		problem string
		fix     string
	}{
		{name: "missing", edit: func(c *LaunchConfig) { c.Path = filepath.Join(scripts, "awsenv-plugin-none") },
			problem: "does not exist"},
		{name: "bare name not looked up in PATH", edit: func(c *LaunchConfig) { c.Path = "true" },
			problem: "does not exist"},
		{name: "not executable", edit: func(c *LaunchConfig) { c.Path = write("plain", "#!/bin/sh\n", 0o644) },
			problem: "is not executable", fix: "chmod +x"},
		{name: "directory", edit: func(c *LaunchConfig) { c.Path = scripts }, problem: "is a directory"},
		{name: "writable by group", edit: func(c *LaunchConfig) { c.Path = write("groupw", "#!/bin/sh\n", 0o775) },
			problem: "others may change", fix: "chmod go-w"},
		{name: "in an open directory", edit: func(c *LaunchConfig) { c.Path = inOpenDir },
			problem: "others may change " + openDir},
		{name: "not a program", edit: func(c *LaunchConfig) { c.Path = write("garbage", "\x00\x01garbage", 0o755) },
			problem: "is not a program this system can run"},
		{name: "exits at once", edit: func(c *LaunchConfig) { c.Path = "/bin/true" },
			problem: "/bin/true exited before the plugin handshake (exit status 0)"},
		{name: "prints something else",
			edit:    func(c *LaunchConfig) { c.Path = write("hello", "#!/bin/sh\necho hello\nexec sleep 30\n", 0o755) },
			problem: "is not an awsenv plugin: the first line it printed was not the plugin handshake"},
		{name: "a child keeps the output open",
			edit:    func(c *LaunchConfig) { c.Path = write("child", "#!/bin/sh\nsleep 2 &\nexit 0\n", 0o755) },
			problem: "exited before the plugin handshake (exit status 0)"},
		{name: "junk before the handshake", plugin: "misbehave", args: []string{"junk-before"},
			problem: "is not an awsenv plugin"},
		{name: "wrong magic cookie", plugin: "misbehave", args: []string{"cookie"},
			problem: "exited before the plugin handshake (exit status 1)"},
		{name: "protocol version 2", plugin: "misbehave", args: []string{"v2"},
			problem: "speaks plugin protocol version 2; this awsenv speaks version 1"},
		{name: "start timeout", plugin: "misbehave", args: []string{"slow-start"},
			edit:    func(c *LaunchConfig) { c.StartTimeout = 300 * time.Millisecond },
			problem: "did not complete the plugin handshake within 300ms"},
		{name: "crash during the call", plugin: "misbehave", args: []string{"crash"},
			problem: "exited while it was asked for a code (exit status 2)"},
		{name: "exit during the call", plugin: "misbehave", args: []string{"exit"},
			problem: "exited while it was asked for a code (exit status 3)"},
		{name: "call timeout", plugin: "misbehave", args: []string{"hang"},
			edit:    func(c *LaunchConfig) { c.CallTimeout = 300 * time.Millisecond },
			problem: "no code after 300ms"},
		{name: "malformed code", plugin: "misbehave", args: []string{"badcode"},
			problem: "not a 6-digit code (6 characters)"},
		{name: "refusal with a fix", plugin: "misbehave", args: []string{"refuse"},
			problem: "no YubiKey is plugged in", fix: "Plug in your YubiKey and run the command again."},
		{name: "plain error", plugin: "misbehave", args: []string{"fail"}, problem: "something broke"},
		{name: "sha256 mismatch", plugin: "good",
			edit:    func(c *LaunchConfig) { c.SHA256 = strings.Repeat("ab", 32) },
			problem: "does not match its pinned SHA-256 checksum", fix: "sha256sum"},
		{name: "sha256 not hex", plugin: "good", edit: func(c *LaunchConfig) { c.SHA256 = "xyz" },
			problem: "not 64 hexadecimal digits"},
		{name: "plugin without AutoMTLS", plugin: "raw", edit: func(c *LaunchConfig) { c.AutoMTLS = true },
			problem: "does not take part in AutoMTLS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plugin := tc.plugin
			if plugin == "" {
				plugin = "good"
			}
			r := newRun(t, plugin, tc.args...)
			r.cfg.Name = "test"
			if tc.edit != nil {
				tc.edit(&r.cfg)
			}
			start := time.Now()
			code, _, err := Code(testContext(), r.cfg, aliceRequest)
			if code != "" {
				t.Errorf("code %q with an error", code)
			}
			pe := asPluginError(t, err, "test", tc.problem)
			if !strings.Contains(pe.Fix, tc.fix) {
				t.Errorf("Fix = %q, want it to contain %q", pe.Fix, tc.fix)
			}
			took := time.Since(start)
			t.Logf("%s (%s)", err, took.Round(time.Millisecond))
			if took > 2*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}

func TestSHA256Pin(t *testing.T) {
	r := newRun(t, "good")
	b, err := os.ReadFile(r.cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	r.cfg.SHA256 = strings.ToUpper(hex.EncodeToString(sum[:]))
	if code, _, err := Code(testContext(), r.cfg, aliceRequest); err != nil || code != "654321" {
		t.Fatalf("Code = %q, %v", code, err)
	}
}

// AutoMTLS: plugins served by Serve take part; a plugin that does not is
// refused (TestErrors), the host does not fall back to plain text.
func TestAutoMTLS(t *testing.T) {
	r := newRun(t, "good")
	r.cfg.AutoMTLS = true
	if code, _, err := Code(testContext(), r.cfg, aliceRequest); err != nil || code != "654321" {
		t.Fatalf("Code = %q, %v", code, err)
	}
}

func TestCancel(t *testing.T) {
	r := newRun(t, "misbehave", "hang")
	r.cfg.Name = "test"
	ctx, cancel := context.WithTimeout(testContext(), 300*time.Millisecond)
	defer cancel()
	_, _, err := Code(ctx, r.cfg, aliceRequest)
	asPluginError(t, err, "test", "stopped before the plugin gave a code")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v is not context.DeadlineExceeded", err)
	}
}

func TestDebugLog(t *testing.T) {
	r := newRun(t, "good")
	var debug testproc.Buffer
	r.cfg.Debug = &debug
	if _, _, err := Code(testContext(), r.cfg, aliceRequest); err != nil {
		t.Fatal(err)
	}
	log := debug.String()
	for _, want := range []string{
		"starting plugin",          // go-plugin, host side
		"plugin address",           // go-plugin, plugin side, through its stderr
		"plugin ready",             // this package
		"Touch your key for alice", // the plugin's own stderr
	} {
		if !strings.Contains(log, want) {
			t.Errorf("debug log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "654321") {
		t.Error("the code is in the debug log")
	}
	if got := r.stderr.String(); got != "Touch your key for alice\n" {
		t.Errorf("stderr = %q", got)
	}
	if r.recorded()["log"] != "debug" {
		t.Errorf("plugin was not told to log: %v", r.recorded())
	}
}

// go-plugin's default plugin-side logger writes JSON lines to stderr: they
// do not reach LaunchConfig.Stderr.
func TestPluginLogLinesFiltered(t *testing.T) {
	r := newRun(t, "misbehave", "go-plugin-logs")
	if code, _, err := Code(testContext(), r.cfg, aliceRequest); err != nil || code != "111111" {
		t.Fatalf("Code = %q, %v", code, err)
	}
	if got := r.stderr.String(); got != "" {
		t.Errorf("stderr = %q", got)
	}
}

// The host runs in a process of its own: nothing may reach its stdout, and
// with Debug nil nothing its stderr.
func TestHostOutputIsolation(t *testing.T) {
	for _, tc := range []struct {
		plugin, mode string
		code, err    string
		stderr       string
	}{
		{plugin: "good", code: "123456", stderr: "Touch your key for alice\n"},
		{plugin: "misbehave", mode: "junk-after", code: "654321"},
		{plugin: "misbehave", mode: "junk-before", err: "is not an awsenv plugin"},
		{plugin: "misbehave", mode: "crash", err: "exit status 2", stderr: "about to crash\n"},
		{plugin: "misbehave", mode: "go-plugin-logs", code: "111111"},
		{plugin: "raw", code: "123456", stderr: "raw plugin: computing a code\n"},
	} {
		t.Run(tc.plugin+"-"+tc.mode, func(t *testing.T) {
			r := newRun(t, tc.plugin)
			if tc.mode != "" {
				r.cfg.Args = []string{tc.mode}
			}
			r.cfg.Stderr = nil
			cfg, err := json.Marshal(r.cfg)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "result.json")
			cmd := testproc.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"="+out, "HELPER_CONFIG="+string(cfg))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := testproc.Run(cmd); err != nil {
				t.Fatalf("helper: %v\n%s", err, stderr.String())
			}
			if stdout.Len() > 0 {
				t.Errorf("the host's stdout got %q", stdout.String())
			}
			if stderr.Len() > 0 {
				t.Errorf("the host's stderr got %q", stderr.String())
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var res helperResult
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatal(err)
			}
			if res.Code != tc.code || !strings.Contains(res.Err, tc.err) || (tc.err == "") != (res.Err == "") {
				t.Errorf("code %q, error %q; want %q, %q", res.Code, res.Err, tc.code, tc.err)
			}
			if tc.mode == "crash" {
				// The panic's stack trace follows the plugin's last words.
				if !strings.HasPrefix(res.Stderr, tc.stderr) || !strings.Contains(res.Stderr, "panic: crash during the call") {
					t.Errorf("Stderr got %q", res.Stderr)
				}
			} else if res.Stderr != tc.stderr {
				t.Errorf("Stderr got %q, want %q", res.Stderr, tc.stderr)
			}
		})
	}
}

func TestSocketDir(t *testing.T) {
	t.Run("refused when others may use it", func(t *testing.T) {
		r := newRun(t, "good")
		r.cfg.Name = "test"
		if err := os.MkdirAll(r.cfg.SocketDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(r.cfg.SocketDir, 0o755); err != nil {
			t.Fatal(err)
		}
		_, _, err := Code(testContext(), r.cfg, aliceRequest)
		pe := asPluginError(t, err, "test", "others may use the plugin socket directory")
		if !strings.Contains(pe.Fix, "chmod 700") {
			t.Errorf("Fix = %q", pe.Fix)
		}
	})
	t.Run("refused when a symbolic link", func(t *testing.T) {
		r := newRun(t, "good")
		r.cfg.Name = "test"
		if err := os.MkdirAll(filepath.Dir(r.cfg.SocketDir), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(t.TempDir(), r.cfg.SocketDir); err != nil {
			t.Fatal(err)
		}
		_, _, err := Code(testContext(), r.cfg, aliceRequest)
		asPluginError(t, err, "test", "is not a directory (or is a symbolic link)")
		_ = os.Remove(r.cfg.SocketDir)
	})
	t.Run("made private", func(t *testing.T) {
		r := newRun(t, "good")
		if _, _, err := Code(testContext(), r.cfg, aliceRequest); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(r.cfg.SocketDir)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("socket dir: %v, %v", fi.Mode(), err)
		}
	})
	t.Run("temporary when too deep for a socket path", func(t *testing.T) {
		r := newRun(t, "good")
		r.cfg.SocketDir = filepath.Join(r.cfg.SocketDir, strings.Repeat("d", 80))
		if _, _, err := Code(testContext(), r.cfg, aliceRequest); err != nil {
			t.Fatal(err)
		}
		dir := r.recorded()["socket_dir"].(string)
		if filepath.Dir(dir) != filepath.Clean(os.TempDir()) {
			t.Errorf("socket dir %q", dir)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("socket dir %s left behind (%v)", dir, err)
		}
	})
	t.Run("temporary when none is given", func(t *testing.T) {
		r := newRun(t, "good")
		r.cfg.SocketDir = ""
		if _, _, err := Code(testContext(), r.cfg, aliceRequest); err != nil {
			t.Fatal(err)
		}
		dir := r.recorded()["socket_dir"].(string)
		if filepath.Dir(dir) != filepath.Clean(os.TempDir()) || !strings.HasPrefix(filepath.Base(dir), "plugin-dir") {
			t.Errorf("socket dir %q", dir)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("socket dir %s left behind (%v)", dir, err)
		}
	})
}

func TestOathtoolExample(t *testing.T) {
	if _, err := exec.LookPath("oathtool"); err != nil {
		t.Skip("oathtool is not installed (apt install oathtool)")
	}
	const secret = "JBSWY3DPEHPK3PXP"
	current := func() string {
		out, err := testproc.Command("oathtool", "--totp", "-b", secret).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	r := newRun(t, "oathtool")
	before := current()
	code, info, err := Code(testContext(), r.cfg, Request{Request: plugins.Request{
		Profile: "alice", Options: map[string]string{"secret_command": "printf '%s\\n' " + secret}}})
	after := current()
	if err != nil {
		t.Fatal(err)
	}
	if code != before && code != after {
		t.Errorf("code %s, oathtool says %s then %s", code, before, after)
	}
	if info.Name != "oathtool" {
		t.Errorf("info %+v", info)
	}

	r = newRun(t, "oathtool")
	_, _, err = Code(testContext(), r.cfg, Request{Request: plugins.Request{Profile: "alice"}})
	pe := asPluginError(t, err, "oathtool", "no secret command is set for profile alice")
	if !strings.Contains(pe.Fix, "awsenv_mfa_secret_command") {
		t.Errorf("Fix = %q", pe.Fix)
	}
}

// clean is termsafe's: a whole escape sequence goes, not just its ESC
// (`\x1b[31mred\x1b[0m` shows "red", not "[31mred[0m"), and the cap is
// on bytes, the ellipsis included.
func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                 "plain",
		"a\x1b[31mred\nline":    "ared line",
		"\x1b[31mred\x1b[0m":    "red",
		"osc \x1b]0;t\x07 8":    "osc  8",
		"bidi \u202eevil":       "bidi \ufffdevil",
		"bad \xff utf8":         "bad \ufffd utf8",
		strings.Repeat("x", 10): "xxx…",
	} {
		max := 100
		if strings.HasPrefix(in, "xxxxx") {
			max = 3 + len("…")
		}
		if got := clean(in, max); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShq(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/bin/x": "/usr/bin/x",
		"a b":        "'a b'",
		"it's":       `'it'\''s'`,
		"":           "''",
		"$(rm)":      "'$(rm)'",
	} {
		if got := shellquote.Word(in); got != want {
			t.Errorf("shellquote.Word(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	for _, bc := range []struct {
		name   string
		plugin string
		mtls   bool
	}{
		{"go/automtls=off", "good", false},
		{"go/automtls=on", "good", true},
		{"raw/automtls=off", "raw", false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			sock := b.TempDir()
			cfg := LaunchConfig{Path: filepath.Join(bin, bc.plugin), AutoMTLS: bc.mtls,
				Environ: []string{"PATH=" + os.Getenv("PATH")}, SocketDir: filepath.Join(sock, "s")}
			req := Request{Request: plugins.Request{Profile: "alice"}}
			for b.Loop() {
				if _, _, err := Code(testContext(), cfg, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBareStart runs the good plugin's binary with --exit: the cost of
// exec and package initialisation alone, for comparison.
func BenchmarkBareStart(b *testing.B) {
	path := filepath.Join(bin, "good")
	for b.Loop() {
		if err := testproc.Command(path, "--exit").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestToProtoAccepted(t *testing.T) {
	if got := toProto(Request{Request: plugins.Request{Accepted: "111111"}}).GetLastAcceptedCode(); got != "111111" {
		t.Errorf("Accepted: %q", got)
	}
	if got := toProto(Request{Request: plugins.Request{Accepted: "111111"}, LastAccepted: "222222"}).GetLastAcceptedCode(); got != "222222" {
		t.Errorf("LastAccepted: %q", got)
	}
}

// A host killed with SIGKILL (as go test's timeout kills a test binary)
// runs no clean-up; the test plugins it launched die with it because the
// tests set testproc.EnvFollowParent for them.
func TestPluginDiesWithKilledHost(t *testing.T) {
	r := newRun(t, "good")
	r.cfg.Stderr = nil
	cfg, err := json.Marshal(r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A killed host cannot remove its socket, and the dead plugin may stay a
	// zombie of whoever adopted it: not what this test checks.
	t.Cleanup(func() { _ = os.RemoveAll(r.cfg.SocketDir); _ = os.Remove(r.pidFile) })
	host := testproc.Command(os.Args[0], "-test.run=^$")
	host.Env = append(os.Environ(), holdEnv+"=1", "HELPER_CONFIG="+string(cfg))
	var stderr testproc.Buffer
	host.Stderr = &stderr
	out, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := testproc.Start(host); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		if l != "launched\n" {
			_ = host.Process.Kill()
			_ = host.Wait()
			t.Fatalf("host said %q, want launched\n%s", l, stderr.String())
		}
	case <-time.After(30 * time.Second):
		_ = host.Process.Kill()
		_ = host.Wait()
		t.Fatalf("the host did not launch the plugin within 30s\n%s", stderr.String())
	}
	b, err := os.ReadFile(r.pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(string(b))
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("plugin %d is not running: %v", pid, err)
	}

	_ = host.Process.Signal(syscall.SIGKILL)
	_ = host.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || bytes.Contains(st[bytes.LastIndexByte(st, ')'):], []byte(") Z ")) {
			return // gone, or a zombie its new parent has yet to reap: dead either way
		}
		if time.Now().After(deadline) {
			t.Fatalf("plugin %d outlived its killed host by 5s", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A plugin's stderr reaches LaunchConfig.Stderr without escape sequences,
// controls, bidi controls or invalid UTF-8, from both its paths (go-plugin's
// stream of os.Stderr, and file descriptor 2).
func TestStderrMadeSafe(t *testing.T) {
	r := newRun(t, "misbehave", "hostile")
	if _, _, err := Code(testContext(), r.cfg, aliceRequest); err != nil {
		t.Fatal(err)
	}
	got := r.stderr.String()
	if strings.Count(got, "HOSTILE-START") != 2 || strings.Count(got, "HOSTILE-END") != 2 {
		t.Fatalf("stderr = %q, want both lines", got)
	}
	if strings.ContainsAny(got, "\x1b\x07\u009b\u202e\ufffe") || strings.Contains(got, "pwned") || !utf8.ValidString(got) {
		t.Fatalf("stderr = %q", got)
	}
}

// A plugin goes through childproc like every child: the hostile text and a
// megabyte after it reach the person made safe and capped.
func TestStderrHostileCapped(t *testing.T) {
	r := newRun(t, "misbehave", "flood")
	if _, _, err := Code(testContext(), r.cfg, aliceRequest); err != nil {
		t.Fatal(err)
	}
	childproctest.Check(t, r.stderr.String())
}

// A plugin's Go crash is one line on stderr; with Debug set, the trace.
func TestCrashSummarised(t *testing.T) {
	r := newRun(t, "misbehave", "crash")
	if _, _, err := Code(testContext(), r.cfg, aliceRequest); err == nil {
		t.Fatal("Code succeeded")
	}
	want := "about to crash\nplugin misbehave crashed: panic: crash during the call; run with --debug for the trace\n"
	if got := r.stderr.String(); got != want {
		t.Fatalf("stderr = %q, want %q", got, want)
	}
	r = newRun(t, "misbehave", "crash")
	r.cfg.Debug = io.Discard
	Code(testContext(), r.cfg, aliceRequest)
	if got := r.stderr.String(); !strings.Contains(got, "goroutine ") || strings.Contains(got, "crashed:") {
		t.Fatalf("with Debug, stderr = %q, want the trace", got)
	}
}
