# shellcheck shell=bash
#
# awsenv's bash integration (bash 4.4 or later). Load it from ~/.bashrc:
#
#     eval "$(awsenv init bash)"
#
# `awsenv init bash` prints this file with a placeholder replaced by the
# absolute path of the awsenv binary, quoted for bash.
#
# It defines:
#
#   awsenv          `awsenv use PROFILE` and `awsenv unset` change this shell,
#                   no eval needed; a failing `use` changes nothing and
#                   returns awsenv's exit status. Other subcommands run the
#                   binary as they are.
#   awsenv_prompt   prints "prod 42m", "prod 3h05m", "prod expired", or
#                   nothing when no awsenv profile is active. It starts no
#                   process. `awsenv_prompt -v NAME` stores the text in the
#                   variable NAME instead of printing it.
#   awsenv_ps1      a variable holding the same text, updated before each
#                   prompt by the hook below: put it in PS1, e.g.
#
#                       PS1='${awsenv_ps1:+[$awsenv_ps1] }'$PS1
#
#                   (PS1='$(awsenv_prompt) ...' works too, but every prompt
#                   then forks a subshell).
#   completion      subcommands, flags and profile names (awsenv list --names).
#   __awsenv_hook   runs first in PROMPT_COMMAND; it is added once however
#                   often this file is loaded, keeps $?, and forks nothing
#                   unless it has to renew credentials. It updates awsenv_ps1
#                   and, with AWSENV_AUTO_REFRESH=1 (or true, yes, on) in
#                   the environment,
#                   renews the session in place when it has 5 minutes or
#                   less left (awsenv use "$AWSENV_PROFILE" --no-input --timeout 5s,
#                   so a prompt waits 5 s at most). When
#                   a new MFA code is needed it says so once per session
#                   instead.
#
# AWSENV_NOW (epoch seconds), when set, replaces the clock (for tests).
#
# Every builtin is called as \builtin or \command so aliases cannot hijack it.
# Values in `\builtin local NAME=VALUE` are quoted: called through \builtin,
# local is an ordinary command to bash, and its unquoted arguments are split
# and globbed.

\builtin unalias awsenv awsenv_prompt 2>/dev/null || \builtin true

function awsenv {
    case ${1-} in
    use | unset) ;;
    *)
        # AWSENV_SHELL_HOOK tells `awsenv doctor` the hook is loaded.
        AWSENV_SHELL_HOOK=bash \command __AWSENV_EXE__ "$@"
        \builtin return
        ;;
    esac
    \builtin local __awsenv_arg
    for __awsenv_arg in "${@:2}"; do
        case $__awsenv_arg in
        -h | -help | --help)
            # Help goes to stdout: show it, never evaluate it.
            \command __AWSENV_EXE__ "$@"
            \builtin return
            ;;
        esac
    done
    \builtin local __awsenv_out __awsenv_status=0
    __awsenv_out=$(\command __AWSENV_EXE__ "$1" --shell bash "${@:2}") || __awsenv_status=$?
    if [[ $__awsenv_status -eq 0 ]]; then
        __awsenv_eval "$__awsenv_out"
    fi
    \builtin return "$__awsenv_status"
}

# __awsenv_eval evaluates awsenv's output with alias expansion off, so an
# alias called export or unset cannot change what it does.
function __awsenv_eval {
    if \builtin shopt -q expand_aliases; then
        \builtin shopt -u expand_aliases
        \builtin eval "$1"
        \builtin shopt -s expand_aliases
    else
        \builtin eval "$1"
    fi
}

# __awsenv_flag NAME succeeds when the variable NAME holds a true value: 1,
# true, yes, on or y (t), in any case, with spaces around it. Unset, empty,
# 0, false, no, off and n (f) are false. Any other value counts as false
# too, and is reported on stderr once per shell and value: a typo must not
# break the prompt, nor repeat at every prompt.
function __awsenv_flag {
    \builtin local __awsenv_v="${!1-}"
    __awsenv_v="${__awsenv_v,,}"
    __awsenv_v="${__awsenv_v#"${__awsenv_v%%[![:space:]]*}"}"
    __awsenv_v="${__awsenv_v%"${__awsenv_v##*[![:space:]]}"}"
    case $__awsenv_v in
    1 | true | t | yes | y | on) \builtin return 0 ;;
    '' | 0 | false | f | no | n | off) \builtin return 1 ;;
    esac
    if [[ ${__awsenv_warned-} != "$1=${!1}" ]]; then
        __awsenv_warned="$1=${!1}"
        \builtin printf 'awsenv: %s=%q is not understood, so it counts as off. Write one of 1/0, true/false, yes/no, on/off, y/n (any case).\n' "$1" "${!1}" >&2
    fi
    \builtin return 1
}

# __awsenv_number succeeds when $1 is a plain decimal number that fits the
# shell's arithmetic. Values from the environment are checked before they
# reach $((...)), where bash would evaluate code in an array subscript.
function __awsenv_number {
    [[ -n $1 && ${#1} -le 18 && $1 != *[!0-9]* ]]
}

# __awsenv_now sets the variable named $1 to the current time in epoch
# seconds, from $AWSENV_NOW when set, else from the shell without a fork.
function __awsenv_now {
    if [[ -n ${AWSENV_NOW-} ]]; then
        __awsenv_number "$AWSENV_NOW" || \builtin return 1
        \builtin printf -v "$1" '%s' "$AWSENV_NOW"
    elif [[ -n ${EPOCHSECONDS-} ]] && ((BASH_VERSINFO[0] >= 5)); then
        \builtin printf -v "$1" '%s' "$EPOCHSECONDS"
    else
        \builtin printf -v "$1" '%(%s)T' -1 # bash 4.2 and later
    fi
}

function awsenv_prompt {
    \builtin local __awsenv_var='' __awsenv_text='' __awsenv_t='' __awsenv_left
    if [[ ${1-} == -v ]]; then
        __awsenv_var=${2-}
    fi
    if [[ -n ${AWSENV_PROFILE-} ]]; then
        __awsenv_text=$AWSENV_PROFILE
        if __awsenv_number "${AWSENV_EXPIRES_AT-}" && __awsenv_now __awsenv_t; then
            __awsenv_left=$((10#$AWSENV_EXPIRES_AT - 10#$__awsenv_t))
            if ((__awsenv_left <= 0)); then
                __awsenv_text+=" expired"
            elif ((__awsenv_left < 3600)); then
                __awsenv_text+=" $((__awsenv_left / 60))m"
            else
                \builtin printf -v __awsenv_left '%dh%02dm' $((__awsenv_left / 3600)) $((__awsenv_left % 3600 / 60))
                __awsenv_text+=" $__awsenv_left"
            fi
        fi
    fi
    if [[ -n $__awsenv_var ]]; then
        \builtin printf -v "$__awsenv_var" '%s' "$__awsenv_text"
    else
        \builtin printf '%s' "$__awsenv_text"
    fi
}

function __awsenv_hook {
    \builtin local __awsenv_status="$?"
    if [[ -n ${AWSENV_AUTO_REFRESH-} ]] && __awsenv_flag AWSENV_AUTO_REFRESH && [[ -n ${AWSENV_PROFILE-} ]]; then
        __awsenv_refresh
    fi
    awsenv_prompt -v awsenv_ps1
    \builtin return "$__awsenv_status"
}

# __awsenv_refresh renews the active session when it has 5 minutes or less
# left. It tries once per profile and expiry: a failure is reported once,
# and a renewal that could not extend the session is not retried at every
# prompt.
function __awsenv_refresh {
    \builtin local __awsenv_p="$AWSENV_PROFILE" __awsenv_exp="${AWSENV_EXPIRES_AT-}" __awsenv_t='' __awsenv_out __awsenv_status=0
    __awsenv_number "$__awsenv_exp" || \builtin return 0
    __awsenv_now __awsenv_t || \builtin return 0
    if ((10#$__awsenv_exp - 10#$__awsenv_t > 300)); then
        \builtin return 0
    fi
    if [[ ${__awsenv_refreshed-} == "$__awsenv_p:$__awsenv_exp" ]]; then
        \builtin return 0
    fi
    __awsenv_refreshed=$__awsenv_p:$__awsenv_exp
    __awsenv_out=$(\command __AWSENV_EXE__ use --shell bash --no-input --timeout 5s -- "$__awsenv_p" 2>/dev/null) || __awsenv_status=$?
    if [[ $__awsenv_status -eq 0 ]]; then
        __awsenv_eval "$__awsenv_out"
    elif [[ $__awsenv_status -eq 4 ]]; then
        \builtin printf 'awsenv: %s needs a new MFA code: run awsenv use %s\n' "$__awsenv_p" "$__awsenv_p" >&2
    else
        \builtin printf 'awsenv: could not renew %s (exit %d): run awsenv use %s\n' "$__awsenv_p" "$__awsenv_status" "$__awsenv_p" >&2
    fi
}

# Add the hook to PROMPT_COMMAND once. Bash 5.1 and later also accept
# PROMPT_COMMAND as an array; the hook then becomes its first element.
function __awsenv_install_hook {
    \builtin local __awsenv_c
    for __awsenv_c in ${PROMPT_COMMAND[@]+"${PROMPT_COMMAND[@]}"}; do
        if [[ $__awsenv_c == *__awsenv_hook* ]]; then
            \builtin return 0
        fi
    done
    if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))) &&
        [[ -n ${PROMPT_COMMAND[*]+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
        PROMPT_COMMAND=(__awsenv_hook "${PROMPT_COMMAND[@]}")
    else
        # A string here (an array before bash 5.1 runs only its first element).
        # shellcheck disable=SC2128,SC2178
        PROMPT_COMMAND="__awsenv_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
    fi
}
__awsenv_install_hook

function __awsenv_complete {
    \builtin local cur="${COMP_WORDS[COMP_CWORD]-}" prev='' sub="${COMP_WORDS[1]-}" words='' line i
    if ((COMP_CWORD > 0)); then
        prev="${COMP_WORDS[COMP_CWORD - 1]}"
    fi
    COMPREPLY=()
    if ((COMP_CWORD == 1)); then
        words='use unset exec credential-process console list login logout sso sessions plugins init prompt doctor keys rotate explain version help'
    else
        case $prev in
        --shell) words='sh bash zsh fish powershell' ;;
        --mfa-code | --duration | --format | --wait | --region | --role-arn | --external-id | --session-name | --service | --browser-profile) \builtin return 0 ;;
        --profile | --source) words=$(\command __AWSENV_EXE__ list --names 2>/dev/null) ;;
        *)
            case $sub in
            use | credential-process | exec | console)
                if [[ $sub == exec ]] && i=$(__awsenv_after_dashdash); then
                    # awsenv exec PROFILE -- CMD ARGS: CMD is a command name,
                    # and ARGS are completed as CMD's own.
                    __awsenv_complete_command "$((i + 1))"
                    \builtin return
                elif [[ $cur == -* ]]; then
                    words='--mfa-code --duration --refresh --no-input --debug'
                    if [[ $sub == use ]]; then
                        words+=' --shell --region --role-arn --source --external-id --session-name'
                    elif [[ $sub == console ]]; then
                        words+=' --print --region --service --browser-profile'
                    elif [[ $sub == exec ]]; then
                        words+=' --region'
                    fi
                else
                    words=$(\command __AWSENV_EXE__ list --names 2>/dev/null)
                fi
                ;;
            unset) words='--shell' ;;
            login | logout)
                if [[ $cur == -* ]]; then
                    words='--sso-session --debug'
                    if [[ $sub == login ]]; then
                        words+=' --no-browser --force'
                    fi
                else
                    words=$(\command __AWSENV_EXE__ list --names 2>/dev/null)
                fi
                ;;
            doctor | keys | rotate)
                if [[ $cur == -* ]]; then
                    case $sub in
                    doctor) words='--json --debug' ;;
                    keys) words='--json --mfa-code --no-input --debug' ;;
                    rotate) words='--yes --delete-inactive --keep-old --wait --mfa-code --no-input --debug' ;;
                    esac
                else
                    words=$(\command __AWSENV_EXE__ list --names 2>/dev/null)
                fi
                ;;
            explain) words='--profile --json' ;;
            init) ((COMP_CWORD == 2)) && words='bash zsh fish powershell' ;;
            list) words='--json --names' ;;
            prompt) words='--format' ;;
            plugins) words='list --json' ;;
            sso) if ((COMP_CWORD == 2)); then words='populate'; else words='--sso-session --region --prefix --name --prune --dry-run'; fi ;;
            sessions)
                if ((COMP_CWORD == 2)); then
                    words='list clear'
                elif [[ ${COMP_WORDS[2]-} == clear ]]; then
                    words=$(\command __AWSENV_EXE__ list --names 2>/dev/null)
                fi
                ;;
            help) ((COMP_CWORD == 2)) && words='use unset exec credential-process console list login logout sso sessions plugins init prompt doctor keys rotate explain version' ;;
            esac
            ;;
        esac
    fi
    while IFS= \builtin read -r line; do
        COMPREPLY+=("$line")
    done < <(\builtin compgen -W "$words" -- "$cur")
}

# __awsenv_after_dashdash prints the index of the first "--" before the word
# being completed, and fails when there is none.
function __awsenv_after_dashdash {
    \builtin local i
    for ((i = 2; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == -- ]]; then
            \builtin printf '%s' "$i"
            \builtin return 0
        fi
    done
    \builtin return 1
}

# __awsenv_complete_command N completes the words from COMP_WORDS[N] on as a
# command line of their own, as `sudo` or `env` do: with bash-completion
# loaded, through its _comp_command_offset (or older _command_offset);
# otherwise the first word is a command name (compgen -c: functions,
# aliases, builtins and programs on PATH) and later words go to that
# command's `complete -F` function, else to filename completion.
function __awsenv_complete_command {
    \builtin local n="$1" cmd spec fn
    if \builtin declare -F _comp_command_offset >/dev/null; then
        _comp_command_offset "$n"
        \builtin return
    elif \builtin declare -F _command_offset >/dev/null; then
        _command_offset "$n"
        \builtin return
    fi
    \builtin local -a words
    words=("${COMP_WORDS[@]:n}")
    \builtin local cword="$((COMP_CWORD - n))" cur="${COMP_WORDS[COMP_CWORD]-}" line
    COMPREPLY=()
    if ((cword == 0)); then
        while IFS= \builtin read -r line; do
            COMPREPLY+=("$line")
        done < <(\builtin compgen -c -- "$cur" | LC_ALL=C \command sort -u)
        \builtin return 0
    fi
    cmd="${words[0]}"
    spec=$(\builtin complete -p -- "$cmd" 2>/dev/null) || spec=''
    fn=''
    if [[ $spec =~ [[:space:]]-F[[:space:]]+([^[:space:]]+) ]]; then
        fn="${BASH_REMATCH[1]}"
    fi
    if [[ -z $fn ]] || ! \builtin declare -F -- "$fn" >/dev/null; then
        \builtin compopt -o default 2>/dev/null
        \builtin return 0
    fi
    # The command's function sees its own command line, as if typed alone.
    \builtin local COMP_CWORD="$cword" COMP_LINE="${words[*]}" COMP_POINT
    COMP_POINT="${#COMP_LINE}"
    \builtin local -a COMP_WORDS
    COMP_WORDS=("${words[@]}")
    "$fn" "$cmd" "$cur" "${words[cword - 1]}"
}

\builtin complete -F __awsenv_complete awsenv
