#!/usr/bin/env bash
# t_debug_frame.sh — workloads whose only CFI for their code is .debug_frame (in the file, beside crt's .eh_frame, in a build-id debug file): full call paths.
. "$(dirname "$0")/lib.sh"

PATH_RE='(^|;)main;dbf_outer;dbf_middle;dbf_leaf$'

command -v readelf >/dev/null 2>&1 || skip "readelf not installed (needed to check the workloads)"
command -v nm >/dev/null 2>&1 || skip "nm not installed (needed to check the workloads)"

# eh_covers BINARY SYMBOL: true when an .eh_frame FDE covers SYMBOL.  readelf
# and nm both print 16 hex digits, so the addresses compare as strings.
eh_covers() {
	local a
	a=$(nm "$1" | awk -v s="$2" '$3 == s { print $1; exit }')
	[ -n "$a" ] || fail "$1: no symbol $2"
	readelf -wf "$1" 2>/dev/null | awk -v a="$a" '
		/^Contents of the \.debug_frame/ { exit }
		match($0, /pc=[0-9a-f]+\.\.[0-9a-f]+/) {
			split(substr($0, RSTART + 3, RLENGTH - 3), r, /\.\./)
			if (a >= r[1] && a < r[2]) { found = 1; exit }
		}
		END { exit !found }'
}

# Guard the premise: no .eh_frame FDE for the workload's code (frame
# pointers are off too), or this would test nothing.
premise() {
	local f
	readelf -SW "$1" | grep -q '\.debug_frame' || fail "$1 has no .debug_frame; rebuild the workloads"
	for f in dbf_leaf dbf_middle dbf_outer main; do
		eh_covers "$1" "$f" && fail "$1 has an .eh_frame FDE for $f; rebuild the workloads"
	done
	return 0
}

# check_dbf BINARY: >= 90 % of the folded samples end in the full path.
check_dbf() {
	local got
	run_batch --folded -- "$1" 2
	expect_rc 0
	[ "$(folded_total)" -gt 0 ] || fail "no folded stacks in the output"
	got=$(folded_pct "$PATH_RE")
	note "$(basename "$1"): main;dbf_outer;dbf_middle;dbf_leaf in $got% of samples (expect >= 90)"
	ge "$got" 90 || fail "$(basename "$1"): only $got% of samples unwound to main;dbf_outer;dbf_middle;dbf_leaf"
}

# .debug_frame is the module's only CFI.
bin=$WORKLOADS/debugframe
readelf -SW "$bin" | grep -q '\.eh_frame' && fail "$bin still has .eh_frame; rebuild the workloads"
premise "$bin"
check_dbf "$bin"

# An .eh_frame_hdr that covers only crt code: the rest is in .debug_frame.
bin=$WORKLOADS/debugframe-crt
readelf -SW "$bin" | grep -q '\.eh_frame_hdr' || note "$bin has no .eh_frame_hdr (toolchain without crt CFI)"
premise "$bin"
check_dbf "$bin"

# The CFI only in a separate debug file, found by build-id.  It is put in
# place in a private mount namespace: the host's /usr/lib/debug is never
# touched.
split=$WORKLOADS/debugframe-split
if [ "$(id -u)" -ne 0 ] || ! [ -d /usr/lib/debug ] || ! command -v unshare >/dev/null 2>&1 ||
	! unshare -m true 2>/dev/null; then
	note "build-id debug file case not run (needs root, unshare and /usr/lib/debug)"
	exit 0
fi
readelf -SW "$split" | grep -qE '\.(eh_frame|debug_frame)' && fail "$split still has CFI; rebuild the workloads"
bid=$(readelf -nW "$split" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p' | head -n 1)
[ "${#bid}" -gt 2 ] || fail "$split has no build-id"
dbg=$TMPDIR/debugroot
mkdir -p "$dbg/.build-id/${bid:0:2}" || fail "mkdir failed"
cp "$split.debug" "$dbg/.build-id/${bid:0:2}/${bid:2}.debug" || fail "cannot copy the debug file"
# Without the debug file the path must not be found (the premise)...
run_batch --folded -- "$split" 1
expect_rc 0
got=$(folded_pct "$PATH_RE")
note "debugframe-split without its debug file: $got% full paths (expect < 50)"
le "$got" 50 || fail "debugframe-split unwinds without its debug file: the test proves nothing"
# ...and with it, it must.
RUN_PREFIX=(unshare -m --propagation private sh -c 'mount --bind "$0" /usr/lib/debug && exec "$@"' "$dbg")
check_dbf "$split"
