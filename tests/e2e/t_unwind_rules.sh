#!/usr/bin/env bash
# t_unwind_rules.sh — the unwinder's rule cache gives, sample for sample, the stacks libunwind gives, on every kind of bundled workload and on Python.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_py.sh"

# bench/unwindbench captures real perf samples of a running process and,
# with --verify, unwinds each one through libunwind alone and through the
# rule cache (uw_set_fast): any difference in frames or in how the walk
# ended fails it.  Built beside proftui by `make e2e`.
UNWINDBENCH=${UNWINDBENCH:-$(dirname "$PROFTUI")/bench/unwindbench}
[ -x "$UNWINDBENCH" ] || skip "no $UNWINDBENCH (make $(dirname "$PROFTUI")/bench/unwindbench)"

# verify MIN_FAST% CMD...: run CMD, check 300 of its samples both ways; the
# rule cache must unwind at least MIN_FAST % of them by itself (compiled
# code with .eh_frame all the way down should never need libunwind).
verify() {
	local min=$1 line differ fast total
	shift
	bg_start "$@"
	sleep 0.4
	E2E_RUNS=$((E2E_RUNS + 1))
	OUT=$TMPDIR/run$E2E_RUNS.out ERR=$TMPDIR/run$E2E_RUNS.err
	echo "unwindbench --verify -p $BG_PID  # $*" >"$TMPDIR/run$E2E_RUNS.cmd"
	RC=0
	timeout -k 2 60 "$UNWINDBENCH" -p "$BG_PID" -n 300 --seconds 0.1 --verify >"$OUT" 2>"$ERR" || RC=$?
	line=$(grep 'verify:' "$ERR") || fail "$*: no verify line (exit $RC)"
	note "$(basename "$1") ${*:2}: ${line#*verify: }"
	[ "$RC" -eq 0 ] || fail "$*: unwindbench exited $RC"
	differ=$(sed -n 's/.*, \([0-9]*\) differ$/\1/p' <<<"$line")
	total=$(sed -n 's/.*verify: \([0-9]*\) samples.*/\1/p' <<<"$line")
	fast=$(sed -n 's/.*(\([0-9]*\) by the rule cache alone).*/\1/p' <<<"$line")
	[ "$differ" = 0 ] || fail "$*: $differ samples unwound differently"
	[ "${total:-0}" -ge 100 ] || fail "$*: only ${total:-0} samples"
	[ $((100 * fast)) -ge $((min * total)) ] ||
		fail "$*: the rule cache alone unwound $fast of $total samples, expected >= $min %"
	{ kill -KILL "$BG_PID" && wait "$BG_PID"; } 2>/dev/null
	return 0    # (wait reports the SIGKILL: 137)
}

# Compiled code with unwind tables: the rule cache alone, nearly always.
verify 95 "$WORKLOADS/split" 20
verify 95 "$WORKLOADS/split-nofp" 20
verify 95 "$WORKLOADS/split-stripped" 20
verify 95 "$WORKLOADS/split-stripped-static" 20
verify 95 "$WORKLOADS/shlib" 20
verify 95 "$WORKLOADS/cxx" 20
verify 95 "$WORKLOADS/deep" 20
verify 95 "$WORKLOADS/threads" 20
verify 95 "$WORKLOADS/stacks" 20
verify 95 "$WORKLOADS/vdso" 20
verify 80 "$WORKLOADS/syscalls" 20
verify 95 "$WORKLOADS/debugframe-crt" 20
# Frames libunwind must handle (no CFI: frame pointers, JIT code, CFI only
# in .debug_frame with no entry for _start): the answers must still agree.
verify 0 "$WORKLOADS/split-fp-noeh" 20
verify 0 "$WORKLOADS/badfp" 20
verify 0 "$WORKLOADS/jit" 20 map
verify 0 "$WORKLOADS/debugframe" 20
# CPython's evaluation loop and a C extension below it.
py=$(pythons | head -n 1)
if [ -n "$py" ]; then
	verify 80 "$py" "$PYWORK/pyjson.py" 20
fi
exit 0
