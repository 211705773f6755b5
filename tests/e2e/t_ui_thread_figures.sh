#!/usr/bin/env bash
# t_ui_thread_figures.sh — the thread list shows each thread's state, CPU % and switches per second (tmux), matching /proc.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.3 -- "$WORKLOADS/threads" 30
tui_wait 'thread_b_work' 10 || fail "no samples shown"
sleep 2.5   # two readings a second apart give rates
tui_keys T
tui_wait 'CSW/s' 5 || fail "the thread list has no figure columns"
sleep 1.2
tui_capture
row=$(grep -E ' worker-a$' "$SCREEN" | head -n 1)
[ -n "$row" ] || { cat "$SCREEN"; fail "no worker-a row"; }
# TID SHARE SAMPLES S CPU% CSW/s NAME
tid=$(awk '{ print $1 }' <<<"$row") st=$(awk '{ print $4 }' <<<"$row")
cpu=$(awk '{ print $5 }' <<<"$row" | tr -d %)
note "worker-a (tid $tid): state $st, CPU $cpu %"
case $st in R|S) ;; *) fail "worker-a state '$st': $row" ;; esac
# A busy worker: most of a CPU (two of them on two CPUs, beside proftui).
ge "$cpu" 40 || fail "worker-a CPU $cpu %: $row"
le "$cpu" 101 || fail "worker-a CPU $cpu % over one CPU: $row"
# /proc agrees that it is that busy.
# The header names the target: other runs of the same workload may be about.
pid=$(sed -n 's/^proftui  pid \([0-9]*\) .*/\1/p' "$SCREEN" | head -n 1)
t0=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/task/$tid/stat")
sleep 1
t1=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/task/$tid/stat")
proc=$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN { print 100 * (b - a) / hz }')
note "/proc: worker-a used $proc % of a CPU over the next second"
within "$cpu" "$proc" 30 || fail "thread list says $cpu %, /proc $proc %"
tui_keys Escape q
tui_wait '\[proftui exited' 10 || fail "q did not quit"
true
