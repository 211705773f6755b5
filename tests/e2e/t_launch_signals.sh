#!/usr/bin/env bash
# t_launch_signals.sh — a launched command gets a clean signal state: nothing blocked or ignored, so Ctrl-C and kill work on it.
. "$(dirname "$0")/lib.sh"

run_batch -- sh -c 'grep -E "^Sig(Blk|Ign)" /proc/self/status'
expect_rc 0
# proftui blocks SIGHUP, SIGINT, SIGTERM and ignores SIGPIPE (bits 0, 1,
# 14 and 12); whatever the caller set up itself is not ours to change.
mask=0x5003
blk=$(awk '/^SigBlk:/ { print $2 }' "$OUT")
ign=$(awk '/^SigIgn:/ { print $2 }' "$OUT")
[ -n "$blk" ] && [ -n "$ign" ] || fail "no signal masks in the output"
[ $((0x$blk & mask)) -eq 0 ] || fail "the command starts with signals blocked: SigBlk $blk"
[ $((0x$ign & mask)) -eq 0 ] || fail "the command starts with signals ignored: SigIgn $ign"
