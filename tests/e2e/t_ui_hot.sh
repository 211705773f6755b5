#!/usr/bin/env bash
# t_ui_hot.sh — the live hot table (tmux): func_a, the known hottest function, is the first row, then the help opens and q quits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.3 -- "$WORKLOADS/split" 30
tui_wait 'SELF%' 10 || fail "the hot table never appeared"
sleep 2
tui_capture
first=$(tui_first_row)
case $first in
*func_a*) ;;
*) cat "$SCREEN"; fail "first row is not func_a: $first" ;;
esac
grep -q 'func_b' "$SCREEN" || fail "func_b missing from the table"
grep -Eq 'pid [0-9]+' "$SCREEN" || fail "header does not name the pid"

tui_keys '?'
tui_wait 'Everywhere' 5 || fail "help screen did not open"
grep -q 'quit' "$SCREEN" || fail "help does not list the quit key"
tui_keys Escape
tui_wait 'SELF%' 5 || fail "help did not close"

tui_keys q
tui_wait '\[proftui exited' 10 || fail "q did not quit"
grep -q '\[proftui exited 143\]' "$SCREEN" && fail "quit reported the target's SIGTERM as proftui's status"
true
