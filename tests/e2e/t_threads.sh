#!/usr/bin/env bash
# t_threads.sh — two named workers in lockstep: thread_a_work and thread_b_work ~50/50 ±5, at least 2 threads seen.
. "$(dirname "$0")/lib.sh"

run_batch -- "$WORKLOADS/threads" 2
expect_rc 0
expect_table
check_self thread_a_work 50 5
check_self thread_b_work 50 5
check_threads_seen 2
