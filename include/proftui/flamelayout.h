/* flamelayout.h — where the flame graph's frames go: row, columns, sibling order, zoom stack, search. */
#ifndef PROFTUI_FLAMELAYOUT_H
#define PROFTUI_FLAMELAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proftui/profile.h"

/*
 * Layout: a frame covers the samples [off, end) of its zoom root, where off
 * is its parent's off plus the totals of the siblings before it; its columns
 * are those sample offsets scaled to the canvas width and rounded.  Scaling
 * is monotonic, so children never leave their parent's span; a frame under
 * one column's worth of samples is not drawn and its subtree never visited,
 * so a frame costs only what is visible.
 * Siblings go alphabetically, as in FlameGraph: a growing live profile then
 * widens bars in place instead of reshuffling them as an order by total
 * would.  Nothing recurses: rows are built one from the previous.
 *
 * Graph row 0 holds the zoom root's children when the zoom root is the
 * call tree's root (node 0, never drawn), else the zoom root itself.  The
 * flame view (view_flame.c) owns one struct flame_layout and does the
 * drawing, the selection and the keys; everything here is pure data.
 * Frames and rows point into the layout's buffers: valid until the next
 * call on the same layout.  Not thread-safe.
 */

/* Caps on what the layout allocates, far above any real stack. */
#define FLAME_MAX_PATH	(1u << 24)
#define FLAME_MAX_ZOOM	(1u << 20)

struct flame_frame {
	uint32_t node;
	int x0, x1;             /* columns [x0, x1) */
	uint64_t off, end;      /* samples [off, end) of the zoom root */
};

struct flame_row {
	struct flame_frame *f;
	size_t n, cap;
};

struct flame_kid;               /* internal scratch */

/* Zeroed is a valid empty layout (zoomed on the root).  Read-only outside
 * flamelayout.c, but for `zoom`, which any reader may look at. */
struct flame_layout {
	uint32_t zoom;          /* node drawn full width; 0 (the root) is not drawn */
	uint32_t *zstack;       /* earlier zoom roots, for Esc */
	size_t nz, zcap;
	uint32_t *rank;         /* alphabetical position of each function */
	size_t nrank;           /* functions ranked; rank == NULL: order by id */
	struct flame_kid *kids; /* scratch: one frame's children */
	size_t kcap;
	struct flame_row rows[2];
	uint32_t *chain;        /* scratch: a node's ancestors below the zoom root */
	size_t ccap;
};

/* Walks the graph row by row from the zoom root. */
struct flame_iter {
	struct flame_layout *lay;
	const struct profile *p;
	uint64_t total;         /* the zoom root's samples */
	int w;
	int row;                /* graph row of cur; -1 is the undrawn root */
	struct flame_row *cur;
};

/* Grow *arr to hold need elements (capped at max); 0, or -1 leaving it as it was. */
int flame_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t max);

/* A function's name, "[unknown]" for none or "". */
const char *flame_name(const struct profile *p, uint32_t func);

/* Column of sample offset off: off * w / total, rounded, without overflow
 * (w >= 1, total >= 1); w when off >= total. */
int flame_col(uint64_t off, int w, uint64_t total);

/* Whether name matches the search q: a case-insensitive substring (ASCII
 * folding, as the search prompt promises); never for a NULL or empty q. */
bool flame_match(const char *name, const char *q);

/* A new profile: back to the root, zoom history and ranks forgotten. */
void flame_layout_reset(struct flame_layout *l);
/* Rank p's (not NULL) functions by name (again when p has gained some); on failure
 * siblings fall back to id order. */
void flame_layout_sync(struct flame_layout *l, const struct profile *p);
void flame_layout_release(struct flame_layout *l);

/* Zoom on node, pushing the current zoom root; false (nothing changes) for
 * PROF_NONE or the current zoom root.  Out of room, the zoom still happens
 * and a later zoom-out skips a level. */
bool flame_zoom_in(struct flame_layout *l, uint32_t node);
/* Back to the previous zoom root (the root when the history was lost);
 * false when already at the root. */
bool flame_zoom_out(struct flame_layout *l);
/* Zoom on node (0: the root) with an empty history. */
void flame_zoom_to(struct flame_layout *l, uint32_t node);

/*
 * Set up a walk of w columns over p (may be NULL) from l's zoom root; false
 * when there is nothing to lay out (no profile, no samples under the zoom
 * root, w < 1).  it->total and it->w are valid either way.
 */
bool flame_iter_init(struct flame_iter *it, struct flame_layout *l, const struct profile *p,
		     int w);
/* Start at graph row 0 (it->cur, it->row); false when there is nothing to
 * draw.  Only a walk flame_iter_init accepted may begin. */
bool flame_begin(struct flame_iter *it);
/* Step to the next graph row; false when it is empty.  Out of memory, a
 * row holds what fitted.  O(frames on the row and their children). */
bool flame_next(struct flame_iter *it);

/* The frame of c, a child of f's node, as the walk would place it;
 * x1 == x0 when under a column. */
struct flame_frame flame_child(const struct flame_iter *it, const struct flame_frame *f,
			       uint32_t c);

/*
 * Where node n is drawn: its frame and graph row, or those of its deepest
 * ancestor a column wide.  False when n is not under the zoom root or
 * nothing on the way is drawn.  Costs the depth, not the graph.
 */
bool flame_locate(struct flame_iter *it, uint32_t n, struct flame_frame *out, int *row);

/*
 * The next (dir > 0) or previous drawn frame whose function matches q, in
 * reading order (row by row, left to right) from the frame at graph row
 * srow, column sx, wrapping around; PROF_NONE when none matches.  Walks the
 * whole drawn graph.
 */
uint32_t flame_seek(struct flame_iter *it, int srow, int sx, const char *q, int dir);

#endif
