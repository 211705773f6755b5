#!/usr/bin/env bash
# t_ui_threads.sh — the thread list names both workers; choosing worker-a shows only thread_a_work; t cycles back to all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

tui_start -r 0.3 -- "$WORKLOADS/threads" 30
tui_wait 'thread_b_work' 10 || fail "no samples shown"
tui_keys T
tui_wait 'worker-a' 5 || fail "thread list does not name worker-a"
grep -q 'worker-b' "$SCREEN" || fail "thread list does not name worker-b"
# rows: all, main thread, worker-a, worker-b (by tid)
tui_keys Down Down Enter
tui_wait 'thread [0-9]+ \(worker-a\)' 5 || fail "filter on worker-a not shown in the header"
sleep 1
tui_capture
grep -q 'thread_a_work' "$SCREEN" || fail "thread_a_work missing under its own thread's filter"
grep -q 'thread_b_work' "$SCREEN" && { cat "$SCREEN"; fail "worker-b's function shown under worker-a's filter"; }
tui_keys t t
sleep 1
tui_capture
grep -q 'thread_a_work' "$SCREEN" && grep -q 'thread_b_work' "$SCREEN" || { cat "$SCREEN"; fail "t did not cycle back to all threads"; }
tui_keys q
