#!/usr/bin/env bash
# t_fault_perm.sh — refused permissions (root without capabilities on another user's process; an ordinary user on its own): perf and ptrace refusals explained apart, exit 4, and what is allowed works.
. "$(dirname "$0")/lib.sh"

# t_errors_perm covers an ordinary user against root's process (exit 4).
# Here uid 0 with every capability dropped stands for a container without
# CAP_SYS_PTRACE / CAP_PERFMON: the uid alone must not get proftui past the
# kernel's checks, and each refusal must name its own cause and cure.

need_setpriv_root
setpriv --bounding-set=-all --inh-caps=-all -- true 2>/dev/null || skip "setpriv cannot drop capabilities here"
nobody_copy "$PROFTUI" "$WORKLOADS/split"
dir=$NOBODY_DIR
P=$dir/$(basename "$PROFTUI")
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)

bg_start setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups -- "$dir/split" 60
sleep 0.3
pid=$(pgrep -u "$NOBODY_UID" -f "^$dir/split 60\$" | head -n 1)
[ -n "$pid" ] || fail "cannot find the uid-$NOBODY_UID split"

capless=(setpriv --bounding-set=-all --inh-caps=-all --)

# --method perf: refused by perf_event_paranoid; the message quotes it and
# names the cures.
RUN_PREFIX=("${capless[@]}")
PROFTUI=$P
run_batch --method perf -d 1 -p "$pid"
expect_rc 4
note "capless root, perf: $(cat "$ERR")"
grep -q "perf_event_paranoid is $paranoid" "$ERR" || fail "perf refusal: the message does not quote perf_event_paranoid ($paranoid)"
grep -q 'CAP_PERFMON' "$ERR" || fail "perf refusal: the message does not name CAP_PERFMON"
[ "$(grep -c . "$ERR")" -eq 1 ] || fail "perf refusal: expected one line: $(cat "$ERR")"

# --method ptrace: refused for want of CAP_SYS_PTRACE over another uid.
run_batch --method ptrace -d 1 -p "$pid"
expect_rc 4
note "capless root, ptrace: $(cat "$ERR")"
grep -q "uid $NOBODY_UID" "$ERR" || fail "ptrace refusal: the message does not name the owner's uid"
grep -q 'CAP_SYS_PTRACE' "$ERR" || fail "ptrace refusal: the message does not name CAP_SYS_PTRACE"
alive "$pid" || fail "the target died"

# What the same capless root may do: launch its own command (user space
# only at perf_event_paranoid 2, said in one line).
if [ "$paranoid" -le 2 ]; then
	run_batch -d 1 -- "$dir/split" 1
	expect_rc 0
	check_split_table
fi

# An ordinary user on its own process: both methods work.
RUN_PREFIX=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups -- env TMPDIR="$dir/tmp" HOME="$dir/tmp")
# (ptrace samples at 200 Hz: 3 s for ~600 samples, so +-8 is 4 sigma.)
for method in perf ptrace; do
	d=1.5
	[ "$method" = ptrace ] && d=3
	run_batch --method "$method" -d "$d" -p "$pid"
	expect_rc 0
	grep -q "method: $method" "$OUT" || fail "uid $NOBODY_UID on its own process: not sampled with $method"
	check_self func_a 60 8
done

# auto, both refused: exit 4, and the message explains both refusals (the
# user must learn that perf was tried and why it failed, not only ptrace).
RUN_PREFIX=("${capless[@]}")
run_batch -d 1 -p "$pid"
expect_rc 4
note "capless root, auto: $(tr '\n' '|' <"$ERR")"
grep -q 'CAP_SYS_PTRACE' "$ERR" || fail "auto: the ptrace refusal is not explained"
grep -q 'perf_event_paranoid' "$ERR" || fail "auto, both refused: only the ptrace refusal is explained; perf's (perf_event_paranoid $paranoid, CAP_PERFMON) is not mentioned: $(cat "$ERR")"
