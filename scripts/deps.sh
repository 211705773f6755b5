#!/bin/sh
# Install the Debian 12 packages proftui builds and tests with, only when missing.
# Shared by the Makefile (`make deps`) and .ci/run so a fresh machine and CI agree.
set -eu
PKGS="build-essential pkg-config clang libncurses-dev libunwind-dev libelf-dev
      libproc2-dev libcriterion-dev zlib1g-dev tmux linux-perf procps
      libc6-dbg binutils g++ hyperfine jq time util-linux chromium golang-go"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# node and npm (tests/e2e/t_speedscope.sh) by command, not package: a nodejs
# from elsewhere (NodeSource) brings its own npm and conflicts with Debian's.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
