/* view_diff.c — the hot-function table as now versus the baseline: self shares before and now, their change, largest first. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "proftui/flamelayout.h"
#include "proftui/keys.h"
#include "proftui/report.h"
#include "proftui/sanitize.h"
#include "proftui/uidiff.h"
#include "proftui/view.h"

/*
 * The UI shows this view in the hot table's place while a baseline is
 * pinned and the diff is on.  The rows are uidiff's (diff_rows' order:
 * largest self change first), rebuilt there only when the shown profile
 * changes; this file keeps the cursor and draws them.  A row whose function
 * only the baseline has cannot be drilled into: there is nothing of it now.
 */

/* "%6.2f%%" and "%+7.2f" are both 7 columns, as in the batch diff. */
#define DV_COL_W	7
#define DV_GAP		2
#define DV_FUNC_MIN	10
#define DV_MOD_MIN	7
#define DV_MOD_MAX	24
#define DV_STATUS_NAME	256

struct dv {
	const struct diff_row *rows;   /* uidiff's, as of the last sync */
	size_t nrows;
	int err;                /* uidiff_rows failed: say so rather than nothing */
	unsigned serial;        /* uidiff_rows_serial when rows were taken */
	bool have;
	int mod_w;
	bool mod_stale;         /* rows changed since mod_w was measured */
	/* The cursor follows a function of now (sel: always rows[cursor].func,
	 * PROF_NONE on a row only the baseline has), else stays on its row. */
	uint32_t sel;
	size_t cursor, top, page;
	unsigned epoch;
};

/* Which columns fit, and where they go. */
struct dv_layout {
	bool before, now, total, module;
	int x_now, x_delta, x_total, x_func, func_w, x_mod;
};

static const char *dv_name(const struct diff_row *r)
{
	return r->name && *r->name ? r->name : "[unknown]";
}

static const char *dv_module(const struct diff_row *r)
{
	return r->module && *r->module ? report_basename(r->module) : "[unknown]";
}

static int dv_mod_width(const struct canvas *c, const struct diff_row *rows, size_t n)
{
	int w = DV_MOD_MIN;

	for (size_t i = 0; i < n && w < DV_MOD_MAX; i++) {
		int cols = canvas_width(c, dv_module(&rows[i]));

		if (cols > w)
			w = cols;
	}
	return w < DV_MOD_MAX ? w : DV_MOD_MAX;
}

static void dv_refind(struct dv *t)
{
	if (!t->nrows) {
		t->cursor = 0;
		return;
	}
	for (size_t i = 0; t->sel != PROF_NONE && i < t->nrows; i++) {
		if (t->rows[i].func == t->sel) {
			t->cursor = i;
			return;
		}
	}
	if (t->cursor >= t->nrows)
		t->cursor = t->nrows - 1;
	t->sel = t->rows[t->cursor].func;
}

/* Take uidiff's rows; the cursor and module width follow only when they
 * were rebuilt (the width at the next draw: it needs the canvas). */
static void dv_sync(struct dv *t, const struct ui_model *m)
{
	const struct diff_row *rows;
	long n;

	/* As the batch diff: a side without samples has nothing to compare,
	 * and a table of -100s would say less than "no samples yet". */
	if (!m || !m->p || !m->diff || !uidiff_base(m->diff) ||
	    !profile_stats_const(uidiff_base(m->diff))->samples ||
	    !profile_stats_const(m->p)->samples) {
		t->rows = NULL;
		t->nrows = 0;
		t->have = false;
		return;
	}
	/* A reset renumbers functions; other new epochs keep them. */
	if (t->epoch != m->epoch && t->sel != PROF_NONE && t->sel >= profile_nfuncs(m->p))
		t->sel = PROF_NONE;
	t->epoch = m->epoch;
	n = uidiff_rows(m->diff, m->p, m->epoch, &rows);
	t->err = n < 0 ? (int)n : 0;
	if (t->have && n >= 0 && t->serial == uidiff_rows_serial(m->diff))
		return;
	t->rows = n > 0 ? rows : NULL;
	t->nrows = n > 0 ? (size_t)n : 0;
	t->have = n >= 0;
	t->serial = uidiff_rows_serial(m->diff);
	t->mod_stale = true;
	dv_refind(t);
}

static void dv_select(struct dv *t, size_t row)
{
	if (!t->nrows)
		return;
	t->cursor = row < t->nrows ? row : t->nrows - 1;
	t->sel = t->rows[t->cursor].func;
}

/* Columns give way in this order: module, TOTAL-Δ, BEFORE%, NOW%; DELTA
 * and the function always stay. */
static void dv_layout(int w, int mod_w, struct dv_layout *l)
{
	bool *drop[] = { &l->module, &l->total, &l->before, &l->now };
	const int col = DV_COL_W + DV_GAP;

	l->before = l->now = l->total = l->module = true;
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		int need = (l->before + l->now + 1 + l->total) * col + DV_FUNC_MIN +
			   (l->module ? DV_GAP + mod_w : 0);

		if (need <= w)
			break;
		*drop[i] = false;
	}
	l->x_now = l->before ? col : 0;
	l->x_delta = l->x_now + (l->now ? col : 0);
	l->x_total = l->x_delta + col;
	l->x_func = l->x_total + (l->total ? col : 0);
	l->x_mod = l->module ? w - mod_w : w;
	l->func_w = (l->module ? l->x_mod - DV_GAP : w) - l->x_func;
	if (l->func_w < 1)
		l->func_w = 1;
}

static void dv_right(struct canvas *c, int x, int y, int w, const char *s, uint8_t color,
		     uint8_t attr)
{
	int cols = canvas_width(c, s);

	canvas_text(c, cols < w ? x + w - cols : x, y, w, s, color, attr);
}

static void dv_header(struct canvas *c, int y, const struct dv_layout *l)
{
	canvas_fill(c, 0, y, c->w, ' ', CC_HEADER, CA_BOLD);
	if (l->before)
		dv_right(c, 0, y, DV_COL_W, "BEFORE%", CC_HEADER, CA_BOLD);
	if (l->now)
		dv_right(c, l->x_now, y, DV_COL_W, "NOW%", CC_HEADER, CA_BOLD);
	/* The order is by this column's size, whichever way it changed. */
	dv_right(c, l->x_delta, y, DV_COL_W, c->ascii ? "DELTAv" : "DELTA\u25bc", CC_HEADER,
		 CA_BOLD);
	if (l->total)
		dv_right(c, l->x_total, y, DV_COL_W, c->ascii ? "TOTAL-D" : "TOTAL-\u0394",
			 CC_HEADER, CA_BOLD);
	canvas_text(c, l->x_func, y, l->func_w, "FUNCTION", CC_HEADER, CA_BOLD);
	if (l->module)
		canvas_text(c, l->x_mod, y, c->w - l->x_mod, "MODULE", CC_HEADER, CA_BOLD);
}

/* Grew: the warning hue; shrank: blue; no visible change: plain. */
static uint8_t dv_hue(double delta)
{
	double d = diff_shown(delta);

	return d > 0 ? CC_UP : d < 0 ? CC_DOWN : CC_NORMAL;
}

static void dv_row(struct canvas *c, int y, const struct dv_layout *l, const struct diff_row *r,
		   bool cur, const struct ui_model *m)
{
	uint8_t attr = cur ? CA_REVERSE | CA_BOLD : 0;
	uint8_t hue = cur ? CC_SELECTED : dv_hue(r->d_self);
	uint8_t thue = cur ? CC_SELECTED : dv_hue(r->d_total);
	uint8_t plain = cur ? CC_SELECTED : CC_NORMAL;
	const char *name = dv_name(r);
	uint8_t fcol = !cur && flame_match(name, m->search) ? CC_MATCH : hue;

	if (cur)
		canvas_fill(c, 0, y, c->w, ' ', CC_SELECTED, attr);
	if (l->before)
		canvas_printf(c, 0, y, DV_COL_W, plain, attr, "%6.2f%%", r->before_self);
	if (l->now)
		canvas_printf(c, l->x_now, y, DV_COL_W, plain, attr, "%6.2f%%", r->now_self);
	canvas_printf(c, l->x_delta, y, DV_COL_W, hue, attr | (cur ? 0 : CA_BOLD), "%+7.2f",
		      diff_shown(r->d_self));
	if (l->total)
		canvas_printf(c, l->x_total, y, DV_COL_W, thue, attr, "%+7.2f",
			      diff_shown(r->d_total));
	canvas_text(c, l->x_func, y, l->func_w, name, fcol, attr);
	if (l->module)
		canvas_text(c, l->x_mod, y, c->w - l->x_mod, dv_module(r), cur ? CC_SELECTED : CC_DIM,
			    attr);
}

static void dv_empty(const struct dv *t, struct canvas *c, int y, const struct ui_model *m)
{
	const struct profile *base = m && m->diff ? uidiff_base(m->diff) : NULL;

	if (!base)
		canvas_text(c, 0, y, c->w, "no baseline: b pins the profile shown", CC_DIM, 0);
	else if (t->err)
		canvas_text(c, 0, y, c->w, "cannot compare: out of memory", CC_WARN, 0);
	else if (!profile_stats_const(base)->samples)
		canvas_text(c, 0, y, c->w, "no samples in the baseline", CC_DIM, 0);
	else
		canvas_text(c, 0, y, c->w, "no samples yet", CC_DIM, 0);
}

static void dv_scroll(struct dv *t, size_t rows)
{
	size_t max_top = t->nrows > rows ? t->nrows - rows : 0;

	if (t->cursor < t->top)
		t->top = t->cursor;
	if (t->cursor >= t->top + rows)
		t->top = t->cursor - rows + 1;
	if (t->top > max_top)
		t->top = max_top;
}

static void dv_draw(struct view *v, struct canvas *c, int y, int h, const struct ui_model *m)
{
	struct dv *t = v->priv;
	struct dv_layout l;

	if (y < 0 || y >= c->h || h <= 0 || c->w <= 0)
		return;
	if (h > c->h - y)
		h = c->h - y;
	dv_sync(t, m);
	if (t->mod_stale) {
		t->mod_w = dv_mod_width(c, t->rows, t->nrows);
		t->mod_stale = false;
	}
	dv_layout(c->w, t->mod_w, &l);
	if (h >= 2) {
		dv_header(c, y, &l);
		y++;
		h--;
	}
	t->page = (size_t)h;
	if (!t->nrows) {
		dv_empty(t, c, y, m);
		return;
	}
	dv_scroll(t, (size_t)h);
	for (int i = 0; i < h && t->top + (size_t)i < t->nrows; i++) {
		size_t r = t->top + (size_t)i;

		dv_row(c, y + i, &l, &t->rows[r], r == t->cursor, m);
	}
}

static void dv_find(struct dv *t, const struct ui_model *m, int dir)
{
	if (!m->search || !*m->search || !t->nrows)
		return;
	for (size_t i = 1; i <= t->nrows; i++) {
		size_t r = dir > 0 ? (t->cursor + i) % t->nrows : (t->cursor + t->nrows - i) % t->nrows;

		if (flame_match(dv_name(&t->rows[r]), m->search)) {
			dv_select(t, r);
			return;
		}
	}
}

static size_t dv_page(const struct dv *t)
{
	return t->page ? t->page : 1;
}

static unsigned dv_move(struct dv *t, int key)
{
	long step, to;

	if (!keys_list_step(key, (long)dv_page(t), (long)t->nrows, &step))
		return VR_IGNORED;
	to = (long)t->cursor + step;
	dv_select(t, to > 0 ? (size_t)to : 0);   /* dv_select clamps the end */
	return VR_HANDLED;
}

static unsigned dv_key(struct view *v, int key, const struct ui_model *m)
{
	struct dv *t = v->priv;
	bool here;

	dv_sync(t, m);
	here = t->nrows && t->sel != PROF_NONE;
	switch (key) {
	case '<': case '>': case K_F6:
		return VR_HANDLED;   /* always by the size of the change */
	case 'n': case 'N':
		dv_find(t, m, key == 'n' ? 1 : -1);
		return VR_HANDLED;
	case K_ENTER:
		return here ? VR_DRILL : VR_HANDLED;
	case 'f':
		return here ? VR_FLAME : VR_HANDLED;
	default:
		return dv_move(t, key);
	}
}

static void dv_focus(struct view *v, uint32_t func, const struct ui_model *m)
{
	struct dv *t = v->priv;

	dv_sync(t, m);
	t->sel = func;
	dv_refind(t);
}

static uint32_t dv_selected(const struct view *v)
{
	const struct dv *t = v->priv;

	/* An id, not the row: the rows may have gone with the baseline. */
	return t->nrows ? t->sel : PROF_NONE;
}

/* The rows are uidiff's cache: refreshing them here keeps the status line
 * on the profile the table shows (as view_top does). */
static void dv_status(const struct view *v, const struct ui_model *m, char *buf, size_t len)
{
	struct dv *t = v->priv;
	char name[DV_STATUS_NAME], mod[DV_STATUS_NAME], line[3 * DV_STATUS_NAME];
	const struct diff_row *r;

	if (!len)
		return;
	buf[0] = '\0';
	dv_sync(t, m);
	if (!t->nrows)
		return;
	r = &t->rows[t->cursor];
	sanitize_name(dv_name(r), name, sizeof(name));
	sanitize_name(dv_module(r), mod, sizeof(mod));
	snprintf(line, sizeof(line), "%s  (%s)  %sself %.1f%% -> %.1f%% (%+.2f)  total %.1f%% -> %.1f%% (%+.2f)",
		 name, mod, r->func == PROF_NONE ? "only in the baseline: " : "", r->before_self,
		 r->now_self, diff_shown(r->d_self), r->before_total, r->now_total,
		 diff_shown(r->d_total));
	sanitize_name(line, buf, len);
}

static void dv_destroy(struct view *v)
{
	free(v->priv);
	free(v);
}

static const struct view_ops dv_ops = {
	.name = "diff",
	.draw = dv_draw,
	.key = dv_key,
	.focus = dv_focus,
	.selected = dv_selected,
	.status = dv_status,
	.destroy = dv_destroy,
};

struct view *view_diff_new(void)
{
	struct view *v = calloc(1, sizeof(*v));
	struct dv *t = calloc(1, sizeof(*t));

	if (!v || !t) {
		free(v);
		free(t);
		return NULL;
	}
	t->sel = PROF_NONE;
	t->mod_w = DV_MOD_MIN;
	v->ops = &dv_ops;
	v->priv = t;
	return v;
}
