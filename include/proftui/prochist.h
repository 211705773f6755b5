/* prochist.h — the last two minutes of procstat readings: rates between them, session averages, sparklines. */
#ifndef PROFTUI_PROCHIST_H
#define PROFTUI_PROCHIST_H

#include <stdbool.h>
#include <stddef.h>

#include "proftui/procstat.h"

/*
 * The consumer's side of REC_PROCSTAT (feed.c hands every reading here).
 * Readings are kept in arrival order, the last PROCHIST_LEN of them (two
 * minutes at the sampler's one a second), plus the session's first one for
 * averages over the whole session.  Counters that go down between two
 * readings (switch counts lose an exiting thread's share) count as no change.
 */
#define PROCHIST_LEN 120

/* Series for prochist_series / prochist_spark.  Rates are per second over
 * the interval ending at each reading, so a series of n readings has n - 1
 * rate values; memory and thread figures are the readings themselves. */
enum prochist_series {
	PROCHIST_CPU = 0,     /* user + system, % of one CPU (100 = one core busy) */
	PROCHIST_USER,        /* user CPU, % of one CPU */
	PROCHIST_SYS,         /* system CPU, % of one CPU */
	PROCHIST_RSS,         /* bytes */
	PROCHIST_VSIZE,       /* bytes */
	PROCHIST_SWAP,        /* bytes */
	PROCHIST_MINFLT,      /* minor faults per second */
	PROCHIST_MAJFLT,      /* major faults per second */
	PROCHIST_READ,        /* storage bytes read per second (0 when unknown) */
	PROCHIST_WRITE,       /* storage bytes written per second (0 when unknown) */
	PROCHIST_VCS,         /* voluntary context switches per second */
	PROCHIST_IVCS,        /* involuntary context switches per second */
	PROCHIST_CS,          /* both kinds of context switches per second */
	PROCHIST_THREADS,     /* threads in the process */
	PROCHIST_RUNNING,     /* threads running or runnable (R) */
	PROCHIST_DISKWAIT,    /* threads in uninterruptible (IO) wait (D) */
	PROCHIST__COUNT
};

/* Rates between two readings. */
struct prochist_rates {
	double seconds;       /* the interval they cover */
	double user_pct;      /* % of one CPU */
	double sys_pct;
	double minflt;        /* per second */
	double majflt;
	double read_bps;      /* bytes per second, valid when io_known */
	double write_bps;
	double vcs;           /* per second */
	double ivcs;
	uint64_t majflts;     /* growth over the interval, for totals */
	uint64_t read_bytes;  /* valid when io_known */
	uint64_t write_bytes;
	bool io_known;        /* both readings could read the io file */
};

struct prochist;

/* Returns NULL when out of memory. */
struct prochist *prochist_new(void);
void prochist_free(struct prochist *h);

/* Keep one reading (copied); the oldest goes when PROCHIST_LEN are kept. */
void prochist_add(struct prochist *h, const struct procstat *ps);

/* Readings kept (at most PROCHIST_LEN). */
size_t prochist_count(const struct prochist *h);

/* The i-th kept reading, 0 = the oldest kept, prochist_count - 1 = the
 * newest; NULL when i is out of range.  For writers that save them all. */
const struct procstat *prochist_at(const struct prochist *h, size_t i);

/* The newest reading, or NULL before the first. */
const struct procstat *prochist_latest(const struct prochist *h);

/* The session's first reading (kept even after it leaves the history), or
 * NULL before the first. */
const struct procstat *prochist_first(const struct prochist *h);

/* Rates from a to b (a older).  False, and *out zeroed, unless b is later. */
bool prochist_between(const struct procstat *a, const struct procstat *b,
		      struct prochist_rates *out);

/* Rates between the two newest readings; false with fewer than two. */
bool prochist_rates(const struct prochist *h, struct prochist_rates *out);

/* Averages from the session's first reading to the newest; false with fewer
 * than two readings. */
bool prochist_session(const struct prochist *h, struct prochist_rates *out);

/* Copy up to `max` of the newest values of a series into vals, oldest
 * first.  Returns how many were written. */
size_t prochist_series(const struct prochist *h, enum prochist_series which, double *vals,
		       size_t max);

/*
 * The newest `width` values of a series as a sparkline into buf (NUL
 * terminated): one glyph per value, "▁▂▃▄▅▆▇█" (3 bytes each) or with ascii
 * " .:-=+*#", the highest value shown getting the top glyph and each other
 * value v the glyph round(7 * v / max) (all lowest when max is 0).  Fewer
 * glyphs when the series is shorter or buf (buflen bytes) too small; the
 * newest values are kept.  Returns the number of glyphs (columns) written.
 */
int prochist_spark(const struct prochist *h, enum prochist_series which, char *buf,
		   size_t buflen, int width, bool ascii);

#endif
