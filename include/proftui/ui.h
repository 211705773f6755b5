/* ui.h — the live terminal front end: one loop that drains the ring and draws the views. */
#ifndef PROFTUI_UI_H
#define PROFTUI_UI_H

#include "proftui/derive.h"
#include "proftui/export.h"
#include "proftui/profile.h"
#include "proftui/pymerge.h"
#include "proftui/ring.h"
#include "proftui/sampler.h"
#include "proftui/snapshot.h"
#include "proftui/target.h"

struct ui_opts {
	double refresh_s;        /* redraw interval (-r) */
	double duration_s;       /* stop sampling after this (0 = never) */
	enum prof_sort sort;
	enum derive_mode mode;   /* cumulative, window or decaying at start */
	double window_s;         /* window length / decay half-life */
	enum pymode pymode;      /* how Python frames are shown */
	const char *target_desc; /* a saved snapshot's target: command line or "pid N (comm)";
				    NULL: "pid N (comm)" from the target */
	const char *version;     /* proftui's, written into saved snapshots; may be NULL */
	/* --baseline: the views compare with this profile from the start (as
	 * if pinned with b); only read, stays the caller's.  NULL for none. */
	const struct profile *baseline;
	const char *baseline_name; /* its file, for the header */
	/* -o FILE: where ui_run saves the whole profile when the session ends
	 * (q, the duration, SIGINT, SIGTERM, SIGHUP); NULL for nowhere.  The
	 * format by out_fmt, or by the name when EXPORT_AUTO. */
	const char *output;
	enum export_fmt out_fmt;
};

/*
 * Run the live UI until the user quits or SIGINT/SIGTERM/SIGHUP arrives
 * (blocked in every thread beforehand; read through a signalfd).  The loop
 * waits in poll() on the keyboard, the sampler's eventfd, the signals and a
 * refresh timer: it drains the ring whenever samples arrive and redraws at
 * most once per refresh interval, or at once after a key.  The terminal is
 * restored before returning.  When the target exits the UI stays up with
 * what was collected.  Returns proftui's exit code.  If the terminal cannot
 * be used (not a tty, unknown TERM) returns -1 with the reason in err before
 * touching anything, so the caller can fall back to batch mode.
 */
int ui_run(const struct ui_opts *o, struct target *t, struct sampler *s,
	   const struct sampler_info *si, struct ring *ring, int wake_fd,
	   char *err, size_t errlen);

/*
 * The same UI over a loaded snapshot (--load without --batch): the same
 * views and keys, on snap->prof and snap->hist, with no target, sampler or
 * ring.  The header describes the snapshot (target, duration, samples, where
 * and when it was taken) instead of live figures; the keys that steer
 * sampling (pause, reset, aggregation mode, thread filter) only say "not
 * live" on the status line; S saves (converts) it.  Blocks SIGINT, SIGTERM
 * and SIGHUP (see fesig.h) once the terminal is up, so they end the loop
 * and the terminal is restored.  snap is only read and stays the caller's.
 * Returns 0 when the user quits, 128+N after signal N, 1 when out of memory;
 * -1 with the reason in err, before touching anything, when the terminal
 * cannot be used, so the caller can print the batch report instead.
 */
int ui_run_snapshot(const struct ui_opts *o, struct snapshot *snap, char *err, size_t errlen);

#endif
