#!/usr/bin/env bash
# t_jit_map_untrusted.sh — a perf map owned by another uid (65534) than the root target must be ignored: no jit_hot_loop, [anon] 80 ±5.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_more.sh"

need_root "the target must run as root to hand its map to uid 65534"

# Attach, so the map's owner can be checked before proftui reads it.
# SIGKILL at cleanup leaves the workload no chance to remove its map.
bg_start "$WORKLOADS/jit" 12 map-foreign
pid=$BG_PID
map=/tmp/perf-$pid.map
on_exit "rm -f '$map'"
sleep 0.3
alive "$pid" || fail "jit exited before proftui attached"
{ [ -f "$map" ] && [ ! -L "$map" ]; } || fail "$map was not written (or is a symlink)"
owner=$(stat -c %u "$map")
[ "$owner" = 65534 ] || fail "$map is owned by uid $owner, expected 65534"
grep -q ' jit_hot_loop$' "$map" || fail "$map does not name jit_hot_loop"
note "$map: $(cat "$map") (owner uid $owner)"

run_batch -n 0 -d 2 -p "$pid"
expect_rc 0
expect_table
alive "$pid" || fail "jit (pid $pid) did not survive proftui detaching"
has_func jit_hot_loop && fail "jit_hot_loop named from a map owned by uid 65534: untrusted map was used"
jit=$(module_pct "[jit]")
[ "$jit" = 0.00 ] || fail "$jit% of samples in module [jit] from an untrusted map"
anon=$(module_pct "[anon]")
note "[anon] self% = $anon (expect 80 +- 5)"
within "$anon" 80 5 || fail "[anon] rows hold $anon% self, expected 80 +- 5"
check_self native_work 20 5 jit
