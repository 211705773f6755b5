/* test_view_diff.c — the diff table drawn into a canvas: columns, order, signs, colours, cursor, drill-down, narrow and ASCII screens. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/uidiff.h"
#include "proftui/view.h"

#include "viewfix.h"

#define APP FX_EXE
#define LIB FX_LIB

static struct vf f;   /* the diff view; f.p is "now", the profile shown */
static struct uidiff *ud;

/* w samples of leaf (in mod) called from main. */
static void hit(struct profile *p, const char *leaf, const char *mod, uint64_t w)
{
	uint32_t ids[2] = { fx_fn(p, leaf, mod), fx_fn(p, "main", APP) };

	fx_add(p, ids, 2, w);
}

/* Before: a 60 %, b 30 %, gone 10 %.  Now: a 20 %, b 30 %, fresh 50 %
 * (in LIB).  Changes: fresh +50, a -40, gone -10, b 0, main 0. */
static void setup(void)
{
	struct profile *base = fx_profile();

	vf_utf8();
	vf_init(&f, view_diff_new(), 0, 0);
	hit(base, "a", APP, 60);
	hit(base, "b", APP, 30);
	hit(base, "gone", APP, 10);
	hit(f.p, "b", APP, 300);
	hit(f.p, "fresh", LIB, 500);
	hit(f.p, "a", APP, 200);
	ud = uidiff_new();
	cr_assert_not_null(ud);
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	f.m.diff = ud;
}

static void teardown(void)
{
	uidiff_free(ud);
	vf_fini(&f);
}

TestSuite(view_diff, .init = setup, .fini = teardown);

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
	vf_draw_sized(&f, 100, 10);
	cr_assert_str_eq(squeeze(vf_row(&f, 0)),
			 "BEFORE% NOW% DELTA\u25bc TOTAL-\u0394 FUNCTION MODULE");
	cr_assert_str_eq(squeeze(vf_row(&f, 1)), "0.00% 50.00% +50.00 +50.00 fresh libapp.so.1");
	cr_assert_str_eq(squeeze(vf_row(&f, 2)), "60.00% 20.00% -40.00 -40.00 a app");
	cr_assert_str_eq(squeeze(vf_row(&f, 3)), "10.00% 0.00% -10.00 -10.00 gone app");
	/* No change prints +0.00; then main (total 100 % both sides). */
	cr_assert_str_eq(squeeze(vf_row(&f, 4)), "30.00% 30.00% +0.00 +0.00 b app");
	cr_assert_str_eq(squeeze(vf_row(&f, 5)), "0.00% 0.00% +0.00 +0.00 main app");
	cr_assert_str_eq(squeeze(vf_row(&f, 6)), "");
}

Test(view_diff, a_change_that_rounds_to_zero_is_never_minus)
{
	struct profile *base = fx_profile();

	/* 1/3 of the samples before, 33.33 % now: -0.0033 points. */
	hit(base, "x", APP, 1);
	hit(base, "y", APP, 2);
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	profile_free(f.p);
	f.p = fx_profile();
	hit(f.p, "x", APP, 3333);
	hit(f.p, "y", APP, 6667);
	f.m.p = f.p;
	f.m.epoch++;
	vf_draw_sized(&f, 100, 6);
	for (int y = 1; y < 6; y++)
		cr_assert_null(strstr(vf_row(&f, y), "-0.00"), "row %d: %s", y, vf_row(&f, y));
	cr_assert_neq(vf_col_of(&f, 1, L"+0.00"), -1, "%s", vf_row(&f, 1));
}

Test(view_diff, colours_follow_the_sign)
{
	int xd, xf;

	vf_draw_sized(&f, 100, 8);
	xd = vf_col_of(&f, 0, L"DELTA");
	xf = vf_col_of(&f, 0, L"FUNCTION");
	/* Row 1 is the cursor's; rows 2 and 3 fell, row 4 did not move. */
	vf_key(&f, K_DOWN);
	vf_draw_sized(&f, 100, 8);
	cr_assert_eq(vf_cell(&f, xd + 2, 1)->color, CC_UP, "%s", vf_row(&f, 1));
	cr_assert_eq(vf_cell(&f, xf, 1)->color, CC_UP);
	cr_assert_eq(vf_cell(&f, xd + 2, 3)->color, CC_DOWN, "%s", vf_row(&f, 3));
	cr_assert_eq(vf_cell(&f, xf, 3)->color, CC_DOWN);
	cr_assert_eq(vf_cell(&f, xd + 2, 4)->color, CC_NORMAL, "%s", vf_row(&f, 4));
	cr_assert_eq(vf_cell(&f, xf, 2)->color, CC_SELECTED);
	cr_assert(vf_cell(&f, xf, 2)->attr & CA_REVERSE);
	/* A search match shows as one, whatever the sign. */
	f.m.search = "gon";
	vf_draw_sized(&f, 100, 8);
	cr_assert_eq(vf_cell(&f, xf, 3)->color, CC_MATCH);
}

Test(view_diff, cursor_drill_and_baseline_only_rows)
{
	vf_draw_sized(&f, 100, 10);
	cr_assert_eq(f.v->ops->selected(f.v), profile_func(f.p, "fresh", LIB));
	cr_assert_eq(vf_key(&f, K_ENTER), VR_DRILL);
	cr_assert_eq(vf_key(&f, 'f'), VR_FLAME);
	cr_assert_str_eq(squeeze(vf_status(&f)),
			 "fresh (libapp.so.1) self 0.0% -> 50.0% (+50.00) total 0.0% -> 50.0% (+50.00)");
	vf_key(&f, K_DOWN);
	cr_assert_eq(f.v->ops->selected(f.v), profile_func(f.p, "a", APP));
	/* gone is only in the baseline: nothing to drill into. */
	vf_key(&f, K_DOWN);
	cr_assert_eq(f.v->ops->selected(f.v), PROF_NONE);
	cr_assert_eq(vf_key(&f, K_ENTER), VR_HANDLED);
	cr_assert_eq(vf_key(&f, 'f'), VR_HANDLED);
	cr_assert(strstr(vf_status(&f), "only in the baseline: self 10.0% -> 0.0% (-10.00)"), "%s",
		  vf_status(&f));
	/* The sort keys are taken (the order is by change) but change nothing. */
	cr_assert_eq(vf_key(&f, '>'), VR_HANDLED);
	vf_draw_sized(&f, 100, 10);
	cr_assert_str_eq(squeeze(vf_row(&f, 1)), "0.00% 50.00% +50.00 +50.00 fresh libapp.so.1");
	/* Global keys are left to the loop. */
	cr_assert_eq(vf_key(&f, 'b'), VR_IGNORED);
	cr_assert_eq(vf_key(&f, 'd'), VR_IGNORED);
	vf_key(&f, K_END);
	cr_assert_eq(f.v->ops->selected(f.v), profile_func(f.p, "main", APP));
	vf_key(&f, K_HOME);
	cr_assert_eq(f.v->ops->selected(f.v), profile_func(f.p, "fresh", LIB));
}

/* The cursor stays on its function when the rows re-sort. */
Test(view_diff, cursor_follows_its_function)
{
	vf_draw_sized(&f, 100, 10);
	vf_key(&f, K_DOWN);
	cr_assert_eq(f.v->ops->selected(f.v), profile_func(f.p, "a", APP));
	/* b grows past everything: a moves down a row. */
	hit(f.p, "b", APP, 10000);
	vf_draw_sized(&f, 100, 10);
	cr_assert(strstr(vf_row(&f, 1), " b "), "%s", vf_row(&f, 1));
	cr_assert_eq(f.v->ops->selected(f.v), profile_func(f.p, "a", APP));
	cr_assert(vf_cell(&f, vf_col_of(&f, 0, L"FUNCTION"), 2)->attr & CA_REVERSE,
		  "a is not under the cursor");
}

Test(view_diff, focus_and_search)
{
	vf_focus(&f, profile_func(f.p, "b", APP));
	cr_assert_eq(f.v->ops->selected(f.v), profile_func(f.p, "b", APP));
	f.m.search = "FRE";
	cr_assert_eq(vf_key(&f, 'n'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), profile_func(f.p, "fresh", LIB));
	cr_assert_eq(vf_key(&f, 'N'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), profile_func(f.p, "fresh", LIB));
}

Test(view_diff, narrow_screens_keep_delta_and_function)
{
	vf_draw_sized(&f, 40, 4);
	cr_assert_str_eq(squeeze(vf_row(&f, 0)), "BEFORE% NOW% DELTA\u25bc FUNCTION");
	cr_assert_str_eq(squeeze(vf_row(&f, 1)), "0.00% 50.00% +50.00 fresh");
	vf_draw_sized(&f, 30, 4);
	cr_assert_str_eq(squeeze(vf_row(&f, 0)), "NOW% DELTA\u25bc FUNCTION");
	cr_assert_str_eq(squeeze(vf_row(&f, 1)), "50.00% +50.00 fresh");
	vf_draw_sized(&f, 22, 4);
	cr_assert_str_eq(squeeze(vf_row(&f, 0)), "DELTA\u25bc FUNCTION");
	cr_assert_str_eq(squeeze(vf_row(&f, 1)), "+50.00 fresh");
	/* One row: no titles, the cursor's row. */
	vf_draw_sized(&f, 100, 1);
	cr_assert(strstr(vf_row(&f, 0), "fresh"), "%s", vf_row(&f, 0));
}

Test(view_diff, ascii_titles)
{
	cr_assert_eq(canvas_resize(&f.c, 100, 4), 0);
	f.c.ascii = true;
	f.v->ops->draw(f.v, &f.c, 0, 4, &f.m);
	cr_assert_str_eq(squeeze(vf_row(&f, 0)), "BEFORE% NOW% DELTAv TOTAL-D FUNCTION MODULE");
}

Test(view_diff, nothing_to_compare)
{
	f.m.diff = NULL;
	vf_draw_sized(&f, 60, 4);
	cr_assert(strstr(vf_row(&f, 1), "no baseline: b pins the profile shown"),
		  "%s", vf_row(&f, 1));
	cr_assert_eq(f.v->ops->selected(f.v), PROF_NONE);
	cr_assert_eq(vf_key(&f, K_ENTER), VR_HANDLED);

	f.m.diff = ud;
	cr_assert_eq(uidiff_pin(ud, fx_profile(), 0), 0);
	vf_draw_sized(&f, 60, 4);
	cr_assert(strstr(vf_row(&f, 1), "no samples in the baseline"), "%s", vf_row(&f, 1));

	struct profile *base = fx_profile();

	hit(base, "a", APP, 1);
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	profile_free(f.p);
	f.p = fx_profile();
	f.m.p = f.p;
	f.m.epoch++;
	vf_draw_sized(&f, 60, 4);
	cr_assert(strstr(vf_row(&f, 1), "no samples yet"), "%s", vf_row(&f, 1));
	cr_assert_eq(f.v->ops->selected(f.v), PROF_NONE);
}

/* A re-pin or clear under the view: it takes the new rows, never the old. */
Test(view_diff, repin_and_clear)
{
	struct profile *base = fx_profile();

	vf_draw_sized(&f, 100, 10);
	hit(base, "a", APP, 1);
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	cr_assert_eq(f.v->ops->selected(f.v), profile_func(f.p, "fresh", LIB));
	vf_draw_sized(&f, 100, 10);
	cr_assert(strstr(vf_row(&f, 1), " a "), "%s", vf_row(&f, 1));   /* a: 100 % -> 20 % */
	uidiff_clear(ud);
	vf_draw_sized(&f, 100, 10);
	cr_assert(strstr(vf_row(&f, 1), "no baseline"), "%s", vf_row(&f, 1));
}
