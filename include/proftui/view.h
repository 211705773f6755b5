/* view.h — the views of the live UI: small vtables drawing a shared model into a canvas. */
#ifndef PROFTUI_VIEW_H
#define PROFTUI_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "proftui/canvas.h"
#include "proftui/profile.h"
#include "proftui/threadstat.h"

struct uidiff;

/*
 * The UI loop owns one model and a few views (like htop's Panels).  A view
 * keeps only its own state (cursor, scroll, expanded nodes, zoom) and reads
 * the profile anew when drawn; it never touches the sampler.  Function ids
 * and node ids are stable for the life of a profile; when the profile is
 * replaced (reset, pause snapshot) `epoch` changes and views drop any node
 * ids they hold (function ids stay valid across a pause snapshot, not across
 * a reset).
 */
struct ui_model {
	const struct profile *p;   /* what to show: live, or frozen while paused */
	unsigned epoch;            /* bumped whenever p is replaced */
	const char *search;        /* current search text, "" for none */
	bool color;                /* the terminal has colours */
	const struct threadstat *threads; /* per-thread figures, NULL when none */
	/* Now versus a pinned baseline (uidiff.h) while the diff is shown,
	 * else NULL: the diff table replaces the hot table and the flame
	 * graph colours frames by their change.  Its caches are the only
	 * thing a view may change through the model. */
	struct uidiff *diff;
};

/* Bits a key handler returns to the loop. */
enum {
	VR_IGNORED = 0,     /* not this view's key: the loop tries its global keys */
	VR_HANDLED = 1 << 0,
	VR_DRILL = 1 << 1,  /* open the call-tree view on view_selected() */
	VR_FLAME = 1 << 2,  /* open the flame graph zoomed on view_selected() */
	VR_BACK = 1 << 3,   /* leave this view (Esc at its outermost level) */
};

struct view;

struct view_ops {
	const char *name;    /* short title for the status line */
	/* Draw into rows [y, y+h) of the canvas, all columns. */
	void (*draw)(struct view *v, struct canvas *c, int y, int h, const struct ui_model *m);
	/* Handle one key (keys.h codes); return VR_* bits. */
	unsigned (*key)(struct view *v, int key, const struct ui_model *m);
	/* Make `func` the view's subject (drill-down root, flame zoom). */
	void (*focus)(struct view *v, uint32_t func, const struct ui_model *m);
	/* The function under the cursor, PROF_NONE if none. */
	uint32_t (*selected)(const struct view *v);
	/* One line describing the selection for the status line (may be NULL). */
	void (*status)(const struct view *v, const struct ui_model *m, char *buf, size_t len);
	void (*destroy)(struct view *v);
};

struct view {
	const struct view_ops *ops;
	void *priv;
};

/* Constructors; NULL on allocation failure. */
struct view *view_top_new(enum prof_sort sort);
struct view *view_tree_new(void);
struct view *view_flame_new(void);
struct view *view_help_new(void);
struct view *view_threads_new(void);
/* The hot table as now versus the baseline (m->diff): before, now and the
 * change of each function's share, largest change first. */
struct view *view_diff_new(void);

/* The thread list's choice: 0 for all threads, else a tid.  Enter in the
 * list sets it (and returns VR_BACK); the loop may set it too (cycling). */
uint32_t view_threads_chosen(const struct view *v);
void view_threads_choose(struct view *v, uint32_t tid);

/* The top view's current sort column (changed by its '<', '>' and F6 keys),
 * for the loop's header line and for tests. */
enum prof_sort view_top_sort(const struct view *v);

static inline void view_free(struct view *v)
{
	if (v)
		v->ops->destroy(v);
}

#endif
