#!/usr/bin/env bash
# t_fault_term.sh — no usable terminal for the live view (TERM unset, unknown or dumb; stdout or stdin not a terminal): one line on stderr, the batch report instead, exit 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

# Each case runs in a tmux pane (a real terminal) with one thing taken
# away.  stderr goes to a file; the report lands on the pane or in a file.

# in_pane NAME SHELL-COMMAND: run it in a fresh pane, wait for it to end;
# the pane's text (with scrollback) in $SCREEN, the status in PANE_RC.
in_pane() {
	local name=$1 cmd=$2
	tmx kill-server 2>/dev/null
	tmx -f /dev/null new-session -d -x 150 -y 50 "$cmd; echo \"[rc \$?]\"; sleep 30" ||
		fail "cannot start tmux"
	on_exit "tmux -L $TUI_SOCK kill-server"
	for _ in $(seq 150); do
		tmx capture-pane -p -S -200 -t 0 >"$SCREEN" 2>/dev/null
		grep -q '^\[rc [0-9]*\]' "$SCREEN" && break
		sleep 0.1
	done
	PANE_RC=$(sed -n 's/^\[rc \([0-9]*\)\].*/\1/p' "$SCREEN" | tail -n 1)
	[ -n "$PANE_RC" ] || { cat "$SCREEN"; fail "$name: proftui did not finish within 15 s (a live view on an unusable terminal?)"; }
	tmx kill-server 2>/dev/null
}

# check_fallback NAME REPORT_FILE ERR_FILE: exit 0, one line on stderr
# saying the batch report is printed instead, and the report itself.
check_fallback() {
	local name=$1 report=$2 err=$3
	note "$name: exit $PANE_RC; stderr: $(tr '\n' '|' <"$err")"
	[ "$PANE_RC" = 0 ] || fail "$name: exit status $PANE_RC, expected 0"
	[ "$(grep -c . "$err")" -eq 1 ] || fail "$name: expected one line on stderr, got: $(cat "$err")"
	grep -q 'batch report' "$err" || fail "$name: stderr does not say the batch report is printed instead"
	grep -Eq '^ +[0-9.]+% +[0-9.]+% +[0-9]+ +func_a +split' "$report" ||
		{ cat "$report"; fail "$name: no batch report with func_a"; }
	grep -q '^samples: ' "$report" || fail "$name: no summary in the report"
}

q() { printf '%q' "$1"; }
run="$(q "$PROFTUI") -d 1 -- $(q "$WORKLOADS/split") 1"

# TERM unset, and a name terminfo does not know.
in_pane "TERM unset" "env -u TERM $run 2>$(q "$TMPDIR/e1")"
check_fallback "TERM unset" "$SCREEN" "$TMPDIR/e1"
grep -q "TERM" "$TMPDIR/e1" || fail "TERM unset: the message does not mention TERM"

in_pane "TERM unknown" "env TERM=proftui-no-such-terminal $run 2>$(q "$TMPDIR/e2")"
check_fallback "TERM unknown" "$SCREEN" "$TMPDIR/e2"
grep -q "proftui-no-such-terminal" "$TMPDIR/e2" || fail "TERM unknown: the message does not name the terminal type"

# stdout redirected to a file, stdin a terminal.
in_pane "stdout to a file" "env TERM=screen $run >$(q "$TMPDIR/o3") 2>$(q "$TMPDIR/e3")"
check_fallback "stdout to a file" "$TMPDIR/o3" "$TMPDIR/e3"
grep -q $'\e' "$TMPDIR/o3" && fail "stdout to a file: escape sequences in the report"

# stdin not a terminal, stdout one.
in_pane "stdin from /dev/null" "env TERM=screen $run </dev/null 2>$(q "$TMPDIR/e4")"
check_fallback "stdin from /dev/null" "$SCREEN" "$TMPDIR/e4"

# Neither (a pipe), as in a CI log.
run_cmd "$PROFTUI" -d 1 -- "$WORKLOADS/split" 1
PANE_RC=$RC
check_fallback "no terminal at all" "$OUT" "$ERR"

# TERM=dumb is a real terminfo entry, for terminals that cannot move the
# cursor (Emacs shell buffers, some CI consoles): a full-screen view there
# is unreadable, so it must count as unusable too (last: a known gap).
in_pane "TERM=dumb" "env TERM=dumb $run 2>$(q "$TMPDIR/e5")"
check_fallback "TERM=dumb" "$SCREEN" "$TMPDIR/e5"
