#!/usr/bin/env bash
# t_ui_escape.sh — a thread named "ESC[2Jevil" is shown escaped (\x1B[2Jevil) in the thread list; the screen is not cleared.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.3 -- "$WORKLOADS/evilname" 30
tui_wait 'evil_work' 10 || fail "no samples shown"
tui_keys T
# Wait for the list itself: "evil" is on the hot table already (evil_work).
tui_wait 'Threads' 5 || fail "the thread list did not open"
tui_wait 'x1B\[2Jevil' 5 || { cat -v "$SCREEN"; fail "the thread name is not shown escaped"; }
grep -q 'Threads' "$SCREEN" || fail "the screen was cleared"
tui_keys Escape q
