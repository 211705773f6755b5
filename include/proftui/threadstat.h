/* threadstat.h — each thread's latest state, CPU use and switch rates, for the thread list. */
#ifndef PROFTUI_THREADSTAT_H
#define PROFTUI_THREADSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proftui/procstat.h"

/*
 * The consumer's side of REC_THREADSTAT (one a second, beside
 * REC_PROCSTAT): the latest reading of every thread and the one before, so
 * the thread list can show each thread's state and its CPU % and context
 * switches per second over the last interval.  A thread missing from the
 * latest reading has ended (or was past PROCSTAT_MAX_THREADS): no figures.
 * Not thread-safe: owned by the consumer thread.
 */
struct threadstat;

struct threadstat *threadstat_new(void);
void threadstat_free(struct threadstat *ts);

/* One reading (n threads at time_ns).  Silently keeps the older one when
 * out of memory. */
void threadstat_add(struct threadstat *ts, uint64_t time_ns, const struct procstat_thread *t,
		    size_t n);

struct threadstat_row {
	enum procstat_state state;
	bool rates;             /* the thread was in the reading before too */
	double cpu_pct;         /* % of one CPU over the last interval */
	double vcs_s, ivcs_s;   /* voluntary / involuntary switches per second */
};

/* tid's latest figures: false when the latest reading does not have it. */
bool threadstat_get(const struct threadstat *ts, uint32_t tid, struct threadstat_row *out);

/* The kernel's letter for a state: R S D T and '?' for the rest. */
char threadstat_letter(enum procstat_state s);

#endif
