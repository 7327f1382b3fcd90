//go:build unix

package main

// End-to-end tests of the shell integration (awsenv init): the generated
// scripts are loaded into real bash, zsh and fish and used as a person
// would, with the real awsenv binary behind them.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/shell"
)

// initScript writes the output of `awsenv init sh` to a file and returns
// the command that loads that file in sh.
func (w *world) initScript(t *testing.T, sh string) string {
	t.Helper()
	r := w.run("init", sh)
	if r.code != 0 || r.stderr != "" || r.stdout == "" || strings.Contains(r.stdout, "__AWSENV_EXE__") {
		t.Fatalf("awsenv init %s: %s", sh, r)
	}
	return w.loadLine(t, sh, r.stdout)
}

// loadLine saves script to a file and returns the command that loads it.
func (w *world) loadLine(t *testing.T, sh, script string) string {
	t.Helper()
	path := filepath.Join(w.dir, fmt.Sprintf("init-%d.%s", time.Now().UnixNano(), sh))
	must(t, os.WriteFile(path, []byte(script), 0o600))
	q, err := shell.Lookup(sh)
	must(t, err)
	if sh == "fish" {
		return "builtin source " + q.Quote(path)
	}
	return "source " + q.Quote(path)
}

// promptRun simulates what the shell does before showing a prompt.
var promptRun = map[string]string{
	"bash": `eval "$PROMPT_COMMAND"`,
	"zsh":  `for __f in $precmd_functions; do $__f; done`,
	"fish": `__awsenv_hook`, // emit fish_prompt would also run fish's own interactive setup
}

func wantOutput(t *testing.T, what string, r result, stdout, stderr string) {
	t.Helper()
	if r.code != 0 || r.stdout != stdout || r.stderr != stderr {
		t.Fatalf("%s:\n%s\nwant exit 0, stdout:\n%s\nstderr:\n%s", what, r, stdout, stderr)
	}
}

// Loaded under strict settings the scripts print nothing, and loading them
// twice adds each hook once.
func TestInitLoadsQuietlyHooksOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	t.Run("bash", func(t *testing.T) {
		load := w.initScript(t, "bash")
		r := w.shell("bash", `set -euo pipefail
PROMPT_COMMAND='echo user'
`+load+`
`+load+`
printf 'PC=%s\n' "$PROMPT_COMMAND"
complete -p awsenv
PROMPT_COMMAND=('echo user')
`+load+`
`+load+`
declare -p PROMPT_COMMAND
unset PROMPT_COMMAND
`+load+`
`+load+`
printf 'PC=%s\n' "$PROMPT_COMMAND"
`)
		wantOutput(t, "bash", r, `PC=__awsenv_hook;echo user
complete -F __awsenv_complete awsenv
declare -a PROMPT_COMMAND=([0]="__awsenv_hook" [1]="echo user")
PC=__awsenv_hook
`, "")
	})
	t.Run("zsh", func(t *testing.T) {
		load := w.initScript(t, "zsh")
		// Without compinit: compctl. Hostile options must not matter.
		r := w.shell("zsh", `setopt nounset errexit pipefail ksh_arrays sh_word_split rc_quotes
precmd_functions=(user_hook)
`+load+`
`+load+`
unsetopt ksh_arrays
print -r -- "precmd=${(j:,:)precmd_functions}"
compctl -L awsenv
`)
		wantOutput(t, "zsh without compinit", r, "precmd=user_hook,__awsenv_hook\ncompctl -K __awsenv_compctl awsenv\n", "")
		r = w.shell("zsh", `autoload -Uz compinit && compinit -u -D
setopt nounset errexit
`+load+`
`+load+`
print -r -- "precmd=${(j:,:)precmd_functions} comp=$_comps[awsenv]"
`)
		wantOutput(t, "zsh with compinit", r, "precmd=__awsenv_hook comp=__awsenv_complete\n", "")
	})
	t.Run("fish", func(t *testing.T) {
		load := w.initScript(t, "fish")
		r := w.shell("fish", load+`
set -l n1 (complete -c awsenv | count)
`+load+`
set -l n2 (complete -c awsenv | count)
echo handlers=(functions --handlers | string match -e __awsenv_hook | count)
test $n1 -gt 10 -a $n1 -eq $n2; and echo completions defined once
`)
		wantOutput(t, "fish", r, "handlers=1\ncompletions defined once\n", "")
	})
}

// `awsenv use` and `awsenv unset` through the function change the shell; a
// failing use changes nothing and returns awsenv's status; other
// subcommands pass through; help is shown, not evaluated.
func TestInitUseThroughFunction(t *testing.T) {
	t.Parallel()
	const want = `profile=alice key=ASIA region=eu-west-1
bad=3 same=yes
help=0 same=yes
alice
long
prod
after=gone/gone/eu-west-1
`
	// bash and zsh run the same steps; only their strict settings differ.
	posixUseScript := func(code string) string {
		return `awsenv use alice --mfa-code ` + code + `
echo "profile=$AWSENV_PROFILE key=${AWS_ACCESS_KEY_ID:0:4} region=$AWS_REGION"
before=$AWS_ACCESS_KEY_ID
st=0; awsenv use nosuch 2>/dev/null || st=$?
same=no; [[ $AWS_ACCESS_KEY_ID == "$before" && $AWSENV_PROFILE == alice ]] && same=yes
echo "bad=$st same=$same"
st=0; awsenv use --help >/dev/null || st=$?
same=no; [[ $AWS_ACCESS_KEY_ID == "$before" && $AWSENV_PROFILE == alice ]] && same=yes
echo "help=$st same=$same"
awsenv list --names
awsenv unset
echo "after=${AWSENV_PROFILE-gone}/${AWS_SESSION_TOKEN-gone}/$AWS_REGION"
`
	}
	t.Run("bash", func(t *testing.T) {
		w := newWorld(t)
		r := w.shell("bash", `set -euo pipefail
`+w.initScript(t, "bash")+`
`+posixUseScript(w.code()))
		wantOutput(t, "bash", r, want, "")
	})
	t.Run("zsh", func(t *testing.T) {
		w := newWorld(t)
		r := w.shell("zsh", `setopt nounset errexit ksh_arrays sh_word_split
`+w.initScript(t, "zsh")+`
`+posixUseScript(w.code()))
		wantOutput(t, "zsh", r, want, "")
	})
	t.Run("fish", func(t *testing.T) {
		w := newWorld(t)
		r := w.shell("fish", w.initScript(t, "fish")+`
awsenv use alice --mfa-code `+w.code()+`
echo "profile=$AWSENV_PROFILE key="(string sub -l 4 -- $AWS_ACCESS_KEY_ID)" region=$AWS_REGION"
set -l before $AWS_ACCESS_KEY_ID
awsenv use nosuch 2>/dev/null
set -l st $status
set -l same no; test "$AWS_ACCESS_KEY_ID" = "$before" -a "$AWSENV_PROFILE" = alice; and set same yes
echo "bad=$st same=$same"
awsenv use --help >/dev/null
set st $status
set same no; test "$AWS_ACCESS_KEY_ID" = "$before" -a "$AWSENV_PROFILE" = alice; and set same yes
echo "help=$st same=$same"
awsenv list --names
awsenv unset
echo "after="(set -q AWSENV_PROFILE; or echo gone)/(set -q AWS_SESSION_TOKEN; or echo gone)/$AWS_REGION
`)
		// fish applies a function call's redirection to the function's
		// own output, not to command substitutions inside it, so the
		// failing use's message reaches stderr.
		if r.code != 0 || r.stdout != want || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, `"nosuch"`) {
			t.Fatalf("fish: %s\nwant stdout:\n%s", r, want)
		}
	})
}

// The prompt function prints the profile and time left, computed in the
// shell: with PATH empty it still works, and under strace it starts no
// process at all.
func TestInitPromptNoFork(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// Expiries 42m50s and 3h00m50s from now: right for 50 s.
	soon := func() string { return strconv.FormatInt(time.Now().Unix()+42*60+50, 10) }
	later := func() string { return strconv.FormatInt(time.Now().Unix()+3*3600+50, 10) }
	bash, zsh, fish := w.initScript(t, "bash"), w.initScript(t, "zsh"), w.initScript(t, "fish")
	const common = "prod 42m|\nprod 3h05m|\nprod expired|\nprod expired|\nprod 59m|\nprod|\nprod 42m|\n|\n"
	want := map[string]string{
		"bash": common + "status=1 ps1=prod 3h00m|\n",
		"zsh":  common + "status=1 ps1=prod 3h00m|\n",
		"fish": common + "hook ran; prompt=prod 3h00m|\n",
	}
	scripts := func(sh string) string {
		return map[string]string{
			"bash": bash + `
PATH=
p() { AWSENV_EXPIRES_AT=$1; awsenv_prompt; echo "|"; }
export AWSENV_PROFILE=prod AWSENV_NOW=1000000
p 1002550; p 1011100; p 1000000; p 0999999; p 1003599; p garbage
unset AWSENV_NOW
p ` + soon() + `
AWSENV_PROFILE= p ` + soon() + `
AWSENV_AUTO_REFRESH=1 AWSENV_EXPIRES_AT=` + later() + `
false || __awsenv_hook
echo "status=$? ps1=$awsenv_ps1|"
`,
			"zsh": zsh + `
PATH=
p() { AWSENV_EXPIRES_AT=$1; awsenv_prompt; echo "|"; }
export AWSENV_PROFILE=prod AWSENV_NOW=1000000
p 1002550; p 1011100; p 1000000; p 0999999; p 1003599; p garbage
unset AWSENV_NOW
p ` + soon() + `
AWSENV_PROFILE= p ` + soon() + `
AWSENV_AUTO_REFRESH=1 AWSENV_EXPIRES_AT=` + later() + `
false || __awsenv_hook
echo "status=$? ps1=$awsenv_ps1|"
`,
			// The clock check against date(1) happens once per shell; mark it
			// done so that this shell never needs PATH (tested below).
			"fish": fish + `
set -gx PATH
set -g __awsenv_clock proc
function p; set -g AWSENV_EXPIRES_AT $argv; awsenv_prompt; echo "|"; end
set -gx AWSENV_PROFILE prod; set -gx AWSENV_NOW 1000000
p 1002550; p 1011100; p 1000000; p 0999999; p 1003599; p garbage
set -e AWSENV_NOW
p ` + soon() + `
set -gx AWSENV_PROFILE ''; p ` + soon() + `
set -gx AWSENV_PROFILE prod; set -gx AWSENV_AUTO_REFRESH 1; set -g AWSENV_EXPIRES_AT ` + later() + `
__awsenv_hook
and echo "hook ran; prompt="(awsenv_prompt)"|"
`,
		}[sh]
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			r := w.shell(sh, scripts(sh))
			wantOutput(t, sh, r, want[sh], "")
			t.Run("strace", func(t *testing.T) {
				r, starts := w.straceShell(t, sh, scripts(sh))
				wantOutput(t, sh+" under strace", r, want[sh], "")
				if len(starts) != 1 || !strings.Contains(starts[0], "execve(") {
					t.Fatalf("%s: the prompt and the hook started processes (only the shell's own execve is expected):\n%s",
						sh, strings.Join(starts, "\n"))
				}
			})
		})
	}
	// fish has no clock builtin: the first reading checks /proc against
	// date(1), once; later readings fork nothing.
	t.Run("fish clock check once", func(t *testing.T) {
		if _, err := os.Stat("/proc/uptime"); err != nil {
			t.Skip("no /proc/uptime: fish reads the clock with date(1)")
		}
		script := fish + `
set -gx AWSENV_PROFILE prod; set -g AWSENV_EXPIRES_AT ` + soon() + `
for i in 1 2 3 4 5; awsenv_prompt; echo "|"; end
echo $__awsenv_clock
`
		r, starts := w.straceShell(t, "fish", script)
		wantOutput(t, "fish", r, strings.Repeat("prod 42m|\n", 5)+"proc\n", "")
		execs := 0
		for _, s := range starts {
			if strings.Contains(s, "execve(") {
				execs++
			}
		}
		if len(starts) != 3 || execs != 2 {
			t.Fatalf("want fish's execve plus one fork and exec of date, got:\n%s", strings.Join(starts, "\n"))
		}
	})
}

// straceShell runs script in sh under strace and returns the system calls
// that started a process or a program: execve, fork, vfork, and clone
// without CLONE_THREAD (threads are not processes).
func (w *world) straceShell(t *testing.T, sh, script string) (result, []string) {
	t.Helper()
	st := requireTool(t, "strace")
	log := filepath.Join(w.dir, fmt.Sprintf("strace-%d.log", time.Now().UnixNano()))
	cmd := testproc.Command(st, "-f", "-qq", "-e", "trace=process", "-o", log, requireTool(t, sh), "-c", script)
	cmd.Env = w.env()
	cmd.Dir = w.dir
	setNoTTY(cmd)
	r := runCmd(t, cmd)
	if r.code != 0 && strings.Contains(r.stderr, "ptrace") {
		t.Skipf("strace cannot trace here: %s", r.stderr)
	}
	raw, err := os.ReadFile(log)
	must(t, err)
	var starts []string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.Contains(line, "resumed>") {
			continue
		}
		switch {
		case strings.Contains(line, "execve(") || strings.Contains(line, "execveat("),
			strings.Contains(line, " fork(") || strings.Contains(line, " vfork("),
			(strings.Contains(line, " clone(") || strings.Contains(line, " clone3(")) && !strings.Contains(line, "CLONE_THREAD"):
			starts = append(starts, line)
		}
	}
	return r, starts
}

// init writes the absolute path of the running binary into the script,
// quoted: a directory with spaces, quotes and $ works, with awsenv not on
// PATH at all.
func TestInitBinaryPathWithSpacesAndQuotes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	dir := filepath.Join(w.dir, `my bin's "dir" $HOME`)
	must(t, os.MkdirAll(dir, 0o755))
	for _, b := range []string{"awsenv", "awsenv-helper", "awsenv-helper-full"} {
		data, err := os.ReadFile(filepath.Join(binDir, b))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, b), data, 0o755))
	}
	noAwsenvPath := "PATH=/usr/local/bin:/usr/bin:/bin"
	initFrom := func(sh string) string {
		cmd := testproc.Command(filepath.Join(dir, "awsenv"), "init", sh)
		cmd.Env = w.env(noAwsenvPath)
		r := runCmd(t, cmd)
		q, _ := shell.Lookup(sh)
		if r.code != 0 || !strings.Contains(r.stdout, q.Quote(filepath.Join(dir, "awsenv"))) {
			t.Fatalf("init %s from %s: %s", sh, dir, r)
		}
		return r.stdout
	}
	bash := initFrom("bash")
	if p, err := exec.LookPath("shellcheck"); err == nil {
		// At warning level: for a path with $ in it, shellcheck's info
		// SC2016 ("expressions don't expand in single quotes") is exactly
		// what is meant. TestInitScriptsCheck runs it at every level.
		cmd := testproc.Command(p, "--severity=warning", "-")
		cmd.Stdin = strings.NewReader(bash)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("shellcheck on the bash script for %s: %v\n%s", dir, err, out)
		}
	}
	const want = "alice\nalice 11h59m\n"
	r := w.shell("bash", `set -euo pipefail
`+w.loadLine(t, "bash", bash)+`
awsenv use alice --mfa-code `+w.code()+`
echo "$AWSENV_PROFILE"
AWSENV_NOW=$((AWSENV_EXPIRES_AT - 12*3600 + 30)) awsenv_prompt; echo
`, noAwsenvPath)
	wantOutput(t, "bash", r, want, "")
	r = w.shell("zsh", w.loadLine(t, "zsh", initFrom("zsh"))+`
awsenv use alice
echo "$AWSENV_PROFILE"
AWSENV_NOW=$((AWSENV_EXPIRES_AT - 12*3600 + 30)) awsenv_prompt; echo
`, noAwsenvPath)
	wantOutput(t, "zsh", r, want, "")
	r = w.shell("fish", w.loadLine(t, "fish", initFrom("fish"))+`
awsenv use alice
echo "$AWSENV_PROFILE"
set -gx AWSENV_NOW (math $AWSENV_EXPIRES_AT - 12 '*' 3600 + 30)
awsenv_prompt; echo
`, noAwsenvPath)
	wantOutput(t, "fish", r, want, "")
	ps := initFrom("powershell")
	if !strings.Contains(ps, `& '`+dir+`/awsenv' $awsenvSub --shell powershell @awsenvRest`) &&
		!strings.Contains(ps, `& '`+strings.ReplaceAll(dir, "'", "''")+`/awsenv' $awsenvSub --shell powershell @awsenvRest`) {
		t.Fatalf("powershell: the binary's path is not quoted as expected:\n%s", ps)
	}
}

// Aliases (and, in fish, functions) named like the builtins the scripts use
// cannot hijack them.
func TestInitAliasesCannotHijack(t *testing.T) {
	t.Parallel()
	const want = "profile=alice\nprod 42m\nafter=gone\n"
	t.Run("bash", func(t *testing.T) {
		w := newWorld(t)
		r := w.shell("bash", `shopt -s expand_aliases
alias awsenv='echo hijacked' awsenv_prompt='echo hijacked'
alias eval=false command=false builtin=false export=false unset=false printf=false local=false
alias return=false shopt=false compgen=false complete=false unalias=false true=false read=false
`+w.initScript(t, "bash")+`
awsenv use alice --mfa-code `+w.code()+`
echo "profile=$AWSENV_PROFILE"
AWSENV_PROFILE=prod AWSENV_NOW=1000000 AWSENV_EXPIRES_AT=1002550 awsenv_prompt; echo
awsenv unset
echo "after=${AWSENV_PROFILE-gone}"
`)
		wantOutput(t, "bash", r, want, "")
	})
	t.Run("zsh", func(t *testing.T) {
		w := newWorld(t)
		r := w.shell("zsh", `alias awsenv='echo hijacked' awsenv_prompt='echo hijacked'
alias eval=false command=false builtin=false export=false unset=false printf=false local=false
alias emulate=false setopt=false typeset=false zmodload=false compctl=false read=false unalias=false true=false
`+w.initScript(t, "zsh")+`
awsenv use alice --mfa-code `+w.code()+`
echo "profile=$AWSENV_PROFILE"
AWSENV_PROFILE=prod AWSENV_NOW=1000000 AWSENV_EXPIRES_AT=1002550 awsenv_prompt; echo
awsenv unset
echo "after=${AWSENV_PROFILE-gone}"
`)
		wantOutput(t, "zsh", r, want, "")
	})
	t.Run("fish", func(t *testing.T) {
		w := newWorld(t)
		r := w.shell("fish", w.initScript(t, "fish")+`
for f in source printf math contains count echo date true false
    function $f; return 1; end
end
awsenv use alice --mfa-code `+w.code()+`
builtin echo "profile=$AWSENV_PROFILE"
set -gx AWSENV_PROFILE prod; set -gx AWSENV_NOW 1000000; set -gx AWSENV_EXPIRES_AT 1002550
awsenv_prompt; builtin echo
awsenv unset
builtin echo "after="(set -q AWSENV_PROFILE; or builtin echo gone)
`)
		wantOutput(t, "fish", r, want, "")
	})
}

// With AWSENV_AUTO_REFRESH=1 the prompt hook renews a session about to
// expire when no code is needed, and otherwise says once that one is.
func TestInitAutoRefresh(t *testing.T) {
	t.Parallel()
	refreshIn := func(sh, value string) string {
		return map[string]string{
			"bash": `export AWSENV_AUTO_REFRESH='` + value + `' AWSENV_EXPIRES_AT=$((EPOCHSECONDS + 60))`,
			"zsh":  `zmodload zsh/datetime; export AWSENV_AUTO_REFRESH='` + value + `' AWSENV_EXPIRES_AT=$((EPOCHSECONDS + 60))`,
			"fish": `set -gx AWSENV_AUTO_REFRESH '` + value + `'; set -gx AWSENV_EXPIRES_AT (math (date +%s) + 60)`,
		}[sh]
	}
	exportDebug := func(sh, value string) string {
		if sh == "fish" {
			return `set -gx AWSENV_DEBUG '` + value + `'`
		}
		return `export AWSENV_DEBUG='` + value + `'`
	}
	// Spellings of true, with AWSENV_DEBUG set in the renewal's environment
	// to a true value (AWSENV_DEBUG=on once failed every awsenv command with
	// exit 2) or to one awsenv does not understand.
	spellings := []struct{ refresh, debug string }{{"1", ""}, {"yes", "on"}, {" On ", "yes"}, {"TRUE", "maybe"}}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		for _, sp := range spellings {
			t.Run(fmt.Sprintf("%s renews AWSENV_AUTO_REFRESH=%q AWSENV_DEBUG=%q", sh, sp.refresh, sp.debug), func(t *testing.T) {
				t.Parallel()
				w := newWorld(t)
				if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
					t.Fatalf("use alice: %s", r)
				}
				// The role's cached session is removed: the hook must assume the
				// role again, on the cached MFA session, without a code.
				r := w.shell(sh, w.initScript(t, sh)+`
awsenv use prod
echo "key=$AWS_ACCESS_KEY_ID"
`+refreshIn(sh, sp.refresh)+`
awsenv sessions clear prod >/dev/null
`+exportDebug(sh, sp.debug)+`
`+promptRun[sh]+`
`+promptRun[sh]+`
echo "key=$AWS_ACCESS_KEY_ID"
echo "expires=$AWSENV_EXPIRES_AT profile=$AWSENV_PROFILE"
`)
				lines := strings.Split(r.stdout, "\n")
				if r.code != 0 || r.stderr != "" || len(lines) != 4 {
					t.Fatalf("%s", r)
				}
				if lines[0] == lines[1] {
					t.Fatalf("the hook did not renew the credentials: %s", r)
				}
				var exp int64
				fmt.Sscanf(lines[2], "expires=%d profile=prod", &exp)
				if left := exp - time.Now().Unix(); left < 50*60 || left > 61*60 {
					t.Fatalf("renewed session should last about an hour, has %ds: %s", left, r)
				}
				if n := w.fake.Calls("AssumeRole"); n != 2 {
					t.Fatalf("AssumeRole calls = %d, want 2 (use, then one renewal)", n)
				}
				if n := w.fake.Calls("GetSessionToken"); n != 1 {
					t.Fatalf("GetSessionToken calls = %d, want 1 (no new MFA session)", n)
				}
			})
		}
		t.Run(sh+" needs a code", func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			r := w.shell(sh, w.initScript(t, sh)+`
`+refreshIn(sh, "1")+`
`+promptRun[sh]+`
`+promptRun[sh]+`
echo "key=$AWS_ACCESS_KEY_ID profile=$AWSENV_PROFILE"
`, "AWSENV_PROFILE=prod", "AWS_ACCESS_KEY_ID=ASIAOLD")
			wantOutput(t, sh, r, "key=ASIAOLD profile=prod\n", "awsenv: prod needs a new MFA code: run awsenv use prod\n")
			if n := w.fake.Calls("AssumeRole") + w.fake.Calls("GetSessionToken"); n != 0 {
				t.Fatalf("STS calls = %d, want 0", n)
			}
		})
		// A value the hook does not understand is off, said once per value;
		// the spellings of false are off, silently.
		t.Run(sh+" misspelt or off", func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			r := w.shell(sh, w.initScript(t, sh)+`
`+refreshIn(sh, "maybe")+`
`+promptRun[sh]+`
`+promptRun[sh]+`
`+refreshIn(sh, " OFF ")+`
`+promptRun[sh]+`
`+refreshIn(sh, "no")+`
`+promptRun[sh]+`
`+refreshIn(sh, "")+`
`+promptRun[sh]+`
echo "key=$AWS_ACCESS_KEY_ID profile=$AWSENV_PROFILE"
`, "AWSENV_PROFILE=prod", "AWS_ACCESS_KEY_ID=ASIAOLD")
			wantOutput(t, sh, r, "key=ASIAOLD profile=prod\n",
				"awsenv: AWSENV_AUTO_REFRESH=maybe is not understood, so it counts as off. Write one of 1/0, true/false, yes/no, on/off, y/n (any case).\n")
			if n := w.fake.Calls("AssumeRole") + w.fake.Calls("GetSessionToken"); n != 0 {
				t.Fatalf("STS calls = %d, want 0", n)
			}
		})
	}
}

// Completion offers subcommands and profile names.
func TestInitCompletion(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.shell("bash", w.initScript(t, "bash")+`
c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); __awsenv_complete; echo "${COMPREPLY[*]}"; }
c awsenv u
c awsenv use ''
c awsenv use p
c awsenv use --sh
c awsenv use --shell f
c awsenv sessions clear ''
c awsenv init ''
c awsenv use 'al ice'
`)
	// The last: a word with a space (typed quoted) is matched whole; it was
	// once split to "al", which completed to alice.
	wantOutput(t, "bash", r, "use unset\nalice long prod\nprod\n--shell\nfish\nalice long prod\nbash zsh fish powershell\n\n", "")

	r = w.shell("zsh", w.initScript(t, "zsh")+`
c() { __awsenv_candidates $# "$@"; echo "${reply[*]}"; }
c awsenv ''
c awsenv use ''
c awsenv use --shell ''
c awsenv sessions clear ''
`)
	wantOutput(t, "zsh", r, "use unset exec credential-process console list login logout sso sessions plugins init prompt doctor keys rotate explain version help\nalice long prod\nsh bash zsh fish powershell\nalice long prod\n", "")

	r = w.shell("fish", w.initScript(t, "fish")+`
complete -C 'awsenv us' | string replace -r '\t.*' ''
complete -C 'awsenv use ' | string replace -r '\t.*' ''
complete -C 'awsenv use prod --shell ' | string replace -r '\t.*' '' | string join ' '
`)
	wantOutput(t, "fish", r, "use\nalice\nlong\nprod\nbash fish powershell sh zsh\n", "")
}

// The generated scripts pass each shell's own syntax check, and shellcheck.
func TestInitScriptsCheck(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	check := func(tool string, args ...string) func(t *testing.T, script string) {
		return func(t *testing.T, script string) {
			cmd := testproc.Command(requireTool(t, tool), args...)
			cmd.Stdin = strings.NewReader(script)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
			}
		}
	}
	checks := map[string]func(*testing.T, string){
		"bash": check("shellcheck", "-"),
		"zsh":  check("zsh", "-n"),
		"fish": check("fish", "--no-execute"),
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			r := w.run("init", sh)
			if r.code != 0 {
				t.Fatalf("init %s: %s", sh, r)
			}
			checks[sh](t, r.stdout)
		})
	}
	t.Run("bash -n", func(t *testing.T) { check("bash", "-n")(t, w.run("init", "bash").stdout) })
}

// No pwsh here: the PowerShell script is checked as text.
func TestInitPowerShell(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run("init", "pwsh")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("init pwsh: %s", r)
	}
	exe := "'" + filepath.Join(binDir, "awsenv") + "'"
	for _, want := range []string{
		"function global:awsenv {",
		"function global:awsenv_prompt {",
		"$awsenvOut = & " + exe + " $awsenvSub --shell powershell @awsenvRest\n",
		"$awsenvStatus = $LASTEXITCODE\n",
		"if ($awsenvStatus -eq 0 -and $null -ne $awsenvOut) {\n        Microsoft.PowerShell.Utility\\Invoke-Expression (@($awsenvOut) -join \"`n\")",
		"$global:LASTEXITCODE = $awsenvStatus",
		"& " + exe + " @args\n",
		"[DateTimeOffset]::UtcNow.ToUnixTimeSeconds()",
		"$Env:AWSENV_NOW",
		"return \"$awsenvProfile expired\"",
		"'{0} {1}h{2:D2}m' -f",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("init powershell lacks %q", want)
		}
	}
	if strings.Count(r.stdout, "{") != strings.Count(r.stdout, "}") || strings.Count(r.stdout, "(") != strings.Count(r.stdout, ")") {
		t.Error("unbalanced braces or parentheses")
	}
	for i, b := range []byte(r.stdout) {
		if b >= 0x80 {
			t.Fatalf("non-ASCII byte at %d: PowerShell may read the script in another code page", i)
		}
	}
	// Nothing in the prompt helper starts a process.
	prompt := r.stdout[strings.Index(r.stdout, "function global:awsenv_prompt"):]
	for _, bad := range []string{"& ", "Start-Process", "date", "Get-Date", "awsenv.exe"} {
		if strings.Contains(prompt, bad) {
			t.Errorf("awsenv_prompt contains %q", bad)
		}
	}
}

func TestInitUsage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, args := range [][]string{{"init"}, {"init", "sh"}, {"init", "tcsh"}, {"init", "bash", "zsh"}, {"prompt", "extra"}, {"prompt", "--format", "{{.Nope"}} {
		r := w.runEnv([]string{"AWSENV_PROFILE=prod"}, args...)
		if r.code != exitUsage || r.stdout != "" || !strings.HasPrefix(r.stderr, "awsenv: ") {
			t.Errorf("%q: want exit 2 and nothing on stdout; got %s", args, r)
		}
	}
}

// awsenv prompt, for prompt frameworks that run a command.
func TestPromptCommand(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{}, nil, ""},
		{map[string]string{"AWSENV_PROFILE": "prod", "AWSENV_EXPIRES_AT": at(42*time.Minute + 59*time.Second)}, nil, "prod 42m\n"},
		{map[string]string{"AWSENV_PROFILE": "prod", "AWSENV_EXPIRES_AT": at(3*time.Hour + 5*time.Minute)}, nil, "prod 3h05m\n"},
		{map[string]string{"AWSENV_PROFILE": "prod", "AWSENV_EXPIRES_AT": at(0)}, nil, "prod expired\n"},
		{map[string]string{"AWSENV_PROFILE": "prod"}, nil, "prod\n"},
		{map[string]string{"AWSENV_PROFILE": "prod", "AWS_CREDENTIAL_EXPIRATION": now.Add(90 * time.Minute).Format(time.RFC3339)}, nil, "prod 1h30m\n"},
		{map[string]string{"AWSENV_PROFILE": "prod", "AWSENV_EXPIRES_AT": at(42 * time.Minute), "AWSENV_NOW": at(-time.Hour)}, nil, "prod 1h42m\n"},
		{map[string]string{"AWSENV_PROFILE": "prod", "AWSENV_EXPIRES_AT": at(42 * time.Minute)},
			[]string{"--format", `{{.Profile}}|{{.Left}}|{{.Expires.UTC.Format "15:04"}}`}, "prod|42m|12:42\n"},
		{map[string]string{"AWSENV_EXPIRES_AT": at(42 * time.Minute)}, []string{"--format", "x{{.Profile}}"}, ""},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		d := &Deps{Stdout: &out, Stderr: &errb, Now: func() time.Time { return now },
			Getenv: func(k string) string { return c.env[k] }}
		code := Main(append([]string{"awsenv", "prompt"}, c.args...), d)
		if code != 0 || out.String() != c.want || errb.Len() != 0 {
			t.Errorf("env %v args %q: exit %d, stdout %q, stderr %q; want %q", c.env, c.args, code, out.String(), errb.String(), c.want)
		}
	}
	// And the binary, end to end.
	w := newWorld(t)
	r := w.runEnv([]string{"AWSENV_PROFILE=prod", "AWSENV_NOW=1000000", "AWSENV_EXPIRES_AT=1011100"}, "prompt")
	wantOutput(t, "awsenv prompt", r, "prod 3h05m\n", "")
}

// Without --shell, `use` prints code for the shell that runs it (its parent
// process) when that is a shell it knows, whatever $SHELL says: the README's
// `awsenv use prod | source` works in fish started from a bash login, and
// eval "$(awsenv use prod)" works in bash and dash with SHELL=fish. In fish,
// `use` also erases a universal AWS_PROFILE (set -Ux), which would otherwise
// still reach every child process. --shell, then $AWSENV_SHELL, win over the
// parent; a parent that is no shell (here the test binary) leaves $SHELL.
func TestUseShellFromParentProcess(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/comm"); err != nil {
		t.Skip("no /proc: the parent shell cannot be told here")
	}
	w := newWorld(t)
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("use alice: %s", r)
	}
	// fish's universal variables go to $XDG_CONFIG_HOME/fish/fish_variables,
	// inside the world.
	r := w.shell("fish", `set -Ux AWS_PROFILE x
set -Ux AWS_DEFAULT_PROFILE y
awsenv use alice | source
echo "profile=$AWSENV_PROFILE"
env | string match -r '^AWS_(DEFAULT_)?PROFILE=.*'
awsenv unset | source
echo "after="(set -q AWSENV_PROFILE; or echo gone)
`, "SHELL=/bin/bash")
	wantOutput(t, "fish with SHELL=/bin/bash", r, "profile=alice\nafter=gone\n", "")
	for _, sh := range []string{"bash", "dash", "zsh"} {
		r := w.shell(sh, `eval "$(awsenv use alice)"
echo "profile=$AWSENV_PROFILE"
eval "$(awsenv unset)"
echo "after=${AWSENV_PROFILE-gone}"
`, "SHELL=/usr/bin/fish")
		wantOutput(t, sh+" with SHELL=/usr/bin/fish", r, "profile=alice\nafter=gone\n", "")
	}
	// Precedence: --shell, $AWSENV_SHELL, the parent shell, $SHELL.
	r = w.shell("bash", `awsenv unset --shell fish | head -n 1
AWSENV_SHELL=fish awsenv unset | head -n 1
AWSENV_SHELL=fish awsenv unset --shell zsh | head -n 1
awsenv unset | head -n 1
`, "SHELL=/usr/bin/fish")
	const fishLine = "set -e -g AWSENV_EXPIRES_AT; set -e -U AWSENV_EXPIRES_AT; or true;\n"
	const posixLine = "unset -v AWSENV_EXPIRES_AT\n"
	wantOutput(t, "precedence", r, fishLine+fishLine+posixLine+posixLine, "")
	r = w.runEnv([]string{"SHELL=/usr/bin/fish"}, "unset")
	if r.code != 0 || !strings.HasPrefix(r.stdout, fishLine) {
		t.Fatalf("a parent that is no shell: want fish code from $SHELL: %s", r)
	}
	r = w.runEnv([]string{"SHELL="}, "unset")
	if r.code != 0 || !strings.HasPrefix(r.stdout, posixLine) {
		t.Fatalf("no shell known: want POSIX code: %s", r)
	}
}

func TestParseEnvBool(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"1", "true", "TRUE", "True", "t", "yes", "YES", "y", "Y", "on", "ON", " on ", "\tyes\n"} {
		if on, ok := profiles.ParseBool(v); !on || !ok {
			t.Errorf("profiles.ParseBool(%q) = %v, %v; want true", v, on, ok)
		}
	}
	for _, v := range []string{"", " ", "0", "false", "FALSE", "f", "no", "No", "n", "off", "OFF", " off "} {
		if on, ok := profiles.ParseBool(v); on || !ok {
			t.Errorf("profiles.ParseBool(%q) = %v, %v; want false", v, on, ok)
		}
	}
	for _, v := range []string{"maybe", "2", "-1", "yess", "o n", "enable", "\x1b[2J"} {
		if on, ok := profiles.ParseBool(v); on || ok {
			t.Errorf("profiles.ParseBool(%q) = %v, %v; want not understood", v, on, ok)
		}
	}
}

// AWSENV_DEBUG takes the usual spellings of true and false; any other value
// never breaks a command (it once failed all of them with exit 2): it
// counts as off, with one line on stderr, none on stdout.
func TestDebugEnvSpellings(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("use alice: %s", r)
	}
	const exported = "export AWSENV_PROFILE='alice'\n"
	for _, v := range []string{"1", "true", "yes", "YES", "on", "On", " y ", "t"} {
		r := w.runEnv([]string{"AWSENV_DEBUG=" + v}, "use", "alice", "--shell", "sh")
		if r.code != 0 || !strings.Contains(r.stdout, exported) || !strings.Contains(r.stderr, "awsenv: debug: using the cached") {
			t.Errorf("AWSENV_DEBUG=%q: want debug lines on stderr: %s", v, r)
		}
	}
	for _, v := range []string{"", "0", "false", "no", "NO", "off", "n", " off "} {
		r := w.runEnv([]string{"AWSENV_DEBUG=" + v}, "use", "alice", "--shell", "sh")
		if r.code != 0 || !strings.Contains(r.stdout, exported) || r.stderr != "" {
			t.Errorf("AWSENV_DEBUG=%q: want no debug lines: %s", v, r)
		}
	}
	for _, v := range []string{"maybe", "2", "yess", "\x1b]0;title\x07"} {
		want := fmt.Sprintf("awsenv: AWSENV_DEBUG=%q is not understood, so it counts as off. Write one of 1/0, true/false, yes/no, on/off, y/n (any case).\n", v)
		for _, args := range [][]string{{"use", "alice", "--shell", "sh"}, {"unset"}, {"init", "bash"}, {"list", "--names"}, {"prompt"}} {
			r := w.runEnv([]string{"AWSENV_DEBUG=" + v, "AWSENV_PROFILE=alice"}, args...)
			if r.code != 0 || r.stderr != want || r.stdout == "" || strings.Contains(r.stdout, "AWSENV_DEBUG") {
				t.Errorf("AWSENV_DEBUG=%q awsenv %s: want exit 0, the output, and one line on stderr:\n%s", v, strings.Join(args, " "), r)
			}
		}
	}
	// --debug still works, and AWSENV_DEBUG=0 does not turn it off.
	r := w.runEnv([]string{"AWSENV_DEBUG=0"}, "--debug", "use", "alice", "--shell", "sh")
	if r.code != 0 || !strings.Contains(r.stderr, "awsenv: debug: ") {
		t.Errorf("--debug with AWSENV_DEBUG=0: %s", r)
	}
}

// An AWSENV_PROFILE exported by hand may hold spaces and glob characters
// (awsenv itself never exports such a name). The prompt text and the
// renewal's message keep it whole: bash once split it in
// `\builtin local __awsenv_p=$AWSENV_PROFILE` ("local: `b?': not a valid
// identifier") and globbed it against the files in the current directory.
func TestInitPromptProfileWithSpacesAndGlobs(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, f := range []string{"a", "ab", "b1", "x"} {
		must(t, os.WriteFile(filepath.Join(w.dir, f), nil, 0o600))
	}
	const profile = "x  a* b? [ab] $HOME"
	env := []string{"AWSENV_PROFILE=" + profile, "AWSENV_NOW=1000000", "AWSENV_EXPIRES_AT=1000100", "AWSENV_AUTO_REFRESH=1"}
	wantOut := "ps1=" + profile + " 1m|\nprompt=" + profile + " 1m|\n"
	wantErr := "awsenv: could not renew " + profile + " (exit 2): run awsenv use " + profile + "\n"
	for _, sh := range []string{"bash", "zsh", "fish"} {
		script := map[string]string{
			"bash": "set -euo pipefail\n" + w.initScript(t, "bash") + "\n" + promptRun["bash"] + `
echo "ps1=$awsenv_ps1|"
echo "prompt=$(awsenv_prompt)|"
`,
			"zsh": "setopt nounset sh_word_split glob_subst ksh_arrays\n" + w.initScript(t, "zsh") + "\n" + promptRun["zsh"] + `
echo "ps1=$awsenv_ps1|"
echo "prompt=$(awsenv_prompt)|"
`,
			"fish": w.initScript(t, "fish") + "\n" + promptRun["fish"] + `
echo "ps1="(awsenv_prompt)"|"
echo "prompt="(awsenv_prompt)"|"
`,
		}[sh]
		r := w.shell(sh, script, env...)
		wantOutput(t, sh, r, wantOut, wantErr)
	}
}

// After `awsenv exec PROFILE --` comes a command line of its own: the first
// word completes to command names, later ones with that command's own
// completion (bash: its complete -F function, or bash-completion's
// _command_offset when loaded; fish: complete -C). Once it completed only
// file names there.
func TestInitCompletionAfterDashDash(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.shell("bash", w.initScript(t, "bash")+`
c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; __awsenv_complete; echo "${COMPREPLY[*]}"; }
mycmd() { :; }
_mycmd() { COMPREPLY=("cmd=$1" "cur=$2" "prev=$3" "cword=$COMP_CWORD" "words=${COMP_WORDS[*]}"); }
complete -F _mycmd mycmd
c awsenv exec prod -- mycm
c awsenv exec prod --refresh -- mycmd --x ''
c awsenv exec prod -- mycmd a b
c awsenv exec prod -- no-such-command-xyz ''
echo "words=${COMP_WORDS[*]}"
_command_offset() { COMPREPLY=("bash-completion:$1"); }
c awsenv exec prod -- mycmd ''
`)
	wantOutput(t, "bash", r, "mycmd\ncmd=mycmd cur= prev=--x cword=2 words=mycmd --x \ncmd=mycmd cur=b prev=a cword=2 words=mycmd a b\n\n"+
		"words=awsenv exec prod -- no-such-command-xyz \nbash-completion:4\n", "")
	r = w.shell("fish", w.initScript(t, "fish")+`
function mycmd; end
complete -c mycmd -f -a 'alpha beta'
complete -C 'awsenv exec prod -- mycm' | string replace -r '\t.*' ''
complete -C 'awsenv exec prod --refresh -- mycmd ' | string replace -r '\t.*' '' | string join ' '
`)
	wantOutput(t, "fish", r, "mycmd\nalpha beta\n", "")
}
