# lib_more.sh — extra e2e helpers on top of lib.sh: per-module sums, root checks, "frame X then one of these names" in folded stacks.
# shellcheck shell=bash
#
# Sourced after lib.sh by the tests that look at whole modules ([jit],
# [anon], [vdso], [kernel]) rather than single functions.

# Skip unless we are root (uid 0).
need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root: $*"
}

# module_pct MODULE: self % summed over every row whose module is MODULE
# (code with no symbol is one row per address, so a single row says little).
module_pct() {
	table_rows | awk -F'\t' -v m="$1" '$5 == m { s += $1 } END { printf "%.2f\n", s + 0 }'
}

# module_funcs MODULE: the function column of MODULE's rows, one a line.
module_funcs() {
	table_rows | awk -F'\t' -v m="$1" '$5 == m { print $4 }'
}

# top_row: "function<TAB>module<TAB>self" of the first (hottest) row.
top_row() {
	table_rows | awk -F'\t' 'NR == 1 { printf "%s\t%s\t%s\n", $4, $5, $1; exit }'
}

# folded_then_pct FRAME NAMES_FILE: % of folded samples whose stack holds
# FRAME and, somewhere after it (towards the leaf), a frame named in
# NAMES_FILE (one name a line).
folded_then_pct() {
	folded_lines | awk -v f="$1" -v names="$2" '
	BEGIN { while ((getline n < names) > 0) want[n] = 1 }
	{
		t += $NF
		st = $0; sub(/ [0-9]+$/, "", st)
		k = split(st, a, ";"); seen = 0
		for (i = 1; i <= k; i++) {
			if (a[i] == f) seen = 1
			else if (seen && (a[i] in want)) { s += $NF; break }
		}
	}
	END { printf "%.2f\n", (t > 0 ? 100 * s / t : 0) }'
}
