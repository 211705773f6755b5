#!/usr/bin/env bash
# t_jit_nomap.sh — JIT code with no perf map: [anon]+0xADDR rows (one per address, all inside the 41-byte code) summing 80 ±5, native_work 20 ±5.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_more.sh"

# The code of tests/workloads/jit.c's jit_code[]: every sampled address
# lies in it.
JIT_CODE_BYTES=41

run_batch -n 0 -- "$WORKLOADS/jit" 2
expect_rc 0
expect_table
has_func jit_hot_loop && fail "a row is named jit_hot_loop, but there is no perf map"
anon=$(module_pct "[anon]")
note "[anon] self% (all rows) = $anon (expect 80 +- 5)"
within "$anon" 80 5 || fail "[anon] rows hold $anon% self, expected 80 +- 5"
check_self native_work 20 5 jit

IFS=$'\t' read -r top_fn top_mod top_self < <(top_row)
note "top row: '$top_fn' in '$top_mod' ($top_self%)"
case $top_fn in
"[anon]+0x"*) ;;
*) fail "top row's function is '$top_fn', expected [anon]+0x..." ;;
esac
[ "$top_mod" = "[anon]" ] || fail "top row's module is '$top_mod', expected [anon]"

# Every label is a real address: all of them fit inside the one code block.
span=$(module_funcs "[anon]" | awk '
	function hex(s,    v, i) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
		return v
	}
	{
		if (!match($0, /^\[anon\]\+0x[0-9a-fA-F]+$/)) { bad = $0; exit }
		a = hex(substr($0, 10))
		if (n++ == 0 || a < lo) lo = a
		if (a > hi) hi = a
	}
	END { if (bad != "") print "bad:" bad; else printf "%d\n", hi - lo }')
note "[anon] labels span $span bytes (expect < $JIT_CODE_BYTES)"
case $span in
bad:*) fail "[anon] row '${span#bad:}' is not [anon]+0xADDR" ;;
esac
[ "$span" -lt "$JIT_CODE_BYTES" ] || fail "[anon] addresses span $span bytes, more than the $JIT_CODE_BYTES-byte JIT code"
