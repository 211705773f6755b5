#!/usr/bin/env bash
# t_ui_modes.sh — phase A for 2 s then phase B: cumulative shows both, a 1 s window only phase_b_work, decay ranks B first.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.25 -w 1 -- "$WORKLOADS/phases" 2 30
tui_wait 'phase_a_work' 10 || fail "phase A never shown"
tui_wait 'phase_b_work' 10 || fail "phase B never shown"
sleep 2.5     # more than the window since phase A ended
tui_capture
grep -q 'phase_a_work' "$SCREEN" && grep -q 'phase_b_work' "$SCREEN" ||
	{ cat "$SCREEN"; fail "cumulative view does not show both phases"; }
tui_keys m
tui_wait 'view: last 1s' 5 || fail "m did not switch to the window mode"
sleep 0.6
tui_capture
grep -q 'phase_b_work' "$SCREEN" || fail "window: phase_b_work missing"
grep -q 'phase_a_work' "$SCREEN" && { cat "$SCREEN"; fail "window of 1 s still shows phase A"; }
tui_keys m
tui_wait 'decaying' 5 || fail "m did not switch to the decaying mode"
sleep 0.6
tui_capture
first=$(tui_first_row)
case $first in *phase_b_work*) ;; *) cat "$SCREEN"; fail "decaying view does not rank phase B first: $first" ;; esac
tui_keys m
tui_wait 'view: cumulative' 5 || fail "m did not cycle back to cumulative"
tui_keys q
