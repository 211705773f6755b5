#!/usr/bin/env bash
# t_churn.sh — threads born and dying all the time: churn_work >= 90 % self, >= 20 threads seen in 2 s.
. "$(dirname "$0")/lib.sh"

run_batch -- "$WORKLOADS/churn" 2
expect_rc 0
expect_table
got=$(pct churn_work)
note "self% churn_work = $got (expect >= 90)"
ge "$got" 90 || fail "churn_work self% is $got, expected >= 90"
check_threads_seen 20
