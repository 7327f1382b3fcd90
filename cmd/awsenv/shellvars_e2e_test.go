//go:build unix

package main

// End-to-end tests of the variables hooks and awsenv_env_* may export
// (issue 16, rows 1, 7 and 9), in real shells: a name that runs code at the
// next prompt or that a shell treats as its own is refused before anything
// is printed, and in fish a hook variable never touches the user's own
// universal variables.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// ptyShell is an interactive shell on a pseudo-terminal, typed into as a
// person would: it draws its prompts (and expands them) between commands.
type ptyShell struct {
	t      *testing.T
	ptmx   *os.File
	screen *testproc.Buffer
	seen   int // how far waitFor has read the screen
}

func (w *world) startPtyShell(t *testing.T, bin string, args ...string) *ptyShell {
	t.Helper()
	path := requireTool(t, bin)
	ptmx, tty, err := pty.Open()
	must(t, err)
	must(t, pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 200}))
	cmd := testproc.Command(path, args...)
	cmd.Env = w.env("TERM=xterm")
	cmd.Dir = w.dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr.Setsid, cmd.SysProcAttr.Setctty, cmd.SysProcAttr.Ctty = true, true, 0
	must(t, testproc.Start(cmd))
	tty.Close()
	s := &ptyShell{t: t, ptmx: ptmx, screen: &testproc.Buffer{}}
	done := make(chan struct{})
	go func() {
		io.Copy(s.screen, ptmx)
		close(done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		ptmx.Close()
		<-done
	})
	return s
}

// run types line and waits for the text a computed marker ($((6*7)) in
// the line, never echoed as 42) makes the shell print, returning what it
// printed after it up to the end of that line.
func (s *ptyShell) run(line string, want *regexp.Regexp) []string {
	s.t.Helper()
	if _, err := io.WriteString(s.ptmx, line+"\r"); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		text := s.screen.String()[s.seen:]
		if loc := want.FindStringSubmatchIndex(text); loc != nil {
			s.seen += loc[1]
			var out []string
			for i := 0; i < len(loc); i += 2 {
				out = append(out, text[loc[i]:loc[i+1]])
			}
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("the shell never printed %s after %q; the screen:\n%q", want, line, s.screen.String())
	return nil
}

// Row 1: zsh with prompt_subst (as shell/init/README.md recommends) in an
// interactive terminal. A config holding awsenv_env_PROMPT_EOL_MARK =
// $(touch MARKER) made `use` exit 0 and zsh ran the command at the next
// prompt. Now awsenv refuses every name of the prompt, editor, command,
// flags and history families (exit 3, a configuration error, nothing on
// stdout) and no marker is ever made; the same shell, given the variable
// by hand, does run it (the test can see a prompt run code).
func TestPromptVariablesRefusedInInteractiveZsh(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	must(t, os.WriteFile(filepath.Join(w.home, ".zshrc"), []byte("setopt prompt_subst\nPS1='%% '\n"), 0o600))
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	zsh := w.startPtyShell(t, "zsh", "-i")
	names := []string{"PROMPT_EOL_MARK", "RPROMPT2", "PROMPT", "PS1", "SPROMPT", "TMPPREFIX", "KUBE_EDITOR",
		"FZF_DEFAULT_COMMAND", "CONFIG_SHELL", "RUSTFLAGS", "CGO_LDFLAGS", "HISTORY_IGNORE", "WATCHFMT"}
	result := regexp.MustCompile(`42 rc=(\d+) out=(\d+) profile=(\w*)\r?\n`)
	for i, name := range names {
		w.writeConfig(strings.Replace(string(cfg), "[profile alice]\n",
			fmt.Sprintf("[profile alice]\nawsenv_env_%s = $(touch %s/MARKER%d)\n", name, w.dir, i), 1))
		got := zsh.run(`out=$(awsenv use alice --shell zsh 2>/dev/null); rc=$?; eval "$out"; `+
			`print -r -- "$((6*7)) rc=$rc out=${#out} profile=$AWSENV_PROFILE"`, result)
		if got[1] != fmt.Sprint(exitConfig) || got[2] != "0" || got[3] != "" {
			t.Errorf("awsenv_env_%s: exit %s, %s bytes on stdout, AWSENV_PROFILE=%q; want exit %d and nothing",
				name, got[1], got[2], got[3], exitConfig)
		}
		// Two more prompts are drawn (and expanded) before the next check.
		zsh.run(`print -r -- "$((6*7))"`, regexp.MustCompile(`42\r?\n`))
	}
	for i, name := range names {
		if _, err := os.Stat(filepath.Join(w.dir, fmt.Sprintf("MARKER%d", i))); err == nil {
			t.Errorf("awsenv_env_%s ran its value in zsh", name)
		}
	}
	// The control: the same shell runs $(...) in PROMPT_EOL_MARK.
	zsh.run(`PROMPT_EOL_MARK='$(touch `+w.dir+`/CONTROL)'; print -r -- "$((6*7))"`, regexp.MustCompile(`42\r?\n`))
	zsh.run(`print -r -- "$((6*7))"`, regexp.MustCompile(`42\r?\n`))
	if _, err := os.Stat(filepath.Join(w.dir, "CONTROL")); err != nil {
		t.Fatalf("the control did not run in zsh's prompt, so the test proves nothing: %v\n%q", err, zsh.screen.String())
	}
}

// Row 7: names a shell treats as its own. A hook variable ARGC made zsh
// abort the eval halfway (the old keys stayed, AWS_PROFILE was gone);
// TMOUT=2 closed bash and zsh; UID, PPID, status and _ gave errors. Now
// awsenv refuses them before any output: a hook plugin's name exits 7, an
// awsenv_env_ key exits 3, stdout is empty, and the shell, which evaluates
// nothing, keeps its credentials and carries on.
func TestShellSpecialNamesRefusedBeforeOutput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.installHookPlugin(t, "kube")
	if r := w.run("use", "prod", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	names := []string{"ARGC", "argv", "UID", "EUID", "TMOUT", "PPID", "status", "pipestatus", "_", "SECONDS",
		"LINENO", "RANDOM", "umask", "history", "PWD", "SHLVL", "BASHPID", "USERNAME", "KEYBOARD_HACK"}
	scripts := map[string]string{
		"bash": `export AWS_ACCESS_KEY_ID=OLDKEY AWSENV_PROFILE=old; out=$(awsenv use prod --shell bash); rc=$?; eval "$out"
printf 'rc=%s out=%s key=%s profile=%s alive\n' "$rc" "${#out}" "$AWS_ACCESS_KEY_ID" "$AWSENV_PROFILE"`,
		"zsh": `export AWS_ACCESS_KEY_ID=OLDKEY AWSENV_PROFILE=old; out=$(awsenv use prod --shell zsh); rc=$?; eval "$out"
printf 'rc=%s out=%s key=%s profile=%s alive\n' "$rc" "${#out}" "$AWS_ACCESS_KEY_ID" "$AWSENV_PROFILE"`,
		"fish": `set -gx AWS_ACCESS_KEY_ID OLDKEY; set -gx AWSENV_PROFILE old
set -l out (awsenv use prod --shell fish); set -l rc $status; string join \n -- $out | source
printf 'rc=%s out=%s key=%s profile=%s alive\n' $rc (count $out) "$AWS_ACCESS_KEY_ID" "$AWSENV_PROFILE"`,
	}
	want := fmt.Sprintf("rc=%d out=0 key=OLDKEY profile=old alive\n", exitPlugin)
	for _, name := range names {
		vars := w.writeVars(t, [][2]string{{"KUBE_CONTEXT", "prod"}, {name, "2"}})
		w.writeConfig(strings.Replace(string(cfg), "[profile prod]\n",
			"[profile prod]\nawsenv_hooks = kube\nawsenv_hook_kube_vars = "+vars+"\n", 1))
		for _, sh := range []string{"bash", "zsh", "fish"} {
			r := w.shell(sh, scripts[sh])
			if r.code != 0 || r.stdout != want || !strings.Contains(r.stderr, "hook kube") || !strings.Contains(r.stderr, name+" may not be set by hooks") {
				t.Errorf("hook setting %s, in %s: want %q and the refusal on stderr; got %s", name, sh, want, r)
			}
		}
		w.writeConfig(strings.Replace(string(cfg), "[profile prod]\n", "[profile prod]\nawsenv_env_"+name+" = 2\n", 1))
		if r := w.run("use", "prod"); r.code != exitConfig || r.stdout != "" || !strings.Contains(r.stderr, "awsenv_env_"+name) {
			t.Errorf("awsenv_env_%s: %s", name, r)
		}
	}
	w.nothingLeft(t, "shell-special names")
}

// Row 9: the user's own fish universal variables. `set -Ux KUBECONFIG
// /user/kube` holds for every fish session; a profile whose hook sets
// KUBECONFIG shadows it with a global while in use, and `use` of another
// profile and `unset` erase only that global: the universal is in view
// again and still in fish_variables for a fresh fish (in the test's own
// XDG_CONFIG_HOME). awsenv's own credential variables are different (the
// decision kept from before): a stale universal AWS_ACCESS_KEY_ID is
// erased by `unset`, so that no key is left in view after it.
func TestFishUniversalsOfTheUserSurvive(t *testing.T) {
	t.Parallel()
	requireTool(t, "fish")
	w := newWorld(t)
	w.installHookPlugin(t, "kube")
	vars := w.writeVars(t, [][2]string{{"KUBECONFIG", "/prod/kube"}, {"TF_WORKSPACE", "prod"}})
	w.addToConfig(t, "prod", "awsenv_hooks = kube\nawsenv_hook_kube_vars = "+vars+"\nawsenv_hook_kube_preuse = unimplemented\n")
	w.addToConfig(t, "long", "awsenv_env_TF_WORKSPACE = long\n")
	if r := w.run("use", "prod", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	if r := w.run("use", "long", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("first use of long: %s", r)
	}
	if r := w.shell("fish", "set -Ux KUBECONFIG /user/kube; set -Ux TF_WORKSPACE mine; set -Ux AWS_ACCESS_KEY_ID AKIASTALEUNIVERSAL"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("set the universals: %s", r)
	}
	show := `printf '%s: %s %s %s\n' $argv[1] "$KUBECONFIG" "$TF_WORKSPACE" "$AWS_ACCESS_KEY_ID"`
	r := w.shell("fish", `function show; `+show+`; end
awsenv use prod --shell fish | source; or exit 9
show use-prod
awsenv use long --shell fish | source; or exit 9
show use-long
awsenv use prod --shell fish | source; or exit 9
awsenv unset --shell fish | source; or exit 9
show unset
env | string match -r '^(?:KUBECONFIG|TF_WORKSPACE|AWS_ACCESS_KEY_ID)=.*' | sort`)
	lines := strings.Split(r.stdout, "\n")
	key := regexp.MustCompile(`^(use-prod|use-long): (/prod/kube prod|/user/kube long) ASIA[A-Z0-9]+$`)
	if r.code != 0 || len(lines) != 6 || !key.MatchString(lines[0]) || !strings.HasPrefix(lines[0], "use-prod: /prod/kube prod ") ||
		!key.MatchString(lines[1]) || !strings.HasPrefix(lines[1], "use-long: /user/kube long ") ||
		lines[2] != "unset: /user/kube mine " || lines[3] != "KUBECONFIG=/user/kube" || lines[4] != "TF_WORKSPACE=mine" ||
		strings.Contains(r.stderr, "set:") {
		t.Fatalf("in fish: %s", r)
	}
	r = w.shell("fish", "set -U | string match -r '^(?:KUBECONFIG|TF_WORKSPACE|AWS_ACCESS_KEY_ID) .*' | sort")
	if want := "KUBECONFIG /user/kube\nTF_WORKSPACE mine\n"; r.code != 0 || r.stdout != want {
		t.Fatalf("a fresh fish's universals: want\n%s%s", want, r)
	}
	data, err := os.ReadFile(filepath.Join(w.dir, "config", "fish", "fish_variables"))
	if err != nil || !strings.Contains(string(data), "KUBECONFIG:/user/kube") {
		t.Fatalf("fish_variables in the test's XDG_CONFIG_HOME: %v\n%s", err, data)
	}
}

// doctor goes through the same list as use: names only the new families
// and the shells' own names refuse fail its hooks check.
func TestDoctorRefusesShellAndPromptNames(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	for _, name := range []string{"PROMPT_EOL_MARK", "ARGC", "KUBE_EDITOR", "TMOUT"} {
		w.writeConfig(strings.Replace(string(cfg), "[profile prod]\n", "[profile prod]\nawsenv_env_"+name+" = 1\n", 1))
		rep, _ := w.doctor([]string{"AWSENV_SHELL_HOOK=bash"}, "prod")
		found := false
		for _, c := range rep.Checks {
			if c.Name == "hooks" {
				found = c.Status == "fail" && strings.Contains(c.Detail, "awsenv_env_"+name) &&
					strings.Contains(c.Detail, name+" may not be set by hooks")
			}
		}
		if !found {
			t.Errorf("awsenv_env_%s: no failing hooks check in %+v", name, rep.Checks)
		}
	}
}
