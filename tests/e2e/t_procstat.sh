#!/usr/bin/env bash
# t_procstat.sh — the batch "process:" line: one busy thread is ~100 % user CPU, two are ~200 %, with rss and thread states.
. "$(dirname "$0")/lib.sh"

# The process line's numbers, from the last run.
proc_user() { summary_field process | sed -n 's/^cpu \([0-9.]*\)% user .*/\1/p'; }
proc_sys() { summary_field process | sed -n 's/^cpu [0-9.]*% user \([0-9.]*\)% sys.*/\1/p'; }
# 100 x "CPUs busy" of the samples line: perf's own measure of the CPU used.
samples_pct() {
	summary_field samples | awk 'match($0, /[0-9.]+ CPUs busy/) {
		printf "%.1f\n", substr($0, RSTART, RLENGTH - 10) * 100 }'
}

# check_cpu LO HI ARGS...: launch ARGS for 2 s and expect the process
# line's user CPU in LO..HI (% of one CPU).  A busy machine can keep the
# target from its CPUs: up to three tries, and a skip (not a pass) when the
# samples agree the target got less CPU than the range needs.
check_cpu() {
	local lo=$1 hi=$2 try user sys busy total
	shift 2
	for try in 1 2 3; do
		run_batch -- "$@"
		expect_rc 0
		summary_field process >/dev/null || fail "no \"process:\" line in the summary"
		user=$(proc_user) sys=$(proc_sys) busy=$(samples_pct)
		note "try $try: process cpu ${user:-?}% user ${sys:-?}% sys; samples say ${busy:-?}% (expect user $lo..$hi)"
		ge "${user:-x}" 0 || fail "no user CPU figure in: $(summary_field process)"
		ge "$user" "$lo" && le "$user" "$hi" && return 0
	done
	# Both measures low together: the machine, not procstat, is short.
	total=$(awk -v u="$user" -v s="${sys:-0}" 'BEGIN { printf "%.1f\n", u + s }')
	if ge "${busy:-x}" 1 && within "$total" "$busy" 20 && ! ge "$busy" "$lo"; then
		skip "machine too busy: the target got only ${busy}% CPU (samples), process line ${user}%"
	fi
	fail "user CPU ${user}%, expected $lo..$hi (samples say ${busy:-?}%)"
}

check_cpu 85 110 "$WORKLOADS/split" 2
line=$(summary_field process)
case $line in
*", rss "[0-9]*" "[kMG]B,*) ;;
*) fail "no rss size in: $line" ;;
esac
case $line in
*", 1 thread (1 running)") ;;
*) fail "split is one running thread, got: $line" ;;
esac
case $line in
*" major faults, read "*" write "*) ;;
*) fail "no fault and io figures in: $line" ;;
esac

check_cpu 150 210 "$WORKLOADS/threads" 2
