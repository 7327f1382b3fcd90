//go:build unix

package main

// The end-to-end tests build the real awsenv, awsenv-helper and awsenv-helper-full binaries once
// and drive them as a person would: through eval in real shells, against
// the in-repo STS double (internal/testsupport/fakeaws) or moto_server on 127.0.0.1.

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "awsenv-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := testproc.Command("go", "build", "-tags", "urfave_cli_no_docs", "-o", dir+string(os.PathSeparator),
		"github.com/awsenv/awsenv/cmd/awsenv", "github.com/awsenv/awsenv/cmd/awsenv-helper", "github.com/awsenv/awsenv/cmd/awsenv-helper-full")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := testproc.Run(build); err != nil {
		fmt.Fprintln(os.Stderr, "build awsenv:", err)
		os.Exit(1)
	}
	binDir = dir
	moreParallel()
	code := m.Run()
	os.RemoveAll(dir)
	removeHookBin()
	os.Exit(code)
}

// hookBinDir is the directory of the test build with pause points
// (keyring_e2e_test.go), once built, for TestMain to remove.
var hookBinDir atomic.Value

func removeHookBin() {
	if dir, ok := hookBinDir.Load().(string); ok {
		os.RemoveAll(dir)
	}
}

// moreParallel runs up to 4 tests per CPU at once unless -parallel was
// given: the end-to-end tests spend most of their time waiting, for the
// processes they start, for the double, and one for the next TOTP window,
// so -parallel's default (GOMAXPROCS) leaves the CPUs idle.
func moreParallel() {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", strconv.Itoa(4*runtime.GOMAXPROCS(0)))
	}
}

// Example keys from AWS's documentation; nothing real.
const (
	userKeyID  = "AKIAIOSFODNN7EXAMPLE"
	userSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	mfaSecret  = "JBSWY3DPEHPK3PXP"
	account    = "123456789012"
	serial     = "arn:aws:iam::123456789012:mfa/alice"
	roleARN    = "arn:aws:iam::123456789012:role/admin"
	longRole   = "arn:aws:iam::123456789012:role/long"
)

// world is one user's machine: a HOME with AWS files, XDG dirs, and an STS.
type world struct {
	t     *testing.T
	dir   string
	home  string
	fake  *fakeaws.Server
	extra []string
	used  map[int64]bool // TOTP windows handed out
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, dir: t.TempDir(), used: map[int64]bool{}}
	w.home = filepath.Join(w.dir, "home")
	must(t, os.MkdirAll(filepath.Join(w.home, ".aws"), 0o700))
	w.fake = fakeaws.New()
	if _, err := w.fake.Start(); err != nil {
		t.Fatalf("start STS double: %v", err)
	}
	t.Cleanup(w.fake.Close)
	// The data key cached in the kernel keyring for this world's sessions
	// goes with it (a user's keyring quota is small).
	t.Cleanup(w.forgetSessionKey)
	u := w.fake.AddUser(account, "alice")
	u.AddKey(userKeyID, userSecret)
	u.AddMFADevice(serial, mfaSecret)
	w.fake.AddRole(roleARN, fakeaws.RoleOptions{RequireMFA: true})
	w.fake.AddRole(longRole, fakeaws.RoleOptions{RequireMFA: true, MaxSessionDuration: 4 * time.Hour})
	w.writeCredentials(fmt.Sprintf("[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n", userKeyID, userSecret))
	w.writeConfig(fmt.Sprintf(`[profile alice]
region = eu-west-1
mfa_serial = %s

[profile prod]
role_arn = %s
source_profile = alice
region = us-west-2

[profile long]
role_arn = %s
source_profile = alice
duration_seconds = 7200
`, serial, roleARN, longRole))
	return w
}

func (w *world) writeConfig(s string) {
	must(w.t, os.WriteFile(filepath.Join(w.home, ".aws", "config"), []byte(s), 0o600))
}

func (w *world) writeCredentials(s string) {
	must(w.t, os.WriteFile(filepath.Join(w.home, ".aws", "credentials"), []byte(s), 0o600))
}

func (w *world) sessionDir() string {
	return filepath.Join(w.dir, "state", "awsenv", "sessions")
}

// code returns a TOTP code the double has not accepted yet: the code of
// this 30 s window, else of the next or the previous one (the double
// accepts adjacent windows once each, as AWS does).
func (w *world) code() string {
	w.t.Helper()
	now := time.Now()
	for _, off := range []int{0, 1, -1} {
		at := now.Add(time.Duration(off) * 30 * time.Second)
		if win := at.Unix() / 30; !w.used[win] {
			w.used[win] = true
			return fakeaws.TOTPCode(mfaSecret, at)
		}
	}
	w.t.Fatal("a test asked for more than three MFA codes in 30 s")
	return ""
}

// env is a clean environment: nothing from the machine's AWS_* settings.
func (w *world) env(extra ...string) []string {
	env := []string{
		"PATH=" + binDir + string(os.PathListSeparator) + toolDirs() + "/usr/local/bin:/usr/bin:/bin",
		"HOME=" + w.home,
		"USER=alice",
		"LANG=C.UTF-8",
		"XDG_STATE_HOME=" + filepath.Join(w.dir, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(w.dir, "config"),
		"XDG_DATA_HOME=" + filepath.Join(w.dir, "data"),
		"XDG_RUNTIME_DIR=" + filepath.Join(w.dir, "run"),
		"AWS_ENDPOINT_URL=" + w.fake.URL(),
		"AWS_CONFIG_FILE=" + filepath.Join(w.home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(w.home, ".aws", "credentials"),
	}
	env = append(env, w.extra...)
	return append(env, extra...)
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs the awsenv binary with no terminal.
func (w *world) run(args ...string) result {
	w.t.Helper()
	return w.runEnv(nil, args...)
}

func (w *world) runEnv(extraEnv []string, args ...string) result {
	w.t.Helper()
	cmd := testproc.Command(filepath.Join(binDir, "awsenv"), args...)
	cmd.Env = w.env(extraEnv...)
	cmd.Dir = w.dir
	setNoTTY(cmd)
	return runCmd(w.t, cmd)
}

// setNoTTY starts the command in a new session, without a controlling
// terminal, as under CI or cron: the prompt cannot reach a person. Like
// every process the tests start, it dies with the test binary.
func setNoTTY(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	testproc.DieWithParent(cmd)
}

// shell runs a script in a real shell with the world's environment.
func (w *world) shell(sh, script string, extraEnv ...string) result {
	w.t.Helper()
	path := requireTool(w.t, sh)
	args := []string{"-c", script}
	cmd := testproc.Command(path, args...)
	cmd.Env = w.env(extraEnv...)
	cmd.Dir = w.dir
	setNoTTY(cmd)
	return runCmd(w.t, cmd)
}

func runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = 5 * time.Second
	err := testproc.Run(cmd)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", cmd.Args, err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// requireTool finds an external program; without it the test skips, except
// in CI (CI=true), where a missing tool is a broken setup.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; .ci/run must install it", name)
		}
		t.Skipf("%s is not installed; install it to run this test", name)
	}
	return p
}

// toolDirs puts the real directories of the Python tools (aws,
// moto_server) on PATH: pyenv's shims look for their root under HOME,
// which the tests replace. It is worked out once per test binary: `pyenv
// which` costs tens of milliseconds and every command a test runs asks.
var toolDirs = sync.OnceValue(findToolDirs)

func findToolDirs() string {
	var dirs []string
	for _, name := range []string{"aws", "moto_server"} {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		if out, err := exec.Command("pyenv", "which", name).Output(); err == nil && strings.Contains(p, "shims") {
			p = strings.TrimSpace(string(out))
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	if len(dirs) == 0 {
		return ""
	}
	return strings.Join(dirs, string(os.PathListSeparator)) + string(os.PathListSeparator)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// onTerminal is awsenv started with a pseudo-terminal as its controlling
// terminal, and stdout and stderr captured apart (like $(...)).
type onTerminal struct {
	cmd            *exec.Cmd
	ptmx           *os.File
	screen         *bufio.Reader
	stdout, stderr *strings.Builder
}

func (w *world) startOnTerminal(args ...string) *onTerminal {
	w.t.Helper()
	ptmx, tty, err := pty.Open()
	must(w.t, err)
	w.t.Cleanup(func() { ptmx.Close() })
	o := &onTerminal{cmd: testproc.Command(filepath.Join(binDir, "awsenv"), args...), ptmx: ptmx,
		screen: bufio.NewReader(ptmx), stdout: &strings.Builder{}, stderr: &strings.Builder{}}
	o.cmd.Env = w.env()
	o.cmd.Stdout, o.cmd.Stderr = o.stdout, o.stderr
	o.cmd.ExtraFiles = []*os.File{tty} // fd 3 becomes the controlling terminal
	o.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
	must(w.t, testproc.Start(o.cmd))
	tty.Close()
	return o
}
