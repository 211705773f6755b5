#!/usr/bin/env bash
# t_split_attach.sh — attach mode (-p) on a running split: 60/30/10 ±3, the sample rate, and the target survives detach.
. "$(dirname "$0")/lib.sh"

bg_start "$WORKLOADS/split" 12
pid=$BG_PID
sleep 0.3
alive "$pid" || fail "split exited before proftui attached"

cpu0=$(proc_cpu_s "$pid") t0=$(now_s)
run_batch -d 2 -p "$pid"
cpu1=$(proc_cpu_s "$pid") t1=$(now_s)
expect_rc 0
alive "$pid" || fail "split (pid $pid) did not survive proftui detaching"
check_split_table
expect_summary
check_duration 2 0.5
check_rate "$(minus "$cpu0" "$cpu1")" "$(minus "$t0" "$t1")"

run_batch --folded -d 2 -p "$pid"
expect_rc 0
alive "$pid" || fail "split (pid $pid) did not survive the second detach"
check_split_folded
