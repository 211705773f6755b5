#!/usr/bin/env bash
# t_ui_drill.sh — Enter on func_a opens its call tree, which shows its real callers run_rounds and main.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.3 -- "$WORKLOADS/split" 30
tui_wait 'func_a' 10 || fail "the hot table never showed func_a"
sleep 1.5
tui_capture
first=$(tui_first_row)
case $first in *func_a*) ;; *) fail "first row is not func_a: $first" ;; esac
tui_keys Enter
tui_wait 'Callers' 5 || fail "drill-down did not open"
grep -q 'run_rounds' "$SCREEN" || { cat "$SCREEN"; fail "callers of func_a do not show run_rounds"; }
grep -q 'main' "$SCREEN" || { cat "$SCREEN"; fail "callers of func_a do not reach main"; }
tui_keys Escape
tui_wait 'SELF%' 5 || fail "Esc did not go back to the hot table"
tui_keys q
