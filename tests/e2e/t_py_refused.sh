#!/usr/bin/env bash
# t_py_refused.sh — perf may sample a Python process whose memory proftui may not read (CAP_PERFMON without CAP_SYS_PTRACE): one clear line, native frames with their names.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_py.sh"

# Root with every capability dropped but CAP_PERFMON stands for a container
# that grants perf but not ptrace: perf events on another user's process
# work; process_vm_readv (Python frames) and /proc/PID/root (the target's
# files) are refused, its maps are not.
need_setpriv_root
setpriv --bounding-set=-all,+perfmon --inh-caps=-all -- true 2>/dev/null ||
	skip "setpriv cannot keep CAP_PERFMON alone here"
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3"
nobody_copy "$PROFTUI" "$PYWORK/pysplit.py"
dir=$NOBODY_DIR
bg_start setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups -- \
	/usr/bin/python3 "$dir/pysplit.py" 30
sleep 0.5
pid=$(pgrep -u "$NOBODY_UID" -f "pysplit.py 30" | head -n 1)
[ -n "$pid" ] || fail "the uid-$NOBODY_UID python did not start"

RUN_PREFIX=(setpriv --bounding-set=-all,+perfmon --inh-caps=-all --)
PROFTUI=$dir/$(basename "$PROFTUI")
run_batch -d 1.5 -n 10 -p "$pid"
expect_rc 0
note "stderr: $(cat "$ERR")"
grep -q "^proftui: python found, but its memory cannot be read (process_vm_readv: Operation not permitted): .*CAP_SYS_PTRACE; showing native frames$" "$ERR" ||
	fail "no line saying the Python frames cannot be read"
[ "$(grep -c 'cannot be read' "$ERR")" -eq 1 ] || fail "the refusal is not said exactly once"
# The interpreter's own functions still have names: its file is read by
# its own path when /proc/PID/root is refused (the same inode).
has_func _PyEval_EvalFrameDefault || fail "the interpreter's functions are not named"
grep -q "^python:" "$OUT" && fail "a python: summary line although no Python frame could be read"
alive "$pid" || fail "the target died"
exit 0
