#!/usr/bin/env bash
# t_py_split.sh — Python frames on every CPython here, launched and attached: 50/35/15 within ±5 points, caller = sum of callees.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_py.sh"

mapfile -t pys < <(pythons)
[ "${#pys[@]}" -gt 0 ] || skip "no CPython 3.8+ on this machine"

main_f=$(py_func main pysplit.py)
min_main=85 max_bad=25
if sanitized; then min_main=50 max_bad=60; fi
a=$(py_func leaf_a pysplit.py) b=$(py_func leaf_b pysplit.py)
c=$(py_func leaf_c pysplit.py) common=$(py_func common pysplit.py)

check_run() {   # $1: interpreter, $2: how it was profiled
	local ver sa sb sc scom sum
	expect_rc 0
	ver=$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	grep -q "python $ver found: showing Python frames" "$ERR" ||
		fail "$1 ($2): no 'python $ver found' note"
	has_func "$main_f" || fail "$1 ($2): no row for '$main_f'"
	# The workload's own time is nearly all of the samples (those whose
	# Python stack was read too late to agree keep their native stacks: a
	# slow, sanitized proftui reads later).
	ge "$(total_pct "$main_f")" "$min_main" || fail "$1 ($2): main has only $(total_pct "$main_f") %"
	sa=$(share "$a" "$main_f") sb=$(share "$b" "$main_f") sc=$(share "$c" "$main_f")
	scom=$(share "$common" "$main_f")
	note "$1 ($2): leaf_a $sa, leaf_b $sb, leaf_c $sc, common $scom (% of main)"
	within "$sa" 50 5 || fail "$1 ($2): leaf_a $sa %, expected 50 ±5"
	within "$sb" 35 5 || fail "$1 ($2): leaf_b $sb %, expected 35 ±5"
	within "$sc" 15 5 || fail "$1 ($2): leaf_c $sc %, expected 15 ±5"
	# The common caller's total is its callees' sum: leaf_b, leaf_c, plus
	# the few samples in common itself or in the native call machinery
	# between it and them (its own frames only), well under half a point.
	sum=$(awk -v x="$(total_pct "$b")" -v y="$(total_pct "$c")" -v s="$(pct "$common")" \
		'BEGIN { print x + y + s }')
	within "$(total_pct "$common")" "$sum" 0.5 ||
		fail "$1 ($2): common $(total_pct "$common") % != leaf_b + leaf_c + self ($sum %)"
	# Some samples may fall back to native stacks (the Python stack is read
	# a little after the sample; on a loaded machine, later): a quarter at
	# most, the split above being the real check.
	local merged bad
	merged=$(sed -n 's/^python: \([0-9]*\) merged.*/\1/p' "$OUT")
	bad=$(sed -n 's/^python: [0-9]* merged, \([0-9]*\) stacks disagreed.*/\1/p' "$OUT")
	[ -n "$merged" ] || fail "$1 ($2): no python: summary line"
	le "$bad" "$((merged * max_bad / 100))" || fail "$1 ($2): $bad of $merged samples disagreed"
}

for py in "${pys[@]}"; do
	run_batch -d 2.5 -n 0 -s total -- "$py" "$PYWORK/pysplit.py" 2
	check_run "$py" launched

	bg_start "$py" "$PYWORK/pysplit.py" 6
	sleep 0.5
	run_batch -d 2 -n 0 -s total -p "$BG_PID"
	check_run "$py" attached
	alive "$BG_PID" || fail "$py: the target did not survive proftui"
	kill "$BG_PID"
done
