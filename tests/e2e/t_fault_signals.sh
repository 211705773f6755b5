#!/usr/bin/env bash
# t_fault_signals.sh — SIGINT/SIGTERM/SIGHUP to batch proftui at set moments (perf and ptrace, attached and launched): exit 128+N, the -o file written and loadable, the target free.
. "$(dirname "$0")/lib.sh"

signum() { kill -l "$1"; }

# signal_at SIG DELAY ARGS...: proftui -b ARGS in the background, SIG after
# DELAY seconds; RC its exit status, its output in OUT/ERR.  The run is
# bounded: a proftui that ignores the signal is killed after 20 s.
signal_at() {
	local sig=$1 delay=$2 pid i
	shift 2
	E2E_RUNS=$((E2E_RUNS + 1))
	OUT=$TMPDIR/run$E2E_RUNS.out ERR=$TMPDIR/run$E2E_RUNS.err
	printf 'SIG%s after %ss: proftui %s' "$sig" "$delay" "$*" >"$TMPDIR/run$E2E_RUNS.cmd"
	timeout -k 2 20 "$PROFTUI" -b "$@" >"$OUT" 2>"$ERR" </dev/null &
	pid=$!
	# The signal goes to proftui itself, timeout(1)'s only child.  Until
	# proftui has blocked the signal (its first steps) the default action
	# is all there is, as for any program: DELAY counts from then.
	for ((i = 0; i < 100; i++)); do
		PT=$(pgrep -P "$pid" | head -n 1)
		[ -n "$PT" ] && (($(printf '%d' "0x$(awk '/^SigBlk:/ { print $2 }' "/proc/$PT/status" 2>/dev/null || echo 0)") & 0x4003)) && break
		sleep 0.02
	done
	sleep "$delay"
	# KID: proftui's own child (a launched command), if any.
	KID=$(pgrep -P "${PT:-0}" | head -n 1)
	[ -n "$PT" ] || fail "proftui is not running after ${delay}s"
	kill -"$sig" "$PT"
	RC=0
	wait "$pid" || RC=$?
	[ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] || fail "proftui did not end within 20 s of SIG$sig"
}

# check_saved FILE WHAT: FILE was written and loads back to a report.
check_saved() {
	[ -s "$1" ] || fail "$2: $1 not written"
	grep -q "saved $1" "$ERR" || fail "$2: no 'saved' line"
	"$PROFTUI" --load "$1" -b -n 3 >"$TMPDIR/load.out" 2>"$TMPDIR/load.err" ||
		fail "$2: $1 does not load: $(cat "$TMPDIR/load.err")"
	grep -q '^samples: ' "$TMPDIR/load.out" || fail "$2: the loaded report has no samples line"
}

bg_start "$WORKLOADS/threads" 120
target=$BG_PID
sleep 0.3

# Attached: proftui's own status is 128+N and the profile so far is saved.
# 0.01 s lands during start-up or the attach (the signal waits, blocked,
# until the session loop reads it), 0.7 s during sampling.
n=0
for method in perf ptrace; do
	for sig in INT TERM HUP; do
		for delay in 0.01 0.7; do
			n=$((n + 1))
			snap=$TMPDIR/a$n.snap
			signal_at "$sig" "$delay" --method "$method" -o "$snap" -p "$target"
			what="$method attach, SIG$sig at ${delay}s"
			expect_rc $((128 + $(signum "$sig")))
			check_saved "$snap" "$what"
			alive "$target" || fail "$what: the target died"
			free_running "$target" "$what"
		done
	done
done
note "$n attached runs: status 128+N, snapshot saved and loadable each time"

# Launched: the signal goes on to the command (as with perf record), whose
# status (128+N, it dies of it) is proftui's; the profile is still saved.
for method in perf ptrace; do
	for sig in INT TERM HUP; do
		snap=$TMPDIR/l-$method-$sig.svg
		signal_at "$sig" 0.8 --method "$method" -o "$snap" -- "$WORKLOADS/split" 30
		what="$method launch, SIG$sig"
		expect_rc $((128 + $(signum "$sig")))
		[ -s "$snap" ] || fail "$what: $snap not written"
		grep -q 'func_a' "$snap" || fail "$what: the saved flame graph has no func_a"
		[ -n "$KID" ] || fail "$what: no command was running"
		alive "$KID" && fail "$what: the command (pid $KID) outlived the session"
	done
done
true
