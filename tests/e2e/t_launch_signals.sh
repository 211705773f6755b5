#!/usr/bin/env bash
# t_launch_signals.sh — a launched command gets a clean signal state: nothing blocked or ignored, so Ctrl-C and kill work on it.
. "$(dirname "$0")/lib.sh"

run_batch -- sh -c 'grep -E "^Sig(Blk|Ign)" /proc/self/status'
expect_rc 0
grep -q '^SigBlk:[[:space:]]*0*$' "$OUT" || fail "the command starts with signals blocked: $(grep SigBlk "$OUT")"
grep -q '^SigIgn:[[:space:]]*0*$' "$OUT" || fail "the command starts with signals ignored: $(grep SigIgn "$OUT")"
