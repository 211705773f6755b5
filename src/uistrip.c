/* uistrip.c — the time strip row of the live UI: heatmap drawing, picking a range, its caption. */
#include "proftui/uistrip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/keys.h"

/* Columns kept right of the heatmap for "  MMM:SS". */
#define UISTRIP_LABEL	8
/* Columns PgUp / PgDn move the cursor. */
#define UISTRIP_PAGE	10
#define UISTRIP_LEVELS	CANVAS_EIGHTHS

struct uistrip {
	bool shown, picking, has_mark, has_range;
	uint64_t cursor, mark;		/* picking: times in the columns meant */
	uint64_t t0, t1;		/* the range, [t0, t1) */
};

/* Which slices each column shows, for a strip and a canvas width. */
struct geom {
	uint64_t slice_ns;
	size_t per;			/* slices per column */
	size_t ncols;			/* columns with slices (at least 1) */
};

/* Every level visible: an empty column is a space. */
static const char uistrip_ascii[UISTRIP_LEVELS + 1] = ".:-=+*#@";

struct uistrip *uistrip_new(void)
{
	return calloc(1, sizeof(struct uistrip));
}

void uistrip_free(struct uistrip *u)
{
	free(u);
}

bool uistrip_shown(const struct uistrip *u)
{
	return u->shown;
}

bool uistrip_picking(const struct uistrip *u)
{
	return u->picking;
}

bool uistrip_range(const struct uistrip *u, uint64_t *t0, uint64_t *t1)
{
	if (!u->has_range)
		return false;
	*t0 = u->t0;
	*t1 = u->t1;
	return true;
}

void uistrip_clear(struct uistrip *u)
{
	u->has_range = u->picking = u->has_mark = false;
}

static struct geom geom_of(const struct tstrip *ts, int canvas_w)
{
	size_t used = tstrip_used(ts), cols = canvas_w > UISTRIP_LABEL + 1 ?
					       (size_t)(canvas_w - UISTRIP_LABEL) : 1;
	struct geom g = { .slice_ns = tstrip_slice_ns(ts) };

	if (!used)
		used = 1;
	g.per = (used + cols - 1) / cols;
	g.ncols = (used + g.per - 1) / g.per;
	return g;
}

static size_t col_of(const struct geom *g, uint64_t t)
{
	uint64_t col = t / g->slice_ns / g->per;

	return col < g->ncols ? (size_t)col : g->ncols - 1;
}

static uint64_t col_start(const struct geom *g, size_t col)
{
	return (uint64_t)col * g->per * g->slice_ns;
}

static uint64_t col_end(const struct geom *g, size_t col)
{
	return col_start(g, col + 1);
}

/* "M:SS.d" of a time from the origin. */
static void fmt_time(uint64_t ns, char *buf, size_t len)
{
	uint64_t ds = ns / 100000000;

	snprintf(buf, len, "%llu:%02llu.%llu", (unsigned long long)(ds / 600),
		 (unsigned long long)(ds / 10 % 60), (unsigned long long)(ds % 10));
}

/* The stretch between the mark and the cursor, whole columns. */
static void picked(const struct uistrip *u, const struct geom *g, uint64_t *t0, uint64_t *t1)
{
	size_t a = col_of(g, u->mark), b = col_of(g, u->cursor);

	*t0 = col_start(g, a < b ? a : b);
	*t1 = col_end(g, a < b ? b : a);
}

static void pick_msg(const struct uistrip *u, const struct geom *g, char *msg, size_t len)
{
	char a[32], b[32];
	uint64_t t0, t1;

	if (u->has_mark) {
		picked(u, g, &t0, &t1);
		fmt_time(t0, a, sizeof(a));
		fmt_time(t1, b, sizeof(b));
		snprintf(msg, len, "range %s-%s: Enter keeps it, Esc cancels", a, b);
		return;
	}
	fmt_time(col_start(g, col_of(g, u->cursor)), a, sizeof(a));
	snprintf(msg, len, "cursor at %s: Enter marks the start (Left/Right move, Esc cancels)", a);
}

static void move_cursor(struct uistrip *u, const struct geom *g, long by)
{
	size_t col = col_of(g, u->cursor);

	if (by < 0)
		col = (size_t)-by > col ? 0 : col - (size_t)-by;
	else
		col = col + (size_t)by >= g->ncols ? g->ncols - 1 : col + (size_t)by;
	u->cursor = col_start(g, col);
}

/* Enter while picking: the mark, then the range. */
static unsigned pick_enter(struct uistrip *u, const struct geom *g, char *msg, size_t len)
{
	char a[32], b[32];

	if (!u->has_mark) {
		u->mark = u->cursor;
		u->has_mark = true;
		pick_msg(u, g, msg, len);
		return UISTRIP_HANDLED;
	}
	picked(u, g, &u->t0, &u->t1);
	u->has_range = true;
	u->picking = u->has_mark = false;
	fmt_time(u->t0, a, sizeof(a));
	fmt_time(u->t1, b, sizeof(b));
	snprintf(msg, len, "views restricted to %s-%s: x shows all of the session again", a, b);
	return UISTRIP_HANDLED | UISTRIP_RANGE;
}

static unsigned pick_key(struct uistrip *u, int key, const struct geom *g, char *msg, size_t len)
{
	switch (key) {
	case K_LEFT: case 'h':
		move_cursor(u, g, -1);
		break;
	case K_RIGHT: case 'l':
		move_cursor(u, g, 1);
		break;
	case K_PGUP:
		move_cursor(u, g, -UISTRIP_PAGE);
		break;
	case K_PGDN:
		move_cursor(u, g, UISTRIP_PAGE);
		break;
	case K_HOME: case 'g':
		u->cursor = 0;
		break;
	case K_END: case 'G':
		u->cursor = col_start(g, g->ncols - 1);
		break;
	case K_ENTER:
		return pick_enter(u, g, msg, len);
	case K_ESC:
		u->picking = u->has_mark = false;
		snprintf(msg, len, "range not changed");
		return UISTRIP_HANDLED;
	default:
		u->picking = u->has_mark = false;
		return UISTRIP_IGNORED;
	}
	pick_msg(u, g, msg, len);
	return UISTRIP_HANDLED;
}

unsigned uistrip_key(struct uistrip *u, int key, const struct tstrip *ts, int canvas_w,
		     char *msg, size_t len)
{
	struct geom g = geom_of(ts, canvas_w);

	if (u->picking)
		return pick_key(u, key, &g, msg, len);
	switch (key) {
	case 's':
		u->shown = !u->shown;
		snprintf(msg, len, u->shown ? "time strip shown: r picks a time range on it" :
			 "time strip hidden");
		return UISTRIP_HANDLED;
	case 'r':
		u->shown = u->picking = true;
		u->has_mark = false;
		u->cursor = u->has_range ? u->t0 : col_start(&g, g.ncols - 1);
		pick_msg(u, &g, msg, len);
		return UISTRIP_HANDLED;
	case 'x':
		if (!u->has_range) {
			snprintf(msg, len, "no time range to clear");
			return UISTRIP_HANDLED;
		}
		u->has_range = false;
		snprintf(msg, len, "time range cleared: all of the session");
		return UISTRIP_HANDLED | UISTRIP_RANGE;
	default:
		return UISTRIP_IGNORED;
	}
}

void uistrip_caption(const struct uistrip *u, uint64_t kept_from, char *buf, size_t len)
{
	char a[32], b[32], k[32];

	buf[0] = '\0';
	if (!u->has_range)
		return;
	fmt_time(u->t0, a, sizeof(a));
	fmt_time(u->t1, b, sizeof(b));
	fmt_time(kept_from, k, sizeof(k));
	if (u->t1 <= kept_from)
		snprintf(buf, len, "range %s-%s (not kept: nothing to show)", a, b);
	else if (u->t0 < kept_from)
		snprintf(buf, len, "range %s-%s (before %s not kept: partial)", a, b, k);
	else
		snprintf(buf, len, "range %s-%s", a, b);
}

/* The colour of a column: the state with the most weight when any was
 * off the CPU, else heat by level. */
static uint8_t column_color(const uint64_t v[CPU__COUNT], bool by_state, int level)
{
	static const uint8_t state_cc[CPU__COUNT] = {
		[CPU_ON] = CC_HOT2, [CPU_RUNNABLE] = CC_RUNQ, [CPU_IOWAIT] = CC_IOWAIT,
		[CPU_SLEEP] = CC_SLEEP,
	};
	int top = CPU_ON;

	if (!by_state)
		return (uint8_t)(CC_HOT0 + level * 5 / UISTRIP_LEVELS);
	for (int k = 1; k < CPU__COUNT; k++)
		if (v[k] > v[top])
			top = k;
	return state_cc[top];
}

static uint64_t total_of(const uint64_t v[CPU__COUNT])
{
	uint64_t t = 0;

	for (int k = 0; k < CPU__COUNT; k++)
		t += v[k];
	return t;
}

/* Whether column col is selected: in the range, or between mark and cursor. */
static bool col_selected(const struct uistrip *u, const struct geom *g, size_t col)
{
	uint64_t t0, t1, a = col_start(g, col), b = col_end(g, col);

	if (u->picking && u->has_mark)
		picked(u, g, &t0, &t1);
	else if (u->has_range && !u->picking)
		t0 = u->t0, t1 = u->t1;
	else
		return false;
	return a < t1 && b > t0;
}

static void draw_column(const struct uistrip *u, struct canvas *c, int y, size_t col,
			const struct geom *g, const uint64_t v[CPU__COUNT], uint64_t max,
			bool by_state)
{
	uint64_t n = total_of(v);
	bool sel = col_selected(u, g, col);
	bool cur = u->picking && col == col_of(g, u->cursor);
	int level = n && max ? (int)((n * (UISTRIP_LEVELS - 1) + max / 2) / max) : 0;
	char ascii[2] = { uistrip_ascii[level], '\0' };
	const char *glyph = c->ascii ? ascii : canvas_eighths[level];
	/* The pairs colour the background: reversed, the glyph takes it. */
	uint8_t color = column_color(v, by_state, level), attr = sel ? 0 : CA_REVERSE;

	if (!n) {
		glyph = " ";
		color = sel ? CC_SELECTED : CC_NORMAL;
		attr = 0;
	}
	if (cur) {
		color = CC_SELECTED;
		attr = CA_BOLD | CA_UNDERLINE;
		if (!n)
			glyph = c->ascii ? "|" : "\xe2\x94\x82";
	}
	canvas_text(c, (int)col, y, 1, glyph, color, attr);
}

void uistrip_draw(const struct uistrip *u, struct canvas *c, int y, const struct tstrip *ts,
		  uint32_t tid)
{
	struct geom g = geom_of(ts, c->w);
	uint64_t max = 0, v[CPU__COUNT];
	bool by_state = tstrip_off_cpu(ts);
	char end[32];

	canvas_fill(c, 0, y, c->w, ' ', CC_NORMAL, 0);
	if (tid && !tstrip_has_thread(ts, tid)) {
		canvas_printf(c, 0, y, c->w, CC_DIM, 0, "time strip: thread %u has no strip of its"
			      " own (only the first %u threads do)", tid, TSTRIP_MAX_THREADS);
		return;
	}
	for (size_t col = 0; col < g.ncols; col++) {
		tstrip_sum(ts, col * g.per, g.per, tid, v);
		if (total_of(v) > max)
			max = total_of(v);
	}
	for (size_t col = 0; col < g.ncols && (int)col < c->w; col++) {
		tstrip_sum(ts, col * g.per, g.per, tid, v);
		draw_column(u, c, y, col, &g, v, max, by_state);
	}
	fmt_time(col_end(&g, g.ncols - 1), end, sizeof(end));
	/* Whole seconds on the label: "M:SS". */
	end[strlen(end) - 2] = '\0';
	canvas_printf(c, (int)g.ncols + 1, y, c->w - (int)g.ncols - 1, CC_DIM, 0, "%s", end);
}
