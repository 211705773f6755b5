#!/usr/bin/env bash
# t_ui_exit.sh — when the target exits the UI stays up, says so, keeps the data; q then returns the command's status.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.2 -- "$WORKLOADS/exit-code" 1 3
tui_wait 'exited with status 3' 10 || fail "the UI does not say the target exited"
tui_alive || fail "proftui quit when the target exited"
grep -q 'exit_spin' "$SCREEN" || { cat "$SCREEN"; fail "the collected samples are gone"; }
tui_keys q
tui_wait '\[proftui exited 3\]' 5 || fail "exit status is not the command's (3)"
