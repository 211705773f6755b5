/* test_view_flame.c — the flame graph view drawn into a canvas: layout, zoom, orientation, keys, search. */
#include <criterion/criterion.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "proftui/canvas.h"
#include "proftui/keys.h"
#include "proftui/uidiff.h"
#include "proftui/view.h"

#define MOD "/usr/bin/app"
#define SEP L'\u258f'

static struct profile *prof;
static struct view *view;
static struct canvas cv;
static struct ui_model model;
static uint32_t f_main, f_run, f_a, f_b, f_c;
static char line[4096];

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

/* 60 main->run->a, 30 main->run->b, 10 main->c->a. */
static struct profile *hists(void)
{
	struct profile *p = profile_new();

	cr_assert_not_null(p);
	f_main = fn(p, "main", MOD);
	f_run = fn(p, "run", MOD);
	f_a = fn(p, "a", MOD);
	f_b = fn(p, "b", MOD);
	f_c = fn(p, "c", MOD);
	add(p, (uint32_t[]){ f_a, f_run, f_main }, 3, 60);
	add(p, (uint32_t[]){ f_b, f_run, f_main }, 3, 30);
	add(p, (uint32_t[]){ f_a, f_c, f_main }, 3, 10);
	return p;
}

static void setup(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	prof = hists();
	view = view_flame_new();
	cr_assert_not_null(view);
	memset(&cv, 0, sizeof(cv));
	model = (struct ui_model){ .p = prof, .epoch = 1, .search = "", .color = true };
}

static void teardown(void)
{
	view_free(view);
	profile_free(prof);
	canvas_release(&cv);
}

TestSuite(flame, .init = setup, .fini = teardown);

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

static wchar_t sep(void)
{
	return cv.ascii ? L'|' : SEP;
}

/* Width of the bar starting at x: up to the next separator or blank cell. */
static int bar_at(int x, int y)
{
	int i = x + 1;

	cr_assert_eq(cell(x, y)->ch, sep(), "no bar starts at %d on row %d: '%s'", x, y, row(y));
	while (i < cv.w && cell(i, y)->ch != sep() && cell(i, y)->color != CC_NORMAL)
		i++;
	return i - x;
}

/* Column where a bar labelled exactly `name` starts, from column `from`. */
static int bar_named(const char *name, int y, int from)
{
	int n = (int)strlen(name);

	for (int x = from; x + n < cv.w; x++) {
		int i = 0;

		if (cell(x, y)->ch != sep())
			continue;
		while (i < n && cell(x + 1 + i, y)->ch == (wchar_t)name[i])
			i++;
		if (i == n && (x + 1 + n == cv.w || cell(x + 1 + n, y)->ch == L' ' ||
			       cell(x + 1 + n, y)->ch == sep()))
			return x;
	}
	return -1;
}

static void expect_bar(const char *name, int y, int from, int x, int w)
{
	int at = bar_named(name, y, from);

	cr_assert_eq(at, x, "%s on row %d at %d, not %d: '%s'", name, y, at, x, row(y));
	cr_assert_eq(bar_at(at, y), w, "%s on row %d is %d wide, not %d: '%s'", name, y,
		     bar_at(at, y), w, row(y));
}

static bool blank(int y)
{
	for (int x = 0; x < cv.w; x++)
		if (cell(x, y)->ch != L' ')
			return false;
	return true;
}

Test(flame, icicle_layout_on_100_columns)
{
	draw(100, 6);
	cr_assert(strstr(row(0), "Flame graph: all"), "title: %s", row(0));
	cr_assert(strstr(row(0), "100 samples"), "title: %s", row(0));
	cr_assert_eq(cell(0, 0)->color, CC_HEADER);
	expect_bar("main", 1, 0, 0, 100);
	/* Alphabetical: c before run. */
	expect_bar("c", 2, 0, 0, 10);
	expect_bar("run", 2, 0, 10, 90);
	expect_bar("a", 3, 0, 0, 10);
	expect_bar("a", 3, 1, 10, 60);
	expect_bar("b", 3, 0, 70, 30);
	cr_assert(blank(4) && blank(5));
	/* main is selected; the rest are coloured by self share. */
	cr_assert_eq(cell(50, 1)->color, CC_SELECTED);
	cr_assert_eq(cell(50, 1)->attr & (CA_REVERSE | CA_BOLD), CA_REVERSE | CA_BOLD);
	cr_assert_eq(cell(50, 2)->color, CC_HOT0);
	cr_assert_eq(cell(5, 3)->color, CC_HOT2);
	cr_assert_eq(cell(40, 3)->color, CC_HOT4);
	cr_assert_eq(cell(80, 3)->color, CC_HOT3);
	cr_assert_eq(view->ops->selected(view), f_main);
	cr_assert_str_eq(status(), "main  (app)  100 samples, 100.0% of all, 100.0% of zoom");
}

Test(flame, zoom_in_and_out)
{
	draw(100, 6);
	cr_assert_eq(key(K_DOWN), VR_HANDLED);
	cr_assert_eq(view->ops->selected(view), f_run);
	cr_assert_eq(key(K_ENTER), VR_HANDLED);
	draw(100, 6);
	cr_assert(strstr(row(0), "zoom run") && strstr(row(0), "90 samples"), "%s", row(0));
	expect_bar("run", 1, 0, 0, 100);
	expect_bar("a", 2, 0, 0, 67);
	expect_bar("b", 2, 0, 67, 33);
	cr_assert(blank(3));
	cr_assert_str_eq(status(), "run  (app)  90 samples, 90.0% of all, 100.0% of zoom");
	key('j');
	cr_assert_str_eq(status(), "a  (app)  60 samples, 60.0% of all, 66.7% of zoom");
	/* Zoom again, then back out level by level. */
	key(K_ENTER);
	draw(100, 6);
	expect_bar("a", 1, 0, 0, 100);
	cr_assert_eq(key(K_ESC), VR_HANDLED);
	draw(100, 6);
	cr_assert(strstr(row(0), "zoom run"), "%s", row(0));
	cr_assert_eq(key(K_BACKSPACE), VR_HANDLED);
	draw(100, 6);
	cr_assert(strstr(row(0), "Flame graph: all"), "%s", row(0));
	expect_bar("a", 3, 1, 10, 60);
	cr_assert_eq(cell(40, 3)->color, CC_SELECTED);
	cr_assert_eq(key(K_ESC), VR_BACK);
}

Test(flame, home_resets_zoom)
{
	key(K_DOWN);
	key(K_ENTER);
	key(K_DOWN);
	key(K_ENTER);
	draw(100, 6);
	cr_assert(strstr(row(0), "zoom a"), "%s", row(0));
	cr_assert_eq(key(K_HOME), VR_HANDLED);
	draw(100, 6);
	expect_bar("main", 1, 0, 0, 100);
	cr_assert_eq(key(K_ESC), VR_BACK);
}

Test(flame, flame_orientation_puts_the_root_at_the_bottom)
{
	cr_assert_eq(key('i'), VR_HANDLED);
	draw(100, 6);
	cr_assert(strstr(row(0), "flame"), "%s", row(0));
	cr_assert(blank(1) && blank(2));
	expect_bar("a", 3, 1, 10, 60);
	expect_bar("run", 4, 0, 10, 90);
	expect_bar("main", 5, 0, 0, 100);
	/* Up goes visually up: towards the callees. */
	key(K_UP);
	cr_assert_eq(view->ops->selected(view), f_run);
	key('k');
	cr_assert_eq(view->ops->selected(view), f_a);
	key(K_DOWN);
	cr_assert_eq(view->ops->selected(view), f_run);
	key('i');
	draw(100, 6);
	expect_bar("main", 1, 0, 0, 100);
	key(K_DOWN);
	cr_assert_eq(view->ops->selected(view), f_a);
}

Test(flame, arrows_move_across_parents)
{
	draw(100, 6);
	key(K_DOWN);
	key(K_DOWN);
	cr_assert_str_eq(status(), "a  (app)  60 samples, 60.0% of all, 60.0% of zoom");
	key(K_RIGHT);
	cr_assert_eq(view->ops->selected(view), f_b);
	key('l');
	cr_assert_eq(view->ops->selected(view), f_b, "b is the last on its row");
	key(K_LEFT);
	cr_assert_str_eq(status(), "a  (app)  60 samples, 60.0% of all, 60.0% of zoom");
	key('h');
	cr_assert_str_eq(status(), "a  (app)  10 samples, 10.0% of all, 10.0% of zoom");
	key(K_LEFT);
	cr_assert_str_eq(status(), "a  (app)  10 samples, 10.0% of all, 10.0% of zoom");
	key(K_UP);
	cr_assert_eq(view->ops->selected(view), f_c);
	key(K_RIGHT);
	cr_assert_eq(view->ops->selected(view), f_run);
	key('k');
	cr_assert_eq(view->ops->selected(view), f_main);
	cr_assert_eq(key(K_UP), VR_HANDLED);
	cr_assert_eq(view->ops->selected(view), f_main, "row 0 has no parent to go to");
	draw(100, 6);
	cr_assert_eq(cell(50, 1)->color, CC_SELECTED);
	cr_assert_eq(key('q'), VR_IGNORED);
	cr_assert_eq(key('f'), VR_HANDLED);
}

Test(flame, down_returns_the_way_up_came)
{
	key(K_DOWN);
	key(K_DOWN);
	key(K_RIGHT);
	key(K_UP);
	key(K_UP);
	cr_assert_eq(view->ops->selected(view), f_main);
	key(K_DOWN);
	key(K_DOWN);
	cr_assert_eq(view->ops->selected(view), f_b, "Down must retrace b, not take the widest");
	key(K_HOME);
	key('g');
	key(K_UP);
	key(K_END);
	cr_assert_eq(view->ops->selected(view), f_b);
}

Test(flame, search_highlights_and_n_cycles)
{
	model.search = "A";
	draw(100, 6);
	cr_assert_eq(cell(5, 3)->color, CC_MATCH);
	cr_assert_eq(cell(40, 3)->color, CC_MATCH);
	cr_assert_eq(cell(80, 3)->color, CC_HOT3);
	cr_assert_eq(cell(50, 2)->color, CC_HOT0);
	cr_assert_eq(cell(50, 1)->color, CC_SELECTED, "main matches but is selected");
	key('n');
	cr_assert_str_eq(status(), "a  (app)  10 samples, 10.0% of all, 10.0% of zoom");
	key('n');
	cr_assert_str_eq(status(), "a  (app)  60 samples, 60.0% of all, 60.0% of zoom");
	key('n');
	cr_assert_eq(view->ops->selected(view), f_main, "n wraps around");
	key('N');
	cr_assert_str_eq(status(), "a  (app)  60 samples, 60.0% of all, 60.0% of zoom");
	draw(100, 6);
	cr_assert_eq(cell(50, 1)->color, CC_MATCH);
	cr_assert_eq(cell(40, 3)->color, CC_SELECTED);
	model.search = "zzz";
	cr_assert_eq(key('n'), VR_HANDLED);
	cr_assert_eq(view->ops->selected(view), f_a);
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
		stack[DEPTH - 1 - i] = fn(deep, name, MOD);   /* f0 outermost */
	}
	add(deep, stack, DEPTH, 5);
	model = (struct ui_model){ .p = deep, .epoch = 2, .search = "", .color = true };
	draw(80, 20);
	expect_bar("f0", 1, 0, 0, 80);
	expect_bar("f18", 19, 0, 0, 80);
	key(K_END);
	cr_assert_eq(view->ops->selected(view), stack[0]);
	draw(80, 20);
	expect_bar("f9999", 19, 0, 0, 80);
	expect_bar("f9981", 1, 0, 0, 80);
	cr_assert_eq(cell(3, 19)->color, CC_SELECTED);
	key(K_PGUP);
	cr_assert_eq(view->ops->selected(view), stack[19]);   /* f9980 */
	draw(80, 20);
	expect_bar("f9980", 1, 0, 0, 80);
	key(K_PGDN);
	key(K_PGDN);
	cr_assert_eq(view->ops->selected(view), stack[0], "PgDn stops at the leaf");
	view->ops->focus(view, stack[DEPTH - 5001], &model);   /* f5000 */
	draw(80, 20);
	cr_assert(strstr(row(0), "zoom f5000"), "%s", row(0));
	expect_bar("f5000", 1, 0, 0, 80);
	key('i');
	key(K_PGUP);
	draw(80, 20);
	expect_bar("f5019", 1, 0, 0, 80);
	expect_bar("f5001", 19, 0, 0, 80);
	cr_assert_eq(view->ops->selected(view), stack[DEPTH - 5020]);
	profile_free(deep);
}

Test(flame, tiny_canvases)
{
	draw(1, 1);
	cr_assert_eq(cell(0, 0)->ch, SEP);
	cr_assert_eq(cell(0, 0)->color, CC_SELECTED);
	key(K_DOWN);
	cr_assert_eq(view->ops->selected(view), f_main, "run is narrower than a column");
	draw(20, 6);
	key(K_DOWN);
	key(K_ENTER);
	draw(1, 2);
	cr_assert_eq(cell(0, 0)->ch, L'F');
	cr_assert_eq(cell(0, 1)->color, CC_SELECTED);
	draw(20, 6);
	cr_assert(strncmp(row(0), "Flame graph: zoom ru", 20) == 0, "%s", row(0));
	expect_bar("run", 1, 0, 0, 20);
	expect_bar("a", 2, 0, 0, 13);
	expect_bar("b", 2, 0, 13, 7);
	key(K_HOME);
	draw(20, 6);
	cr_assert_eq(bar_at(0, 2), 2, "%s", row(2));
	cr_assert_eq(cell(1, 2)->ch, L' ', "a 2-column bar shows no label");
	draw(3, 3);
	cr_assert_eq(bar_at(0, 1), 3);
	cr_assert_eq(cell(1, 1)->ch, L'm');
	cr_assert_eq(cell(2, 1)->ch, L'\u2026');
	/* Two roots under a column each: say so, and keep the selection. */
	cr_assert_eq(view->ops->selected(view), f_run);
	add(prof, &f_b, 1, 20);
	draw(1, 1);
	cr_assert_eq(cell(0, 0)->ch, L't');
	draw(1, 3);
	cr_assert_eq(cell(0, 0)->ch, L't');
	cr_assert(blank(1) && blank(2));
	cr_assert_eq(view->ops->selected(view), f_run);
	draw(100, 4);
	cr_assert_eq(cell(50, 2)->color, CC_SELECTED);
}

Test(flame, long_labels_are_cut_with_an_ellipsis)
{
	struct profile *p = profile_new();
	uint32_t f = fn(p, "a_really_long_function_name", MOD);

	add(p, &f, 1, 3);
	model.p = p;
	model.epoch = 9;
	draw(20, 3);
	cr_assert_str_eq(row(1), "\u258f" "a_really_long_func\u2026");
	cv.ascii = true;
	view->ops->draw(view, &cv, 0, 3, &model);
	cr_assert_str_eq(row(1), "|a_really_long_func.");
	profile_free(p);
}

Test(flame, empty_profile)
{
	struct profile *p = profile_new();

	model.p = p;
	model.epoch = 3;
	draw(80, 20);
	cr_assert(strstr(row(0), "no samples yet"), "%s", row(0));
	cr_assert_eq(key(K_DOWN), VR_HANDLED);
	cr_assert_eq(key('n'), VR_HANDLED);
	cr_assert_eq(key(K_ENTER), VR_HANDLED);
	cr_assert_eq(view->ops->selected(view), PROF_NONE);
	cr_assert_str_eq(status(), "");
	cr_assert_eq(key(K_ESC), VR_BACK);
	draw(1, 1);
	cr_assert_eq(cell(0, 0)->ch, L'n');
	model.p = NULL;
	model.epoch = 4;
	draw(10, 2);
	cr_assert(strstr(row(0), "no sampl"), "%s", row(0));
	cr_assert_eq(key(K_UP), VR_HANDLED);
	view->ops->focus(view, 0, &model);
	cr_assert_str_eq(status(), "");
	profile_free(p);
}

Test(flame, new_epoch_keeps_the_selection_by_path)
{
	struct profile *p = profile_new();
	uint32_t m;

	key(K_DOWN);
	key(K_ENTER);
	key(K_DOWN);
	key(K_RIGHT);
	cr_assert_eq(view->ops->selected(view), f_b);
	/* A snapshot keeps function ids; another insertion order makes other node ids. */
	cr_assert_eq(fn(p, "main", MOD), f_main);
	cr_assert_eq(fn(p, "run", MOD), f_run);
	cr_assert_eq(fn(p, "a", MOD), f_a);
	cr_assert_eq(fn(p, "b", MOD), f_b);
	add(p, (uint32_t[]){ f_main }, 1, 7);
	add(p, (uint32_t[]){ f_a, f_main }, 2, 1);
	add(p, (uint32_t[]){ f_b, f_run, f_main }, 3, 4);
	model.p = p;
	model.epoch = 2;
	draw(100, 6);
	cr_assert(strstr(row(0), "Flame graph: all"), "zoom dropped: %s", row(0));
	cr_assert_str_eq(status(), "b  (app)  4 samples, 33.3% of all, 33.3% of zoom");
	cr_assert_eq(view->ops->selected(view), f_b);
	expect_bar("b", 3, 0, 8, 34);
	cr_assert_eq(cell(20, 3)->color, CC_SELECTED);
	/* A reset: ids past the new profile's functions are dropped. */
	profile_free(p);
	p = profile_new();
	m = fn(p, "main", MOD);
	add(p, &m, 1, 1);
	model.p = p;
	model.epoch = 4;
	draw(100, 6);
	cr_assert_eq(view->ops->selected(view), m);
	profile_free(p);
}

Test(flame, focus_zooms_on_the_hottest_node)
{
	view->ops->focus(view, f_a, &model);
	cr_assert_eq(view->ops->selected(view), f_a);
	draw(100, 6);
	cr_assert(strstr(row(0), "zoom a") && strstr(row(0), "60 samples"), "%s", row(0));
	expect_bar("a", 1, 0, 0, 100);
	cr_assert(blank(2));
	key(K_ESC);
	draw(100, 6);
	cr_assert(strstr(row(0), "Flame graph: all"), "%s", row(0));
	expect_bar("a", 3, 1, 10, 60);
	cr_assert_eq(cell(40, 3)->color, CC_SELECTED);
	cr_assert_eq(key(K_ESC), VR_BACK);
	view->ops->focus(view, 12345, &model);
	cr_assert_eq(view->ops->selected(view), f_a);
}

Test(flame, colour_by_module_and_monochrome)
{
	struct profile *p = profile_new();
	uint32_t m = fn(p, "main", MOD), x = fn(p, "x", "/lib/libc.so.6"),
		 y = fn(p, "y", "/lib/libc.so.6");

	add(p, (uint32_t[]){ x, m }, 2, 80);
	add(p, (uint32_t[]){ y, m }, 2, 20);
	model.p = p;
	model.epoch = 5;
	draw(100, 4);
	cr_assert_eq(cell(40, 2)->color, CC_HOT4);
	cr_assert_eq(cell(90, 2)->color, CC_HOT3);
	cr_assert_eq(key('c'), VR_HANDLED);
	draw(100, 4);
	cr_assert(strstr(row(0), "module"), "%s", row(0));
	cr_assert_eq(cell(40, 2)->color, cell(90, 2)->color, "same module, same colour");
	cr_assert(cell(40, 2)->color >= CC_HOT0 && cell(40, 2)->color <= CC_HOT4);
	key(K_DOWN);
	model.color = false;
	draw(100, 4);
	cr_assert(cell(90, 2)->attr & CA_REVERSE, "monochrome bars are reversed");
	cr_assert(cell(50, 1)->attr & CA_REVERSE);
	cr_assert_eq(cell(40, 2)->color, CC_SELECTED);
	cr_assert_neq(cell(40, 2)->attr, cell(90, 2)->attr);
	expect_bar("y", 2, 0, 80, 20);
	profile_free(p);
}

Test(flame, frames_under_a_column_are_not_drawn)
{
	struct profile *p = profile_new();
	uint32_t m = fn(p, "main", MOD), big = fn(p, "big", MOD);
	char name[16];
	int seps = 0;

	add(p, (uint32_t[]){ big, m }, 2, 100000);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		add(p, (uint32_t[]){ fn(p, name, MOD), m }, 2, 1);
	}
	model.p = p;
	model.epoch = 6;
	draw(100, 4);
	for (int x = 0; x < 100; x++)
		seps += cell(x, 2)->ch == SEP;
	cr_assert_eq(seps, 1, "%s", row(2));
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
		chain[i] = i % 3 ? f_a : f_run;
	add(prof, chain, 40, 3);
	model.search = "u";
	for (int i = 0; i < 3000; i++) {
		int w, h, found = 0;

		seed = seed * 1103515245u + 12345u;
		if (key(keys[(seed >> 16) % (sizeof(keys) / sizeof(keys[0]))]) & VR_BACK)
			continue;
		seed = seed * 1103515245u + 12345u;
		w = 2 + (int)((seed >> 16) % 120);   /* main is a column wide from 2 */
		h = 2 + (int)((seed >> 8) % 30);
		draw(w, h);
		for (int y = 1; y < h; y++)
			for (int x = 0; x < w; x++)
				found += cell(x, y)->color == CC_SELECTED;
		cr_assert(found > 0, "no selection drawn on %dx%d after key %d", w, h, i);
		cr_assert_neq(view->ops->selected(view), PROF_NONE);
	}
}

/* The first row holding `text` and the column where its first two
 * characters start on that row. */
static bool find_text(const char *text, int *x, int *y)
{
	for (int r = 0; r < cv.h; r++) {
		const char *s = row(r), *p = strstr(s, text);

		if (p) {
			*y = r;
			for (*x = 0; *x + 1 < cv.w; (*x)++)
				if (cell(*x, r)->ch == (wchar_t)text[0] &&
				    cell(*x + 1, r)->ch == (wchar_t)text[1])
					return true;
		}
	}
	return false;
}

Test(flame, off_cpu_states_have_their_own_colours)
{
	uint32_t io = fn(prof, "[IO wait]", "[off-cpu]"), sl = fn(prof, "[sleeping]", "[off-cpu]");
	int x, y;

	add(prof, (uint32_t[]){ io, f_b, f_run, f_main }, 4, 80);
	add(prof, (uint32_t[]){ sl, f_c, f_main }, 3, 80);
	model.epoch++;
	draw(160, 20);
	cr_assert(find_text("[IO wait]", &x, &y), "no [IO wait] frame drawn");
	cr_assert_eq(cell(x, y)->color, CC_IOWAIT);
	cr_assert(find_text("[sleeping]", &x, &y), "no [sleeping] frame drawn");
	cr_assert_eq(cell(x, y)->color, CC_SLEEP);
	cr_assert(find_text("run", &x, &y));
	cr_assert_neq(cell(x, y)->color, CC_IOWAIT, "ordinary frames keep their heat colours");
}

/* Against a baseline, frames take the change of their call path's share:
 * before 10 main->run->a, 78 main->run->b, 12 main->c->a; now (hists) 60,
 * 30, 10.  run +2 (a little), run->a +50 (a lot), run->b -48, c and c->a
 * -2; main no change.  The separator carries the sign without colours. */
Test(flame, diff_colours_by_call_path)
{
	struct profile *base = profile_new();
	struct uidiff *ud = uidiff_new();
	uint32_t m, r, a, b, c;

	cr_assert_not_null(base);
	cr_assert_not_null(ud);
	c = fn(base, "c", MOD);
	b = fn(base, "b", MOD);
	a = fn(base, "a", MOD);
	r = fn(base, "run", MOD);
	m = fn(base, "main", MOD);
	add(base, (uint32_t[]){ a, r, m }, 3, 10);
	add(base, (uint32_t[]){ b, r, m }, 3, 78);
	add(base, (uint32_t[]){ a, c, m }, 3, 12);
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	model.diff = ud;
	draw(100, 6);
	cr_assert(strstr(row(0), "colour by change vs baseline"), "title: %s", row(0));
	cr_assert(strstr(row(2), "-c ") && strstr(row(2), "+run "), "%s", row(2));
	cr_assert_eq(cell(0, 2)->ch, L'-', "%s", row(2));
	cr_assert_eq(cell(5, 2)->color, CC_DOWN1);
	cr_assert_eq(cell(10, 2)->ch, L'+', "%s", row(2));
	cr_assert_eq(cell(50, 2)->color, CC_UP1);
	cr_assert_eq(cell(5, 3)->color, CC_DOWN1);
	cr_assert_eq(cell(10, 3)->ch, L'+', "%s", row(3));
	cr_assert_eq(cell(40, 3)->color, CC_UP3);
	cr_assert(cell(40, 3)->attr & CA_BOLD);
	cr_assert_eq(cell(70, 3)->ch, L'-', "%s", row(3));
	cr_assert_eq(cell(80, 3)->color, CC_DOWN3);
	/* main is selected; the status says how its path changed. */
	cr_assert(strstr(status(), "; this path 100.0% -> 100.0% (+0.00)"), "%s", status());
	key(K_DOWN);
	cr_assert(strstr(status(), "; this path 88.0% -> 90.0% (+2.00)"), "%s", status());
	draw(100, 6);
	cr_assert_eq(cell(50, 1)->color, CC_EVEN);
	cr_assert_eq(cell(0, 1)->ch, SEP, "no change keeps the plain separator: %s", row(1));

	/* Without colours: reversed bars, the signs still there. */
	model.color = false;
	draw(100, 6);
	cr_assert(cell(80, 3)->attr & CA_REVERSE);
	cr_assert_eq(cell(70, 3)->ch, L'-');
	/* ASCII: the same signs, '|' for no change. */
	cv.ascii = true;
	view->ops->draw(view, &cv, 0, 6, &model);
	cr_assert_eq(cell(70, 3)->ch, L'-');
	cr_assert_eq(cell(0, 1)->ch, L'|');
	cv.ascii = false;

	/* The diff off: heat colours again. */
	model.diff = NULL;
	model.color = true;
	draw(100, 6);
	cr_assert_eq(cell(80, 3)->color, CC_HOT3);
	cr_assert_eq(cell(70, 3)->ch, SEP);
	uidiff_free(ud);
}
