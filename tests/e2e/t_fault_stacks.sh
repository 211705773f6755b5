#!/usr/bin/env bash
# t_fault_stacks.sh — hostile stacks: 10,000-frame recursion at the largest limits (perf, ptrace, exports, every live view) and corrupt frame pointers that send unwinders in a cycle or into unmapped memory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

# t_deep checks 10,000 frames at the default limits (256 frames kept).
# Here the limits are the largest proftui takes, so its own tree building,
# exports and drawing get stacks thousands of frames deep: none of them may
# recurse per frame or take seconds per sample.

deep=$WORKLOADS/deep
big=(--stack-size 65528 --max-depth 16000)

# --- perf: a 64 KiB stack copy holds ~4000 recurse frames --------------------
run_batch "${big[@]}" --folded -o "$TMPDIR/deep.snap" -- "$deep" 2 10000
expect_rc 0
max=$(folded_runs recurse | awk '$1 > m { m = $1 } END { print m + 0 }')
note "perf: longest run of recurse frames $max; unwind: $(summary_field unwind)"
ge "$max" 1000 || fail "perf: only $max recurse frames kept with a 64 KiB stack copy and --max-depth 16000"
le "$max" 10000 || fail "perf: $max recurse frames, more than the workload makes"
s=$(summary_num samples)
ge "${s:-x}" 100 || fail "perf: only ${s:-?} samples of deep stacks in 2 s"
for fmt in svg folded pb.gz; do
	run_cmd "$PROFTUI" --load "$TMPDIR/deep.snap" -b -n 5 -o "$TMPDIR/deep.$fmt"
	expect_rc 0
done
grep -q 'recurse' "$TMPDIR/deep.svg" || fail "the SVG of deep stacks has no recurse frame"

# --- ptrace: reads the live stack, so the frame cap is what stops it ---------
run_batch --method ptrace "${big[@]}" --folded -- "$deep" 2 10000
expect_rc 0
max=$(folded_runs recurse | awk '$1 > m { m = $1 } END { print m + 0 }')
note "ptrace: longest run of recurse frames $max; unwind: $(summary_field unwind)"
ge "$max" 1000 || fail "ptrace: only $max recurse frames kept"
grep -qF '[truncated]' "$OUT" || fail "ptrace: no [truncated] frame on 10,000-frame stacks"

# --- the live views on ~4000-frame stacks --------------------------------------
tui_start -r 0.3 "${big[@]}" -- "$deep" 60 10000
tui_wait 'deep_leaf' 15 || fail "the hot table never showed deep_leaf"
sleep 1
tui_keys Enter
tui_wait 'Callers' 5 || fail "the call tree of deep_leaf did not open"
tui_keys e
sleep 1
tui_keys End Home E
tui_alive || fail "proftui died expanding a ~4000-deep call tree"
tui_keys 3
tui_wait 'Flame graph' 5 || fail "the flame graph did not open"
tui_keys End
sleep 1
tui_keys PgDn PgDn Home Enter Escape i End
sleep 1
tui_alive || fail "proftui died in the flame graph of a ~4000-deep stack"
tui_keys 1
tui_wait 'SELF%' 5 || fail "the hot table did not come back (proftui stuck?)"
tui_keys q
tui_wait '\[proftui exited' 10 || fail "q did not quit"
tmx kill-server

# --- corrupt frame pointers ------------------------------------------------------
# badfp's hot function makes rbp (and so its CFA) lie while it spins: in
# "cycle" a fake frame points at itself with a return address inside the
# function, in "wild" rbp is 0x10.  Expected: every sample taken, the leaf
# named, the unwind stopped at the bad frame (counted as corrupt), never an
# endless run of badfp_spin frames; the honest samples (good_work) unwind
# whole.
[ -x "$WORKLOADS/badfp" ] || fail "$WORKLOADS/badfp missing: build the workloads"
for mode in cycle wild; do
	for method in perf ptrace; do
		t0=$(now_s)
		run_batch --method "$method" --folded -- "$WORKLOADS/badfp" 2 "$mode"
		took=$(minus "$t0" "$(now_s)")
		expect_rc 0
		what="$mode, $method"
		le "$took" 6 || fail "$what: a 2 s run took $took s"
		total=$(folded_total)
		bad=$(folded_count '(^|;)badfp_spin(;|$)')
		good=$(folded_count '(^|;)main;good_work$')
		runs=$(folded_runs badfp_spin | awk '$1 > m { m = $1 } END { print m + 0 }')
		unknown=$(folded_count '\[unknown\]')
		note "$what: $total samples, badfp_spin in $bad, main;good_work $good, longest badfp_spin run $runs, [unknown] $unknown; unwind: $(summary_field unwind)"
		ge "$total" 100 || fail "$what: only $total samples"
		ge "$((bad * 100 / total))" 65 || fail "$what: badfp_spin in only $bad of $total samples (expected ~80 %)"
		ge "$((good * 100 / total))" 10 || fail "$what: main;good_work whole in only $good of $total samples (expected ~20 %)"
		le "$runs" 3 || fail "$what: a stack holds $runs badfp_spin frames in a row: the unwinder looped"
		if [ "$method" = perf ]; then
			c=$(summary_field unwind | sed -n 's/.* \([0-9][0-9]*\) corrupt frames.*/\1/p')
			ge "${c:-0}" 1 || fail "$what: no corrupt frames counted: $(summary_field unwind)"
		fi
		# Every sampled address is in badfp's own text or libc: each has a
		# name, whatever the unwinder met on the way (2 allowed for the
		# first and last instants of the process).
		le "$unknown" 2 || fail "$what: $unknown of $total samples have an [unknown]+0xADDR frame although every address is in a mapped, symbolised module"
	done
done
