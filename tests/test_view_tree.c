/* test_view_tree.c — the callers/callees drill-down in a canvas: numbers, keys, refresh, deep stacks. */
#include <criterion/criterion.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "proftui/keys.h"
#include "proftui/view.h"

struct fix {
	struct profile *p;
	struct view *v;
	struct canvas c;
	struct ui_model m;
	uint32_t main_, run, a, b, cf;
};

static void setup(void)
{
	setlocale(LC_ALL, "C.UTF-8");
}

TestSuite(view_tree, .init = setup);

static uint32_t fn(struct profile *p, const char *name)
{
	uint32_t id = profile_func(p, name, "/usr/bin/app");

	cr_assert_neq(id, UINT32_MAX);
	return id;
}

static void add(struct profile *p, const uint32_t *funcs, size_t n, uint64_t w)
{
	cr_assert_eq(profile_add_sample(p, 1, funcs, n, w, 1000), 0);
}

/* 60 main->run->a, 30 main->run->b, 10 main->c->a. */
static void synthetic(struct fix *f)
{
	f->main_ = fn(f->p, "main");
	f->run = fn(f->p, "run");
	f->a = fn(f->p, "a");
	f->b = fn(f->p, "b");
	f->cf = fn(f->p, "c");
	add(f->p, (uint32_t[]){ f->a, f->run, f->main_ }, 3, 60);
	add(f->p, (uint32_t[]){ f->b, f->run, f->main_ }, 3, 30);
	add(f->p, (uint32_t[]){ f->a, f->cf, f->main_ }, 3, 10);
}

static void fix_init(struct fix *f, int w, int h)
{
	memset(f, 0, sizeof(*f));
	f->p = profile_new();
	cr_assert_not_null(f->p);
	f->v = view_tree_new();
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

static void focus(struct fix *f, uint32_t func)
{
	f->v->ops->focus(f->v, func, &f->m);
}

static char *row(struct fix *f, int y)
{
	static char buf[4096];

	return canvas_row(&f->c, y, buf, sizeof(buf));
}

/* The first row at or after `from` containing `s`, -1 if none. */
static int find(struct fix *f, int from, const char *s)
{
	for (int y = from; y < f->c.h; y++)
		if (strstr(row(f, y), s))
			return y;
	return -1;
}

/* The row drawn with the cursor's reverse video, -1 if none. */
static int cursor_row(struct fix *f)
{
	for (int y = 0; y < f->c.h; y++)
		if (f->c.cells[(size_t)y * (size_t)f->c.w].attr & CA_REVERSE)
			return y;
	return -1;
}

/* The column where `s` starts in row y, -1 if absent. */
static int col_of(struct fix *f, int y, const wchar_t *s)
{
	size_t n = wcslen(s);

	for (int x = 0; x + (int)n <= f->c.w; x++) {
		size_t i = 0;

		while (i < n && f->c.cells[(size_t)y * (size_t)f->c.w + (size_t)x + i].ch == s[i])
			i++;
		if (i == n)
			return x;
	}
	return -1;
}

static void expect_row(struct fix *f, int y, const char *want)
{
	char *got = row(f, y);
	size_t n = strlen(got);

	while (n && got[n - 1] == ' ')
		got[--n] = '\0';
	cr_expect_str_eq(got, want, "row %d: got '%s', want '%s'", y, got, want);
}

Test(view_tree, callers_and_callees_of_a_leaf)
{
	struct fix f;

	fix_init(&f, 80, 20);
	synthetic(&f);
	focus(&f, f.a);
	draw(&f);
	expect_row(&f, 0, "  total  Callers of a  (% of all 100 samples)");
	expect_row(&f, 1, "  70.0% - a  app");
	/* run holds 60 of a's 70: its path opens by itself, up to main. */
	expect_row(&f, 2, "  60.0% - ├─ run  app");
	expect_row(&f, 3, "  60.0%   │  └─ main  app");
	expect_row(&f, 4, "  10.0% + └─ c  app");
	expect_row(&f, 5, "");
	expect_row(&f, 6, "  total    self  Callees of a  (% of all 100 samples)");
	expect_row(&f, 7, "  70.0%   70.0%   a  app");
	expect_row(&f, 8, "");
	cr_expect_eq(cursor_row(&f), 1);
	cr_expect_eq(f.v->ops->selected(f.v), f.a);
	fix_fini(&f);
}

Test(view_tree, callees_of_run)
{
	struct fix f;
	char st[256];

	fix_init(&f, 80, 20);
	synthetic(&f);
	focus(&f, f.run);
	draw(&f);
	expect_row(&f, 1, "  90.0% - run  app");
	expect_row(&f, 2, "  90.0%   └─ main  app");
	int h = find(&f, 0, "Callees of run");

	cr_assert_gt(h, 0);
	expect_row(&f, h + 1, "  90.0%    0.0% - run  app");
	expect_row(&f, h + 2, "  60.0%   60.0%   ├─ a  app");
	expect_row(&f, h + 3, "  30.0%   30.0%   └─ b  app");
	/* The cursor walks over both sections as one list. */
	key(&f, K_END);
	draw(&f);
	cr_expect_eq(cursor_row(&f), h + 3);
	cr_expect_eq(f.v->ops->selected(f.v), f.b);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "run → b  30.0% of samples (self 30.0%)");
	key(&f, K_UP);
	key(&f, 'k');
	cr_expect_eq(f.v->ops->selected(f.v), f.run);
	key(&f, K_UP);
	key(&f, K_UP);
	cr_expect_eq(f.v->ops->selected(f.v), f.run);   /* the callers root */
	draw(&f);
	cr_expect_eq(cursor_row(&f), 1);
	fix_fini(&f);
}

Test(view_tree, expand_collapse_and_move)
{
	struct fix f;
	char st[256];

	fix_init(&f, 80, 20);
	synthetic(&f);
	focus(&f, f.a);
	cr_expect_eq(key(&f, K_DOWN), VR_HANDLED);
	cr_expect_eq(f.v->ops->selected(f.v), f.run);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "run → a  60.0% of samples");
	key(&f, K_LEFT);                 /* collapses run */
	draw(&f);
	expect_row(&f, 2, "  60.0% + ├─ run  app");
	expect_row(&f, 3, "  10.0% + └─ c  app");
	key(&f, 'h');                    /* collapsed: go to the parent */
	cr_expect_eq(f.v->ops->selected(f.v), f.a);
	key(&f, K_RIGHT);                /* open: go to the first child */
	cr_expect_eq(f.v->ops->selected(f.v), f.run);
	key(&f, 'l');                    /* closed: open it */
	draw(&f);
	expect_row(&f, 3, "  60.0%   │  └─ main  app");
	key(&f, 'j');
	key(&f, 'j');
	key(&f, '+');
	draw(&f);
	expect_row(&f, 4, "  10.0% - └─ c  app");
	expect_row(&f, 5, "  10.0%      └─ main  app");
	cr_expect_eq(cursor_row(&f), 4);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "c → a  10.0% of samples");
	key(&f, K_DOWN);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "main → c → a  10.0% of samples");
	key(&f, 'C');                    /* collapse all: back to the root */
	draw(&f);
	cr_expect_eq(cursor_row(&f), 1);
	expect_row(&f, 2, "  60.0% + ├─ run  app");
	expect_row(&f, 3, "  10.0% + └─ c  app");
	key(&f, 'e');                    /* expand all under a */
	draw(&f);
	expect_row(&f, 3, "  60.0%   │  └─ main  app");
	expect_row(&f, 5, "  10.0%      └─ main  app");
	key(&f, '-');                    /* collapse the root itself */
	draw(&f);
	expect_row(&f, 1, "  70.0% + a  app");
	expect_row(&f, 2, "");
	cr_expect_eq(key(&f, K_LEFT), VR_BACK);   /* nothing left to close */
	fix_fini(&f);
}

Test(view_tree, recursion_counts_once)
{
	struct fix f;

	fix_init(&f, 80, 20);
	uint32_t m = fn(f.p, "main"), fr = fn(f.p, "f"), g = fn(f.p, "g");

	add(f.p, (uint32_t[]){ fr, fr, fr, m }, 4, 10);
	add(f.p, (uint32_t[]){ g, fr, m }, 3, 10);
	add(f.p, (uint32_t[]){ g, m }, 2, 20);
	focus(&f, fr);
	draw(&f);
	/* 20 of 40 samples contain f, however deep it recurses. */
	expect_row(&f, 1, "  50.0% - f  app");
	expect_row(&f, 2, "  50.0%   └─ main  app");
	cr_expect_eq(find(&f, 0, "150.0%"), -1);
	int h = find(&f, 0, "Callees of f");

	cr_assert_gt(h, 0);
	expect_row(&f, h + 1, "  50.0%    0.0% - f  app");
	/* f's recursive call holds only half: it stays closed. */
	expect_row(&f, h + 2, "  25.0%    0.0% + ├─ f  app");
	expect_row(&f, h + 3, "  25.0%   25.0%   └─ g  app");
	key(&f, K_END);
	key(&f, K_UP);
	key(&f, K_RIGHT);
	draw(&f);
	expect_row(&f, h + 3, "  25.0%   25.0%   │  └─ f  app");
	expect_row(&f, h + 4, "  25.0%   25.0%   └─ g  app");
	fix_fini(&f);
}

Test(view_tree, enter_refocuses_and_esc_goes_back)
{
	struct fix f;

	fix_init(&f, 80, 20);
	synthetic(&f);
	focus(&f, f.a);
	key(&f, K_DOWN);
	cr_expect_eq(key(&f, K_ENTER), VR_HANDLED);
	draw(&f);
	expect_row(&f, 0, "  total  Callers of run  (% of all 100 samples)");
	cr_expect_eq(f.v->ops->selected(f.v), f.run);
	cr_assert_gt(find(&f, 0, "Callees of run"), 0);
	key(&f, K_END);
	cr_expect_eq(f.v->ops->selected(f.v), f.b);
	key(&f, K_ENTER);
	draw(&f);
	expect_row(&f, 0, "  total  Callers of b  (% of all 100 samples)");
	cr_expect_eq(key(&f, K_ESC), VR_HANDLED);
	draw(&f);
	expect_row(&f, 0, "  total  Callers of run  (% of all 100 samples)");
	cr_expect_eq(f.v->ops->selected(f.v), f.b);   /* the cursor came back too */
	cr_expect_eq(key(&f, K_BACKSPACE), VR_HANDLED);
	draw(&f);
	expect_row(&f, 0, "  total  Callers of a  (% of all 100 samples)");
	cr_expect_eq(f.v->ops->selected(f.v), f.run);
	cr_expect_eq(cursor_row(&f), 2);
	cr_expect_eq(key(&f, K_ESC), VR_BACK);
	cr_expect_eq(key(&f, 'f'), VR_FLAME);
	cr_expect_eq(key(&f, 'q'), VR_IGNORED);
	cr_expect_eq(key(&f, '1'), VR_IGNORED);
	fix_fini(&f);
}

Test(view_tree, back_restores_open_nodes)
{
	struct fix f;

	fix_init(&f, 80, 20);
	synthetic(&f);
	focus(&f, f.a);
	key(&f, K_DOWN);
	key(&f, K_LEFT);                 /* close run */
	key(&f, K_DOWN);
	key(&f, K_ENTER);                /* to c: its own tree */
	draw(&f);
	expect_row(&f, 0, "  total  Callers of c  (% of all 100 samples)");
	expect_row(&f, 2, "  10.0%   └─ main  app");
	key(&f, K_ESC);
	draw(&f);
	expect_row(&f, 2, "  60.0% + ├─ run  app");
	cr_expect_eq(cursor_row(&f), 3);
	/* A new focus from outside forgets the way back. */
	focus(&f, f.b);
	cr_expect_eq(key(&f, K_ESC), VR_BACK);
	fix_fini(&f);
}

Test(view_tree, state_survives_new_samples)
{
	struct fix f;

	fix_init(&f, 80, 20);
	synthetic(&f);
	focus(&f, f.a);
	key(&f, K_DOWN);
	key(&f, K_LEFT);                 /* close run */
	key(&f, K_DOWN);
	key(&f, K_RIGHT);                /* open c */
	draw(&f);
	expect_row(&f, 4, "  10.0%      └─ main  app");
	/* c overtakes run: rows move, the open nodes and the cursor follow. */
	add(f.p, (uint32_t[]){ f.a, f.cf, f.main_ }, 3, 100);
	draw(&f);
	expect_row(&f, 0, "  total  Callers of a  (% of all 200 samples)");
	expect_row(&f, 1, "  85.0% - a  app");
	expect_row(&f, 2, "  55.0% - ├─ c  app");
	expect_row(&f, 3, "  55.0%   │  └─ main  app");
	expect_row(&f, 4, "  30.0% + └─ run  app");
	cr_expect_eq(cursor_row(&f), 2);
	cr_expect_eq(f.v->ops->selected(f.v), f.cf);
	/* A paused snapshot: same functions, new epoch. */
	f.m.epoch++;
	draw(&f);
	expect_row(&f, 2, "  55.0% - ├─ c  app");
	cr_expect_eq(f.v->ops->selected(f.v), f.cf);
	fix_fini(&f);
}

Test(view_tree, reset_drops_stale_focus)
{
	struct fix f;
	struct profile *fresh = profile_new();

	fix_init(&f, 80, 20);
	synthetic(&f);
	focus(&f, f.cf);
	draw(&f);
	cr_assert_not_null(fresh);
	uint32_t x = fn(fresh, "x");

	add(fresh, &x, 1, 5);
	f.m.p = fresh;
	f.m.epoch++;
	draw(&f);
	cr_expect_neq(find(&f, 0, "no function selected"), -1);
	cr_expect_eq(f.v->ops->selected(f.v), PROF_NONE);
	cr_expect_eq(key(&f, K_ESC), VR_BACK);
	f.m.p = f.p;
	profile_free(fresh);
	fix_fini(&f);
}

Test(view_tree, search_next_previous)
{
	struct fix f;

	fix_init(&f, 80, 20);
	synthetic(&f);
	focus(&f, f.a);
	f.m.search = "MAI";
	draw(&f);
	int y = find(&f, 0, "main");

	cr_assert_gt(y, 0);
	/* The match is highlighted where the name is drawn. */
	int x = col_of(&f, y, L"main");

	cr_assert_geq(x, 0);
	cr_expect_eq(f.c.cells[(size_t)y * 80 + (size_t)x].color, CC_MATCH);
	cr_expect_eq(f.c.cells[(size_t)y * 80 + (size_t)x - 2].color, CC_DIM);
	cr_expect_eq(key(&f, 'n'), VR_HANDLED);
	draw(&f);
	cr_expect_eq(cursor_row(&f), y);
	cr_expect_eq(f.v->ops->selected(f.v), f.main_);
	key(&f, 'n');                    /* wraps: the only visible match */
	cr_expect_eq(f.v->ops->selected(f.v), f.main_);
	key(&f, K_DOWN);
	key(&f, K_RIGHT);                /* open c: a second main */
	key(&f, 'N');
	draw(&f);
	cr_expect_eq(cursor_row(&f), y);
	key(&f, 'N');                    /* backwards wraps to the last one */
	draw(&f);
	cr_expect_eq(cursor_row(&f), y + 2);
	f.m.search = "";
	cr_expect_eq(key(&f, 'n'), VR_HANDLED);
	fix_fini(&f);
}

Test(view_tree, ascii_and_paging)
{
	struct fix f;

	fix_init(&f, 80, 6);
	synthetic(&f);
	f.c.ascii = true;
	focus(&f, f.a);
	draw(&f);
	expect_row(&f, 2, "  60.0% - |- run  app");
	expect_row(&f, 3, "  60.0%   |  `- main  app");
	key(&f, K_PGDN);
	key(&f, K_PGDN);
	draw(&f);
	/* The last row: a's callees root, with its section title above it. */
	cr_expect_eq(cursor_row(&f), 5);
	expect_row(&f, 4, "  total    self  Callees of a  (% of all 100 samples)");
	key(&f, K_HOME);
	draw(&f);
	cr_expect_eq(cursor_row(&f), 1);
	expect_row(&f, 0, "  total  Callers of a  (% of all 100 samples)");
	key(&f, 'G');
	key(&f, 'B' & 0x1f);             /* a page up from the last row */
	cr_expect_eq(f.v->ops->selected(f.v), f.a);
	key(&f, 'F' & 0x1f);
	cr_expect_eq(f.v->ops->selected(f.v), f.a);   /* callees root, 4 rows on */
	draw(&f);
	cr_expect_eq(cursor_row(&f), 5);
	fix_fini(&f);
}

Test(view_tree, tiny_canvases)
{
	static const int sizes[][2] = { { 1, 1 }, { 2, 3 }, { 20, 6 }, { 12, 1 } };
	static const int keys[] = { K_DOWN, K_END, K_RIGHT, 'e', K_PGUP, 'n', K_ENTER, K_LEFT };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct fix f;

		fix_init(&f, sizes[i][0], sizes[i][1]);
		synthetic(&f);
		focus(&f, f.a);
		draw(&f);
		cr_expect_neq(cursor_row(&f), -1, "%dx%d shows no cursor", f.c.w, f.c.h);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			key(&f, keys[k]);
			draw(&f);
			cr_expect_neq(cursor_row(&f), -1, "%dx%d lost the cursor", f.c.w, f.c.h);
		}
		/* A view may also be given a slice of the canvas. */
		f.v->ops->draw(f.v, &f.c, f.c.h - 1, 1, &f.m);
		f.v->ops->draw(f.v, &f.c, 0, 0, &f.m);
		fix_fini(&f);
	}
}

Test(view_tree, empty_profile_and_function_without_samples)
{
	struct fix f;
	char st[128] = "x";

	fix_init(&f, 40, 5);
	draw(&f);
	cr_expect_neq(find(&f, 0, "no samples yet"), -1);
	cr_expect_eq(f.v->ops->selected(f.v), PROF_NONE);
	cr_expect_eq(key(&f, K_DOWN), VR_HANDLED);
	cr_expect_eq(key(&f, K_ESC), VR_BACK);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "");
	synthetic(&f);
	uint32_t idle = fn(f.p, "idle");

	focus(&f, idle);
	draw(&f);
	cr_expect_neq(find(&f, 0, "idle: no samples in it"), -1);
	cr_expect_eq(f.v->ops->selected(f.v), idle);
	focus(&f, PROF_NONE);
	draw(&f);
	cr_expect_neq(find(&f, 0, "no function selected"), -1);
	f.m.p = NULL;
	draw(&f);
	cr_expect_neq(find(&f, 0, "no samples yet"), -1);
	f.m.p = f.p;
	fix_fini(&f);
}

#define DEEP 10000

/* One stack DEEP frames deep, f0 outermost; then the same depth of one
 * recursive function. */
Test(view_tree, ten_thousand_deep)
{
	struct fix f;
	uint32_t *stack = calloc(DEEP, sizeof(*stack));
	char name[32], st[256];

	cr_assert_not_null(stack);
	fix_init(&f, 100, 30);
	for (int i = 0; i < DEEP; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		stack[DEEP - 1 - i] = fn(f.p, name);
	}
	add(f.p, stack, DEEP, 7);
	uint32_t rec = fn(f.p, "rec");

	for (int i = 0; i < DEEP; i++)
		stack[i] = rec;
	add(f.p, stack, DEEP, 1);
	focus(&f, fn(f.p, "f9999"));
	draw(&f);
	/* The hot path opened several levels of real callers. */
	expect_row(&f, 1, "  87.5% - f9999  app");
	cr_expect_neq(find(&f, 0, "f9990"), -1);
	key(&f, 'e');
	key(&f, K_END);
	key(&f, K_UP);                   /* the deepest visible caller */
	draw(&f);
	int y = cursor_row(&f);

	cr_assert_neq(y, -1);
	cr_expect(strstr(row(&f, y), "[") != NULL, "deep rows show their depth: %s", row(&f, y));
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect(strstr(st, " → … → f9999  87.5%") != NULL, "status: %s", st);
	/* Expand-all is bounded, so End did not land at f0. */
	cr_expect_neq(f.v->ops->selected(f.v), fn(f.p, "f0"));
	for (int i = 0; i < 50; i++)
		key(&f, 'e');
	key(&f, K_END);
	key(&f, K_UP);
	cr_expect_eq(f.v->ops->selected(f.v), fn(f.p, "f0"));

	focus(&f, rec);
	draw(&f);
	/* Outermost at the bottom of its stack: no callers, one chain of callees. */
	expect_row(&f, 1, "  12.5%   rec  app");
	expect_row(&f, 2, "");
	expect_row(&f, 4, "  12.5%    0.0% - rec  app");
	expect_row(&f, 5, "  12.5%    0.0% - └─ rec  app");
	key(&f, 'e');   /* on the callers root, a leaf: nothing to open */
	key(&f, K_DOWN);
	key(&f, 'e');
	key(&f, K_END);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "rec → … → rec → rec → rec → rec  12.5% of samples (self 0.0%)");
	fix_fini(&f);
	free(stack);
}
