/* test_view_top.c — the hot-function view drawn into a canvas: order, numbers, keys, search, tiny screens. */
#include <criterion/criterion.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/view.h"

#define APP "/usr/bin/app"
#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define LIBZ "/usr/lib/libz.so.1"

struct fix {
	struct profile *p;
	struct view *v;
	struct canvas c;
	struct ui_model m;
	uint32_t main_, run, a, b, cf;   /* function ids of the synthetic profile */
};

static void setup(void)
{
	setlocale(LC_ALL, "C.UTF-8");
}

TestSuite(view_top, .init = setup);

static uint32_t fn(struct profile *p, const char *name, const char *mod)
{
	uint32_t id = profile_func(p, name, mod);

	cr_assert_neq(id, UINT32_MAX);
	return id;
}

static void add(struct profile *p, const uint32_t *funcs, size_t n, uint64_t w)
{
	cr_assert_eq(profile_add_sample(p, 1, funcs, n, w, 1000), 0);
}

/* 60 main->run->a, 30 main->run->b, 10 main->c->a; b and c in libraries. */
static void synthetic(struct fix *f)
{
	struct profile *p = f->p;

	f->main_ = fn(p, "main", APP);
	f->run = fn(p, "run", APP);
	f->a = fn(p, "a", APP);
	f->b = fn(p, "b", LIBC);
	f->cf = fn(p, "c", LIBZ);
	add(p, (uint32_t[]){ f->a, f->run, f->main_ }, 3, 60);
	add(p, (uint32_t[]){ f->b, f->run, f->main_ }, 3, 30);
	add(p, (uint32_t[]){ f->a, f->cf, f->main_ }, 3, 10);
}

static void fix_init(struct fix *f, int w, int h)
{
	memset(f, 0, sizeof(*f));
	f->p = profile_new();
	cr_assert_not_null(f->p);
	f->v = view_top_new(PROF_SORT_SELF);
	cr_assert_not_null(f->v);
	cr_assert_eq(canvas_resize(&f->c, w, h), 0);
	f->c.ascii = false;
	f->m = (struct ui_model){ .p = f->p, .epoch = 1, .search = "", .color = true };
}

static void fix_fini(struct fix *f)
{
	view_free(f->v);
	profile_free(f->p);
	canvas_release(&f->c);
}

static void draw(struct fix *f)
{
	canvas_clear(&f->c);
	f->v->ops->draw(f->v, &f->c, 0, f->c.h, &f->m);
}

static unsigned key(struct fix *f, int k)
{
	return f->v->ops->key(f->v, k, &f->m);
}

static const char *row(const struct fix *f, int y)
{
	static char buf[4096];

	return canvas_row(&f->c, y, buf, sizeof(buf));
}

static const struct canvas_cell *cell(const struct fix *f, int x, int y)
{
	cr_assert(x >= 0 && x < f->c.w && y >= 0 && y < f->c.h);
	return &f->c.cells[(size_t)y * (size_t)f->c.w + (size_t)x];
}

/* Column where ASCII text s starts on row y, -1 if absent (works on cells,
 * so wide markers before it do not shift the answer). */
static int col_of(const struct fix *f, int y, const char *s)
{
	size_t n = strlen(s);

	for (int x = 0; x + (int)n <= f->c.w; x++) {
		size_t i = 0;

		while (i < n && cell(f, x + (int)i, y)->ch == (wchar_t)(unsigned char)s[i])
			i++;
		if (i == n)
			return x;
	}
	return -1;
}

/* The function name on row y: the word at the FUNCTION title's column. */
static const char *func_on(const struct fix *f, int y)
{
	static char buf[256];
	int x = col_of(f, 0, "FUNCTION");
	size_t n = 0;

	cr_assert_geq(x, 0, "no FUNCTION title in \"%s\"", row(f, 0));
	for (; x < f->c.w && n + 1 < sizeof(buf) && cell(f, x, y)->ch != L' '; x++)
		buf[n++] = (char)cell(f, x, y)->ch;
	buf[n] = '\0';
	return buf;
}

static bool is_cursor_row(const struct fix *f, int y)
{
	for (int x = 0; x < f->c.w; x++)
		if (cell(f, x, y)->color != CC_SELECTED || !(cell(f, x, y)->attr & CA_REVERSE))
			return false;
	return true;
}

static int cursor_rows(const struct fix *f)
{
	int n = 0;

	for (int y = 0; y < f->c.h; y++)
		n += is_cursor_row(f, y);
	return n;
}

static void expect_order(struct fix *f, const char *const *names, int n)
{
	draw(f);
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(func_on(f, i + 1), names[i], "row %d: \"%s\"", i + 1, row(f, i + 1));
	cr_assert_str_eq(func_on(f, n + 1), "");
}

Test(view_top, order_and_numbers)
{
	struct fix f;

	fix_init(&f, 80, 20);
	synthetic(&f);
	draw(&f);
	/* Titles right-aligned over the numbers, as in batch mode. */
	cr_assert(!strncmp(row(&f, 0), " SELF%\u25bc   TOTAL%    SAMPLES  FUNCTION ", 37),
		  "\"%s\"", row(&f, 0));
	cr_assert_eq(col_of(&f, 0, "TOTAL%"), 10);
	cr_assert_eq(col_of(&f, 0, "SAMPLES"), 20);
	cr_assert_eq(col_of(&f, 0, "FUNCTION"), 29);
	cr_assert_eq(cell(&f, 40, 0)->color, CC_HEADER);
	cr_assert_str_eq(f.v->ops->name, "top");
	/* As batch mode prints them: self%, total%, self samples, function, module. */
	cr_assert(!strncmp(row(&f, 1), " 70.00%   70.00%         70  a ", 31), "\"%s\"", row(&f, 1));
	cr_assert(!strncmp(row(&f, 2), " 30.00%   30.00%         30  b ", 31), "\"%s\"", row(&f, 2));
	cr_assert(!strncmp(row(&f, 3), "  0.00%  100.00%          0  main ", 34), "\"%s\"", row(&f, 3));
	cr_assert(!strncmp(row(&f, 4), "  0.00%   90.00%          0  run ", 33));
	cr_assert(!strncmp(row(&f, 5), "  0.00%   10.00%          0  c ", 31));
	cr_assert_str_eq(func_on(&f, 6), "");
	/* Module base names, in a column lined up under its title. */
	int mx = col_of(&f, 0, "MODULE");

	cr_assert_gt(mx, 29);
	cr_assert_eq(col_of(&f, 1, "app"), mx);
	cr_assert_eq(col_of(&f, 2, "libc.so.6"), mx);
	cr_assert_eq(col_of(&f, 5, "libz.so.1"), mx);
	cr_assert_eq(col_of(&f, 2, "x86_64"), -1);
	cr_assert_eq(cell(&f, mx, 2)->color, CC_DIM);
	/* The cursor starts on the hottest row; zero self counts are dimmed. */
	cr_assert(is_cursor_row(&f, 1));
	cr_assert_eq(cursor_rows(&f), 1);
	cr_assert_eq(cell(&f, 2, 2)->color, CC_NORMAL);
	cr_assert_eq(cell(&f, 2, 3)->color, CC_DIM);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
	fix_fini(&f);
}

Test(view_top, each_sort_key)
{
	static const char *const self[] = { "a", "b", "main", "run", "c" };
	static const char *const total[] = { "main", "run", "a", "b", "c" };
	static const char *const name[] = { "a", "b", "c", "main", "run" };
	/* Modules compare as full paths: /lib/... < /usr/bin/app < /usr/lib/... */
	static const char *const module[] = { "b", "a", "main", "run", "c" };
	struct fix f;

	fix_init(&f, 80, 20);
	synthetic(&f);
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_SELF);
	expect_order(&f, self, 5);
	cr_assert_eq(key(&f, '>'), VR_HANDLED);
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_TOTAL);
	expect_order(&f, total, 5);
	cr_assert(strstr(row(&f, 0), "TOTAL%\u25bc"));
	cr_assert_null(strstr(row(&f, 0), "SELF%\u25bc"));
	cr_assert(!strncmp(row(&f, 1), "  0.00%  100.00%", 16));
	key(&f, '>');
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_NAME);
	expect_order(&f, name, 5);
	cr_assert(strstr(row(&f, 0), "FUNCTION\u25bc"));
	key(&f, '>');
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_MODULE);
	expect_order(&f, module, 5);
	cr_assert(strstr(row(&f, 0), "MODULE\u25bc"));
	key(&f, '>');
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_SELF);
	key(&f, '<');
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_MODULE);
	key(&f, K_F6);
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_SELF);
	expect_order(&f, self, 5);
	fix_fini(&f);

	struct view *v = view_top_new(PROF_SORT_NAME);

	cr_assert_not_null(v);
	cr_assert_eq(view_top_sort(v), PROF_SORT_NAME);
	view_free(v);
}

Test(view_top, ascii_marker)
{
	struct fix f;

	fix_init(&f, 80, 5);
	f.c.ascii = true;
	synthetic(&f);
	draw(&f);
	cr_assert(!strncmp(row(&f, 0), " SELF%v   TOTAL%  ", 18), "\"%s\"", row(&f, 0));
	fix_fini(&f);
}

Test(view_top, cursor_follows_function)
{
	struct fix f;

	fix_init(&f, 80, 20);
	synthetic(&f);
	draw(&f);
	cr_assert_eq(key(&f, 'j'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), f.b);
	draw(&f);
	cr_assert(is_cursor_row(&f, 2));

	/* New samples push b to the top: the cursor goes with it. */
	add(f.p, (uint32_t[]){ f.b, f.main_ }, 2, 100);
	draw(&f);
	cr_assert_str_eq(func_on(&f, 1), "b");
	cr_assert(is_cursor_row(&f, 1));
	cr_assert_eq(cursor_rows(&f), 1);
	cr_assert_eq(f.v->ops->selected(f.v), f.b);

	/* And so does a re-sort: by name b is second, by total second too. */
	key(&f, '>');
	draw(&f);
	cr_assert_str_eq(func_on(&f, 1), "main");
	cr_assert_str_eq(func_on(&f, 2), "b");
	cr_assert(is_cursor_row(&f, 2));
	key(&f, '>');
	key(&f, 'j');
	draw(&f);
	cr_assert_str_eq(func_on(&f, 3), "c");
	cr_assert(is_cursor_row(&f, 3));
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);
	fix_fini(&f);
}

Test(view_top, keys_moving_and_leaving)
{
	struct fix f;

	fix_init(&f, 80, 20);
	synthetic(&f);
	draw(&f);
	key(&f, K_DOWN);
	key(&f, K_DOWN);
	cr_assert_eq(f.v->ops->selected(f.v), f.main_);
	key(&f, 'k');
	cr_assert_eq(f.v->ops->selected(f.v), f.b);
	key(&f, K_UP);
	key(&f, K_UP);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
	key(&f, 'G');
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);
	key(&f, 'j');
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);
	key(&f, K_HOME);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
	key(&f, K_END);
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);
	key(&f, 'g');
	cr_assert_eq(key(&f, K_ENTER), VR_DRILL);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
	key(&f, 'j');
	cr_assert_eq(key(&f, 'f'), VR_FLAME);
	cr_assert_eq(f.v->ops->selected(f.v), f.b);
	cr_assert_eq(key(&f, 'q'), VR_IGNORED);
	cr_assert_eq(key(&f, K_TAB), VR_IGNORED);
	cr_assert_eq(key(&f, '/'), VR_IGNORED);
	cr_assert_eq(key(&f, ' '), VR_IGNORED);

	/* focus() puts the cursor on a function. */
	f.v->ops->focus(f.v, f.run, &f.m);
	cr_assert_eq(f.v->ops->selected(f.v), f.run);
	draw(&f);
	cr_assert_str_eq(func_on(&f, 4), "run");
	cr_assert(is_cursor_row(&f, 4));
	fix_fini(&f);
}

Test(view_top, status_line)
{
	struct fix f;
	char buf[256], tiny[6];

	fix_init(&f, 80, 20);
	synthetic(&f);
	f.v->ops->status(f.v, &f.m, buf, sizeof(buf));
	cr_assert_str_eq(buf, "a  (app)  self 70.0% (70)  total 70.0% (70)");
	key(&f, 'j');
	f.v->ops->status(f.v, &f.m, buf, sizeof(buf));
	cr_assert_str_eq(buf, "b  (libc.so.6)  self 30.0% (30)  total 30.0% (30)");
	f.v->ops->status(f.v, &f.m, tiny, sizeof(tiny));
	cr_assert_str_eq(tiny, "b  (l");
	f.v->ops->status(f.v, &f.m, tiny, 1);
	cr_assert_str_eq(tiny, "");
	fix_fini(&f);
}

/* f000 hottest ... f199 coolest. */
static void many(struct fix *f, uint32_t *ids, int n)
{
	for (int i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%03d", i);
		ids[i] = fn(f->p, name, APP);
		add(f->p, &ids[i], 1, (uint64_t)(1000 - i));
	}
}

Test(view_top, scrolling_long_list)
{
	struct fix f;
	uint32_t ids[200];

	fix_init(&f, 80, 10);
	many(&f, ids, 200);
	draw(&f);
	cr_assert_str_eq(func_on(&f, 1), "f000");
	cr_assert_str_eq(func_on(&f, 9), "f008");
	for (int i = 0; i < 150; i++)
		key(&f, 'j');
	cr_assert_eq(f.v->ops->selected(f.v), ids[150]);
	draw(&f);
	/* Scrolled just enough: the cursor is on the last row. */
	cr_assert_str_eq(func_on(&f, 9), "f150");
	cr_assert(is_cursor_row(&f, 9));
	cr_assert_str_eq(func_on(&f, 1), "f142");
	/* A page is the 9 body rows. */
	key(&f, K_PGUP);
	cr_assert_eq(f.v->ops->selected(f.v), ids[141]);
	draw(&f);
	cr_assert_str_eq(func_on(&f, 1), "f141");
	cr_assert(is_cursor_row(&f, 1));
	key(&f, 'B' & 0x1f);
	cr_assert_eq(f.v->ops->selected(f.v), ids[132]);
	key(&f, 'F' & 0x1f);
	key(&f, K_PGDN);
	cr_assert_eq(f.v->ops->selected(f.v), ids[150]);
	key(&f, K_END);
	draw(&f);
	cr_assert_str_eq(func_on(&f, 9), "f199");
	cr_assert(is_cursor_row(&f, 9));
	key(&f, K_PGDN);
	cr_assert_eq(f.v->ops->selected(f.v), ids[199]);
	key(&f, K_HOME);
	draw(&f);
	cr_assert_str_eq(func_on(&f, 1), "f000");
	cr_assert(is_cursor_row(&f, 1));
	key(&f, K_PGUP);
	cr_assert_eq(f.v->ops->selected(f.v), ids[0]);
	fix_fini(&f);
}

/* Zed_MATCH, one, two_match, three, four: hottest first. */
static void searchable(struct fix *f, uint32_t ids[5])
{
	static const char *const names[] = { "Zed_MATCH", "one", "two_match", "three", "four" };

	for (int i = 0; i < 5; i++) {
		ids[i] = fn(f->p, names[i], APP);
		add(f->p, &ids[i], 1, (uint64_t)(50 - 10 * i));
	}
}

Test(view_top, search_next_previous_wraps)
{
	struct fix f;
	uint32_t ids[5];

	fix_init(&f, 80, 20);
	searchable(&f, ids);
	draw(&f);
	/* No search: n and N are still ours, and move nothing. */
	cr_assert_eq(key(&f, 'n'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), ids[0]);
	f.m.search = "match";
	cr_assert_eq(key(&f, 'n'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), ids[2]);
	key(&f, 'n');
	cr_assert_eq(f.v->ops->selected(f.v), ids[0]);
	cr_assert_eq(key(&f, 'N'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), ids[2]);
	key(&f, 'N');
	cr_assert_eq(f.v->ops->selected(f.v), ids[0]);
	/* From a row between matches. */
	key(&f, 'G');
	key(&f, 'n');
	cr_assert_eq(f.v->ops->selected(f.v), ids[0]);
	key(&f, 'G');
	key(&f, 'N');
	cr_assert_eq(f.v->ops->selected(f.v), ids[2]);
	f.m.search = "THREE";
	key(&f, 'n');
	cr_assert_eq(f.v->ops->selected(f.v), ids[3]);
	f.m.search = "nothing";
	key(&f, 'n');
	cr_assert_eq(f.v->ops->selected(f.v), ids[3]);
	f.m.search = NULL;
	key(&f, 'N');
	cr_assert_eq(f.v->ops->selected(f.v), ids[3]);
	fix_fini(&f);
}

Test(view_top, search_highlight)
{
	struct fix f;
	uint32_t ids[5];

	fix_init(&f, 80, 20);
	searchable(&f, ids);
	f.m.search = "match";
	draw(&f);
	int fx = col_of(&f, 0, "FUNCTION");
	int mx = col_of(&f, 0, "MODULE");

	cr_assert_str_eq(func_on(&f, 3), "two_match");
	for (int x = fx; x < fx + 9; x++)
		cr_assert_eq(cell(&f, x, 3)->color, CC_MATCH, "x=%d", x);
	cr_assert_eq(cell(&f, 0, 3)->color, CC_NORMAL);
	cr_assert_eq(cell(&f, 3, 3)->color, CC_NORMAL);
	cr_assert_eq(cell(&f, mx, 3)->color, CC_DIM);
	/* Non-matching rows are plain; the cursor row keeps its colour. */
	cr_assert_eq(cell(&f, fx, 2)->color, CC_NORMAL);
	cr_assert_eq(cell(&f, fx, 4)->color, CC_NORMAL);
	cr_assert_eq(cell(&f, fx, 1)->color, CC_SELECTED);
	cr_assert(cell(&f, fx, 1)->attr & CA_REVERSE);
	cr_assert(is_cursor_row(&f, 1));
	/* Without a search nothing is highlighted. */
	f.m.search = "";
	draw(&f);
	cr_assert_eq(cell(&f, fx, 3)->color, CC_NORMAL);
	fix_fini(&f);
}

static void resize(struct fix *f, int w, int h)
{
	cr_assert_eq(canvas_resize(&f->c, w, h), 0);
	draw(f);
}

Test(view_top, narrow_canvases)
{
	struct fix f;

	fix_init(&f, 80, 20);
	synthetic(&f);
	/* The module goes first... */
	resize(&f, 45, 6);
	cr_assert_eq(col_of(&f, 0, "MODULE"), -1);
	cr_assert_neq(col_of(&f, 0, "SAMPLES"), -1);
	cr_assert_eq(col_of(&f, 1, "app"), -1);
	cr_assert_str_eq(func_on(&f, 1), "a");
	/* ...then the sample count... */
	resize(&f, 35, 6);
	cr_assert_eq(col_of(&f, 0, "SAMPLES"), -1);
	cr_assert_neq(col_of(&f, 0, "TOTAL%"), -1);
	cr_assert(!strncmp(row(&f, 1), " 70.00%   70.00%  a", 19), "\"%s\"", row(&f, 1));
	/* ...then total%. */
	resize(&f, 20, 6);
	cr_assert_eq(col_of(&f, 0, "TOTAL%"), -1);
	cr_assert(!strncmp(row(&f, 0), " SELF%\u25bc  FUNCTION", 19), "\"%s\"", row(&f, 0));
	cr_assert_str_eq(row(&f, 1), " 70.00%  a          ");
	cr_assert_str_eq(row(&f, 5), "  0.00%  c          ");
	cr_assert(is_cursor_row(&f, 1));
	/* Only the name is left on a tiny screen; one row shows the cursor's. */
	resize(&f, 1, 1);
	cr_assert_str_eq(row(&f, 0), "a");
	cr_assert_eq(cell(&f, 0, 0)->color, CC_SELECTED);
	key(&f, 'j');
	draw(&f);
	cr_assert_str_eq(row(&f, 0), "b");
	resize(&f, 80, 1);
	cr_assert(strstr(row(&f, 0), " 30.00%   30.00%         30  b "));
	resize(&f, 12, 2);
	/* The sort column is hidden here, and with it its marker. */
	cr_assert_str_eq(row(&f, 0), "FUNCTION    ");
	cr_assert_str_eq(row(&f, 1), "b           ");
	/* Drawing into a band of a larger canvas stays inside it. */
	cr_assert_eq(canvas_resize(&f.c, 80, 10), 0);
	f.v->ops->draw(f.v, &f.c, 4, 3, &f.m);
	cr_assert(strstr(row(&f, 4), "FUNCTION"));
	cr_assert(!strncmp(row(&f, 5), " 30.00%   30.00%         30  b ", 31), "\"%s\"", row(&f, 5));
	cr_assert(is_cursor_row(&f, 5));
	for (int y = 0; y < 10; y++)
		if (y < 4 || y > 6)
			cr_assert_eq(strspn(row(&f, y), " "), 80, "row %d: \"%s\"", y, row(&f, y));
	/* Out-of-range bands are ignored. */
	f.v->ops->draw(f.v, &f.c, 10, 3, &f.m);
	f.v->ops->draw(f.v, &f.c, -1, 3, &f.m);
	f.v->ops->draw(f.v, &f.c, 9, 100, &f.m);
	f.v->ops->draw(f.v, &f.c, 0, 0, &f.m);
	fix_fini(&f);
}

Test(view_top, empty_profile)
{
	struct fix f;
	char buf[64] = "x";

	fix_init(&f, 80, 10);
	draw(&f);
	cr_assert(strstr(row(&f, 0), "FUNCTION"));
	cr_assert(!strncmp(row(&f, 1), "no samples yet", 14), "\"%s\"", row(&f, 1));
	cr_assert_eq(cursor_rows(&f), 0);
	for (int k = 0; k < 6; k++)
		key(&f, (int[]){ 'j', 'k', K_END, K_PGDN, 'n', 'N' }[k]);
	cr_assert_eq(key(&f, K_ENTER), VR_HANDLED);
	cr_assert_eq(key(&f, 'f'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), PROF_NONE);
	f.v->ops->status(f.v, &f.m, buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
	resize(&f, 1, 1);
	cr_assert_str_eq(row(&f, 0), "n");

	/* Samples without a known stack make no rows either. */
	resize(&f, 80, 10);
	add(f.p, NULL, 0, 5);
	draw(&f);
	cr_assert(strstr(row(&f, 1), "no samples with a known stack"), "\"%s\"", row(&f, 1));

	/* No profile at all. */
	f.m.p = NULL;
	draw(&f);
	cr_assert(!strncmp(row(&f, 1), "no samples yet", 14));
	cr_assert_eq(key(&f, 'j'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), PROF_NONE);
	fix_fini(&f);
}

Test(view_top, profile_replaced)
{
	struct fix f;

	fix_init(&f, 80, 10);
	synthetic(&f);
	key(&f, 'G');
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);

	/* A pause snapshot: same function ids, new epoch; c got hotter. */
	struct profile *snap = profile_new();
	struct fix g = { .p = snap };

	cr_assert_not_null(snap);
	synthetic(&g);
	cr_assert_eq(g.cf, f.cf);
	add(snap, (uint32_t[]){ g.cf, g.main_ }, 2, 50);
	f.m.p = snap;
	f.m.epoch++;
	draw(&f);
	cr_assert_str_eq(func_on(&f, 2), "c");
	cr_assert(is_cursor_row(&f, 2));
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);

	/* A reset: ids beyond the new profile's are dropped, the row kept. */
	struct profile *fresh = profile_new();
	cr_assert_not_null(fresh);
	uint32_t x = fn(fresh, "x", APP), y = fn(fresh, "y", APP);

	cr_assert_lt(y, f.cf);
	add(fresh, &x, 1, 2);
	add(fresh, &y, 1, 1);
	f.m.p = fresh;
	f.m.epoch++;
	draw(&f);
	cr_assert_eq(f.v->ops->selected(f.v), y);
	cr_assert(is_cursor_row(&f, 2));
	cr_assert(!strncmp(row(&f, 1), " 66.67%   66.67%          2  x ", 31), "\"%s\"", row(&f, 1));

	/* A reset to an empty profile forgets the function for good, so a new
	 * function that happens to reuse its id later does not grab the cursor. */
	struct profile *empty = profile_new();
	struct fix h = { .p = empty };

	cr_assert_not_null(empty);
	f.m.p = snap;
	f.m.epoch++;
	f.v->ops->focus(f.v, g.cf, &f.m);
	cr_assert_eq(f.v->ops->selected(f.v), g.cf);
	f.m.p = empty;
	f.m.epoch++;
	draw(&f);
	cr_assert_eq(f.v->ops->selected(f.v), PROF_NONE);
	synthetic(&h);
	cr_assert_eq(h.cf, g.cf);
	draw(&f);
	cr_assert_eq(f.v->ops->selected(f.v), h.a);
	cr_assert(is_cursor_row(&f, 1));
	profile_free(empty);
	profile_free(snap);
	profile_free(fresh);
	fix_fini(&f);
}

Test(view_top, hostile_names_escaped)
{
	struct fix f;
	char buf[256];

	fix_init(&f, 80, 5);
	uint32_t e = fn(f.p, "evil\x1b[31mred\x07", "/tmp/\x1b]0;x\x07.so");

	add(f.p, &e, 1, 1);
	draw(&f);
	cr_assert(strstr(row(&f, 1), "evil\\x1B[31mred\\x07"), "\"%s\"", row(&f, 1));
	cr_assert(strstr(row(&f, 1), "\\x1B]0;x\\x07.so"), "\"%s\"", row(&f, 1));
	for (int y = 0; y < f.c.h; y++)
		for (int x = 0; x < f.c.w; x++)
			cr_assert(cell(&f, x, y)->ch >= 0x20 || cell(&f, x, y)->ch == 0);
	f.v->ops->status(f.v, &f.m, buf, sizeof(buf));
	cr_assert_null(strchr(buf, '\x1b'));
	cr_assert(!strncmp(buf, "evil\\x1B[31mred\\x07  (", 22), "\"%s\"", buf);

	/* Empty names get a placeholder rather than a blank column. */
	uint32_t u = fn(f.p, "", "");

	add(f.p, &u, 1, 1);
	draw(&f);
	cr_assert(!strncmp(row(&f, 1), " 50.00%", 7));
	cr_assert(strstr(row(&f, 1), "  [unknown]  "), "\"%s\"", row(&f, 1));
	cr_assert(strstr(row(&f, 2), "evil"));
	fix_fini(&f);
}

Test(view_top, deep_stacks)
{
	enum { DEPTH = 10000 };
	struct fix f;
	uint32_t *ids = calloc(DEPTH, sizeof(*ids));

	cr_assert_not_null(ids);
	fix_init(&f, 80, 24);
	for (int i = 0; i < DEPTH; i++) {
		char name[16];

		snprintf(name, sizeof(name), "d%05d", i);
		ids[i] = fn(f.p, name, APP);
	}
	add(f.p, ids, DEPTH, 3);
	draw(&f);
	/* The leaf has the self time; the rest tie and fall back to name order. */
	cr_assert(!strncmp(row(&f, 1), "100.00%  100.00%          3  d00000 ", 36), "\"%s\"", row(&f, 1));
	cr_assert_str_eq(func_on(&f, 2), "d00001");
	key(&f, K_END);
	draw(&f);
	cr_assert_str_eq(func_on(&f, 23), "d09999");
	cr_assert_eq(f.v->ops->selected(f.v), ids[DEPTH - 1]);

	/* Deep recursion of one function: one row, counted once per sample. */
	for (int i = 0; i < DEPTH; i++)
		ids[i] = ids[7];
	add(f.p, ids, DEPTH, 1);
	draw(&f);
	f.v->ops->focus(f.v, ids[7], &f.m);
	draw(&f);
	cr_assert_eq(f.v->ops->selected(f.v), ids[7]);
	free(ids);
	fix_fini(&f);
}
