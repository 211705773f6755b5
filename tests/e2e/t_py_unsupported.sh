#!/usr/bin/env bash
# t_py_unsupported.sh — an interpreter proftui cannot read: one clear line, native profiling goes on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_py.sh"

py=$(pyenv_python 3.7)
[ -n "$py" ] || skip "no CPython 3.7 (pyenv) to stand for an unsupported version"
run_batch -d 1.5 -n 10 -- "$py" "$PYWORK/pysplit.py" 1.5
expect_rc 0
grep -qx "proftui: python 3.7 frames not supported; showing native frames" "$ERR" ||
	fail "no 'python 3.7 frames not supported' line on stderr"
has_func _PyEval_EvalFrameDefault || fail "native profiling did not go on"
grep -q "^python:" "$OUT" && fail "a python: summary line for an unsupported interpreter"
exit 0
