#!/usr/bin/env bash
# t_ui_offcpu_key.sh — o turns off-CPU time on and off while the live view samples (tmux).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

[ "$(id -u)" -eq 0 ] || skip "off-CPU time needs kernel sampling (root here)"
io_dir=$(mktemp -d /var/tmp/proftui-offcpu.XXXXXX)
on_exit "rm -rf '$io_dir'"

tui_start -r 0.3 -s total -- "$WORKLOADS/offcpu" 30 "$io_dir"
tui_wait 'SELF%' 10 || fail "the hot table never appeared"
sleep 1
tui_capture
grep -q 'IOWAIT%' "$SCREEN" && fail "off-CPU columns without --off-cpu or o"
tui_keys o
tui_wait 'off-CPU time from the sched_switch|off-CPU time from the context-switch|off-CPU time on' 5 ||
	fail "no note after o"
tui_wait 'IOWAIT%' 5 || fail "no off-CPU columns after o"
tui_wait '\[IO wait\]' 5 || fail "no [IO wait] row after o"
tui_keys o
tui_wait 'off-CPU time off' 5 || fail "o did not turn off-CPU time off"
grep -q 'sampling stopped' "$SCREEN" && fail "sampling stopped while switching"
tui_alive || fail "proftui died switching off-CPU time"
tui_keys q
tui_wait '\[proftui exited 0\]' 10 || fail "q did not quit with 0"
true
