/* view_top.c — the hot-function table: the live UI's main view, one sortable row per function. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/offcpu.h"
#include "proftui/sanitize.h"
#include "proftui/view.h"

/* Column widths, as in batch mode's table ("%6.2f%%" is 7 columns). */
#define TOP_PCT_W	7
#define TOP_COUNT_W	9
#define TOP_GAP		2
/* Narrower than this, the function column gives way to other columns. */
#define TOP_FUNC_MIN	10
/* The module column fits the longest base name within these bounds. */
#define TOP_MOD_MIN	7
#define TOP_MOD_MAX	24
/* Status-line fields are cut here; the status line is one screen row. */
#define TOP_STATUS_NAME	256

enum { TOP_SORTS = PROF_SORT_MODULE + 1 };

struct top {
	enum prof_sort sort;
	/* Rows derived from the profile, valid for (epoch, samples, sort). */
	struct prof_row *rows;
	size_t nrows;
	bool valid;
	int err;                /* profile_hot failed: show it rather than nothing */
	unsigned epoch;
	uint64_t samples;
	enum prof_sort rows_sort;
	int mod_w;
	/* --off-cpu: each function's total by state, NULL without off-CPU time. */
	struct offcpu_split *split;
	/* The cursor follows a function, not a row index, across re-sorts. */
	uint32_t sel;
	size_t cursor;
	size_t top;             /* first row shown */
	size_t page;            /* body rows at the last draw, for PgUp/PgDn */
};

/* Which columns fit, and where they go. */
struct top_layout {
	bool self, total, states, samples, module;
	int x_total, x_states, x_samples, x_func, func_w, x_mod;
};

/* CPU% RUNQ% IOWAIT% SLEEP%: four percentage columns. */
#define TOP_STATES_W	(CPU__COUNT * (TOP_PCT_W + TOP_GAP))

static const char *top_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	/* "dir/" has no base name worth showing: keep the whole path. */
	return slash && slash[1] ? slash + 1 : path;
}

/* Empty names would leave a blank column: say so instead, as batch mode does. */
static const char *top_name(const struct profile *p, uint32_t func)
{
	const char *s = profile_func_name(p, func);

	return s && *s ? s : "[unknown]";
}

static const char *top_module(const struct profile *p, uint32_t func)
{
	const char *s = profile_func_module(p, func);

	return s && *s ? top_basename(s) : "[unknown]";
}

static double top_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* ASCII case folding only: names are bytes from anywhere, not locale text. */
static int top_lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static bool top_match(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!n)
		return false;
	for (; *hay; hay++) {
		size_t i = 0;

		while (i < n && hay[i] && top_lower((unsigned char)hay[i]) ==
		       top_lower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

static const char *top_search(const struct ui_model *m)
{
	return m && m->search ? m->search : "";
}

/* Columns of a module name once escaped; ASCII is most of it, so counting
 * UTF-8 lead bytes is close enough for sizing a column. */
static size_t top_cols(const char *s)
{
	char buf[TOP_MOD_MAX * 4 + 1];
	size_t cols = 0;

	sanitize_name(s, buf, sizeof(buf));
	for (const char *b = buf; *b; b++)
		cols += ((unsigned char)*b & 0xc0) != 0x80;
	return cols;
}

static int top_mod_width(const struct profile *p, const struct prof_row *rows, size_t n)
{
	size_t w = TOP_MOD_MIN;

	for (size_t i = 0; i < n && w < TOP_MOD_MAX; i++) {
		size_t cols = top_cols(top_module(p, rows[i].func));

		if (cols > w)
			w = cols;
	}
	return w < TOP_MOD_MAX ? (int)w : TOP_MOD_MAX;
}

/* Put the cursor back on the selected function, or keep its row index. */
static void top_refind(struct top *t)
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

static void top_drop_rows(struct top *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
	free(t->split);
	t->split = NULL;
}

/* With time off the CPU in the profile, the split columns' figures. */
static void top_split(struct top *t, const struct profile *p)
{
	bool any = false;

	if (offcpu_split(p, t->rows, t->nrows, &t->split, &any) == 0 && !any) {
		free(t->split);
		t->split = NULL;
	}
}

/* Rebuild the rows only when the profile or the sort changed. */
static void top_sync(struct top *t, const struct ui_model *m)
{
	const struct profile *p = m ? m->p : NULL;
	uint64_t samples;
	long n;

	if (!p) {
		top_drop_rows(t);
		t->valid = false;
		t->cursor = 0;
		return;
	}
	samples = profile_stats_const(p)->samples;
	if (t->valid && t->epoch == m->epoch && t->samples == samples && t->rows_sort == t->sort)
		return;
	/* A reset renumbers functions; a pause snapshot keeps them. */
	if (t->epoch != m->epoch && t->sel != PROF_NONE && t->sel >= profile_nfuncs(p))
		t->sel = PROF_NONE;
	top_drop_rows(t);
	n = profile_hot(p, t->sort, &t->rows);
	t->err = n < 0 ? (int)n : 0;
	t->nrows = n > 0 ? (size_t)n : 0;
	/* After a failure, try again next time rather than caching nothing. */
	t->valid = n >= 0;
	t->epoch = m->epoch;
	t->samples = samples;
	t->rows_sort = t->sort;
	t->mod_w = top_mod_width(p, t->rows, t->nrows);
	top_split(t, p);
	top_refind(t);
}

static void top_select(struct top *t, size_t row)
{
	if (!t->nrows)
		return;
	t->cursor = row < t->nrows ? row : t->nrows - 1;
	t->sel = t->rows[t->cursor].func;
}

/* Columns give way in this order so the function name keeps some room:
 * the off-CPU split, module, samples, total%, then self%. */
static void top_layout(int w, int mod_w, bool states, struct top_layout *l)
{
	bool *drop[] = { &l->states, &l->module, &l->samples, &l->total, &l->self };
	int need;

	l->self = l->total = l->samples = l->module = true;
	l->states = states;
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		need = (l->self ? TOP_PCT_W + TOP_GAP : 0) + (l->total ? TOP_PCT_W + TOP_GAP : 0) +
		       (l->states ? TOP_STATES_W : 0) +
		       (l->samples ? TOP_COUNT_W + TOP_GAP : 0) + TOP_FUNC_MIN +
		       (l->module ? TOP_GAP + mod_w : 0);
		if (need <= w)
			break;
		*drop[i] = false;
	}
	l->x_total = l->self ? TOP_PCT_W + TOP_GAP : 0;
	l->x_states = l->x_total + (l->total ? TOP_PCT_W + TOP_GAP : 0);
	l->x_samples = l->x_states + (l->states ? TOP_STATES_W : 0);
	l->x_func = l->x_samples + (l->samples ? TOP_COUNT_W + TOP_GAP : 0);
	l->x_mod = l->module ? w - mod_w : w;
	l->func_w = (l->module ? l->x_mod - TOP_GAP : w) - l->x_func;
	if (l->func_w < 1)
		l->func_w = 1;
}

/* Right-align text in a field; clipped at the field's right edge. */
static void top_right(struct canvas *c, int x, int y, int w, const char *s,
		      uint8_t color, uint8_t attr)
{
	int cols = canvas_width(c, s);

	canvas_text(c, cols < w ? x + w - cols : x, y, w, s, color, attr);
}

static void top_title(const struct top *t, struct canvas *c, int x, int y, int w,
		      const char *title, enum prof_sort key, bool right)
{
	char buf[32];
	bool sorted = t->sort == key;

	snprintf(buf, sizeof(buf), "%s%s", title, !sorted ? "" : c->ascii ? "v" : "\u25bc");
	if (right)
		top_right(c, x, y, w, buf, CC_HEADER, CA_BOLD);
	else
		canvas_text(c, x, y, w, buf, CC_HEADER, CA_BOLD);
}

static void top_header(const struct top *t, struct canvas *c, int y, const struct top_layout *l)
{
	canvas_fill(c, 0, y, c->w, ' ', CC_HEADER, CA_BOLD);
	if (l->self)
		top_title(t, c, 0, y, TOP_PCT_W, "SELF%", PROF_SORT_SELF, true);
	if (l->total)
		top_title(t, c, l->x_total, y, TOP_PCT_W, "TOTAL%", PROF_SORT_TOTAL, true);
	if (l->states) {
		static const char *const names[CPU__COUNT] = { "CPU%", "RUNQ%", "IOWAIT%", "SLEEP%" };

		for (int k = 0; k < CPU__COUNT; k++)
			top_right(c, l->x_states + k * (TOP_PCT_W + TOP_GAP), y, TOP_PCT_W, names[k],
				  CC_HEADER, CA_BOLD);
	}
	if (l->samples)
		top_right(c, l->x_samples, y, TOP_COUNT_W, "SAMPLES", CC_HEADER, CA_BOLD);
	top_title(t, c, l->x_func, y, l->func_w, "FUNCTION", PROF_SORT_NAME, false);
	if (l->module)
		top_title(t, c, l->x_mod, y, c->w - l->x_mod, "MODULE", PROF_SORT_MODULE, false);
}

/* A count that would overflow its column is shown in thousands instead. */
static void top_count(struct canvas *c, int x, int y, uint64_t n, uint8_t color, uint8_t attr)
{
	char buf[32];

	if (n < 1000000000u)
		snprintf(buf, sizeof(buf), "%" PRIu64, n);
	else
		snprintf(buf, sizeof(buf), "%" PRIu64 "k", n / 1000);
	top_right(c, x, y, TOP_COUNT_W, buf, color, attr);
}

static void top_row(const struct top *t, struct canvas *c, int y, const struct top_layout *l,
		    const struct prof_row *r, bool cur, const struct ui_model *m)
{
	const char *name = top_name(m->p, r->func);
	uint8_t attr = cur ? CA_REVERSE | CA_BOLD : 0;
	/* Zero self counts are the callers: dim them so the leaves stand out. */
	uint8_t num = cur ? CC_SELECTED : r->self ? CC_NORMAL : CC_DIM;
	uint8_t fcol = cur ? CC_SELECTED : top_match(name, top_search(m)) ? CC_MATCH : CC_NORMAL;

	if (cur)
		canvas_fill(c, 0, y, c->w, ' ', CC_SELECTED, attr);
	if (l->self)
		canvas_printf(c, 0, y, TOP_PCT_W, num, attr, "%6.2f%%", top_pct(r->self, t->samples));
	if (l->total)
		canvas_printf(c, l->x_total, y, TOP_PCT_W, cur ? CC_SELECTED : CC_NORMAL, attr,
			      "%6.2f%%", top_pct(r->total, t->samples));
	for (int k = 0; l->states && t->split && k < CPU__COUNT; k++)
		canvas_printf(c, l->x_states + k * (TOP_PCT_W + TOP_GAP), y, TOP_PCT_W,
			      cur ? CC_SELECTED : CC_NORMAL, attr, "%6.2f%%",
			      top_pct(t->split[r->func].v[k], t->samples));
	if (l->samples)
		top_count(c, l->x_samples, y, r->self, num, attr);
	canvas_text(c, l->x_func, y, l->func_w, name, fcol, attr);
	if (l->module)
		canvas_text(c, l->x_mod, y, c->w - l->x_mod, top_module(m->p, r->func),
			    cur ? CC_SELECTED : CC_DIM, attr);
}

/* Scroll as little as needed to keep the cursor in view. */
static void top_scroll(struct top *t, size_t rows)
{
	size_t max_top = t->nrows > rows ? t->nrows - rows : 0;

	if (t->cursor < t->top)
		t->top = t->cursor;
	if (t->cursor >= t->top + rows)
		t->top = t->cursor - rows + 1;
	if (t->top > max_top)
		t->top = max_top;
}

static void top_empty(const struct top *t, struct canvas *c, int y, const struct ui_model *m)
{
	if (t->err)
		canvas_printf(c, 0, y, c->w, CC_WARN, 0, "cannot build the table: %s",
			      strerror(-t->err));
	else if (m && m->p && t->samples)
		canvas_printf(c, 0, y, c->w, CC_DIM, 0,
			      "no samples with a known stack yet (%" PRIu64 " without)", t->samples);
	else
		canvas_text(c, 0, y, c->w, "no samples yet", CC_DIM, 0);
}

static void top_draw(struct view *v, struct canvas *c, int y, int h, const struct ui_model *m)
{
	struct top *t = v->priv;
	struct top_layout l;

	if (y < 0 || y >= c->h || h <= 0 || c->w <= 0)
		return;
	if (h > c->h - y)
		h = c->h - y;
	top_sync(t, m);
	top_layout(c->w, t->mod_w, t->split != NULL, &l);
	/* One row only: the cursor's row says more than the titles. */
	if (h >= 2) {
		top_header(t, c, y, &l);
		y++;
		h--;
	}
	t->page = (size_t)h;
	if (!t->nrows) {
		top_empty(t, c, y, m);
		return;
	}
	top_scroll(t, (size_t)h);
	for (int i = 0; i < h && t->top + (size_t)i < t->nrows; i++) {
		size_t r = t->top + (size_t)i;

		top_row(t, c, y + i, &l, &t->rows[r], r == t->cursor, m);
	}
}

/* n / N: the next (dir > 0) or previous matching row, wrapping around. */
static void top_find(struct top *t, const struct ui_model *m, int dir)
{
	const char *search = top_search(m);

	if (!*search || !t->nrows)
		return;
	for (size_t i = 1; i <= t->nrows; i++) {
		size_t r = dir > 0 ? (t->cursor + i) % t->nrows
				   : (t->cursor + t->nrows - i) % t->nrows;

		if (top_match(top_name(m->p, t->rows[r].func), search)) {
			top_select(t, r);
			return;
		}
	}
}

static void top_resort(struct top *t, const struct ui_model *m, int step)
{
	t->sort = (enum prof_sort)(((int)t->sort + step + TOP_SORTS) % TOP_SORTS);
	top_sync(t, m);
}

static size_t top_page(const struct top *t)
{
	return t->page ? t->page : 1;
}

static unsigned top_move(struct top *t, int key)
{
	long step, to;

	if (!keys_list_step(key, (long)top_page(t), (long)t->nrows, &step))
		return VR_IGNORED;
	to = (long)t->cursor + step;
	top_select(t, to > 0 ? (size_t)to : 0);   /* top_select clamps the end */
	return VR_HANDLED;
}

static unsigned top_key(struct view *v, int key, const struct ui_model *m)
{
	struct top *t = v->priv;

	top_sync(t, m);
	switch (key) {
	case '<':
		top_resort(t, m, -1);
		return VR_HANDLED;
	case '>': case K_F6:
		top_resort(t, m, 1);
		return VR_HANDLED;
	case 'n': case 'N':
		top_find(t, m, key == 'n' ? 1 : -1);
		return VR_HANDLED;
	case K_ENTER:
		return t->nrows ? VR_DRILL : VR_HANDLED;
	case 'f':
		return t->nrows ? VR_FLAME : VR_HANDLED;
	default:
		return top_move(t, key);
	}
}

static void top_focus(struct view *v, uint32_t func, const struct ui_model *m)
{
	struct top *t = v->priv;

	top_sync(t, m);
	t->sel = func;
	top_refind(t);
}

static uint32_t top_selected(const struct view *v)
{
	const struct top *t = v->priv;

	return t->nrows ? t->sel : PROF_NONE;
}

/*
 * The rows are a cache, not state the caller can see, so refreshing them
 * here is fine although the view is const: the status line must describe
 * the same profile the table shows.
 */
static void top_status(const struct view *v, const struct ui_model *m, char *buf, size_t len)
{
	struct top *t = v->priv;
	char name[TOP_STATUS_NAME], mod[TOP_STATUS_NAME], line[3 * TOP_STATUS_NAME];
	const struct prof_row *r;

	if (!len)
		return;
	buf[0] = '\0';
	top_sync(t, m);
	if (!t->nrows)
		return;
	r = &t->rows[t->cursor];
	sanitize_name(top_name(m->p, r->func), name, sizeof(name));
	sanitize_name(top_module(m->p, r->func), mod, sizeof(mod));
	snprintf(line, sizeof(line), "%s  (%s)  self %.1f%% (%" PRIu64 ")  total %.1f%% (%" PRIu64 ")",
		 name, mod, top_pct(r->self, t->samples), r->self,
		 top_pct(r->total, t->samples), r->total);
	/* Never cut a character in two, however short buf is. */
	sanitize_name(line, buf, len);
}

static void top_destroy(struct view *v)
{
	struct top *t = v->priv;

	top_drop_rows(t);
	free(t);
	free(v);
}

static const struct view_ops top_ops = {
	.name = "top",
	.draw = top_draw,
	.key = top_key,
	.focus = top_focus,
	.selected = top_selected,
	.status = top_status,
	.destroy = top_destroy,
};

struct view *view_top_new(enum prof_sort sort)
{
	struct view *v = calloc(1, sizeof(*v));
	struct top *t = calloc(1, sizeof(*t));

	if (!v || !t) {
		free(v);
		free(t);
		return NULL;
	}
	t->sort = (unsigned)sort < TOP_SORTS ? sort : PROF_SORT_SELF;
	t->sel = PROF_NONE;
	v->ops = &top_ops;
	v->priv = t;
	return v;
}

enum prof_sort view_top_sort(const struct view *v)
{
	const struct top *t = v->priv;

	return t->sort;
}
