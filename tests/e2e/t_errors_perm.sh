#!/usr/bin/env bash
# t_errors_perm.sh — an unprivileged user attaching to a root process: exit 4 and a message about permission.
. "$(dirname "$0")/lib.sh"

need_setpriv_root
nobody_copy "$PROFTUI"
dir=$NOBODY_DIR
bg_start sleep 30
pid=$BG_PID
as_nobody_prefix "$dir"
PROFTUI=$dir/$(basename "$PROFTUI")
run_batch -d 1 -p "$pid"
expect_rc 4
grep -qi permi "$ERR" || fail "stderr does not mention permission"
alive "$pid" || fail "the root process died"
