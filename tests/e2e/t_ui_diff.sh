#!/usr/bin/env bash
# t_ui_diff.sh — the live diff (tmux): b pinned in phase A, then phase B shows phase_b_work rising and phase_a_work falling; d, B, drill-down, the red/blue flame graph; --baseline of a phase-A snapshot, live and against another snapshot.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

# diff_row FUNCTION: "BEFORE NOW DELTA TOTAL-DELTA RANK" of its row in the
# diff table on $SCREEN (percent signs and '+' dropped; RANK from 1), empty
# when it has no row.
diff_row() {
	awk -v f="$1" '
	/BEFORE%.*NOW%.*DELTA.*FUNCTION/ { hdr = 1; next }
	hdr && NF >= 5 && $1 ~ /%$/ {
		rank++
		if ($5 == f) {
			gsub(/[%+]/, "", $1); gsub(/[%+]/, "", $2); gsub(/\+/, "", $3); gsub(/\+/, "", $4)
			print $1, $2, $3, $4, rank
			exit
		}
	}' "$SCREEN"
}

# field N FUNCTION: one field of diff_row.
field() { diff_row "$2" | awk -v n="$1" '{ print $n }'; }

# wait_delta FUNCTION MIN SECS: until FUNCTION's DELTA is at least MIN
# (negative MIN: at most MIN, i.e. it fell by -MIN or more).
wait_delta() {
	local i d
	for ((i = 0; i < $3 * 5; i++)); do
		tui_capture
		d=$(field 3 "$1")
		if [ -n "$d" ]; then
			if awk -v d="$d" -v m="$2" 'BEGIN { exit !(m >= 0 ? d >= m : d <= m) }'; then
				return 0
			fi
		fi
		sleep 0.2
	done
	cat "$SCREEN"
	return 1
}

# expect_rise_fall RISE FALL: phase_b_work's DELTA >= +RISE, phase_a_work's
# <= -FALL, the two the top rows (the other functions barely change; which
# of the two comes first is chance: their changes are all but equal).
expect_rise_fall() {
	local a b ra rb
	b=$(field 3 phase_b_work)
	a=$(field 3 phase_a_work)
	rb=$(field 5 phase_b_work)
	ra=$(field 5 phase_a_work)
	note "DELTA phase_b_work ${b:-?} (row ${rb:-?}), phase_a_work ${a:-?} (row ${ra:-?})"
	ge "${b:-x}" "$1" || { cat "$SCREEN"; fail "phase_b_work did not rise by $1+ points"; }
	le "${a:-x}" "-$2" || { cat "$SCREEN"; fail "phase_a_work did not fall by $2+ points"; }
	[ "$((ra + rb))" -eq 3 ] || { cat "$SCREEN"; fail "the two phases are not the top rows"; }
}

# --- b in phase A, then phase B ---------------------------------------------
# phase_a_work for 6 s, then phase_b_work: the pin comes as soon as phase A
# shows, well before its end even on a loaded machine.
tui_start -r 0.3 -- "$WORKLOADS/phases" 6 60
tui_wait 'phase_a_work' 15 || fail "the hot table never showed phase_a_work"
tui_keys d
tui_wait 'no baseline: b pins the profile shown' 5 || fail "d without a baseline did not say so"
sleep 0.5
tui_keys b
tui_wait 'baseline pinned: [0-9]+ samples; b re-pins, B clears' 5 || fail "no message after b"
tui_wait 'diff vs baseline \([0-9]+ samples, pinned [0-9]+:[0-9]{2} ago\)' 5 ||
	fail "the header does not say what the views compare with"
tui_wait 'BEFORE%.*NOW%.*DELTA.*TOTAL-Δ.*FUNCTION.*MODULE' 5 || fail "no diff columns after b"
grep -q ' 1:diff ' "$SCREEN" || fail "the status line does not name the diff table"
# The baseline is phase A alone (pinned in time), else nothing below holds.
before_b=$(field 1 phase_b_work)
[ -z "$before_b" ] || le "$before_b" 2 ||
	fail "phase_b_work was already ${before_b}% of the baseline: pinned after phase A (machine too slow?)"

# Phase B runs: it rises, phase A falls, the two at the top.
wait_delta phase_b_work 30 40 || fail "phase_b_work never rose 30 points over the baseline"
expect_rise_fall 30 20
first=$(awk '/BEFORE%.*DELTA/ { getline; print; exit }' "$SCREEN")
case $first in *phase_a_work* | *phase_b_work*) ;; *) fail "first diff row: $first" ;; esac
# Signs are explicit: a positive change has its '+'.
grep -Eq '^ *[0-9.]+% +[0-9.]+% +\+[0-9]+\.[0-9]{2} +\+[0-9]+\.[0-9]{2} +phase_b_work ' "$SCREEN" ||
	fail "phase_b_work's changes are not signed '+'"
grep -Eq -- '-0\.00 ' "$SCREEN" && fail "a change shown as -0.00"

# d: the usual table and back, the baseline kept.
tui_keys d
tui_wait 'SELF%.*TOTAL%' 5 || fail "d did not bring the usual table back"
tui_wait 'baseline kept \(d: diff\)' 5 || fail "the header forgot the baseline after d"
tui_keys d
tui_wait 'BEFORE%.*DELTA' 5 || fail "d did not show the diff again"

# Drill-down from the diff table: the call tree of the selected function
# (one of the two phases, whichever leads the table just then).
tui_keys g
tui_keys Enter
tui_wait 'Callers' 5 || fail "Enter on the diff table did not open the call tree"
grep -Eq 'phase_[ab]_work' "$SCREEN" || { cat "$SCREEN"; fail "the call tree is not about a phase"; }
grep -q 'main' "$SCREEN" || { cat "$SCREEN"; fail "the call tree does not reach main"; }
tui_keys Escape
tui_wait 'BEFORE%.*DELTA' 5 || fail "Esc did not go back to the diff table"

# The flame graph, coloured by change: the sign leads each changed frame.
tui_keys 3
tui_wait 'colour by change vs baseline' 5 || fail "the flame graph does not colour by change"
grep -Eq '\+phase_b_work' "$SCREEN" || { cat "$SCREEN"; fail "phase_b_work is not marked as grown"; }
grep -Eq -- '-phase_a_work' "$SCREEN" || { cat "$SCREEN"; fail "phase_a_work is not marked as shrunk"; }
tui_keys 1

# B forgets the baseline: the usual table, nothing compared.
tui_keys B
tui_wait 'baseline cleared' 5 || fail "no message after B"
tui_wait 'SELF%.*TOTAL%' 5 || fail "B did not bring the usual table back"
grep -q 'diff vs' "$SCREEN" && fail "the header still shows a diff after B"
tui_alive || fail "proftui exited"
tui_keys q
tui_wait '\[proftui exited 0\]' 10 || fail "q did not exit with status 0"
tmx kill-server

# --- --baseline: a phase-A snapshot against a live phase B ------------------
snap_a=$TMPDIR/phase-a.snap
snap_b=$TMPDIR/phase-b.snap
run_batch -o "$snap_a" -- "$WORKLOADS/phases" 1.5 0
expect_rc 0
has_func phase_a_work || fail "the phase A run has no phase_a_work"
has_func phase_b_work && fail "the phase A run has phase_b_work"

tui_start -r 0.3 --baseline "$snap_a" -- "$WORKLOADS/phases" 0 60
tui_wait "diff vs .*phase-a\.snap \([0-9]+ samples\)" 15 || fail "the header does not name the --baseline file"
wait_delta phase_b_work 50 20 || fail "phase_b_work never rose 50 points over the --baseline"
expect_rise_fall 50 40
# phase_a_work is only in the baseline: the status line says so and Enter
# has no call tree to open.  Paused, so the rows hold still.
tui_keys Space
tui_wait 'PAUSED' 5 || fail "space did not pause"
tui_keys / && tui_keys -l phase_a_work && tui_keys Enter
tui_wait 'phase_a_work +\(phases\) +only in the baseline: self [0-9.]+% -> 0\.0% \(-[0-9.]+\)' 5 ||
	fail "the status line does not say phase_a_work is only in the baseline"
tui_keys Enter
sleep 0.5
tui_capture
grep -q 'Callers' "$SCREEN" && fail "Enter opened a call tree for a function that is not there now"
grep -Eq 'BEFORE%.*DELTA' "$SCREEN" || fail "the diff table went away"
tui_keys Space
tui_alive || fail "proftui exited"
tui_keys q
tui_wait '\[proftui exited 0\]' 10 || fail "q did not exit with status 0"
tmx kill-server

# --- --load with --baseline: two snapshots in the UI ------------------------
run_batch -o "$snap_b" -- "$WORKLOADS/phases" 0 1.5
expect_rc 0
tui_start --load "$snap_b" --baseline "$snap_a"
tui_wait "diff vs .*phase-a\.snap" 10 || fail "--load with --baseline shows no diff"
tui_wait 'BEFORE%.*DELTA' 5 || fail "no diff table for two snapshots"
expect_rise_fall 80 80
tui_keys q
tui_wait '\[proftui exited 0\]' 10 || fail "q did not exit with status 0"
exit 0
