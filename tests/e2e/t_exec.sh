#!/usr/bin/env bash
# t_exec.sh — a launched shell that execs split: the exec is followed and split's own symbols give 60/30/10 ±3 and its call paths.
# shellcheck disable=SC2016 # $0 is meant for the inner sh
. "$(dirname "$0")/lib.sh"

# The shell runs first and then becomes split: sampling must go on across
# the exec and the addresses must be looked up in the new program.
run_batch -- sh -c 'exec "$0" 2' "$WORKLOADS/split"
expect_rc 0
check_split_table
mod=$(module_of func_a)
[ "$mod" = split ] || fail "func_a's module is '$mod', expected split"

run_batch --folded -- sh -c 'exec "$0" 2' "$WORKLOADS/split"
expect_rc 0
check_split_folded
