#!/usr/bin/env bash
# t_kernel_frames.sh — reads of /dev/zero as root: [kernel] rows >= 30 % self with real names, and folded stacks going reader_loop -> kernel frames.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_more.sh"

need_root "kernel frames need root (or perf_event_paranoid < 2)"

run_batch -n 0 -- "$WORKLOADS/syscalls" 2
expect_rc 0
expect_table
grep -q 'kernel frames not permitted' "$ERR" && fail "proftui refused kernel frames although we are root"
kern=$(module_pct "[kernel]")
note "[kernel] self% (all rows) = $kern (expect >= 30)"
ge "$kern" 30 || fail "[kernel] rows hold $kern% self, expected >= 30"

# Names, not addresses: at least one, and they carry the bulk of the time.
names=$TMPDIR/kernel-names
module_funcs "[kernel]" | grep -Ev '^\[|\+0x' | sort -u >"$names"
[ -s "$names" ] || fail "every [kernel] row is an address ([kernel]+0x...), no kernel symbol names"
named=$(table_rows | awk -F'\t' '$5 == "[kernel]" && $4 !~ /^\[|\+0x/ { s += $1 } END { printf "%.2f\n", s + 0 }')
note "named [kernel] self% = $named; hottest kernel row: $(table_rows | awk -F'\t' '$5 == "[kernel]" { print $4 " " $1 "%"; exit }')"
ge "$named" 30 || fail "named [kernel] rows hold only $named% self, expected >= 30"

# Folded: the kernel frames sit under the user frames, towards the leaf.
run_batch --folded -- "$WORKLOADS/syscalls" 2
expect_rc 0
[ "$(folded_total)" -gt 0 ] || fail "no folded stacks in the output"
got=$(folded_then_pct reader_loop "$names")
note "folded reader_loop;...;<kernel frame> = $got% (expect >= 30)"
ge "$got" 30 || fail "only $got% of folded stacks have kernel frames after reader_loop, expected >= 30"
# And never the other way round: no user frame of ours under a kernel one.
bad=$(folded_lines | awk -v names="$names" '
	BEGIN { while ((getline n < names) > 0) k[n] = 1 }
	{ st = $0; sub(/ [0-9]+$/, "", st); n = split(st, a, ";"); seen = 0
	  for (i = 1; i <= n; i++) { if (a[i] in k) seen = 1; else if (seen && a[i] == "reader_loop") { s += $NF; break } } }
	END { print s + 0 }')
[ "$bad" -eq 0 ] || fail "$bad samples have reader_loop below a kernel frame"
