#!/usr/bin/env bash
# t_ui_flame.sh — the flame graph view shows the known call path main > run_rounds > func_a, row above row.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.3 -- "$WORKLOADS/split" 30
tui_wait 'func_a' 10 || fail "no samples shown"
sleep 1.5
tui_keys 3
# The hot table lists run_rounds too: wait for the flame view itself.
tui_wait 'Flame graph' 5 || fail "key 3 did not open the flame graph"
tui_wait 'run_rounds' 5 || fail "the flame graph does not show run_rounds"
# The path must appear in order on consecutive rows (icicle: root on top).
lm=$(grep -n 'main' "$SCREEN" | head -1 | cut -d: -f1)
lr=$(grep -n 'run_rounds' "$SCREEN" | head -1 | cut -d: -f1)
la=$(grep -n 'func_a' "$SCREEN" | head -1 | cut -d: -f1)
[ -n "$lm" ] && [ -n "$lr" ] && [ -n "$la" ] || { cat "$SCREEN"; fail "main/run_rounds/func_a not all shown"; }
[ "$lm" -lt "$lr" ] && [ "$lr" -lt "$la" ] || { cat "$SCREEN"; fail "path not in order: main@$lm run_rounds@$lr func_a@$la"; }
tui_keys q
