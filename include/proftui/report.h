/* report.h — batch-mode text output: the hot-function table, folded stacks, the summary. */
#ifndef PROFTUI_REPORT_H
#define PROFTUI_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "proftui/prochist.h"
#include "proftui/profile.h"

/*
 * Column helpers shared by the text tables (this file's and diff.h's).
 * Names are cut by sanitize_name at REPORT_NAME_MAX bytes, never in the
 * middle of a character.
 */
#define REPORT_NAME_MAX 512
/* Sanitised name into buf (REPORT_NAME_MAX bytes); "[unknown]" for an
 * empty or NULL one, so no column is blank. */
void report_name(const char *name, char *buf);
/* The base name of a path; "dir/" keeps the whole path. */
const char *report_basename(const char *path);
/* Columns of sanitised text: one per UTF-8 lead byte (wide CJK counts one). */
size_t report_cols(const char *s);
/* Spaces from column `cols` up to `width`. */
void report_pad(FILE *out, size_t cols, size_t width);

struct report_info {
	double duration_s;      /* wall time sampled */
	double freq_hz;         /* rate asked for */
	const char *method;     /* "perf" or "ptrace" */
	unsigned busy_threads;  /* unused when 0 */
};

/*
 * Write errors are left in the stream for the caller's ferror()/fclose().
 * Every name goes through sanitize_name (cut at 511 bytes); an empty name
 * prints as "[unknown]".
 */

/*
 * The hot-function table: a header line, then one row per function with the
 * columns in this order: self %, total %, samples (self), function, module
 * (the base name of its path), separated by two spaces:
 *
 *     "  SELF%   TOTAL%    SAMPLES  FUNCTION  MODULE"
 *     "%6.2f%%  %6.2f%%  %9llu  <function>  <module>"
 *
 * The function column is padded to the widest name shown (at most 48
 * columns) so modules line up.  Rows follow profile_hot's order for `sort`;
 * `rows` limits the row count (0 = all).  Percentages are of all samples.
 * With no samples at all the only line is "no samples collected".
 * Returns 0 or -ENOMEM (nothing written then).
 */
int report_table(FILE *out, const struct profile *p, enum prof_sort sort, size_t rows);

/*
 * Folded stacks, one line per call path with self samples:
 * "outer;...;leaf COUNT", the format of FlameGraph, inferno and speedscope.
 * A ';' inside a name becomes ':'; spaces are kept (readers split the count
 * at the last space).  Lines follow profile_walk's order.  Returns 0 or
 * -ENOMEM (output then incomplete).
 */
int report_folded(FILE *out, const struct profile *p);

/*
 * The summary, five lines with these fixed prefixes (info may be NULL):
 *
 *   samples: N (R Hz achieved of F Hz asked[, B busy threads, T Hz per thread])
 *       R = samples / duration; "rate unknown" replaces "R Hz achieved" when
 *       the duration is not positive; the busy part only when busy_threads > 0
 *   lost: K by the kernel, D dropped by the ring (full), T throttled,
 *         U failed unwinds, X refused by the profile
 *   unwind: A complete, B truncated at max depth, C stack copy too small,
 *           D no CFI, E corrupt frames, F no user registers
 *   threads seen: N
 *   duration: S.SS s, method: M          ("unknown" when method is NULL)
 *
 * (lost and unwind are each one line.)
 */
void report_summary(FILE *out, const struct profile *p, const struct report_info *info);

/*
 * The target's process figures over the session (prochist), one line:
 *
 *   process: cpu U% user S% sys, rss R, M major faults, read B write B,
 *            N threads (2 running, 1 sleeping)
 *
 * cpu: average % of one CPU from the session's first reading to the last;
 * rss: the last reading; major faults and read/write bytes: during the
 * session ("io unknown" when the io file could not be read); with fewer than
 * two readings "cpu unknown", 0 faults and "io unknown".  threads: the last
 * reading, with the non-zero state counts in the order running, sleeping,
 * disk wait, stopped, zombie/other.  Sizes are "N B" below 1 KiB, else one decimal and kB, MB,
 * GB or TB (powers of 1024).  With no reading at all (h NULL, or the target
 * ended first) the line is "process: no readings".
 */
void report_process(FILE *out, const struct prochist *h);

#endif
