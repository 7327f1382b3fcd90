package switchhooks

import (
	"fmt"
	"strings"
	"sync"

	"github.com/awsenv/awsenv/shell"
)

// The names hooks and awsenv_env_* may not set: every exported variable
// awsenv did not choose itself goes through CheckName (PostUse for
// awsenv_env_* and for each hook's answer, cached or fresh; ParseVars for
// the names `unset` removes; doctor's hooks check).
//
// A variable exported into an interactive shell outlives the switch: every
// program the person runs afterwards inherits it. Hooks are plugins the
// person installed, and awsenv_env_* come from a config file that passes
// the trust gate, so this list is not a sandbox; it keeps a hook's
// variables to what they are for (context for tools: a kube context, a
// Terraform workspace, a prompt colour) and out of the kinds of variable
// that are something else:
//
//  1. the names awsenv sets or reads itself (AWS_*, AWSENV_*,
//     AWSUME_PROFILE, and the shell integration's awsenv_* and __awsenv_*),
//     which would make the credentials, the profile shown or the remembered
//     hook variables lie;
//  2. names that make a shell or a program run code, load a library or a
//     file of settings that can name commands, or send its secrets
//     elsewhere: one value there is as good as a line in ~/.bashrc. Among
//     them the search paths (PATH, LD_*, PYTHONPATH, any *PATH...), the
//     start-up files and prompts of shells (BASH_ENV, ENV, PS0-PS4,
//     PROMPT*, RPROMPT*, ZDOTDIR, fish_*...), the commands and options
//     programs start (*EDITOR, *_COMMAND, *PAGER, *SHELL, *FLAGS, *_OPTS,
//     GIT_SSH...), the sockets they talk to (*_SOCK, DOCKER_HOST), the
//     resolver's and the TLS trust store's settings (HOSTALIASES,
//     SSL_CERT_FILE...), and HOME, *HOME, TMPDIR and XDG_*, which move the
//     places programs read their settings, plugins (awsenv's own too) and
//     scratch files from;
//  3. every name a supported shell sets, reads or keeps read-only
//     (shellNames, with the manual each list comes from): zsh aborts an
//     eval at `export ARGC=1`, TMOUT closes the shell, UID as root changes
//     it, and fish refuses `set -gx status`.
//
// Names are compared without regard to case: environment variables are
// case-sensitive, but zsh ties lower-case arrays to them (path is PATH,
// fpath is FPATH), and a name differing only in case is never worth the
// doubt. Prefix and suffix families are deliberately wide: a hook that
// needs a refused name can use another, whereas a name let through runs
// code at the next prompt.
//
// Variables for tools that merely choose data are allowed: TF_WORKSPACE,
// NODE_ENV, a kube context, proxies (they can send traffic elsewhere but
// cannot run code or read secrets awsenv hands out). KUBECONFIG is allowed
// by decision although a kubeconfig's exec: user names a command: choosing
// the kubeconfig per profile is what hooks are for (the kubecontext
// example plugin sets it), and the value comes only from a plugin the
// person installed or a config file the trust gate accepted, the same
// files that may name credential_process.

// forbiddenExact are names refused as they are, with why. Built on first
// use, not at package init: every cached `use` links this package, and
// only a hook's answer needs the table.
var forbiddenExact = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"AWSUME_PROFILE": "awsenv sets it",

		// Where programs are found and what the shell runs.
		"PATH":           "it chooses which programs run",
		"CDPATH":         "it changes where cd goes",
		"FPATH":          "zsh loads functions from it",
		"MODULE_PATH":    "zsh loads modules from it",
		"MANPATH":        "man reads pages (and their preprocessors) from it",
		"BASH_ENV":       "bash runs the file it names",
		"ENV":            "sh runs the file it names",
		"PROMPT_COMMAND": "bash runs it at every prompt",
		"PROMPT":         "zsh expands it at every prompt",
		"PROMPT2":        "zsh expands it",
		"PROMPT3":        "zsh expands it",
		"PROMPT4":        "zsh expands it",
		"RPROMPT":        "zsh expands it at every prompt",
		"RPROMPT2":       "zsh expands it",
		"RPS1":           "zsh expands it at every prompt",
		"RPS2":           "zsh expands it",
		"SPROMPT":        "zsh expands it",
		"PSVAR":          "zsh prompts read it",
		"POSTEDIT":       "zsh prints it after every command line",
		"IFS":            "it changes how the shell splits words",
		"SHELLOPTS":      "it sets bash's options",
		"BASHOPTS":       "it sets bash's options",
		"ZDOTDIR":        "zsh reads its start-up files from it",
		"ZSH":            "oh-my-zsh loads its code from it",
		"NULLCMD":        "zsh runs it for a redirection without a command",
		"READNULLCMD":    "zsh runs it for a redirection without a command",
		"HISTFILE":       "the shell writes its history into the file it names",
		"FCEDIT":         "fc runs it",
		"INPUTRC":        "readline's key bindings can type commands",
		"MAIL":           "the shell watches and reports it",
		"MAILPATH":       "the shell expands its messages",
		"MAILCHECK":      "the shell watches mail with it",
		"SHELL":          "programs start it as your shell",
		"HOME":           "every program reads its settings (and ~/.aws, ~/.ssh) from it",
		"TMPDIR":         "programs make files they trust there",
		"TMP":            "programs make files they trust there",
		"TEMP":           "programs make files they trust there",
		"TERMINFO":       "it chooses the escape sequences programs send to the terminal",
		"TERMINFO_DIRS":  "it chooses the escape sequences programs send to the terminal",

		// The dynamic linker and the C library.
		"GCONV_PATH":       "glibc loads conversion modules from it",
		"GLIBC_TUNABLES":   "it changes how glibc loads and allocates",
		"LOCPATH":          "glibc reads locale data from it",
		"NLSPATH":          "programs read message catalogues (format strings) from it",
		"HOSTALIASES":      "it redirects host names",
		"LOCALDOMAIN":      "it changes how host names resolve",
		"RES_OPTIONS":      "it changes how host names resolve",
		"RESOLV_HOST_CONF": "it changes how host names resolve",

		// Commands programs start.
		"EDITOR":              "programs run it",
		"VISUAL":              "programs run it",
		"SUDO_EDITOR":         "sudoedit runs it",
		"SUDO_ASKPASS":        "sudo runs it",
		"SSH_ASKPASS":         "ssh runs it",
		"SSH_ASKPASS_REQUIRE": "it makes ssh run SSH_ASKPASS",
		"PAGER":               "programs run it",
		"MANPAGER":            "man runs it",
		"MANOPT":              "man reads options from it",
		"SYSTEMD_PAGER":       "systemctl runs it",
		"SYSTEMD_EDITOR":      "systemctl runs it",
		"BROWSER":             "programs run it",
		"EXINIT":              "vi runs its commands",
		"VIMINIT":             "vim runs its commands",
		"GVIMINIT":            "gvim runs its commands",
		"MYVIMRC":             "vim runs the file it names",
		"VIMRUNTIME":          "vim loads scripts from it",
		"EMACSLOADPATH":       "emacs loads code from it",
		"SCREENRC":            "screen runs the file it names",
		"WGETRC":              "wget reads its settings from it",
		"CURL_HOME":           "curl reads its settings from it",
		"GNUPGHOME":           "gpg's settings name programs to run",
		"STARSHIP_CONFIG":     "starship's settings run commands",
		"MAKEFLAGS":           "make reads variables, SHELL among them, from it",
		"MFLAGS":              "make reads options from it",
		"MAKEFILES":           "make reads the makefiles it names",
		"CC":                  "builds run it",
		"CXX":                 "builds run it",
		"CPP":                 "builds run it",
		"LD":                  "builds run it",

		// Interpreters' options and search paths.
		"NODE_OPTIONS":                 "node reads options (--require) from it",
		"NODE_PATH":                    "node loads modules from it",
		"NODE_EXTRA_CA_CERTS":          "node trusts the certificates it names",
		"NODE_TLS_REJECT_UNAUTHORIZED": "it turns node's certificate checks off",
		"ELECTRON_RUN_AS_NODE":         "it turns Electron apps into node",
		"PERL5OPT":                     "perl reads options (-M) from it",
		"PERL5LIB":                     "perl loads modules from it",
		"PERLLIB":                      "perl loads modules from it",
		"PERL5DB":                      "perl runs it as the debugger",
		"RUBYOPT":                      "ruby reads options (-r) from it",
		"RUBYLIB":                      "ruby loads code from it",
		"GEM_HOME":                     "ruby loads gems from it",
		"GEM_PATH":                     "ruby loads gems from it",
		"BUNDLE_GEMFILE":               "bundler loads the Gemfile it names",
		"JAVA_TOOL_OPTIONS":            "the JVM reads options (-javaagent) from it",
		"_JAVA_OPTIONS":                "the JVM reads options from it",
		"JDK_JAVA_OPTIONS":             "the java launcher reads options from it",
		"JAVA_HOME":                    "tools run the java it names",
		"CLASSPATH":                    "the JVM loads classes from it",
		"PHPRC":                        "php reads its settings (auto_prepend_file) from it",
		"PHP_INI_SCAN_DIR":             "php reads its settings from it",
		"TCLLIBPATH":                   "tcl loads code from it",
		"R_PROFILE":                    "R runs the file it names",
		"R_PROFILE_USER":               "R runs the file it names",
		"DOTNET_STARTUP_HOOKS":         ".NET runs the code it names",
		"DOTNET_ADDITIONAL_DEPS":       ".NET loads what it names",
		"RUSTC":                        "cargo runs it",
		"RUSTC_WRAPPER":                "cargo runs it",
		"RUSTC_WORKSPACE_WRAPPER":      "cargo runs it",
		"CARGO_HOME":                   "cargo reads its settings from it",
		"GOFLAGS":                      "go reads flags (-toolexec) from it",
		"GOROOT":                       "it chooses the Go toolchain",
		"GOTOOLCHAIN":                  "it chooses (and downloads) the Go toolchain",
		"GOENV":                        "go reads its settings from it",
		"GOPROXY":                      "go downloads modules from it",
		"GOSUMDB":                      "go checks modules with it",
		"GONOSUMDB":                    "it turns go's module checks off",
		"GONOSUMCHECK":                 "it turns go's module checks off",
		"GOINSECURE":                   "it turns go's TLS checks off",
		"TF_CLI_CONFIG_FILE":           "terraform installs providers as it says",
		"TF_PLUGIN_CACHE_DIR":          "terraform runs providers from it",
		"TERRAFORM_CONFIG":             "terraform installs providers as it says",

		// TLS trust and secrets.
		"SSL_CERT_FILE":      "programs trust the certificates it names",
		"SSL_CERT_DIR":       "programs trust the certificates in it",
		"CURL_CA_BUNDLE":     "curl trusts the certificates it names",
		"REQUESTS_CA_BUNDLE": "python requests trusts the certificates it names",
		"SSLKEYLOGFILE":      "programs write their TLS keys into it",
		"OPENSSL_CONF":       "openssl loads engines and modules it names",
		"OPENSSL_ENGINES":    "openssl loads engines from it",
		"OPENSSL_MODULES":    "openssl loads modules from it",

		// Sockets and servers programs talk to with your authority.
		"DOCKER_HOST":              "docker sends builds, mounts and secrets to the daemon it names",
		"CONTAINER_HOST":           "podman sends builds, mounts and secrets to the service it names",
		"DBUS_SESSION_BUS_ADDRESS": "programs connect to the bus it names (unixexec: runs a program)",
		"DBUS_SYSTEM_BUS_ADDRESS":  "programs connect to the bus it names (unixexec: runs a program)",
		"DISPLAY":                  "graphical programs send your keystrokes to the display it names",
		"WAYLAND_DISPLAY":          "graphical programs send your keystrokes to the display it names",
		"XAUTHORITY":               "graphical programs authenticate with the file it names",
		"TMUX":                     "tmux sends commands to the server it names",
		"TMUX_TMPDIR":              "tmux finds its server's socket there",
		"SSH_AGENT_PID":            "ssh-agent -k stops the process it names",
		"GPG_AGENT_INFO":           "gpg talks to the agent it names",

		// Windows and PowerShell.
		"COMSPEC":                     "Windows runs it as the command interpreter",
		"PATHEXT":                     "it chooses which files Windows runs as programs",
		"PSEXECUTIONPOLICYPREFERENCE": "it changes which scripts PowerShell runs",
	}
})

// shellNames are the names a supported shell sets, reads or keeps
// read-only, each list with the manual it is taken from (bash 5.2, zsh
// 5.9, fish 3.6; ksh and mksh for sh). Exporting one of them changes the
// shell rather than the programs: zsh aborts the eval at `export ARGC=1`
// (the old keys stay, AWS_PROFILE is gone), `export TMOUT=2` closes bash
// and zsh after 2 s, UID and EUID in zsh change the shell's user, fish
// refuses `set -gx status`. Names that prefixes below cover (BASH_*,
// ZSH_*, fish_*, HIST*, PROMPT*, LC_*...) are not repeated here. zle's
// widget parameters (BUFFER, CURSOR...) are left out: they are special
// only inside a widget, where awsenv's code never runs.
var shellNames = []struct {
	why   string
	names []string
}{
	{"bash sets or reads it (bash(1), Shell Variables)", []string{
		"_", "BASH", "BASHOPTS", "BASHPID", "COMP_CWORD", "COMP_KEY", "COMP_LINE", "COMP_POINT", "COMP_TYPE",
		"COMP_WORDBREAKS", "COMP_WORDS", "COMPREPLY", "COPROC", "DIRSTACK", "EPOCHREALTIME", "EPOCHSECONDS", "EUID",
		"FUNCNAME", "GROUPS", "HOSTNAME", "HOSTTYPE", "LINENO", "MACHTYPE", "MAPFILE", "OLDPWD", "OPTARG", "OPTERR",
		"OPTIND", "OSTYPE", "PIPESTATUS", "PPID", "PWD", "RANDOM", "READLINE_ARGUMENT", "READLINE_LINE",
		"READLINE_MARK", "READLINE_POINT", "REPLY", "SECONDS", "SHELLOPTS", "SHLVL", "SRANDOM", "UID",
		"CHILD_MAX", "COLUMNS", "EMACS", "EXECIGNORE", "FIGNORE", "FUNCNEST", "GLOBIGNORE", "GLOBSORT", "HOSTFILE",
		"IGNOREEOF", "INSIDE_EMACS", "LANG", "LINES", "POSIXLY_CORRECT", "TIMEFORMAT", "TMOUT", "AUTO_RESUME",
	}},
	{"zsh sets it (zshparam(1), PARAMETERS SET BY THE SHELL)", []string{
		"ARGC", "ARGV", "STATUS", "PIPESTATUS", "CPUTYPE", "EGID", "EUID", "ERRNO", "FUNCNEST", "GID", "HOST",
		"LINENO", "LOGNAME", "MACHTYPE", "OLDPWD", "OPTARG", "OPTIND", "OSTYPE", "PPID", "PWD", "RANDOM", "SECONDS",
		"SHLVL", "SIGNALS", "TRY_BLOCK_ERROR", "TRY_BLOCK_INTERRUPT", "TTY", "TTYIDLE", "UID", "USERNAME", "VENDOR",
	}},
	{"zsh reads it (zshparam(1), PARAMETERS USED BY THE SHELL)", []string{
		"ARGV0", "BAUD", "COLUMNS", "CORRECT_IGNORE", "CORRECT_IGNORE_FILE", "DIRSTACKSIZE", "KEYBOARD_HACK",
		"KEYTIMEOUT", "LANG", "LINES", "LISTMAX", "MATCH", "MBEGIN", "MEND", "REPORTMEMORY", "REPORTTIME",
		"REPLY", "SAVEHIST", "STTY", "TIMEFMT", "TMOUT", "TMPPREFIX", "TMPSUFFIX", "WATCH", "WATCHFMT",
		"WORDCHARS", "ZBEEP",
	}},
	{"a zsh module keeps it (zshmodules(1): zsh/parameter, zsh/datetime, zsh/mapfile, zsh/system, zsh/langinfo, zsh/termcap, zsh/terminfo, zsh/watch, zsh/zleparameter)", []string{
		"ALIASES", "BUILTINS", "COMMANDS", "EPOCHTIME", "ERRNOS", "FUNCFILETRACE", "FUNCSOURCETRACE", "FUNCSTACK",
		"FUNCTIONS", "FUNCTIONS_SOURCE", "FUNCTRACE", "GALIASES", "JOBDIRS", "JOBSTATES", "JOBTEXTS", "KEYMAPS",
		"LANGINFO", "LOGCHECK", "MAPFILE", "MODULES", "NAMEDDIRS", "OPTIONS", "PARAMETERS", "PATCHARS", "RESWORDS", "SALIASES",
		"SYSPARAMS", "USERDIRS", "USERGROUPS", "WIDGETS",
	}},
	{"fish sets or reads it (fish documentation, Special variables)", []string{
		"_", "ARGV", "CDPATH", "CMD_DURATION", "COLUMNS", "EUID", "HOSTNAME", "IFS", "LAST_PID", "LINES",
		"PIPESTATUS", "PWD", "SHLVL", "STATUS", "STATUS_GENERATION", "UMASK", "USER", "VERSION",
	}},
	{"ksh or mksh sets it (ksh(1), mksh(1))", []string{
		"PGRP", "USER_ID", "PATHSEP", "JOBMAX", "SH_VERSION",
	}},
}

// forbiddenPrefixes are families of names, with why.
var forbiddenPrefixes = []struct{ prefix, why string }{
	{"AWS_", "awsenv sets the AWS_* variables itself"},
	{"AWSENV_", "awsenv sets the AWSENV_* variables itself"},
	{"AWSENV", "awsenv's shell integration uses it"},
	{"__AWSENV", "awsenv's shell integration uses it"},
	{"LD_", "the dynamic linker loads libraries as it says"},
	{"DYLD_", "the dynamic linker loads libraries as it says"},
	{"BASH_", "bash reads it (BASH_LOADABLES_PATH loads libraries)"},
	{"ZSH_", "zsh and its frameworks load code as it says"},
	{"ZLE_", "zsh's line editor reads it"},
	{"ZCURSES", "zsh's curses module keeps it"},
	{"DIS_", "zsh's parameter module keeps it"},
	{"FISH_", "fish reads it (fish_function_path, fish_user_paths load code)"},
	{"__FISH", "fish's own variables"},
	{"KSH", "ksh sets it"},
	{"PROMPT", "the shell expands it as a prompt (zsh runs $(...) in PROMPT_EOL_MARK with prompt_subst; bash runs PROMPT_COMMAND)"},
	{"RPROMPT", "zsh expands it as a prompt"},
	{"RPS", "zsh expands it as a prompt"},
	{"SPROMPT", "zsh expands it as a prompt"},
	{"HIST", "the shell reads its history settings from it (HISTFILE, HISTCONTROL, HISTORY_IGNORE...)"},
	{"LC_", "the shell and every program read the locale from it (a multibyte locale changes how later quoted text is read)"},
	{"TERM", "it chooses the escape sequences programs send to the terminal"},
	{"PRECMD_FUNCTIONS", "zsh runs the functions it names"},
	{"PREEXEC_FUNCTIONS", "zsh runs the functions it names"},
	{"CHPWD_FUNCTIONS", "zsh runs the functions it names"},
	{"PERIODIC_FUNCTIONS", "zsh runs the functions it names"},
	{"ZSHADDHISTORY_FUNCTIONS", "zsh runs the functions it names"},
	{"ZSHEXIT_FUNCTIONS", "zsh runs the functions it names"},
	{"PYTHON", "python reads it (PYTHONPATH, PYTHONSTARTUP, PYTHONHOME, PYTHONWARNINGS load code)"},
	{"GIT_", "git runs commands and reads settings as it says (GIT_SSH_COMMAND, GIT_CONFIG_*, GIT_EXEC_PATH...)"},
	{"LESS", "less runs commands as it says (LESSOPEN, LESSCLOSE, LESS with + commands)"},
	{"XDG_", "programs (awsenv among them) read settings, plugins and data from it"},
	{"NPM_CONFIG_", "npm reads settings (script-shell, node-options) from it"},
	{"PIP_", "pip installs from where it says"},
	{"LUA_", "lua runs or loads code as it says (LUA_INIT, LUA_PATH)"},
	{"CORECLR_", ".NET loads the profiler it names"},
	{"COR_PROFILER", ".NET loads the profiler it names"},
	{"CARGO_BUILD_", "cargo runs the tools it names"},
	{"PASSWORD_STORE_", "pass reads secrets and extensions from where it says"},
	{"TF_CLI_ARGS", "terraform adds it to its command line (-plugin-dir loads providers)"},
	{"PSMODULE", "PowerShell loads modules from it"},
	{"POWERSHELL_", "PowerShell reads its settings from it"},
}

// forbiddenSuffixes are families of names by their ending, with why: the
// conventions programs follow for a command to run, a place to load code
// or settings from, and options or a socket to use.
var forbiddenSuffixes = []struct{ suffix, why string }{
	{"EDITOR", "programs run the editor it names (KUBE_EDITOR, GIT_EDITOR...)"},
	{"_COMMAND", "programs run the command it holds (FZF_DEFAULT_COMMAND, PROMPT_COMMAND...)"},
	{"_CMD", "programs run the command it holds"},
	{"PAGER", "programs run the pager it names"},
	{"ASKPASS", "programs run it to ask for a password"},
	{"BROWSER", "programs run the browser it names"},
	{"SHELL", "programs run the shell it names (CONFIG_SHELL...)"},
	{"_WRAPPER", "programs run the wrapper it names"},
	{"_PROG", "programs run the program it names"},
	{"_PROGRAM", "programs run the program it names"},
	{"_RSH", "programs run it as their remote shell (RSYNC_RSH, CVS_RSH)"},
	{"FLAGS", "builds hand it to compilers and linkers (RUSTFLAGS, CGO_LDFLAGS: -fplugin, -Wl, linker scripts)"},
	{"OPT", "programs read options from it (PERL5OPT, RUBYOPT: -M, -r load code)"},
	{"OPTS", "programs read options from it (MAVEN_OPTS, JAVA_OPTS: -javaagent loads code)"},
	{"OPTIONS", "programs read options from it (NODE_OPTIONS, JAVA_TOOL_OPTIONS: --require, -javaagent load code)"},
	{"_ARGS", "programs add it to their command line"},
	{"PATH", "programs load code, plugins or settings from the places it lists"},
	{"HOME", "programs read their settings, plugins or code from the directory it names"},
	{"_ROOT", "programs run the tools found under the directory it names"},
	{"_CONFIG", "programs read settings that can name commands from the file it names"},
	{"_CONFIG_FILE", "programs read settings that can name commands from the file it names"},
	{"_CONFIG_DIR", "programs read settings that can name commands from the directory it names"},
	{"RC", "programs run or read the start-up file it names (INPUTRC, PSQLRC...)"},
	{"_SOCK", "programs talk to the socket it names (SSH_AUTH_SOCK: an agent signs as you)"},
	{"_SOCKET", "programs talk to the socket it names"},
}

// forbiddenInfixes are families of names by a word anywhere in them.
var forbiddenInfixes = []struct{ infix, why string }{
	{"PLUGIN", "programs load plugins (code) from where it says (HELM_PLUGINS, QT_PLUGIN_PATH...)"},
}

// Forbidden reports why a hook may not set name, or "" if it may.
func Forbidden(name string) string {
	up := strings.ToUpper(name)
	if why, ok := forbiddenExact()[up]; ok && why != "" {
		return why
	}
	if why, ok := shellSpecial()[up]; ok {
		return why
	}
	// PS0 to PS4: the shell prompts, which bash and zsh expand (running
	// $(...) in them). Not PS*: PS5 means nothing, and PSQL_* is psql's.
	if len(up) == 3 && strings.HasPrefix(up, "PS") && up[2] >= '0' && up[2] <= '4' {
		return "the shell expands it at every prompt"
	}
	for _, p := range forbiddenPrefixes {
		if strings.HasPrefix(up, p.prefix) {
			return p.why
		}
	}
	for _, s := range forbiddenSuffixes {
		if strings.HasSuffix(up, s.suffix) {
			return s.why
		}
	}
	for _, i := range forbiddenInfixes {
		if strings.Contains(up, i.infix) {
			return i.why
		}
	}
	return ""
}

// shellSpecial is shellNames by name, the first list's reason winning;
// built on first use, like forbiddenExact.
var shellSpecial = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, l := range shellNames {
		for _, n := range l.names {
			if _, ok := m[n]; !ok {
				m[n] = l.why
			}
		}
	}
	return m
})

// CheckName refuses a name that is not a valid variable name for every
// shell (shell.ValidName: letters, digits and _, not starting with a
// digit), or that hooks may not set (Forbidden).
func CheckName(name string) error {
	if len(name) > 256 || !shell.ValidName(name) {
		return fmt.Errorf("%s is not a variable name (letters, digits and _, not starting with a digit)", quote(name))
	}
	if why := Forbidden(name); why != "" {
		return fmt.Errorf("%s may not be set by hooks: %s", name, why)
	}
	return nil
}

// quote shows a name that is not one, escaped and cut short.
func quote(s string) string {
	if len(s) > 64 {
		return fmt.Sprintf("%q...", s[:64])
	}
	return fmt.Sprintf("%q", s)
}
