#!/usr/bin/env bash
# t_diff.sh — --baseline: a profile in phase A against one in phase B shows B rising, A falling (live and two snapshots); bad baselines.
. "$(dirname "$0")/lib.sh"

# diff_rows: the last run's diff table (after "diff against ...") as
# tab-separated "before now delta total-delta function module", percent
# signs dropped.
diff_rows() {
	awk '
	/^diff against / { sec = 1; next }
	sec && !hdr && /^BEFORE%/ && /DELTA/ && /FUNCTION/ && /MODULE/ { hdr = 1; next }
	!hdr { next }
	/^[ \t]*$/ { exit }
	NF >= 6 && $1 ~ /^[0-9.]+%$/ && $2 ~ /^[0-9.]+%$/ && $3 ~ /^[+-][0-9]+\.[0-9][0-9]$/ {
		b = $1; n = $2; mod = $NF
		sub(/%$/, "", b); sub(/%$/, "", n)
		fn = $0
		# mawk has no {4}: the four number columns one by one.
		sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", fn)
		sub(/[ \t]+[^ \t]+[ \t]*$/, "", fn)
		printf "%s\t%s\t%s\t%s\t%s\t%s\n", b, n, $3, $4, fn, mod
	}' "$OUT"
}

# delta FUNCTION: its DELTA column without a '+' (lib.sh's ge/le take
# none); empty when it has no row.
delta() { diff_rows | awk -F'\t' -v f="$1" '$5 == f { d = $3; sub(/^\+/, "", d); print d; exit }'; }

# rank FUNCTION: its row number in the diff table (empty when absent).
rank() { diff_rows | awk -F'\t' -v f="$1" '$5 == f { print NR; exit }'; }

# expect_phase_diff SIGN: phase_b_work changed by SIGN 50+ points and
# phase_a_work the other way, the two the top rows of the diff.
expect_phase_diff() {
	local a b ra rb
	grep -qF "diff against $base (" "$OUT" || fail "no 'diff against $base' heading"
	[ -n "$(diff_rows)" ] || fail "no diff table rows"
	a=$(delta phase_a_work)
	b=$(delta phase_b_work)
	ra=$(rank phase_a_work)
	rb=$(rank phase_b_work)
	note "DELTA phase_a_work ${a:-?} (row ${ra:-?}), phase_b_work ${b:-?} (row ${rb:-?}), want B ${1}50+, A the other way"
	if [ "$1" = + ]; then
		if ! { ge "${b:-x}" 50 && le "${a:-x}" -50; }; then
			fail "expected phase_b_work > +50 and phase_a_work < -50"
		fi
	elif ! { le "${b:-x}" -50 && ge "${a:-x}" 50; }; then
		fail "expected phase_b_work < -50 and phase_a_work > +50"
	fi
	[ "$((ra + rb))" -eq 3 ] || fail "phase_a_work and phase_b_work are not the top two rows"
}

# after_start SECS: sleep until SECS seconds after $t0 (no sleep if past).
after_start() {
	local left
	left=$(awk -v t0="$t0" -v s="$1" -v now="$(now_s)" 'BEGIN { d = t0 + s - now; if (d < 0) d = 0; printf "%.3f\n", d }')
	sleep "$left"
}

base=$TMPDIR/before.snap
after=$TMPDIR/after.snap

# phase_a_work for 0..4 s, phase_b_work for 4..8 s.  The baseline is taken
# well inside phase A, the comparison well inside phase B.
t0=$(now_s)
bg_start "$WORKLOADS/phases" 4 4
pid=$BG_PID
after_start 0.3
run_batch -p "$pid" -d 1.5 -o "$base"
expect_rc 0
[ "$(delta phase_a_work)" = "" ] || fail "a diff without --baseline"
el=$(minus "$t0" "$(now_s)")
le "$el" 3.9 || fail "the phase A profile ended ${el}s after the start, in phase B (machine too slow?)"
has_func phase_a_work || fail "the phase A profile has no phase_a_work"

# Live against the snapshot.
after_start 4.4
run_batch -p "$pid" -d 1.5 -o "$after" --baseline "$base"
expect_rc 0
expect_table
grep -q "^samples: " "$OUT" || fail "the usual report is missing"
expect_phase_diff +
el=$(minus "$t0" "$(now_s)")
le "$el" 8 || note "the phase B profile ended ${el}s after the start (past phase B: idle tail)"
cp "$OUT" "$TMPDIR/live.out"

# The two snapshots in batch mode: the very same diff as live.
run_cmd "$PROFTUI" --load "$after" --baseline "$base" -b
expect_rc 0
expect_phase_diff +
sed -n '/^diff against /,$p' "$TMPDIR/live.out" >"$TMPDIR/live.diff"
sed -n '/^diff against /,$p' "$OUT" | diff -u "$TMPDIR/live.diff" - ||
	fail "the two-snapshot diff differs from the live one"

# The other way round, every sign flips.
run_cmd "$PROFTUI" --load "$base" --baseline "$after" -b -n 0
expect_rc 0
base=$after expect_phase_diff -

# A snapshot against itself: all deltas +0.00, both columns.
run_cmd "$PROFTUI" --load "$base" --baseline "$base" -b -n 0
expect_rc 0
diff_rows >"$TMPDIR/self.rows"
[ -s "$TMPDIR/self.rows" ] || fail "no rows comparing a snapshot with itself"
awk -F'\t' '$3 != "+0.00" || $4 != "+0.00" || $1 != $2' "$TMPDIR/self.rows" | grep -q . &&
	fail "non-zero deltas comparing a snapshot with itself: $(cat "$TMPDIR/self.rows")"

# -n limits the diff too.
run_cmd "$PROFTUI" --load "$after" --baseline "$base" -b -n 2
expect_rc 0
[ "$(diff_rows | wc -l)" -eq 2 ] || fail "-n 2: $(diff_rows | wc -l) diff rows"

# With --folded the diff goes to stderr; stdout stays folded stacks only.
run_cmd "$PROFTUI" --load "$after" --baseline "$base" -b --folded
expect_rc 0
grep -qvE '^.+ [0-9]+$' "$OUT" && fail "--folded: stdout has other lines: $(grep -vE '^.+ [0-9]+$' "$OUT" | head -3)"
OUT=$ERR expect_phase_diff +

# A launched command all in phase B against the phase A baseline.
run_batch --baseline "$base" -- "$WORKLOADS/phases" 0 1.5
expect_rc 0
b=$(delta phase_b_work)
note "launched, phase B only: DELTA phase_b_work ${b:-?}"
ge "${b:-x}" 50 || fail "launched: phase_b_work DELTA ${b:-?}, expected > +50"
le "$(delta phase_a_work)" -50 || fail "launched: phase_a_work did not fall"

# Without -b the live view would show the diff (t_ui_diff.sh); with no
# terminal here, the report it falls back to has it.
run_cmd "$PROFTUI" --load "$after" --baseline "$base"
expect_rc 0
grep -q 'no diff yet' "$ERR" && fail "a stale 'no diff yet' note: $(cat "$ERR")"
grep -q 'printing the report instead' "$ERR" || fail "no note of the fallback: $(cat "$ERR")"
grep -qF "diff against $base (" "$OUT" || fail "the fallback report has no diff"

# Bad baselines: exit 6 with a clear one-line message, before sampling anything.
run_batch -d 1 --baseline "$TMPDIR/none.snap" -- "$WORKLOADS/phases" 0 1
expect_rc 6
grep -q -- "--baseline: snapshot $TMPDIR/none.snap: No such file or directory" "$ERR" ||
	fail "unclear message: $(cat "$ERR")"
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "expected one line of error, got: $(cat "$ERR")"
[ -s "$OUT" ] && fail "a report despite the bad baseline"
sed '5s/.*/stack\tnot-a-number\t0\t0/' "$base" >"$TMPDIR/bad.snap"
run_cmd "$PROFTUI" --load "$after" --baseline "$TMPDIR/bad.snap" -b
expect_rc 6
grep -qE -- "--baseline: snapshot .*bad.snap: line [0-9]+" "$ERR" || fail "no line number in: $(cat "$ERR")"
run_cmd "$PROFTUI" -p "$pid" --baseline "$TMPDIR/bad.snap"
expect_rc 6
exit 0
