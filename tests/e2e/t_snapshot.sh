#!/usr/bin/env bash
# t_snapshot.sh — save (-o), load back (--load) to the same tables, export to folded/pprof/SVG read by their real consumers; bad files.
. "$(dirname "$0")/lib.sh"

snap=$TMPDIR/split.snap
run_batch -d 2 -n 0 -o "$snap" -- "$WORKLOADS/split" 2
expect_rc 0
grep -q "saved $snap (native)" "$ERR" || fail "no 'saved' line"
head -n 1 "$snap" | grep -qx "proftui-snapshot 2" || fail "$snap does not start with the magic line"
table_rows >"$TMPDIR/live.rows"
check_split_table

# func lines carry the function's address in its module: func_a's is the one
# nm gives for it (its symbol's st_value).
saved=$(awk -F'\t' '$1 == "func" && $3 == "split" && $5 == "func_a" { print $4 }' "$snap")
[ -n "$saved" ] || fail "no func line for func_a in split: $(grep '^func' "$snap" | head -5)"
if command -v nm >/dev/null; then
	sym=$(nm "$WORKLOADS/split" | awk '$3 == "func_a" { print $1; exit }')
	[ -n "$sym" ] || fail "nm does not list func_a in $WORKLOADS/split"
	want=$(printf '0x%x' "$((16#$sym))")
	note "func_a: saved $saved, nm $want"
	[ "$saved" = "$want" ] || fail "func_a saved at $saved, nm says $want"
else
	note "nm not installed: func_a's address not checked"
fi
# Every address is "0x" and lowercase hex, or "-".
# (No {1,16}: mawk has no interval expressions.)
bad=$(awk -F'\t' '$1 == "func" && $4 != "-" && ($4 !~ /^0x[0-9a-f]+$/ || length($4) > 18)' \
	"$snap" | head -3)
[ -z "$bad" ] || fail "func lines with a malformed address: $bad"

# Loaded back: the very same table and summary counts.
run_cmd "$PROFTUI" --load "$snap" -b -n 0
expect_rc 0
table_rows >"$TMPDIR/loaded.rows"
diff -u "$TMPDIR/live.rows" "$TMPDIR/loaded.rows" || fail "the loaded table differs from the live one"
grep -q "^samples: $(summary_num samples)" "$OUT" 2>/dev/null || true
check_split_table
# Saved again from the loaded one: the same functions at the same addresses.
run_cmd "$PROFTUI" --load "$snap" -b -o "$TMPDIR/again.snap"
expect_rc 0
diff -u <(grep '^func' "$snap") <(grep '^func' "$TMPDIR/again.snap") ||
	fail "the func lines changed when the loaded snapshot was saved again"

# Folded export = --folded of the loaded snapshot; FlameGraph-style lines.
run_cmd "$PROFTUI" --load "$snap" -b --folded
sort "$OUT" >"$TMPDIR/folded.want"
run_cmd "$PROFTUI" --load "$snap" -b -o "$TMPDIR/x.folded"
expect_rc 0
sort "$TMPDIR/x.folded" | diff -u "$TMPDIR/folded.want" - || fail "x.folded differs from --folded"

# pprof, read by go tool pprof: func_a's flat share is the table's self share.
if command -v go >/dev/null; then
	run_cmd "$PROFTUI" --load "$snap" -b -o "$TMPDIR/x.pb.gz"
	expect_rc 0
	gzip -t "$TMPDIR/x.pb.gz" || fail "x.pb.gz is not gzip"
	go tool pprof -top -nodecount=20 "$TMPDIR/x.pb.gz" >"$TMPDIR/pprof.top" 2>/dev/null ||
		fail "go tool pprof could not read x.pb.gz"
	want=$(awk -F'\t' '$4 == "func_a" { print $1 }' "$TMPDIR/live.rows")
	got=$(awk '$NF == "func_a" { sub(/%/, "", $2); print $2 }' "$TMPDIR/pprof.top")
	note "func_a: table self $want %, pprof flat $got %"
	within "$got" "$want" 0.6 || fail "pprof flat $got % for func_a, table $want %"
else
	note "go not installed: pprof read-back skipped"
fi

# SVG: well-formed, with func_a's frame in it.
run_cmd "$PROFTUI" --load "$snap" -b -o "$TMPDIR/x.svg"
expect_rc 0
xmllint --noout "$TMPDIR/x.svg" || fail "x.svg is not well-formed XML"
grep -q "func_a" "$TMPDIR/x.svg" || fail "x.svg has no func_a"
# --format wins over the name.
run_cmd "$PROFTUI" --load "$snap" -b --format folded -o "$TMPDIR/y.out"
grep -qE '^.*func_a [0-9]+$' "$TMPDIR/y.out" || fail "--format folded did not write folded stacks"

# A corrupt snapshot: a clear message naming the line, exit 6, no crash.
sed '5s/.*/stack\tnot-a-number\t0\t0/' "$snap" >"$TMPDIR/bad.snap"
run_cmd "$PROFTUI" --load "$TMPDIR/bad.snap" -b
expect_rc 6
grep -qE "line [0-9]+" "$ERR" || fail "no line number in: $(cat "$ERR")"
head -c 100 "$snap" >"$TMPDIR/cut.snap"
run_cmd "$PROFTUI" --load "$TMPDIR/cut.snap" -b
expect_rc 6
run_cmd "$PROFTUI" --load "$TMPDIR/none.snap" -b
expect_rc 6
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "expected one line of error, got: $(cat "$ERR")"

# Unwritable outputs: a missing directory, a FIFO (refused, not blocked on);
# a failed save leaves the previous file as it was.
run_cmd "$PROFTUI" --load "$snap" -b -o "$TMPDIR/no/such/dir/x.snap"
expect_rc 6
grep -q "no/such/dir" "$ERR" || fail "the message does not name the path"
mkfifo "$TMPDIR/fifo.svg"
run_cmd "$PROFTUI" --load "$snap" -b -o "$TMPDIR/fifo.svg"
expect_rc 6
cp "$snap" "$TMPDIR/keep.snap"
before=$(md5sum <"$TMPDIR/keep.snap")
run_cmd bash -c "ulimit -f 1; exec \"\$0\" --load \"\$1\" -b -o \"\$2\"" "$PROFTUI" "$snap" "$TMPDIR/keep.snap"
[ "$RC" -ne 0 ] || fail "a save over the file-size limit reported success"
[ "$(md5sum <"$TMPDIR/keep.snap")" = "$before" ] || fail "a failed save changed the previous file"
grep -q "cannot write" "$ERR" || fail "no 'cannot write' message: $(cat "$ERR")"
ls -A "$TMPDIR" | grep -q "^\.keep\.snap\." && fail "a temporary file was left behind: $(ls -A "$TMPDIR")"
exit 0
