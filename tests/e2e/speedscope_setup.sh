#!/usr/bin/env bash
# speedscope_setup.sh — install speedscope and playwright-core (pinned, npm) into a cache outside the repo, once; find chromium.
#
# usage: tests/e2e/speedscope_setup.sh
#
# On success (exit 0) prints two lines: the node_modules directory holding
# speedscope and playwright-core, then the chromium binary to drive.  When
# something it needs is missing (node >= 18, npm, chromium, or npm cannot
# fetch the packages) exits 77 with the reason as its last line on stdout, so
# t_speedscope.sh skips rather than fails.  scripts/deps.sh installs chromium,
# nodejs and npm on Debian.
#
# The packages go to $PROFTUI_E2E_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/
# proftui-e2e; build/e2e-cache without a HOME), about 14 MB, one directory
# per pinned pair of versions, filled in a
# temporary directory and renamed into place when complete: a later run finds
# it and installs nothing; two runs at once each install and one keeps its copy.
#
# CHROMIUM=/path/to/chrome picks the browser (default: chromium, then
# chromium-browser, google-chrome on PATH).  playwright-core is pinned to
# 1.61.1, the last release that runs on Debian 12's node 18 (later ones need
# node 20).  It was built against chromium 149; checked with Debian 12's
# chromium 156 under Debian's node 18.20 and under node 20.  Should a later
# chromium stop working with it, move the pin (and the cache directory name
# follows).
set -u

SPEEDSCOPE_VERSION=1.25.0
PLAYWRIGHT_VERSION=1.61.1

no() {
	printf '%s\n' "$*"
	exit 77
}

root=$(cd "$(dirname "$0")/../.." && pwd)

chromium=${CHROMIUM:-}
if [ -z "$chromium" ]; then
	for c in chromium chromium-browser google-chrome; do
		chromium=$(command -v "$c" 2>/dev/null) && break
		chromium=
	done
fi
if [ -z "$chromium" ] || ! [ -x "$chromium" ]; then
	no "chromium not installed (scripts/deps.sh installs it; or set CHROMIUM)"
fi

command -v node >/dev/null 2>&1 || no "node not installed (scripts/deps.sh installs nodejs)"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)' 2>/dev/null ||
	no "node $(node --version 2>/dev/null) is too old for playwright-core $PLAYWRIGHT_VERSION (needs 18)"

if [ -n "${PROFTUI_E2E_CACHE:-}" ]; then
	cache=$PROFTUI_E2E_CACHE
elif [ -n "${XDG_CACHE_HOME:-}" ]; then
	cache=$XDG_CACHE_HOME/proftui-e2e
elif [ -n "${HOME:-}" ] && [ "$HOME" != / ]; then
	cache=$HOME/.cache/proftui-e2e
else
	cache=$root/build/e2e-cache   # /build/ is gitignored
fi
dest=$cache/speedscope-$SPEEDSCOPE_VERSION+playwright-core-$PLAYWRIGHT_VERSION
stamp="speedscope@$SPEEDSCOPE_VERSION playwright-core@$PLAYWRIGHT_VERSION"

if ! [ "$(cat "$dest/installed" 2>/dev/null)" = "$stamp" ]; then
	command -v npm >/dev/null 2>&1 || no "npm not installed (scripts/deps.sh installs it)"
	mkdir -p "$cache" || no "cannot create the cache directory $cache"
	tmp=$(mktemp -d "$cache/.install.XXXXXX") || no "cannot create a directory in $cache"
	trap 'rm -rf "$tmp"' EXIT
	echo "speedscope_setup: npm install $stamp into $dest" >&2
	# --ignore-scripts: neither package needs an install script (playwright-core
	# downloads no browser); chromium is Debian's.
	if ! timeout -k 5 100 npm install --prefix "$tmp" --no-save --no-package-lock \
		--no-audit --no-fund --ignore-scripts --loglevel=error \
		"speedscope@$SPEEDSCOPE_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" \
		>"$tmp/npm.log" 2>&1; then
		tail -n 5 "$tmp/npm.log" >&2
		no "npm install $stamp failed (no network or registry?)"
	fi
	if ! [ -f "$tmp/node_modules/speedscope/dist/release/index.html" ] ||
		! [ -f "$tmp/node_modules/playwright-core/package.json" ]; then
		no "npm install $stamp left no speedscope/dist/release/index.html or playwright-core"
	fi
	printf '%s\n' "$stamp" >"$tmp/installed"
	# Into place in one step (over an incomplete copy, never over a complete
	# one: if another run got there first, keep its copy).
	[ -e "$dest/installed" ] || rm -rf "$dest"
	if ! mv -T "$tmp" "$dest" 2>/dev/null; then
		[ "$(cat "$dest/installed" 2>/dev/null)" = "$stamp" ] ||
			no "cannot move the installed packages to $dest"
	fi
fi

printf '%s\n%s\n' "$dest/node_modules" "$chromium"
