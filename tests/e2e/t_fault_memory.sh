#!/usr/bin/env bash
# t_fault_memory.sh — a compressed long session (25 s at 20 kHz: ~400k samples, ~10k short-lived threads, 4096 distinct stacks): proftui's memory levels off after warm-up.
. "$(dirname "$0")/lib.sh"

# What grows legitimately: the 16 MiB sample ring between the sampler and
# the report is touched page by page as records pass through it (its RSS
# grows until it has wrapped once), and the call tree until every stack has
# been seen (4096 here, seen in a few seconds).  What must not grow: memory
# per sample or per thread that has come and gone.  bench/longrun runs the
# same for 30 minutes and reports MB/hour.
#
# Figures on the 2-core test machine (gcc -O2 build): RSS 8.2 MB after
# 1 s besides the ring, +0.45 MB over the next 24 s (~12 KB/s, ~27 bytes per
# thread seen); the bound below is 4x that.  --no-kernel keeps rare kernel
# interrupt stacks, which are new call paths for as long as one looks,
# out of the measure.

[ -x "$WORKLOADS/stacks" ] || fail "$WORKLOADS/stacks missing: build the workloads"
if sanitized; then
	skip "ASan build: RSS measures ASan's quarantine and shadow memory, not proftui"
fi

SECS=25
WARM=5
BOUND_KB=2048
RING_MIN_KB=16384 RING_MAX_KB=17408   # the ring's mapping: 16 MiB and a little

# other_rss PID: VmRSS less the sample ring's mapping (found by its size).
other_rss() {
	awk -v lo="$RING_MIN_KB" -v hi="$RING_MAX_KB" '
		/^[0-9a-f]+-[0-9a-f]+ / { in_ring = 0 }
		/^Size:/ && $2 >= lo && $2 < hi && !found { in_ring = 1 }
		/^Rss:/ { rss += $2; if (in_ring) { ring = $2; found = 1; in_ring = 0 } }
		END { if (rss) printf "%d %d\n", rss - ring, ring }' "/proc/$1/smaps" 2>/dev/null
}

"$PROFTUI" -b -F 20000 --no-kernel -d "$SECS" -- "$WORKLOADS/stacks" "$SECS" \
	>"$TMPDIR/m.out" 2>"$TMPDIR/m.err" </dev/null &
pid=$!
on_exit "kill -KILL $pid"
: >"$TMPDIR/rss"
for ((t = 1; t < SECS; t++)); do
	sleep 1
	r=$(other_rss "$pid") || break
	[ -n "$r" ] || break
	echo "$t $r" >>"$TMPDIR/rss"
done
wait "$pid"
RC=$?
OUT=$TMPDIR/m.out ERR=$TMPDIR/m.err
expect_rc 0
note "seconds / RSS less the ring (KB) / the ring's RSS (KB): $(awk '{ printf "%s:%s/%s ", $1, $2, $3 }' "$TMPDIR/rss")"
[ "$(wc -l <"$TMPDIR/rss")" -ge $((SECS - 3)) ] || fail "too few RSS readings: proftui ended early?"
awk -v w="$WARM" '$1 == w { found = 1 } END { exit !found }' "$TMPDIR/rss" || fail "no reading at ${WARM} s"
ring=$(awk 'END { print $3 }' "$TMPDIR/rss")
[ "${ring:-0}" -gt 0 ] || note "no 16 MiB mapping found: the ring is counted in the figures"
s=$(summary_num samples) th=$(summary_num 'threads seen')
growth=$(awk -v w="$WARM" '$1 == w { base = $2 } $1 > w && $2 - base > g { g = $2 - base } END { print g + 0 }' "$TMPDIR/rss")
note "$s samples, $th threads seen; growth after ${WARM} s: $growth KB (bound $BOUND_KB KB)"
ge "${s:-x}" 50000 || skip "machine too busy: only ${s:-?} samples, not a long session"
ge "${th:-x}" 2000 || fail "only ${th:-?} threads seen: the workload did not churn"
le "$growth" "$BOUND_KB" || fail "proftui's memory grew by $growth KB after warm-up (bound $BOUND_KB KB): $(awk '{ printf "%s:%s ", $1, $2 }' "$TMPDIR/rss")"
total=$(awk 'END { print $2 + $3 }' "$TMPDIR/rss")
le "$total" 65536 || fail "proftui's RSS reached $total KB"
