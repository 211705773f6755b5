/* derive.h — the profile the live UI shows: cumulative, sliding window or decaying, optionally one thread. */
#ifndef PROFTUI_DERIVE_H
#define PROFTUI_DERIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "proftui/profile.h"
#include "proftui/samplelog.h"

/*
 * The live profile is cumulative.  The other views are profiles derived from
 * the sample log (samplelog.h), whose entries name leaf nodes of the live
 * profile: each entry is replayed with profile_add_path, with weight 1 (the
 * log keeps no weights; the sampler's are all 1).  A derived profile's stats
 * count its own samples; the process-wide loss counters (lost_kernel,
 * throttled, dropped_ring, unwind_failed) are copied from the live profile at
 * every update; by_status stays 0 (the log does not keep it).  Entries the
 * log overwrote before they were used are simply missing.
 *
 * Not thread-safe: owned by the UI thread with the live profile and the log.
 */
enum derive_mode { DERIVE_CUMULATIVE, DERIVE_WINDOW, DERIVE_DECAY };

/* A rebuild of the decaying profile uses the entries of the last this many
 * half-lives; older ones would weigh under 1/65536. */
#define DERIVE_DECAY_STEPS 16

struct derive;

/* NULL when out of memory. */
struct derive *derive_new(void);
void derive_free(struct derive *d);

/*
 * The profile to display, called once per refresh and when the mode or the
 * filter changes.  span_ns is the window length (WINDOW) or the half-life
 * (DECAY; 0 is taken as 1 ns); tid 0 means every thread.  now_ns is on the
 * samples' clock.
 *
 *   CUMULATIVE, tid 0: `live` itself, no copy, O(1); whatever was derived is
 *     freed.
 *   CUMULATIVE, tid != 0: every retained log entry of that thread.  Built
 *     from the whole log when the mode, filter or log changed, otherwise only
 *     the entries added since the last call are added.
 *   WINDOW: the entries with time_ns >= now_ns - span_ns, rebuilt into a new
 *     profile at every call: O(functions) to intern them again, plus O(depth)
 *     per entry in the window, plus a scan of the entries from the oldest
 *     one not yet known to be out of the window (those older than the
 *     previous window are skipped while the span stays the same and now_ns
 *     does not go back, so the scan stays about as long as the window).
 *   DECAY: each sample weighs 2^(-age / half-life).  The decay is applied in
 *     steps: when at least one half-life passed since the last step, the
 *     profile is scaled by 2^(-(now_ns - last step) / half-life) (profile_scale,
 *     O(nodes)), then the entries added since the last call are added at
 *     full weight.  Steps finer than a half-life would leave small counts
 *     stuck forever, since a count c rounds back to itself under any factor
 *     above 1 - 0.5/c.  When most of the tree's nodes have decayed to 0 it
 *     is compacted (profile_clone) into a new object.  A rebuild (mode,
 *     filter, span or log changed) replays the last DERIVE_DECAY_STEPS
 *     half-lives of the log, oldest first, halving between half-lives: two
 *     scans of the log plus O(nodes) per half-life.
 *
 * Derived profiles keep up with the live profile's functions and thread
 * names (profile_sync_funcs).  The returned pointer stays valid until the
 * next derive_update, derive_reset or derive_free.  When `changed` is not
 * NULL, *changed is set to whether the result is a different object than
 * the last call returned, or the same one whose counts changed other than
 * by adding samples (a decay step): views that cache on (epoch,
 * stats.samples) must bump their epoch then.  Out of memory: the previous
 * result is kept if there is one, otherwise live is returned.
 */
const struct profile *derive_update(struct derive *d, const struct profile *live,
				    const struct samplelog *log, enum derive_mode mode,
				    uint64_t span_ns, uint32_t tid, uint64_t now_ns, bool *changed);

/*
 * A time range (the time strip's selection): while one is set, derive_update
 * returns the log entries with t0_ns <= time_ns < t1_ns (and the thread
 * filter, and the xform), whatever the mode: built from the whole log once,
 * then only the entries added since are looked at, like the cumulative
 * view of one thread.  Entries the log dropped are missing: the caller
 * compares t0_ns with the oldest entry kept to say so.  t1_ns <= t0_ns
 * clears the range (the mode applies again).  Drops what was derived when
 * the range changes.
 */
void derive_set_range(struct derive *d, uint64_t t0_ns, uint64_t t1_ns);

/* After the live profile was replaced (its node ids changed): drop
 * everything derived.  The log should be cleared at the same time. */
void derive_reset(struct derive *d);

/*
 * A change made to every sample's stack as the derived profile is built
 * (the Python views, pymerge_view): `in` is the sample's path in the live
 * profile, leaf first; write at most n function ids of the live profile to
 * `out` and return how many.  With one set, derive_update derives even the
 * cumulative view of all threads.  Every call drops what was derived (the
 * context may say something new).
 * NULL: stacks as they are.
 */
typedef size_t (*derive_xform_fn)(void *ctx, const struct profile *live, const uint32_t *in,
				  size_t n, uint32_t *out);
void derive_set_xform(struct derive *d, derive_xform_fn fn, void *ctx);

/* "cumulative", "window", "decaying"; "?" for another value. */
const char *derive_mode_name(enum derive_mode m);

#endif
