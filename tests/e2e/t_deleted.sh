#!/usr/bin/env bash
# t_deleted.sh — attach to split whose file was deleted (and replaced by a stripped impostor): 60/30/10 ±3 from /proc/PID/map_files.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_more.sh"

need_root "/proc/PID/map_files can only be opened with CAP_SYS_ADMIN"

dir=$TMPDIR/deleted
mkdir -p "$dir"
cp -- "$WORKLOADS/split" "$dir/split" || fail "cannot copy split"
bg_start "$dir/split" 4
pid=$BG_PID
sleep 0.1
rm -f -- "$dir/split" || fail "cannot delete $dir/split"
# A file at the old path with no symbols for func_*: a profiler that reads
# the path instead of the mapping gets wrong (or no) names.
cp -- "$WORKLOADS/split-stripped-static" "$dir/split" || fail "cannot place the impostor"
sleep 0.2
alive "$pid" || fail "split exited before proftui attached"
grep -qF "$dir/split (deleted)" "/proc/$pid/maps" || fail "the kernel does not show $dir/split as deleted"

run_batch -n 0 -d 2 -p "$pid"
expect_rc 0
alive "$pid" || fail "split (pid $pid) did not survive proftui detaching"
check_split_table
mod=$(module_of func_a)
note "func_a's module: '$mod'"
[ "$mod" = split ] || fail "func_a's module is '$mod', expected split"
