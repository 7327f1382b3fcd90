//go:build unix

package main

// Hook and credential-source plugins as real processes: the test plugin
// cmd/awsenv/testdata/hookplugin, installed as awsenv-plugin-NAME, run by
// the real awsenv through the real awsenv-helper.

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// hookPluginBin is cmd/awsenv/testdata/hookplugin, built once per test
// binary.
var hookPluginBin = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "hookplugin")
	build := testproc.Command("go", "build", "-o", bin, "github.com/awsenv/awsenv/cmd/awsenv/testdata/hookplugin")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the hook test plugin: %v\n%s", err, out)
	}
	return bin, nil
})

// installHookPlugin installs the test plugin as awsenv-plugin-NAME, mode
// 0755, a file of its own (so that strace names it), and has every start
// of it leave its pid in w.pidDir().
func (w *world) installHookPlugin(t *testing.T, name string) string {
	t.Helper()
	bin, err := hookPluginBin()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(w.dir, "data", "awsenv", "plugins")
	must(t, os.MkdirAll(dir, 0o755))
	dst := filepath.Join(dir, "awsenv-plugin-"+name)
	if err := os.Link(bin, dst); err != nil {
		src, err := os.Open(bin)
		must(t, err)
		defer src.Close()
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
		must(t, err)
		_, err = io.Copy(out, src)
		must(t, err)
		must(t, out.Close())
	}
	must(t, os.Chmod(dst, 0o755))
	must(t, os.MkdirAll(w.pidDir(), 0o700))
	if !strings.Contains(strings.Join(w.extra, "\n"), "TESTPLUGIN_PIDDIR=") {
		w.extra = append(w.extra, "TESTPLUGIN_PIDDIR="+w.pidDir())
	}
	return dst
}

func (w *world) pidDir() string { return filepath.Join(w.dir, "plugin-pids") }

// pluginPIDs are the process ids of every start of a test plugin so far.
func (w *world) pluginPIDs(t *testing.T) []int {
	t.Helper()
	entries, err := os.ReadDir(w.pidDir())
	must(t, err)
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		must(t, err)
		pids = append(pids, pid)
	}
	return pids
}

// nothingLeft fails the test if a plugin process or anything else of the
// world still runs once awsenv has returned.
func (w *world) nothingLeft(t *testing.T, what string) {
	t.Helper()
	for _, pid := range w.pluginPIDs(t) {
		if alive(pid) {
			t.Errorf("%s: plugin process %d still runs", what, pid)
		}
	}
	if left := w.processesOf(); len(left) > 0 {
		t.Errorf("%s: processes left behind: %v", what, left)
	}
}

// writeVars writes the variables a hook's PostUse is to set, for its
// option vars.
func (w *world) writeVars(t *testing.T, vars [][2]string) string {
	t.Helper()
	var list []map[string]string
	for _, v := range vars {
		list = append(list, map[string]string{"name": v[0], "value": v[1]})
	}
	data, err := json.Marshal(list)
	must(t, err)
	f, err := os.CreateTemp(w.dir, "vars-*.json")
	must(t, err)
	_, err = f.Write(data)
	must(t, err)
	must(t, f.Close())
	return f.Name()
}

// A hook whose PreUse refuses: exit 6, its reason on stderr made safe and
// naming the hook, nothing on stdout, no code asked, no AWS call, no
// process left.
func TestHookPluginRefuses(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.installHookPlugin(t, "guard")
	w.addToConfig(t, "prod", "awsenv_hooks = guard\nawsenv_hook_guard_preuse = refuse\n")
	for _, args := range [][]string{{"use", "prod", "--mfa-code", w.code()}, {"exec", "prod", "--", "echo", "ran"}} {
		r := w.run(args...)
		if r.code != exitRefused || r.stdout != "" ||
			!strings.Contains(r.stderr, "hook guard refused the switch to profile prod: production") ||
			!strings.Contains(r.stderr, "needs a change ticket see the wiki") || strings.ContainsAny(r.stderr, "\x1b\x07") {
			t.Fatalf("%v: %s", args, r)
		}
		w.nothingLeft(t, args[0])
	}
	if n := w.fake.Calls("GetSessionToken") + w.fake.Calls("AssumeRole"); n != 0 {
		t.Fatalf("%d STS calls for a refused switch", n)
	}
	if len(w.pluginPIDs(t)) != 2 {
		t.Fatalf("plugin started %d times for two refused switches", len(w.pluginPIDs(t)))
	}
}

// hostileHookValues are values a hook plugin sets; eval'd in each shell
// they must come back byte for byte.
var hostileHookValues = [][2]string{
	{"H_SQUOTE", `it's 'quoted' ''`},
	{"H_DQUOTE", `say "hi" \"there\"`},
	{"H_BACKSLASH", `back\slash\\ \n \t end\`},
	{"H_SUBST", "$(touch pwned) ${HOME} $((1+1)) $HOME"},
	{"H_BACKTICK", "`touch pwned2` `id`"},
	{"H_NEWLINES", "first\nsecond line\n\nfourth"},
	{"H_TRAILING_NL", "ends with a newline\n"},
	{"H_BANG", "!! !$ !-1 ^a^b"},
	{"H_GLOB", "* ? [a-z] ~ ~root {a,b} **/*"},
	{"H_META", "; & | > < # %s %n ( ) \t tab"},
	{"H_UTF8", "naïve ☃ 日本語 \u202erlt emoji 🎉"},
	{"H_DASH", "-n -e --help -"},
	{"H_EMPTY", ""},
	{"h_lower", "lower-case name"},
}

// A hook plugin's variables round-trip through eval in bash, zsh and fish.
func TestHookPluginVariablesRoundTrip(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.installHookPlugin(t, "kube")
	vars := w.writeVars(t, hostileHookValues)
	w.addToConfig(t, "prod", "awsenv_hooks = kube\nawsenv_hook_kube_vars = "+vars+"\nawsenv_hook_kube_preuse = unimplemented\n")
	if r := w.run("use", "prod", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	var names []string
	for _, v := range hostileHookValues {
		names = append(names, v[0])
	}
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			script := "set -e\nout=$(awsenv use prod --shell " + sh + ")\neval \"$out\"\n"
			if sh == "fish" {
				script = "awsenv use prod --shell fish | source; or exit 9\n"
			}
			for _, n := range append(names, "AWSENV_HOOK_VARS") {
				script += "printf '%s\\0' \"$" + n + "\"\n"
			}
			r := w.shell(sh, script)
			if r.code != 0 {
				t.Fatalf("%s", r)
			}
			got := strings.Split(r.stdout, "\x00")
			if len(got) != len(names)+2 {
				t.Fatalf("%d values: %q", len(got)-1, r.stdout)
			}
			for i, v := range hostileHookValues {
				if got[i] != v[1] {
					t.Errorf("%s = %q, want %q", v[0], got[i], v[1])
				}
			}
			if want := strings.Join(sorted, " "); got[len(names)] != want {
				t.Errorf("AWSENV_HOOK_VARS = %q, want %q", got[len(names)], want)
			}
			for _, f := range []string{"pwned", "pwned2"} {
				if _, err := os.Stat(filepath.Join(w.dir, f)); err == nil {
					t.Fatalf("%s ran a value", sh)
				}
			}
		})
	}
}

// A hook that sets a name awsenv refuses: one line naming the hook and the
// variable (not its value), exit 7, nothing on stdout.
func TestHookPluginForbiddenNames(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.installHookPlugin(t, "kube")
	if r := w.run("use", "prod", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	for _, name := range []string{"PATH", "LD_PRELOAD", "AWS_SECRET_ACCESS_KEY", "BASH_ENV"} {
		vars := w.writeVars(t, [][2]string{{"KUBE_CONTEXT", "prod"}, {name, "/tmp/evil-value"}})
		w.writeConfig(strings.Replace(string(cfg), "[profile prod]\n",
			"[profile prod]\nawsenv_hooks = kube\nawsenv_hook_kube_vars = "+vars+"\n", 1))
		r := w.run("use", "prod")
		if r.code != exitPlugin || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") ||
			!strings.Contains(r.stderr, "hook kube") || !strings.Contains(r.stderr, name) || strings.Contains(r.stderr, "evil-value") {
			t.Errorf("%s: %s", name, r)
		}
	}
	w.nothingLeft(t, "forbidden names")
}

// A hook that crashes or hangs, in PreUse or in PostUse: exit 7, a message
// naming it, nothing on stdout, and no process of the run left. The hang
// ends at awsenv_hook_timeout.
func TestHookPluginCrashAndHang(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ call, mode string }{
		{"preuse", "crash"}, {"postuse", "crash"}, {"preuse", "hang"}, {"postuse", "hang"},
	} {
		t.Run(tc.call+"-"+tc.mode, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.installHookPlugin(t, "bad")
			w.addToConfig(t, "prod", fmt.Sprintf("awsenv_hooks = bad\nawsenv_hook_bad_%s = %s\nawsenv_hook_timeout = 1s\n", tc.call, tc.mode))
			r := w.run("use", "prod", "--mfa-code", w.code())
			if r.code != exitPlugin || r.stdout != "" || !strings.Contains(r.stderr, "bad") {
				t.Fatalf("%s", r)
			}
			if tc.mode == "hang" && !strings.Contains(r.stderr, "1s") {
				t.Errorf("the message should say how long awsenv waited: %s", r.stderr)
			}
			if tc.mode == "crash" && strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("a crash's trace reached the terminal: %s", r.stderr)
			}
			want := 1 // PreUse
			if tc.call == "postuse" {
				want = 2 // PreUse, then PostUse
			}
			if n := len(w.pluginPIDs(t)); n != want {
				t.Errorf("plugin started %d times, want %d", n, want)
			}
			t.Logf("stderr: %s", r.stderr)
			w.nothingLeft(t, tc.call+" "+tc.mode)
		})
	}
}

// unset removes the hook's variables even once the plugin is gone, and
// says that its Unset could not be called.
func TestHookPluginUnsetAfterDeletion(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bin := w.installHookPlugin(t, "kube")
	vars := w.writeVars(t, [][2]string{{"KUBE_CONTEXT", "prod"}, {"TF_WORKSPACE", "prod-ws"}})
	w.addToConfig(t, "prod", "awsenv_hooks = kube\nawsenv_hook_kube_vars = "+vars+"\n")
	if r := w.run("use", "prod", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	show := `printf '%s|%s|%s|%s\n' "${KUBE_CONTEXT-unset}" "${TF_WORKSPACE-unset}" "${AWSENV_HOOK_VARS-unset}" "${AWSENV_PROFILE-unset}"` + "\n"
	script := "set -e\neval \"$(awsenv use prod)\"\n" + show + "rm " + bin + "\n" +
		"eval \"$(awsenv unset --shell bash)\"\n" + show
	r := w.shell("bash", script)
	want := "prod|prod-ws|KUBE_CONTEXT TF_WORKSPACE|prod\nunset|unset|unset|unset\n"
	if r.code != 0 || r.stdout != want || !strings.Contains(r.stderr, "hook kube: Unset failed") {
		t.Fatalf("want\n%s%s", want, r)
	}
	// With the plugin there, unset tells it.
	w.installHookPlugin(t, "kube")
	r = w.runEnv([]string{"AWSENV_PROFILE=prod", "AWSENV_HOOK_VARS=KUBE_CONTEXT TF_WORKSPACE"}, "unset", "--shell", "bash")
	if r.code != 0 || !strings.Contains(r.stdout, "unset -v KUBE_CONTEXT") || !strings.Contains(r.stderr, "awsenv: kube: bye prod") {
		t.Fatalf("unset with the plugin: %s", r)
	}
	w.nothingLeft(t, "unset")
}

// On the cached path, counted with strace: a hook that serves no PreUse
// and answers PostUse cacheably starts nothing (the same as no hooks); a
// non-cacheable one starts one helper and the plugin once per use; a guard
// (it serves PreUse) is started for PreUse on every use.
func TestHookPluginProcessesOnCachedPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, options string
		want          []string
	}{
		{"cacheable", "awsenv_hook_h_preuse = unimplemented\nawsenv_hook_h_cacheable = true\n", []string{"awsenv"}},
		{"not-cacheable", "awsenv_hook_h_preuse = unimplemented\n", []string{"awsenv", "awsenv-helper-full", "awsenv-plugin-h"}},
		{"guard-cacheable", "awsenv_hook_h_cacheable = true\n", []string{"awsenv", "awsenv-helper-full", "awsenv-plugin-h"}},
		{"guard-not-cacheable", "", []string{"awsenv", "awsenv-helper-full", "awsenv-plugin-h", "awsenv-plugin-h"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.installHookPlugin(t, "h")
			w.addToConfig(t, "prod", "awsenv_hooks = h\n"+tc.options)
			if r := w.run("use", "prod", "--mfa-code", w.code()); r.code != 0 || !strings.Contains(r.stdout, "HOOK_RAN='prod'") {
				t.Fatalf("first use: %s", r)
			}
			for i := 2; i <= 3; i++ {
				progs, r := w.execs("use", "prod")
				if r.code != 0 || !strings.Contains(r.stdout, "HOOK_RAN='prod'") || strings.Join(progs, " ") != strings.Join(tc.want, " ") {
					t.Fatalf("cached use %d ran %v, want %v: %s", i, progs, tc.want, r)
				}
			}
		})
	}
}

// snapshot is every file under dir with its contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	must(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel] = info.Mode().String()
		if d.Type().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out[rel] += " " + string(data)
		}
		return nil
	}))
	return out
}

// grepTree returns the files under dirs whose contents hold s.
func grepTree(t *testing.T, s string, dirs ...string) []string {
	t.Helper()
	var hits []string
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			if data, err := os.ReadFile(path); err == nil && strings.Contains(string(data), s) {
				hits = append(hits, path)
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return hits
}

// sourceWorld is a world whose alice keeps no keys in ~/.aws: the
// credential source plugin "vault" hands them out.
func sourceWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	w.installHookPlugin(t, "vault")
	w.writeCredentials("# keys come from the vault\n")
	w.writeConfig(fmt.Sprintf(`[profile alice]
region = eu-west-1
mfa_serial = %s
awsenv_credential_source = vault

[profile prod]
role_arn = %s
source_profile = alice
region = us-west-2
`, serial, roleARN))
	return w
}

// checkNoSecretWritten checks that ~/.aws is as it was and that the
// long-term secret is in no file of the world but the plugin's own binary.
func (w *world) checkNoSecretWritten(t *testing.T, before map[string]string) {
	t.Helper()
	if after := snapshot(t, filepath.Join(w.home, ".aws")); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("~/.aws changed:\nbefore %v\nafter  %v", before, after)
	}
	if hits := grepTree(t, userSecret, w.home, filepath.Join(w.dir, "state"), filepath.Join(w.dir, "config"),
		filepath.Join(w.dir, "run")); len(hits) > 0 {
		t.Errorf("the long-term secret was written to %v", hits)
	}
	if entries, err := os.ReadDir(w.sessionDir()); err != nil || len(entries) == 0 {
		t.Errorf("no session cached: %v", err)
	}
}

// A credential source's long-term keys go through GetSessionToken with MFA
// against moto_server; nothing is written to ~/.aws, the long-term secret
// nowhere, and the cached path does not ask the source again.
func TestCredentialSourceWithMoto(t *testing.T) {
	t.Parallel()
	requireTool(t, "moto_server")
	w := sourceWorld(t)
	w.extra = append(w.extra, "AWS_ENDPOINT_URL="+startMoto(t))
	before := snapshot(t, filepath.Join(w.home, ".aws"))
	r := w.run("use", "alice", "--mfa-code", "123456")
	// moto's GetSessionToken always answers with its example session.
	if r.code != 0 || !strings.Contains(r.stdout, "AWS_ACCESS_KEY_ID='AKIAIOSFODNN7EXAMPLE'") ||
		!strings.Contains(r.stdout, "AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY'") ||
		!strings.Contains(r.stdout, "AWS_SESSION_TOKEN=") || strings.Contains(r.stdout+r.stderr, userSecret) {
		t.Fatalf("use alice: %s", r)
	}
	progs, r := w.execs("use", "alice")
	if r.code != 0 || strings.Join(progs, " ") != "awsenv" {
		t.Fatalf("cached use alice ran %v: %s", progs, r)
	}
	if n := len(w.pluginPIDs(t)); n != 1 {
		t.Errorf("credential source started %d times, want once", n)
	}
	w.checkNoSecretWritten(t, before)
	w.nothingLeft(t, "credential source")
}

// The same against the in-repo double, which checks signatures and codes:
// GetSessionToken is signed with the source's key and carries the MFA
// serial (the role requires MFA, and the double checks the code against
// that device), then the role is assumed with the session.
func TestCredentialSourceWithDouble(t *testing.T) {
	t.Parallel()
	w := sourceWorld(t)
	before := snapshot(t, filepath.Join(w.home, ".aws"))
	r := w.run("use", "prod", "--mfa-code", w.code())
	if r.code != 0 || !strings.Contains(r.stdout, "AWS_ACCESS_KEY_ID='ASIA") || strings.Contains(r.stdout+r.stderr, userSecret) {
		t.Fatalf("use prod: %s", r)
	}
	if g, a := w.fake.Calls("GetSessionToken"), w.fake.Calls("AssumeRole"); g != 1 || a != 1 {
		t.Fatalf("STS calls: %d GetSessionToken, %d AssumeRole", g, a)
	}
	keys := w.alice().Keys()
	if len(keys) != 1 || keys[0].ID != userKeyID || keys[0].LastUsed.IsZero() || keys[0].LastService != "sts" {
		t.Fatalf("the source's key was not what signed GetSessionToken: %+v", keys)
	}
	// A serial the double does not know is refused: the serial is sent.
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	w.writeConfig(strings.Replace(string(cfg), serial, "arn:aws:iam::123456789012:mfa/mallory", 1))
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != exitAWS || r.stdout != "" {
		t.Fatalf("unknown serial: %s", r)
	}
	w.writeConfig(string(cfg))
	w.checkNoSecretWritten(t, before)
	w.nothingLeft(t, "credential source")
}

// doctor starts the credential source of a profile whose keys come from
// one (a real plugin process) and skips the checks that read a key file.
func TestDoctorCredentialSource(t *testing.T) {
	t.Parallel()
	w := sourceWorld(t)
	rep, r := w.doctor([]string{"AWSENV_SHELL_HOOK=bash"}, "prod")
	got := statuses(rep)
	if got["credential-source"] != "pass" || got["key"] != "skip" || got["identity"] != "skip" || !rep.OK {
		t.Fatalf("doctor on a source-based profile: %v\n%s", got, r)
	}
	if strings.Contains(r.stdout+r.stderr, userSecret) {
		t.Fatal("doctor printed the source's secret")
	}
	w.nothingLeft(t, "doctor")
}
