/* test_view_diff.c — the diff table drawn into a canvas: columns, order, signs, colours, cursor, drill-down, narrow and ASCII screens. */
#include <criterion/criterion.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/uidiff.h"
#include "proftui/view.h"

#include "fixture.h"

#define APP FX_EXE
#define LIB FX_LIB

static struct profile *now;
static struct uidiff *ud;
static struct view *view;
static struct canvas cv;
static struct ui_model model;
static char line[4096];

/* w samples of leaf (in mod) called from main. */
static void hit(struct profile *p, const char *leaf, const char *mod, uint64_t w)
{
	uint32_t f[2] = { fx_fn(p, leaf, mod), fx_fn(p, "main", APP) };

	fx_add(p, f, 2, w);
}

/* Before: a 60 %, b 30 %, gone 10 %.  Now: a 20 %, b 30 %, fresh 50 %
 * (in LIB).  Changes: fresh +50, a -40, gone -10, b 0, main 0. */
static void setup(void)
{
	struct profile *base = fx_profile();

	setlocale(LC_ALL, "C.UTF-8");
	hit(base, "a", APP, 60);
	hit(base, "b", APP, 30);
	hit(base, "gone", APP, 10);
	now = fx_profile();
	hit(now, "b", APP, 300);
	hit(now, "fresh", LIB, 500);
	hit(now, "a", APP, 200);
	ud = uidiff_new();
	cr_assert_not_null(ud);
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	view = view_diff_new();
	cr_assert_not_null(view);
	memset(&cv, 0, sizeof(cv));
	model = (struct ui_model){ .p = now, .epoch = 1, .search = "", .color = true, .diff = ud };
}

static void teardown(void)
{
	view_free(view);
	uidiff_free(ud);
	profile_free(now);
	canvas_release(&cv);
}

TestSuite(view_diff, .init = setup, .fini = teardown);

static void draw(int w, int h)
{
	cr_assert_eq(canvas_resize(&cv, w, h), 0);
	view->ops->draw(view, &cv, 0, h, &model);
}

static const char *row(int y)
{
	return canvas_row(&cv, y, line, sizeof(line));
}

static const struct canvas_cell *cell(int x, int y)
{
	cr_assert(x >= 0 && x < cv.w && y >= 0 && y < cv.h);
	return &cv.cells[(size_t)y * (size_t)cv.w + (size_t)x];
}

static unsigned key(int k)
{
	return view->ops->key(view, k, &model);
}

static const char *status(void)
{
	view->ops->status(view, &model, line, sizeof(line));
	return line;
}

/* Column where ASCII text s starts on row y, -1 if absent. */
static int col_of(int y, const char *s)
{
	size_t n = strlen(s);

	for (int x = 0; x + (int)n <= cv.w; x++) {
		size_t i = 0;

		while (i < n && cell(x + (int)i, y)->ch == (wchar_t)(unsigned char)s[i])
			i++;
		if (i == n)
			return x;
	}
	return -1;
}

/* Collapse runs of spaces, for comparing rows without caring for padding. */
static const char *squeeze(const char *s)
{
	static char out[4096];
	size_t n = 0;

	for (; *s && n + 1 < sizeof(out); s++)
		if (*s != ' ' || (n && out[n - 1] != ' '))
			out[n++] = *s;
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return out;
}

Test(view_diff, columns_order_and_signs)
{
	draw(100, 10);
	cr_assert_str_eq(squeeze(row(0)), "BEFORE% NOW% DELTA\u25bc TOTAL-\u0394 FUNCTION MODULE");
	cr_assert_str_eq(squeeze(row(1)), "0.00% 50.00% +50.00 +50.00 fresh libapp.so.1");
	cr_assert_str_eq(squeeze(row(2)), "60.00% 20.00% -40.00 -40.00 a app");
	cr_assert_str_eq(squeeze(row(3)), "10.00% 0.00% -10.00 -10.00 gone app");
	/* No change prints +0.00; then main (total 100 % both sides). */
	cr_assert_str_eq(squeeze(row(4)), "30.00% 30.00% +0.00 +0.00 b app");
	cr_assert_str_eq(squeeze(row(5)), "0.00% 0.00% +0.00 +0.00 main app");
	cr_assert_str_eq(squeeze(row(6)), "");
}

Test(view_diff, a_change_that_rounds_to_zero_is_never_minus)
{
	struct profile *base = fx_profile();

	/* 1/3 of the samples before, 33.33 % now: -0.0033 points. */
	hit(base, "x", APP, 1);
	hit(base, "y", APP, 2);
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	profile_free(now);
	now = fx_profile();
	hit(now, "x", APP, 3333);
	hit(now, "y", APP, 6667);
	model.p = now;
	model.epoch++;
	draw(100, 6);
	for (int y = 1; y < 6; y++)
		cr_assert_null(strstr(row(y), "-0.00"), "row %d: %s", y, row(y));
	cr_assert_neq(col_of(1, "+0.00"), -1, "%s", row(1));
}

Test(view_diff, colours_follow_the_sign)
{
	int xd, xf;

	draw(100, 8);
	xd = col_of(0, "DELTA");
	xf = col_of(0, "FUNCTION");
	/* Row 1 is the cursor's; rows 2 and 3 fell, row 4 did not move. */
	key(K_DOWN);
	draw(100, 8);
	cr_assert_eq(cell(xd + 2, 1)->color, CC_UP, "%s", row(1));
	cr_assert_eq(cell(xf, 1)->color, CC_UP);
	cr_assert_eq(cell(xd + 2, 3)->color, CC_DOWN, "%s", row(3));
	cr_assert_eq(cell(xf, 3)->color, CC_DOWN);
	cr_assert_eq(cell(xd + 2, 4)->color, CC_NORMAL, "%s", row(4));
	cr_assert_eq(cell(xf, 2)->color, CC_SELECTED);
	cr_assert(cell(xf, 2)->attr & CA_REVERSE);
	/* A search match shows as one, whatever the sign. */
	model.search = "gon";
	draw(100, 8);
	cr_assert_eq(cell(xf, 3)->color, CC_MATCH);
}

Test(view_diff, cursor_drill_and_baseline_only_rows)
{
	draw(100, 10);
	cr_assert_eq(view->ops->selected(view), profile_func(now, "fresh", LIB));
	cr_assert_eq(key(K_ENTER), VR_DRILL);
	cr_assert_eq(key('f'), VR_FLAME);
	cr_assert_str_eq(squeeze(status()),
			 "fresh (libapp.so.1) self 0.0% -> 50.0% (+50.00) total 0.0% -> 50.0% (+50.00)");
	key(K_DOWN);
	cr_assert_eq(view->ops->selected(view), profile_func(now, "a", APP));
	/* gone is only in the baseline: nothing to drill into. */
	key(K_DOWN);
	cr_assert_eq(view->ops->selected(view), PROF_NONE);
	cr_assert_eq(key(K_ENTER), VR_HANDLED);
	cr_assert_eq(key('f'), VR_HANDLED);
	cr_assert(strstr(status(), "only in the baseline: self 10.0% -> 0.0% (-10.00)"), "%s",
		  status());
	/* The sort keys are taken (the order is by change) but change nothing. */
	cr_assert_eq(key('>'), VR_HANDLED);
	draw(100, 10);
	cr_assert_str_eq(squeeze(row(1)), "0.00% 50.00% +50.00 +50.00 fresh libapp.so.1");
	/* Global keys are left to the loop. */
	cr_assert_eq(key('b'), VR_IGNORED);
	cr_assert_eq(key('d'), VR_IGNORED);
	key(K_END);
	cr_assert_eq(view->ops->selected(view), profile_func(now, "main", APP));
	key(K_HOME);
	cr_assert_eq(view->ops->selected(view), profile_func(now, "fresh", LIB));
}

/* The cursor stays on its function when the rows re-sort. */
Test(view_diff, cursor_follows_its_function)
{
	draw(100, 10);
	key(K_DOWN);
	cr_assert_eq(view->ops->selected(view), profile_func(now, "a", APP));
	/* b grows past everything: a moves down a row. */
	hit(now, "b", APP, 10000);
	draw(100, 10);
	cr_assert(strstr(row(1), " b "), "%s", row(1));
	cr_assert_eq(view->ops->selected(view), profile_func(now, "a", APP));
	cr_assert(cell(col_of(0, "FUNCTION"), 2)->attr & CA_REVERSE, "a is not under the cursor");
}

Test(view_diff, focus_and_search)
{
	view->ops->focus(view, profile_func(now, "b", APP), &model);
	cr_assert_eq(view->ops->selected(view), profile_func(now, "b", APP));
	model.search = "FRE";
	cr_assert_eq(key('n'), VR_HANDLED);
	cr_assert_eq(view->ops->selected(view), profile_func(now, "fresh", LIB));
	cr_assert_eq(key('N'), VR_HANDLED);
	cr_assert_eq(view->ops->selected(view), profile_func(now, "fresh", LIB));
}

Test(view_diff, narrow_screens_keep_delta_and_function)
{
	draw(40, 4);
	cr_assert_str_eq(squeeze(row(0)), "BEFORE% NOW% DELTA\u25bc FUNCTION");
	cr_assert_str_eq(squeeze(row(1)), "0.00% 50.00% +50.00 fresh");
	draw(30, 4);
	cr_assert_str_eq(squeeze(row(0)), "NOW% DELTA\u25bc FUNCTION");
	cr_assert_str_eq(squeeze(row(1)), "50.00% +50.00 fresh");
	draw(22, 4);
	cr_assert_str_eq(squeeze(row(0)), "DELTA\u25bc FUNCTION");
	cr_assert_str_eq(squeeze(row(1)), "+50.00 fresh");
	/* One row: no titles, the cursor's row. */
	draw(100, 1);
	cr_assert(strstr(row(0), "fresh"), "%s", row(0));
}

Test(view_diff, ascii_titles)
{
	cr_assert_eq(canvas_resize(&cv, 100, 4), 0);
	cv.ascii = true;
	view->ops->draw(view, &cv, 0, 4, &model);
	cr_assert_str_eq(squeeze(row(0)), "BEFORE% NOW% DELTAv TOTAL-D FUNCTION MODULE");
}

Test(view_diff, nothing_to_compare)
{
	model.diff = NULL;
	draw(60, 4);
	cr_assert(strstr(row(1), "no baseline: b pins the profile shown"), "%s", row(1));
	cr_assert_eq(view->ops->selected(view), PROF_NONE);
	cr_assert_eq(key(K_ENTER), VR_HANDLED);

	model.diff = ud;
	cr_assert_eq(uidiff_pin(ud, fx_profile(), 0), 0);
	draw(60, 4);
	cr_assert(strstr(row(1), "no samples in the baseline"), "%s", row(1));

	struct profile *base = fx_profile();

	hit(base, "a", APP, 1);
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	profile_free(now);
	now = fx_profile();
	model.p = now;
	model.epoch++;
	draw(60, 4);
	cr_assert(strstr(row(1), "no samples yet"), "%s", row(1));
	cr_assert_eq(view->ops->selected(view), PROF_NONE);
}

/* A re-pin or clear under the view: it takes the new rows, never the old. */
Test(view_diff, repin_and_clear)
{
	struct profile *base = fx_profile();

	draw(100, 10);
	hit(base, "a", APP, 1);
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	cr_assert_eq(view->ops->selected(view), profile_func(now, "fresh", LIB));
	draw(100, 10);
	cr_assert(strstr(row(1), " a "), "%s", row(1));   /* a: 100 % -> 20 % */
	uidiff_clear(ud);
	draw(100, 10);
	cr_assert(strstr(row(1), "no baseline"), "%s", row(1));
}
