#!/usr/bin/env bash
# t_py_idle.sh — attached to an idle Python process, proftui stays idle too (it once woke 1,000 times a second to drain nothing).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_py.sh"

py=$(pythons | head -n 1)
[ -n "$py" ] || skip "no CPython 3.8+ here"
bg_start "$py" -c 'import time; time.sleep(60)'
sleep 0.5
run_batch -d 3 -p "$BG_PID"
expect_rc 0
grep -q "python .* found" "$ERR" || fail "the interpreter was not found: $(cat "$ERR")"
# "proftui: 0.01 s CPU" on the summary: waking every millisecond cost
# ~0.09 s over these 3 s (0.03 s a second); now it is a few ms.
cpu=$(sed -n 's/^proftui: \([0-9.]*\) s CPU.*/\1/p' "$OUT" "$ERR" | head -n 1)
[ -n "$cpu" ] || fail "no 'proftui: ... s CPU' line"
note "proftui's own CPU over 3 s on an idle $(basename "$py"): $cpu s"
le "$cpu" 0.05 || fail "proftui used $cpu s of CPU watching an idle process for 3 s"
