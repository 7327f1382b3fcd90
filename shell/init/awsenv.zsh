# awsenv's zsh integration (zsh 5.3 or later). Load it from ~/.zshrc, after
# compinit if you use it (without compinit, completion falls back to compctl):
#
#     eval "$(awsenv init zsh)"
#
# `awsenv init zsh` prints this file with a placeholder replaced by the
# absolute path of the awsenv binary, quoted for zsh.
#
# It defines:
#
#   awsenv          `awsenv use PROFILE` and `awsenv unset` change this shell,
#                   no eval needed; a failing `use` changes nothing and
#                   returns awsenv's exit status. Other subcommands run the
#                   binary as they are.
#   awsenv_prompt   prints "prod 42m", "prod 3h05m", "prod expired", or
#                   nothing when no awsenv profile is active. It starts no
#                   process (the clock is $EPOCHSECONDS from zsh/datetime).
#                   `awsenv_prompt -v NAME` stores the text in NAME instead.
#   awsenv_ps1      a variable holding the same text with % doubled, updated
#                   before each prompt by the hook below: put it in PROMPT or
#                   RPROMPT with prompt_subst, e.g.
#
#                       setopt prompt_subst
#                       RPROMPT='${awsenv_ps1}'
#                       PROMPT='${awsenv_ps1:+[$awsenv_ps1] }'$PROMPT
#
#                   (PROMPT='$(awsenv_prompt) ...' works too, but every
#                   prompt then forks a subshell).
#   completion      subcommands, flags and profile names (awsenv list --names),
#                   with compdef when compinit is loaded, else compctl.
#   __awsenv_hook   in precmd_functions, once however often this file is
#                   loaded; it keeps $?, and forks nothing unless it has to
#                   renew credentials. It updates awsenv_ps1 and, with
#                   AWSENV_AUTO_REFRESH=1 (or true, yes, on) in the
#                   environment, renews the
#                   session in place when it has 5 minutes or less left
#                   (awsenv use "$AWSENV_PROFILE" --no-input --timeout 5s: a
#                   prompt waits 5 s at most). When a new MFA
#                   code is needed it says so once per session instead.
#
# AWSENV_NOW (epoch seconds), when set, replaces the clock (for tests).
#
# Every function runs with zsh's default options (emulate -L zsh), whatever
# the user's are, and calls builtins as \builtin or \command so aliases
# cannot hijack them.

\builtin unalias awsenv awsenv_prompt 2>/dev/null || \builtin true
\builtin zmodload zsh/datetime 2>/dev/null || \builtin true

function awsenv {
    \builtin emulate -L zsh
    case ${1-} in
    (use | unset) ;;
    (*)
        # AWSENV_SHELL_HOOK tells `awsenv doctor` the hook is loaded.
        AWSENV_SHELL_HOOK=zsh \command __AWSENV_EXE__ "$@"
        \builtin return
        ;;
    esac
    \builtin local __awsenv_arg
    for __awsenv_arg in "${@[2,-1]}"; do
        case $__awsenv_arg in
        (-h | -help | --help)
            # Help goes to stdout: show it, never evaluate it.
            \command __AWSENV_EXE__ "$@"
            \builtin return
            ;;
        esac
    done
    \builtin local __awsenv_out __awsenv_status=0
    __awsenv_out=$(\command __AWSENV_EXE__ "$1" --shell zsh "${@[2,-1]}") || __awsenv_status=$?
    if (( __awsenv_status == 0 )); then
        # Aliases off while evaluating, so an alias called export or unset
        # cannot change what it does (the option is local to this function).
        \builtin setopt no_aliases
        \builtin eval "$__awsenv_out"
    fi
    \builtin return $__awsenv_status
}

# __awsenv_number succeeds when $1 is a plain decimal number that fits the
# shell's arithmetic.
function __awsenv_number {
    \builtin emulate -L zsh
    [[ $1 == <-> && ${#1} -le 18 ]]
}

# __awsenv_now sets REPLY to the current time in epoch seconds, from
# $AWSENV_NOW when set, else from $EPOCHSECONDS (zsh/datetime): no fork.
function __awsenv_now {
    \builtin emulate -L zsh
    if [[ -n ${AWSENV_NOW-} ]]; then
        __awsenv_number "$AWSENV_NOW" || \builtin return 1
        REPLY=$AWSENV_NOW
    elif (( ${+EPOCHSECONDS} )); then
        REPLY=$EPOCHSECONDS
    else
        # Only if zsh was built without zsh/datetime.
        REPLY=$(\command date +%s)
        __awsenv_number "$REPLY"
    fi
}

function awsenv_prompt {
    \builtin emulate -L zsh
    \builtin local __awsenv_var='' __awsenv_text='' __awsenv_left REPLY=''
    if [[ ${1-} == -v ]]; then
        __awsenv_var=${2-}
    fi
    if [[ -n ${AWSENV_PROFILE-} ]]; then
        __awsenv_text=$AWSENV_PROFILE
        if __awsenv_number "${AWSENV_EXPIRES_AT-}" && __awsenv_now; then
            (( __awsenv_left = AWSENV_EXPIRES_AT - REPLY ))
            if (( __awsenv_left <= 0 )); then
                __awsenv_text+=" expired"
            elif (( __awsenv_left < 3600 )); then
                __awsenv_text+=" $(( __awsenv_left / 60 ))m"
            else
                \builtin printf -v __awsenv_left '%dh%02dm' $(( __awsenv_left / 3600 )) $(( __awsenv_left % 3600 / 60 ))
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

# __awsenv_flag NAME succeeds when the variable NAME holds a true value: 1,
# true, yes, on or y (t), in any case, with spaces around it. Unset, empty,
# 0, false, no, off and n (f) are false. Any other value counts as false
# too, and is reported on stderr once per shell and value.
function __awsenv_flag {
    \builtin emulate -L zsh
    \builtin setopt extended_glob
    \builtin local v="${(P)1-}"
    v="${(L)v}"
    v="${${v##[[:space:]]#}%%[[:space:]]#}"
    case $v in
    (1 | true | t | yes | y | on) \builtin return 0 ;;
    ('' | 0 | false | f | no | n | off) \builtin return 1 ;;
    esac
    if [[ ${__awsenv_warned-} != "$1=${(P)1}" ]]; then
        \builtin typeset -g __awsenv_warned="$1=${(P)1}"
        \builtin printf 'awsenv: %s=%s is not understood, so it counts as off. Write one of 1/0, true/false, yes/no, on/off, y/n (any case).\n' "$1" "${(q+)${(P)1}}" >&2
    fi
    \builtin return 1
}

function __awsenv_hook {
    \builtin local __awsenv_status="$?"
    \builtin emulate -L zsh
    if [[ -n ${AWSENV_AUTO_REFRESH-} ]] && __awsenv_flag AWSENV_AUTO_REFRESH && [[ -n ${AWSENV_PROFILE-} ]]; then
        __awsenv_refresh
    fi
    awsenv_prompt -v awsenv_ps1
    awsenv_ps1=${awsenv_ps1//\%/%%}
    \builtin return $__awsenv_status
}

# __awsenv_refresh renews the active session when it has 5 minutes or less
# left. It tries once per profile and expiry: a failure is reported once,
# and a renewal that could not extend the session is not retried at every
# prompt.
function __awsenv_refresh {
    \builtin emulate -L zsh
    \builtin local __awsenv_p="$AWSENV_PROFILE" __awsenv_exp="${AWSENV_EXPIRES_AT-}" __awsenv_out __awsenv_status=0 REPLY=''
    __awsenv_number "$__awsenv_exp" || \builtin return 0
    __awsenv_now || \builtin return 0
    (( __awsenv_exp - REPLY > 300 )) && \builtin return 0
    [[ ${__awsenv_refreshed-} == "$__awsenv_p:$__awsenv_exp" ]] && \builtin return 0
    __awsenv_refreshed=$__awsenv_p:$__awsenv_exp
    __awsenv_out=$(\command __AWSENV_EXE__ use --shell zsh --no-input --timeout 5s -- "$__awsenv_p" 2>/dev/null) || __awsenv_status=$?
    if (( __awsenv_status == 0 )); then
        \builtin setopt no_aliases
        \builtin eval "$__awsenv_out"
    elif (( __awsenv_status == 4 )); then
        \builtin printf 'awsenv: %s needs a new MFA code: run awsenv use %s\n' "$__awsenv_p" "$__awsenv_p" >&2
    else
        \builtin printf 'awsenv: could not renew %s (exit %d): run awsenv use %s\n' "$__awsenv_p" "$__awsenv_status" "$__awsenv_p" >&2
    fi
    \builtin return 0
}

# __awsenv_candidates CWORD WORD... sets reply to what may complete word
# number CWORD of the command line WORD... (awsenv is word 1).
function __awsenv_candidates {
    \builtin emulate -L zsh
    \builtin local cword="$1"
    shift
    \builtin local cur="${argv[cword]-}" prev="${argv[cword-1]-}" sub="${argv[2]-}"
    reply=()
    if (( cword <= 2 )); then
        reply=(use unset exec credential-process console list login logout sso sessions plugins init prompt doctor keys rotate explain version help)
        \builtin return
    fi
    case $prev in
    (--shell) reply=(sh bash zsh fish powershell); \builtin return ;;
    (--mfa-code | --duration | --format | --wait | --region | --role-arn | --external-id | --session-name | --service | --browser-profile) \builtin return ;;
    (--profile | --source) reply=(${(f)"$(\command __AWSENV_EXE__ list --names 2>/dev/null)"}); \builtin return ;;
    esac
    case $sub in
    (use | credential-process | exec | console)
        if [[ $cur == -* ]]; then
            reply=(--mfa-code --duration --refresh --no-input --debug)
            [[ $sub == use ]] && reply+=(--shell --region --role-arn --source --external-id --session-name)
            [[ $sub == console ]] && reply+=(--print --region --service --browser-profile)
            [[ $sub == exec ]] && reply+=(--region)
        else
            reply=(${(f)"$(\command __AWSENV_EXE__ list --names 2>/dev/null)"})
        fi
        ;;
    (unset) reply=(--shell) ;;
    (login | logout)
        if [[ $cur == -* ]]; then
            reply=(--sso-session --debug)
            [[ $sub == login ]] && reply+=(--no-browser --force)
        else
            reply=(${(f)"$(\command __AWSENV_EXE__ list --names 2>/dev/null)"})
        fi
        ;;
    (doctor | keys | rotate)
        if [[ $cur == -* ]]; then
            case $sub in
            (doctor) reply=(--json --debug) ;;
            (keys) reply=(--json --mfa-code --no-input --debug) ;;
            (rotate) reply=(--yes --delete-inactive --keep-old --wait --mfa-code --no-input --debug) ;;
            esac
        else
            reply=(${(f)"$(\command __AWSENV_EXE__ list --names 2>/dev/null)"})
        fi
        ;;
    (explain) reply=(--profile --json) ;;
    (init) (( cword == 3 )) && reply=(bash zsh fish powershell) ;;
    (list) reply=(--json --names) ;;
    (prompt) reply=(--format) ;;
    (plugins) reply=(list --json) ;;
    (sso) if (( cword == 3 )); then reply=(populate); else reply=(--sso-session --region --prefix --name --prune --dry-run); fi ;;
    (sessions)
        if (( cword == 3 )); then
            reply=(list clear)
        elif [[ ${argv[3]-} == clear ]]; then
            reply=(${(f)"$(\command __AWSENV_EXE__ list --names 2>/dev/null)"})
        fi
        ;;
    (help) (( cword == 3 )) && reply=(use unset exec credential-process console list login logout sso sessions plugins init prompt doctor keys rotate explain version) ;;
    esac
    \builtin return 0
}

# Completion with compinit (compsys).
function __awsenv_complete {
    \builtin emulate -L zsh
    \builtin local -a reply
    \builtin local i="${words[(i)--]}"
    if [[ ${words[2]-} == exec ]] && (( i < CURRENT )); then
        # awsenv exec PROFILE -- CMD...: complete CMD as a command line.
        words=("${(@)words[i+1,-1]}")
        (( CURRENT -= i ))
        _normal
        \builtin return
    fi
    __awsenv_candidates $CURRENT "${(@)words}"
    compadd -a reply
}

# Completion without compinit (compctl -K).
function __awsenv_compctl {
    \builtin emulate -L zsh
    \builtin local -a words
    \builtin local cword
    \builtin read -cA words
    \builtin read -cn cword
    __awsenv_candidates $cword "${(@)words}"
}

# Register the hook and the completion once, under zsh's default options.
() {
    \builtin emulate -L zsh
    \builtin typeset -ga precmd_functions
    if (( ! ${precmd_functions[(Ie)__awsenv_hook]} )); then
        precmd_functions+=(__awsenv_hook)
    fi
    \builtin typeset -g awsenv_ps1=${awsenv_ps1-}
    if (( ${+functions[compdef]} )); then
        compdef __awsenv_complete awsenv
    else
        \builtin compctl -K __awsenv_compctl awsenv 2>/dev/null || \builtin true
    fi
}
