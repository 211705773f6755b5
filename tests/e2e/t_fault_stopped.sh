#!/usr/bin/env bash
# t_fault_stopped.sh — a target stopped by job control (SIGSTOP) before or during the session (perf and ptrace): no hang, no samples while stopped, left stopped exactly as found; SIGCONT still works.
. "$(dirname "$0")/lib.sh"

# Job control belongs to the user: proftui must neither resume a stopped
# target (ptrace's PTRACE_LISTEN keeps a group-stop, PTRACE_CONT would end
# it) nor leave a running one stopped, and must not wait for ever on
# threads that cannot reach a ptrace-stop.

# states PID: "S1 S2 ...|tracers" of all threads, sorted.
states() {
	local f s=() t=()
	for f in /proc/"$1"/task/*/status; do
		s+=("$(awk '/^State:/ { print $2 }' "$f")")
		t+=("$(awk '/^TracerPid:/ { print $2 }' "$f")")
	done
	printf '%s|%s\n' "$(printf '%s\n' "${s[@]}" | sort | paste -sd' ')" \
		"$(printf '%s\n' "${t[@]}" | sort -u | paste -sd' ')"
}

# all_stopped PID WHAT: every thread in group-stop (T), none traced.
all_stopped() {
	local st
	for _ in $(seq 20); do
		st=$(states "$1")
		[[ $st =~ ^(T ?)+\|0$ ]] && return 0
		sleep 0.1
	done
	fail "$2: expected every thread stopped (T) and untraced, got: $st"
}

# all_free PID WHAT: no thread stopped or traced.
all_free() {
	local st
	for _ in $(seq 20); do
		st=$(states "$1")
		[[ $st =~ [Tt] ]] || [[ ! $st =~ \|0$ ]] || return 0
		sleep 0.1
	done
	fail "$2: expected no thread stopped or traced, got: $st"
}

# run_cmd_bg ARGS...: proftui --batch ARGS in the background, pid in BGP.
run_cmd_bg() {
	"$PROFTUI" --batch "$@" >"$TMPDIR/bg.out" 2>"$TMPDIR/bg.err" </dev/null &
	BGP=$!
}

bg_start "$WORKLOADS/threads" 120
pid=$BG_PID
sleep 0.3

for method in perf ptrace; do
	# 1. Stopped before proftui starts, stays stopped: no samples, no
	#    hang, and still stopped afterwards.
	kill -STOP "$pid"
	all_stopped "$pid" "before the $method session"
	t0=$(now_s)
	run_batch --method "$method" -d 1.5 -p "$pid"
	took=$(minus "$t0" "$(now_s)")
	expect_rc 0
	note "$method, stopped throughout: $(summary_field samples) ($took s)"
	le "$took" 8 || fail "$method: a 1.5 s session on a stopped target took $took s"
	n=$(summary_num samples)
	le "${n:-x}" 5 || fail "$method: $n samples from a target stopped throughout"
	all_stopped "$pid" "after the $method session on a stopped target"

	# 2. Stopped at the start, continued 1 s in: sampling picks up, and
	#    the target is free afterwards.
	run_cmd_bg --method "$method" -d 2.5 -p "$pid"
	sleep 1
	kill -CONT "$pid"
	RC=0; wait "$BGP" || RC=$?
	OUT=$TMPDIR/bg.out ERR=$TMPDIR/bg.err
	expect_rc 0
	n=$(summary_num samples)
	note "$method, continued during the session: $(summary_field samples)"
	ge "${n:-x}" 50 || fail "$method: only ${n:-?} samples after SIGCONT"
	all_free "$pid" "after the $method session that saw SIGCONT"

	# 3. Running at the start, stopped 1 s in: left stopped (job control's
	#    stop is the user's), then SIGCONT resumes it as usual.
	run_cmd_bg --method "$method" -d 2.5 -p "$pid"
	sleep 1
	kill -STOP "$pid"
	RC=0; wait "$BGP" || RC=$?
	OUT=$TMPDIR/bg.out ERR=$TMPDIR/bg.err
	expect_rc 0
	all_stopped "$pid" "after the $method session during which it was stopped"
	kill -CONT "$pid"
	all_free "$pid" "SIGCONT after the $method session"
	a=$(proc_cpu_s "$pid"); sleep 0.3; b=$(proc_cpu_s "$pid")
	awk -v a="$a" -v b="$b" 'BEGIN { exit !(b > a) }' || fail "$method: the target does not run after SIGCONT"
done
true
