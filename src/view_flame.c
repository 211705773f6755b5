/* view_flame.c — the flame graph view: the call tree as an inline icicle/flame graph with zoom and search. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/view.h"

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
 */

/* Caps on what the view allocates, far above any real stack. */
#define FLAME_MAX_PATH	(1u << 24)
#define FLAME_MAX_ZOOM	(1u << 20)
/* The title and the status line cut names here. */
#define FLAME_NAME_MAX	256

struct flame_frame {
	uint32_t node;
	int x0, x1;             /* columns [x0, x1) */
	uint64_t off, end;      /* samples [off, end) of the zoom root */
};

struct flame_row {
	struct flame_frame *f;
	size_t n, cap;
};

struct flame_kid {
	uint32_t rank, node;
};

struct flame {
	bool synced;
	unsigned epoch;
	uint32_t zoom;          /* node drawn full width; 0 (the root) is not drawn */
	uint32_t *zstack;       /* earlier zoom roots, for Esc */
	size_t nz, zcap;
	uint32_t sel, sel_func; /* PROF_NONE when nothing is selected */
	/* The function path from the root to the deepest selection since the
	 * last sideways move (sel is at depth sdepth): Down retraces it after Up,
	 * and it re-finds the selection in a replaced profile. */
	uint32_t *trail;
	size_t ntrail, sdepth, tcap;
	int top;                /* first graph row shown */
	int w, page;            /* canvas width and graph rows at the last draw */
	bool flame;             /* root at the bottom (else icicle) */
	bool by_module;         /* colour by module (else by self share) */
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
	struct flame *st;
	const struct profile *p;
	uint64_t total;         /* the zoom root's samples */
	int w;
	int row;                /* graph row of cur; -1 is the undrawn root */
	struct flame_row *cur;
};

/* Grow *arr to hold need elements (capped); 0 or -1. */
static int flame_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t max)
{
	size_t ncap = *cap ? *cap : 16;
	void *a;

	if (need <= *cap)
		return 0;
	if (need > max)
		return -1;
	while (ncap < need)
		ncap = ncap > max / 2 ? max : ncap * 2;
	a = reallocarray(*arr, ncap, elem);
	if (!a)
		return -1;
	*arr = a;
	*cap = ncap;
	return 0;
}

static const char *flame_name(const struct profile *p, uint32_t func)
{
	const char *s = profile_func_name(p, func);

	return s && *s ? s : "[unknown]";
}

static const char *flame_module(const struct profile *p, uint32_t func)
{
	const char *s = profile_func_module(p, func);
	const char *slash = s ? strrchr(s, '/') : NULL;

	if (!s || !*s)
		return "[unknown]";
	return slash && slash[1] ? slash + 1 : s;
}

static double flame_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* Column of sample offset off: off * w / total, rounded, without overflow. */
static int flame_col(uint64_t off, int w, uint64_t total)
{
	if (off >= total)
		return w;
	if (off <= (UINT64_MAX - total / 2) / (uint64_t)w)
		return (int)((off * (uint64_t)w + total / 2) / total);

	long double x = (long double)off * w / (long double)total + 0.5L;

	return x >= w ? w : (int)x;
}

/* Whether total samples make at least one column: total * w >= all. */
static bool flame_wide(uint64_t total, int w, uint64_t all)
{
	uint64_t need = all / (uint64_t)w + (all % (uint64_t)w != 0);

	return total >= need;
}

static uint64_t flame_add(uint64_t a, uint64_t b, uint64_t cap)
{
	return b > cap - a ? cap : a + b;
}

/* ---- function order ------------------------------------------------------ */

struct flame_named {
	const char *name, *module;
	uint32_t id;
};

static int flame_named_cmp(const void *va, const void *vb)
{
	const struct flame_named *a = va, *b = vb;
	int r = strcmp(a->name, b->name);

	if (!r)
		r = strcmp(a->module, b->module);
	return r ? r : (a->id > b->id) - (a->id < b->id);
}

/* Rank every function by name; on failure siblings fall back to id order. */
static void flame_rank(struct flame *st, const struct profile *p)
{
	size_t n = profile_nfuncs(p);
	struct flame_named *v = n <= UINT32_MAX ? calloc(n ? n : 1, sizeof(*v)) : NULL;
	uint32_t *rank = v ? reallocarray(st->rank, n ? n : 1, sizeof(*rank)) : NULL;

	st->nrank = n;
	if (!rank) {
		free(v);
		free(st->rank);
		st->rank = NULL;
		return;
	}
	st->rank = rank;
	for (size_t i = 0; i < n; i++) {
		const char *mod = profile_func_module(p, (uint32_t)i);

		v[i] = (struct flame_named){ flame_name(p, (uint32_t)i), mod ? mod : "", (uint32_t)i };
	}
	qsort(v, n, sizeof(*v), flame_named_cmp);
	for (size_t i = 0; i < n; i++)
		rank[v[i].id] = (uint32_t)i;
	free(v);
}

static uint32_t flame_rank_of(const struct flame *st, uint32_t func)
{
	return st->rank && func < st->nrank ? st->rank[func] : func;
}

/* ---- selection ----------------------------------------------------------- */

/* The child of node calling func, PROF_NONE if none. */
static uint32_t flame_callee(const struct profile *p, uint32_t node, uint32_t func)
{
	uint32_t c = profile_node(p, node)->first_child;

	while (c != PROF_NONE && profile_node(p, c)->func != func)
		c = profile_node(p, c)->next_sibling;
	return c;
}

/* Select node (PROF_NONE: nothing), keeping the trail when node is on it. */
static void flame_select(struct flame *st, const struct profile *p, uint32_t node)
{
	size_t d = 0, limit;
	bool same = true;

	st->sel = st->sel_func = PROF_NONE;
	st->sdepth = 0;
	if (!p || node == PROF_NONE || node == 0 || !profile_node(p, node))
		return;
	limit = profile_nnodes(p);
	st->sel = node;
	st->sel_func = profile_node(p, node)->func;
	for (uint32_t id = node; id != 0 && id != PROF_NONE && d < limit;
	     id = profile_node(p, id)->parent)
		d++;
	if (flame_grow((void **)&st->trail, &st->tcap, d, sizeof(*st->trail), FLAME_MAX_PATH)) {
		st->ntrail = 0;
		return;
	}
	/* A path of functions from the root names one node: compare by them. */
	for (uint32_t id = node, i = (uint32_t)d; i > 0; i--, id = profile_node(p, id)->parent) {
		same = same && i <= st->ntrail && st->trail[i - 1] == profile_node(p, id)->func;
		st->trail[i - 1] = profile_node(p, id)->func;
	}
	if (!same || d > st->ntrail)
		st->ntrail = d;
	st->sdepth = d;
}

/* The profile was replaced: follow the old selection's function path. */
static void flame_refind(struct flame *st, const struct profile *p)
{
	size_t nf = profile_nfuncs(p), depth = st->sdepth;
	uint32_t node = 0;

	st->ntrail = 0;
	for (size_t i = 0; i < depth && st->trail[i] < nf; i++) {
		uint32_t c = flame_callee(p, node, st->trail[i]);

		if (c == PROF_NONE)
			break;
		node = c;
	}
	flame_select(st, p, node);
}

static void flame_sync(struct flame *st, const struct ui_model *m)
{
	const struct profile *p = m->p;

	if (!st->synced || st->epoch != m->epoch) {
		st->synced = true;
		st->epoch = m->epoch;
		st->zoom = 0;
		st->nz = 0;
		st->top = 0;
		st->nrank = 0;
		free(st->rank);
		st->rank = NULL;
		if (p)
			flame_refind(st, p);
		else
			flame_select(st, NULL, PROF_NONE);
	}
	if (p && (profile_nfuncs(p) != st->nrank || (!st->rank && st->nrank == 0)))
		flame_rank(st, p);
}

/* ---- layout -------------------------------------------------------------- */

static int flame_kid_cmp(const void *va, const void *vb)
{
	const struct flame_kid *a = va, *b = vb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return (a->node > b->node) - (a->node < b->node);
}

/* Set up a walk over the current zoom root; false when it has no samples. */
static bool flame_ctx(struct flame_iter *it, struct flame *st, const struct profile *p, int w)
{
	const struct prof_node *z = p ? profile_node(p, st->zoom) : NULL;

	*it = (struct flame_iter){ st, p, z ? z->total : 0, w, st->zoom ? 0 : -1, &st->rows[0] };
	return z && z->total && w >= 1;
}

/* Child c of f, starting at sample off; x1 == x0 when under a column. */
static struct flame_frame flame_place(const struct flame_iter *it, const struct flame_frame *f,
				      uint32_t c, uint64_t off)
{
	uint64_t end = flame_add(off, profile_node(it->p, c)->total, f->end);
	int x0 = flame_col(off, it->w, it->total), x1 = flame_col(end, it->w, it->total);

	/* Rounding never crosses the parent's edges, but clamp anyway. */
	x0 = x0 < f->x0 ? f->x0 : x0;
	x1 = x1 > f->x1 ? f->x1 : x1;
	if (!flame_wide(end - off, it->w, it->total) || x1 < x0)
		x1 = x0;
	return (struct flame_frame){ c, x0, x1, off, end };
}

/* Lay out f's children that are at least a column wide into out. */
static int flame_children(struct flame_iter *it, const struct flame_frame *f,
			  struct flame_row *out)
{
	struct flame *st = it->st;
	size_t k = 0, limit = profile_nnodes(it->p);
	uint64_t off = f->off;

	for (uint32_t c = profile_node(it->p, f->node)->first_child; c != PROF_NONE;
	     c = profile_node(it->p, c)->next_sibling) {
		if (k >= limit ||
		    flame_grow((void **)&st->kids, &st->kcap, k + 1, sizeof(*st->kids), limit))
			return -1;
		st->kids[k++] = (struct flame_kid){ flame_rank_of(st, profile_node(it->p, c)->func), c };
	}
	if (k > 1)
		qsort(st->kids, k, sizeof(*st->kids), flame_kid_cmp);
	for (size_t i = 0; i < k && off < f->end; i++) {
		struct flame_frame c = flame_place(it, f, st->kids[i].node, off);

		if (c.x1 > c.x0 && out->n < out->cap)
			out->f[out->n++] = c;
		off = c.end;
	}
	return 0;
}

/* Step to the next graph row; false when it is empty. */
static bool flame_next(struct flame_iter *it)
{
	struct flame *st = it->st;
	struct flame_row *out = it->cur == &st->rows[0] ? &st->rows[1] : &st->rows[0];

	out->n = 0;
	for (size_t i = 0; i < it->cur->n; i++)
		if (flame_children(it, &it->cur->f[i], out))
			break;   /* out of memory: show what fitted */
	it->cur = out;
	it->row++;
	return out->n > 0;
}

/* Start at graph row 0; false when there is nothing to draw. */
static bool flame_begin(struct flame_iter *it)
{
	struct flame *st = it->st;

	if (!flame_ctx(it, st, it->p, it->w))
		return false;
	/* A row holds at most one frame per column. */
	for (int i = 0; i < 2; i++)
		if (flame_grow((void **)&st->rows[i].f, &st->rows[i].cap, (size_t)it->w,
			       sizeof(struct flame_frame), FLAME_MAX_PATH))
			return false;
	st->rows[0].f[0] = (struct flame_frame){ st->zoom, 0, it->w, 0, it->total };
	st->rows[0].n = 1;
	return it->row == 0 || flame_next(it);
}

/* The frame of c, a child of f, as flame_children would place it. */
static struct flame_frame flame_child(const struct flame_iter *it, const struct flame_frame *f,
				      uint32_t c)
{
	const struct profile *p = it->p;
	uint32_t r = flame_rank_of(it->st, profile_node(p, c)->func);
	uint64_t off = f->off;

	for (uint32_t s = profile_node(p, f->node)->first_child; s != PROF_NONE;
	     s = profile_node(p, s)->next_sibling) {
		uint32_t rs = flame_rank_of(it->st, profile_node(p, s)->func);

		if (rs < r || (rs == r && s < c))
			off = flame_add(off, profile_node(p, s)->total, f->end);
	}
	return flame_place(it, f, c, off);
}

/*
 * Where node n is drawn: its frame and graph row, or those of its deepest
 * ancestor a column wide.  False when n is not under the zoom root or
 * nothing on the way is drawn.  Costs the depth, not the graph.
 */
static bool flame_locate(struct flame_iter *it, uint32_t n, struct flame_frame *out, int *row)
{
	struct flame *st = it->st;
	struct flame_frame f = { st->zoom, 0, it->w, 0, it->total };
	size_t k = 0, limit = profile_nnodes(it->p);
	int r = st->zoom ? 0 : -1;

	for (uint32_t id = n; id != st->zoom; id = profile_node(it->p, id)->parent) {
		if (id == PROF_NONE || id == 0 || k >= limit ||
		    flame_grow((void **)&st->chain, &st->ccap, k + 1, sizeof(*st->chain), limit))
			return false;
		st->chain[k++] = id;
	}
	while (k > 0) {
		struct flame_frame c = flame_child(it, &f, st->chain[--k]);

		if (c.x1 <= c.x0)
			break;
		f = c;
		r++;
	}
	if (r < 0)
		return false;
	*out = f;
	*row = r;
	return true;
}

/* Make the selection a drawn frame: its nearest drawn ancestor, or the
 * first frame of row 0 when it is lost.  False when nothing is drawn (the
 * selection is kept for when the canvas widens). */
static bool flame_fix(struct flame_iter *it, struct flame_frame *f, int *row)
{
	struct flame *st = it->st;

	if (flame_locate(it, st->sel, f, row)) {
		if (f->node != st->sel)
			flame_select(st, it->p, f->node);
		return true;
	}
	if (!flame_begin(it))
		return false;
	*f = it->cur->f[0];
	*row = 0;
	flame_select(st, it->p, f->node);
	return true;
}

/* ---- drawing ------------------------------------------------------------- */

/* ASCII case folding, as the search prompt promises. */
static bool flame_match(const char *name, const char *q)
{
	return q && *q && strcasestr(name, q);
}

/* Heat by self share of the zoom root, in per mille: callers stay cool. */
static uint8_t flame_heat(uint64_t self, uint64_t total)
{
	static const int step[] = { 10, 50, 150, 350 };
	int pm = flame_col(self, 1000, total);
	uint8_t color = CC_HOT0;

	for (int i = 0; i < 4; i++)
		if (pm >= step[i])
			color = (uint8_t)(CC_HOT1 + i);
	return color;
}

/* One of the five heat colours per module, stable across runs. */
static uint8_t flame_hue(const char *module)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *s = (const unsigned char *)(module ? module : ""); *s; s++)
		h = (h ^ *s) * 16777619u;
	return (uint8_t)(CC_HOT0 + h % 5);
}

static void flame_style(const struct flame_iter *it, const struct flame_frame *f,
			const struct ui_model *m, uint8_t *color, uint8_t *attr)
{
	const struct prof_node *n = profile_node(it->p, f->node);
	/* Colour terminals paint bars with the pair's background; monochrome
	 * ones need reverse video to show a bar at all. */
	uint8_t bar = m->color ? 0 : CA_REVERSE;

	*attr = bar;
	if (f->node == it->st->sel) {
		*color = CC_SELECTED;
		/* Underline keeps it apart from the reversed bars without colour. */
		*attr = CA_REVERSE | CA_BOLD | (m->color ? 0 : CA_UNDERLINE);
	} else if (flame_match(flame_name(it->p, n->func), m->search)) {
		*color = CC_MATCH;
	} else if (it->st->by_module) {
		*color = flame_hue(profile_func_module(it->p, n->func));
	} else {
		*color = flame_heat(n->self, it->total);
	}
}

/* The name cut to w columns, with an ellipsis when cut. */
static void flame_label(struct canvas *c, int x, int y, int w, const char *name, uint8_t color,
			uint8_t attr)
{
	int n;

	if (canvas_width(c, name) <= w) {
		canvas_text(c, x, y, w, name, color, attr);
		return;
	}
	n = canvas_text(c, x, y, w - 1, name, color, attr);
	canvas_text(c, x + n, y, 1, c->ascii ? "." : "\u2026", color, attr);
}

/* A bar: a separator, then the label if there is room for more than a
 * fill character (two columns would show one letter, which misleads). */
static void flame_bar(struct canvas *c, int y, const struct flame_iter *it,
		      const struct flame_frame *f, const struct ui_model *m)
{
	int w = f->x1 - f->x0;
	uint8_t color, attr;

	flame_style(it, f, m, &color, &attr);
	canvas_fill(c, f->x0, y, w, ' ', color, attr);
	canvas_text(c, f->x0, y, 1, c->ascii ? "|" : "\u258f", color, attr);
	if (w >= 3)
		flame_label(c, f->x0 + 1, y, w - 1,
			    flame_name(it->p, profile_node(it->p, f->node)->func), color, attr);
}

static void flame_title(struct canvas *c, int y, const struct flame *st, const struct profile *p)
{
	const struct prof_node *z = profile_node(p, st->zoom);

	canvas_fill(c, 0, y, c->w, ' ', CC_HEADER, CA_BOLD);
	canvas_printf(c, 0, y, c->w, CC_HEADER, CA_BOLD,
		      "Flame graph: %s%.*s  %" PRIu64 " samples  [%s, colour by %s]",
		      st->zoom ? "zoom " : "", FLAME_NAME_MAX,
		      st->zoom ? flame_name(p, z->func) : "all", z->total,
		      st->flame ? "flame" : "icicle", st->by_module ? "module" : "heat");
}

/* Keep the selection's row on screen, moving as little as possible. */
static void flame_scroll(struct flame *st, int srow, int gh)
{
	if (srow < st->top)
		st->top = srow;
	if (srow >= st->top + gh)
		st->top = srow - gh + 1;
}

/* Only the rows down to the last one shown are laid out, each in O(width). */
static void flame_draw(struct view *v, struct canvas *c, int y, int h, const struct ui_model *m)
{
	struct flame *st = v->priv;
	struct flame_iter it;
	struct flame_frame sf;
	int gy = y, gh = h, srow;

	if (h < 1 || c->w < 1)
		return;
	for (int i = 0; i < h; i++)
		canvas_fill(c, 0, y + i, c->w, ' ', CC_NORMAL, 0);
	flame_sync(st, m);
	st->w = c->w;
	if (h >= 2) {
		gy++;
		gh--;
	}
	st->page = gh;
	if (!flame_ctx(&it, st, m->p, c->w)) {
		canvas_text(c, 0, y, c->w, "no samples yet", CC_DIM, 0);
		return;
	}
	if (!flame_fix(&it, &sf, &srow)) {
		canvas_text(c, 0, y, c->w, "too narrow for the flame graph", CC_DIM, 0);
		return;
	}
	flame_scroll(st, srow, gh);
	if (h >= 2)
		flame_title(c, y, st, m->p);
	for (bool ok = flame_begin(&it); ok && it.row < st->top + gh; ok = flame_next(&it)) {
		int off = it.row - st->top, sy = st->flame ? gy + gh - 1 - off : gy + off;

		for (size_t i = 0; off >= 0 && i < it.cur->n; i++)
			flame_bar(c, sy, &it, &it.cur->f[i], m);
	}
}

/* ---- keys ---------------------------------------------------------------- */

/* Left/right: the neighbour on the selection's row, across parents. */
static void flame_side(struct flame_iter *it, int row, int dir)
{
	struct flame *st = it->st;
	bool ok = flame_begin(it);

	while (ok && it->row < row)
		ok = flame_next(it);
	for (size_t i = 0; ok && i < it->cur->n; i++) {
		if (it->cur->f[i].node != st->sel)
			continue;
		if (dir < 0 && i > 0)
			flame_select(st, it->p, it->cur->f[i - 1].node);
		else if (dir > 0 && i + 1 < it->cur->n)
			flame_select(st, it->p, it->cur->f[i + 1].node);
		return;
	}
}

static uint32_t flame_widest(const struct profile *p, uint32_t node)
{
	uint32_t best = PROF_NONE;

	for (uint32_t c = profile_node(p, node)->first_child; c != PROF_NONE;
	     c = profile_node(p, c)->next_sibling)
		if (best == PROF_NONE || profile_node(p, c)->total > profile_node(p, best)->total)
			best = c;
	return best;
}

/* Down k rows: back along the trail after Up, else into the widest child. */
static void flame_down(struct flame_iter *it, struct flame_frame f, long k)
{
	struct flame *st = it->st;
	const struct profile *p = it->p;

	for (size_t depth = st->sdepth; k > 0; k--, depth++) {
		uint32_t c = depth < st->ntrail ? flame_callee(p, f.node, st->trail[depth]) : PROF_NONE;
		struct flame_frame cf = { .x0 = 0, .x1 = 0 };

		if (c != PROF_NONE)
			cf = flame_child(it, &f, c);
		if (cf.x1 <= cf.x0) {
			c = flame_widest(p, f.node);
			if (c == PROF_NONE)
				break;
			cf = flame_child(it, &f, c);
			if (cf.x1 <= cf.x0)
				break;
		}
		f = cf;
	}
	flame_select(st, p, f.node);
}

/* Up k rows, never above row 0; the trail remembers the way back. */
static void flame_up(struct flame_iter *it, uint32_t node, int row, long k)
{
	for (; k > 0 && row > 0; k--, row--)
		node = profile_node(it->p, node)->parent;
	flame_select(it->st, it->p, node);
}

/* n/N: the next/previous match in reading order (row by row), wrapping. */
static void flame_seek(struct flame_iter *it, int srow, int sx, const char *q, int dir)
{
	uint32_t first = PROF_NONE, last = PROF_NONE, next = PROF_NONE, prev = PROF_NONE, to;

	for (bool ok = q && *q && flame_begin(it); ok; ok = flame_next(it)) {
		for (size_t i = 0; i < it->cur->n; i++) {
			const struct flame_frame *f = &it->cur->f[i];

			if (!flame_match(flame_name(it->p, profile_node(it->p, f->node)->func), q))
				continue;
			if (first == PROF_NONE)
				first = f->node;
			last = f->node;
			if (next == PROF_NONE && (it->row > srow || (it->row == srow && f->x0 > sx)))
				next = f->node;
			if (it->row < srow || (it->row == srow && f->x0 < sx))
				prev = f->node;
		}
	}
	to = dir > 0 ? (next != PROF_NONE ? next : first) : (prev != PROF_NONE ? prev : last);
	if (to != PROF_NONE)
		flame_select(it->st, it->p, to);
}

static void flame_zoom_in(struct flame *st)
{
	if (st->sel == PROF_NONE || st->sel == st->zoom)
		return;
	/* Out of room, the zoom still happens; Esc then skips a level. */
	if (!flame_grow((void **)&st->zstack, &st->zcap, st->nz + 1, sizeof(*st->zstack),
			FLAME_MAX_ZOOM))
		st->zstack[st->nz++] = st->zoom;
	st->zoom = st->sel;
	st->top = 0;
}

static unsigned flame_zoom_out(struct flame *st)
{
	if (st->nz)
		st->zoom = st->zstack[--st->nz];
	else if (st->zoom)
		st->zoom = 0;
	else
		return VR_BACK;
	return VR_HANDLED;
}

/* Rows a vertical key moves towards the leaves (negative: the root);
 * 0 when it is not one.  Flame orientation mirrors them. */
static long flame_vmove(const struct flame *st, int key)
{
	long page = st->page > 1 ? st->page : 1, d;

	switch (key) {
	case K_DOWN: case 'j': d = 1; break;
	case K_UP: case 'k': d = -1; break;
	case K_PGDN: case 'F' & 0x1f: d = page; break;
	case K_PGUP: case 'B' & 0x1f: d = -page; break;
	case K_END: case 'G': return FLAME_MAX_PATH;
	default: return 0;
	}
	return st->flame ? -d : d;
}

/* Moves that need the selection's frame. */
static unsigned flame_move(struct flame_iter *it, bool ready, int key, const struct ui_model *m)
{
	struct flame_frame f;
	long d = flame_vmove(it->st, key);
	int row;
	bool sideways = key == K_LEFT || key == 'h' || key == K_RIGHT || key == 'l';

	if (!d && !sideways && key != 'n' && key != 'N' && key != K_ENTER)
		return VR_IGNORED;
	if (!ready || !flame_fix(it, &f, &row))
		return VR_HANDLED;
	if (d > 0)
		flame_down(it, f, d);
	else if (d < 0)
		flame_up(it, f.node, row, -d);
	else if (sideways)
		flame_side(it, row, key == K_LEFT || key == 'h' ? -1 : 1);
	else if (key == K_ENTER)
		flame_zoom_in(it->st);
	else
		flame_seek(it, row, f.x0, m->search, key == 'n' ? 1 : -1);
	return VR_HANDLED;
}

static unsigned flame_key(struct view *v, int key, const struct ui_model *m)
{
	struct flame *st = v->priv;
	struct flame_iter it;

	flame_sync(st, m);
	switch (key) {
	case K_ESC: case K_BACKSPACE:
		return flame_zoom_out(st);
	case K_HOME: case 'g':
		st->nz = 0;
		st->zoom = 0;
		return VR_HANDLED;
	case 'i':
		st->flame = !st->flame;
		return VR_HANDLED;
	case 'c':
		st->by_module = !st->by_module;
		return VR_HANDLED;
	case 'f':
		return VR_HANDLED;   /* already the flame graph */
	default:
		return flame_move(&it, flame_ctx(&it, st, m->p, st->w), key, m);
	}
}

/* ---- the view ------------------------------------------------------------ */

/* Zoom on the path where func is hottest: one pass over the nodes. */
static void flame_focus(struct view *v, uint32_t func, const struct ui_model *m)
{
	struct flame *st = v->priv;
	const struct profile *p = m->p;
	uint32_t best = PROF_NONE;

	flame_sync(st, m);
	if (!p || func >= profile_nfuncs(p))
		return;
	for (uint32_t i = 1; i < profile_nnodes(p); i++)
		if (profile_node(p, i)->func == func &&
		    (best == PROF_NONE || profile_node(p, i)->total > profile_node(p, best)->total))
			best = i;
	if (best == PROF_NONE)
		return;
	st->nz = 0;
	st->zoom = best;
	st->top = 0;
	flame_select(st, p, best);
}

static uint32_t flame_selected(const struct view *v)
{
	const struct flame *st = v->priv;

	return st->sel_func;
}

static void flame_status(const struct view *v, const struct ui_model *m, char *buf, size_t len)
{
	const struct flame *st = v->priv;
	const struct profile *p = m->p;
	const struct prof_node *n, *z, *root;

	if (!len)
		return;
	buf[0] = '\0';
	/* Node ids from another profile mean nothing: wait for the next draw. */
	if (!p || !st->synced || st->epoch != m->epoch || st->sel == PROF_NONE)
		return;
	n = profile_node(p, st->sel);
	z = profile_node(p, st->zoom);
	root = profile_node(p, 0);
	if (!n || !z)
		return;
	snprintf(buf, len, "%.*s  (%.*s)  %" PRIu64 " samples, %.1f%% of all, %.1f%% of zoom",
		 FLAME_NAME_MAX, flame_name(p, n->func), FLAME_NAME_MAX, flame_module(p, n->func),
		 n->total, flame_pct(n->total, root->total), flame_pct(n->total, z->total));
}

static void flame_destroy(struct view *v)
{
	struct flame *st = v->priv;

	free(st->zstack);
	free(st->trail);
	free(st->rank);
	free(st->kids);
	free(st->rows[0].f);
	free(st->rows[1].f);
	free(st->chain);
	free(st);
	free(v);
}

static const struct view_ops flame_ops = {
	.name = "flame",
	.draw = flame_draw,
	.key = flame_key,
	.focus = flame_focus,
	.selected = flame_selected,
	.status = flame_status,
	.destroy = flame_destroy,
};

struct view *view_flame_new(void)
{
	struct view *v = calloc(1, sizeof(*v));
	struct flame *st = calloc(1, sizeof(*st));

	if (!v || !st) {
		free(v);
		free(st);
		return NULL;
	}
	st->sel = st->sel_func = PROF_NONE;
	st->w = 80;
	st->page = 20;
	v->ops = &flame_ops;
	v->priv = st;
	return v;
}
