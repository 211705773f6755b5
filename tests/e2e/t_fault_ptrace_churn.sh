#!/usr/bin/env bash
# t_fault_ptrace_churn.sh — the ptrace method on a target that churns threads, execs or forks: no hang, the right names, every thread (and child) free afterwards.
. "$(dirname "$0")/lib.sh"

# t_churn, t_exec and t_fork check the same targets with perf events; the
# ptrace method handles them through its own stops (clone and exec events,
# threads dying under it), where a mistake leaves a thread stopped.

# Threads born and dying every millisecond, attached.
bg_start "$WORKLOADS/churn" 60
pid=$BG_PID
sleep 0.3
t0=$(now_s)
run_batch --method ptrace -d 3 -p "$pid"
took=$(minus "$t0" "$(now_s)")
expect_rc 0
le "$took" 8 || fail "a 3 s ptrace session on churn took $took s"
check_threads_seen 20
has_func churn_work || fail "churn_work not sampled"
alive "$pid" || fail "churn died under ptrace"
free_running "$pid" "churn after the ptrace session"
churn_self=$(pct churn_work) clone_self=$(pct clone3)
note "churn: churn_work $churn_self % self, clone3 $clone_self % self"

# Launched through a shell that execs split: the exec event is followed.
run_batch --method ptrace -- sh -c 'exec "$0" 4' "$WORKLOADS/split"
expect_rc 0
check_self func_a 60 8 split
has_func '[unknown]' && fail "frames of the old program shown as [unknown] after the exec"

# Launched churn: threads created from the very start, and the exit.
run_batch --method ptrace -- "$WORKLOADS/churn" 2
expect_rc 0
check_threads_seen 20

# A child forked during the attach: ptrace follows threads, not children;
# neither process may be left stopped or traced.
bg_start "$WORKLOADS/forker" 12 0.8
pid=$BG_PID
sleep 0.3
run_batch --method ptrace -n 0 -d 2 -p "$pid"
expect_rc 0
check_self parent_work 100 3
kid=$(pgrep -P "$pid" | head -n 1)
[ -n "$kid" ] || fail "forker did not fork during the session"
free_running "$pid" "forker parent"
free_running "$kid" "forker child"

# Accuracy under churn (last, so the checks above report first): churn's
# threads spend ~2 ms each in churn_work and microseconds in clone3, so
# clone3 must not carry a large share of the self time.  A thread resumed
# from its first ptrace-stop and sampled in the same round is caught at
# its first instruction (in clone3) every time.
le "$clone_self" 15 || fail "ptrace on churn: clone3 holds $clone_self % self (churn_work $churn_self %); expected <= 15 %: new threads are sampled as they are released"
