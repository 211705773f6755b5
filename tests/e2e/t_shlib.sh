#!/usr/bin/env bash
# t_shlib.sh — hot code in a shared library at a random base: lib_hot_work 70 ±3 in libhot.so, local_work 30 ±3 in shlib.
. "$(dirname "$0")/lib.sh"

run_batch -- "$WORKLOADS/shlib" 2
expect_rc 0
expect_table
check_self lib_hot_work 70 3 libhot.so
check_self local_work 30 3 shlib
