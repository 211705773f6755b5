#!/usr/bin/env bash
# t_ui_hangup.sh — the terminal disappears under the live UI (tmux server killed): proftui exits instead of spinning, the target keeps running.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

bg_start "$WORKLOADS/split" 30
target=$BG_PID
tui_start -r 0.3 -p "$target"
tui_wait 'func_a' 10 || fail "no samples shown"
pid=$(pgrep -f "^[^ ]*proftui -r 0.3 -p $target" | head -1)
[ -n "$pid" ] || fail "cannot find proftui's pid"
tmx kill-server
for _ in $(seq 50); do
	alive "$pid" || break
	sleep 0.1
done
alive "$pid" && fail "proftui still running 5 s after its terminal went away"
alive "$target" || fail "the target died"
true
