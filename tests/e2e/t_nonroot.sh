#!/usr/bin/env bash
# t_nonroot.sh — proftui as uid 65534 (user-space-only sampling): launching split still gives 60/30/10 ±3 and the call paths.
. "$(dirname "$0")/lib.sh"

need_setpriv_root
nobody_copy "$PROFTUI" "$WORKLOADS/split"
dir=$NOBODY_DIR
as_nobody_prefix "$dir"
PROFTUI=$dir/$(basename "$PROFTUI")
note "perf_event_paranoid = $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo ?)"
check_split_launch "$dir/split"
