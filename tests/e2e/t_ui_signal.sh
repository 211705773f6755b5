#!/usr/bin/env bash
# t_ui_signal.sh — SIGTERM to the live UI: exit 143, the terminal back in canonical mode with echo, the target not left stopped.
. "$(dirname "$0")/lib.sh"
TUI_AFTER='stty -a | tr " " "\n" | grep -E "^-?(icanon|echo)$" | tr "\n" " "; echo "<tty"'
. "$(dirname "$0")/lib_tui.sh"

bg_start "$WORKLOADS/split" 30
target=$BG_PID
tui_start -r 0.3 -p "$target"
tui_wait 'func_a' 10 || fail "no samples shown"
pid=$(pgrep -f "^[^ ]*proftui -r 0.3 -p $target" | head -1)
[ -n "$pid" ] || fail "cannot find proftui's pid"
kill -TERM "$pid"
tui_wait '<tty' 10 || fail "proftui did not exit on SIGTERM"
grep -q '\[proftui exited 143\]' "$SCREEN" || { cat "$SCREEN"; fail "exit status is not 143"; }
grep -q 'icanon echo <tty' "$SCREEN" || { cat "$SCREEN"; fail "terminal not restored (want icanon echo)"; }
alive "$target" || fail "the target died"
state=$(awk '{ print $3 }' "/proc/$target/stat")
case $state in t | T) fail "target left stopped" ;; esac
true
