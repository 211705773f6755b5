#!/usr/bin/env bash
# t_ui_timestrip.sh — the time strip (tmux): phase A then phase B; picking the first or the second part of the strip puts that phase's function on top, x shows both again; the same on snapshots saved with S, -o and batch -o and opened with --load.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

# The strip's slices are 0.1 s wide, one column each at this width (a run
# of a few seconds is far from the 112 columns there are), so a column is
# a tenth of a second from the session's start.
snap_s=$TMPDIR/strip-s.snap
snap_o=$TMPDIR/strip-o.snap

# pick FROM_COLUMN TO_COLUMN|end LABEL: r, the cursor to the first column
# (g, then l), Enter, then to the last (l, or G for the end), Enter; the
# header must then name the range LABEL ("0:00.0-0:01.5").
pick() {
	local from=$1 to=$2 label=$3 i
	tui_keys r
	tui_wait 'cursor at [0-9]+:[0-9]{2}\.[0-9]: Enter marks the start' 5 || fail "r did not start picking"
	tui_keys g
	for ((i = 0; i < from; i++)); do tui_keys l; done
	tui_keys Enter
	tui_wait 'range [0-9:.]+-[0-9:.]+: Enter keeps it' 5 || fail "Enter did not mark the start"
	if [ "$to" = end ]; then
		tui_keys G
	else
		for ((i = from; i < to; i++)); do tui_keys l; done
	fi
	tui_wait "range $label: Enter keeps it" 5 || fail "the picked stretch is not $label"
	tui_keys Enter
	tui_wait "views restricted to $label" 5 || fail "Enter did not set the range $label"
	tui_wait "view: range $label" 5 || fail "the header does not show the range $label"
}

# top_is FUNCTION: the hot table's first row is FUNCTION.
top_is() {
	local first
	tui_wait 'SELF%.*TOTAL%' 5 || fail "no hot table"
	sleep 0.5
	tui_capture
	first=$(tui_first_row)
	case $first in
	*"$1"*) note "top row: $first" ;;
	*) cat "$SCREEN"; fail "the top row is not $1: $first" ;;
	esac
}

# both_shown: x cleared the range, both phases are in the table again.
both_shown() {
	tui_keys x
	tui_wait 'time range cleared: all of the session' 5 || fail "x did not clear the range"
	tui_wait 'view: cumulative' 5 || fail "the header still shows a range after x"
	grep -q 'phase_a_work' "$SCREEN" && grep -q 'phase_b_work' "$SCREEN" ||
		{ cat "$SCREEN"; fail "both phases are not shown after x"; }
}

# The checks, live or loaded: [0, 1.5 s) is phase A, [2.5 s, end) phase B.
check_ranges() {
	pick 0 14 '0:00\.0-0:01\.5'
	top_is phase_a_work
	grep -q 'phase_b_work' "$SCREEN" && { cat "$SCREEN"; fail "phase B shows in the first part"; }
	pick 25 end '0:02\.5-0:0[3-9]\.[0-9]'
	top_is phase_b_work
	grep -q 'phase_a_work' "$SCREEN" && { cat "$SCREEN"; fail "phase A shows in the second part"; }
	both_shown
}

# --- live: both phases done, the UI stays up with what was collected --------
tui_start -r 0.3 -o "$snap_o" -- "$WORKLOADS/phases" 2 2
tui_wait 'target exited' 20 || fail "the phases workload did not finish"
tui_keys s
tui_wait 'time strip shown: r picks a time range on it' 5 || fail "s did not show the strip"
# The strip: a row of block glyphs above the status line, then its end time.
tui_capture
tail -n 2 "$SCREEN" | head -n 1 | grep -Eq '[▁▂▃▄▅▆▇█]{20,}.* 0:0[4-9]' ||
	{ cat "$SCREEN"; fail "no time strip row above the status line"; }
check_ranges
# Esc while picking leaves the views as they were.
tui_keys r
tui_wait 'Enter marks the start' 5 || fail "r did not start picking"
tui_keys Escape
tui_wait 'range not changed' 5 || fail "Esc did not cancel picking"
grep -q 'view: cumulative' "$SCREEN" || fail "Esc changed the view"
tui_keys S
tui_wait 'save to: ' 5 || fail "no save prompt"
tui_keys C-u
tui_keys -l "$snap_s"
tui_keys Enter
tui_wait "saved $snap_s \(native\)" 5 || fail "S did not save"
tui_keys q
tui_wait '\[proftui exited 0\]' 10 || fail "q did not exit with status 0"
tmx kill-server

for f in "$snap_s" "$snap_o"; do
	[ -s "$f" ] || fail "$f was not written"
	grep -Eq '^strip	100000000	0$' "$f" || fail "$f has no strip line: $(grep -c . "$f") lines"
	grep -Eq '^slice	[0-9]+	[0-9]+	0	0	0$' "$f" || fail "$f has no slice lines"
	grep -Eq '^at	[0-9]+	[0-9]+	[0-9]+	[0-9]+$' "$f" || fail "$f has no at lines"
done

# Batch mode with -o keeps the timeline too.
run_batch -o "$TMPDIR/batch.snap" -- "$WORKLOADS/phases" 2 2
expect_rc 0
grep -Eq '^strip	100000000	0$' "$TMPDIR/batch.snap" || fail "batch -o: no strip line"

# --- the same on the snapshots, in the UI -----------------------------------
for f in "$snap_s" "$snap_o" "$TMPDIR/batch.snap"; do
	tui_start --load "$f"
	tui_wait 'snapshot of .*phases' 10 || fail "the header does not say it is a snapshot"
	tui_keys s
	tui_wait 'time strip shown' 5 || fail "s did not show the loaded strip"
	check_ranges
	tui_keys q
	tui_wait '\[proftui exited 0\]' 10 || fail "q did not exit with status 0"
	tmx kill-server
done

# A snapshot without a timeline (written before there was one: the same
# file less its strip, slice and at records): the strip keys say so.
grep -Ev '^(strip|slice|at)	' "$TMPDIR/batch.snap" | grep -v '^end	' >"$TMPDIR/plain.snap"
printf 'end\t%d\n' "$(($(grep -c . "$TMPDIR/plain.snap") - 1))" >>"$TMPDIR/plain.snap"
tui_start --load "$TMPDIR/plain.snap"
tui_wait 'snapshot of .*phases' 10 || fail "the snapshot without a timeline did not open"
tui_keys r
tui_wait 'no time strip: this snapshot was saved without one' 5 || fail "r on a snapshot without a strip"
tui_keys q
tui_wait '\[proftui exited 0\]' 10 || fail "q did not exit with status 0"
