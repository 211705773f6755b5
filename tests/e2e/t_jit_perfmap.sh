#!/usr/bin/env bash
# t_jit_perfmap.sh — JIT code named by the target's /tmp/perf-PID.map: jit_hot_loop 80 ±5 in [jit], native_work 20 ±5 in jit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_more.sh"

# The workload writes /tmp/perf-<its pid>.map itself and removes it at exit.
run_batch -n 0 -- "$WORKLOADS/jit" 2 map
expect_rc 0
expect_table
check_self jit_hot_loop 80 5 "[jit]"
check_self native_work 20 5 jit
mod=$(module_of jit_hot_loop)
[ "$mod" = "[jit]" ] || fail "jit_hot_loop's module is '$mod', expected [jit]"
# Named by the map, the code must not also show up as nameless addresses.
anon=$(module_pct "[anon]")
note "[anon] self% = $anon (expect <= 1)"
le "$anon" 1 || fail "$anon% of samples in [anon] although the perf map names the JIT code"
