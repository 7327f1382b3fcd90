//go:build unix

package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/plugins"
)

// bin holds the test plugins, built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain())
	}
	if os.Getenv(holdEnv) != "" {
		os.Exit(holdMain())
	}
	dir, err := os.MkdirTemp("", "awsenv-rpc-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := testproc.Command("go", "build", "-o", dir+string(os.PathSeparator),
		"./testdata/good", "./testdata/misbehave", "./testdata/raw", "./testdata/multi", "../examples/oathtool",
		"../examples/kubecontext", "../examples/pass")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := testproc.Run(build); err != nil {
		fmt.Fprintln(os.Stderr, "building the test plugins:", err)
		os.Exit(1)
	}
	bin = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// run is one test's plugin launch: its config and what to check after.
type run struct {
	t       *testing.T
	cfg     LaunchConfig
	pidFile string
	record  string
	stderr  *testproc.Buffer
}

func newRun(t *testing.T, plugin string, args ...string) *run {
	t.Helper()
	dir := t.TempDir()
	// Socket paths are short-lived but must stay short: not under t.TempDir().
	sockBase, err := os.MkdirTemp("", "rpct")
	if err != nil {
		t.Fatal(err)
	}
	r := &run{t: t, pidFile: filepath.Join(dir, "pid"), record: filepath.Join(dir, "record.json"), stderr: new(testproc.Buffer)}
	r.cfg = LaunchConfig{
		Path: filepath.Join(bin, plugin),
		Args: args,
		Environ: []string{
			"PATH=" + os.Getenv("PATH"),
			"HOME=" + dir,
			"TESTPLUGIN_PIDFILE=" + r.pidFile,
			"TESTPLUGIN_RECORD=" + r.record,
			testproc.EnvFollowParent + "=1", // the plugins die with the test binary
		},
		SocketDir:    filepath.Join(sockBase, "plugins"),
		Stderr:       r.stderr,
		StartTimeout: 10 * time.Second,
		CallTimeout:  10 * time.Second,
	}
	t.Cleanup(func() {
		r.checkGone()
		_ = os.RemoveAll(sockBase)
	})
	return r
}

// checkGone: the plugin process is gone (not even a zombie), no child of
// the test process is left, and the socket directory is empty.
func (r *run) checkGone() {
	t := r.t
	t.Helper()
	if b, err := os.ReadFile(r.pidFile); err == nil {
		pid, _ := strconv.Atoi(string(b))
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("plugin process %d still exists (kill -0: %v)", pid, err)
		}
	}
	if kids := children(); len(kids) > 0 {
		t.Errorf("child processes left behind: %v", kids)
	}
	entries, err := os.ReadDir(r.cfg.SocketDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Error(err)
	}
	for _, e := range entries {
		t.Errorf("left in the socket directory: %s", e.Name())
	}
}

// recorded reads what the test plugin recorded about the call.
func (r *run) recorded() map[string]any {
	r.t.Helper()
	b, err := os.ReadFile(r.record)
	if err != nil {
		r.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		r.t.Fatal(err)
	}
	return m
}

// children lists the processes whose parent is this test process, with
// their state (Z for a zombie nobody reaped).
func children() []string {
	me := strconv.Itoa(os.Getpid())
	entries, _ := os.ReadDir("/proc")
	var kids []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == me {
			kids = append(kids, e.Name()+" "+string(b[:i+1])+" "+f[0])
		}
	}
	return kids
}

// asPluginError checks err is a *plugins.Error for provider name whose
// Problem holds want, with a Fix.
func asPluginError(t *testing.T, err error, name, want string) *plugins.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one with %q", want)
	}
	var pe *plugins.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %q is not a *plugins.Error", err, err)
	}
	if pe.Provider != name {
		t.Errorf("Provider = %q, want %q", pe.Provider, name)
	}
	if !strings.Contains(pe.Problem, want) {
		t.Errorf("Problem = %q, want it to contain %q", pe.Problem, want)
	}
	if pe.Fix == "" {
		t.Errorf("no Fix in %q", err)
	}
	return pe
}

// The helper process: the host side run in a process of its own, so a test
// can see everything that reaches the host's stdout and stderr.
const helperEnv = "AWSENV_RPC_TEST_HELPER"

type helperResult struct {
	Code   string
	Err    string
	Stderr string // what reached LaunchConfig.Stderr
}

// helperMain runs Code with the config in the environment and writes a
// helperResult to the file named by AWSENV_RPC_TEST_HELPER.
func helperMain() int {
	var cfg LaunchConfig
	if err := json.Unmarshal([]byte(os.Getenv("HELPER_CONFIG")), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var stderr bytes.Buffer
	cfg.Stderr = &stderr
	code, _, err := Code(testContext(), cfg, Request{Request: plugins.Request{Profile: "alice"}})
	res := helperResult{Code: code, Stderr: stderr.String()}
	if err != nil {
		res.Err = err.Error()
	}
	b, _ := json.Marshal(res)
	if err := os.WriteFile(os.Getenv(helperEnv), b, 0o600); err != nil {
		return 2
	}
	return 0
}

// holdEnv makes the test binary, run as a child process, a host that
// launches the plugin of HELPER_CONFIG, says "launched" and waits to be
// killed (TestPluginDiesWithKilledHost).
const holdEnv = "AWSENV_RPC_TEST_HOLD"

func holdMain() int {
	var cfg LaunchConfig
	if err := json.Unmarshal([]byte(os.Getenv("HELPER_CONFIG")), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	p, err := Launch(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer p.Close()
	fmt.Println("launched")
	time.Sleep(time.Minute) // the test kills us long before
	return 0
}
