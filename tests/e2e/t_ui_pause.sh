#!/usr/bin/env bash
# t_ui_pause.sh — space pauses the view: the numbers stay frozen while sampling goes on, and resume moves them again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.2 -- "$WORKLOADS/split" 30
tui_wait 'func_a' 10 || fail "no samples shown"
sleep 1
tui_keys Space
tui_wait 'PAUSED' 5 || fail "no PAUSED marker"
sleep 0.5
tui_capture; cp "$SCREEN" "$TMPDIR/a.txt"
sleep 1.5
tui_capture; cp "$SCREEN" "$TMPDIR/b.txt"
cmp -s "$TMPDIR/a.txt" "$TMPDIR/b.txt" || { diff "$TMPDIR/a.txt" "$TMPDIR/b.txt"; fail "the screen changed while paused"; }
tui_keys Space
sleep 1.5
tui_capture
grep -q 'PAUSED' "$SCREEN" && fail "still paused after the second space"
row_a=$(awk '/SELF%.*TOTAL%/ { getline; print; exit }' "$TMPDIR/a.txt")
row_c=$(tui_first_row)
[ "$row_a" != "$row_c" ] || fail "numbers did not move after resuming: $row_c"
tui_keys q
