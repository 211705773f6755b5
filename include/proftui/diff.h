/* diff.h — now versus before: compare two profiles function by function, in percentage points. */
#ifndef PROFTUI_DIFF_H
#define PROFTUI_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "proftui/profile.h"

/*
 * Two separate profiles (a live one and a snapshot, or two snapshots) share
 * no function ids, so functions are matched by their (name, module) strings,
 * compared bytewise.  Every share is of that profile's own sample total
 * (stats.samples, as in the hot table), so sessions of different lengths or
 * rates compare fairly: the same split at twice the samples is no change.
 * A profile without samples has every share 0.
 */
struct diff_row {
	const char *name;          /* from whichever profile has the function */
	const char *module;        /* full path, as interned */
	uint32_t func;             /* its id in `now`; PROF_NONE when only the baseline has it */
	double before_self, now_self;    /* self % of each profile's samples */
	double before_total, now_total;  /* total % likewise */
	double d_self, d_total;          /* now - before, in percentage points */
};

/*
 * One row per function with a sample in either profile (a function only on
 * one side has 0 % on the other), sorted by |d_self| descending, then
 * |d_total| descending, then name, then module (bytewise ascending), so the
 * order is deterministic.  *rows is malloc'd (caller frees; NULL when 0
 * rows); the strings point into the profiles, valid while they are.
 * Returns the row count, or -ENOMEM.
 */
long diff_rows(const struct profile *now, const struct profile *before, struct diff_row **rows);

/* A change as the tables show it ("%+.2f"): 0 when it rounds to 0.00 either
 * way, so it prints "+0.00", never "-0.00" (a fall that is not there). */
double diff_shown(double d);

/*
 * The diff table, in diff_rows' order, `max_rows` rows at most (0 = all):
 *
 *     "BEFORE%     NOW%    DELTA  TOTAL-Δ  FUNCTION  MODULE"
 *     "%6.2f%%  %6.2f%%  %+7.2f  %+7.2f  <function>  <module>"
 *
 * BEFORE% and NOW% are self shares, DELTA their change and TOTAL-Δ the
 * total share's change, in percentage points with an explicit sign (a
 * change that rounds to zero prints "+0.00", never "-0.00").  Names go
 * through sanitize_name ("[unknown]" when empty), modules show their base
 * name, the function column is padded as in report_table.  When a side has
 * no samples the only line is "no samples in the baseline" (checked first)
 * or "no samples now".  Write errors are left in the stream.  Returns 0 or
 * -ENOMEM (nothing written then).
 */
int diff_print(FILE *out, const struct profile *now, const struct profile *before,
	       size_t max_rows);

#endif
