#!/usr/bin/env bash
# t_fault_hugebin.sh — a 430 MB binary with 200,000 symbols (built here): launched and attached, its hot function named at the full sample rate, proftui's memory bounded.
. "$(dirname "$0")/lib.sh"

# Built at test time (a few seconds) rather than kept as a workload: 200,000
# one-instruction functions in generated assembly, then 400 MB of zeros
# appended to the file (sparse, so no disk is used).  The symbol table is
# ~5 MB, the file is far larger than any real module proftui has to map.
command -v cc >/dev/null 2>&1 || skip "cc not installed"

dir=$TMPDIR/huge
mkdir -p "$dir"
awk -v n=200000 'BEGIN {
	print "\t.section .note.GNU-stack,\"\",@progbits\n\t.text"
	# huge_hot(n): n steps of the multiply-add chain, a leaf with CFI.
	print "\t.globl huge_hot\n\t.type huge_hot, @function\nhuge_hot:\n\t.cfi_startproc"
	print "\tmovabsq $6364136223846793005, %rcx\n\tmovabsq $1442695040888963407, %rdx\n\tmovq %rdi, %rax"
	print "1:\timulq %rcx, %rax\n\taddq %rdx, %rax\n\tdecq %rdi\n\tjnz 1b\n\tret"
	print "\t.cfi_endproc\n\t.size huge_hot, .-huge_hot"
	for (i = 0; i < n; i++)
		printf "\t.globl hf_%d\n\t.type hf_%d, @function\nhf_%d:\n\tret\n\t.size hf_%d, 1\n", i, i, i, i
}' >"$dir/stubs.s"
cat >"$dir/main.c" <<'EOF'
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
uint64_t huge_hot(uint64_t n);
void hf_199999(void);
volatile uint64_t sink;
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 3.0);
	hf_199999();
	do
		sink = huge_hot(1u << 20);
	while (now() < end);
	return 0;
}
EOF
cc -O2 -g -o "$dir/hugebin" "$dir/main.c" "$dir/stubs.s" 2>"$dir/cc.err" || fail "cannot build the huge binary: $(cat "$dir/cc.err")"
truncate -s +400M "$dir/hugebin" || fail "cannot grow the binary"
"$dir/hugebin" 0.01 || fail "the padded binary does not run"
nsyms=$(nm "$dir/hugebin" 2>/dev/null | grep -c ' T hf_')
note "hugebin: $(stat -c %s "$dir/hugebin") bytes, $nsyms hf_ symbols"

# check_run WHAT: huge_hot named with >= 90 % self, in module hugebin, and
# samples at >= 40 % of what the CPU time allows (symbol loading must not
# hold sampling up).
check_run() {
	expect_rc 0
	check_self huge_hot 97 3 hugebin
	s=$(summary_num samples) d=$(summary_num duration)
	want=$(awk -v d="$d" 'BEGIN { printf "%d\n", d * 999 * 0.4 }')
	note "$1: $s samples in $d s (want >= $want); $(summary_field lost)"
	ge "${s:-x}" "$want" || fail "$1: only $s samples in $d s: sampling stalled"
}

vm_hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

E2E_FREQ=
run_batch -d 2 -- "$dir/hugebin" 2
check_run "launched"

bg_start "$dir/hugebin" 30
pid=$BG_PID
sleep 0.2
"$PROFTUI" -b -d 2 -p "$pid" >"$TMPDIR/att.out" 2>"$TMPDIR/att.err" </dev/null &
pp=$!
hwm=0
while alive "$pp"; do
	h=$(vm_hwm "$pp")
	[ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
	sleep 0.2
done
RC=0
wait "$pp" || RC=$?
OUT=$TMPDIR/att.out ERR=$TMPDIR/att.err
check_run "attached"
note "proftui's peak RSS attached: $hwm KB"
le "$hwm" 262144 || fail "proftui's peak RSS was $hwm KB for a 430 MB binary (bound 256 MB)"
alive "$pid" || fail "the target died"
