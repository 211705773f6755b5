/* uihead.h — the live UI's header lines: a live session's figures, or a loaded snapshot's. */
#ifndef PROFTUI_UIHEAD_H
#define PROFTUI_UIHEAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proftui/canvas.h"
#include "proftui/derive.h"
#include "proftui/prochist.h"
#include "proftui/profile.h"
#include "proftui/sampler.h"
#include "proftui/snapshot.h"

/* Everything the header shows, gathered by the UI loop: drawing reads
 * nothing else, so it is tested on a canvas alone. */
struct uihead {
	const struct profile *all;      /* the whole profile: thread count and names */
	const struct prof_stats *st;    /* the counters shown (paused: the frozen ones) */
	const struct prochist *hist;    /* process readings, for the third line */
	enum derive_mode mode;          /* what the views aggregate ... */
	double window_s;
	uint32_t tid;                   /* ... and for which thread, 0 = all */
	const char *note;               /* a warning after the scope; NULL or "" for none */
	const char *pyview;             /* "merged", "python", "native": the Python
					 * view, NULL when there is no Python */
	const char *range;              /* the time range the views show ("range
					 * M:SS.d-M:SS.d", uistrip_caption) in place
					 * of the mode, NULL or "" for none */
	const char *diff;               /* what the views compare with ("diff vs
					 * baseline (...)"), NULL or "" for none */
	/* A live session (snap == NULL): */
	pid_t pid;
	const char *comm;
	double up_s;                    /* sampling time so far */
	bool paused;
	const struct sampler_info *si;
	/* A loaded snapshot: its description replaces the live figures. */
	const struct snap_meta *snap;
};

/* Screens at least this tall also get the history line. */
#define UIHEAD_HISTORY_MIN_H 16

/* How many rows the header takes on a screen screen_h rows tall: 3, or 4
 * with the history line. */
int uihead_rows(int screen_h);

/*
 * Rows 0 to uihead_rows - 1 of the canvas, cut at its right edge.  Live: "proftui  pid N
 * (comm)  up M:SS  R Hz (C CPUs)  samples N  threads N  lost N [PAUSED]",
 * then the method and rate, the scope ("view: cumulative", the thread, the diff) and
 * the note, then the process figures (procline.h).  Snapshot: "proftui
 * snapshot of TARGET  took M:SS  samples N  threads N  lost N", then the
 * method and rate, host, kernel and start time, the scope and the note, then
 * the process figures as they were at the end.  On screens tall enough,
 * a fourth row: the history of those figures (procline_history).
 */
void uihead_draw(struct canvas *c, const struct uihead *h);

#endif
