#!/usr/bin/env bash
# t_fork.sh — attach to forker: a child forked before the attach is not profiled (parent_work ~100 %); one forked during it is followed (inherit) and named: parent_work + child_work >= 95 %.
. "$(dirname "$0")/lib.sh"

# Both runs: the parent's parent_work must be there, every sample must be
# named as parent_work or child_work (a forked child has the parent's
# mappings but its own pid), and nothing may die.

# children PID: the pids of PID's children, space separated.
children() { pgrep -P "$1" | tr '\n' ' '; }

# 1. Child forked before proftui attaches: perf events on the parent's
#    threads do not reach a process that already exists.
bg_start "$WORKLOADS/forker" 12 0
pid=$BG_PID
sleep 0.3
kid=$(children "$pid")
[ -n "${kid// /}" ] || fail "forker (pid $pid) has no child"
run_batch -n 0 -d 1.5 -p "$pid"
expect_rc 0
expect_table
alive "$pid" || fail "forker parent died while profiled"
for k in $kid; do alive "$k" || fail "forker child $k died while its parent was profiled"; done
note "fork before attach: parent_work $(pct parent_work)%, child_work $(pct child_work)%"
check_self parent_work 100 3
has_func child_work && fail "child_work sampled although the child existed before the attach"

# 2. Child forked 0.5 s into a 2 s attach: inherit=1 follows it, so its
#    child_work shows (about 1.5 s of it next to 2 s of parent_work, ~43 %
#    on two CPUs).  Only its presence is asserted: the share depends on
#    how many CPUs there are.
bg_start "$WORKLOADS/forker" 12 0.8
pid=$BG_PID
sleep 0.3
[ -z "$(children "$pid")" ] || fail "forker forked before the attach"
run_batch -n 0 -d 2 -p "$pid"
expect_rc 0
expect_table
alive "$pid" || fail "forker parent died while profiled"
kid=$(children "$pid")
[ -n "${kid// /}" ] || fail "forker's child is gone after the profile"
pw=$(pct parent_work) cw=$(pct child_work)
note "fork during attach: parent_work $pw%, child_work $cw%, threads seen $(summary_num 'threads seen')"
ge "$pw" 30 || fail "parent_work self% is $pw, expected >= 30"
sum=$(awk -v a="$pw" -v b="$cw" 'BEGIN { printf "%.2f\n", a + b }')
ge "$sum" 95 || fail "parent_work + child_work = $sum%, expected >= 95: samples misnamed"
