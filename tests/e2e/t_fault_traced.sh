#!/usr/bin/env bash
# t_fault_traced.sh — a target already traced by gdb or strace: --method ptrace refuses with exit 4 naming the tracer's PID; perf (and auto) still profile; the debugger keeps its hold.
. "$(dirname "$0")/lib.sh"

command -v gdb >/dev/null 2>&1 || skip "gdb not installed"
command -v strace >/dev/null 2>&1 || skip "strace not installed"

tracer_of() { awk '/^TracerPid:/ { print $2 }' "/proc/$1/status"; }

# wait_traced PID TRACER: until TRACER traces PID (5 s at most).
wait_traced() {
	for _ in $(seq 100); do
		[ "$(tracer_of "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	fail "$2 did not attach to $1 (TracerPid $(tracer_of "$1"))"
}

bg_start "$WORKLOADS/split" 120
pid=$BG_PID
sleep 0.3

# --- gdb holds the target stopped (t) ------------------------------------------
gdb -q -nx -batch -p "$pid" -ex 'shell sleep 12' >"$TMPDIR/gdb.out" 2>&1 </dev/null &
gdb_pid=$!
on_exit "kill -KILL $gdb_pid"
wait_traced "$pid" "$gdb_pid"

run_batch --method ptrace -d 1 -p "$pid"
expect_rc 4
[ "$(grep -c . "$ERR")" -eq 1 ] || fail "expected one line on stderr, got: $(cat "$ERR")"
grep -q "already traced by PID $gdb_pid" "$ERR" || fail "the message does not name the tracer (gdb, pid $gdb_pid): $(cat "$ERR")"
[ "$(tracer_of "$pid")" = "$gdb_pid" ] || fail "gdb lost its hold on the target"

# perf never needs ptrace: it attaches (no samples while gdb holds the
# target stopped) and leaves gdb's hold alone.
for method in perf auto; do
	run_batch --method "$method" -d 1 -p "$pid"
	expect_rc 0
	grep -q 'method: perf' "$OUT" || fail "--method $method did not sample with perf"
	[ "$(tracer_of "$pid")" = "$gdb_pid" ] || fail "--method $method: gdb lost its hold on the target"
done
state=$(awk '/^State:/ { print $2 }' "/proc/$pid/status")
[ "$state" = t ] || fail "the target should still be in gdb's tracing stop, state $state"
kill -KILL "$gdb_pid"
wait "$gdb_pid" 2>/dev/null
for _ in $(seq 20); do [ "$(tracer_of "$pid")" = 0 ] && break; sleep 0.1; done
[ "$(tracer_of "$pid")" = 0 ] || fail "the target is still traced after gdb went away"

# --- strace traces it and lets it run: perf samples it as usual --------------
strace -q -p "$pid" -o /dev/null </dev/null >/dev/null 2>&1 &
st_pid=$!
on_exit "kill -KILL $st_pid"
wait_traced "$pid" "$st_pid"
run_batch --method ptrace -d 1 -p "$pid"
expect_rc 4
grep -q "already traced by PID $st_pid" "$ERR" || fail "the message does not name strace (pid $st_pid): $(cat "$ERR")"
run_batch -d 1.5 -p "$pid"
expect_rc 0
grep -q 'method: perf' "$OUT" || fail "auto did not sample with perf"
check_self func_a 60 5
[ "$(tracer_of "$pid")" = "$st_pid" ] || fail "strace lost its hold on the target"
kill -INT "$st_pid"
wait "$st_pid" 2>/dev/null
for _ in $(seq 20); do [ "$(tracer_of "$pid")" = 0 ] && break; sleep 0.1; done
[ "$(tracer_of "$pid")" = 0 ] || fail "the target is still traced after strace detached"
alive "$pid" || fail "the target died"
