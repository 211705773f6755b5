#!/usr/bin/env bash
# t_fault_resize.sh — a resize storm (300 sizes down to 1x1, back to back) and 2000 raw SIGWINCHs on the live view, in each view: it stays up, answers keys, redraws the table and quits cleanly.
. "$(dirname "$0")/lib.sh"
TUI_AFTER='stty -a | tr " " "\n" | grep -E "^-?(icanon|echo)$" | tr "\n" " "; echo "<tty"'
. "$(dirname "$0")/lib_tui.sh"

# t_ui_resize covers a few sizes, slowly; here the sizes come faster than
# the view redraws (-r 0.05), including the degenerate ones.

tui_start -r 0.05 -- "$WORKLOADS/split" 60
tui_wait 'func_a' 10 || fail "no samples shown"
pid=$(pgrep -f "^[^ ]*proftui -r 0.05 -- $WORKLOADS/split 60" | head -n 1)
[ -n "$pid" ] || fail "cannot find proftui's pid"

sizes=(1x1 2x1 1x2 3x3 200x60 10x2 80x1 1x40 250x100 20x6 4x4 120x40)
RANDOM=6   # the same storm every run
for view in 1 2 3; do
	tui_keys "$view"
	for ((i = 0; i < 100; i++)); do
		if ((i % 3)); then
			s=${sizes[RANDOM % ${#sizes[@]}]}
		else
			s=$((RANDOM % 250 + 1))x$((RANDOM % 80 + 1))
		fi
		tmx resize-window -t 0 -x "${s%x*}" -y "${s#*x}" 2>/dev/null
	done
	tui_alive || fail "proftui exited during the resize storm in view $view"
done
for ((i = 0; i < 2000; i++)); do kill -WINCH "$pid" 2>/dev/null || break; done
tui_resize 120 40
tui_alive || fail "proftui exited after the SIGWINCH storm"
alive "$pid" || fail "proftui died"

# Still answering keys, and the table is back at a usable size.
tui_keys 1
tui_wait 'SELF%' 5 || fail "the hot table did not come back at 120x40"
tui_wait 'func_a' 5 || fail "func_a missing after the storm"
tui_keys '?'
tui_wait 'Everywhere' 5 || fail "the help does not open after the storm"
tui_keys Escape
tui_resize 1 1
sleep 0.3
tui_resize 30 5
tui_wait 'too small' 5 || fail "no 'too small' notice at 30x5"
tui_resize 120 40
tui_wait 'SELF%' 5 || fail "the table did not come back after 30x5"
tui_keys q
tui_wait '<tty' 10 || fail "q did not quit after the storm"
grep -q '\[proftui exited 0\]' "$SCREEN" || { cat "$SCREEN"; fail "exit status is not 0"; }
grep -q 'icanon echo <tty' "$SCREEN" || { cat "$SCREEN"; fail "terminal not restored after the storm"; }
