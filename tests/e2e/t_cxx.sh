#!/usr/bin/env bash
# t_cxx.sh — C++ functions are shown demangled: ns::Worker::hot(int) is the hottest row.
. "$(dirname "$0")/lib.sh"

run_batch -- "$WORKLOADS/cxx" 2
expect_rc 0
expect_table
check_self 'ns::Worker::hot(int)' 95 5 cxx
grep -q '_ZN2ns6Worker3hotEi' "$OUT" && fail "a mangled name is shown"
true
