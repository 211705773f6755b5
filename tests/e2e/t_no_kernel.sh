#!/usr/bin/env bash
# t_no_kernel.sh — reads of /dev/zero as root with --no-kernel: no [kernel] rows at all, the user side (reader_loop) still profiled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_more.sh"

# Without root no kernel frames are collected anyway: nothing would be tested.
need_root "without root kernel frames are off anyway"

run_batch -n 0 --no-kernel -- "$WORKLOADS/syscalls" 2
expect_rc 0
expect_table
kern=$(module_pct "[kernel]")
rows=$(table_rows | awk -F'\t' '$5 == "[kernel]" || $4 ~ /^\[kernel\]/' | wc -l)
note "[kernel] rows = $rows, self% = $kern (expect none)"
[ "$rows" -eq 0 ] || fail "$rows [kernel] rows with --no-kernel"
# Every sample still has the user stack: reader_loop under all of them.
t=$(total_pct reader_loop)
note "total% reader_loop = $t (expect >= 90)"
ge "$t" 90 || fail "reader_loop total% is $t, expected >= 90"

run_batch --no-kernel --folded -- "$WORKLOADS/syscalls" 2
expect_rc 0
[ "$(folded_total)" -gt 0 ] || fail "no folded stacks in the output"
k=$(folded_count '(^|;)(entry_SYSCALL_64[^;]*|do_syscall_64|ksys_read|vfs_read|read_zero)(;|$)')
note "folded samples with kernel syscall frames = $k (expect 0)"
[ "$k" -eq 0 ] || fail "$k folded samples hold kernel frames with --no-kernel"
