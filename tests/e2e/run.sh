#!/usr/bin/env bash
# run.sh — run the end-to-end tests (tests/e2e/t_*.sh) against a built proftui and tally PASS/FAIL/SKIP.
#
# usage: [PROFTUI=build/proftui] [WORKLOADS=build/workloads] tests/e2e/run.sh [NAME...]
#
# Each test runs as its own process, bounded by `timeout 120`, with PROFTUI,
# WORKLOADS (absolute paths) and a fresh TMPDIR.  Exit 0 = pass, 77 = skip,
# anything else = fail.  A failing test's output is shown; VERBOSE=1 shows
# every test's; KEEP_TMP=1 keeps their files.  NAMEs (t_split_launch or split_launch) pick tests.  The last
# line is "N passed, N failed, N skipped"; the exit status is 1 if any failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PROFTUI=${PROFTUI:-$root/build/proftui}
WORKLOADS=${WORKLOADS:-$root/build/workloads}
TEST_TIMEOUT=${TEST_TIMEOUT:-120}

die() {
	printf 'run.sh: %s\n' "$*" >&2
	exit 2
}

if ! [ -f "$PROFTUI" ] || ! [ -x "$PROFTUI" ]; then
	die "$PROFTUI: no such executable (build it, or set PROFTUI)"
fi
[ -d "$WORKLOADS" ] || die "$WORKLOADS: no such directory (make workloads, or set WORKLOADS)"
command -v timeout >/dev/null 2>&1 || die "timeout(1) is needed"
PROFTUI=$(realpath -- "$PROFTUI")
WORKLOADS=$(realpath -- "$WORKLOADS")

# Keep only the tests named on the command line, if any.
wanted() {
	local w
	[ "${#picks[@]}" -eq 0 ] && return 0
	for w in "${picks[@]}"; do
		if [ "$1" = "$w" ] || [ "$1" = "t_$w" ]; then
			return 0
		fi
	done
	return 1
}

picks=("$@")
tests=()
while IFS= read -r t; do
	[ -f "$t" ] || continue
	wanted "$(basename "$t" .sh)" && tests+=("$t")
done < <(printf '%s\n' "$here"/t_*.sh | LC_ALL=C sort)
[ "${#tests[@]}" -gt 0 ] || die "no tests to run"

# One directory for all logs and every test's TMPDIR: one trap cleans up.
base=$(mktemp -d "${TMPDIR:-/tmp}/proftui-e2e.XXXXXX") || die "mktemp failed"
if [ "${KEEP_TMP:-0}" = 1 ]; then
	echo "test files kept in $base"
else
	trap 'rm -rf "$base"' EXIT
fi

passed=0 failed=0 skipped=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	log=$base/$name.log
	tmp=$base/$name
	mkdir "$tmp" || die "cannot make $tmp"
	rc=0 shown=0
	# In TMPDIR, so nothing a test writes lands in the source tree.
	(cd "$tmp" && exec timeout -k 10 "$TEST_TIMEOUT" env PROFTUI="$PROFTUI" \
		WORKLOADS="$WORKLOADS" TMPDIR="$tmp" bash "$t") >"$log" 2>&1 </dev/null || rc=$?
	case $rc in
	0)
		passed=$((passed + 1))
		echo "PASS $name"
		;;
	77)
		skipped=$((skipped + 1))
		reason=$(sed -n 's/^skip: //p' "$log" | tail -n 1)
		[ -n "$reason" ] || reason=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
		echo "SKIP $name (${reason:-no reason given})"
		;;
	*)
		failed=$((failed + 1))
		case $rc in
		124 | 137) echo "timed out after ${TEST_TIMEOUT}s" >>"$log" ;;
		*) echo "exit status $rc" >>"$log" ;;
		esac
		echo "FAIL $name"
		sed 's/^/    /' "$log"
		shown=1
		;;
	esac
	if [ "${VERBOSE:-0}" = 1 ] && [ "$shown" = 0 ]; then
		sed 's/^/    /' "$log"
	fi
	[ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$tmp"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
