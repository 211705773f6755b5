#!/usr/bin/env bash
# t_ui_header_proc.sh — the live header's process figures agree with /proc (tmux): threads, rss, CPU %.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

# split: one thread, busy all the time, so a second's CPU is steady.
tui_start -r 0.3 -- "$WORKLOADS/split" 30
tui_wait '^cpu [0-9]+% usr [0-9]+% sys' 10 || fail "no cpu figures in the header"
sleep 1.5
tui_capture
# The header names the target: other runs of the same workload may be about.
pid=$(sed -n 's/^proftui  pid \([0-9]*\) .*/\1/p' "$SCREEN" | head -n 1)
[ -n "$pid" ] || fail "the workload is not running"
line=$(grep -E '^cpu [0-9]+% usr' "$SCREEN")
note "header: $line"

# Threads: the header's count is /proc's.
thr=$(sed -n 's/.*thr \([0-9]*\):.*/\1/p' <<<"$line")
want=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
[ "$thr" = "$want" ] || fail "header says $thr threads, /proc $want"

# RSS: within 25 % of VmRSS (it is read a second apart at most).
rss=$(sed -n 's/.*rss \([0-9.]*\)\([KMG]\).*/\1 \2/p' <<<"$line")
rss_kb=$(awk -v v="${rss% *}" -v u="${rss#* }" 'BEGIN { m = u == "K" ? 1 : u == "M" ? 1024 : 1048576; print v * m }')
vm_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
note "rss: header $rss_kb kB, /proc $vm_kb kB"
within "$rss_kb" "$vm_kb" "$(awk -v v="$vm_kb" 'BEGIN { print v * 0.25 + 64 }')" ||
	fail "header rss $rss_kb kB, /proc VmRSS $vm_kb kB"

# CPU: the header's last second and /proc's next one agree within 25
# points (one busy thread: about 100 %).
cpu=$(sed -n 's/^cpu \([0-9]*\)% usr \([0-9]*\)% sys.*/\1 \2/p' <<<"$line" | awk '{ print $1 + $2 }')
t0=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")
sleep 1
t1=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")
proc=$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN { print 100 * (b - a) / hz }')
note "cpu: header $cpu %, /proc $proc %"
within "$cpu" "$proc" 25 || fail "header cpu $cpu %, /proc $proc %"
ge "$cpu" 70 || fail "a busy thread but the header says $cpu %"
tui_keys q
tui_wait '\[proftui exited' 10 || fail "q did not quit"
true
