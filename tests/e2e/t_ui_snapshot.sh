#!/usr/bin/env bash
# t_ui_snapshot.sh — S saves the live profile without stopping sampling (bad paths say why); --load opens a snapshot in the same UI.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

snap=$TMPDIR/live.snap
header_samples() { tui_capture; sed -n '1s/.*samples \([0-9]*\).*/\1/p' "$SCREEN"; }

# --- save from the live view ---------------------------------------------
tui_start -r 0.3 -- "$WORKLOADS/split" 30
tui_wait 'func_a' 10 || fail "no samples shown"
sleep 1.5
tui_keys S
# The offer: a fresh name in the current directory, editable.
tui_wait 'save to: proftui-split-[0-9]{8}-[0-9]{6}\.snap_' 5 || fail "no save prompt with a default name"
tui_keys C-u
tui_keys -l "$snap"
tui_keys Enter
tui_wait "saved $snap \(native\)" 5 || fail "no 'saved' message on the status line"
[ -s "$snap" ] || fail "$snap was not written"
# Sampling went on through the save.
before=$(header_samples)
sleep 1.5
after=$(header_samples)
[ -n "$before" ] && [ -n "$after" ] && [ "$after" -gt "$before" ] ||
	fail "samples did not grow after the save: $before -> $after"

# A bad path: the reason on the status line, the view goes on, and the
# failed path is offered again to be corrected.
tui_keys S
tui_wait 'save to: ' 5 || fail "no save prompt"
tui_keys C-u
tui_keys -l "$TMPDIR/no/such/dir/x.snap"
tui_keys Enter
tui_wait 'cannot write .*no/such/dir' 5 || fail "no error for a missing directory"
tui_alive || fail "proftui exited after a failed save"
tui_wait 'SELF%' 2 || fail "the hot table is gone after a failed save"
tui_keys S
tui_wait "save to: .*no/such/dir/x\.snap_" 5 || fail "the failed path is not offered again"
tui_keys Escape
tui_wait 'not saved' 5 || fail "Esc did not cancel the save"
ls -A "$TMPDIR" | grep -q '\.tmp$' && fail "a temporary file was left behind: $(ls -A "$TMPDIR")"
tui_keys q
tui_wait '\[proftui exited 0\]' 10 || fail "q did not exit with status 0"
tmx kill-server

# The saved file is a snapshot of the split workload.
run_cmd "$PROFTUI" --load "$snap" -b -n 5
expect_rc 0
check_split_table
grep -q "snapshot of .*split" "$ERR" || fail "the snapshot does not name its target: $(cat "$ERR")"

# --- the snapshot in the live UI -----------------------------------------
tui_start --load "$snap"
tui_wait 'snapshot of .*split' 10 || fail "the header does not say it is a snapshot"
grep -q 'took 0:0[0-9]' "$SCREEN" || fail "no duration in the header"
tui_wait 'func_a' 5 || fail "the snapshot's hot table does not show func_a"
first=$(tui_first_row)
case $first in *func_a*) ;; *) fail "first row is not func_a: $first" ;; esac
tui_keys Space
tui_wait 'not live' 5 || fail "pause did not say 'not live'"
# The search prompt: the status line names the match the cursor went to.
tui_keys /
tui_keys -l func_c
tui_wait '^/func_c_' 5 || fail "no search prompt"
tui_keys Enter
tui_wait '/func_c  func_c' 5 || fail "search did not move to func_c"
tui_keys 3
tui_wait 'Flame graph' 5 || fail "key 3 did not open the flame graph"
tui_wait 'run_rounds' 5 || fail "the flame graph does not show run_rounds"
# Saving a snapshot converts it.
tui_keys S
tui_wait 'save to: proftui-split-' 5 || fail "no save prompt in the snapshot view"
tui_keys C-u
tui_keys -l "$TMPDIR/conv.svg"
tui_keys Enter
tui_wait "saved $TMPDIR/conv.svg \(svg\)" 5 || fail "no 'saved' message for the SVG"
grep -q func_a "$TMPDIR/conv.svg" || fail "conv.svg has no func_a"
tui_keys q
tui_wait '\[proftui exited 0\]' 10 || fail "q did not exit the snapshot view with status 0"
exit 0
