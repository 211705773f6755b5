#!/usr/bin/env bash
# t_split_launch.sh — launch mode on split: func_a/b/c self 60/30/10 ±3 and main;run_rounds;func_X in the folded stacks.
E2E_FREQ=  # this test checks the default 999 Hz itself
. "$(dirname "$0")/lib.sh"

run_batch -- "$WORKLOADS/split" 2
expect_rc 0
check_split_table
expect_summary
check_duration 2 0.5
[ "$(module_of func_a)" = split ] || fail "func_a's module is '$(module_of func_a)', expected split"
# No more samples than one thread can take in the run's wall time.
s=$(summary_num samples)
le "$s" "$(awk 'BEGIN { print int(2.5 * 999 * 1.1) }')" || fail "$s samples from one thread in ~2 s at 999 Hz"

run_batch --folded -- "$WORKLOADS/split" 2
expect_rc 0
check_split_folded
