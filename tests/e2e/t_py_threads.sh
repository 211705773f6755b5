#!/usr/bin/env bash
# t_py_threads.sh — Python thread names (MainThread, worker-a, ThreadPoolExecutor-0_N) in a saved snapshot's thread lines, on every CPython here, launched and attached; and in the live thread list (T) and its filter.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_py.sh"
. "$(dirname "$0")/lib_tui.sh"

mapfile -t pys < <(pythons)
[ "${#pys[@]}" -gt 0 ] || skip "no CPython 3.8+ on this machine"

# Busy threads of the workload, by the name Python gives each: every one
# spins for the whole run, so each is sampled and must be named so.
busy=(MainThread worker-a ThreadPoolExecutor-0_0 ThreadPoolExecutor-0_1)
min_samples=20
if sanitized; then min_samples=5; fi
checked=0

# thread lines of the snapshot: "thread TID SAMPLES NAME"
threads_of() { awk -F'\t' '$1 == "thread" { print $2 "\t" $3 "\t" $4 }' "$1"; }

check_run() {   # $1: interpreter, $2: how it was profiled, $3: the snapshot
	local ver comm name n line
	expect_rc 0
	ver=$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	if ! grep -q "python $ver found: showing Python frames" "$ERR"; then
		note "skip $1 ($2): Python $ver frames are not read here: $(grep -m1 python "$ERR")"
		return 0
	fi
	[ -s "$3" ] || fail "$1 ($2): no snapshot saved"
	note "$1 ($2): $(threads_of "$3" | awk -F'\t' '{ printf "%s%s=%s", s, $3, $2; s = ", " }')"
	for name in "${busy[@]}"; do
		line=$(threads_of "$3" | awk -F'\t' -v n="$name" '$3 == n')
		[ -n "$line" ] || fail "$1 ($2): no thread named '$name'"
		[ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ] || fail "$1 ($2): several threads named '$name'"
		n=$(printf '%s\n' "$line" | cut -f2)
		ge "$n" "$min_samples" || fail "$1 ($2): '$name' has only $n samples"
	done
	# No busy thread is left with the kernel's name (the interpreter's):
	# each of the workload's threads has a Python name.
	comm=$(basename "$1")
	comm=${comm:0:15}
	threads_of "$3" | awk -F'\t' -v c="$comm" -v m="$min_samples" '$2 >= m && $3 == c' |
		grep -q . && fail "$1 ($2): a busy thread kept the kernel name $comm"
	# A name the sleeping thread got is its own (it may go unsampled).
	if threads_of "$3" | awk -F'\t' '$3 ~ /^idle/' | grep -qv $'\tidle-b$'; then
		fail "$1 ($2): the sleeping thread is misnamed"
	fi
	checked=$((checked + 1))
}

for py in "${pys[@]}"; do
	snap=$TMPDIR/launched.proftui
	rm -f "$snap"
	run_batch -d 2.5 -n 5 -o "$snap" -- "$py" "$PYWORK/pythreads.py" 2
	check_run "$py" launched "$snap"

	snap=$TMPDIR/attached.proftui
	rm -f "$snap"
	bg_start "$py" "$PYWORK/pythreads.py" 6
	sleep 0.5
	run_batch -d 2 -n 5 -o "$snap" -p "$BG_PID"
	check_run "$py" attached "$snap"
	alive "$BG_PID" || fail "$py: the target did not survive proftui"
	kill "$BG_PID"
done
[ "$checked" -gt 0 ] || skip "no CPython here has its frames read"

# The live view: the thread list and the header's filter show the names.
tui_start -r 0.3 -- "${pys[0]}" "$PYWORK/pythreads.py" 30
tui_wait 'python: merged' 15 || fail "the live view does not read Python frames"
tui_keys T
tui_wait 'ThreadPoolExecutor-0_1' 10 || fail "thread list does not name the pool's threads"
grep -q 'MainThread' "$SCREEN" && grep -q 'worker-a' "$SCREEN" ||
	{ cat "$SCREEN"; fail "thread list lacks MainThread or worker-a"; }
# rows by tid: all, MainThread, worker-a, ...
tui_keys Down Down Enter
tui_wait 'thread [0-9]+ \(worker-a\)' 5 || fail "the filter on worker-a is not named in the header"
tui_keys q
