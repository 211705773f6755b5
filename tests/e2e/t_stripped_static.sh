#!/usr/bin/env bash
# t_stripped_static.sh — fully stripped split with static func_*: no names exist, so rows must read module+0xOFFSET, never a wrong name.
. "$(dirname "$0")/lib.sh"

mod=split-stripped-static
run_batch -- "$WORKLOADS/$mod" 2
expect_rc 0
expect_table

for f in func_a func_b func_c run_rounds; do
	has_func "$f" && fail "$f shown for a binary that has no symbol for it"
done
top=$(table_rows | head -n 1 | cut -f4)
note "top row: $top"
case $top in
*+0x*) ;;
*) fail "top row '$top' is not an unresolved module+0xOFFSET label" ;;
esac

# A name in this module can only be a wrong one: a symbol-like label
# ("_IO_stdin_used+0x2a4", "_init") means some unrelated symbol was used.
bad=$(table_rows | awk -F'\t' -v m="$mod" '$5 == m && $4 ~ /^[A-Za-z_][A-Za-z0-9_.@]*(\+0x[0-9a-fA-F]+)?$/ { print $4 }')
[ -z "$bad" ] || fail "wrong names in $mod: $(echo "$bad" | tr '\n' ' ')"

# Nearly all the time is spent in the module's unnamed code.
in_mod=$(table_rows | awk -F'\t' -v m="$mod" '$5 == m && $4 ~ /\+0x/ { s += $1 } END { printf "%.2f\n", s + 0 }')
note "self% in unresolved $mod code = $in_mod (expect >= 95)"
ge "$in_mod" 95 || fail "only $in_mod% of self time in unresolved $mod code, expected >= 95"
