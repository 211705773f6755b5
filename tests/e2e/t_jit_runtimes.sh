#!/usr/bin/env bash
# t_jit_runtimes.sh — runtimes that describe their JIT code in /tmp/perf-PID.map: python3.12+ -X perf, node --perf-basic-prof.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_py.sh"

ran=0
# CPython 3.12+ -X perf: a trampoline per Python call, named py::func:file;
# proftui steps over it and still merges the Python frames.
for v in 3.13 3.12; do
	py=$(pyenv_python "$v")
	[ -n "$py" ] || continue
	ran=1
	run_batch --folded -d 2 -- "$py" -X perf "$PYWORK/pysplit.py" 2
	expect_rc 0
	tramp=$(folded_lines | grep -F "py::leaf_a:$PYWORK/pysplit.py" | awk '{ s += $NF } END { print s + 0 }')
	both=$(folded_lines | grep -F "py::leaf_a:$PYWORK/pysplit.py;$(py_func leaf_a pysplit.py)" |
		awk '{ s += $NF } END { print s + 0 }')
	full=$(folded_lines | grep -F "_start;" | grep -F "py::main:" | awk '{ s += $NF } END { print s + 0 }')
	all=$(folded_total)
	note "$py -X perf: $tramp of $all samples under the leaf_a trampoline, $both with leaf_a merged under it, $full complete through main's trampoline"
	ge "$((tramp * 100 / all))" 25 || fail "$py -X perf: the py::leaf_a trampoline frame in only $tramp of $all samples"
	ge "$((both * 100 / tramp))" 60 || fail "$py -X perf: leaf_a's Python frame missing under its trampoline"
	ge "$((full * 100 / all))" 70 || fail "$py -X perf: only $full of $all stacks unwind through the trampolines to _start"
	break
done

# node --perf-basic-prof: V8 names its compiled functions in the perf map.
if command -v node >/dev/null; then
	ran=1
	js_file=$(cd "$(dirname "$0")/../workloads" && pwd)/jshot.js
	# node may leave a log in its working directory: keep it in TMPDIR.
	cd "$TMPDIR" || fail "no TMPDIR"
	run_batch -d 2.5 -n 20 -- node --perf-basic-prof "$js_file" 2
	expect_rc 0
	js=$(table_rows | awk -F'\t' '$4 ~ /^(JS|LazyCompile|Function):\*?hotLoop / { s += $1 } END { printf "%.2f\n", s + 0 }')
	note "node: hotLoop self $js %"
	ge "$js" 40 || fail "node: JS hotLoop from the perf map at only $js %"
fi
[ "$ran" -eq 1 ] || skip "neither CPython 3.12+ (pyenv) nor node here"
exit 0
