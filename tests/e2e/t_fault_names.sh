#!/usr/bin/env bash
# t_fault_names.sh — hostile names from the target (a perf-map symbol with escapes, C1, bidi, invalid UTF-8 and 5000 bytes; a program file so named: comm, module, command line; a 600 KB command line): escaped or cut in every output, never raw.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

# raw_bad FILE: true when FILE holds a byte that must never reach a
# terminal or a text export: C0 controls other than tab and newline, DEL,
# a lone C1 byte (0x80-0x9f not inside a UTF-8 sequence, e.g. 0x9b = CSI),
# 0xfe/0xff, or U+202E (right-to-left override).
raw_bad() {
	LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f\x7f\xfe\xff]' "$1" && return 0
	LC_ALL=C grep -aqP '(^|[\x00-\x7f])[\x80-\xbf]' "$1" && return 0
	LC_ALL=C grep -aqF $'\xe2\x80\xae' "$1"
}

# check_clean FILE WHAT
check_clean() {
	if raw_bad "$1"; then
		LC_ALL=C grep -anP '[\x00-\x08\x0b-\x1f\x7f\xfe\xff]|\xe2\x80\xae' "$1" | head -n 3 | cat -v
		fail "$2: raw control bytes, invalid UTF-8 or a bidi override in the output"
	fi
}

# --- a perf-map symbol made of everything bad ---------------------------------
# The jit workload names its code in /tmp/perf-PID.map; the map is rewritten
# (by root, who owns the root target: a trusted map) with the evil name.
bg_start "$WORKLOADS/jit" 60 map
pid=$BG_PID
map=/tmp/perf-$pid.map
on_exit "rm -f '$map'"
for _ in $(seq 50); do [ -s "$map" ] && break; sleep 0.1; done
[ -s "$map" ] || fail "jit did not write $map"
read -r addr size _ <"$map"
long=$(printf 'A%.0s' $(seq 5000))
evil=$'\e[2J\e]0;pwned\a'$'\x9b''31m'$'\xff\xfe''ok'$'\xe2\x80\xae''gnirts'$'\x7f'"$long"
printf '%s %s %s\n' "$addr" "$size" "$evil" >"$map.new" && mv -f "$map.new" "$map"

run_batch -n 0 -d 1.5 -o "$TMPDIR/evil.snap" -p "$pid"
expect_rc 0
check_clean "$OUT" "batch table"
check_clean "$ERR" "stderr"
row=$(table_rows | awk -F'\t' '$5 == "[jit]" { print $4; exit }')
[ -n "$row" ] || fail "the evil perf-map symbol was not used at all (no [jit] row)"
note "the [jit] row's name (first 80 bytes): $(printf '%s' "$row" | cut -c1-80)"
case $row in
*'\x1b'* | *'\x1B'*) ;;
*) fail "the ESC in the symbol is not shown escaped (\\x1b): ${row:0:80}" ;;
esac
[ "$(awk '{ print length($0) }' "$OUT" | sort -n | tail -n 1)" -le 600 ] ||
	fail "a table line is longer than 600 bytes: a 5000-byte name must be cut"

run_batch --folded -d 1 -p "$pid"
expect_rc 0
check_clean "$OUT" "folded stacks"
grep -q ' [0-9]*$' "$OUT" || fail "no folded lines"

for fmt in svg folded; do
	run_cmd "$PROFTUI" --load "$TMPDIR/evil.snap" -b -o "$TMPDIR/evil.$fmt"
	expect_rc 0
	check_clean "$TMPDIR/evil.$fmt" "the $fmt export"
done
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$TMPDIR/evil.svg" || fail "the SVG with the evil name is not well-formed XML"
fi
# The native snapshot keeps names byte for byte, but never a raw C0 byte.
LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f\x7f]' "$TMPDIR/evil.snap" && fail "raw control bytes in the snapshot"
run_cmd "$PROFTUI" --load "$TMPDIR/evil.snap" -b -n 0
expect_rc 0
check_clean "$OUT" "the loaded snapshot's report"

# The live view: the screen is not cleared, the title not set.
tui_start -r 0.3 -n 0 -p "$pid"
tui_wait '\[jit\]' 10 || fail "the live view does not show the [jit] row"
tmx capture-pane -p -e -t 0 >"$TMPDIR/screen.esc"
grep -q 'SELF%' "$SCREEN" || fail "the live view's table is gone (screen cleared?)"
grep -aq 'pwned' "$SCREEN" && ! grep -aq '\\x1[bB]\]0;pwned' "$SCREEN" &&
	fail "the title escape reached the terminal unescaped"
tui_keys q
tui_wait '\[proftui exited' 10 || fail "q did not quit"
tmx kill-server

# --- a program file named with escapes, C1, invalid UTF-8 and a bidi override ---
# Its name becomes the process's comm (the thread list, the header), its
# command line and its module's path.
evilbin=$TMPDIR/$'\e[2J\e]0;t\a\x9b\xff\xe2\x80\xae'split
cp -- "$WORKLOADS/split" "$evilbin" || fail "cannot copy split to an evil name"
bg_start "$evilbin" 60
epid=$BG_PID
sleep 0.3
alive "$epid" || fail "the evil-named split did not start"
run_batch -d 1 -o "$TMPDIR/evilbin.snap" -p "$epid"
expect_rc 0
check_clean "$OUT" "batch report of an evil-named program"
check_clean "$ERR" "stderr with an evil-named program"
mod=$(module_of func_a)
note "func_a's module: $mod"
case $mod in
*'\x1'[bB]*) ;;
*) fail "func_a's module name is not shown escaped: $mod" ;;
esac
run_cmd "$PROFTUI" --load "$TMPDIR/evilbin.snap" -b
expect_rc 0
check_clean "$OUT" "the loaded snapshot of an evil-named program"
cp "$ERR" "$TMPDIR/evilbin-load.err"   # checked last: a known gap
run_batch -d 1 -- "$evilbin" 1
expect_rc 0
check_clean "$OUT" "batch report of a launched evil-named program"
check_clean "$ERR" "stderr of a launched evil-named program"
tui_start -r 0.3 -p "$epid"
tui_wait 'func_a' 10 || fail "no samples from the evil-named program"
grep -q 'SELF%' "$SCREEN" || fail "the table is gone (screen cleared?)"
tui_keys T
tui_wait 'Threads' 5 || fail "the thread list did not open"
tui_wait 'x1[bB]\[2J' 5 || { cat -v "$SCREEN"; fail "the escape in the thread name is not shown escaped"; }
tui_keys Escape q
tui_wait '\[proftui exited' 10 || fail "q did not quit"
tmx kill-server

# --- a 600 KB command line ------------------------------------------------------
# sh keeps the arguments (its own $1...) and runs split as a child; the
# launched command's description is the whole line.
args=()
for ((k = 0; k < 6; k++)); do args+=("$(printf "x%.0s" $(seq 100000))"); done
run_batch -d 1 -o "$TMPDIR/long.snap" -- sh -c 'exec "$0" 1' "$WORKLOADS/split" "${args[@]}"
expect_rc 0
check_split_table
[ "$(stat -c %s "$TMPDIR/long.snap")" -lt 200000 ] || fail "the snapshot keeps the whole 600 KB command line"
run_cmd "$PROFTUI" --load "$TMPDIR/long.snap" -b
expect_rc 0
[ "$(awk '{ print length($0) }' "$ERR" | sort -n | tail -n 1)" -le 2000 ] ||
	fail "a 600 KB command line printed whole on stderr"
# tmux cannot carry a 600 KB command: a wrapper builds it inside the pane.
{
	echo '#!/usr/bin/env bash'
	echo 'a=$(printf "x%.0s" $(seq 100000))'
	printf 'exec %q "$@" -- sh -c %q %q $a $a $a $a $a $a\n' "$PROFTUI" 'exec "$0" 30' "$WORKLOADS/split"
} >"$TMPDIR/long-proftui"
chmod +x "$TMPDIR/long-proftui"
real=$PROFTUI
PROFTUI=$TMPDIR/long-proftui
tui_start -r 0.3
PROFTUI=$real
tui_wait 'func_a' 10 || fail "the live view does not start with a 600 KB command line"
tui_alive || fail "proftui exited"
tui_keys q
tui_wait '\[proftui exited' 10 || fail "q did not quit"

# Loading the evil-named program's snapshot: its "snapshot of pid N (comm)"
# line on stderr escapes the comm like everything else.
OUT=/dev/null ERR=$TMPDIR/evilbin-load.err
check_clean "$TMPDIR/evilbin-load.err" "stderr of the loaded snapshot (its target line)"
