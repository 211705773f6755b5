#!/usr/bin/env bash
# t_ui_escape.sh — a thread named "ESC[2Jevil" is shown escaped (\x1B[2Jevil) in the thread list; the screen is not cleared.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.3 -- "$WORKLOADS/evilname" 30
tui_wait 'evil_work' 10 || fail "no samples shown"
tui_keys T
tui_wait 'evil' 5 || fail "thread list does not show the evil thread"
grep -qF '\x1B[2Jevil' "$SCREEN" || { cat -v "$SCREEN"; fail "the thread name is not shown escaped"; }
grep -q 'Threads' "$SCREEN" || fail "the screen was cleared"
tui_keys Escape q
