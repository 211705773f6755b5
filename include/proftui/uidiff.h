/* uidiff.h — the live UI's baseline: a pinned profile, and what the views need to show now versus before. */
#ifndef PROFTUI_UIDIFF_H
#define PROFTUI_UIDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proftui/diff.h"
#include "proftui/profile.h"

/*
 * The UI loop owns one uidiff: the baseline ("before") and caches of its
 * comparison with the profile shown ("now").  Both sides are only read; the
 * comparison is diff.h's (shares of each profile's own samples, functions
 * matched by name and module), and the flame graph's by call path: a node
 * of `now` matches the baseline's node reached by the same functions, by
 * name and module, from the root.
 *
 * What is cached is keyed on (now, epoch, now's sample count) as the views'
 * own caches are (view.h): the table's rows are rebuilt at most once per
 * change of the shown profile, however often it is drawn; a node's match
 * is found the first time it is asked for and kept while the epoch lasts
 * (node ids only grow within one), so the flame graph pays for the frames
 * it draws.  Not thread-safe: the UI thread's.
 */
struct uidiff;

/* NULL when out of memory. */
struct uidiff *uidiff_new(void);
void uidiff_free(struct uidiff *d);

/*
 * Make `copy` the baseline and take it (freed on the next pin, clear or
 * free).  pinned_s is when (monotime_s), for "pinned M:SS ago".  The lookup
 * tables over the baseline are built here, O(its functions + nodes).
 * Returns 0, or -ENOMEM: then copy is freed and there is no baseline.
 */
int uidiff_pin(struct uidiff *d, struct profile *copy, double pinned_s);

/* The same with a profile that stays the caller's and outlives the pin (a
 * --baseline snapshot's); `label` (the file name, copied) replaces "pinned
 * M:SS ago" in the caption. */
int uidiff_borrow(struct uidiff *d, const struct profile *base, const char *label);

/* Forget the baseline (and every cache). */
void uidiff_clear(struct uidiff *d);

/* The baseline, NULL when none. */
const struct profile *uidiff_base(const struct uidiff *d);

/* "diff vs baseline (N samples, pinned M:SS ago)", or "diff vs FILE (N
 * samples)" for a borrowed one (FILE: the label's base name); "" when
 * there is no baseline. */
void uidiff_caption(const struct uidiff *d, double now_s, char *buf, size_t len);

/*
 * diff_rows(now, baseline) in its order (largest self change first), each
 * row's func an id of `now`.  Recomputed only when (now, epoch, now's
 * samples) differ from the last call's.  *rows stays valid until the next
 * call or pin/clear.  Returns the row count (0 without a baseline), or
 * -ENOMEM (then *rows is NULL; tried again on the next call).
 */
long uidiff_rows(struct uidiff *d, const struct profile *now, unsigned epoch,
		 const struct diff_row **rows);

/* Changes whenever the rows uidiff_rows hands out were rebuilt or dropped
 * (a pin, a clear): a view that keeps them knows to look again. */
unsigned uidiff_rows_serial(const struct uidiff *d);

/*
 * The baseline's share (% of its samples, like node totals shown as % of
 * all) of the call path that is `node` in `now`; 0 when the baseline has
 * no such path (or no samples, or there is no baseline).  The root (node 0)
 * matches the baseline's root.  O(depth) the first time for a node, then
 * O(1) while the epoch lasts.  Out of memory, 0.
 */
double uidiff_node_before(struct uidiff *d, const struct profile *now, unsigned epoch,
			  uint32_t node);

/*
 * How strongly a change of delta percentage points is shown: 0 (no
 * visible change: under UIDIFF_NEUTRAL_PP either way), 1, 2 or 3 for growth
 * (from 0.5, 3 and 15 points), -1, -2, -3 for decline.  NaN is 0.
 */
#define UIDIFF_NEUTRAL_PP 0.5
int uidiff_level(double delta);

#endif
