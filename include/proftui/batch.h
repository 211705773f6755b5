/* batch.h — the front end without a terminal: sample, then print the tables. */
#ifndef PROFTUI_BATCH_H
#define PROFTUI_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "proftui/profile.h"
#include "proftui/pymerge.h"
#include "proftui/ring.h"
#include "proftui/sampler.h"
#include "proftui/target.h"

struct batch_opts {
	double duration_s;        /* 0 = until the target exits or a signal */
	enum prof_sort sort;
	size_t rows;              /* 0 = all */
	bool folded;              /* folded stacks instead of the table */
	enum pymode pymode;       /* how Python frames are shown */
};

/*
 * Consume samples until the duration passes, the target exits, or SIGINT /
 * SIGTERM / SIGHUP arrives (they must be blocked in every thread before
 * the sampler starts; batch reads them through a signalfd), then stop the
 * sampler, print the report on stdout and return proftui's exit code: a
 * launched command's own status, 128+N after signal N, else 0.
 */
int batch_run(const struct batch_opts *o, struct target *t, struct sampler *s,
	      const struct sampler_info *si, struct ring *ring, int wake_fd);

#endif
