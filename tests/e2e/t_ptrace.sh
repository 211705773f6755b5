#!/usr/bin/env bash
# t_ptrace.sh — the ptrace fallback (--method ptrace): the 60/30/10 split within ±5 (200 Hz cap: 6 s for ~1,200 samples, so ±5 is 3.5 sigma),
# the launched command's exit status, and after an attach no thread left stopped or traced.
. "$(dirname "$0")/lib.sh"

run_batch --method ptrace -- "$WORKLOADS/split" 6
expect_rc 0
expect_table
grep -q 'method: ptrace' "$OUT" || fail "summary does not say ptrace"
check_self func_a 60 5 split
check_self func_b 30 5 split
check_self func_c 10 5 split

run_batch --method ptrace -- "$WORKLOADS/exit-code" 0.5 3
expect_rc 3

# (threads' lockstep barrier makes a poor ptrace subject: stopping one
# worker stalls the other, which is exactly ptrace's observer effect.)
bg_start "$WORKLOADS/split" 8
pid=$BG_PID
sleep 0.3
run_batch --method ptrace -d 4 -p "$pid"
expect_rc 0
check_self func_a 60 6 split
alive "$pid" || fail "the target died"
for st in /proc/"$pid"/task/*/status; do
	tracer=$(awk '/^TracerPid:/ { print $2 }' "$st")
	state=$(awk '/^State:/ { print $2 }' "$st")
	[ "$tracer" = 0 ] || fail "$st still traced by $tracer"
	case $state in t | T) fail "$st left stopped ($state)" ;; esac
done
