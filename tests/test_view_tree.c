/* test_view_tree.c — the callers/callees drill-down in a canvas: numbers, keys, refresh, deep stacks. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/view.h"

#include "viewfix.h"

TestSuite(view_tree, .init = vf_utf8);

/* The first row at or after `from` containing `s`, -1 if none. */
static int find(struct vf *f, int from, const char *s)
{
	for (int y = from; y < f->c.h; y++)
		if (strstr(vf_row(f, y), s))
			return y;
	return -1;
}

/* The row drawn with the cursor's reverse video, -1 if none. */
static int cursor_row(struct vf *f)
{
	for (int y = 0; y < f->c.h; y++)
		if (f->c.cells[(size_t)y * (size_t)f->c.w].attr & CA_REVERSE)
			return y;
	return -1;
}

static void expect_row(struct vf *f, int y, const char *want)
{
	char *got = vf_row(f, y);
	size_t n = strlen(got);

	while (n && got[n - 1] == ' ')
		got[--n] = '\0';
	cr_expect_str_eq(got, want, "row %d: got '%s', want '%s'", y, got, want);
}

Test(view_tree, callers_and_callees_of_a_leaf)
{
	struct vf f;

	vf_init(&f, view_tree_new(), 80, 20);
	vf_synthetic(&f, FX_EXE, FX_EXE);
	vf_focus(&f, f.a);
	vf_draw(&f);
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
	vf_fini(&f);
}

Test(view_tree, callees_of_run)
{
	struct vf f;
	char st[256];

	vf_init(&f, view_tree_new(), 80, 20);
	vf_synthetic(&f, FX_EXE, FX_EXE);
	vf_focus(&f, f.run);
	vf_draw(&f);
	expect_row(&f, 1, "  90.0% - run  app");
	expect_row(&f, 2, "  90.0%   └─ main  app");
	int h = find(&f, 0, "Callees of run");

	cr_assert_gt(h, 0);
	expect_row(&f, h + 1, "  90.0%    0.0% - run  app");
	expect_row(&f, h + 2, "  60.0%   60.0%   ├─ a  app");
	expect_row(&f, h + 3, "  30.0%   30.0%   └─ b  app");
	/* The cursor walks over both sections as one list. */
	vf_key(&f, K_END);
	vf_draw(&f);
	cr_expect_eq(cursor_row(&f), h + 3);
	cr_expect_eq(f.v->ops->selected(f.v), f.b);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "run → b  30.0% of samples (self 30.0%)");
	vf_key(&f, K_UP);
	vf_key(&f, 'k');
	cr_expect_eq(f.v->ops->selected(f.v), f.run);
	vf_key(&f, K_UP);
	vf_key(&f, K_UP);
	cr_expect_eq(f.v->ops->selected(f.v), f.run);   /* the callers root */
	vf_draw(&f);
	cr_expect_eq(cursor_row(&f), 1);
	vf_fini(&f);
}

Test(view_tree, expand_collapse_and_move)
{
	struct vf f;
	char st[256];

	vf_init(&f, view_tree_new(), 80, 20);
	vf_synthetic(&f, FX_EXE, FX_EXE);
	vf_focus(&f, f.a);
	cr_expect_eq(vf_key(&f, K_DOWN), VR_HANDLED);
	cr_expect_eq(f.v->ops->selected(f.v), f.run);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "run → a  60.0% of samples");
	vf_key(&f, K_LEFT);                 /* collapses run */
	vf_draw(&f);
	expect_row(&f, 2, "  60.0% + ├─ run  app");
	expect_row(&f, 3, "  10.0% + └─ c  app");
	vf_key(&f, 'h');                    /* collapsed: go to the parent */
	cr_expect_eq(f.v->ops->selected(f.v), f.a);
	vf_key(&f, K_RIGHT);                /* open: go to the first child */
	cr_expect_eq(f.v->ops->selected(f.v), f.run);
	vf_key(&f, 'l');                    /* closed: open it */
	vf_draw(&f);
	expect_row(&f, 3, "  60.0%   │  └─ main  app");
	vf_key(&f, 'j');
	vf_key(&f, 'j');
	vf_key(&f, '+');
	vf_draw(&f);
	expect_row(&f, 4, "  10.0% - └─ c  app");
	expect_row(&f, 5, "  10.0%      └─ main  app");
	cr_expect_eq(cursor_row(&f), 4);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "c → a  10.0% of samples");
	vf_key(&f, K_DOWN);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "main → c → a  10.0% of samples");
	vf_key(&f, 'C');                    /* collapse all: back to the root */
	vf_draw(&f);
	cr_expect_eq(cursor_row(&f), 1);
	expect_row(&f, 2, "  60.0% + ├─ run  app");
	expect_row(&f, 3, "  10.0% + └─ c  app");
	vf_key(&f, 'e');                    /* expand all under a */
	vf_draw(&f);
	expect_row(&f, 3, "  60.0%   │  └─ main  app");
	expect_row(&f, 5, "  10.0%      └─ main  app");
	vf_key(&f, '-');                    /* collapse the root itself */
	vf_draw(&f);
	expect_row(&f, 1, "  70.0% + a  app");
	expect_row(&f, 2, "");
	cr_expect_eq(vf_key(&f, K_LEFT), VR_BACK);   /* nothing left to close */
	vf_fini(&f);
}

Test(view_tree, recursion_counts_once)
{
	struct vf f;

	vf_init(&f, view_tree_new(), 80, 20);
	uint32_t m = fx_fn(f.p, "main", FX_EXE), fr = fx_fn(f.p, "f", FX_EXE),
		 g = fx_fn(f.p, "g", FX_EXE);

	vf_add(f.p, (uint32_t[]){ fr, fr, fr, m }, 4, 10);
	vf_add(f.p, (uint32_t[]){ g, fr, m }, 3, 10);
	vf_add(f.p, (uint32_t[]){ g, m }, 2, 20);
	vf_focus(&f, fr);
	vf_draw(&f);
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
	vf_key(&f, K_END);
	vf_key(&f, K_UP);
	vf_key(&f, K_RIGHT);
	vf_draw(&f);
	expect_row(&f, h + 3, "  25.0%   25.0%   │  └─ f  app");
	expect_row(&f, h + 4, "  25.0%   25.0%   └─ g  app");
	vf_fini(&f);
}

Test(view_tree, enter_refocuses_and_esc_goes_back)
{
	struct vf f;

	vf_init(&f, view_tree_new(), 80, 20);
	vf_synthetic(&f, FX_EXE, FX_EXE);
	vf_focus(&f, f.a);
	vf_key(&f, K_DOWN);
	cr_expect_eq(vf_key(&f, K_ENTER), VR_HANDLED);
	vf_draw(&f);
	expect_row(&f, 0, "  total  Callers of run  (% of all 100 samples)");
	cr_expect_eq(f.v->ops->selected(f.v), f.run);
	cr_assert_gt(find(&f, 0, "Callees of run"), 0);
	vf_key(&f, K_END);
	cr_expect_eq(f.v->ops->selected(f.v), f.b);
	vf_key(&f, K_ENTER);
	vf_draw(&f);
	expect_row(&f, 0, "  total  Callers of b  (% of all 100 samples)");
	cr_expect_eq(vf_key(&f, K_ESC), VR_HANDLED);
	vf_draw(&f);
	expect_row(&f, 0, "  total  Callers of run  (% of all 100 samples)");
	cr_expect_eq(f.v->ops->selected(f.v), f.b);   /* the cursor came back too */
	cr_expect_eq(vf_key(&f, K_BACKSPACE), VR_HANDLED);
	vf_draw(&f);
	expect_row(&f, 0, "  total  Callers of a  (% of all 100 samples)");
	cr_expect_eq(f.v->ops->selected(f.v), f.run);
	cr_expect_eq(cursor_row(&f), 2);
	cr_expect_eq(vf_key(&f, K_ESC), VR_BACK);
	cr_expect_eq(vf_key(&f, 'f'), VR_FLAME);
	cr_expect_eq(vf_key(&f, 'q'), VR_IGNORED);
	cr_expect_eq(vf_key(&f, '1'), VR_IGNORED);
	vf_fini(&f);
}

Test(view_tree, back_restores_open_nodes)
{
	struct vf f;

	vf_init(&f, view_tree_new(), 80, 20);
	vf_synthetic(&f, FX_EXE, FX_EXE);
	vf_focus(&f, f.a);
	vf_key(&f, K_DOWN);
	vf_key(&f, K_LEFT);                 /* close run */
	vf_key(&f, K_DOWN);
	vf_key(&f, K_ENTER);                /* to c: its own tree */
	vf_draw(&f);
	expect_row(&f, 0, "  total  Callers of c  (% of all 100 samples)");
	expect_row(&f, 2, "  10.0%   └─ main  app");
	vf_key(&f, K_ESC);
	vf_draw(&f);
	expect_row(&f, 2, "  60.0% + ├─ run  app");
	cr_expect_eq(cursor_row(&f), 3);
	/* A new focus from outside forgets the way back. */
	vf_focus(&f, f.b);
	cr_expect_eq(vf_key(&f, K_ESC), VR_BACK);
	vf_fini(&f);
}

Test(view_tree, state_survives_new_samples)
{
	struct vf f;

	vf_init(&f, view_tree_new(), 80, 20);
	vf_synthetic(&f, FX_EXE, FX_EXE);
	vf_focus(&f, f.a);
	vf_key(&f, K_DOWN);
	vf_key(&f, K_LEFT);                 /* close run */
	vf_key(&f, K_DOWN);
	vf_key(&f, K_RIGHT);                /* open c */
	vf_draw(&f);
	expect_row(&f, 4, "  10.0%      └─ main  app");
	/* c overtakes run: rows move, the open nodes and the cursor follow. */
	vf_add(f.p, (uint32_t[]){ f.a, f.cf, f.main_ }, 3, 100);
	vf_draw(&f);
	expect_row(&f, 0, "  total  Callers of a  (% of all 200 samples)");
	expect_row(&f, 1, "  85.0% - a  app");
	expect_row(&f, 2, "  55.0% - ├─ c  app");
	expect_row(&f, 3, "  55.0%   │  └─ main  app");
	expect_row(&f, 4, "  30.0% + └─ run  app");
	cr_expect_eq(cursor_row(&f), 2);
	cr_expect_eq(f.v->ops->selected(f.v), f.cf);
	/* A paused snapshot: same functions, new epoch. */
	f.m.epoch++;
	vf_draw(&f);
	expect_row(&f, 2, "  55.0% - ├─ c  app");
	cr_expect_eq(f.v->ops->selected(f.v), f.cf);
	vf_fini(&f);
}

Test(view_tree, reset_drops_stale_focus)
{
	struct vf f;
	struct profile *fresh = profile_new();

	vf_init(&f, view_tree_new(), 80, 20);
	vf_synthetic(&f, FX_EXE, FX_EXE);
	vf_focus(&f, f.cf);
	vf_draw(&f);
	cr_assert_not_null(fresh);
	uint32_t x = fx_fn(fresh, "x", FX_EXE);

	vf_add(fresh, &x, 1, 5);
	f.m.p = fresh;
	f.m.epoch++;
	vf_draw(&f);
	cr_expect_neq(find(&f, 0, "no function selected"), -1);
	cr_expect_eq(f.v->ops->selected(f.v), PROF_NONE);
	cr_expect_eq(vf_key(&f, K_ESC), VR_BACK);
	f.m.p = f.p;
	profile_free(fresh);
	vf_fini(&f);
}

Test(view_tree, search_next_previous)
{
	struct vf f;

	vf_init(&f, view_tree_new(), 80, 20);
	vf_synthetic(&f, FX_EXE, FX_EXE);
	vf_focus(&f, f.a);
	f.m.search = "MAI";
	vf_draw(&f);
	int y = find(&f, 0, "main");

	cr_assert_gt(y, 0);
	/* The match is highlighted where the name is drawn. */
	int x = vf_col_of(&f, y, L"main");

	cr_assert_geq(x, 0);
	cr_expect_eq(f.c.cells[(size_t)y * 80 + (size_t)x].color, CC_MATCH);
	cr_expect_eq(f.c.cells[(size_t)y * 80 + (size_t)x - 2].color, CC_DIM);
	cr_expect_eq(vf_key(&f, 'n'), VR_HANDLED);
	vf_draw(&f);
	cr_expect_eq(cursor_row(&f), y);
	cr_expect_eq(f.v->ops->selected(f.v), f.main_);
	vf_key(&f, 'n');                    /* wraps: the only visible match */
	cr_expect_eq(f.v->ops->selected(f.v), f.main_);
	vf_key(&f, K_DOWN);
	vf_key(&f, K_RIGHT);                /* open c: a second main */
	vf_key(&f, 'N');
	vf_draw(&f);
	cr_expect_eq(cursor_row(&f), y);
	vf_key(&f, 'N');                    /* backwards wraps to the last one */
	vf_draw(&f);
	cr_expect_eq(cursor_row(&f), y + 2);
	f.m.search = "";
	cr_expect_eq(vf_key(&f, 'n'), VR_HANDLED);
	vf_fini(&f);
}

Test(view_tree, ascii_and_paging)
{
	struct vf f;

	vf_init(&f, view_tree_new(), 80, 6);
	vf_synthetic(&f, FX_EXE, FX_EXE);
	f.c.ascii = true;
	vf_focus(&f, f.a);
	vf_draw(&f);
	expect_row(&f, 2, "  60.0% - |- run  app");
	expect_row(&f, 3, "  60.0%   |  `- main  app");
	vf_key(&f, K_PGDN);
	vf_key(&f, K_PGDN);
	vf_draw(&f);
	/* The last row: a's callees root, with its section title above it. */
	cr_expect_eq(cursor_row(&f), 5);
	expect_row(&f, 4, "  total    self  Callees of a  (% of all 100 samples)");
	vf_key(&f, K_HOME);
	vf_draw(&f);
	cr_expect_eq(cursor_row(&f), 1);
	expect_row(&f, 0, "  total  Callers of a  (% of all 100 samples)");
	vf_key(&f, 'G');
	vf_key(&f, 'B' & 0x1f);             /* a page up from the last row */
	cr_expect_eq(f.v->ops->selected(f.v), f.a);
	vf_key(&f, 'F' & 0x1f);
	cr_expect_eq(f.v->ops->selected(f.v), f.a);   /* callees root, 4 rows on */
	vf_draw(&f);
	cr_expect_eq(cursor_row(&f), 5);
	vf_fini(&f);
}

Test(view_tree, tiny_canvases)
{
	static const int sizes[][2] = { { 1, 1 }, { 2, 3 }, { 20, 6 }, { 12, 1 } };
	static const int keys[] = { K_DOWN, K_END, K_RIGHT, 'e', K_PGUP, 'n', K_ENTER, K_LEFT };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct vf f;

		vf_init(&f, view_tree_new(), sizes[i][0], sizes[i][1]);
		vf_synthetic(&f, FX_EXE, FX_EXE);
		vf_focus(&f, f.a);
		vf_draw(&f);
		cr_expect_neq(cursor_row(&f), -1, "%dx%d shows no cursor", f.c.w, f.c.h);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			vf_key(&f, keys[k]);
			vf_draw(&f);
			cr_expect_neq(cursor_row(&f), -1, "%dx%d lost the cursor", f.c.w, f.c.h);
		}
		/* A view may also be given a slice of the canvas. */
		f.v->ops->draw(f.v, &f.c, f.c.h - 1, 1, &f.m);
		f.v->ops->draw(f.v, &f.c, 0, 0, &f.m);
		vf_fini(&f);
	}
}

Test(view_tree, empty_profile_and_function_without_samples)
{
	struct vf f;
	char st[128] = "x";

	vf_init(&f, view_tree_new(), 40, 5);
	vf_draw(&f);
	cr_expect_neq(find(&f, 0, "no samples yet"), -1);
	cr_expect_eq(f.v->ops->selected(f.v), PROF_NONE);
	cr_expect_eq(vf_key(&f, K_DOWN), VR_HANDLED);
	cr_expect_eq(vf_key(&f, K_ESC), VR_BACK);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "");
	vf_synthetic(&f, FX_EXE, FX_EXE);
	uint32_t idle = fx_fn(f.p, "idle", FX_EXE);

	vf_focus(&f, idle);
	vf_draw(&f);
	cr_expect_neq(find(&f, 0, "idle: no samples in it"), -1);
	cr_expect_eq(f.v->ops->selected(f.v), idle);
	vf_focus(&f, PROF_NONE);
	vf_draw(&f);
	cr_expect_neq(find(&f, 0, "no function selected"), -1);
	f.m.p = NULL;
	vf_draw(&f);
	cr_expect_neq(find(&f, 0, "no samples yet"), -1);
	f.m.p = f.p;
	vf_fini(&f);
}

#define DEEP 10000

/* One stack DEEP frames deep, f0 outermost; then the same depth of one
 * recursive function. */
Test(view_tree, ten_thousand_deep)
{
	struct vf f;
	uint32_t *stack = calloc(DEEP, sizeof(*stack));
	char name[32], st[256];

	cr_assert_not_null(stack);
	vf_init(&f, view_tree_new(), 100, 30);
	for (int i = 0; i < DEEP; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		stack[DEEP - 1 - i] = fx_fn(f.p, name, FX_EXE);
	}
	vf_add(f.p, stack, DEEP, 7);
	uint32_t rec = fx_fn(f.p, "rec", FX_EXE);

	for (int i = 0; i < DEEP; i++)
		stack[i] = rec;
	vf_add(f.p, stack, DEEP, 1);
	vf_focus(&f, fx_fn(f.p, "f9999", FX_EXE));
	vf_draw(&f);
	/* The hot path opened several levels of real callers. */
	expect_row(&f, 1, "  87.5% - f9999  app");
	cr_expect_neq(find(&f, 0, "f9990"), -1);
	vf_key(&f, 'e');
	vf_key(&f, K_END);
	vf_key(&f, K_UP);                   /* the deepest visible caller */
	vf_draw(&f);
	int y = cursor_row(&f);

	cr_assert_neq(y, -1);
	cr_expect(strstr(vf_row(&f, y), "[") != NULL,
		  "deep rows show their depth: %s", vf_row(&f, y));
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect(strstr(st, " → … → f9999  87.5%") != NULL, "status: %s", st);
	/* Expand-all is bounded, so End did not land at f0. */
	cr_expect_neq(f.v->ops->selected(f.v), fx_fn(f.p, "f0", FX_EXE));
	for (int i = 0; i < 50; i++)
		vf_key(&f, 'e');
	vf_key(&f, K_END);
	vf_key(&f, K_UP);
	cr_expect_eq(f.v->ops->selected(f.v), fx_fn(f.p, "f0", FX_EXE));

	vf_focus(&f, rec);
	vf_draw(&f);
	/* Outermost at the bottom of its stack: no callers, one chain of callees. */
	expect_row(&f, 1, "  12.5%   rec  app");
	expect_row(&f, 2, "");
	expect_row(&f, 4, "  12.5%    0.0% - rec  app");
	expect_row(&f, 5, "  12.5%    0.0% - └─ rec  app");
	vf_key(&f, 'e');   /* on the callers root, a leaf: nothing to open */
	vf_key(&f, K_DOWN);
	vf_key(&f, 'e');
	vf_key(&f, K_END);
	f.v->ops->status(f.v, &f.m, st, sizeof(st));
	cr_expect_str_eq(st, "rec → … → rec → rec → rec → rec  12.5% of samples (self 0.0%)");
	vf_fini(&f);
	free(stack);
}
