#!/usr/bin/env bash
# t_late.sh — attach while the target is single-threaded and asleep; the threads it starts later must be sampled (late_work >= 90 %).
. "$(dirname "$0")/lib.sh"

# late sleeps 1 s with one thread, then 2 threads run late_work until 8 s.
bg_start "$WORKLOADS/late" 8 1
pid=$BG_PID
sleep 0.2
n=$(nthreads "$pid")
[ "$n" -eq 1 ] || fail "late has $n threads before the attach; the test needs 1 (machine too slow?)"

run_batch -d 3 -p "$pid"
expect_rc 0
n=$(nthreads "$pid")
[ "$n" -eq 3 ] || fail "late has $n threads after the run, expected 3: the workload misbehaved"
expect_table
got=$(pct late_work)
note "self% late_work = $got (expect >= 90)"
ge "$got" 90 || fail "late_work self% is $got, expected >= 90"
check_threads_seen 2
# Two threads for ~2 s: thousands of samples on an idle machine; a handful
# would mean the threads were caught only by chance.
s=$(summary_num samples)
note "samples = ${s:-?} (expect >= 200)"
ge "${s:-x}" 200 || fail "${s:-?} samples from two busy threads over ~2 s"
