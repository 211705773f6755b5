#!/usr/bin/env bash
# t_offcpu.sh — --off-cpu: sleep, disk IO and waiting for a CPU land in the functions that did them, in the right shares.
. "$(dirname "$0")/lib.sh"

# offcpu_rows: the last run's --off-cpu table as "self total cpu runq io
# sleep samples function" (tab-separated, percent signs dropped).
offcpu_rows() {
	awk '
	!hdr && /SELF%/ && /IOWAIT%/ { hdr = 1; next }
	!hdr { next }
	/^[ \t]*$/ { exit }
	NF >= 9 && $1 ~ /%$/ && $6 ~ /%$/ {
		fn = $8; if (NF > 9) for (i = 9; i < NF; i++) fn = fn " " $i
		for (i = 1; i <= 6; i++) sub(/%$/, "", $i)
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", $1, $2, $3, $4, $5, $6, $7, fn
	}' "$OUT"
}

# col FUNC N: column N (1 self, 2 total, 3 cpu, 4 runq, 5 io, 6 sleep) of
# FUNC's row (a name prefix: gcc may add .constprop.0), 0 when absent.
col() {
	offcpu_rows | awk -F'\t' -v f="$1" -v n="$2" '
		index($8, f) == 1 && ($8 == f || substr($8, length(f) + 1, 1) == ".") { print $n; found = 1; exit }
		END { if (!found) print 0 }'
}

# The workload's own clock: "cpu S", "sleep S", "io S" on its stdout.
own() { awk -v k="$1" '$1 == k && NF == 2 { print $2 }' "$OUT"; }
share() { awk -v a="$(own "$1")" -v c="$(own cpu)" -v s="$(own sleep)" -v i="$(own io)" \
	'BEGIN { printf "%.2f\n", 100 * a / (c + s + i) }'; }

# The file it fsyncs must be on a real disk (tmpfs never waits) that the
# unprivileged run below can reach: /var/tmp, else the build directory.
dir=/var/tmp
[ "$(stat -f -c %T "$dir")" = tmpfs ] && dir=$(dirname "$WORKLOADS")
io_dir=$(mktemp -d "$dir/proftui-offcpu.XXXXXX")
on_exit "rm -rf '$io_dir'"
chmod 777 "$io_dir"

run_batch -d 3.5 -n 0 --off-cpu -- "$WORKLOADS/offcpu" 3 "$io_dir"
expect_rc 0
[ -n "$(offcpu_rows)" ] || fail "no off-CPU table (columns CPU% RUNQ% IOWAIT% SLEEP%)"
grep -q "^off-cpu: " "$OUT" || fail "no off-cpu: summary line"
note "workload's clock: cpu $(share cpu) %, sleep $(share sleep) %, io $(share io) %"
note "do_cpu: total $(col do_cpu 2) cpu $(col do_cpu 3); do_sleep: total $(col do_sleep 2) sleep $(col do_sleep 6); do_fsync: total $(col do_fsync 2) io $(col do_fsync 5) cpu $(col do_fsync 3)"
# Sleep lands in do_sleep, as sleeping, in its share of the time.
within "$(col do_sleep 6)" "$(share sleep)" 5 || fail "do_sleep sleeping $(col do_sleep 6) %, expected $(share sleep) ±5"
le "$(col do_sleep 5)" 1 || fail "do_sleep shows IO wait ($(col do_sleep 5) %)"
# CPU lands in do_cpu, on the CPU.
within "$(col do_cpu 2)" "$(share cpu)" 5 || fail "do_cpu total $(col do_cpu 2) %, expected $(share cpu) ±5"
le "$(col do_cpu 5)" 1 || fail "do_cpu shows IO wait"
# do_fsync's time is its share of the run, mostly waiting for the disk.
within "$(col do_fsync 2)" "$(share io)" 6 || fail "do_fsync total $(col do_fsync 2) %, expected $(share io) ±6"
if grep -q "sched_switch" "$ERR"; then
	ge "$(col do_fsync 5)" "$(awk -v t="$(col do_fsync 2)" 'BEGIN { print t / 2 }')" ||
		fail "do_fsync IO wait $(col do_fsync 5) % is under half its total $(col do_fsync 2) %"
	within "$(col '[IO wait]' 1)" "$(col do_fsync 5)" 1 || fail "IO wait outside do_fsync"
else
	note "no sched_switch tracepoint here: IO wait is not told from sleep"
fi

# Three threads on one CPU: each runs a third of the time and waits for
# the CPU the rest.
run_batch -d 3 -n 0 --off-cpu -- "$WORKLOADS/offcpu" --compete 3
expect_rc 0
t=$(col spin_compete 2) cpu=$(col spin_compete 3) runq=$(col spin_compete 4)
note "spin_compete: total $t, cpu $cpu, runq $runq"
within "$(awk -v c="$cpu" -v t="$t" 'BEGIN { print 100 * c / t }')" 33.3 8 || fail "spin_compete on the CPU $cpu of $t %, expected a third"
within "$(awk -v r="$runq" -v t="$t" 'BEGIN { print 100 * r / t }')" 66.7 8 || fail "spin_compete runnable $runq of $t %, expected two thirds"

# Without root (perf_event_paranoid 2 here): no off-CPU events are allowed;
# one line says so and on-CPU profiling goes on.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
	[ "$(cat /proc/sys/kernel/perf_event_paranoid)" -ge 2 ]; then
	RUN_PREFIX=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	run_batch -d 1.5 -n 0 --off-cpu -- "$WORKLOADS/offcpu" 1.5 "$io_dir"
	RUN_PREFIX=()
	expect_rc 0
	grep -q "off-cpu needs kernel sampling" "$ERR" || fail "non-root: no line saying --off-cpu needs kernel sampling"
	has_func do_cpu.constprop.0 || has_func do_cpu || fail "non-root: on-CPU profiling did not go on"
fi
exit 0
