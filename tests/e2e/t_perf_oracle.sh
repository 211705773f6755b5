#!/usr/bin/env bash
# t_perf_oracle.sh — perf(1) as an oracle: its self % for func_a/b/c on split and proftui's agree within 3 points.
. "$(dirname "$0")/lib.sh"

command -v perf >/dev/null 2>&1 || skip "perf not installed"
data=$TMPDIR/p.data
perf record -q -e cpu-clock -F 999 -g -o "$data" -- "$WORKLOADS/split" 2 \
	>"$TMPDIR/perf-record.out" 2>&1 || skip "perf record does not work here: $(tail -n 1 "$TMPDIR/perf-record.out")"
perf report -i "$data" --stdio --no-children --sort sym -g none -q \
	>"$TMPDIR/perf-report.out" 2>"$TMPDIR/perf-report.err" || skip "perf report failed"

# "    59.74%  [.] func_a"
perf_pct() {
	awk -v f="$1" '$NF == f { v = $1; sub(/%$/, "", v); s += v } END { printf "%.2f\n", s + 0 }' \
		"$TMPDIR/perf-report.out"
}
[ "$(perf_pct func_a)" != 0.00 ] || skip "perf could not name func_a"

run_batch -- "$WORKLOADS/split" 2
expect_rc 0
expect_table
for f in func_a func_b func_c; do
	p=$(perf_pct "$f")
	q=$(pct "$f")
	note "$f: perf $p%, proftui $q%"
	within "$q" "$p" 3 || fail "$f: proftui says $q%, perf says $p%"
done
