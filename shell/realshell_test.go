package shell

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// envDumpVar makes the test binary write its environment (NUL-separated, as
// the kernel hands it over) to the named file and exit. The real-shell tests
// run it from the shell under test to see exactly what a child process of
// that shell, such as the aws CLI, would receive.
const envDumpVar = "AWSENV_SHELL_TEST_ENVDUMP"

func TestMain(m *testing.M) {
	if path := os.Getenv(envDumpVar); path != "" {
		var buf bytes.Buffer
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, envDumpVar+"=") {
				buf.WriteString(kv)
				buf.WriteByte(0)
			}
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// realShell is one way a user could run the rendered code.
type realShell struct {
	name     string            // subtest name
	bin      string            // executable, looked up in PATH
	args     []string          // before the driver script
	sh       Shell             // renderer under test
	fish     bool              // driver syntax: fish, else POSIX
	utf8     bool              // run in a UTF-8 locale, else in the C locale
	prelude  string            // driver lines before anything is loaded
	home     map[string]string // files to create in $HOME
	load     string            // statement loading file %[1]s (a quoted path)
	required bool              // must be installed when CI=true
}

const (
	posixEval   = `eval "$(cat %[1]s)"`
	posixDot    = `. %[1]s`
	posixFunc   = `awsenv_load %[1]s`
	fishSource  = `cat %[1]s | source`
	fishFile    = `source %[1]s`
	fishEval    = `eval (cat %[1]s)`
	fishFunc    = `awsenv_load %[1]s`
	posixFuncDf = "awsenv_load() { eval \"$(cat \"$1\")\"; }\n"
	fishFuncDf  = "function awsenv_load; cat $argv[1] | source; end\n"
)

// zshUserOpts are options interactive zsh users commonly set, including the
// ones that change how quotes, globs, words and "!" are handled.
const zshUserOpts = `setopt rc_quotes extended_glob glob_subst sh_word_split magic_equal_subst
setopt interactive_comments bang_hist prompt_subst no_nomatch csh_null_glob ksh_arrays
setopt brace_ccl hist_subst_pattern
`

func realShells() []realShell {
	sh, _ := Lookup("sh")
	bash, _ := Lookup("bash")
	zsh, _ := Lookup("zsh")
	fish, _ := Lookup("fish")
	return []realShell{
		{name: "sh", bin: "sh", sh: sh, load: posixEval, required: true},
		{name: "dash", bin: "dash", sh: sh, load: posixEval, required: true},
		{name: "dash-dot", bin: "dash", sh: sh, load: posixDot, required: true},
		{name: "bash", bin: "bash", sh: bash, load: posixEval, required: true},
		{name: "bash-strict", bin: "bash", sh: bash, prelude: "set -euo pipefail\nset -H\n" + posixFuncDf, load: posixFunc, required: true},
		{name: "bash-posix", bin: "bash", args: []string{"--posix"}, sh: bash, load: posixEval, required: true},
		{name: "bash-utf8", bin: "bash", sh: bash, utf8: true, load: posixEval, required: true},
		{name: "zsh-f", bin: "zsh", args: []string{"-f"}, sh: zsh, load: posixEval, required: true},
		{name: "zsh", bin: "zsh", sh: zsh, utf8: true, load: posixEval, required: true},
		{name: "zsh-interactive", bin: "zsh", args: []string{"-i"}, sh: zsh, utf8: true,
			home: map[string]string{".zshrc": zshUserOpts}, prelude: posixFuncDf, load: posixFunc, required: true},
		{name: "zsh-emulate-sh", bin: "zsh", args: []string{"--emulate", "sh", "-f"}, sh: sh, load: posixEval, required: true},
		{name: "ksh", bin: "ksh", sh: sh, load: posixEval},
		{name: "mksh", bin: "mksh", sh: sh, load: posixEval},
		{name: "fish-N", bin: "fish", args: []string{"--no-config"}, sh: fish, fish: true, load: fishSource, required: true},
		{name: "fish-N-file", bin: "fish", args: []string{"--no-config"}, sh: fish, fish: true, load: fishFile, required: true},
		{name: "fish", bin: "fish", sh: fish, fish: true, utf8: true, load: fishSource, required: true},
		{name: "fish-eval", bin: "fish", sh: fish, fish: true, utf8: true, load: fishEval, required: true},
		{name: "fish-function", bin: "fish", args: []string{"--no-config"}, sh: fish, fish: true,
			prelude: fishFuncDf, load: fishFunc, required: true},
	}
}

// lookShell finds rs's executable, or skips the test; with CI=true a
// required shell that is missing fails the test instead.
func lookShell(t *testing.T, rs realShell) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("real-shell tests need a Unix system")
	}
	path, err := exec.LookPath(rs.bin)
	if err == nil {
		return path
	}
	if !rs.required {
		t.Skipf("%s is not installed; skipping this optional shell", rs.bin)
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed; CI must install it (e.g. apt-get install -y dash zsh fish)", rs.bin)
	}
	t.Skipf("%s is not installed; skipping its real-shell test (with CI=true this fails)", rs.bin)
	return ""
}

// quoteFor quotes a harness path in the driver's own syntax.
func (rs realShell) quoteFor(s string) string {
	if rs.fish {
		return fish{}.Quote(s)
	}
	return posix{}.Quote(s)
}

// loadStmt loads file and exits with status 3 if that fails.
func (rs realShell) loadStmt(file string) string {
	load := fmt.Sprintf(rs.load, rs.quoteFor("./"+file))
	if rs.fish {
		return load + "; or begin; echo \"loading " + file + " failed: $status\"; exit 3; end\n"
	}
	return load + " || { echo \"loading " + file + " failed: $?\"; exit 3; }\n"
}

func (rs realShell) printStmt(name string) string {
	return "printf '%s' \"$" + name + "\" > ./" + name + ".value\n"
}

func (rs realShell) assertUnsetStmt(name string) string {
	if rs.fish {
		return "if set -q " + name + "; echo '" + name + " is still set'; end\n"
	}
	return "if [ -n \"${" + name + "+x}\" ]; then echo '" + name + " is still set'; fi\n"
}

// dumpEnvStmt writes the environment of a child process to ./env.dump:
// with GNU env -0 where it exists (fast), else with the test binary.
func (rs realShell) dumpEnvStmt(testBin string) string {
	if gnuEnv() {
		return "env -0 > ./env.dump\n"
	}
	return "env " + envDumpVar + "=./env.dump " + rs.quoteFor(testBin) + "\n"
}

var gnuEnv = sync.OnceValue(func() bool {
	out, err := exec.Command("env", "-0").Output()
	return err == nil && bytes.Contains(out, []byte{0})
})

// shellRun is what a driver left behind.
type shellRun struct {
	values map[string]string // name -> value printed by the shell itself
	env    map[string]string // the environment a child process saw
}

// driverSpec says what a driver script does.
type driverSpec struct {
	files   [][]Change // each rendered to its own file and loaded in order
	print   []string   // variables whose shell values to print back
	unset   []string   // variables that must be unset at the end
	inherit []string   // extra NAME=value environment for the shell
	noEnv   bool       // skip dumping a child's environment
}

// runDriver renders spec.files with rs.sh into a fresh working directory and
// runs a driver script that loads them, prints back the spec.print
// variables, checks the spec.unset ones and dumps a child's environment.
// The shell starts with only HOME, PATH, LANG (if rs.utf8 is set) and
// spec.inherit in its environment. runDriver fails t unless the shell exits
// 0 with empty stdout and stderr and leaves no file it was not asked to
// create (such as PWNED).
func runDriver(t *testing.T, rs realShell, spec driverSpec) shellRun {
	t.Helper()
	bin := lookShell(t, rs)
	testBin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	home, work := filepath.Join(root, "home"), filepath.Join(root, "work")
	for _, d := range []string{home, work} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range rs.home {
		if err := os.WriteFile(filepath.Join(home, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	expected := map[string]bool{"driver": true, "env.dump": !spec.noEnv}
	var driver strings.Builder
	driver.WriteString(rs.prelude)
	for i, changes := range spec.files {
		script, err := Render(rs.sh, changes)
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		file := fmt.Sprintf("rendered%d", i)
		expected[file] = true
		if err := os.WriteFile(filepath.Join(work, file), []byte(script), 0o600); err != nil {
			t.Fatal(err)
		}
		driver.WriteString(rs.loadStmt(file))
	}
	for _, name := range spec.print {
		expected[name+".value"] = true
		driver.WriteString(rs.printStmt(name))
	}
	for _, name := range spec.unset {
		driver.WriteString(rs.assertUnsetStmt(name))
	}
	if !spec.noEnv {
		driver.WriteString(rs.dumpEnvStmt(testBin))
	}
	if err := os.WriteFile(filepath.Join(work, "driver"), []byte(driver.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := testproc.Command(bin, append(slices.Clone(rs.args), "./driver")...)
	cmd.Dir = work
	cmd.Env = append([]string{"HOME=" + home, "PATH=/usr/bin:/bin"}, spec.inherit...)
	if rs.utf8 {
		loc := utf8Locale()
		if loc == "" {
			t.Skip("no UTF-8 locale is installed (locale -a)")
		}
		cmd.Env = append(cmd.Env, "LANG="+loc)
	}
	cmd.Stdin = nil
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := runWithTimeout(cmd, 60*time.Second); err != nil {
		t.Errorf("%s failed: %v", rs.name, err)
	}
	if stdout.Len() > 0 || stderr.Len() > 0 {
		t.Errorf("%s printed output:\nstdout: %s\nstderr: %s", rs.name, truncate(stdout.String()), truncate(stderr.String()))
	}

	entries, err := os.ReadDir(work)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !expected[e.Name()] {
			t.Errorf("%s: unexpected file %q in the working directory: rendered code ran a command", rs.name, e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(work, "PWNED")); err == nil {
		t.Errorf("%s: PWNED exists: a value was executed", rs.name)
	}

	run := shellRun{values: map[string]string{}, env: map[string]string{}}
	for _, name := range spec.print {
		b, err := os.ReadFile(filepath.Join(work, name+".value"))
		if err != nil {
			t.Errorf("%s: %v", rs.name, err)
			continue
		}
		run.values[name] = string(b)
	}
	if spec.noEnv {
		return run
	}
	dump, err := os.ReadFile(filepath.Join(work, "env.dump"))
	if err != nil {
		t.Errorf("%s: no environment dump: %v", rs.name, err)
	}
	for _, kv := range bytes.Split(dump, []byte{0}) {
		if k, v, ok := strings.Cut(string(kv), "="); ok {
			run.env[k] = v
		}
	}
	return run
}

// utf8Locale returns an installed UTF-8 locale, preferring C.UTF-8, or "".
var utf8Locale = sync.OnceValue(func() string {
	out, err := exec.Command("locale", "-a").Output()
	if err != nil {
		return ""
	}
	found := ""
	for _, loc := range strings.Fields(string(out)) {
		switch strings.ToLower(loc) {
		case "c.utf8", "c.utf-8":
			return loc
		case "en_us.utf8", "en_us.utf-8":
			found = loc
		}
	}
	return found
})

func runWithTimeout(cmd *exec.Cmd, d time.Duration) error {
	if err := testproc.Start(cmd); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("timed out after %v", d)
	}
}

// TestRealShells sets every hostile value at once, as separate variables in
// one rendered script (mixed with removals), in every installed shell, and
// reads each back byte for byte both from the shell and from a child's
// environment.
func TestRealShells(t *testing.T) {
	for _, rs := range realShells() {
		t.Run(rs.name, func(t *testing.T) {
			t.Parallel()
			var changes []Change
			var names []string
			want := map[string]string{}
			for i, v := range hostile {
				name := fmt.Sprintf("V%03d", i)
				changes = append(changes, Change{Name: name, Value: v.value})
				names = append(names, name)
				want[name] = v.value
			}
			changes = append(changes,
				Change{Name: "AWSENV_INHERITED", Unset: true},
				Change{Name: "AWSENV_NEVER_SET", Unset: true})
			run := runDriver(t, rs, driverSpec{
				files:   [][]Change{changes},
				print:   names,
				unset:   []string{"AWSENV_INHERITED", "AWSENV_NEVER_SET"},
				inherit: []string{"AWSENV_INHERITED=1"},
			})
			for i, v := range hostile {
				name := names[i]
				if got, ok := run.values[name]; ok && got != v.value {
					t.Errorf("%s: shell variable = %q, want %q", v.name, truncate(got), truncate(v.value))
				}
				if got, ok := run.env[name]; !ok {
					t.Errorf("%s: not exported", v.name)
				} else if got != v.value {
					t.Errorf("%s: environment value = %q, want %q", v.name, truncate(got), truncate(v.value))
				}
			}
			for _, name := range []string{"AWSENV_INHERITED", "AWSENV_NEVER_SET"} {
				if _, ok := run.env[name]; ok {
					t.Errorf("%s is still in the environment", name)
				}
			}
		})
	}
}

// TestRealShellUnset removes a variable that was set by rendered code, one
// inherited from the environment, and one that was never set (twice), each
// from its own script, so each Unset statement is the last command of what
// the shell evaluates: all must be silent and succeed.
func TestRealShellUnset(t *testing.T) {
	for _, rs := range realShells() {
		t.Run(rs.name, func(t *testing.T) {
			t.Parallel()
			names := []string{"AWSENV_SET", "AWSENV_INHERITED", "AWSENV_NEVER_SET"}
			files := [][]Change{{{Name: "AWSENV_SET", Value: "x"}}}
			for _, n := range names {
				files = append(files, []Change{{Name: n, Unset: true}})
			}
			files = append(files, []Change{{Name: "AWSENV_NEVER_SET", Unset: true}})
			run := runDriver(t, rs, driverSpec{files: files, unset: names, inherit: []string{"AWSENV_INHERITED=1"}})
			for _, n := range names {
				if _, ok := run.env[n]; ok {
					t.Errorf("%s is still in the environment", n)
				}
			}
		})
	}
}

// seedShells runs one value, alone, through dash (or fish); the fuzz tests
// call it for their seed corpus only (see realShellsForSeeds).
// TestRealShells already runs every seed through every shell variant, all
// in one script and also checking the exported environment; this isolates
// each value, at the cost of one process (the script is sourced from a file
// rather than through cat).
func seedShells(t *testing.T, fishShell bool, value string) {
	t.Helper()
	for _, rs := range realShells() {
		switch {
		case fishShell && rs.name == "fish-N-file":
		case !fishShell && rs.name == "dash-dot":
		default:
			continue
		}
		if _, err := exec.LookPath(rs.bin); err != nil {
			continue // TestRealShells reports missing shells
		}
		t.Run(rs.name, func(t *testing.T) {
			run := runDriver(t, rs, driverSpec{files: [][]Change{{{Name: "V", Value: value}}}, print: []string{"V"}, noEnv: true})
			if got := run.values["V"]; got != value {
				t.Errorf("shell variable = %q, want %q", truncate(got), truncate(value))
			}
		})
	}
}

// realShellsForSeeds reports whether fuzz targets should also run real
// shells: only for the seed corpus of a plain `go test`, never while fuzzing
// (far too slow) or with -short.
func realShellsForSeeds() bool {
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		return false
	}
	return !testing.Short() && runtime.GOOS != "windows"
}

// TestShellcheck runs shellcheck, when installed, over every hostile value
// rendered for POSIX shells. It must find no errors or warnings other than
// SC1112 (a typographic quote character in the text; these are inside
// single quotes on purpose, as data).
func TestShellcheck(t *testing.T) {
	bin, err := exec.LookPath("shellcheck")
	if err != nil || runtime.GOOS == "windows" {
		t.Skip("shellcheck is not installed")
	}
	var changes []Change
	for i, v := range hostile {
		if len(v.value) > 1024 {
			continue // shellcheck takes minutes over the 100 kB values
		}
		changes = append(changes, Change{Name: fmt.Sprintf("V%03d", i), Value: v.value})
	}
	changes = append(changes, Change{Name: "GONE", Unset: true})
	sh, _ := Lookup("sh")
	script, err := Render(sh, changes)
	if err != nil {
		t.Fatal(err)
	}
	for _, dialect := range []string{"sh", "bash"} {
		cmd := testproc.Command(bin, "--shell="+dialect, "--severity=warning", "--exclude=SC1112", "--format=gcc", "-")
		cmd.Stdin = strings.NewReader(script)
		out, err := cmd.CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("shellcheck --shell=%s: %v\n%s", dialect, err, truncate(string(out)))
		}
	}
}

// TestZshCshJunkieQuotes: with zsh's rare CSH_JUNKIE_QUOTES option a newline
// inside quotes is a syntax error, so values with newlines cannot be set.
// The whole eval must then fail before running anything.
func TestZshCshJunkieQuotes(t *testing.T) {
	rs := realShell{name: "zsh-csh-junkie-quotes", bin: "zsh", required: true}
	bin := lookShell(t, rs)
	sh, _ := Lookup("zsh")
	script, err := Render(sh, []Change{
		{Name: "A", Value: "first"},
		{Name: "B", Value: "x'\ntouch PWNED\n'"},
		{Name: "C", Value: "x\ntouch PWNED\n"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rendered"), []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := testproc.Command(bin, "-f", "-c", `setopt csh_junkie_quotes; eval "$(cat ./rendered)"; echo "A=${A-unset}"`)
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "PATH=/usr/bin:/bin"}
	out, _ := cmd.Output()
	if string(out) != "A=unset\n" {
		t.Errorf("got %q, want the eval to fail as a whole (A=unset)", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
		t.Error("PWNED exists: a value was executed")
	}
}

// TestRealShellFishUniversal: a universal variable (set -Ux, stored in the
// fish_variables file of the shell's own temporary HOME) is exported to
// every child unless it is erased; a global of the same name shadows it.
// Unset must leave neither in the shell nor in a child's environment, in
// every way fish can load the code.
func TestRealShellFishUniversal(t *testing.T) {
	for _, rs := range realShells() {
		if !rs.fish {
			continue
		}
		t.Run(rs.name, func(t *testing.T) {
			t.Parallel()
			rs.prelude += "set -Ux AWSENV_UNIVERSAL u\nset -Ux AWSENV_BOTH u\nset -gx AWSENV_BOTH g\n" +
				"set -U AWSENV_UNEXPORTED u\n"
			names := []string{"AWSENV_UNIVERSAL", "AWSENV_BOTH", "AWSENV_UNEXPORTED"}
			var changes []Change
			for _, n := range names {
				changes = append(changes, Change{Name: n, Unset: true})
			}
			run := runDriver(t, rs, driverSpec{files: [][]Change{changes, changes}, unset: names})
			for _, n := range names {
				if v, ok := run.env[n]; ok {
					t.Errorf("%s=%s is still in a child's environment", n, v)
				}
			}
		})
	}
}
