/* feed.h — the consumer's end of the ring: records in, profile updated. */
#ifndef PROFTUI_FEED_H
#define PROFTUI_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "proftui/prochist.h"
#include "proftui/profile.h"
#include "proftui/pymerge.h"
#include "proftui/resolve.h"
#include "proftui/ring.h"
#include "proftui/samplelog.h"
#include "proftui/threadstat.h"
#include "proftui/tstrip.h"

/*
 * Every front end (batch today, the live UI next) drains the ring through
 * this one function, so they all see the same numbers.
 */
struct feed {
	struct profile *p;
	struct resolver *res;
	struct samplelog *log;   /* when set, every sample's leaf node is logged */
	struct tstrip *strip;    /* when set, every sample is counted in its time slice */
	struct prochist *hist;   /* when set, REC_PROCSTAT readings go here */
	struct threadstat *threads; /* when set, REC_THREADSTAT readings go here */
	struct pymerge *merge;   /* when set, Python frames are merged (pymode) */
	enum pymode pymode;
	char note[256];          /* the latest REC_NOTE, for the front end */
	unsigned notes;          /* REC_NOTEs seen: a front end shows each new one */
	bool target_exited;
	unsigned execs;          /* execve calls seen */
	uint64_t bad_records;    /* malformed records (a bug if ever non-zero) */
};

/* Consume every record waiting in the ring.  Returns how many. */
size_t feed_drain(struct feed *f, struct ring *ring);

#endif
