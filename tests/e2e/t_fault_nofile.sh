#!/usr/bin/env bash
# t_fault_nofile.sh — RLIMIT_NOFILE against a 64-thread target (one perf event per thread and CPU): a low soft limit is raised, a low hard limit degrades with one line (never a crash); absurd limits get a message about descriptors.
. "$(dirname "$0")/lib.sh"

[ -x "$WORKLOADS/manythreads" ] || fail "$WORKLOADS/manythreads missing: build the workloads"

# limited SOFT HARD CMD...: CMD with only fds 0-2 open and the given
# RLIMIT_NOFILE (what a test harness leaves open must not count).
limited() {
	local soft=$1 hard=$2
	shift 2
	# shellcheck disable=SC2016
	run_cmd bash -c '
		for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done
		ulimit -Sn "$2" && ulimit -Hn "$1" && shift 2 && exec "$@"' limited "$hard" "$soft" "$@"
}

bg_start "$WORKLOADS/manythreads" 120 64
pid=$BG_PID
for _ in $(seq 50); do [ "$(nthreads "$pid")" -ge 65 ] && break; sleep 0.1; done
n=$(nthreads "$pid")
[ "$n" -ge 65 ] || fail "manythreads has $n threads, expected 65"
ncpu=$(getconf _NPROCESSORS_CONF)
note "target: $n threads x $ncpu CPUs = $((n * ncpu)) perf events needed"

# 1. Soft limit 64, hard limit high: proftui raises its soft limit to the
#    hard one and samples every thread, silently.
limited 64 4096 "$PROFTUI" -b -d 1.5 -p "$pid"
expect_rc 0
check_threads_seen 50
has_func many_work || fail "soft limit: many_work not sampled"
grep -qi 'descriptor' "$ERR" && fail "soft limit: a warning although the limit could be raised: $(cat "$ERR")"

# 2. Hard limit 64: the events cannot all be opened.  Expected: proftui
#    still profiles (ptrace, or perf on the threads it could open), says in
#    one line that file descriptors ran out and how to raise the limit, and
#    exits 0.
limited 64 64 "$PROFTUI" -b -d 1.5 -p "$pid"
note "hard limit 64: exit $RC; stderr: $(tr '\n' '|' <"$ERR")"
[ "$RC" -lt 128 ] || fail "hard limit 64: proftui died of signal $((RC - 128))"
grep -Eqi 'descriptor|ulimit -n|too many open files' "$ERR" || fail "hard limit 64: no message about file descriptors"
expect_rc 0
ge "$(summary_num samples)" 1 || fail "hard limit 64: no samples; expected degraded sampling"
alive "$pid" || fail "the target died"

# 3. Absurd limits (4 to 12 descriptors): whatever fails, the message says
#    descriptors ran out (EMFILE), never "out of memory", and nothing crashes.
for lim in 4 6 8 10 12; do
	limited "$lim" "$lim" "$PROFTUI" -b -d 0.5 -- "$WORKLOADS/split" 0.5
	note "limit $lim: exit $RC; stderr: $(tr '\n' '|' <"$ERR")"
	[ "$RC" -lt 128 ] || fail "limit $lim: proftui died of signal $((RC - 128))"
	[ "$RC" -eq 0 ] && continue
	grep -Eqi 'descriptor|ulimit -n|too many open files' "$ERR" ||
		fail "limit $lim: exit $RC without a message about file descriptors: '$(cat "$ERR")'"
	grep -qi 'out of memory' "$ERR" && fail "limit $lim: EMFILE reported as 'out of memory'"
done
true
