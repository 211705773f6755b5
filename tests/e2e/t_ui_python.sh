#!/usr/bin/env bash
# t_ui_python.sh — the live view of a CPython target (tmux): merged stacks, then p for Python frames only, then native only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"
. "$(dirname "$0")/lib_py.sh"

py=""
for v in 3.12 3.11 3.13 3.10; do
	py=$(pyenv_python "$v")
	[ -n "$py" ] && break
done
[ -n "$py" ] || skip "no pyenv CPython"

tui_start -r 0.3 -- "$py" "$PYWORK/pysplit.py" 60
tui_wait 'python: merged' 15 || fail "the header does not show the merged Python view"
sleep 1.5
tui_capture
grep -q 'leaf_a (pysplit.py:' "$SCREEN" || fail "merged: no leaf_a row"

# Python frames only: the Python functions carry the self time.
tui_keys p
tui_wait 'python: python' 5 || fail "p did not switch to Python frames only"
# The table keeps the selected function in view: a native function chosen
# while it was on top (early on) sinks in this view and scrolls the table,
# so go to the top before reading it.
tui_keys g
sleep 1
tui_capture
first=$(tui_first_row)
case $first in
*leaf_a*|*leaf_b*) ;;
*) cat "$SCREEN"; fail "python view: the first row is not a leaf function: $first" ;;
esac
# Native code now counts in its Python caller: leaf_a's own share is about
# half (it was spread over libpython's functions), and what native time is
# left is only from samples without Python frames (start-up).
self_a=$(grep -E ' leaf_a \(pysplit.py' "$SCREEN" | head -n 1 | awk '{ print $1 }' | tr -d %)
ge "$self_a" 40 || { cat "$SCREEN"; fail "python view: leaf_a's self is $self_a %"; }
native=$(grep -E '_PyObject_(Free|Malloc)' "$SCREEN" | awk '{ s += $1 } END { print s + 0 }')
le "$native" 3 || { cat "$SCREEN"; fail "python view: $native % still in native allocator frames"; }

# Native frames only: no Python function, the evaluation loop is back.
tui_keys p
tui_wait 'python: native' 5 || fail "p did not switch to native frames only"
tui_keys g
sleep 1
tui_capture
grep -q 'pysplit.py' "$SCREEN" && { cat "$SCREEN"; fail "native view: Python functions still listed"; }
grep -q '_PyEval_EvalFrameDefault' "$SCREEN" || { cat "$SCREEN"; fail "native view: no evaluation loop"; }

tui_keys p
tui_wait 'python: merged' 5 || fail "p did not come back to merged"
tui_keys q
tui_wait '\[proftui exited' 10 || fail "q did not quit"
true
