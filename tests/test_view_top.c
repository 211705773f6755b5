/* test_view_top.c — the hot-function view drawn into a canvas: order, numbers, keys, search, tiny screens. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/view.h"

#include "viewfix.h"

#define APP FX_EXE
#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define LIBZ "/usr/lib/libz.so.1"

TestSuite(view_top, .init = vf_utf8);

/* The function name on row y: the word at the FUNCTION title's column. */
static const char *func_on(const struct vf *f, int y)
{
	static char buf[256];
	int x = vf_col_of(f, 0, L"FUNCTION");
	size_t n = 0;

	cr_assert_geq(x, 0, "no FUNCTION title in \"%s\"", vf_row(f, 0));
	for (; x < f->c.w && n + 1 < sizeof(buf) && vf_cell(f, x, y)->ch != L' '; x++)
		buf[n++] = (char)vf_cell(f, x, y)->ch;
	buf[n] = '\0';
	return buf;
}

static bool is_cursor_row(const struct vf *f, int y)
{
	for (int x = 0; x < f->c.w; x++)
		if (vf_cell(f, x, y)->color != CC_SELECTED ||
		    !(vf_cell(f, x, y)->attr & CA_REVERSE))
			return false;
	return true;
}

static int cursor_rows(const struct vf *f)
{
	int n = 0;

	for (int y = 0; y < f->c.h; y++)
		n += is_cursor_row(f, y);
	return n;
}

static void expect_order(struct vf *f, const char *const *names, int n)
{
	vf_draw(f);
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(func_on(f, i + 1), names[i],
				 "row %d: \"%s\"", i + 1, vf_row(f, i + 1));
	cr_assert_str_eq(func_on(f, n + 1), "");
}

Test(view_top, order_and_numbers)
{
	struct vf f;

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 20);
	vf_synthetic(&f, LIBC, LIBZ);
	vf_draw(&f);
	/* Titles right-aligned over the numbers, as in batch mode. */
	cr_assert(!strncmp(vf_row(&f, 0), " SELF%\u25bc   TOTAL%    SAMPLES  FUNCTION ", 37),
		  "\"%s\"", vf_row(&f, 0));
	cr_assert_eq(vf_col_of(&f, 0, L"TOTAL%"), 10);
	cr_assert_eq(vf_col_of(&f, 0, L"SAMPLES"), 20);
	cr_assert_eq(vf_col_of(&f, 0, L"FUNCTION"), 29);
	cr_assert_eq(vf_cell(&f, 40, 0)->color, CC_HEADER);
	cr_assert_str_eq(f.v->ops->name, "top");
	/* As batch mode prints them: self%, total%, self samples, function, module. */
	cr_assert(!strncmp(vf_row(&f, 1), " 70.00%   70.00%         70  a ", 31),
		  "\"%s\"", vf_row(&f, 1));
	cr_assert(!strncmp(vf_row(&f, 2), " 30.00%   30.00%         30  b ", 31),
		  "\"%s\"", vf_row(&f, 2));
	cr_assert(!strncmp(vf_row(&f, 3), "  0.00%  100.00%          0  main ", 34),
		  "\"%s\"", vf_row(&f, 3));
	cr_assert(!strncmp(vf_row(&f, 4), "  0.00%   90.00%          0  run ", 33));
	cr_assert(!strncmp(vf_row(&f, 5), "  0.00%   10.00%          0  c ", 31));
	cr_assert_str_eq(func_on(&f, 6), "");
	/* Module base names, in a column lined up under its title. */
	int mx = vf_col_of(&f, 0, L"MODULE");

	cr_assert_gt(mx, 29);
	cr_assert_eq(vf_col_of(&f, 1, L"app"), mx);
	cr_assert_eq(vf_col_of(&f, 2, L"libc.so.6"), mx);
	cr_assert_eq(vf_col_of(&f, 5, L"libz.so.1"), mx);
	cr_assert_eq(vf_col_of(&f, 2, L"x86_64"), -1);
	cr_assert_eq(vf_cell(&f, mx, 2)->color, CC_DIM);
	/* The cursor starts on the hottest row; zero self counts are dimmed. */
	cr_assert(is_cursor_row(&f, 1));
	cr_assert_eq(cursor_rows(&f), 1);
	cr_assert_eq(vf_cell(&f, 2, 2)->color, CC_NORMAL);
	cr_assert_eq(vf_cell(&f, 2, 3)->color, CC_DIM);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
	vf_fini(&f);
}

Test(view_top, each_sort_key)
{
	static const char *const self[] = { "a", "b", "main", "run", "c" };
	static const char *const total[] = { "main", "run", "a", "b", "c" };
	static const char *const name[] = { "a", "b", "c", "main", "run" };
	/* Modules compare as full paths: /lib/... < /usr/bin/app < /usr/lib/... */
	static const char *const module[] = { "b", "a", "main", "run", "c" };
	struct vf f;

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 20);
	vf_synthetic(&f, LIBC, LIBZ);
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_SELF);
	expect_order(&f, self, 5);
	cr_assert_eq(vf_key(&f, '>'), VR_HANDLED);
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_TOTAL);
	expect_order(&f, total, 5);
	cr_assert(strstr(vf_row(&f, 0), "TOTAL%\u25bc"));
	cr_assert_null(strstr(vf_row(&f, 0), "SELF%\u25bc"));
	cr_assert(!strncmp(vf_row(&f, 1), "  0.00%  100.00%", 16));
	vf_key(&f, '>');
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_NAME);
	expect_order(&f, name, 5);
	cr_assert(strstr(vf_row(&f, 0), "FUNCTION\u25bc"));
	vf_key(&f, '>');
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_MODULE);
	expect_order(&f, module, 5);
	cr_assert(strstr(vf_row(&f, 0), "MODULE\u25bc"));
	vf_key(&f, '>');
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_SELF);
	vf_key(&f, '<');
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_MODULE);
	vf_key(&f, K_F6);
	cr_assert_eq(view_top_sort(f.v), PROF_SORT_SELF);
	expect_order(&f, self, 5);
	vf_fini(&f);

	struct view *v = view_top_new(PROF_SORT_NAME);

	cr_assert_not_null(v);
	cr_assert_eq(view_top_sort(v), PROF_SORT_NAME);
	view_free(v);
}

Test(view_top, ascii_marker)
{
	struct vf f;

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 5);
	f.c.ascii = true;
	vf_synthetic(&f, LIBC, LIBZ);
	vf_draw(&f);
	cr_assert(!strncmp(vf_row(&f, 0), " SELF%v   TOTAL%  ", 18), "\"%s\"", vf_row(&f, 0));
	vf_fini(&f);
}

Test(view_top, cursor_follows_function)
{
	struct vf f;

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 20);
	vf_synthetic(&f, LIBC, LIBZ);
	vf_draw(&f);
	cr_assert_eq(vf_key(&f, 'j'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), f.b);
	vf_draw(&f);
	cr_assert(is_cursor_row(&f, 2));

	/* New samples push b to the top: the cursor goes with it. */
	vf_add(f.p, (uint32_t[]){ f.b, f.main_ }, 2, 100);
	vf_draw(&f);
	cr_assert_str_eq(func_on(&f, 1), "b");
	cr_assert(is_cursor_row(&f, 1));
	cr_assert_eq(cursor_rows(&f), 1);
	cr_assert_eq(f.v->ops->selected(f.v), f.b);

	/* And so does a re-sort: by name b is second, by total second too. */
	vf_key(&f, '>');
	vf_draw(&f);
	cr_assert_str_eq(func_on(&f, 1), "main");
	cr_assert_str_eq(func_on(&f, 2), "b");
	cr_assert(is_cursor_row(&f, 2));
	vf_key(&f, '>');
	vf_key(&f, 'j');
	vf_draw(&f);
	cr_assert_str_eq(func_on(&f, 3), "c");
	cr_assert(is_cursor_row(&f, 3));
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);
	vf_fini(&f);
}

Test(view_top, keys_moving_and_leaving)
{
	struct vf f;

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 20);
	vf_synthetic(&f, LIBC, LIBZ);
	vf_draw(&f);
	vf_key(&f, K_DOWN);
	vf_key(&f, K_DOWN);
	cr_assert_eq(f.v->ops->selected(f.v), f.main_);
	vf_key(&f, 'k');
	cr_assert_eq(f.v->ops->selected(f.v), f.b);
	vf_key(&f, K_UP);
	vf_key(&f, K_UP);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
	vf_key(&f, 'G');
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);
	vf_key(&f, 'j');
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);
	vf_key(&f, K_HOME);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
	vf_key(&f, K_END);
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);
	vf_key(&f, 'g');
	cr_assert_eq(vf_key(&f, K_ENTER), VR_DRILL);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
	vf_key(&f, 'j');
	cr_assert_eq(vf_key(&f, 'f'), VR_FLAME);
	cr_assert_eq(f.v->ops->selected(f.v), f.b);
	cr_assert_eq(vf_key(&f, 'q'), VR_IGNORED);
	cr_assert_eq(vf_key(&f, K_TAB), VR_IGNORED);
	cr_assert_eq(vf_key(&f, '/'), VR_IGNORED);
	cr_assert_eq(vf_key(&f, ' '), VR_IGNORED);

	/* focus() puts the cursor on a function. */
	vf_focus(&f, f.run);
	cr_assert_eq(f.v->ops->selected(f.v), f.run);
	vf_draw(&f);
	cr_assert_str_eq(func_on(&f, 4), "run");
	cr_assert(is_cursor_row(&f, 4));
	vf_fini(&f);
}

Test(view_top, status_line)
{
	struct vf f;
	char buf[256], tiny[6];

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 20);
	vf_synthetic(&f, LIBC, LIBZ);
	f.v->ops->status(f.v, &f.m, buf, sizeof(buf));
	cr_assert_str_eq(buf, "a  (app)  self 70.0% (70)  total 70.0% (70)");
	vf_key(&f, 'j');
	f.v->ops->status(f.v, &f.m, buf, sizeof(buf));
	cr_assert_str_eq(buf, "b  (libc.so.6)  self 30.0% (30)  total 30.0% (30)");
	f.v->ops->status(f.v, &f.m, tiny, sizeof(tiny));
	cr_assert_str_eq(tiny, "b  (l");
	f.v->ops->status(f.v, &f.m, tiny, 1);
	cr_assert_str_eq(tiny, "");
	vf_fini(&f);
}

/* f000 hottest ... f199 coolest. */
static void many(struct vf *f, uint32_t *ids, int n)
{
	for (int i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%03d", i);
		ids[i] = fx_fn(f->p, name, APP);
		vf_add(f->p, &ids[i], 1, (uint64_t)(1000 - i));
	}
}

Test(view_top, scrolling_long_list)
{
	struct vf f;
	uint32_t ids[200];

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 10);
	many(&f, ids, 200);
	vf_draw(&f);
	cr_assert_str_eq(func_on(&f, 1), "f000");
	cr_assert_str_eq(func_on(&f, 9), "f008");
	for (int i = 0; i < 150; i++)
		vf_key(&f, 'j');
	cr_assert_eq(f.v->ops->selected(f.v), ids[150]);
	vf_draw(&f);
	/* Scrolled just enough: the cursor is on the last row. */
	cr_assert_str_eq(func_on(&f, 9), "f150");
	cr_assert(is_cursor_row(&f, 9));
	cr_assert_str_eq(func_on(&f, 1), "f142");
	/* A page is the 9 body rows. */
	vf_key(&f, K_PGUP);
	cr_assert_eq(f.v->ops->selected(f.v), ids[141]);
	vf_draw(&f);
	cr_assert_str_eq(func_on(&f, 1), "f141");
	cr_assert(is_cursor_row(&f, 1));
	vf_key(&f, 'B' & 0x1f);
	cr_assert_eq(f.v->ops->selected(f.v), ids[132]);
	vf_key(&f, 'F' & 0x1f);
	vf_key(&f, K_PGDN);
	cr_assert_eq(f.v->ops->selected(f.v), ids[150]);
	vf_key(&f, K_END);
	vf_draw(&f);
	cr_assert_str_eq(func_on(&f, 9), "f199");
	cr_assert(is_cursor_row(&f, 9));
	vf_key(&f, K_PGDN);
	cr_assert_eq(f.v->ops->selected(f.v), ids[199]);
	vf_key(&f, K_HOME);
	vf_draw(&f);
	cr_assert_str_eq(func_on(&f, 1), "f000");
	cr_assert(is_cursor_row(&f, 1));
	vf_key(&f, K_PGUP);
	cr_assert_eq(f.v->ops->selected(f.v), ids[0]);
	vf_fini(&f);
}

/* Zed_MATCH, one, two_match, three, four: hottest first. */
static void searchable(struct vf *f, uint32_t ids[5])
{
	static const char *const names[] = { "Zed_MATCH", "one", "two_match", "three", "four" };

	for (int i = 0; i < 5; i++) {
		ids[i] = fx_fn(f->p, names[i], APP);
		vf_add(f->p, &ids[i], 1, (uint64_t)(50 - 10 * i));
	}
}

Test(view_top, search_next_previous_wraps)
{
	struct vf f;
	uint32_t ids[5];

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 20);
	searchable(&f, ids);
	vf_draw(&f);
	/* No search: n and N are still ours, and move nothing. */
	cr_assert_eq(vf_key(&f, 'n'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), ids[0]);
	f.m.search = "match";
	cr_assert_eq(vf_key(&f, 'n'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), ids[2]);
	vf_key(&f, 'n');
	cr_assert_eq(f.v->ops->selected(f.v), ids[0]);
	cr_assert_eq(vf_key(&f, 'N'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), ids[2]);
	vf_key(&f, 'N');
	cr_assert_eq(f.v->ops->selected(f.v), ids[0]);
	/* From a row between matches. */
	vf_key(&f, 'G');
	vf_key(&f, 'n');
	cr_assert_eq(f.v->ops->selected(f.v), ids[0]);
	vf_key(&f, 'G');
	vf_key(&f, 'N');
	cr_assert_eq(f.v->ops->selected(f.v), ids[2]);
	f.m.search = "THREE";
	vf_key(&f, 'n');
	cr_assert_eq(f.v->ops->selected(f.v), ids[3]);
	f.m.search = "nothing";
	vf_key(&f, 'n');
	cr_assert_eq(f.v->ops->selected(f.v), ids[3]);
	f.m.search = NULL;
	vf_key(&f, 'N');
	cr_assert_eq(f.v->ops->selected(f.v), ids[3]);
	vf_fini(&f);
}

Test(view_top, search_highlight)
{
	struct vf f;
	uint32_t ids[5];

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 20);
	searchable(&f, ids);
	f.m.search = "match";
	vf_draw(&f);
	int fx = vf_col_of(&f, 0, L"FUNCTION");
	int mx = vf_col_of(&f, 0, L"MODULE");

	cr_assert_str_eq(func_on(&f, 3), "two_match");
	for (int x = fx; x < fx + 9; x++)
		cr_assert_eq(vf_cell(&f, x, 3)->color, CC_MATCH, "x=%d", x);
	cr_assert_eq(vf_cell(&f, 0, 3)->color, CC_NORMAL);
	cr_assert_eq(vf_cell(&f, 3, 3)->color, CC_NORMAL);
	cr_assert_eq(vf_cell(&f, mx, 3)->color, CC_DIM);
	/* Non-matching rows are plain; the cursor row keeps its colour. */
	cr_assert_eq(vf_cell(&f, fx, 2)->color, CC_NORMAL);
	cr_assert_eq(vf_cell(&f, fx, 4)->color, CC_NORMAL);
	cr_assert_eq(vf_cell(&f, fx, 1)->color, CC_SELECTED);
	cr_assert(vf_cell(&f, fx, 1)->attr & CA_REVERSE);
	cr_assert(is_cursor_row(&f, 1));
	/* Without a search nothing is highlighted. */
	f.m.search = "";
	vf_draw(&f);
	cr_assert_eq(vf_cell(&f, fx, 3)->color, CC_NORMAL);
	vf_fini(&f);
}

Test(view_top, narrow_canvases)
{
	struct vf f;

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 20);
	vf_synthetic(&f, LIBC, LIBZ);
	/* The module goes first... */
	vf_draw_sized(&f, 45, 6);
	cr_assert_eq(vf_col_of(&f, 0, L"MODULE"), -1);
	cr_assert_neq(vf_col_of(&f, 0, L"SAMPLES"), -1);
	cr_assert_eq(vf_col_of(&f, 1, L"app"), -1);
	cr_assert_str_eq(func_on(&f, 1), "a");
	/* ...then the sample count... */
	vf_draw_sized(&f, 35, 6);
	cr_assert_eq(vf_col_of(&f, 0, L"SAMPLES"), -1);
	cr_assert_neq(vf_col_of(&f, 0, L"TOTAL%"), -1);
	cr_assert(!strncmp(vf_row(&f, 1), " 70.00%   70.00%  a", 19), "\"%s\"", vf_row(&f, 1));
	/* ...then total%. */
	vf_draw_sized(&f, 20, 6);
	cr_assert_eq(vf_col_of(&f, 0, L"TOTAL%"), -1);
	cr_assert(!strncmp(vf_row(&f, 0), " SELF%\u25bc  FUNCTION", 19), "\"%s\"", vf_row(&f, 0));
	cr_assert_str_eq(vf_row(&f, 1), " 70.00%  a          ");
	cr_assert_str_eq(vf_row(&f, 5), "  0.00%  c          ");
	cr_assert(is_cursor_row(&f, 1));
	/* Only the name is left on a tiny screen; one row shows the cursor's. */
	vf_draw_sized(&f, 1, 1);
	cr_assert_str_eq(vf_row(&f, 0), "a");
	cr_assert_eq(vf_cell(&f, 0, 0)->color, CC_SELECTED);
	vf_key(&f, 'j');
	vf_draw(&f);
	cr_assert_str_eq(vf_row(&f, 0), "b");
	vf_draw_sized(&f, 80, 1);
	cr_assert(strstr(vf_row(&f, 0), " 30.00%   30.00%         30  b "));
	vf_draw_sized(&f, 12, 2);
	/* The sort column is hidden here, and with it its marker. */
	cr_assert_str_eq(vf_row(&f, 0), "FUNCTION    ");
	cr_assert_str_eq(vf_row(&f, 1), "b           ");
	/* Drawing into a band of a larger canvas stays inside it. */
	cr_assert_eq(canvas_resize(&f.c, 80, 10), 0);
	f.v->ops->draw(f.v, &f.c, 4, 3, &f.m);
	cr_assert(strstr(vf_row(&f, 4), "FUNCTION"));
	cr_assert(!strncmp(vf_row(&f, 5), " 30.00%   30.00%         30  b ", 31),
		  "\"%s\"", vf_row(&f, 5));
	cr_assert(is_cursor_row(&f, 5));
	for (int y = 0; y < 10; y++)
		if (y < 4 || y > 6)
			cr_assert_eq(strspn(vf_row(&f, y), " "), 80,
				     "row %d: \"%s\"", y, vf_row(&f, y));
	/* Out-of-range bands are ignored. */
	f.v->ops->draw(f.v, &f.c, 10, 3, &f.m);
	f.v->ops->draw(f.v, &f.c, -1, 3, &f.m);
	f.v->ops->draw(f.v, &f.c, 9, 100, &f.m);
	f.v->ops->draw(f.v, &f.c, 0, 0, &f.m);
	vf_fini(&f);
}

Test(view_top, empty_profile)
{
	struct vf f;
	char buf[64] = "x";

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 10);
	vf_draw(&f);
	cr_assert(strstr(vf_row(&f, 0), "FUNCTION"));
	cr_assert(!strncmp(vf_row(&f, 1), "no samples yet", 14), "\"%s\"", vf_row(&f, 1));
	cr_assert_eq(cursor_rows(&f), 0);
	for (int k = 0; k < 6; k++)
		vf_key(&f, (int[]){ 'j', 'k', K_END, K_PGDN, 'n', 'N' }[k]);
	cr_assert_eq(vf_key(&f, K_ENTER), VR_HANDLED);
	cr_assert_eq(vf_key(&f, 'f'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), PROF_NONE);
	f.v->ops->status(f.v, &f.m, buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
	vf_draw_sized(&f, 1, 1);
	cr_assert_str_eq(vf_row(&f, 0), "n");

	/* Samples without a known stack make no rows either. */
	vf_draw_sized(&f, 80, 10);
	vf_add(f.p, NULL, 0, 5);
	vf_draw(&f);
	cr_assert(strstr(vf_row(&f, 1), "no samples with a known stack"), "\"%s\"", vf_row(&f, 1));

	/* No profile at all. */
	f.m.p = NULL;
	vf_draw(&f);
	cr_assert(!strncmp(vf_row(&f, 1), "no samples yet", 14));
	cr_assert_eq(vf_key(&f, 'j'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), PROF_NONE);
	vf_fini(&f);
}

Test(view_top, profile_replaced)
{
	struct vf f;

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 10);
	vf_synthetic(&f, LIBC, LIBZ);
	vf_key(&f, 'G');
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);

	/* A pause snapshot: same function ids, new epoch; c got hotter. */
	struct profile *snap = profile_new();
	struct vf g = { .p = snap };

	cr_assert_not_null(snap);
	vf_synthetic(&g, LIBC, LIBZ);
	cr_assert_eq(g.cf, f.cf);
	vf_add(snap, (uint32_t[]){ g.cf, g.main_ }, 2, 50);
	f.m.p = snap;
	f.m.epoch++;
	vf_draw(&f);
	cr_assert_str_eq(func_on(&f, 2), "c");
	cr_assert(is_cursor_row(&f, 2));
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);

	/* A reset: ids beyond the new profile's are dropped, the row kept. */
	struct profile *fresh = profile_new();
	cr_assert_not_null(fresh);
	uint32_t x = fx_fn(fresh, "x", APP), y = fx_fn(fresh, "y", APP);

	cr_assert_lt(y, f.cf);
	vf_add(fresh, &x, 1, 2);
	vf_add(fresh, &y, 1, 1);
	f.m.p = fresh;
	f.m.epoch++;
	vf_draw(&f);
	cr_assert_eq(f.v->ops->selected(f.v), y);
	cr_assert(is_cursor_row(&f, 2));
	cr_assert(!strncmp(vf_row(&f, 1), " 66.67%   66.67%          2  x ", 31),
		  "\"%s\"", vf_row(&f, 1));

	/* A reset to an empty profile forgets the function for good, so a new
	 * function that happens to reuse its id later does not grab the cursor. */
	struct profile *empty = profile_new();
	struct vf h = { .p = empty };

	cr_assert_not_null(empty);
	f.m.p = snap;
	f.m.epoch++;
	vf_focus(&f, g.cf);
	cr_assert_eq(f.v->ops->selected(f.v), g.cf);
	f.m.p = empty;
	f.m.epoch++;
	vf_draw(&f);
	cr_assert_eq(f.v->ops->selected(f.v), PROF_NONE);
	vf_synthetic(&h, LIBC, LIBZ);
	cr_assert_eq(h.cf, g.cf);
	vf_draw(&f);
	cr_assert_eq(f.v->ops->selected(f.v), h.a);
	cr_assert(is_cursor_row(&f, 1));
	profile_free(empty);
	profile_free(snap);
	profile_free(fresh);
	vf_fini(&f);
}

Test(view_top, hostile_names_escaped)
{
	struct vf f;
	char buf[256];

	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 5);
	uint32_t e = fx_fn(f.p, "evil\x1b[31mred\x07", "/tmp/\x1b]0;x\x07.so");

	vf_add(f.p, &e, 1, 1);
	vf_draw(&f);
	cr_assert(strstr(vf_row(&f, 1), "evil\\x1B[31mred\\x07"), "\"%s\"", vf_row(&f, 1));
	cr_assert(strstr(vf_row(&f, 1), "\\x1B]0;x\\x07.so"), "\"%s\"", vf_row(&f, 1));
	for (int y = 0; y < f.c.h; y++)
		for (int x = 0; x < f.c.w; x++)
			cr_assert(vf_cell(&f, x, y)->ch >= 0x20 || vf_cell(&f, x, y)->ch == 0);
	f.v->ops->status(f.v, &f.m, buf, sizeof(buf));
	cr_assert_null(strchr(buf, '\x1b'));
	cr_assert(!strncmp(buf, "evil\\x1B[31mred\\x07  (", 22), "\"%s\"", buf);

	/* Empty names get a placeholder rather than a blank column. */
	uint32_t u = fx_fn(f.p, "", "");

	vf_add(f.p, &u, 1, 1);
	vf_draw(&f);
	cr_assert(!strncmp(vf_row(&f, 1), " 50.00%", 7));
	cr_assert(strstr(vf_row(&f, 1), "  [unknown]  "), "\"%s\"", vf_row(&f, 1));
	cr_assert(strstr(vf_row(&f, 2), "evil"));
	vf_fini(&f);
}

Test(view_top, deep_stacks)
{
	enum { DEPTH = 10000 };
	struct vf f;
	uint32_t *ids = calloc(DEPTH, sizeof(*ids));

	cr_assert_not_null(ids);
	vf_init(&f, view_top_new(PROF_SORT_SELF), 80, 24);
	for (int i = 0; i < DEPTH; i++) {
		char name[16];

		snprintf(name, sizeof(name), "d%05d", i);
		ids[i] = fx_fn(f.p, name, APP);
	}
	vf_add(f.p, ids, DEPTH, 3);
	vf_draw(&f);
	/* The leaf has the self time; the rest tie and fall back to name order. */
	cr_assert(!strncmp(vf_row(&f, 1), "100.00%  100.00%          3  d00000 ", 36),
		  "\"%s\"", vf_row(&f, 1));
	cr_assert_str_eq(func_on(&f, 2), "d00001");
	vf_key(&f, K_END);
	vf_draw(&f);
	cr_assert_str_eq(func_on(&f, 23), "d09999");
	cr_assert_eq(f.v->ops->selected(f.v), ids[DEPTH - 1]);

	/* Deep recursion of one function: one row, counted once per sample. */
	for (int i = 0; i < DEPTH; i++)
		ids[i] = ids[7];
	vf_add(f.p, ids, DEPTH, 1);
	vf_draw(&f);
	vf_focus(&f, ids[7]);
	vf_draw(&f);
	cr_assert_eq(f.v->ops->selected(f.v), ids[7]);
	free(ids);
	vf_fini(&f);
}
