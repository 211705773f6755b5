#!/usr/bin/env bash
# t_fault_pidreuse.sh — the target dies mid-session and its PID is given at once to another program (forced with ns_last_pid in a private PID namespace): proftui ends on the first one's exit and never samples, stops or traces the second.
. "$(dirname "$0")/lib.sh"

# PID reuse cannot be waited for on a busy machine, but in a fresh PID
# namespace root may say which PID the next process gets
# (/proc/sys/kernel/ns_last_pid, as CRIU does).  proftui runs inside the
# namespace too, so the PIDs it is given are the namespace's.

[ "$(id -u)" -eq 0 ] || skip "needs root for a PID namespace"
command -v unshare >/dev/null 2>&1 || skip "unshare not installed"
unshare -p -f --mount-proc true 2>/dev/null || skip "cannot create a PID namespace here"

for method in perf ptrace; do
	# Inside: A = split (the target), proftui attached to A for 6 s; A is
	# killed after 1.5 s and its PID handed to B = threads (other function
	# names) at once.  The script prints A, B's PID, proftui's status, and
	# B's state after proftui is done.
	# shellcheck disable=SC2016
	run_cmd unshare -p -f --mount-proc bash -c '
		p=$1 m=$2 w=$3 out=$4
		"$w/split" 60 & a=$!
		sleep 0.3
		"$p" -b --method "$m" -d 6 -o "$out.snap" -p "$a" >"$out.report" 2>"$out.err" &
		pt=$!
		sleep 1.5
		kill -KILL "$a"; wait "$a" 2>/dev/null
		echo $((a - 1)) >/proc/sys/kernel/ns_last_pid
		"$w/threads" 60 & b=$!
		echo "a=$a b=$b"
		wait "$pt"; echo "proftui=$?"
		sleep 0.3
		awk "/^State:|^TracerPid:/ { printf \"%s \", \$0 } END { print \"\" }" /proc/$b/status | sed "s/^/b: /"
		kill -0 "$b" && echo "b alive"
		kill -KILL "$b"' reuse "$PROFTUI" "$method" "$WORKLOADS" "$TMPDIR/$method"
	what="$method"
	[ "$RC" -eq 0 ] || fail "$what: the namespace script failed (exit $RC)"
	a=$(sed -n 's/^a=\([0-9]*\) b=.*/\1/p' "$OUT") b=$(sed -n 's/^a=[0-9]* b=\([0-9]*\)$/\1/p' "$OUT")
	note "$what: target pid $a, next process pid $b; $(grep '^proftui=' "$OUT"); $(grep '^b:' "$OUT")"
	[ -n "$a" ] && [ "$a" = "$b" ] || skip "the PID was not reused (a=$a b=$b): ns_last_pid not honoured"
	grep -q '^proftui=0$' "$OUT" || fail "$what: proftui's exit status: $(grep '^proftui=' "$OUT")"
	grep -q '^b alive$' "$OUT" || fail "$what: the process that got the PID died"
	grep -q '^b: .*TracerPid:[[:space:]]*0' "$OUT" || fail "$what: the process that got the PID is traced: $(grep '^b:' "$OUT")"
	grep -Eq '^b: State:[[:space:]]*[tT]' "$OUT" && fail "$what: the process that got the PID is stopped"
	grep -q "process $a exited" "$TMPDIR/$method.err" || fail "$what: proftui did not say its target exited: $(cat "$TMPDIR/$method.err")"
	OUT=$TMPDIR/$method.report ERR=$TMPDIR/$method.err
	d=$(summary_num duration)
	le "${d:-99}" 3 || fail "$what: the session went on for $d s after the target died"
	has_func func_a || fail "$what: the first process's samples are gone"
	if has_func thread_a_work || has_func thread_b_work; then
		fail "$what: the process that inherited the PID was sampled"
	fi
done
