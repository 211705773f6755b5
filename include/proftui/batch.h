/* batch.h — the front end without a terminal: sample, then print the tables. */
#ifndef PROFTUI_BATCH_H
#define PROFTUI_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "proftui/export.h"
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
	const char *output;       /* -o: also save the profile here, or NULL */
	enum export_fmt out_fmt;  /* --format (EXPORT_AUTO: by the name) */
	const char *target_desc;  /* the command line or "pid N", for snapshots */
	const char *version;      /* proftui's, for snapshots */
	/* --baseline: after the report, the diff against this snapshot
	 * (diff.h), or NULL; baseline_name is the file, for the heading. */
	const struct snapshot *baseline;
	const char *baseline_name;
};

/* Exit status when -o could not be written or --load could not read. */
#define BATCH_EXIT_FILE 6

/*
 * With a baseline, the report (of batch_run and batch_loaded alike) ends
 * with a blank line, "diff against FILE (N samples, target T)" and the diff
 * table (diff_print: o->rows rows at most); with --folded they go to
 * stderr with the summary, keeping stdout pure folded stacks.
 */

/*
 * Consume samples until the duration passes, the target exits, or SIGINT /
 * SIGTERM / SIGHUP arrives (they must be blocked in every thread before
 * the sampler starts; batch reads them through a signalfd), then stop the
 * sampler, print the report on stdout and return proftui's exit code: a
 * launched command's own status, 128+N after signal N, else 0.
 */
int batch_run(const struct batch_opts *o, struct target *t, struct sampler *s,
	      const struct sampler_info *si, struct ring *ring, int wake_fd);

/*
 * --load: print the same report from a snapshot (no sampling), and save it
 * again with -o (a conversion: `--load x.snap -o x.pb.gz`).  Returns the
 * exit code.
 */
int batch_loaded(const struct batch_opts *o, const struct snapshot *snap);

#endif
