#!/usr/bin/env bash
# t_child_exec.sh — a launched shell whose child execs another program: the child's samples are counted as not followed, never shown under wrong names.
. "$(dirname "$0")/lib.sh"

# "; true" keeps sh from exec'ing the workload itself: it forks a child.
run_batch -- sh -c "\"$WORKLOADS/split\" 1; true"
expect_rc 0
n=$(awk '/^children:/ { print $2 }' "$OUT")
[ -n "$n" ] || fail "no 'children:' line for a child running another program"
ge "$n" 100 || fail "only $n samples counted for the child (expected ~1 s of CPU)"
grep -q '\[unknown\]' "$OUT" && [ "$(pct '[unknown]+0x0')" != "" ] && fail "unknown frames shown"
if grep -Eq '^ +[0-9.]+% +[0-9.]+% +[0-9]+ +\[unknown\]' "$OUT"; then
	fail "the child's samples were shown as [unknown] rows"
fi
true
