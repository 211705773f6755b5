#!/usr/bin/env bash
# t_deep.sh — deep recursion: depth 100 unwinds whole (recurse total >= 95 %, ~100 recurse frames); depth 10000 truncates, never crashes.
. "$(dirname "$0")/lib.sh"

deep=$WORKLOADS/deep

run_batch -- "$deep" 2 100
expect_rc 0
expect_table
t=$(total_pct recurse)
note "total% recurse = $t (expect >= 95)"
ge "$t" 95 || fail "recurse total% is $t, expected >= 95"
s=$(pct deep_leaf)
note "self% deep_leaf = $s (expect >= 90)"
ge "$s" 90 || fail "deep_leaf self% is $s, expected >= 90"

# The stack holds exactly 100 recurse frames; allow a few lost at the edges,
# but more than 100 means frames were invented.
run_batch --folded -- "$deep" 2 100
expect_rc 0
runs=$(folded_runs recurse)
[ -n "$runs" ] || fail "no folded stacks"
max=$(echo "$runs" | awk '$1 > m { m = $1 } END { print m + 0 }')
good=$(echo "$runs" | awk '$1 >= 90 && $1 <= 100 { g += $2 } { t += $2 } END { printf "%.2f\n", t ? 100 * g / t : 0 }')
note "longest recurse run = $max; samples with 90..100 consecutive recurse frames: $good%"
le "$max" 100 || fail "a stack has $max consecutive recurse frames; the workload makes 100"
ge "$good" 90 || fail "only $good% of samples show 90..100 consecutive recurse frames, expected >= 90%"

# Depth 10000 at the default --max-depth: cut off, counted, marked.
run_batch -- "$deep" 2 10000
expect_rc 0
expect_table
tr=$(unwind_truncated)
note "unwind: $(summary_field unwind) -> truncated = ${tr:-?}"
ge "${tr:-x}" 1 || fail "the unwind summary shows no truncated stacks for depth 10000"

run_batch --folded -- "$deep" 2 10000
expect_rc 0
grep -qF '[truncated]' "$OUT" || fail "no [truncated] frame in the folded stacks for depth 10000"
