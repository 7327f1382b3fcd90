#!/usr/bin/env bash
# Install awsenv: build it from this checkout with the Go toolchain (or take
# prebuilt binaries from AWSENV_BIN), put awsenv and its helpers awsenv-helper and awsenv-helper-full
# into $PREFIX/bin (default ~/.local/bin), and add awsenv's shell integration
# (`awsenv init SHELL`) to your shell's rc file, between the marker lines
# "# >>> awsenv >>>" and "# <<< awsenv <<<". Run ./install.sh --help for the
# options. Everything it reports goes to stderr; stdout stays empty.

# This script writes shell code for other shells: "$PATH" and "$HOME" in
# single quotes are meant literally.
# shellcheck disable=SC2016
set -euo pipefail
# Byte-wise reading and matching of rc files, whatever the user's locale.
export LC_ALL=C

me=install.sh
binaries=(awsenv awsenv-helper awsenv-helper-full)
begin_marker='# >>> awsenv >>>'
end_marker='# <<< awsenv <<<'
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { printf '%s: %s\n' "$me" "$*" >&2; }
die() { say "$*"; exit 1; }
usage_error() { say "$*"; say "try: $0 --help"; exit 2; }

usage() {
  cat <<'EOF'
Usage: ./install.sh [--shell bash|zsh|fish|powershell] [--no-modify-rc]
       ./install.sh --uninstall [--shell bash|zsh|fish] [--no-modify-rc]

Builds awsenv and its two helpers from this checkout with the Go toolchain (Go
1.26 or later), installs them into $PREFIX/bin, and adds awsenv's shell
integration to your shell's rc file:

  bash  ~/.bashrc                                  eval "$(awsenv init bash)"
  zsh   ${ZDOTDIR:-$HOME}/.zshrc                   eval "$(awsenv init zsh)"
  fish  ${XDG_CONFIG_HOME:-~/.config}/fish/config.fish   awsenv init fish | source

The line names awsenv by its absolute path ("$HOME/..." when it is under
your home), so it works before PATH is set up. If the install directory is not
on your PATH, a line adding it comes with it. Both sit between the lines
"# >>> awsenv >>>" and "# <<< awsenv <<<": running install.sh again
changes nothing (or updates that block in place), and --uninstall removes
exactly those lines and leaves the rest of the file byte for byte as it was.
Lines you added inside the block yourself are kept: --uninstall (and an
update) moves them out of it, in their order, where the block was (after the
new block) and says so.
Before it changes an rc file it copies it to FILE.awsenv-backup-YYYYmmddHHMMSS
beside it, writes the new file beside the old one and renames it into place
(keeping its mode; a symlinked rc file stays a link and its target is edited),
and it reports the file, the lines added or removed, and the backup.
It checks every rc file it would change before it installs or removes
anything: a read-only rc file (no write permission for its owner, even for
root) means "do not touch", and install.sh then stops with the fix
(chmod u+w FILE, or --no-modify-rc and the lines to add by hand), having
changed nothing.

Options:
  --shell NAME     the shell to set up: bash, zsh, fish, or powershell (which
                   only prints the line for your $PROFILE). Default: the
                   basename of $SHELL; for a shell it does not know, install.sh
                   prints the line to add by hand and changes no rc file.
  --no-modify-rc   install (or uninstall) the binaries only; leave rc files alone.
  --uninstall      remove awsenv and its helpers from $PREFIX/bin and the
                   awsenv block from the bash, zsh and fish rc files (only
                   from NAME's with --shell NAME).
  -h, --help       this text.

Environment:
  PREFIX       install into $PREFIX/bin (default: ~/.local, so ~/.local/bin).
  AWSENV_BIN   a directory with prebuilt awsenv, awsenv-helper and awsenv-helper-full
               instead of building (build them with: go build -o DIR/ ./cmd/...).
  SHELL, ZDOTDIR, XDG_CONFIG_HOME   choose the shell and find its rc file.
  XDG_STATE_HOME   where --uninstall looks for awsenv's cached sessions (it
               prints the command that deletes them; it never deletes them).
EOF
}

uninstall=0
modify_rc=1
shell_opt=
while [ $# -gt 0 ]; do
  case $1 in
    --uninstall) uninstall=1 ;;
    --no-modify-rc) modify_rc=0 ;;
    --shell)
      [ $# -ge 2 ] || usage_error "--shell needs a name: bash, zsh, fish or powershell"
      shell_opt=$2
      shift ;;
    --shell=*) shell_opt=${1#--shell=} ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown option $1" ;;
  esac
  shift
done
case $shell_opt in
  ""|bash|zsh|fish|powershell|pwsh) ;;
  *) usage_error "--shell $shell_opt: install.sh knows bash, zsh, fish and powershell" ;;
esac

prefix=${PREFIX:-$HOME/.local}
case $prefix in /*) ;; *) prefix=$PWD/$prefix ;; esac
while [ "${#prefix}" -gt 1 ] && [ "${prefix%/}" != "$prefix" ]; do prefix=${prefix%/}; done
bindir=${prefix%/}/bin

work=
rc_tmp=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  if [ -n "$rc_tmp" ]; then rm -f -- "$rc_tmp"; fi
  if [ -n "$work" ]; then rm -rf -- "$work"; fi
}
trap cleanup EXIT

bindir_on_path() {
  case ":$PATH:" in *":$bindir:"*) return 0 ;; esac
  return 1
}

# --- quoting: each function prints a word its shell expands to the path $1 --

# A path under $HOME is written "$HOME/..." so that rc files shared across
# machines (dotfile managers) keep working; any other path is single-quoted.
under_home() {
  [ -n "${HOME:-}" ] && [ "$HOME" != / ] || return 1
  case $1 in "$HOME"/*) return 0 ;; esac
  return 1
}

sh_word() {
  if under_home "$1"; then
    printf '"$HOME/%s"' "$(printf '%s' "${1#"$HOME"/}" | sed 's/[\\"$`]/\\&/g')"
  else
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
  fi
}

fish_word() {
  if under_home "$1"; then
    printf '"$HOME/%s"' "$(printf '%s' "${1#"$HOME"/}" | sed 's/[\\"$]/\\&/g')"
  else
    printf "'%s'" "$(printf '%s' "$1" | sed "s/[\\\\']/\\\\&/g")"
  fi
}

ps_word() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}

# The lines that set up shell $1, without markers.
setup_lines() {
  local exe=$bindir/awsenv
  case $1 in
    bash|zsh)
      if ! bindir_on_path; then
        printf 'case ":$PATH:" in *:%s:*) ;; *) export PATH=%s:"$PATH" ;; esac\n' "$(sh_word "$bindir")" "$(sh_word "$bindir")"
      fi
      printf 'eval "$(%s init %s)"\n' "$(sh_word "$exe")" "$1" ;;
    fish)
      if ! bindir_on_path; then
        printf 'contains -- %s $PATH; or set -gx PATH %s $PATH\n' "$(fish_word "$bindir")" "$(fish_word "$bindir")"
      fi
      printf '%s init fish | source\n' "$(fish_word "$exe")" ;;
    powershell|pwsh)
      printf '& %s init powershell | Out-String | Invoke-Expression\n' "$(ps_word "$exe")" ;;
  esac
}

rc_path() {
  case $1 in
    bash) printf '%s\n' "$HOME/.bashrc" ;;
    zsh) printf '%s\n' "${ZDOTDIR:-$HOME}/.zshrc" ;;
    fish) printf '%s\n' "${XDG_CONFIG_HOME:-$HOME/.config}/fish/config.fish" ;;
  esac
}

# The whole block for shell $1, one line per line, no final newline.
rc_block() {
  printf '%s\n' "$begin_marker"
  printf '%s\n' "# Added by awsenv's install.sh; remove with: install.sh --uninstall"
  setup_lines "$1"
  printf '%s' "$end_marker"
}

# Prints the lines to add by hand for each shell.
manual_lines() {
  local sh
  for sh in "$@"; do
    case $sh in
      powershell|pwsh) printf '  PowerShell, in $PROFILE:\n' >&2 ;;
      *) printf '  %s, in %s:\n' "$sh" "$(rc_path "$sh")" >&2 ;;
    esac
    setup_lines "$sh" | sed 's/^/      /' >&2
  done
}

# is_awsenv_line LINE: LINE is one install.sh writes inside the block (for
# any PREFIX); any other line there was added by the user.
is_awsenv_line() {
  local l=$1 w
  case $l in
    "# Added by awsenv's install.sh; remove with: install.sh --uninstall") return 0 ;;
    'case ":$PATH:" in *:'*':*) ;; *) export PATH='*':"$PATH" ;; esac')
      w=${l#'case ":$PATH:" in *:'}
      w=${w%%':*) ;; *) export PATH='*}
      [ "$l" = 'case ":$PATH:" in *:'"$w"':*) ;; *) export PATH='"$w"':"$PATH" ;; esac' ]
      return ;;
    'contains -- '*' $PATH; or set -gx PATH '*' $PATH')
      w=${l#'contains -- '}
      w=${w%%' $PATH; or set -gx PATH '*}
      [ "$l" = "contains -- $w \$PATH; or set -gx PATH $w \$PATH" ]
      return ;;
    'eval "$('*' init bash)"' | 'eval "$('*' init zsh)"')
      w=${l#'eval "$('}
      w=${w% init *} ;;
    *' init fish | source') w=${l% init fish | source} ;;
    *) return 1 ;;
  esac
  # The awsenv binary, by any path, quoted as setup_lines quotes it.
  case $w in awsenv | *'/awsenv"' | *"/awsenv'") return 0 ;; esac
  return 1
}

# Follows symlinks to the file they name (readlink -f is not everywhere).
resolve() {
  local p=$1 t n=0
  while [ -L "$p" ]; do
    t=$(readlink -- "$p")
    case $t in /*) p=$t ;; *) p=$(dirname -- "$p")/$t ;; esac
    n=$((n + 1))
    [ "$n" -lt 40 ] || { say "$1: too many levels of symbolic links"; return 1; }
  done
  printf '%s\n' "$p"
}

# Copies $2 (the file $1 resolves to) to $1.awsenv-backup-TIMESTAMP, never
# over an existing file; sets $backup.
make_backup() {
  local base n=0
  base=$1.awsenv-backup-$(date +%Y%m%d%H%M%S)
  backup=$base
  while [ -e "$backup" ] || [ -L "$backup" ]; do
    n=$((n + 1))
    backup=$base-$n
  done
  cp -p -- "$2" "$backup" || { backup=; return 1; }
}

# rc_writable FILE SHOWN SHELL MODE: succeeds when install.sh may replace the
# rc file FILE (SHOWN names it for people; it may not exist yet); else says
# why and how to fix it. A file without write permission for its owner is
# the user's "do not touch", also for root, who could write it anyway.
rc_writable() {
  local f=$1 shown=$2 sh=$3 mode=$4 dir why
  if [ -e "$f" ] && [ -z "$(find "$f" -prune -perm -u=w 2>/dev/null)" ]; then
    why="$shown is read-only, which install.sh takes as \"do not touch\""
  elif [ -e "$f" ] && [ ! -w "$f" ]; then
    why="$shown is not writable by you ($(id -un 2>/dev/null || echo you))"
  else
    dir=$(dirname -- "$f")
    while [ ! -e "$dir" ]; do dir=$(dirname -- "$dir"); done
    if [ -w "$dir" ] && [ -d "$dir" ]; then return 0; fi
    why="the directory $dir is not writable, so $shown cannot be replaced there"
  fi
  say "$why: nothing was $( [ "$mode" = add ] && echo installed || echo removed ) and no file was changed."
  if [ -e "$f" ]; then
    say "To let install.sh change it: chmod u+w $(sh_word "$f"), then run install.sh again. Or leave it alone:"
  fi
  if [ "$mode" = add ]; then
    say "run install.sh --no-modify-rc and add these lines to $shown yourself:"
    manual_lines "$sh"
  else
    say "run install.sh --uninstall --no-modify-rc and remove the awsenv block from $shown yourself."
  fi
  return 1
}

# Replaces the file $1 with the content $2: a temporary file in the same
# directory, with the old file's mode (and owner, as root), renamed over it.
write_file() {
  local f=$1 dir
  # Called from "edit_rc || ...", where set -e does not apply: every step
  # is checked.
  dir=$(dirname -- "$f")
  mkdir -p -- "$dir" || return 1
  rc_tmp=$(mktemp "$dir/.$(basename -- "$f").awsenv-XXXXXX") || return 1
  if [ -e "$f" ]; then
    cp -p -- "$f" "$rc_tmp" || return 1
  else
    chmod "$(printf '%o' $((0666 & ~0$(umask))))" "$rc_tmp" || return 1
  fi
  printf '%s' "$2" >"$rc_tmp" || return 1
  mv -f -- "$rc_tmp" "$f" || return 1
  rc_tmp=
}

show() { # prefix, lines
  printf '%s\n' "$2" | sed "s/^/    $1 /" >&2
}

# edit_rc add|remove SHELL [check]: adds, updates or removes the awsenv block
# in SHELL's rc file. The file is read line by line and written back with the
# same line ends: it ends in a newline afterwards exactly when it did before,
# so --uninstall gives back the original bytes. Lines the user added inside
# the block are kept, moved out of it (see is_awsenv_line). With "check" it
# changes nothing and reports only problems: it fails when the file could not
# be changed as needed (a broken block, a file that is read-only or not
# writable), so that install.sh stops before it installs or removes anything.
edit_rc() {
  local mode=$1 sh=$2 check=${3:-} rc target new_block="" line trimmed out="" cur="" old="" removed=""
  local eol=1 lineno=0 in_block=0 start=0 blocks=0 manual="" what link="" mine="" theirs="" kept=""
  rc=$(rc_path "$sh")
  target=$(resolve "$rc") || return 1
  if [ "$target" != "$rc" ]; then link=" (a link to $target)"; fi
  if [ "$mode" = add ]; then new_block=$(rc_block "$sh"); fi
  if [ -e "$target" ]; then
    if [ ! -f "$target" ]; then say "$rc$link is not a regular file; not changed"; return 1; fi
    if [ -n "$(tail -c 1 -- "$target")" ]; then eol=0; fi
    while IFS= read -r line || [ -n "$line" ]; do
      lineno=$((lineno + 1))
      if [ "$in_block" = 1 ]; then
        cur+=$'\n'$line
        if [ "$line" = "$end_marker" ]; then
          in_block=0
          blocks=$((blocks + 1))
          mine+=$'\n'$line
          if [ "$mode" = add ] && [ "$blocks" = 1 ]; then
            old=$cur
            out+=$new_block$'\n'
            if [ "$mine" != "$new_block" ]; then removed+=${removed:+$'\n'}$mine; fi
          else
            removed+=${removed:+$'\n'}$mine
          fi
          if [ -n "$theirs" ]; then
            out+=$theirs
            kept+=$theirs
          fi
        elif is_awsenv_line "$line"; then
          mine+=$'\n'$line
        else
          theirs+=$line$'\n'
        fi
        continue
      fi
      if [ "$line" = "$begin_marker" ]; then
        in_block=1 start=$lineno cur=$line mine=$line theirs=
        continue
      fi
      if [ "$line" = "$end_marker" ]; then
        say "$rc$link not changed: line $lineno is \"$end_marker\" without \"$begin_marker\" before it; fix that by hand"
        return 1
      fi
      trimmed=${line#"${line%%[![:space:]]*}"}
      case $trimmed in
        '#'*) ;;
        *awsenv*init*) if [ -z "$manual" ]; then manual="line $lineno: $line"; fi ;;
      esac
      out+=$line$'\n'
    done <"$target"
    if [ "$in_block" = 1 ]; then
      say "$rc$link not changed: line $start is \"$begin_marker\" without \"$end_marker\" after it; fix that by hand"
      return 1
    fi
  fi

  if [ "$mode" = add ]; then
    if [ "$blocks" = 0 ]; then
      if [ -n "$manual" ]; then
        if [ -z "$check" ]; then say "$rc$link already runs awsenv init ($manual); not adding another"; fi
        return 0
      fi
      out+=$new_block$'\n'
    elif [ "$blocks" = 1 ] && [ "$old" = "$new_block" ]; then
      if [ -z "$check" ]; then say "$rc$link already has the awsenv block; not changed"; fi
      return 0
    fi
  elif [ "$blocks" = 0 ]; then
    return 0
  fi
  if [ "$eol" = 0 ]; then out=${out%$'\n'}; fi

  if [ -n "$check" ]; then
    rc_writable "$target" "$rc$link" "$sh" "$mode"
    return
  fi
  backup=
  if [ -e "$target" ] && ! make_backup "$rc" "$target"; then
    say "$rc$link not changed: could not make a backup of it"
    return 1
  fi
  if ! write_file "$target" "$out"; then
    # Nothing changed: the backup would only be clutter.
    if [ -n "$backup" ]; then rm -f -- "$backup"; fi
    say "$rc$link not changed: could not write it"
    return 1
  fi

  if [ "$mode" = remove ]; then
    what="removed the awsenv block from $rc$link"
  elif [ -z "$backup" ]; then
    what="created $rc$link with the awsenv block"
  elif [ "$blocks" = 0 ]; then
    what="added the awsenv block to $rc$link"
  else
    what="updated the awsenv block in $rc$link"
  fi
  say "$what${backup:+ (backup of the old file: $backup)}:"
  if [ -n "$removed" ]; then show - "$removed"; fi
  if [ "$mode" = add ]; then show + "$new_block"; fi
  if [ -n "$kept" ]; then
    if [ "$mode" = remove ]; then
      say "kept the lines you had added inside the awsenv block, where the block was:"
    else
      say "kept the lines you had added inside the awsenv block; they now follow it:"
    fi
    show ' ' "${kept%$'\n'}"
  fi
  if [ "$mode" = add ]; then rc_changed=$rc; fi
  return 0
}

status=0
rc_changed=

if [ "$uninstall" = 1 ]; then
  shells=()
  if [ "$modify_rc" = 1 ]; then
    case $shell_opt in
      "") shells=(bash zsh fish) ;;
      powershell|pwsh) ;;
      *) shells=("$shell_opt") ;;
    esac
  fi
  # Every rc file first: a problem with one stops install.sh before it
  # removes anything.
  for sh in ${shells[@]+"${shells[@]}"}; do
    edit_rc remove "$sh" check || exit 1
  done
  for b in "${binaries[@]}"; do
    if [ -e "$bindir/$b" ]; then
      rm -f -- "$bindir/$b"
      say "removed $bindir/$b"
    fi
  done
  case $shell_opt in
    powershell|pwsh) say "remove the awsenv line from your PowerShell \$PROFILE by hand" ;;
  esac
  for sh in ${shells[@]+"${shells[@]}"}; do
    edit_rc remove "$sh" || status=1
  done
  # The binary is gone: the advice must not need it.
  state=${XDG_STATE_HOME:-$HOME/.local/state}/awsenv
  if [ -e "$state" ]; then
    say "awsenv's cached sessions (temporary AWS credentials) and rotation records stay in $state; to delete them: rm -r -- $(sh_word "$state")"
  fi
  if [ "$status" != 0 ]; then die "uninstall finished with errors; see above."; fi
  say "done: awsenv is uninstalled"
  exit 0
fi

case $bindir in *$'\n'*) die "PREFIX must not contain a newline" ;; esac

sh=${shell_opt:-${SHELL##*/}}
# The rc file first: if it cannot be changed, stop before installing.
if [ "$modify_rc" = 1 ]; then
  case $sh in
    bash|zsh|fish) edit_rc add "$sh" check || exit 1 ;;
  esac
fi

work=$(mktemp -d)

if [ -n "${AWSENV_BIN:-}" ]; then
  for b in "${binaries[@]}"; do
    [ -x "$AWSENV_BIN/$b" ] || die "AWSENV_BIN=$AWSENV_BIN has no executable $b; build them with: go build -o DIR/ ./cmd/..."
    cp -- "$AWSENV_BIN/$b" "$work/$b"
  done
else
  command -v go >/dev/null 2>&1 || die "Go is not installed. Install Go 1.26 or later (https://go.dev/dl/), or set AWSENV_BIN to a directory with prebuilt binaries."
  version=$(git -C "$here" describe --tags --always --dirty 2>/dev/null || echo dev)
  say "building awsenv $version with $(go version | cut -d' ' -f3)"
  (cd "$here" && CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs \
     -ldflags "-s -w -X main.version=$version" -o "$work/" ./cmd/awsenv ./cmd/awsenv-helper ./cmd/awsenv-helper-full) >&2 \
    || die "go build failed; see the errors above."
fi

mkdir -p -- "$bindir"
for b in "${binaries[@]}"; do
  # Copy next to the target, then rename: a running awsenv is never
  # replaced by half a file.
  install -m 0755 -- "$work/$b" "$bindir/.$b.new"
  mv -f -- "$bindir/.$b.new" "$bindir/$b"
  say "installed $bindir/$b"
done

if [ "$modify_rc" = 0 ]; then
  say "--no-modify-rc: no rc file changed. To set up your shell, add:"
  case $sh in
    bash|zsh|fish|powershell|pwsh) manual_lines "$sh" ;;
    *) manual_lines bash zsh fish ;;
  esac
else
  case $sh in
    bash|zsh|fish) edit_rc add "$sh" || status=1 ;;
    powershell|pwsh)
      say "install.sh does not edit PowerShell profiles; add this line to your \$PROFILE:"
      manual_lines powershell ;;
    *)
      say "unknown shell '${sh}' (from \$SHELL=${SHELL:-}): no rc file changed. Add awsenv to your shell's rc file by hand, or run install.sh --shell bash|zsh|fish:"
      manual_lines bash zsh fish powershell ;;
  esac
fi

if [ -n "$rc_changed" ]; then
  say "new shells pick it up; to use it in this one: source $rc_changed"
fi
if [ "$status" != 0 ]; then die "awsenv is installed in $bindir, but the shell set-up failed; see above."; fi
say "done: try 'awsenv list', then eval \"\$(awsenv use PROFILE)\""
