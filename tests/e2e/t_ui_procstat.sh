#!/usr/bin/env bash
# t_ui_procstat.sh — the live header's process line (tmux): cpu with a sparkline, rss and the thread states of split; the history line of sparklines; the hot table still below both.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.3 -- "$WORKLOADS/split" 30
# Rates need two readings a second apart.
tui_wait '^cpu [0-9]+% usr [0-9]+% sys' 10 || fail "no cpu figures in the header"
line=$(grep -E '^cpu [0-9]+% usr' "$SCREEN")
note "header: $line"
case $line in
*"  rss "[0-9]*[KMG]" vsz "[0-9]*[KMG]"  flt "*) ;;
*) fail "no rss in the header line: $line" ;;
esac
case $line in
*"  thr 1: 1R 0S 0D"*) ;;
*) fail "split's one thread should be running: $line" ;;
esac
grep -q '[▁▂▃▄▅▆▇█]' <<<"$line" || fail "no sparkline in: $line"
# Line 3 of the screen (the header's third line); the view starts below.
[ "$(sed -n 3p "$SCREEN" | cut -c1-4)" = "cpu " ] || fail "the figures are not the header's third line"
# The fourth: every figure's history, a full CPU and one steady thread
# after a few readings.
tui_wait '^history  cpu +[▁▂▃▄▅▆▇]*██ .*  thr +█+ ' 10 || fail "no history line: $(sed -n 4p "$SCREEN")"
hist=$(sed -n 4p "$SCREEN")
note "history: $hist"
for label in rss flt maj rd wr cs R D; do
	grep -q "  $label [ ▁▂▃▄▅▆▇█]" <<<"$hist" || fail "no $label history in: $hist"
done
tui_wait 'SELF%' 5 || fail "the hot table is gone"
[ "$(grep -n 'SELF%' "$SCREEN" | head -n 1 | cut -d: -f1)" -ge 5 ] ||
	fail "the hot table overlaps the header"
tui_keys q
tui_wait '\[proftui exited' 10 || fail "q did not quit"
