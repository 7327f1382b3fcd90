package switchhooks

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// Names issue 16 found accepted (rows 1 and 7), and their families.
var refusedByFamily = []string{
	// Prompts zsh and bash expand: PROMPT*, RPROMPT*, RPS*, SPROMPT, PS0-PS4.
	"PROMPT_EOL_MARK", "PROMPT_SP", "PROMPT_DIRTRIM", "PROMPT5", "prompt", "RPROMPT3", "RPS3", "SPROMPT2",
	// Commands, editors, shells, pagers programs run.
	"KUBE_EDITOR", "GIT_EDITOR", "SVN_EDITOR", "HGEDITOR", "FZF_DEFAULT_COMMAND", "FZF_CTRL_T_COMMAND",
	"CONFIG_SHELL", "ESHELL", "PSQL_PAGER", "BAT_PAGER", "GIT_ASKPASS", "RSYNC_RSH", "RSYNC_CONNECT_PROG",
	"CCACHE_WRAPPER", "GPG_PROGRAM", "DIFF_CMD",
	// Flags and options that load code.
	"RUSTFLAGS", "CGO_LDFLAGS", "CGO_CFLAGS", "CFLAGS", "LDFLAGS", "CPPFLAGS", "CXXFLAGS", "RUSTDOCFLAGS",
	"MAVEN_OPTS", "JAVA_OPTS", "GRADLE_OPTS", "FZF_DEFAULT_OPTS", "ELIXIR_ERL_OPTIONS", "TF_CLI_ARGS",
	"TF_CLI_ARGS_init", "HELM_ARGS",
	// History.
	"HISTFILE", "HISTCONTROL", "HISTTIMEFORMAT", "HISTORY_IGNORE", "histchars", "HISTCMD",
	// Search paths, homes and roots, configuration files, plugins.
	"PKG_CONFIG_PATH", "QT_PLUGIN_PATH", "GI_TYPELIB_PATH", "VK_LAYER_PATH", "GUILE_LOAD_PATH", "GOPATH",
	"GRADLE_USER_HOME", "RUSTUP_HOME", "VOLTA_HOME", "PYENV_ROOT", "DOTNET_ROOT", "DOCKER_CONFIG", "KRB5_CONFIG",
	"ANSIBLE_CONFIG", "CLOUDSDK_CONFIG", "RIPGREP_CONFIG_PATH", "AZURE_CONFIG_DIR", "HELM_PLUGINS",
	"PSQLRC", "IRBRC", "NPMRC",
	// Sockets and servers.
	"SSH_AUTH_SOCK", "DOCKER_HOST", "CONTAINER_HOST", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "TMUX",
	// Locale and terminal.
	"LANG", "LC_ALL", "LC_CTYPE", "TERM", "TERMCAP", "TERMINAL",
	// zsh, bash and fish specials and read-only names (row 7).
	"ARGC", "argv", "status", "pipestatus", "UID", "EUID", "GID", "EGID", "USERNAME", "ERRNO", "TTYIDLE",
	"LINENO", "RANDOM", "SECONDS", "KEYBOARD_HACK", "TMOUT", "PPID", "_", "BASH", "BASHPID", "SRANDOM",
	"FUNCNAME", "GROUPS", "SHLVL", "PWD", "OLDPWD", "REPLY", "OPTIND", "IFS", "STTY", "TMPPREFIX", "ARGV0",
	"WATCHFMT", "ZLE_RPROMPT_INDENT", "zle_highlight", "options", "functions", "mapfile", "history", "hostname",
	"version", "umask", "fish_greeting", "fish_pid", "last_pid", "CMD_DURATION", "USER", "LOGNAME", "HOST",
	"KSH_VERSION", "PSModulePath", "COMSPEC", "PATHEXT",
}

// Names hooks are for, which must stay allowed.
var allowedNames = []string{"KUBECONFIG", "TF_WORKSPACE", "TF_VAR_region", "HELM_KUBECONTEXT", "KUBE_CONTEXT",
	"NODE_ENV", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "no_proxy", "COLOR", "PS5", "PSQL_HISTORY_X", "_x",
	"HOOK_RAN", "ENVIRONMENT", "STAGE", "TZ", "DOCKER_CONTEXT", "VAULT_ADDR", "CLOUDSDK_CORE_PROJECT"}

func TestForbiddenFamilies(t *testing.T) {
	for _, name := range refusedByFamily {
		if err := CheckName(name); err == nil {
			t.Errorf("%q allowed", name)
		} else if !strings.Contains(err.Error(), name+" may not be set by hooks: ") {
			t.Errorf("%q: %v", name, err)
		}
	}
	for _, name := range allowedNames {
		if err := CheckName(name); err != nil {
			t.Errorf("%q refused: %v", name, err)
		}
	}
}

// Every name bash, zsh (with its modules loaded), fish and dash define in
// a bare start is refused: the lists in names.go are checked against the
// shells themselves, not only against their manuals.
func TestShellsOwnNamesRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the shells are Unix programs")
	}
	home := t.TempDir()
	for _, sh := range []struct {
		bin  string
		args []string
	}{
		{"bash", []string{"--norc", "--noprofile", "-ic", "compgen -v"}},
		{"bash", []string{"--norc", "--noprofile", "-c", "compgen -v"}},
		{"zsh", []string{"-fc", "zmodload zsh/parameter zsh/datetime zsh/mapfile zsh/system zsh/terminfo zsh/termcap " +
			"zsh/zleparameter zsh/langinfo zsh/zle zsh/complist zsh/computil zsh/zutil zsh/sched zsh/watch 2>/dev/null; " +
			"print -rl -- ${(k)parameters}"}},
		{"zsh", []string{"-fic", "print -rl -- ${(k)parameters}"}},
		{"fish", []string{"--no-config", "-c", "set -n"}},
		{"dash", []string{"-c", "set"}},
	} {
		path, err := exec.LookPath(sh.bin)
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed; .ci/run must install it", sh.bin)
			}
			t.Logf("%s is not installed; its names are not checked", sh.bin)
			continue
		}
		cmd := exec.Command(path, sh.args...)
		// A bare environment: only what the shell sets itself is listed.
		cmd.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home, "XDG_DATA_HOME=" + home}
		cmd.Dir = home
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %v: %v", sh.bin, sh.args, err)
		}
		n := 0
		for _, line := range strings.Split(string(out), "\n") {
			name, _, _ := strings.Cut(line, "=")
			if sh.bin == "dash" && !strings.Contains(line, "=") {
				continue
			}
			if name == "" || !validName(name) {
				continue // $, #, ?... are not names awsenv could write
			}
			n++
			if err := CheckName(name); err == nil {
				t.Errorf("%s defines %s, which hooks may set", sh.bin, name)
			}
		}
		if n < 5 {
			t.Fatalf("%s %v listed %d names: %q", sh.bin, sh.args, n, out)
		}
	}
}

func validName(name string) bool {
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return name != ""
}

// Every place an exported name comes from goes through CheckName: an
// awsenv_env_* key, a hook's fresh answer, a hook's answer cached with
// the session, and AWSENV_HOOK_VARS as `unset` reads it. A name only the
// new families refuse proves it.
func TestEveryNameSourceChecked(t *testing.T) {
	for _, name := range []string{"PROMPT_EOL_MARK", "ARGC", "KUBE_EDITOR", "TMOUT", "status", "_"} {
		sw := testSwitch()
		sw.Settings.Env = []profiles.EnvVar{{Name: name, Value: "$(touch x)", Where: "config [prod]"}}
		var se *profiles.SettingError
		if _, err := (&Runner{}).PostUse(context.Background(), sw, time.Time{}, Cache{}); !errors.As(err, &se) ||
			!strings.Contains(err.Error(), "awsenv_env_"+name) || strings.Contains(err.Error(), "touch") {
			t.Errorf("awsenv_env_%s: %v", name, err)
		}

		f := &fakeHooks{post: map[string]plugins.PostUseResponse{"h": {Set: []plugins.Variable{{Name: "OK", Value: "1"}, {Name: name, Value: "$(touch x)"}}}}}
		var he *Error
		if _, err := (&Runner{Hooks: f}).PostUse(context.Background(), testSwitch("h"), time.Time{}, Cache{}); !errors.As(err, &he) ||
			he.Hook != "h" || !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "touch") {
			t.Errorf("hook setting %s: %v", name, err)
		}

		// An answer cached under the old rules is checked again.
		sw = testSwitch("h")
		cached := sessions.HookAnswer{Hook: "h", Request: request(sw.Profile, sw.Settings.Hooks[0]),
			Set: []sessions.HookVar{{Name: name, Value: "1"}}}
		f = &fakeHooks{}
		if _, err := (&Runner{Hooks: f}).PostUse(context.Background(), sw, time.Time{}, Cache{Answers: []sessions.HookAnswer{cached}}); !errors.As(err, &he) ||
			!strings.Contains(err.Error(), name) || len(f.calls) != 0 {
			t.Errorf("cached %s: %v (calls %v)", name, err, f.calls)
		}

		if got := ParseVars("KEEP " + name); len(got) != 1 || got[0] != "KEEP" {
			t.Errorf("ParseVars kept %v", got)
		}
	}
}
