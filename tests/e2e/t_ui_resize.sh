#!/usr/bin/env bash
# t_ui_resize.sh — resizing to 20x6 shows a "too small" notice without exiting; back to 120x40 the table returns.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.2 -- "$WORKLOADS/split" 30
tui_wait 'func_a' 10 || fail "no samples shown"
tui_resize 20 6
tui_wait 'too small' 5 || fail "no 'too small' notice at 20x6"
tui_alive || fail "proftui exited on a tiny terminal"
for size in "1 1" "200 50" "25 7" "60 10" "120 40"; do
	# shellcheck disable=SC2086
	tui_resize $size
	sleep 0.2
done
tui_wait 'SELF%' 5 || fail "the table did not come back at 120x40"
tui_alive || fail "proftui died during the resize storm"
grep -q 'func_a' "$SCREEN" || fail "func_a missing after resizing back"
tui_keys q
