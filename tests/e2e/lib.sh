# lib.sh — helpers for the end-to-end tests: run proftui, parse its table/folded/summary, compare numbers.
# shellcheck shell=bash
#
# Sourced by each tests/e2e/t_*.sh, which run.sh starts with PROFTUI (the
# binary), WORKLOADS (the built workloads) and a fresh TMPDIR.  A test exits
# 0 to pass, 77 to skip, anything else to fail; it prints its own
# diagnostics.
#
# Output formats relied on (src/report.c):
#   table:   a header line holding SELF% TOTAL% SAMPLES FUNCTION MODULE, then
#            rows "  60.12%   60.12%      1800  func_a  split" up to a blank
#            line; the function is everything between the 3rd field and the
#            last one (C++ names have spaces), the module is the last field.
#   summary: lines "samples: ...", "lost: ...", "unwind: ...",
#            "threads seen: ...", "duration: ..." after the table.
#   folded:  "outer;mid;leaf COUNT" lines (--folded).

set -u

: "${PROFTUI:?PROFTUI must name the proftui binary}"
: "${WORKLOADS:?WORKLOADS must name the workloads directory}"
: "${TMPDIR:?TMPDIR must be set (run.sh makes a fresh one)}"

E2E_NAME=$(basename "$0" .sh)
E2E_RUNS=0
E2E_CLEANUP=()
RUN_PREFIX=()   # words put before "$PROFTUI" by run_batch (e.g. setpriv ...)
RUN_TIMEOUT=${RUN_TIMEOUT:-90}
OUT=/dev/null ERR=/dev/null RC=0

# --- reporting ---------------------------------------------------------------

note() { printf '%s: %s\n' "$E2E_NAME" "$*"; }

# Show the last run's output: most failures are explained by it.
dump_last_run() {
	[ "$E2E_RUNS" -gt 0 ] || return 0
	printf -- '--- last run (exit %s): %s\n' "$RC" "$(cat "$TMPDIR/run$E2E_RUNS.cmd")"
	printf -- '--- stdout (first 40 lines):\n'
	head -n 40 "$OUT"
	printf -- '--- stderr (first 20 lines):\n'
	head -n 20 "$ERR"
}

fail() {
	printf '%s: FAIL: %s\n' "$E2E_NAME" "$*"
	dump_last_run
	exit 1
}

# run.sh shows the last "skip: " line as the reason.
skip() {
	printf 'skip: %s\n' "$*"
	exit 77
}

# --- cleanup of background processes ------------------------------------------

on_exit() { E2E_CLEANUP+=("$*"); }

e2e_cleanup() {
	local i
	for ((i = ${#E2E_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${E2E_CLEANUP[i]}" >/dev/null 2>&1 || true
	done
}
trap e2e_cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Start "$@" in the background, output discarded; its pid lands in BG_PID and
# it is killed when the test exits.
bg_start() {
	"$@" >/dev/null 2>&1 </dev/null &
	BG_PID=$!
	on_exit "kill -KILL $BG_PID; wait $BG_PID"
}

alive() { kill -0 "$1" 2>/dev/null; }

# free_running PID WHAT: no thread of PID is stopped (State T or t) or
# traced (TracerPid not 0) now; fails naming the first that is.
free_running() {
	local f
	for f in /proc/"$1"/task/*/status; do
		[ -r "$f" ] || continue
		if awk '/^State:/ { s = $2 } /^TracerPid:/ { t = $2 }
		        END { exit !(s == "T" || s == "t" || t != 0) }' "$f" 2>/dev/null; then
			fail "$2: $(dirname "$f") left $(awk '/^State:|^TracerPid:/' "$f" | paste -sd' ')"
		fi
	done
}

# Threads of process $1 right now (0 if it is gone).
nthreads() {
	local t=("/proc/$1/task"/*)
	[ -e "${t[0]}" ] || t=()
	printf '%s\n' "${#t[@]}"
}

# CPU time (utime + stime) of process $1 so far, in seconds.
proc_cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{
		sub(/^.*\) /, "")      # comm may hold spaces and parens
		printf "%.3f\n", ($12 + $13) / hz   # utime, stime: fields 14, 15 of the original
	}' "/proc/$1/stat"
}

# --- running proftui ------------------------------------------------------------

# run_cmd CMD...: run CMD (bounded), stdout in $OUT, stderr in $ERR, status
# in $RC.  Each run keeps its own files in TMPDIR for the diagnostics.
run_cmd() {
	E2E_RUNS=$((E2E_RUNS + 1))
	OUT=$TMPDIR/run$E2E_RUNS.out
	ERR=$TMPDIR/run$E2E_RUNS.err
	printf '%q ' "$@" >"$TMPDIR/run$E2E_RUNS.cmd"
	note "run: $(cat "$TMPDIR/run$E2E_RUNS.cmd")"
	RC=0
	timeout -k 5 "$RUN_TIMEOUT" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
	if [ "$RC" -eq 124 ]; then
		note "timed out after ${RUN_TIMEOUT}s"
	fi
	return 0
}

# Sampling rate of run_batch: high enough that a ±3-point check is ~5
# standard errors wide for a 2 s run (6,000 samples: sigma 0.6 points at 60 %),
# so the split tests measure proftui, not chance.  A test that checks the rate
# itself sets E2E_FREQ before sourcing this file (empty: proftui's default).
E2E_FREQ=${E2E_FREQ-2999}

# run_batch ARGS...: "$PROFTUI" --batch [-F E2E_FREQ] ARGS, prefixed by RUN_PREFIX.
run_batch() {
	if [ -n "$E2E_FREQ" ]; then
		run_cmd "${RUN_PREFIX[@]}" "$PROFTUI" --batch -F "$E2E_FREQ" "$@"
	else
		run_cmd "${RUN_PREFIX[@]}" "$PROFTUI" --batch "$@"
	fi
}

# Fail unless the last run exited with status $1.
expect_rc() {
	[ "$RC" -eq "$1" ] || fail "exit status $RC, expected $1"
}

# Is proftui built with AddressSanitizer?  It then runs several times
# slower, which matters to the few tests whose figures depend on how soon
# proftui handles a sample (Python frames are read when a sample is
# handled); they widen those bounds, never the accuracy checks.
sanitized() { grep -qa "__asan_init" "$PROFTUI" 2>/dev/null; }

# --- numbers --------------------------------------------------------------------

# within VALUE EXPECTED TOL: |VALUE - EXPECTED| <= TOL (floats).
within() {
	awk -v v="$1" -v e="$2" -v t="$3" 'BEGIN {
		if (v !~ /^-?[0-9]+(\.[0-9]*)?$/) exit 1
		d = v - e; if (d < 0) d = -d
		exit !(d <= t)
	}'
}

# ge VALUE MIN / le VALUE MAX (floats; a non-number is never in range).
ge() { awk -v v="$1" -v m="$2" 'BEGIN { exit !(v ~ /^-?[0-9]+(\.[0-9]*)?$/ && v + 0 >= m + 0) }'; }
le() { awk -v v="$1" -v m="$2" 'BEGIN { exit !(v ~ /^-?[0-9]+(\.[0-9]*)?$/ && v + 0 <= m + 0) }'; }

# --- the table --------------------------------------------------------------------

# table_rows: the last run's table as tab-separated "self total samples function
# module", percent signs dropped.  Rows whose first two fields are not
# percentages are ignored.
table_rows() {
	awk '
	!hdr && /SELF%/ && /TOTAL%/ && /SAMPLES/ && /FUNCTION/ && /MODULE/ { hdr = 1; next }
	!hdr { next }
	/^[ \t]*$/ { exit }
	NF >= 5 && $1 ~ /^[0-9.]+%$/ && $2 ~ /^[0-9.]+%$/ {
		self = $1; total = $2; n = $3; mod = $NF
		sub(/%$/, "", self); sub(/%$/, "", total)
		fn = $0
		sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", fn)
		sub(/[ \t]+[^ \t]+[ \t]*$/, "", fn)
		printf "%s\t%s\t%s\t%s\t%s\n", self, total, n, fn, mod
	}' "$OUT"
}

# pct FUNCTION [MODULE]: self % of FUNCTION (summed over its rows, one per
# module; only MODULE's when given); 0 when absent.
pct() {
	table_rows | awk -F'\t' -v f="$1" -v m="${2-}" '
		$4 == f && (m == "" || $5 == m) { s += $1 }
		END { printf "%.2f\n", s + 0 }'
}

# total_pct FUNCTION [MODULE]: total % of FUNCTION (largest of its rows).
total_pct() {
	table_rows | awk -F'\t' -v f="$1" -v m="${2-}" '
		$4 == f && (m == "" || $5 == m) && $2 + 0 > t { t = $2 + 0 }
		END { printf "%.2f\n", t + 0 }'
}

# has_func FUNCTION: true when some row's function is FUNCTION.
has_func() {
	table_rows | awk -F'\t' -v f="$1" '$4 == f { found = 1 } END { exit !found }'
}

# module_of FUNCTION: the module column of FUNCTION's first row.
module_of() {
	table_rows | awk -F'\t' -v f="$1" '$4 == f { print $5; exit }'
}

# Fail unless the last run printed a table with at least one row.
expect_table() {
	[ -n "$(table_rows)" ] || fail "no hot-function table rows found in the output"
}

# check_self FUNCTION EXPECTED TOL [MODULE]
check_self() {
	local got
	got=$(pct "$1" "${4-}")
	note "self% $1${4:+ ($4)} = $got (expect $2 +- $3)"
	within "$got" "$2" "$3" || fail "self% of $1 is $got, expected $2 +- $3"
}

# --- the summary --------------------------------------------------------------------

# summary_field NAME: what follows "NAME:" on the summary line starting with
# NAME (stdout first, then stderr), trimmed.
summary_field() {
	local f
	for f in "$OUT" "$ERR"; do
		awk -v n="$1" '
		{ line = $0; sub(/^[ \t]+/, "", line) }
		index(line, n ":") == 1 {
			v = substr(line, length(n) + 2); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
			print v; found = 1; exit
		}
		END { exit !found }' "$f" && return 0
	done
	return 1
}

# summary_num NAME: the first number in summary_field NAME (thousands
# separators dropped); empty when there is none.
summary_num() {
	summary_field "$1" | awk '{
		if (match($0, /[0-9][0-9,]*(\.[0-9]+)?/)) {
			v = substr($0, RSTART, RLENGTH); gsub(/,/, "", v); print v
		}
		exit
	}'
}

# --- folded stacks ----------------------------------------------------------------

# folded_lines: the last run's "stack COUNT" lines only.
folded_lines() { grep -E '^.+ [0-9]+$' "$OUT"; }

folded_total() { folded_lines | awk '{ s += $NF } END { print s + 0 }'; }

# folded_count ERE: samples whose stack (the line minus its count) matches ERE.
folded_count() {
	folded_lines | awk -v re="$1" '{
		st = $0; sub(/ [0-9]+$/, "", st)
		if (st ~ re) s += $NF
	} END { print s + 0 }'
}

# folded_pct ERE: folded_count ERE as a percentage of all folded samples.
folded_pct() {
	local n t
	n=$(folded_count "$1")
	t=$(folded_total)
	awk -v n="$n" -v t="$t" 'BEGIN { printf "%.2f\n", (t > 0 ? 100 * n / t : 0) }'
}

# Stacks ending in PATH (a ;-joined caller chain), with any outer prefix.
path_ere() {
	local p=$1
	p=${p//./\\.}
	printf '(^|;)%s$\n' "$p"
}

# check_path PATH EXPECTED TOL: share of folded samples with a stack ending
# in PATH.
check_path() {
	local got
	got=$(folded_pct "$(path_ere "$1")")
	note "folded $1 = $got% (expect $2 +- $3)"
	within "$got" "$2" "$3" || fail "folded stacks ending in $1 hold $got% of samples, expected $2 +- $3"
}

# --- the split workload, checked end to end -------------------------------------------

# check_split_table: func_a/b/c self 60/30/10 +- 3 in the last run.
check_split_table() {
	expect_table
	check_self func_a 60 3
	check_self func_b 30 3
	check_self func_c 10 3
}

# check_split_folded: main;run_rounds;func_X carry 60/30/10 +- 3 of the folded
# samples in the last run.
check_split_folded() {
	[ "$(folded_total)" -gt 0 ] || fail "no folded stacks in the output"
	check_path "main;run_rounds;func_a" 60 3
	check_path "main;run_rounds;func_b" 30 3
	check_path "main;run_rounds;func_c" 10 3
}

# check_split_launch BINARY: launch BINARY for 2 s, table (func_a's module
# must be BINARY's basename) then folded.
check_split_launch() {
	local mod
	run_batch -- "$1" 2
	expect_rc 0
	check_split_table
	mod=$(module_of func_a)
	[ "$mod" = "$(basename "$1")" ] || fail "func_a's module is '$mod', expected $(basename "$1")"
	run_batch --folded -- "$1" 2
	expect_rc 0
	check_split_folded
}

# --- running as an unprivileged user -------------------------------------------------

NOBODY_UID=65534

# Skip unless we are root and can drop to uid 65534 with setpriv.
need_setpriv_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to uid $NOBODY_UID"
	command -v setpriv >/dev/null 2>&1 || skip "setpriv not installed"
	setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups -- true \
		>/dev/null 2>&1 || skip "setpriv cannot switch to uid $NOBODY_UID here"
}

# nobody_copy FILE...: copy FILEs into a fresh world-readable directory
# (TMPDIR is private to root), named by NOBODY_DIR; removed at exit.  Not
# for $(...): the cleanup must be registered in the test's own shell.
nobody_copy() {
	NOBODY_DIR=$(mktemp -d /tmp/proftui-e2e-nobody.XXXXXX) || fail "mktemp failed"
	on_exit "rm -rf '$NOBODY_DIR'"
	chmod 755 "$NOBODY_DIR"
	cp -- "$@" "$NOBODY_DIR/" || fail "cannot copy $* to $NOBODY_DIR"
	chmod -R a+rX "$NOBODY_DIR"
	mkdir -m 1777 "$NOBODY_DIR/tmp"
}

# as_nobody_prefix DIR: make run_batch run proftui as uid 65534 with TMPDIR
# in DIR/tmp.
as_nobody_prefix() {
	RUN_PREFIX=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups
		    -- env TMPDIR="$1/tmp" HOME="$1/tmp")
}

# --- summary checks ------------------------------------------------------------------

# expect_summary: every summary line is there and samples > 0.
expect_summary() {
	local f
	for f in samples lost unwind "threads seen" duration; do
		summary_field "$f" >/dev/null || fail "summary line \"$f:\" missing"
	done
	ge "$(summary_num samples)" 1 || fail "summary reports no samples"
}

# check_duration EXPECTED TOL: the summary's duration (seconds).
check_duration() {
	local d
	d=$(summary_num duration)
	note "duration = ${d:-?} s (expect $1 +- $2)"
	within "${d:-x}" "$1" "$2" || fail "duration ${d:-?}, expected $1 +- $2 s"
}

# check_rate CPU_S WALL_S: for a single-threaded target that used CPU_S
# seconds of CPU in the WALL_S seconds around the run.  cpu-clock fires per
# CPU time used, so at 999 Hz the samples can never exceed the summary's
# duration times 999 (+10 %); and at the target's average CPU rate they
# should be near CPU_S / WALL_S * duration * 999.  That rate is only
# measured around proftui's window, and the load can change, so the lower
# bound is half of it.
check_rate() {
	local s d lo hi
	s=$(summary_num samples)
	d=$(summary_num duration)
	local hz=${E2E_FREQ:-999}
	lo=$(awk -v c="$1" -v w="$2" -v d="${d:-0}" -v hz="$hz" 'BEGIN { printf "%d\n", c / w * d * hz * 0.5 }')
	hi=$(awk -v d="${d:-0}" -v hz="$hz" 'BEGIN { printf "%d\n", d * hz * 1.1 + 5 }')
	note "samples = ${s:-?} in ${d:-?} s; target used ${1}s CPU in ${2}s (expect $lo..$hi)"
	if ! { [ "$lo" -gt 0 ] && ge "${s:-x}" "$lo" && le "${s:-x}" "$hi"; }; then
		fail "${s:-?} samples, expected $lo..$hi from the target's CPU use"
	fi
}

# Wall clock in seconds, for check_rate.
now_s() { date +%s.%N; }

# Difference of two decimal numbers ($2 - $1).
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }

# check_threads_seen MIN
check_threads_seen() {
	local n
	n=$(summary_num "threads seen")
	note "threads seen = ${n:-?} (expect >= $1)"
	ge "${n:-x}" "$1" || fail "threads seen ${n:-?}, expected >= $1"
}

# unwind_truncated: the count of truncated unwinds on the summary's unwind
# line, written "N truncated ..." or "truncated[ words]: N" (e.g.
# "truncated at max depth: 12", "truncated-at-max-depth=12"); empty when
# the line has no such count.
unwind_truncated() {
	summary_field unwind | awk '{
		# A labelled value ("truncated...: N") first, then "N truncated".
		if (match($0, /truncated[A-Za-z_ \t-]*[:=][ \t]*[0-9]+/)) {
			v = substr($0, RSTART, RLENGTH); sub(/^[^0-9]*/, "", v)
		} else if (match($0, /[0-9]+[ \t]+truncated/)) {
			v = substr($0, RSTART, RLENGTH); sub(/[ \t]+truncated$/, "", v)
		} else if (match($0, /truncated[A-Za-z_ \t-]*[ \t][0-9]+/)) {
			v = substr($0, RSTART, RLENGTH); sub(/^[^0-9]*/, "", v)
		} else exit
		print v; exit
	}'
}

# --- folded: runs of one frame ---------------------------------------------------------

# folded_runs FRAME: "longest_run count" per folded line, where longest_run
# is the longest stretch of consecutive FRAME frames in that stack.
folded_runs() {
	folded_lines | awk -v f="$1" '{
		st = $0; sub(/ [0-9]+$/, "", st)
		n = split(st, a, ";"); r = 0; m = 0
		for (i = 1; i <= n; i++) { if (a[i] == f) { if (++r > m) m = r } else r = 0 }
		print m, $NF
	}'
}
