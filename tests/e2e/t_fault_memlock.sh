#!/usr/bin/env bash
# t_fault_memlock.sh — an unprivileged user with RLIMIT_MEMLOCK 0: the perf rings shrink to fit perf_event_mlock_kb (or one line names the locked-memory limit), and the profile is right.
. "$(dirname "$0")/lib.sh"

# Without CAP_IPC_LOCK, the perf rings of a user must fit in
# perf_event_mlock_kb (per user, times the online CPUs) plus RLIMIT_MEMLOCK.
# With the rlimit at 0 only the sysctl's allowance is left: 516 KiB per CPU
# by default, which rings of up to 128 pages on every CPU fit.  proftui must
# size its rings to fit, or say that the locked-memory limit is what
# stopped perf events; blaming perf_event_paranoid would send the user the
# wrong way.

need_setpriv_root
nobody_copy "$PROFTUI" "$WORKLOADS/split"
dir=$NOBODY_DIR
PROFTUI=$dir/$(basename "$PROFTUI")
note "perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid), perf_event_mlock_kb $(cat /proc/sys/kernel/perf_event_mlock_kb), $(getconf _NPROCESSORS_ONLN) CPUs online"

# memlock KB: run_batch as uid 65534 with RLIMIT_MEMLOCK KB (set as root,
# then dropped: an unprivileged process may only lower it).
memlock() {
	RUN_PREFIX=(bash -c 'ulimit -l "$0" && exec "$@"' "$1"
		    setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups
		    -- env TMPDIR="$dir/tmp" HOME="$dir/tmp")
}

for kb in 0 4; do
	memlock "$kb"
	run_batch -d 2 -- "$dir/split" 2
	expect_rc 0
	note "ulimit -l $kb: $(grep -o 'method: [a-z]*' "$OUT"); stderr: $(tr '\n' '|' <"$ERR")"
	# ±6: a ptrace fallback samples at 200 Hz only.
	check_self func_a 60 6
	check_self func_b 30 6
	if ! grep -q 'method: perf' "$OUT"; then
		grep -Eqi 'locked memory|memlock|ulimit -l|mlock' "$ERR" ||
			fail "ulimit -l $kb: perf events given up without naming the locked-memory limit: $(cat "$ERR")"
		grep -q 'paranoid' "$ERR" &&
			fail "ulimit -l $kb: perf_event_paranoid blamed for a locked-memory limit: $(cat "$ERR")"
	fi
done

# --method perf: the same, or an exit status and message about locked
# memory, not "permission denied (4)" about perf_event_paranoid.
memlock 0
run_batch -d 1 --method perf -- "$dir/split" 1
note "ulimit -l 0, --method perf: exit $RC; stderr: $(tr '\n' '|' <"$ERR")"
if [ "$RC" -ne 0 ]; then
	grep -Eqi 'locked memory|memlock|ulimit -l|mlock' "$ERR" ||
		fail "--method perf: failed (exit $RC) without naming the locked-memory limit"
fi
true
