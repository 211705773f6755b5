#!/usr/bin/env bash
# t_ui_offcpu.sh — the live hot table with --off-cpu (tmux): CPU% RUNQ% IOWAIT% SLEEP% columns, the state rows, do_sleep asleep.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

[ "$(id -u)" -eq 0 ] || skip "--off-cpu needs kernel sampling (root here)"
io_dir=$(mktemp -d /var/tmp/proftui-offcpu.XXXXXX)
on_exit "rm -rf '$io_dir'"

# Sorted by total, do_fsync is near the top whatever else is sampled.
tui_start -r 0.3 --off-cpu -s total -- "$WORKLOADS/offcpu" 30 "$io_dir"
tui_wait 'IOWAIT%' 10 || fail "no off-CPU columns in the hot table"
sleep 2
tui_capture
grep -q 'SLEEP%' "$SCREEN" || fail "no SLEEP% column"
grep -q '\[sleeping\]' "$SCREEN" || fail "no [sleeping] row"
# do_fsync's row: its IOWAIT% (the 3rd split column) is most of its total.
row=$(grep -E ' do_fsync' "$SCREEN" | grep -v '\[kernel\]' | head -n 1)
[ -n "$row" ] || { cat "$SCREEN"; fail "no do_fsync row"; }
total=$(awk '{ print $2 }' <<<"$row" | tr -d %) io=$(awk '{ print $5 }' <<<"$row" | tr -d %)
note "do_fsync: total $total %, IO wait $io %"
ge "$io" "$(awk -v t="$total" 'BEGIN { print t * 0.5 }')" || fail "do_fsync IO wait $io % of $total %: $row"
tui_keys q
tui_wait '\[proftui exited' 10 || fail "q did not quit"
true
