# awsenv's fish integration (fish 3.4 or later). Load it from
# ~/.config/fish/config.fish:
#
#     awsenv init fish | source
#
# `awsenv init fish` prints this file with a placeholder replaced by the
# absolute path of the awsenv binary, quoted for fish.
#
# It defines:
#
#   awsenv          `awsenv use PROFILE` and `awsenv unset` change this shell,
#                   no `| source` needed; a failing `use` changes nothing and
#                   returns awsenv's exit status. Other subcommands run the
#                   binary as they are.
#   awsenv_prompt   prints "prod 42m", "prod 3h05m", "prod expired", or
#                   nothing when no awsenv profile is active. Put it in a
#                   prompt function (fish runs functions without forking):
#
#                       function fish_right_prompt
#                           awsenv_prompt
#                       end
#
#                   or, in fish_prompt: set -l aws (awsenv_prompt)
#   completion      subcommands, flags and profile names (awsenv list --names).
#   __awsenv_hook   runs on the fish_prompt event (one handler however often
#                   this file is loaded; event handlers leave $status alone).
#                   With AWSENV_AUTO_REFRESH=1 (or true, yes, on) in the
#                   environment it renews
#                   the session in place when it has 5 minutes or less left
#                   (awsenv use "$AWSENV_PROFILE" --no-input --timeout 5s: a
#                   prompt waits 5 s at most); when a new MFA
#                   code is needed it says so once per session instead.
#
# The clock. fish 3.6 has no builtin that tells the time: no $EPOCHSECONDS,
# no printf %(...)T, nothing in `status`; `date` is an external command. So
# on Linux the time is read from two files with builtins alone, no fork:
# the boot time in seconds since the epoch (btime in /proc/stat) plus the
# seconds since boot (/proc/uptime), which is the current time to within
# two seconds. Once per shell, the first time the clock is needed, that sum
# is checked against `date +%s` (one fork), because a container may
# virtualize /proc/uptime alone; if they disagree, or on systems without
# /proc (macOS, the BSDs), every reading runs `date +%s`, one fork each.
# AWSENV_NOW (epoch seconds), when set, replaces the clock (for tests).
#
# Builtins that a function could shadow (source, printf, math, complete...)
# are called as `builtin NAME`; the binary is called with `command`.

function awsenv --description 'awsenv: switch AWS profiles (use and unset change this shell)'
    switch "$argv[1]"
        case use unset
        case '*'
            # AWSENV_SHELL_HOOK tells `awsenv doctor` the hook is loaded.
            AWSENV_SHELL_HOOK=fish command __AWSENV_EXE__ $argv
            return $status
    end
    for __awsenv_arg in $argv[2..-1]
        switch $__awsenv_arg
            case -h -help --help
                # Help goes to stdout: show it, never source it.
                command __AWSENV_EXE__ $argv
                return $status
        end
    end
    set -l __awsenv_out (command __AWSENV_EXE__ $argv[1] --shell fish $argv[2..-1])
    set -l __awsenv_status $status
    if test $__awsenv_status -eq 0
        builtin string join \n -- $__awsenv_out | builtin source
    end
    return $__awsenv_status
end

# __awsenv_flag NAME succeeds when the variable NAME holds a true value: 1,
# true, yes, on or y (t), in any case, with spaces around it. Unset, empty,
# 0, false, no, off and n (f) are false. Any other value counts as false
# too, and is reported on stderr once per shell and value.
function __awsenv_flag
    set -l __awsenv_v (builtin string trim -- "$$argv[1]" | builtin string lower)
    switch "$__awsenv_v"
        case 1 true t yes y on
            return 0
        case '' 0 false f no n off
            return 1
    end
    set -l __awsenv_shown "$argv[1]="(builtin string escape -- "$$argv[1]")
    if test "$__awsenv_warned" != "$__awsenv_shown"
        set -g __awsenv_warned "$__awsenv_shown"
        builtin printf 'awsenv: %s is not understood, so it counts as off. Write one of 1/0, true/false, yes/no, on/off, y/n (any case).\n' "$__awsenv_shown" >&2
    end
    return 1
end

# __awsenv_number succeeds when $argv[1] is a plain decimal number.
function __awsenv_number
    builtin string match -qr '^[0-9]{1,18}$' -- "$argv[1]"
end

# __awsenv_proc_clock prints btime + uptime from /proc (Linux), no fork.
function __awsenv_proc_clock
    test -r /proc/uptime -a -r /proc/stat; or return 1
    set -l __awsenv_up (builtin string split -f1 ' ' </proc/uptime)
    set __awsenv_up (builtin string split -f1 . -- "$__awsenv_up")
    set -l __awsenv_boot (builtin string match -rg '^btime ([0-9]+)$' </proc/stat)
    __awsenv_number "$__awsenv_up"; and __awsenv_number "$__awsenv_boot"; or return 1
    builtin math "$__awsenv_boot + $__awsenv_up"
end

# __awsenv_now prints the current time in epoch seconds (see "The clock").
function __awsenv_now
    if test -n "$AWSENV_NOW"
        __awsenv_number "$AWSENV_NOW"; or return 1
        builtin printf '%s\n' $AWSENV_NOW
        return 0
    end
    if test "$__awsenv_clock" = proc
        set -l __awsenv_t (__awsenv_proc_clock)
        and builtin printf '%s\n' $__awsenv_t
        and return 0
    else if not set -q __awsenv_clock
        set -g __awsenv_clock date
        set -l __awsenv_t (__awsenv_proc_clock)
        and set -l __awsenv_d (command date +%s)
        and __awsenv_number "$__awsenv_d"
        and test (builtin math "abs($__awsenv_d - $__awsenv_t)") -le 5
        and set -g __awsenv_clock proc
        if __awsenv_number "$__awsenv_d"
            builtin printf '%s\n' $__awsenv_d
            return 0
        end
    end
    command date +%s
end

function awsenv_prompt --description 'awsenv: the active profile and its time left, e.g. prod 42m'
    test -n "$AWSENV_PROFILE"; or return 0
    set -l __awsenv_text $AWSENV_PROFILE
    set -l __awsenv_t
    if __awsenv_number "$AWSENV_EXPIRES_AT"
        and set __awsenv_t (__awsenv_now)
        and __awsenv_number "$__awsenv_t"
        set -l __awsenv_left (builtin math "$AWSENV_EXPIRES_AT - $__awsenv_t")
        if test $__awsenv_left -le 0
            set __awsenv_text "$__awsenv_text expired"
        else if test $__awsenv_left -lt 3600
            set __awsenv_text "$__awsenv_text "(builtin math -s0 "$__awsenv_left / 60")m
        else
            set __awsenv_text "$__awsenv_text "(builtin printf '%dh%02dm' (builtin math -s0 "$__awsenv_left / 3600") (builtin math -s0 "$__awsenv_left % 3600 / 60"))
        end
    end
    builtin printf '%s' "$__awsenv_text"
end

# __awsenv_hook renews the active session when it has 5 minutes or less
# left. It tries once per profile and expiry: a failure is reported once,
# and a renewal that could not extend the session is not retried at every
# prompt.
function __awsenv_hook --on-event fish_prompt
    test -n "$AWSENV_AUTO_REFRESH"; and __awsenv_flag AWSENV_AUTO_REFRESH; and test -n "$AWSENV_PROFILE"; or return 0
    __awsenv_number "$AWSENV_EXPIRES_AT"; or return 0
    set -l __awsenv_t (__awsenv_now)
    __awsenv_number "$__awsenv_t"; or return 0
    test (builtin math "$AWSENV_EXPIRES_AT - $__awsenv_t") -gt 300; and return 0
    set -l __awsenv_p $AWSENV_PROFILE
    test "$__awsenv_refreshed" = "$__awsenv_p:$AWSENV_EXPIRES_AT"; and return 0
    set -g __awsenv_refreshed "$__awsenv_p:$AWSENV_EXPIRES_AT"
    set -l __awsenv_out (command __AWSENV_EXE__ use --shell fish --no-input --timeout 5s -- $__awsenv_p 2>/dev/null)
    set -l __awsenv_status $status
    if test $__awsenv_status -eq 0
        builtin string join \n -- $__awsenv_out | builtin source
    else if test $__awsenv_status -eq 4
        builtin printf 'awsenv: %s needs a new MFA code: run awsenv use %s\n' $__awsenv_p $__awsenv_p >&2
    else
        builtin printf 'awsenv: could not renew %s (exit %d): run awsenv use %s\n' $__awsenv_p $__awsenv_status $__awsenv_p >&2
    end
    return 0
end

function __awsenv_profiles
    command __AWSENV_EXE__ list --names 2>/dev/null
end

# __awsenv_exec_complete completes what follows `awsenv exec PROFILE --` as
# a command line of its own: a command name, then that command's arguments.
function __awsenv_exec_complete
    set -l __awsenv_words (commandline -opc)
    set -l __awsenv_i (contains -i -- -- $__awsenv_words); or return 0
    set -l __awsenv_rest
    if test $__awsenv_i -lt (count $__awsenv_words)
        set __awsenv_rest (builtin string escape -- $__awsenv_words[(builtin math $__awsenv_i + 1)..-1])
    end
    builtin complete -C (builtin string join ' ' -- $__awsenv_rest (commandline -ct))
end

# Completion: erased first, so loading this file twice defines it once.
builtin complete -c awsenv -e
builtin complete -c awsenv -f
builtin complete -c awsenv -n __fish_use_subcommand -a use -d 'export credentials for PROFILE into this shell'
builtin complete -c awsenv -n __fish_use_subcommand -a unset -d 'remove the credentials use exported'
builtin complete -c awsenv -n __fish_use_subcommand -a exec -d 'run a command with the credentials of PROFILE'
builtin complete -c awsenv -n __fish_use_subcommand -a credential-process -d 'print credential_process JSON'
builtin complete -c awsenv -n __fish_use_subcommand -a console -d 'open the AWS console as PROFILE'
builtin complete -c awsenv -n __fish_use_subcommand -a list -d 'show your profiles'
builtin complete -c awsenv -n __fish_use_subcommand -a login -d 'sign in to IAM Identity Center (SSO)'
builtin complete -c awsenv -n __fish_use_subcommand -a logout -d 'sign out of IAM Identity Center (SSO)'
builtin complete -c awsenv -n __fish_use_subcommand -a sso -d 'IAM Identity Center tools: sso populate writes a profile per account and role'
builtin complete -c awsenv -n __fish_use_subcommand -a sessions -d 'list or clear cached sessions'
builtin complete -c awsenv -n __fish_use_subcommand -a plugins -d 'list the MFA providers'
builtin complete -c awsenv -n __fish_use_subcommand -a init -d 'print the shell integration'
builtin complete -c awsenv -n __fish_use_subcommand -a prompt -d 'print the profile and time left'
builtin complete -c awsenv -n __fish_use_subcommand -a doctor -d 'check a profile end to end, with fixes'
builtin complete -c awsenv -n __fish_use_subcommand -a keys -d 'list the access keys of the user behind PROFILE'
builtin complete -c awsenv -n __fish_use_subcommand -a rotate -d 'replace the access key of PROFILE safely'
builtin complete -c awsenv -n __fish_use_subcommand -a explain -d 'explain an AWS error and its fix'
builtin complete -c awsenv -n __fish_use_subcommand -a version -d 'print the version'
builtin complete -c awsenv -n __fish_use_subcommand -a help -d 'show help'
builtin complete -c awsenv -n '__fish_seen_subcommand_from use exec credential-process console login logout doctor keys rotate; and not __fish_seen_subcommand_from --' -a '(__awsenv_profiles)'
builtin complete -c awsenv -n '__fish_seen_subcommand_from login logout' -l sso-session -x -d 'an [sso-session NAME] section'
builtin complete -c awsenv -n '__fish_seen_subcommand_from login' -l no-browser -d 'print the URL, open no browser'
builtin complete -c awsenv -n '__fish_seen_subcommand_from login' -l force -d 'sign in again in the browser'
builtin complete -c awsenv -n '__fish_seen_subcommand_from doctor keys explain' -l json -d 'print JSON'
builtin complete -c awsenv -n '__fish_seen_subcommand_from explain' -l profile -x -a '(__awsenv_profiles)' -d 'the profile the failed command used'
builtin complete -c awsenv -n '__fish_seen_subcommand_from keys rotate' -l mfa-code -x -d 'MFA code'
builtin complete -c awsenv -n '__fish_seen_subcommand_from rotate' -l yes -d 'do not ask for confirmation'
builtin complete -c awsenv -n '__fish_seen_subcommand_from rotate' -l delete-inactive -d 'delete the other, inactive key first'
builtin complete -c awsenv -n '__fish_seen_subcommand_from rotate' -l keep-old -d 'leave the old key inactive'
builtin complete -c awsenv -n '__fish_seen_subcommand_from rotate' -l wait -x -d 'how long to wait for the new key'
builtin complete -c awsenv -n '__fish_seen_subcommand_from exec; and __fish_seen_subcommand_from --' -x -a '(__awsenv_exec_complete)'
builtin complete -c awsenv -n '__fish_seen_subcommand_from use unset' -l shell -x -a 'sh bash zsh fish powershell' -d 'shell to print code for'
builtin complete -c awsenv -n '__fish_seen_subcommand_from use exec console' -l region -x -d 'region for this switch'
builtin complete -c awsenv -n '__fish_seen_subcommand_from use' -l role-arn -x -d 'ad-hoc role: ARN or ACCOUNT:ROLE'
builtin complete -c awsenv -n '__fish_seen_subcommand_from use' -l source -x -a '(__awsenv_profiles)' -d 'profile that assumes --role-arn'
builtin complete -c awsenv -n '__fish_seen_subcommand_from use' -l external-id -x -d 'external id of --role-arn'
builtin complete -c awsenv -n '__fish_seen_subcommand_from use' -l session-name -x -d 'role session name of --role-arn'
builtin complete -c awsenv -n '__fish_seen_subcommand_from console' -l service -x -d 'console service or /path'
builtin complete -c awsenv -n '__fish_seen_subcommand_from console' -l browser-profile -x -d 'Chrome/Chromium/Firefox profile'
builtin complete -c awsenv -n '__fish_seen_subcommand_from use exec credential-process console' -l mfa-code -x -d 'MFA code'
builtin complete -c awsenv -n '__fish_seen_subcommand_from use exec credential-process console' -l duration -x -d 'session duration'
builtin complete -c awsenv -n '__fish_seen_subcommand_from use exec credential-process console' -l refresh -d 'get new credentials'
builtin complete -c awsenv -n '__fish_seen_subcommand_from use exec credential-process console' -l no-input -d 'never ask a person for an MFA code'
builtin complete -c awsenv -n '__fish_seen_subcommand_from console' -l print -d 'print the sign-in URL'
builtin complete -c awsenv -l debug -d 'explain each step on stderr'
builtin complete -c awsenv -n '__fish_seen_subcommand_from init' -x -a 'bash zsh fish powershell'
builtin complete -c awsenv -n '__fish_seen_subcommand_from list' -l json -d 'print JSON'
builtin complete -c awsenv -n '__fish_seen_subcommand_from list' -l names -d 'print only the names'
builtin complete -c awsenv -n '__fish_seen_subcommand_from prompt' -l format -x -d 'Go template'
builtin complete -c awsenv -n '__fish_seen_subcommand_from plugins' -a list
builtin complete -c awsenv -n '__fish_seen_subcommand_from plugins' -l json -d 'print JSON'
builtin complete -c awsenv -n '__fish_seen_subcommand_from sessions; and not __fish_seen_subcommand_from list clear' -a 'list clear'
builtin complete -c awsenv -n '__fish_seen_subcommand_from sso; and not __fish_seen_subcommand_from populate' -a populate
builtin complete -c awsenv -n '__fish_seen_subcommand_from populate' -a '--sso-session --region --prefix --name --prune --dry-run'
builtin complete -c awsenv -n '__fish_seen_subcommand_from clear' -a '(__awsenv_profiles)'
