/* view_flame.c — the flame graph view: the call tree as an inline icicle/flame graph with zoom and search. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/flamelayout.h"
#include "proftui/keys.h"
#include "proftui/offcpu.h"
#include "proftui/uidiff.h"
#include "proftui/view.h"

/*
 * Where frames go is flamelayout.c's business; this file keeps the
 * selection (and the trail that lets Down retrace Up), scrolling, the
 * orientation and colours, and turns keys into moves over the layout.
 */

/* The title and the status line cut names here. */
#define FLAME_NAME_MAX	256

struct flame {
	bool synced;
	unsigned epoch;
	struct flame_layout lay;
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
};

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
		flame_layout_reset(&st->lay);
		st->top = 0;
		if (p)
			flame_refind(st, p);
		else
			flame_select(st, NULL, PROF_NONE);
	}
	if (p)
		flame_layout_sync(&st->lay, p);
}

/* Make the selection a drawn frame: its nearest drawn ancestor, or the
 * first frame of row 0 when it is lost.  False when nothing is drawn (the
 * selection is kept for when the canvas widens). */
static bool flame_fix(struct flame *st, struct flame_iter *it, struct flame_frame *f, int *row)
{
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

/* A diff: how much the frame's call path's share of all samples changed
 * from the baseline (the same path of functions), as a uidiff_level. */
static int flame_change(const struct profile *p, uint32_t node, const struct ui_model *m)
{
	double now = flame_pct(profile_node(p, node)->total, profile_stats_const(p)->samples);

	return uidiff_level(now - uidiff_node_before(m->diff, p, m->epoch, node));
}

/* Red for growth, blue for decline, deeper with the size; grey between. */
static uint8_t flame_change_color(int level)
{
	static const uint8_t hue[7] = { CC_DOWN3, CC_DOWN2, CC_DOWN1, CC_EVEN,
					CC_UP1, CC_UP2, CC_UP3 };

	return hue[level < -3 ? 0 : level > 3 ? 6 : level + 3];
}

/* level: flame_change's, when m->diff. */
static void flame_style(const struct flame *st, const struct flame_iter *it,
			const struct flame_frame *f, const struct ui_model *m, int level,
			uint8_t *color, uint8_t *attr)
{
	const struct prof_node *n = profile_node(it->p, f->node);
	/* Colour terminals paint bars with the pair's background; monochrome
	 * ones need reverse video to show a bar at all. */
	uint8_t bar = m->color ? 0 : CA_REVERSE;

	*attr = bar;
	if (f->node == st->sel) {
		*color = CC_SELECTED;
		/* Underline keeps it apart from the reversed bars without colour. */
		*attr = CA_REVERSE | CA_BOLD | (m->color ? 0 : CA_UNDERLINE);
	} else if (flame_match(flame_name(it->p, n->func), m->search)) {
		*color = CC_MATCH;
	} else if (m->diff) {
		*color = flame_change_color(level);
		/* 8 colours have no deeper red than red: bright text it is. */
		*attr |= level <= -3 || level >= 3 ? CA_BOLD : 0;
	} else if (offcpu_state_of(it->p, n->func) != CPU_ON) {
		/* --off-cpu: the state on top of a waiting stack, in its own hue. */
		static const uint8_t hue[CPU__COUNT] = {
			[CPU_RUNNABLE] = CC_RUNQ, [CPU_IOWAIT] = CC_IOWAIT, [CPU_SLEEP] = CC_SLEEP,
		};

		*color = hue[offcpu_state_of(it->p, n->func)];
	} else if (st->by_module) {
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
static void flame_bar(struct canvas *c, int y, const struct flame *st, const struct flame_iter *it,
		      const struct flame_frame *f, const struct ui_model *m)
{
	int w = f->x1 - f->x0;
	int level = m->diff ? flame_change(it->p, f->node, m) : 0;
	/* A diff's direction also in the separator, for terminals without
	 * colours and for the colour-blind. */
	const char *sep = level > 0 ? "+" : level < 0 ? "-" : c->ascii ? "|" : "\u258f";
	uint8_t color, attr;

	flame_style(st, it, f, m, level, &color, &attr);
	canvas_fill(c, f->x0, y, w, ' ', color, attr);
	canvas_text(c, f->x0, y, 1, sep, color, attr);
	if (w >= 3)
		flame_label(c, f->x0 + 1, y, w - 1,
			    flame_name(it->p, profile_node(it->p, f->node)->func), color, attr);
}

static void flame_title(struct canvas *c, int y, const struct flame *st, const struct profile *p,
			bool diff)
{
	const struct prof_node *z = profile_node(p, st->lay.zoom);

	canvas_fill(c, 0, y, c->w, ' ', CC_HEADER, CA_BOLD);
	canvas_printf(c, 0, y, c->w, CC_HEADER, CA_BOLD,
		      "Flame graph: %s%.*s  %" PRIu64 " samples  [%s, colour by %s]",
		      st->lay.zoom ? "zoom " : "", FLAME_NAME_MAX,
		      st->lay.zoom ? flame_name(p, z->func) : "all", z->total,
		      st->flame ? "flame" : "icicle",
		      diff ? "change vs baseline: + red grew, - blue shrank" :
		      st->by_module ? "module" : "heat");
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
	if (!flame_iter_init(&it, &st->lay, m->p, c->w)) {
		canvas_text(c, 0, y, c->w, "no samples yet", CC_DIM, 0);
		return;
	}
	if (!flame_fix(st, &it, &sf, &srow)) {
		canvas_text(c, 0, y, c->w, "too narrow for the flame graph", CC_DIM, 0);
		return;
	}
	flame_scroll(st, srow, gh);
	if (h >= 2)
		flame_title(c, y, st, m->p, m->diff != NULL);
	for (bool ok = flame_begin(&it); ok && it.row < st->top + gh; ok = flame_next(&it)) {
		int off = it.row - st->top, sy = st->flame ? gy + gh - 1 - off : gy + off;

		for (size_t i = 0; off >= 0 && i < it.cur->n; i++)
			flame_bar(c, sy, st, &it, &it.cur->f[i], m);
	}
}

/* ---- keys ---------------------------------------------------------------- */

/* Left/right: the neighbour on the selection's row, across parents. */
static void flame_side(struct flame *st, struct flame_iter *it, int row, int dir)
{
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
static void flame_down(struct flame *st, struct flame_iter *it, struct flame_frame f, long k)
{
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
static void flame_up(struct flame *st, const struct profile *p, uint32_t node, int row, long k)
{
	for (; k > 0 && row > 0; k--, row--)
		node = profile_node(p, node)->parent;
	flame_select(st, p, node);
}

/* n/N: the next/previous match (flame_seek's order), if any. */
static void flame_find(struct flame *st, struct flame_iter *it, int srow, int sx, const char *q,
		       int dir)
{
	uint32_t to = flame_seek(it, srow, sx, q, dir);

	if (to != PROF_NONE)
		flame_select(st, it->p, to);
}

/* Enter: zoom on the selection, scrolled back to the top. */
static void flame_enter(struct flame *st)
{
	if (flame_zoom_in(&st->lay, st->sel))
		st->top = 0;
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
static unsigned flame_move(struct flame *st, struct flame_iter *it, bool ready, int key,
			   const struct ui_model *m)
{
	struct flame_frame f;
	long d = flame_vmove(st, key);
	int row;
	bool sideways = key == K_LEFT || key == 'h' || key == K_RIGHT || key == 'l';

	if (!d && !sideways && key != 'n' && key != 'N' && key != K_ENTER)
		return VR_IGNORED;
	if (!ready || !flame_fix(st, it, &f, &row))
		return VR_HANDLED;
	if (d > 0)
		flame_down(st, it, f, d);
	else if (d < 0)
		flame_up(st, it->p, f.node, row, -d);
	else if (sideways)
		flame_side(st, it, row, key == K_LEFT || key == 'h' ? -1 : 1);
	else if (key == K_ENTER)
		flame_enter(st);
	else
		flame_find(st, it, row, f.x0, m->search, key == 'n' ? 1 : -1);
	return VR_HANDLED;
}

static unsigned flame_key(struct view *v, int key, const struct ui_model *m)
{
	struct flame *st = v->priv;
	struct flame_iter it;

	flame_sync(st, m);
	switch (key) {
	case K_ESC: case K_BACKSPACE:
		return flame_zoom_out(&st->lay) ? VR_HANDLED : VR_BACK;
	case K_HOME: case 'g':
		flame_zoom_to(&st->lay, 0);
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
		return flame_move(st, &it, flame_iter_init(&it, &st->lay, m->p, st->w), key, m);
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
	flame_zoom_to(&st->lay, best);
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
	size_t at;

	if (!len)
		return;
	buf[0] = '\0';
	/* Node ids from another profile mean nothing: wait for the next draw. */
	if (!p || !st->synced || st->epoch != m->epoch || st->sel == PROF_NONE)
		return;
	n = profile_node(p, st->sel);
	z = profile_node(p, st->lay.zoom);
	root = profile_node(p, 0);
	if (!n || !z)
		return;
	at = (size_t)snprintf(buf, len, "%.*s  (%.*s)  %" PRIu64 " samples, %.1f%% of all, %.1f%% of zoom",
			      FLAME_NAME_MAX, flame_name(p, n->func), FLAME_NAME_MAX,
			      flame_module(p, n->func), n->total, flame_pct(n->total, root->total),
			      flame_pct(n->total, z->total));
	if (m->diff && at < len) {
		/* Shares of each profile's samples, as the colours compare. */
		double now = flame_pct(n->total, profile_stats_const(p)->samples);
		double before = uidiff_node_before(m->diff, p, m->epoch, st->sel);

		snprintf(buf + at, len - at, "; this path %.1f%% -> %.1f%% (%+.2f)", before, now,
			 diff_shown(now - before));
	}
}

static void flame_destroy(struct view *v)
{
	struct flame *st = v->priv;

	flame_layout_release(&st->lay);
	free(st->trail);
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
