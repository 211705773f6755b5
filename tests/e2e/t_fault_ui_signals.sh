#!/usr/bin/env bash
# t_fault_ui_signals.sh — the live view with -o FILE ended by q, SIGINT, SIGHUP, SIGTERM or a crash (SIGSEGV) (perf and ptrace): terminal restored, target free, FILE written and loadable (not after a crash).
. "$(dirname "$0")/lib.sh"
TUI_AFTER='stty -a | tr " " "\n" | grep -E "^-?(icanon|echo)$" | tr "\n" " "; echo "<tty"'
. "$(dirname "$0")/lib_tui.sh"

# -o FILE asks for the profile to be kept in FILE whatever ends the session;
# the live view must honour it as batch mode does (t_fault_signals).

ulimit -c 0   # the SIGSEGV case: no core file
bg_start "$WORKLOADS/split" 120
target=$BG_PID
sleep 0.3

n=0
for method in perf ptrace; do
	for how in SEGV q INT HUP TERM; do
		n=$((n + 1))
		snap=$TMPDIR/ui$n.snap
		what="live view, $method, ended by $how"
		tui_start -r 0.3 --method "$method" -o "$snap" -p "$target"
		tui_wait 'func_a' 10 || fail "$what: no samples shown"
		sleep 0.5
		pid=$(pgrep -f "^[^ ]*proftui -r 0.3 --method $method -o $snap -p $target" | head -n 1)
		[ -n "$pid" ] || fail "$what: cannot find proftui's pid"
		case $how in
		q) tui_keys q; want=0 ;;
		# A crash (sent from outside: the same handler runs): the
		# fatal-signal handler restores the terminal and re-raises.
		SEGV) kill -SEGV "$pid"; want=139 ;;
		*) kill -"$how" "$pid"; want=$((128 + $(kill -l "$how"))) ;;
		esac
		tui_wait '<tty' 10 || fail "$what: proftui did not exit"
		grep -q "\[proftui exited $want\]" "$SCREEN" || { cat "$SCREEN"; fail "$what: exit status is not $want"; }
		grep -q 'icanon echo <tty' "$SCREEN" || { cat "$SCREEN"; fail "$what: terminal not restored (want icanon echo)"; }
		alive "$target" || fail "$what: the target died"
		free_running "$target" "$what"
		if [ "$how" = SEGV ]; then
			tmx kill-server
			continue
		fi
		[ -s "$snap" ] || fail "$what: -o $snap was not written"
		run_cmd "$PROFTUI" --load "$snap" -b -n 3
		expect_rc 0
		has_func func_a || fail "$what: the saved profile has no func_a"
		tmx kill-server
	done
done
true
