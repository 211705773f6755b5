#!/usr/bin/env bash
# t_exit_code.sh — launch mode passes on the child's exit: its status, or 128+N when signal N killed it.
. "$(dirname "$0")/lib.sh"

for code in 3 0 42; do
	run_batch -- "$WORKLOADS/exit-code" 0.3 "$code"
	expect_rc "$code"
done

# A child killed by SIGKILL: 128 + 9.
run_batch -- /bin/sh -c 'kill -KILL $$'
expect_rc 137
