/* view_tree.c — the drill-down: who calls a function and what it calls, as expandable trees. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/sandwich.h"
#include "proftui/view.h"

/*
 * The trees themselves come from sandwich.c; this file keeps the cursor
 * (by node key, so it survives rebuilds), the history of foci for Esc, and
 * the drawing.
 */

#define TV_EXPAND_MAX	3000		/* rows one expand-all may reveal */
#define TV_HIST_MAX	64
#define TV_INDENT_MAX	200		/* deeper rows show their depth instead */

struct tv_hist {
	uint32_t func;
	uint64_t cur_key;
};

struct tv {
	struct view view;
	struct sandwich sw;
	struct tv_hist hist[TV_HIST_MAX];
	size_t nhist;
	uint32_t built_focus;
	bool have, ascii;
	int err;			/* why nothing can be shown, 0 if fine */
	unsigned epoch;
	uint64_t samples;	/* denominator: every sample of the profile */
	size_t cur;		/* cursor over the rows of both sections */
	uint64_t cur_key;
	long scroll;
	int page;
};

static void tv_set_cursor(struct tv *t, size_t r)
{
	const struct sandwich_node *d = sandwich_row(&t->sw, r, NULL);

	t->cur = r;
	if (d)
		t->cur_key = d->key;
}

/* Flatten the open parts of both trees, then find the cursor's node again. */
static int tv_flatten(struct tv *t)
{
	int err = sandwich_flatten(&t->sw);
	size_t n = sandwich_nrows(&t->sw);

	if (err)
		return err;
	for (size_t r = 0; r < n; r++)
		if (sandwich_row(&t->sw, r, NULL)->key == t->cur_key) {
			t->cur = r;
			return 0;
		}
	tv_set_cursor(t, n && t->cur >= n ? n - 1 : t->cur);
	return 0;
}

static void tv_set_focus(struct tv *t, uint32_t f, uint64_t cur_key)
{
	sandwich_set_focus(&t->sw, f);
	t->cur = 0;
	t->scroll = 0;
	t->cur_key = cur_key ? cur_key : sandwich_root_key(SANDWICH_CALLERS, f);
}

/* A new profile: function ids past its end mean nothing any more. */
static void tv_new_epoch(struct tv *t, const struct profile *p)
{
	size_t nf = p ? profile_nfuncs(p) : 0, k = 0;

	for (size_t i = 0; i < t->nhist; i++)
		if (t->hist[i].func < nf)
			t->hist[k++] = t->hist[i];
	t->nhist = k;
	if (t->sw.focus != SANDWICH_NONE && t->sw.focus >= nf)
		tv_set_focus(t, SANDWICH_NONE, 0);
}

/* Rebuild the derived trees when (epoch, samples, focus) changed. */
static void tv_refresh(struct tv *t, const struct ui_model *m)
{
	const struct profile *p = m ? m->p : NULL;
	uint64_t samples = p ? profile_stats_const(p)->samples : 0;
	unsigned epoch = m ? m->epoch : 0;

	if (t->have && epoch == t->epoch && samples == t->samples && t->sw.focus == t->built_focus)
		return;
	if (t->have && epoch != t->epoch)
		tv_new_epoch(t, p);
	t->have = true;
	t->epoch = epoch;
	t->samples = samples;
	t->built_focus = t->sw.focus;
	t->err = sandwich_build(&t->sw, p);
	if (!t->err)
		t->err = tv_flatten(t);
}

/* ---- keys ---------------------------------------------------------------- */

/* After opening or closing nodes. */
static unsigned tv_relayout(struct tv *t)
{
	int err = tv_flatten(t);

	if (err)
		t->err = err;
	return VR_HANDLED;
}

static unsigned tv_move(struct tv *t, long delta)
{
	long n = (long)sandwich_nrows(&t->sw), r = (long)t->cur + delta;

	if (n)
		tv_set_cursor(t, (size_t)(r < 0 ? 0 : r >= n ? n - 1 : r));
	return VR_HANDLED;
}

static unsigned tv_back(struct tv *t)
{
	if (!t->nhist)
		return VR_BACK;
	t->nhist--;
	tv_set_focus(t, t->hist[t->nhist].func, t->hist[t->nhist].cur_key);
	return VR_HANDLED;
}

static unsigned tv_refocus(struct tv *t)
{
	const struct sandwich_node *d = sandwich_row(&t->sw, t->cur, NULL);

	if (!d || d->func == t->sw.focus)
		return VR_HANDLED;
	if (t->nhist == TV_HIST_MAX)
		memmove(t->hist, t->hist + 1, --t->nhist * sizeof(*t->hist));
	t->hist[t->nhist++] = (struct tv_hist){ t->sw.focus, t->cur_key };
	tv_set_focus(t, d->func, 0);
	return VR_HANDLED;
}

static unsigned tv_right(struct tv *t, const struct profile *p)
{
	int sec = 0;
	const struct sandwich_node *d = sandwich_row(&t->sw, t->cur, &sec);
	uint32_t di;

	if (!d)
		return VR_HANDLED;
	di = (uint32_t)(d - t->sw.sec[sec].d);
	if (d->open && d->nchild)
		return tv_move(t, 1);
	/* A node that cannot be derived (memory, caps) just stays closed. */
	if (d->kids)
		sandwich_open(&t->sw, p, sec, di);
	return tv_relayout(t);
}

static unsigned tv_left(struct tv *t)
{
	int sec = 0;
	const struct sandwich_node *d = sandwich_row(&t->sw, t->cur, &sec);

	if (!d)
		return tv_back(t);
	if (d->open && d->nchild) {
		sandwich_close(&t->sw, sec, (uint32_t)(d - t->sw.sec[sec].d));
		return tv_relayout(t);
	}
	if (d->parent == SANDWICH_NONE)
		return tv_back(t);
	/* The parent is the nearest row above that is one level up. */
	for (size_t r = t->cur; r-- > 0;)
		if (sandwich_row(&t->sw, r, NULL)->depth + 1 == d->depth) {
			tv_set_cursor(t, r);
			break;
		}
	return VR_HANDLED;
}

/* Open everything under the cursor, breadth first, until enough rows show. */
static unsigned tv_expand_all(struct tv *t, const struct profile *p)
{
	int sec = 0;
	const struct sandwich_node *d = sandwich_row(&t->sw, t->cur, &sec);

	if (!d || sandwich_expand(&t->sw, p, sec, (uint32_t)(d - t->sw.sec[sec].d), TV_EXPAND_MAX))
		return VR_HANDLED;
	return tv_relayout(t);
}

/* Close all but the roots; the cursor goes to its section's root. */
static unsigned tv_collapse_all(struct tv *t)
{
	int sec = 0;

	if (!sandwich_row(&t->sw, t->cur, &sec))
		return VR_HANDLED;
	sandwich_collapse(&t->sw);
	t->cur_key = t->sw.sec[sec].d[0].key;
	return tv_relayout(t);
}

static unsigned tv_search(struct tv *t, const struct ui_model *m, int dir)
{
	size_t n = sandwich_nrows(&t->sw);

	if (!m || !m->p || !m->search || !*m->search)
		return VR_HANDLED;
	for (size_t i = 1; i <= n; i++) {
		size_t r = dir > 0 ? (t->cur + i) % n : (t->cur + n - i % n) % n;
		const char *name = profile_func_name(m->p, sandwich_row(&t->sw, r, NULL)->func);

		if (name && strcasestr(name, m->search)) {
			tv_set_cursor(t, r);
			break;
		}
	}
	return VR_HANDLED;
}

static unsigned tv_key_move(struct tv *t, int key)
{
	long page = t->page > 2 ? t->page - 1 : 1, step;

	if (!keys_list_step(key, page, (long)sandwich_nrows(&t->sw), &step))
		return VR_IGNORED;
	return tv_move(t, step);
}

static unsigned tv_key(struct view *v, int key, const struct ui_model *m)
{
	struct tv *t = v->priv;
	const struct profile *p = m ? m->p : NULL;
	unsigned r = VR_HANDLED;

	tv_refresh(t, m);
	switch (key) {
	case K_RIGHT: case 'l': case '+': r = p ? tv_right(t, p) : r; break;
	case K_LEFT: case 'h': case '-': r = tv_left(t); break;
	case 'e': case '*': r = p ? tv_expand_all(t, p) : r; break;
	case 'E': case 'C': r = tv_collapse_all(t); break;
	case K_ENTER: case '\r': r = tv_refocus(t); break;
	case K_ESC: case K_BACKSPACE: case 'H' & 0x1f: r = tv_back(t); break;
	case 'f': r = VR_FLAME; break;
	case 'n': case 'N': r = tv_search(t, m, key == 'n' ? 1 : -1); break;
	default: r = tv_key_move(t, key); break;
	}
	tv_refresh(t, m);
	return r;
}

/* ---- drawing ------------------------------------------------------------- */

static uint8_t tv_heat(double pct)
{
	return pct >= 50 ? CC_HOT4 : pct >= 20 ? CC_HOT3 : pct >= 5 ? CC_HOT2 :
	       pct >= 1 ? CC_HOT1 : CC_HOT0;
}

static double tv_pct(const struct tv *t, uint64_t n)
{
	return t->samples ? 100.0 * (double)n / (double)t->samples : 0.0;
}

/* Tree-drawing prefix of d: a rail per open ancestor level, then a branch. */
static void tv_prefix(const struct tv *t, int sec, const struct sandwich_node *d, char *buf,
		      size_t len, int maxcols)
{
	const struct sandwich_sec *s = &t->sw.sec[sec];
	bool last[TV_INDENT_MAX];
	const char *rail = t->ascii ? "|  " : "\u2502  ";
	size_t o = 0;

	buf[0] = '\0';
	if (!d->depth)
		return;
	if (d->depth - 1 >= TV_INDENT_MAX || (long)d->depth * 3 > (long)maxcols * 2 / 3) {
		o = (size_t)snprintf(buf, len, "[%u]", (unsigned)d->depth);
	} else {
		for (const struct sandwich_node *a = d; a->depth > 0; a = &s->d[a->parent]) {
			const struct sandwich_node *up = &s->d[a->parent];

			last[a->depth - 1] = (uint32_t)(a - s->d) + 1 == up->child + up->nchild;
		}
		for (uint32_t i = 0; i + 1 < d->depth && o + 8 < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s", last[i] ? "   " : rail);
	}
	bool end = (uint32_t)(d - s->d) + 1 == s->d[d->parent].child + s->d[d->parent].nchild;

	if (o + 16 < len)
		snprintf(buf + o, len - o, "%s", t->ascii ? (end ? "`- " : "|- ") :
			 (end ? "\u2514\u2500 " : "\u251c\u2500 "));
}

static void tv_draw_node(const struct tv *t, struct canvas *c, int y, size_t r,
			 const struct ui_model *m)
{
	int sec, x = 0;
	const struct sandwich_node *d = sandwich_row(&t->sw, r, &sec);
	const char *name = profile_func_name(m->p, d->func);
	const char *mod = profile_func_module(m->p, d->func);
	const char *q = m->search;
	char pre[2048];
	bool match = name && q && *q && strcasestr(name, q);

	x += canvas_printf(c, x, y, c->w, tv_heat(tv_pct(t, d->total)), 0, "%6.1f%%",
			   tv_pct(t, d->total)) + 1;
	if (sec == SANDWICH_CALLEES)
		x += canvas_printf(c, x, y, c->w - x, CC_NORMAL, 0, "%6.1f%%",
				   tv_pct(t, d->self)) + 1;
	x += canvas_printf(c, x, y, c->w - x, CC_NORMAL, CA_BOLD, "%c ",
			   !d->kids ? ' ' : d->open ? '-' : '+');
	tv_prefix(t, sec, d, pre, sizeof(pre), c->w - x);
	x += canvas_text(c, x, y, c->w - x, pre, CC_DIM, 0);
	x += canvas_text(c, x, y, c->w - x, name ? name : "?", match ? CC_MATCH : CC_NORMAL,
			 match ? CA_BOLD | CA_UNDERLINE : 0);
	if (mod && *mod) {
		const char *base = strrchr(mod, '/');

		canvas_printf(c, x, y, c->w - x, CC_DIM, 0, "  %s", base ? base + 1 : mod);
	}
	if (r == t->cur)
		canvas_paint(c, 0, y, c->w, CC_SELECTED, CA_REVERSE | CA_BOLD);
}

static void tv_draw_header(const struct tv *t, struct canvas *c, int y, int sec,
			   const struct ui_model *m)
{
	const char *name = profile_func_name(m->p, t->sw.focus);

	canvas_fill(c, 0, y, c->w, ' ', CC_HEADER, CA_BOLD);
	canvas_printf(c, 0, y, c->w, CC_HEADER, CA_BOLD, "%s  %s of %s  (%% of all %llu samples)",
		      sec ? "  total    self" : "  total", sec ? "Callees" : "Callers",
		      name ? name : "?", (unsigned long long)t->samples);
}

/* Display lines: header, callers rows, blank, header, callees rows. */
static void tv_draw_line(const struct tv *t, struct canvas *c, int y, long line,
			 const struct ui_model *m)
{
	long n0 = (long)t->sw.sec[0].nrows, n1 = (long)t->sw.sec[1].nrows;

	if (line == 0)
		tv_draw_header(t, c, y, SANDWICH_CALLERS, m);
	else if (line <= n0)
		tv_draw_node(t, c, y, (size_t)(line - 1), m);
	else if (line == n0 + 2)
		tv_draw_header(t, c, y, SANDWICH_CALLEES, m);
	else if (line > n0 + 2 && line <= n0 + 2 + n1)
		tv_draw_node(t, c, y, (size_t)(line - 3), m);
}

/* Keep the cursor in view, and a section's title with its root row. */
static void tv_scroll(struct tv *t, int h)
{
	long n0 = (long)t->sw.sec[0].nrows, total = (long)sandwich_nrows(&t->sw) + 3;
	long line = (long)t->cur + ((long)t->cur < n0 ? 1 : 3);
	long top = line - (h >= 2 && ((long)t->cur == 0 || (long)t->cur == n0));

	if (top < t->scroll)
		t->scroll = top;
	if (line >= t->scroll + h)
		t->scroll = line - h + 1;
	if (t->scroll > total - h)
		t->scroll = total - h;
	if (t->scroll < 0)
		t->scroll = 0;
}

static void tv_draw_empty(const struct tv *t, struct canvas *c, int y, const struct ui_model *m)
{
	const char *name = m && m->p ? profile_func_name(m->p, t->sw.focus) : NULL;

	if (t->err)
		canvas_text(c, 1, y, c->w - 1, t->err == -ENOMEM ? "out of memory: no call tree" :
			    "call tree unavailable: unexpected profile layout", CC_WARN, 0);
	else if (!t->samples)
		canvas_text(c, 1, y, c->w - 1, "no samples yet", CC_DIM, 0);
	else if (!name)
		canvas_text(c, 1, y, c->w - 1, "no function selected: press Enter on one in the "
			    "hot view", CC_DIM, 0);
	else
		canvas_printf(c, 1, y, c->w - 1, CC_DIM, 0, "%s: no samples in it (yet)", name);
}

static void tv_draw(struct view *v, struct canvas *c, int y, int h, const struct ui_model *m)
{
	struct tv *t = v->priv;

	tv_refresh(t, m);
	t->ascii = c->ascii;
	if (h <= 0 || c->w <= 0)
		return;
	t->page = h;
	for (int i = 0; i < h; i++)
		canvas_fill(c, 0, y + i, c->w, ' ', CC_NORMAL, 0);
	if (!sandwich_nrows(&t->sw) || t->err || !m || !m->p) {
		tv_draw_empty(t, c, y, m);
		return;
	}
	tv_scroll(t, h);
	for (int i = 0; i < h; i++)
		tv_draw_line(t, c, y + i, t->scroll + i, m);
	if (t->sw.truncated && h > 1)
		canvas_text(c, 0, y + h - 1, c->w, "(tree truncated: too many call paths)",
			    CC_WARN, 0);
}

/* ---- the rest of the vtable ---------------------------------------------- */

static void tv_focus(struct view *v, uint32_t func, const struct ui_model *m)
{
	struct tv *t = v->priv;

	/* Coming from another view starts a fresh history. */
	t->nhist = 0;
	tv_set_focus(t, func, 0);
	tv_refresh(t, m);
}

static uint32_t tv_selected(const struct view *v)
{
	const struct tv *t = v->priv;
	const struct sandwich_node *d = sandwich_row(&t->sw, t->cur, NULL);

	return d ? d->func : t->sw.focus;
}

static void tv_cat(char *buf, size_t len, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + 1 >= len)
		return;
	if (n > len - 1 - *o)
		n = len - 1 - *o;
	memcpy(buf + *o, s, n);
	*o += n;
	buf[*o] = '\0';
}

/* "caller → ... → callee": the cursor's path, its middle elided when long. */
static void tv_status(const struct view *v, const struct ui_model *m, char *buf, size_t len)
{
	const struct tv *t = v->priv;
	int sec = 0;
	const struct sandwich_node *d = sandwich_row(&t->sw, t->cur, &sec), *path[6];
	const char *arrow = t->ascii ? " -> " : " \u2192 ";
	size_t n = 0, o = 0;
	char num[64];

	if (!len)
		return;
	buf[0] = '\0';
	if (!d || !m || !m->p)
		return;
	for (const struct sandwich_node *a = d; n < 4; a = &t->sw.sec[sec].d[a->parent]) {
		path[n++] = a;
		if (a->parent == SANDWICH_NONE)
			break;
	}
	if (path[n - 1]->parent != SANDWICH_NONE) {
		if (path[n - 1]->depth > 1)
			path[n++] = NULL;	/* the elided middle */
		path[n++] = &t->sw.sec[sec].d[0];
	}
	for (size_t i = 0; i < n; i++) {
		const struct sandwich_node *a = path[sec == SANDWICH_CALLERS ? i : n - 1 - i];
		const char *name = a ? profile_func_name(m->p, a->func) : NULL;

		if (i)
			tv_cat(buf, len, &o, arrow);
		if (!a)
			name = t->ascii ? "..." : "\u2026";
		tv_cat(buf, len, &o, name ? name : "?");
	}
	snprintf(num, sizeof(num), "  %.1f%% of samples", tv_pct(t, d->total));
	tv_cat(buf, len, &o, num);
	if (sec == SANDWICH_CALLEES) {
		snprintf(num, sizeof(num), " (self %.1f%%)", tv_pct(t, d->self));
		tv_cat(buf, len, &o, num);
	}
}

static void tv_destroy(struct view *v)
{
	struct tv *t = v->priv;

	sandwich_release(&t->sw);
	free(t);
}

static const struct view_ops tv_ops = {
	.name = "call tree",
	.draw = tv_draw,
	.key = tv_key,
	.focus = tv_focus,
	.selected = tv_selected,
	.status = tv_status,
	.destroy = tv_destroy,
};

struct view *view_tree_new(void)
{
	struct tv *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->view.ops = &tv_ops;
	t->view.priv = t;
	sandwich_init(&t->sw);
	t->built_focus = SANDWICH_NONE;
	return &t->view;
}
