#!/usr/bin/env bash
# Install awsenv: build it from this checkout with the Go toolchain (or take
# prebuilt binaries from AWSENV_BIN) and put awsenv and its helper
# awsenv-helper into $PREFIX/bin (default ~/.local/bin).
#
#   ./install.sh                 build and install into ~/.local/bin
#   PREFIX=/usr/local ./install.sh
#   AWSENV_BIN=/path/to/dir ./install.sh   install prebuilt awsenv and awsenv-helper from that dir
#   ./install.sh --uninstall     remove what this script installed
set -euo pipefail

prefix=${PREFIX:-$HOME/.local}
bindir=$prefix/bin
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
binaries=(awsenv awsenv-helper)

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

case "${1:-}" in
  "") ;;
  --uninstall)
    for b in "${binaries[@]}"; do
      if [ -e "$bindir/$b" ]; then
        rm -f -- "$bindir/$b"
        say "removed $bindir/$b"
      fi
    done
    say "cached sessions stay in ${XDG_STATE_HOME:-$HOME/.local/state}/awsenv; remove them with 'awsenv sessions clear' before uninstalling, or delete that directory."
    exit 0 ;;
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown option $1 (try --help)" ;;
esac

work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

if [ -n "${AWSENV_BIN:-}" ]; then
  for b in "${binaries[@]}"; do
    [ -x "$AWSENV_BIN/$b" ] || die "AWSENV_BIN=$AWSENV_BIN has no executable $b; build both with: go build -o DIR/ ./cmd/..."
    cp -- "$AWSENV_BIN/$b" "$work/$b"
  done
else
  command -v go >/dev/null 2>&1 || die "Go is not installed. Install Go 1.26 or later (https://go.dev/dl/), or set AWSENV_BIN to a directory with prebuilt binaries."
  version=$(git -C "$here" describe --tags --always --dirty 2>/dev/null || echo dev)
  say "building awsenv $version with $(go version | cut -d' ' -f3)"
  (cd "$here" && CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs \
     -ldflags "-s -w -X main.version=$version" -o "$work/" ./cmd/awsenv ./cmd/awsenv-helper) \
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

case ":$PATH:" in
  *":$bindir:"*) ;;
  *) say "$bindir is not on your PATH; add it in your shell's rc file: export PATH=\"$bindir:\$PATH\"" ;;
esac
say "done: try 'awsenv list', then eval \"\$(awsenv use PROFILE)\""
