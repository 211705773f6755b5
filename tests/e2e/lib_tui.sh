# lib_tui.sh — drive the live UI inside a private tmux server: start, send keys, read the screen.
# shellcheck shell=bash
#
# Sourced after lib.sh by the t_ui_*.sh tests.  Each test gets its own tmux
# socket (-L), so tests never see each other's panes, and the server is killed
# when the test exits.  The pane is a real terminal: proftui runs in curses
# mode exactly as a user would see it.

command -v tmux >/dev/null 2>&1 || skip "tmux is not installed"

TUI_SOCK="proftui-e2e-$$"
TUI_W=${TUI_W:-120}
TUI_H=${TUI_H:-40}
SCREEN="$TMPDIR/screen.txt"

tmx() { tmux -L "$TUI_SOCK" "$@"; }

# tui_start ARGS... : run "$PROFTUI" ARGS in a new pane of TUI_W x TUI_H.
# The pane stays after proftui exits so its last screen and exit status can
# be read.
tui_start() {
	local cmd q
	cmd="env LANG=${TUI_LANG:-C.UTF-8} LC_ALL=${TUI_LANG:-C.UTF-8} TERM=${TUI_TERM:-screen-256color}"
	for q in "$PROFTUI" "$@"; do
		cmd+=" $(printf '%q' "$q")"
	done
	cmd+="; echo \"[proftui exited \$?]\"; ${TUI_AFTER:-true}; sleep 30"
	tmx -f /dev/null new-session -d -x "$TUI_W" -y "$TUI_H" "$cmd" ||
		fail "cannot start tmux"
	on_exit "tmux -L $TUI_SOCK kill-server"
}

tui_capture() { tmx capture-pane -p -t 0 >"$SCREEN" 2>/dev/null; }

tui_keys() { tmx send-keys -t 0 "$@"; }

# tui_wait PATTERN [SECONDS] : wait until the screen matches an extended regex.
tui_wait() {
	local pat=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 10; i++)); do
		tui_capture
		grep -Eq -- "$pat" "$SCREEN" && return 0
		sleep 0.1
	done
	printf -- '--- screen while waiting for /%s/:\n' "$pat"
	cat "$SCREEN"
	return 1
}

# The first table row of the hot view: the line after the column titles.
tui_first_row() {
	awk '/SELF%.*TOTAL%/ { getline; print; exit }' "$SCREEN"
}

tui_resize() { tmx resize-window -t 0 -x "$1" -y "$2"; }

# The pane's process must still be running (proftui alive).
tui_alive() {
	tui_capture
	! grep -q '\[proftui exited' "$SCREEN"
}
