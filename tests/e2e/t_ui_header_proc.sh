#!/usr/bin/env bash
# t_ui_header_proc.sh — the live header's process figures agree with /proc (tmux): threads, rss, CPU %; context switches and bytes written of a workload that sleeps and fsyncs.
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
tmx kill-server

# offcpu: about a hundred sleeps and fsyncs a second, a steady rate of
# voluntary switches and of bytes written, on a real disk (not tmpfs).
dir=/var/tmp
[ "$(stat -f -c %T "$dir")" = tmpfs ] && dir=$(dirname "$WORKLOADS")
io_dir=$(mktemp -d "$dir/proftui-hdr.XXXXXX")
on_exit "rm -rf '$io_dir'"
tui_start -r 0.3 -- "$WORKLOADS/offcpu" 30 "$io_dir"
tui_wait '^cpu [0-9]+% usr .* cs [0-9.]+k?/s' 10 || fail "no switch figures in the header"
pid=$(sed -n 's/^proftui  pid \([0-9]*\) .*/\1/p' "$SCREEN" | head -n 1)
[ -n "$pid" ] || fail "offcpu is not running"
# "12.3k" -> 12300; "1.2M" (bytes) -> 1258291.
num() { awk -v v="$1" 'BEGIN { m = 1; if (v ~ /k$/) m = 1000; if (v ~ /K$/) m = 1024;
	if (v ~ /M$/) m = 1048576; if (v ~ /G$/) m = 1073741824; sub(/[kKMG]$/, "", v); print v * m }'; }
proc_vcs() { awk '/^voluntary_ctxt_switches:/ { print $2 }' "/proc/$pid/status"; }
proc_wr() { awk '/^write_bytes:/ { print $2 }' "/proc/$pid/io"; }
# Disk writes come in bursts: average the header's per-second figures over
# four seconds and compare with /proc's over the same four.
c0=$(proc_vcs) w0=$(proc_wr) vcs=0 wr=0
for i in 1 2 3 4; do
	sleep 1
	tui_capture
	line=$(grep -E '^cpu [0-9]+% usr' "$SCREEN")
	note "header: $line"
	v=$(num "$(sed -n 's/.*  cs \([0-9.]*k\?\)\/s .*/\1/p' <<<"$line")")
	w=$(sed -n 's/.* w \([0-9.]*\)\( B\|[KMG]\)\/s .*/\1\2/p' <<<"$line")
	w=$(num "${w% B}")
	vcs=$(awk -v a="$vcs" -v b="$v" 'BEGIN { print a + b / 4 }')
	wr=$(awk -v a="$wr" -v b="$w" 'BEGIN { print a + b / 4 }')
done
c1=$(proc_vcs) w1=$(proc_wr)
pv=$(((c1 - c0) / 4)) pw=$(((w1 - w0) / 4))
note "switches: header $vcs/s, /proc $pv/s; written: header $wr B/s, /proc $pw B/s"
ge "$pv" 20 || skip "offcpu did not get to run its phases (machine too loaded?)"
within "$vcs" "$pv" "$(awk -v v="$pv" 'BEGIN { print v * 0.35 + 10 }')" ||
	fail "header says $vcs voluntary switches/s, /proc $pv/s"
within "$wr" "$pw" "$(awk -v v="$pw" 'BEGIN { print v * 0.35 + 65536 }')" ||
	fail "header says $wr bytes written/s, /proc $pw/s"
tui_keys q
tui_wait '\[proftui exited' 10 || fail "q did not quit"
true
