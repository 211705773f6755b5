/* test_view_flame.c — the flame graph view drawn into a canvas: layout, zoom, orientation, keys, search. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "proftui/canvas.h"
#include "proftui/keys.h"
#include "proftui/uidiff.h"
#include "proftui/view.h"

#include "viewfix.h"

#define MOD FX_EXE
#define SEP L'\u258f'

static struct vf f;   /* the flame view over vf_synthetic's profile, all in MOD */

static void setup(void)
{
	vf_utf8();
	vf_init(&f, view_flame_new(), 0, 0);
	vf_synthetic(&f, MOD, MOD);
}

static void teardown(void)
{
	vf_fini(&f);
}

TestSuite(flame, .init = setup, .fini = teardown);

static wchar_t sep(void)
{
	return f.c.ascii ? L'|' : SEP;
}

/* Width of the bar starting at x: up to the next separator or blank cell. */
static int bar_at(int x, int y)
{
	int i = x + 1;

	cr_assert_eq(vf_cell(&f, x, y)->ch, sep(),
		     "no bar starts at %d on row %d: '%s'", x, y, vf_row(&f, y));
	while (i < f.c.w && vf_cell(&f, i, y)->ch != sep() && vf_cell(&f, i, y)->color != CC_NORMAL)
		i++;
	return i - x;
}

/* Column where a bar labelled exactly `name` starts, from column `from`. */
static int bar_named(const char *name, int y, int from)
{
	int n = (int)strlen(name);

	for (int x = from; x + n < f.c.w; x++) {
		int i = 0;

		if (vf_cell(&f, x, y)->ch != sep())
			continue;
		while (i < n && vf_cell(&f, x + 1 + i, y)->ch == (wchar_t)name[i])
			i++;
		if (i == n && (x + 1 + n == f.c.w || vf_cell(&f, x + 1 + n, y)->ch == L' ' ||
			       vf_cell(&f, x + 1 + n, y)->ch == sep()))
			return x;
	}
	return -1;
}

static void expect_bar(const char *name, int y, int from, int x, int w)
{
	int at = bar_named(name, y, from);

	cr_assert_eq(at, x, "%s on row %d at %d, not %d: '%s'", name, y, at, x, vf_row(&f, y));
	cr_assert_eq(bar_at(at, y), w, "%s on row %d is %d wide, not %d: '%s'", name, y,
		     bar_at(at, y), w, vf_row(&f, y));
}

static bool blank(int y)
{
	for (int x = 0; x < f.c.w; x++)
		if (vf_cell(&f, x, y)->ch != L' ')
			return false;
	return true;
}

Test(flame, icicle_layout_on_100_columns)
{
	vf_draw_sized(&f, 100, 6);
	cr_assert(strstr(vf_row(&f, 0), "Flame graph: all"), "title: %s", vf_row(&f, 0));
	cr_assert(strstr(vf_row(&f, 0), "100 samples"), "title: %s", vf_row(&f, 0));
	cr_assert_eq(vf_cell(&f, 0, 0)->color, CC_HEADER);
	expect_bar("main", 1, 0, 0, 100);
	/* Alphabetical: c before run. */
	expect_bar("c", 2, 0, 0, 10);
	expect_bar("run", 2, 0, 10, 90);
	expect_bar("a", 3, 0, 0, 10);
	expect_bar("a", 3, 1, 10, 60);
	expect_bar("b", 3, 0, 70, 30);
	cr_assert(blank(4) && blank(5));
	/* main is selected; the rest are coloured by self share. */
	cr_assert_eq(vf_cell(&f, 50, 1)->color, CC_SELECTED);
	cr_assert_eq(vf_cell(&f, 50, 1)->attr & (CA_REVERSE | CA_BOLD), CA_REVERSE | CA_BOLD);
	cr_assert_eq(vf_cell(&f, 50, 2)->color, CC_HOT0);
	cr_assert_eq(vf_cell(&f, 5, 3)->color, CC_HOT2);
	cr_assert_eq(vf_cell(&f, 40, 3)->color, CC_HOT4);
	cr_assert_eq(vf_cell(&f, 80, 3)->color, CC_HOT3);
	cr_assert_eq(f.v->ops->selected(f.v), f.main_);
	cr_assert_str_eq(vf_status(&f), "main  (app)  100 samples, 100.0% of all, 100.0% of zoom");
}

Test(flame, zoom_in_and_out)
{
	vf_draw_sized(&f, 100, 6);
	cr_assert_eq(vf_key(&f, K_DOWN), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), f.run);
	cr_assert_eq(vf_key(&f, K_ENTER), VR_HANDLED);
	vf_draw_sized(&f, 100, 6);
	cr_assert(strstr(vf_row(&f, 0), "zoom run") && strstr(vf_row(&f, 0), "90 samples"),
		  "%s", vf_row(&f, 0));
	expect_bar("run", 1, 0, 0, 100);
	expect_bar("a", 2, 0, 0, 67);
	expect_bar("b", 2, 0, 67, 33);
	cr_assert(blank(3));
	cr_assert_str_eq(vf_status(&f), "run  (app)  90 samples, 90.0% of all, 100.0% of zoom");
	vf_key(&f, 'j');
	cr_assert_str_eq(vf_status(&f), "a  (app)  60 samples, 60.0% of all, 66.7% of zoom");
	/* Zoom again, then back out level by level. */
	vf_key(&f, K_ENTER);
	vf_draw_sized(&f, 100, 6);
	expect_bar("a", 1, 0, 0, 100);
	cr_assert_eq(vf_key(&f, K_ESC), VR_HANDLED);
	vf_draw_sized(&f, 100, 6);
	cr_assert(strstr(vf_row(&f, 0), "zoom run"), "%s", vf_row(&f, 0));
	cr_assert_eq(vf_key(&f, K_BACKSPACE), VR_HANDLED);
	vf_draw_sized(&f, 100, 6);
	cr_assert(strstr(vf_row(&f, 0), "Flame graph: all"), "%s", vf_row(&f, 0));
	expect_bar("a", 3, 1, 10, 60);
	cr_assert_eq(vf_cell(&f, 40, 3)->color, CC_SELECTED);
	cr_assert_eq(vf_key(&f, K_ESC), VR_BACK);
}

Test(flame, home_resets_zoom)
{
	vf_key(&f, K_DOWN);
	vf_key(&f, K_ENTER);
	vf_key(&f, K_DOWN);
	vf_key(&f, K_ENTER);
	vf_draw_sized(&f, 100, 6);
	cr_assert(strstr(vf_row(&f, 0), "zoom a"), "%s", vf_row(&f, 0));
	cr_assert_eq(vf_key(&f, K_HOME), VR_HANDLED);
	vf_draw_sized(&f, 100, 6);
	expect_bar("main", 1, 0, 0, 100);
	cr_assert_eq(vf_key(&f, K_ESC), VR_BACK);
}

Test(flame, flame_orientation_puts_the_root_at_the_bottom)
{
	cr_assert_eq(vf_key(&f, 'i'), VR_HANDLED);
	vf_draw_sized(&f, 100, 6);
	cr_assert(strstr(vf_row(&f, 0), "flame"), "%s", vf_row(&f, 0));
	cr_assert(blank(1) && blank(2));
	expect_bar("a", 3, 1, 10, 60);
	expect_bar("run", 4, 0, 10, 90);
	expect_bar("main", 5, 0, 0, 100);
	/* Up goes visually up: towards the callees. */
	vf_key(&f, K_UP);
	cr_assert_eq(f.v->ops->selected(f.v), f.run);
	vf_key(&f, 'k');
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
	vf_key(&f, K_DOWN);
	cr_assert_eq(f.v->ops->selected(f.v), f.run);
	vf_key(&f, 'i');
	vf_draw_sized(&f, 100, 6);
	expect_bar("main", 1, 0, 0, 100);
	vf_key(&f, K_DOWN);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
}

Test(flame, arrows_move_across_parents)
{
	vf_draw_sized(&f, 100, 6);
	vf_key(&f, K_DOWN);
	vf_key(&f, K_DOWN);
	cr_assert_str_eq(vf_status(&f), "a  (app)  60 samples, 60.0% of all, 60.0% of zoom");
	vf_key(&f, K_RIGHT);
	cr_assert_eq(f.v->ops->selected(f.v), f.b);
	vf_key(&f, 'l');
	cr_assert_eq(f.v->ops->selected(f.v), f.b, "b is the last on its row");
	vf_key(&f, K_LEFT);
	cr_assert_str_eq(vf_status(&f), "a  (app)  60 samples, 60.0% of all, 60.0% of zoom");
	vf_key(&f, 'h');
	cr_assert_str_eq(vf_status(&f), "a  (app)  10 samples, 10.0% of all, 10.0% of zoom");
	vf_key(&f, K_LEFT);
	cr_assert_str_eq(vf_status(&f), "a  (app)  10 samples, 10.0% of all, 10.0% of zoom");
	vf_key(&f, K_UP);
	cr_assert_eq(f.v->ops->selected(f.v), f.cf);
	vf_key(&f, K_RIGHT);
	cr_assert_eq(f.v->ops->selected(f.v), f.run);
	vf_key(&f, 'k');
	cr_assert_eq(f.v->ops->selected(f.v), f.main_);
	cr_assert_eq(vf_key(&f, K_UP), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), f.main_, "row 0 has no parent to go to");
	vf_draw_sized(&f, 100, 6);
	cr_assert_eq(vf_cell(&f, 50, 1)->color, CC_SELECTED);
	cr_assert_eq(vf_key(&f, 'q'), VR_IGNORED);
	cr_assert_eq(vf_key(&f, 'f'), VR_HANDLED);
}

Test(flame, down_returns_the_way_up_came)
{
	vf_key(&f, K_DOWN);
	vf_key(&f, K_DOWN);
	vf_key(&f, K_RIGHT);
	vf_key(&f, K_UP);
	vf_key(&f, K_UP);
	cr_assert_eq(f.v->ops->selected(f.v), f.main_);
	vf_key(&f, K_DOWN);
	vf_key(&f, K_DOWN);
	cr_assert_eq(f.v->ops->selected(f.v), f.b, "Down must retrace b, not take the widest");
	vf_key(&f, K_HOME);
	vf_key(&f, 'g');
	vf_key(&f, K_UP);
	vf_key(&f, K_END);
	cr_assert_eq(f.v->ops->selected(f.v), f.b);
}

Test(flame, search_highlights_and_n_cycles)
{
	f.m.search = "A";
	vf_draw_sized(&f, 100, 6);
	cr_assert_eq(vf_cell(&f, 5, 3)->color, CC_MATCH);
	cr_assert_eq(vf_cell(&f, 40, 3)->color, CC_MATCH);
	cr_assert_eq(vf_cell(&f, 80, 3)->color, CC_HOT3);
	cr_assert_eq(vf_cell(&f, 50, 2)->color, CC_HOT0);
	cr_assert_eq(vf_cell(&f, 50, 1)->color, CC_SELECTED, "main matches but is selected");
	vf_key(&f, 'n');
	cr_assert_str_eq(vf_status(&f), "a  (app)  10 samples, 10.0% of all, 10.0% of zoom");
	vf_key(&f, 'n');
	cr_assert_str_eq(vf_status(&f), "a  (app)  60 samples, 60.0% of all, 60.0% of zoom");
	vf_key(&f, 'n');
	cr_assert_eq(f.v->ops->selected(f.v), f.main_, "n wraps around");
	vf_key(&f, 'N');
	cr_assert_str_eq(vf_status(&f), "a  (app)  60 samples, 60.0% of all, 60.0% of zoom");
	vf_draw_sized(&f, 100, 6);
	cr_assert_eq(vf_cell(&f, 50, 1)->color, CC_MATCH);
	cr_assert_eq(vf_cell(&f, 40, 3)->color, CC_SELECTED);
	f.m.search = "zzz";
	cr_assert_eq(vf_key(&f, 'n'), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
}

Test(flame, deep_stack_scrolls_without_drawing_it_all)
{
	enum { DEPTH = 10000 };
	static uint32_t stack[DEPTH];
	char name[32];
	struct profile *deep = profile_new();

	cr_assert_not_null(deep);
	for (int i = 0; i < DEPTH; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		stack[DEPTH - 1 - i] = fx_fn(deep, name, MOD);   /* f0 outermost */
	}
	vf_add(deep, stack, DEPTH, 5);
	f.m = (struct ui_model){ .p = deep, .epoch = 2, .search = "", .color = true };
	vf_draw_sized(&f, 80, 20);
	expect_bar("f0", 1, 0, 0, 80);
	expect_bar("f18", 19, 0, 0, 80);
	vf_key(&f, K_END);
	cr_assert_eq(f.v->ops->selected(f.v), stack[0]);
	vf_draw_sized(&f, 80, 20);
	expect_bar("f9999", 19, 0, 0, 80);
	expect_bar("f9981", 1, 0, 0, 80);
	cr_assert_eq(vf_cell(&f, 3, 19)->color, CC_SELECTED);
	vf_key(&f, K_PGUP);
	cr_assert_eq(f.v->ops->selected(f.v), stack[19]);   /* f9980 */
	vf_draw_sized(&f, 80, 20);
	expect_bar("f9980", 1, 0, 0, 80);
	vf_key(&f, K_PGDN);
	vf_key(&f, K_PGDN);
	cr_assert_eq(f.v->ops->selected(f.v), stack[0], "PgDn stops at the leaf");
	vf_focus(&f, stack[DEPTH - 5001]);   /* f5000 */
	vf_draw_sized(&f, 80, 20);
	cr_assert(strstr(vf_row(&f, 0), "zoom f5000"), "%s", vf_row(&f, 0));
	expect_bar("f5000", 1, 0, 0, 80);
	vf_key(&f, 'i');
	vf_key(&f, K_PGUP);
	vf_draw_sized(&f, 80, 20);
	expect_bar("f5019", 1, 0, 0, 80);
	expect_bar("f5001", 19, 0, 0, 80);
	cr_assert_eq(f.v->ops->selected(f.v), stack[DEPTH - 5020]);
	profile_free(deep);
}

Test(flame, tiny_canvases)
{
	vf_draw_sized(&f, 1, 1);
	cr_assert_eq(vf_cell(&f, 0, 0)->ch, SEP);
	cr_assert_eq(vf_cell(&f, 0, 0)->color, CC_SELECTED);
	vf_key(&f, K_DOWN);
	cr_assert_eq(f.v->ops->selected(f.v), f.main_, "run is narrower than a column");
	vf_draw_sized(&f, 20, 6);
	vf_key(&f, K_DOWN);
	vf_key(&f, K_ENTER);
	vf_draw_sized(&f, 1, 2);
	cr_assert_eq(vf_cell(&f, 0, 0)->ch, L'F');
	cr_assert_eq(vf_cell(&f, 0, 1)->color, CC_SELECTED);
	vf_draw_sized(&f, 20, 6);
	cr_assert(strncmp(vf_row(&f, 0), "Flame graph: zoom ru", 20) == 0, "%s", vf_row(&f, 0));
	expect_bar("run", 1, 0, 0, 20);
	expect_bar("a", 2, 0, 0, 13);
	expect_bar("b", 2, 0, 13, 7);
	vf_key(&f, K_HOME);
	vf_draw_sized(&f, 20, 6);
	cr_assert_eq(bar_at(0, 2), 2, "%s", vf_row(&f, 2));
	cr_assert_eq(vf_cell(&f, 1, 2)->ch, L' ', "a 2-column bar shows no label");
	vf_draw_sized(&f, 3, 3);
	cr_assert_eq(bar_at(0, 1), 3);
	cr_assert_eq(vf_cell(&f, 1, 1)->ch, L'm');
	cr_assert_eq(vf_cell(&f, 2, 1)->ch, L'\u2026');
	/* Two roots under a column each: say so, and keep the selection. */
	cr_assert_eq(f.v->ops->selected(f.v), f.run);
	vf_add(f.p, &f.b, 1, 20);
	vf_draw_sized(&f, 1, 1);
	cr_assert_eq(vf_cell(&f, 0, 0)->ch, L't');
	vf_draw_sized(&f, 1, 3);
	cr_assert_eq(vf_cell(&f, 0, 0)->ch, L't');
	cr_assert(blank(1) && blank(2));
	cr_assert_eq(f.v->ops->selected(f.v), f.run);
	vf_draw_sized(&f, 100, 4);
	cr_assert_eq(vf_cell(&f, 50, 2)->color, CC_SELECTED);
}

Test(flame, long_labels_are_cut_with_an_ellipsis)
{
	struct profile *p = profile_new();
	uint32_t id = fx_fn(p, "a_really_long_function_name", MOD);

	vf_add(p, &id, 1, 3);
	f.m.p = p;
	f.m.epoch = 9;
	vf_draw_sized(&f, 20, 3);
	cr_assert_str_eq(vf_row(&f, 1), "\u258f" "a_really_long_func\u2026");
	f.c.ascii = true;
	f.v->ops->draw(f.v, &f.c, 0, 3, &f.m);
	cr_assert_str_eq(vf_row(&f, 1), "|a_really_long_func.");
	profile_free(p);
}

Test(flame, empty_profile)
{
	struct profile *p = profile_new();

	f.m.p = p;
	f.m.epoch = 3;
	vf_draw_sized(&f, 80, 20);
	cr_assert(strstr(vf_row(&f, 0), "no samples yet"), "%s", vf_row(&f, 0));
	cr_assert_eq(vf_key(&f, K_DOWN), VR_HANDLED);
	cr_assert_eq(vf_key(&f, 'n'), VR_HANDLED);
	cr_assert_eq(vf_key(&f, K_ENTER), VR_HANDLED);
	cr_assert_eq(f.v->ops->selected(f.v), PROF_NONE);
	cr_assert_str_eq(vf_status(&f), "");
	cr_assert_eq(vf_key(&f, K_ESC), VR_BACK);
	vf_draw_sized(&f, 1, 1);
	cr_assert_eq(vf_cell(&f, 0, 0)->ch, L'n');
	f.m.p = NULL;
	f.m.epoch = 4;
	vf_draw_sized(&f, 10, 2);
	cr_assert(strstr(vf_row(&f, 0), "no sampl"), "%s", vf_row(&f, 0));
	cr_assert_eq(vf_key(&f, K_UP), VR_HANDLED);
	vf_focus(&f, 0);
	cr_assert_str_eq(vf_status(&f), "");
	profile_free(p);
}

Test(flame, new_epoch_keeps_the_selection_by_path)
{
	struct profile *p = profile_new();
	uint32_t m;

	vf_key(&f, K_DOWN);
	vf_key(&f, K_ENTER);
	vf_key(&f, K_DOWN);
	vf_key(&f, K_RIGHT);
	cr_assert_eq(f.v->ops->selected(f.v), f.b);
	/* A snapshot keeps function ids; another insertion order makes other node ids. */
	cr_assert_eq(fx_fn(p, "main", MOD), f.main_);
	cr_assert_eq(fx_fn(p, "run", MOD), f.run);
	cr_assert_eq(fx_fn(p, "a", MOD), f.a);
	cr_assert_eq(fx_fn(p, "b", MOD), f.b);
	vf_add(p, (uint32_t[]){ f.main_ }, 1, 7);
	vf_add(p, (uint32_t[]){ f.a, f.main_ }, 2, 1);
	vf_add(p, (uint32_t[]){ f.b, f.run, f.main_ }, 3, 4);
	f.m.p = p;
	f.m.epoch = 2;
	vf_draw_sized(&f, 100, 6);
	cr_assert(strstr(vf_row(&f, 0), "Flame graph: all"), "zoom dropped: %s", vf_row(&f, 0));
	cr_assert_str_eq(vf_status(&f), "b  (app)  4 samples, 33.3% of all, 33.3% of zoom");
	cr_assert_eq(f.v->ops->selected(f.v), f.b);
	expect_bar("b", 3, 0, 8, 34);
	cr_assert_eq(vf_cell(&f, 20, 3)->color, CC_SELECTED);
	/* A reset: ids past the new profile's functions are dropped. */
	profile_free(p);
	p = profile_new();
	m = fx_fn(p, "main", MOD);
	vf_add(p, &m, 1, 1);
	f.m.p = p;
	f.m.epoch = 4;
	vf_draw_sized(&f, 100, 6);
	cr_assert_eq(f.v->ops->selected(f.v), m);
	profile_free(p);
}

Test(flame, focus_zooms_on_the_hottest_node)
{
	vf_focus(&f, f.a);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
	vf_draw_sized(&f, 100, 6);
	cr_assert(strstr(vf_row(&f, 0), "zoom a") && strstr(vf_row(&f, 0), "60 samples"),
		  "%s", vf_row(&f, 0));
	expect_bar("a", 1, 0, 0, 100);
	cr_assert(blank(2));
	vf_key(&f, K_ESC);
	vf_draw_sized(&f, 100, 6);
	cr_assert(strstr(vf_row(&f, 0), "Flame graph: all"), "%s", vf_row(&f, 0));
	expect_bar("a", 3, 1, 10, 60);
	cr_assert_eq(vf_cell(&f, 40, 3)->color, CC_SELECTED);
	cr_assert_eq(vf_key(&f, K_ESC), VR_BACK);
	vf_focus(&f, 12345);
	cr_assert_eq(f.v->ops->selected(f.v), f.a);
}

Test(flame, colour_by_module_and_monochrome)
{
	struct profile *p = profile_new();
	uint32_t m = fx_fn(p, "main", MOD), x = fx_fn(p, "x", "/lib/libc.so.6"),
		 y = fx_fn(p, "y", "/lib/libc.so.6");

	vf_add(p, (uint32_t[]){ x, m }, 2, 80);
	vf_add(p, (uint32_t[]){ y, m }, 2, 20);
	f.m.p = p;
	f.m.epoch = 5;
	vf_draw_sized(&f, 100, 4);
	cr_assert_eq(vf_cell(&f, 40, 2)->color, CC_HOT4);
	cr_assert_eq(vf_cell(&f, 90, 2)->color, CC_HOT3);
	cr_assert_eq(vf_key(&f, 'c'), VR_HANDLED);
	vf_draw_sized(&f, 100, 4);
	cr_assert(strstr(vf_row(&f, 0), "module"), "%s", vf_row(&f, 0));
	cr_assert_eq(vf_cell(&f, 40, 2)->color, vf_cell(&f, 90, 2)->color,
		     "same module, same colour");
	cr_assert(vf_cell(&f, 40, 2)->color >= CC_HOT0 && vf_cell(&f, 40, 2)->color <= CC_HOT4);
	vf_key(&f, K_DOWN);
	f.m.color = false;
	vf_draw_sized(&f, 100, 4);
	cr_assert(vf_cell(&f, 90, 2)->attr & CA_REVERSE, "monochrome bars are reversed");
	cr_assert(vf_cell(&f, 50, 1)->attr & CA_REVERSE);
	cr_assert_eq(vf_cell(&f, 40, 2)->color, CC_SELECTED);
	cr_assert_neq(vf_cell(&f, 40, 2)->attr, vf_cell(&f, 90, 2)->attr);
	expect_bar("y", 2, 0, 80, 20);
	profile_free(p);
}

Test(flame, frames_under_a_column_are_not_drawn)
{
	struct profile *p = profile_new();
	uint32_t m = fx_fn(p, "main", MOD), big = fx_fn(p, "big", MOD);
	char name[16];
	int seps = 0;

	vf_add(p, (uint32_t[]){ big, m }, 2, 100000);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		vf_add(p, (uint32_t[]){ fx_fn(p, name, MOD), m }, 2, 1);
	}
	f.m.p = p;
	f.m.epoch = 6;
	vf_draw_sized(&f, 100, 4);
	for (int x = 0; x < 100; x++)
		seps += vf_cell(&f, x, 2)->ch == SEP;
	cr_assert_eq(seps, 1, "%s", vf_row(&f, 2));
	expect_bar("big", 2, 0, 0, 99);
	profile_free(p);
}

/* Whatever the keys and sizes, the selection stays on screen. */
Test(flame, random_keys_keep_the_selection_visible)
{
	static const int keys[] = { K_UP, K_DOWN, K_LEFT, K_RIGHT, K_PGUP, K_PGDN, K_HOME, K_END,
				    K_ENTER, K_ESC, 'n', 'N', 'i', 'c', 'g', 'G' };
	uint32_t chain[40];
	unsigned seed = 12345;

	for (int i = 0; i < 40; i++)
		chain[i] = i % 3 ? f.a : f.run;
	vf_add(f.p, chain, 40, 3);
	f.m.search = "u";
	for (int i = 0; i < 3000; i++) {
		int w, h, found = 0;

		seed = seed * 1103515245u + 12345u;
		if (vf_key(&f, keys[(seed >> 16) % (sizeof(keys) / sizeof(keys[0]))]) & VR_BACK)
			continue;
		seed = seed * 1103515245u + 12345u;
		w = 2 + (int)((seed >> 16) % 120);   /* main is a column wide from 2 */
		h = 2 + (int)((seed >> 8) % 30);
		vf_draw_sized(&f, w, h);
		for (int y = 1; y < h; y++)
			for (int x = 0; x < w; x++)
				found += vf_cell(&f, x, y)->color == CC_SELECTED;
		cr_assert(found > 0, "no selection drawn on %dx%d after key %d", w, h, i);
		cr_assert_neq(f.v->ops->selected(f.v), PROF_NONE);
	}
}

/* The first row holding `text` and the column where its first two
 * characters start on that row. */
static bool find_text(const char *text, int *x, int *y)
{
	for (int r = 0; r < f.c.h; r++) {
		const char *s = vf_row(&f, r), *p = strstr(s, text);

		if (p) {
			*y = r;
			for (*x = 0; *x + 1 < f.c.w; (*x)++)
				if (vf_cell(&f, *x, r)->ch == (wchar_t)text[0] &&
				    vf_cell(&f, *x + 1, r)->ch == (wchar_t)text[1])
					return true;
		}
	}
	return false;
}

Test(flame, off_cpu_states_have_their_own_colours)
{
	uint32_t io = fx_fn(f.p, "[IO wait]", "[off-cpu]"),
		 sl = fx_fn(f.p, "[sleeping]", "[off-cpu]");
	int x, y;

	vf_add(f.p, (uint32_t[]){ io, f.b, f.run, f.main_ }, 4, 80);
	vf_add(f.p, (uint32_t[]){ sl, f.cf, f.main_ }, 3, 80);
	f.m.epoch++;
	vf_draw_sized(&f, 160, 20);
	cr_assert(find_text("[IO wait]", &x, &y), "no [IO wait] frame drawn");
	cr_assert_eq(vf_cell(&f, x, y)->color, CC_IOWAIT);
	cr_assert(find_text("[sleeping]", &x, &y), "no [sleeping] frame drawn");
	cr_assert_eq(vf_cell(&f, x, y)->color, CC_SLEEP);
	cr_assert(find_text("run", &x, &y));
	cr_assert_neq(vf_cell(&f, x, y)->color, CC_IOWAIT,
		      "ordinary frames keep their heat colours");
}

/* Against a baseline, frames take the change of their call path's share:
 * before 10 main->run->a, 78 main->run->b, 12 main->c->a; now
 * (vf_synthetic) 60, 30, 10.  run +2 (a little), run->a +50 (a lot), run->b
 * -48, c and c->a -2; main no change.  The separator carries the sign
 * without colours. */
Test(flame, diff_colours_by_call_path)
{
	struct profile *base = profile_new();
	struct uidiff *ud = uidiff_new();
	uint32_t m, r, a, b, c;

	cr_assert_not_null(base);
	cr_assert_not_null(ud);
	c = fx_fn(base, "c", MOD);
	b = fx_fn(base, "b", MOD);
	a = fx_fn(base, "a", MOD);
	r = fx_fn(base, "run", MOD);
	m = fx_fn(base, "main", MOD);
	vf_add(base, (uint32_t[]){ a, r, m }, 3, 10);
	vf_add(base, (uint32_t[]){ b, r, m }, 3, 78);
	vf_add(base, (uint32_t[]){ a, c, m }, 3, 12);
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	f.m.diff = ud;
	vf_draw_sized(&f, 100, 6);
	cr_assert(strstr(vf_row(&f, 0), "colour by change vs baseline"),
		  "title: %s", vf_row(&f, 0));
	cr_assert(strstr(vf_row(&f, 2), "-c ") && strstr(vf_row(&f, 2), "+run "),
		  "%s", vf_row(&f, 2));
	cr_assert_eq(vf_cell(&f, 0, 2)->ch, L'-', "%s", vf_row(&f, 2));
	cr_assert_eq(vf_cell(&f, 5, 2)->color, CC_DOWN1);
	cr_assert_eq(vf_cell(&f, 10, 2)->ch, L'+', "%s", vf_row(&f, 2));
	cr_assert_eq(vf_cell(&f, 50, 2)->color, CC_UP1);
	cr_assert_eq(vf_cell(&f, 5, 3)->color, CC_DOWN1);
	cr_assert_eq(vf_cell(&f, 10, 3)->ch, L'+', "%s", vf_row(&f, 3));
	cr_assert_eq(vf_cell(&f, 40, 3)->color, CC_UP3);
	cr_assert(vf_cell(&f, 40, 3)->attr & CA_BOLD);
	cr_assert_eq(vf_cell(&f, 70, 3)->ch, L'-', "%s", vf_row(&f, 3));
	cr_assert_eq(vf_cell(&f, 80, 3)->color, CC_DOWN3);
	/* main is selected; the status says how its path changed. */
	cr_assert(strstr(vf_status(&f), "; this path 100.0% -> 100.0% (+0.00)"),
		  "%s", vf_status(&f));
	vf_key(&f, K_DOWN);
	cr_assert(strstr(vf_status(&f), "; this path 88.0% -> 90.0% (+2.00)"), "%s", vf_status(&f));
	vf_draw_sized(&f, 100, 6);
	cr_assert_eq(vf_cell(&f, 50, 1)->color, CC_EVEN);
	cr_assert_eq(vf_cell(&f, 0, 1)->ch, SEP,
		     "no change keeps the plain separator: %s", vf_row(&f, 1));

	/* Without colours: reversed bars, the signs still there. */
	f.m.color = false;
	vf_draw_sized(&f, 100, 6);
	cr_assert(vf_cell(&f, 80, 3)->attr & CA_REVERSE);
	cr_assert_eq(vf_cell(&f, 70, 3)->ch, L'-');
	/* ASCII: the same signs, '|' for no change. */
	f.c.ascii = true;
	f.v->ops->draw(f.v, &f.c, 0, 6, &f.m);
	cr_assert_eq(vf_cell(&f, 70, 3)->ch, L'-');
	cr_assert_eq(vf_cell(&f, 0, 1)->ch, L'|');
	f.c.ascii = false;

	/* The diff off: heat colours again. */
	f.m.diff = NULL;
	f.m.color = true;
	vf_draw_sized(&f, 100, 6);
	cr_assert_eq(vf_cell(&f, 80, 3)->color, CC_HOT3);
	cr_assert_eq(vf_cell(&f, 70, 3)->ch, SEP);
	uidiff_free(ud);
}
