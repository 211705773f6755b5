#!/usr/bin/env bash
# t_sleeper.sh — 10 % CPU, mostly asleep: cpu-clock counts CPU time, so ~200 samples in 2 s at 999 Hz, nearly all in sleeper_spin.
E2E_FREQ=  # this test checks the default 999 Hz itself
. "$(dirname "$0")/lib.sh"

run_batch -- "$WORKLOADS/sleeper" 2
expect_rc 0
expect_table
got=$(pct sleeper_spin)
note "self% sleeper_spin = $got (expect >= 80)"
ge "$got" 80 || fail "sleeper_spin self% is $got, expected >= 80"
# 0.2 s of CPU; a sampler counting wall time would take ~2000.
s=$(summary_num samples)
note "samples = ${s:-?} (expect 120..280)"
if ! { ge "${s:-x}" 120 && le "${s:-x}" 280; }; then
	fail "${s:-?} samples for 0.2 s of CPU at 999 Hz, expected 120..280"
fi
