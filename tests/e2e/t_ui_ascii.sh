#!/usr/bin/env bash
# t_ui_ascii.sh — in the C locale the UI draws plain ASCII and still shows the table and the flame graph.
. "$(dirname "$0")/lib.sh"
TUI_LANG=C
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.3 -- "$WORKLOADS/split" 30
tui_wait 'func_a' 10 || fail "no table in the C locale"
tui_keys 3
# The hot table lists run_rounds too: wait for the flame view itself.
tui_wait 'Flame graph' 5 || fail "key 3 did not open the flame graph"
tui_wait 'run_rounds' 5 || fail "no flame graph in the C locale"
LC_ALL=C grep -q '[^[:print:][:space:]]' "$SCREEN" && { cat -v "$SCREEN"; fail "non-ASCII bytes on a C-locale screen"; }
tui_keys q
