#!/usr/bin/env bash
# t_mountns.sh — a target in another mount namespace (its binary on a tmpfs only it can see): symbols come through /proc/PID/root.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root for unshare -m"
command -v unshare >/dev/null 2>&1 || skip "unshare not installed"
dir=$(mktemp -d /tmp/proftui-ns.XXXXXX)
on_exit "rmdir $dir"
# Inside its own mount namespace the workload lives on a private tmpfs at
# $dir; from here $dir stays empty.
unshare -m --propagation private sh -c \
	"mount -t tmpfs none '$dir' && cp '$WORKLOADS/split' '$dir/split' && exec '$dir/split' 5" \
	>/dev/null 2>&1 </dev/null &
pid=$!
on_exit "kill -KILL $pid; wait $pid"
for _ in $(seq 50); do
	grep -q "$dir/split" "/proc/$pid/maps" 2>/dev/null && break
	sleep 0.1
done
grep -q "$dir/split" "/proc/$pid/maps" 2>/dev/null || skip "could not start the workload in a mount namespace"
[ -e "$dir/split" ] && fail "test setup: the namespace's tmpfs is visible from here"
run_batch -d 2 -p "$pid"
expect_rc 0
expect_table
check_self func_a 60 3 split
check_self func_b 30 3 split
