#!/usr/bin/env bash
# t_errors.sh — error exits: 2 bad usage, 3 no such process, 127 command not found; each with a short message on stderr.
. "$(dirname "$0")/lib.sh"

# No such process.
pid=999999
while [ -e "/proc/$pid" ]; do pid=$((pid + 1)); done
run_batch -d 1 -p "$pid"
expect_rc 3
[ "$(grep -c . "$ERR")" -eq 1 ] || fail "expected one line on stderr for -p $pid"
grep -q "$pid" "$ERR" || fail "stderr does not mention pid $pid"

# Command not found, by path and by name.
run_batch -- /nonexistent/cmd
expect_rc 127
grep -qi "not found" "$ERR" || fail "stderr does not say the command was not found"
run_batch -- proftui-e2e-no-such-command
expect_rc 127
grep -qi "not found" "$ERR" || fail "stderr does not say the command was not found"

# Bad option.
run_batch --bogus
expect_rc 2
grep -qi usage "$ERR" || fail "stderr does not show the usage"
