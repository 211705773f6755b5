#!/usr/bin/env bash
# t_fault_kill.sh — proftui SIGKILLed at set moments (attach, sampling, detach; perf and ptrace; attached and launched): the target runs on, no thread stopped or traced.
. "$(dirname "$0")/lib.sh"

# A SIGKILL gives proftui no chance to clean up: what must hold is what the
# kernel does for it.  ptrace uses PTRACE_SEIZE without EXITKILL, so the
# tracer's death detaches and resumes every tracee; perf events never stop
# the target and die with their file descriptors.

# free_running PID WHAT: every thread of PID is neither stopped (T, t) nor
# traced.  A thread caught in a ptrace-stop at the kill is resumed by the
# kernel as the tracer exits; allow it a second to be scheduled.
free_running() {
	local pid=$1 what=$2 f bad i
	for ((i = 0; i < 20; i++)); do
		bad=""
		for f in /proc/"$pid"/task/*/status; do
			[ -r "$f" ] || continue
			awk '/^State:/ { s = $2 } /^TracerPid:/ { t = $2 }
			     END { exit !(s == "T" || s == "t" || t != 0) }' "$f" 2>/dev/null &&
				bad+=" $(basename "$(dirname "$f")"):$(awk '/^State:/ { print $2 } /^TracerPid:/ { print "tracer=" $2 }' "$f" | paste -sd' ')"
		done
		[ -z "$bad" ] && return 0
		sleep 0.1
	done
	fail "$what: threads of $pid left stopped or traced after proftui's SIGKILL:$bad"
}

# cpu_moves PID WHAT: the target still gets CPU time (not merely "not T").
cpu_moves() {
	local a b
	a=$(proc_cpu_s "$1")
	sleep 0.3
	b=$(proc_cpu_s "$1")
	awk -v a="$a" -v b="$b" 'BEGIN { exit !(b > a) }' || fail "$2: target $1 used no CPU after proftui's SIGKILL"
}

# kill_at DELAY ARGS...: start proftui ARGS in the background, SIGKILL it
# after DELAY seconds, reap it.  KID: its child (a launched command) at the
# moment of the kill, if any.
kill_at() {
	local delay=$1 pid
	shift
	"$PROFTUI" "$@" >"$TMPDIR/k.out" 2>"$TMPDIR/k.err" </dev/null &
	pid=$!
	sleep "$delay"
	KID=$(pgrep -P "$pid" | head -n 1)
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ -z "$KID" ] || on_exit "kill -KILL $KID"
	return 0
}

# --- attached: threads (3 busy-ish threads) and manythreads (65, where
# ptrace's attach and detach take longest) -----------------------------------
bg_start "$WORKLOADS/threads" 120
t3=$BG_PID
[ -x "$WORKLOADS/manythreads" ] || fail "$WORKLOADS/manythreads missing: build the workloads"
bg_start "$WORKLOADS/manythreads" 120 64
t64=$BG_PID
for _ in $(seq 50); do [ "$(nthreads "$t64")" -ge 65 ] && break; sleep 0.1; done
[ "$(nthreads "$t64")" -ge 65 ] || fail "manythreads did not start its 64 threads"

runs=0
# 0.02 s: still starting or attaching; 0.3 and 0.9: sampling; 1.0 with
# -d 1: the moment it stops sampling and detaches.
for method in ptrace perf; do
	for target in "$t3" "$t64"; do
		for delay in 0.02 0.08 0.3 0.9 1.0; do
			kill_at "$delay" -b --method "$method" -d 1 -F 997 -p "$target"
			runs=$((runs + 1))
			alive "$target" || fail "$method, kill at ${delay}s: target $target died"
			free_running "$target" "$method attach, kill at ${delay}s"
		done
		cpu_moves "$target" "$method attach"
	done
done
note "$runs attached runs killed: targets free each time"

# --- launched: the command survives its profiler --------------------------------
for method in ptrace perf; do
	for delay in 0.05 0.5; do
		kill_at "$delay" -b --method "$method" -- "$WORKLOADS/split" 30
		sleep 0.2
		if [ -z "$KID" ] || ! alive "$KID" || [ "$(awk '{ print $3 }' "/proc/$KID/stat" 2>/dev/null)" = Z ]; then
			# Killed before the fork, or before the go signal: then the
			# child gave up (by design it never runs unprofiled).
			# Nothing can be left stopped.
			note "$method launch, kill at ${delay}s: the command had not started"
			continue
		fi
		free_running "$KID" "$method launch, kill at ${delay}s"
		cpu_moves "$KID" "$method launch, kill at ${delay}s"
		kill -KILL "$KID"
	done
done
true
