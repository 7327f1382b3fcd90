//go:build unix

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileEnv are awsenv_env_* values a shell must take as data. The INI
// reader strips spaces around a value and joins continuation lines with a
// newline, so a newline is written as one.
var hostileEnv = []struct{ name, ini, want string }{
	{"H_QUOTES", `it's "quoted" \'' \`, `it's "quoted" \'' \`},
	{"H_SUBST", "$(touch pwned) `touch pwned2` ${HOME} $((1+1))", "$(touch pwned) `touch pwned2` ${HOME} $((1+1))"},
	{"H_BANG", "!! !$ * ? [a] ~ %s {a,b} ; # & | > <", "!! !$ * ? [a] ~ %s {a,b} ; # & | > <"},
	{"H_UTF8", "naïve ☃ ‮rtl", "naïve ☃ ‮rtl"},
	{"H_DASH", "-n -e --help", "-n -e --help"},
	{"H_LINES", "first\n  second line\n  third", "first\nsecond line\nthird"},
	{"h_lower", `back\slash\\ end`, `back\slash\\ end`},
}

func (w *world) addToConfig(t *testing.T, profile, lines string) {
	t.Helper()
	path := filepath.Join(w.home, ".aws", "config")
	cfg, err := os.ReadFile(path)
	must(t, err)
	head := "[profile " + profile + "]\n"
	if !strings.Contains(string(cfg), head) {
		t.Fatalf("no %s in the config", head)
	}
	w.writeConfig(strings.Replace(string(cfg), head, head+lines, 1))
}

// awsenv_env_* values round-trip through eval in bash, zsh and fish.
func TestEnvHooksRoundTripInShells(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var b strings.Builder
	for _, h := range hostileEnv {
		fmt.Fprintf(&b, "awsenv_env_%s = %s\n", h.name, h.ini)
	}
	w.addToConfig(t, "alice", b.String())
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	var names []string
	for _, h := range hostileEnv {
		names = append(names, h.name)
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			var script string
			switch sh {
			case "fish":
				script = "awsenv use alice --shell fish | source; or exit 9\n"
				for _, n := range names {
					script += "printf '%s\\0' \"$" + n + "\"\n"
				}
				script += "printf '%s\\0' \"$AWSENV_HOOK_VARS\"\n"
			default:
				script = "set -e\nout=$(awsenv use alice --shell " + sh + ")\neval \"$out\"\n"
				for _, n := range names {
					script += "printf '%s\\0' \"$" + n + "\"\n"
				}
				script += "printf '%s\\0' \"$AWSENV_HOOK_VARS\"\n"
			}
			r := w.shell(sh, script)
			if r.code != 0 {
				t.Fatalf("%s: %s", sh, r)
			}
			got := strings.Split(r.stdout, "\x00")
			for i, h := range hostileEnv {
				if got[i] != h.want {
					t.Errorf("%s: %s = %q, want %q", sh, h.name, got[i], h.want)
				}
			}
			if want := "H_BANG H_DASH H_LINES H_QUOTES H_SUBST H_UTF8 h_lower"; got[len(hostileEnv)] != want {
				t.Errorf("%s: AWSENV_HOOK_VARS = %q, want %q", sh, got[len(hostileEnv)], want)
			}
			if _, err := os.Stat(filepath.Join(w.dir, "pwned")); err == nil {
				t.Fatalf("%s ran a value", sh)
			}
		})
	}
}

// A forbidden name is refused before anything is exported.
func TestEnvHooksForbiddenNames(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	for _, name := range []string{"LD_PRELOAD", "PATH", "path", "BASH_ENV", "PROMPT_COMMAND", "AWS_PROFILE", "AWSENV_HOOK_VARS", "GIT_SSH_COMMAND", "fish_user_paths"} {
		w.writeConfig(fmt.Sprintf("[profile alice]\nregion = eu-west-1\nmfa_serial = %s\nawsenv_env_%s = /tmp/evil\n", serial, name))
		r := w.run("use", "alice")
		if r.code != exitConfig || r.stdout != "" || !strings.Contains(r.stderr, "awsenv_env_"+name) ||
			strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("awsenv_env_%s: %s", name, r)
		}
	}
}

// unset removes what use set; switching profiles removes what the new one
// does not set.
func TestEnvHooksUnsetAndSwitch(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// Both roles rest on alice, whose variables they would inherit: the
	// roles' own are what differ.
	w.addToConfig(t, "long", "awsenv_env_ONLY_LONG = a\nawsenv_env_SHARED = from-long\n")
	w.addToConfig(t, "prod", "awsenv_env_SHARED = from-prod\n")
	w.addToConfig(t, "alice", "awsenv_env_BASE = alice\n")
	if r := w.run("use", "prod", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	if r := w.run("use", "long", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			var script string
			show := `printf '%s|%s|%s|%s|%s\n' "$ONLY_LONG" "$SHARED" "$BASE" "$AWSENV_HOOK_VARS" "$AWSENV_PROFILE"` + "\n"
			if sh == "fish" {
				script = "awsenv use long --shell fish | source\n" + show + "awsenv use prod --shell fish | source\n" + show +
					"awsenv unset --shell fish | source\n" + show + "if set -q ONLY_LONG; or set -q SHARED; or set -q BASE; or set -q AWSENV_HOOK_VARS; echo still-set; end\n"
			} else {
				script = "set -e\neval \"$(awsenv use long --shell " + sh + ")\"\n" + show +
					"eval \"$(awsenv use prod --shell " + sh + ")\"\n" + show +
					"eval \"$(awsenv unset --shell " + sh + ")\"\n" + show +
					"if [ -n \"${ONLY_LONG+x}${SHARED+x}${BASE+x}${AWSENV_HOOK_VARS+x}\" ]; then echo still-set; fi\n"
			}
			r := w.shell(sh, script)
			want := "a|from-long|alice|BASE ONLY_LONG SHARED|long\n|from-prod|alice|BASE SHARED|prod\n||||\n"
			if r.code != 0 || r.stdout != want {
				t.Fatalf("%s: want\n%s%s", sh, want, r)
			}
		})
	}
	// exec puts them in the child's environment.
	r := w.run("exec", "long", "--", "sh", "-c", `printf '%s %s' "$ONLY_LONG" "$AWSENV_HOOK_VARS"`)
	if r.code != 0 || r.stdout != "a BASE ONLY_LONG SHARED" {
		t.Fatalf("exec: %s", r)
	}
}

// awsenv_confirm asks on the terminal; without one it refuses unless
// --yes; a refusal prints nothing on stdout and makes no AWS call.
func TestConfirm(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.addToConfig(t, "prod", "awsenv_confirm = Yes\n")
	r := w.run("use", "prod", "--mfa-code", w.code())
	if r.code != exitRefused || r.stdout != "" || !strings.Contains(r.stderr, "--yes") || !strings.Contains(r.stderr, "awsenv_confirm") {
		t.Fatalf("no terminal: %s", r)
	}
	if n := w.fake.Calls("GetSessionToken") + w.fake.Calls("AssumeRole"); n != 0 {
		t.Fatalf("%d STS calls before the confirmation", n)
	}
	for _, answer := range []string{"n", "y"} {
		t.Run(answer, func(t *testing.T) {
			o := w.startOnTerminal("use", "prod", "--mfa-code", w.code())
			expect(t, o.screen, "awsenv: switch to profile prod (role "+roleARN+", region us-west-2)? [y/N] ")
			fmt.Fprint(o.ptmx, answer+"\n")
			go io.Copy(io.Discard, o.screen)
			done := make(chan error, 1)
			go func() { done <- o.cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				_ = o.cmd.Process.Kill()
				t.Fatal("use did not finish after the answer")
			}
			if answer == "n" {
				if err == nil || o.cmd.ProcessState.ExitCode() != exitRefused || o.stdout.String() != "" ||
					!strings.Contains(o.stderr.String(), "you did not confirm") {
					t.Fatalf("after no: %v\nstdout %q\nstderr %s", err, o.stdout.String(), o.stderr.String())
				}
				return
			}
			if err != nil || !strings.Contains(o.stdout.String(), "export AWS_ACCESS_KEY_ID=") || strings.Contains(o.stdout.String(), "[y/N]") {
				t.Fatalf("after yes: %v\nstdout %q\nstderr %s", err, o.stdout.String(), o.stderr.String())
			}
		})
	}
	if r := w.run("use", "prod", "--yes"); r.code != 0 || !strings.Contains(r.stdout, "AWS_SESSION_TOKEN") {
		t.Fatalf("--yes: %s", r)
	}
	if r := w.run("exec", "prod", "--", "true"); r.code != exitRefused {
		t.Fatalf("exec without --yes: %s", r)
	}
}

// A profile with only built-ins starts no helper on the cached path; one
// with a plugin hook that is not installed fails cleanly.
func TestBuiltinHooksStartNoHelper(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.addToConfig(t, "prod", "awsenv_confirm = true\nawsenv_env_KUBE_CONTEXT = prod\n")
	if r := w.run("use", "prod", "--yes", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	progs, r := w.execs("use", "prod", "--yes")
	if r.code != 0 || len(progs) != 1 || progs[0] != "awsenv" || !strings.Contains(r.stdout, "KUBE_CONTEXT='prod'") {
		t.Fatalf("cached use prod with built-in hooks ran %v: %s", progs, r)
	}

	w.addToConfig(t, "prod", "awsenv_hooks = kube\n")
	r = w.run("use", "prod", "--yes")
	if r.code != exitPlugin || r.stdout != "" || !strings.Contains(r.stderr, "profile prod: hook kube: no such plugin") ||
		strings.Count(r.stderr, "hook kube") != 1 || strings.Contains(r.stderr, "..") {
		t.Fatalf("a plugin hook that is not installed: %s", r)
	}
	// unset still works, with a note.
	r = w.runEnv([]string{"AWSENV_PROFILE=prod", "AWSENV_HOOK_VARS=KUBE_CONTEXT PATH"}, "unset", "--shell", "bash")
	if r.code != 0 || !strings.Contains(r.stdout, "unset -v KUBE_CONTEXT\n") || strings.Contains(r.stdout, "PATH") ||
		!strings.Contains(r.stderr, "Unset failed") {
		t.Fatalf("unset: %s", r)
	}
}
