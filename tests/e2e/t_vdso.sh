#!/usr/bin/env bash
# t_vdso.sh — clock_gettime in a loop: [vdso] rows >= 50 % self, named from the vDSO's own symbols, and unwound through its CFI back to vdso_caller.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_more.sh"

# Only these clocksources let the vDSO answer without a system call; with
# any other the time goes to the kernel and there is nothing to check here.
cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
case $cs in
tsc | kvm-clock | hyperv_clocksource_tsc_page | arch_sys_counter) ;;
*) skip "clocksource '${cs:-?}' has no vDSO fast path" ;;
esac

run_batch -n 0 -- "$WORKLOADS/vdso" 2
expect_rc 0
expect_table
vdso=$(module_pct "[vdso]")
note "[vdso] self% (all rows) = $vdso (expect >= 50)"
ge "$vdso" 50 || fail "[vdso] rows hold $vdso% self, expected >= 50"

names=$TMPDIR/vdso-names
module_funcs "[vdso]" | sort -u >"$names"
note "[vdso] functions: $(tr '\n' ' ' <"$names")"
grep -Eq 'clock_gettime|vdso' "$names" ||
	fail "no [vdso] row is named after clock_gettime or the vDSO"
# Addresses with no symbol are labelled [unknown]+0x / [vdso]+0x / X+0x.
if grep -Eq '^\[|\+0x' "$names"; then
	fail "[vdso] rows without a symbol: $(grep -E '^\[|\+0x' "$names" | tr '\n' ' ')"
fi

# Folded: the vDSO leaf right under vdso_caller, or under one libc
# wrapper frame (glibc's clock_gettime calls the vDSO through a pointer).
# Stacks cut short at the vDSO frame have no vdso_caller at all.
alt=$(sed 's/[][\.*^$+?(){}|/]/\\&/g' "$names" | paste -sd'|')
run_batch --folded -- "$WORKLOADS/vdso" 2
expect_rc 0
[ "$(folded_total)" -gt 0 ] || fail "no folded stacks in the output"
got=$(folded_pct "(^|;)main;vdso_caller(;[^;]+)?;($alt)\$")
note "folded main;vdso_caller[;wrapper];<vdso frame> = $got% (expect >= 50)"
ge "$got" 50 || fail "only $got% of folded stacks reach main;vdso_caller from a vDSO leaf, expected >= 50"
