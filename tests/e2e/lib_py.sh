# lib_py.sh — helpers for the Python end-to-end tests: which interpreters are here, shares of a run.
# shellcheck shell=bash
#
# Sourced after lib.sh.  PYWORK is the directory of the Python workloads
# (tests/workloads: scripts need no build).

PYWORK=$(cd "$(dirname "${BASH_SOURCE[0]}")/../workloads" && pwd)

# Every CPython 3.8+ on this machine, one path per line: Debian's python3
# (static, stripped) and each pyenv-installed version (shared libpython).
pythons() {
	local p v root
	for p in /usr/bin/python3.[0-9]*; do
		[[ $p =~ /python3\.[0-9]+$ ]] && [ -x "$p" ] && printf '%s\n' "$p"
	done
	root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	for v in "$root"/versions/3.*; do
		[ -d "$v" ] || continue
		p=$(printf '%s\n' "$v"/bin/python3.[0-9]* | grep -E '/python3\.[0-9]+$' | head -n 1)
		[ -n "$p" ] && [ -x "$p" ] || continue
		"$p" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null &&
			printf '%s\n' "$p"
	done
}

# One pyenv interpreter of version $1 (e.g. 3.7), or nothing.
pyenv_python() {
	local root
	root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	printf '%s\n' "$root"/versions/"$1".*/bin/python"$1" 2>/dev/null | grep -v '\*' | head -n 1
}

# share FUNC BASE: total % of FUNC as a share of BASE's total (the
# workload's own time, without the interpreter's start-up), from the last
# run's table; empty when either is missing.
share() {
	local f b
	f=$(total_pct "$1") b=$(total_pct "$2")
	awk -v f="$f" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f\n", 100 * f / b }'
}

# py_func NAME FILE: the label proftui gives a Python function (def line
# looked up in the script, so editing the workload cannot break the test).
py_func() {
	local line
	line=$(grep -n "^ *def $1(" "$PYWORK/$2" | head -n 1 | cut -d: -f1)
	printf '%s (%s:%s)\n' "$1" "$2" "$line"
}
