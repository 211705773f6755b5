/* test_flamelayout.c — the flame graph layout without a canvas: columns, sibling order, zoom, locate, search. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/flamelayout.h"

static struct profile *prof;
static struct flame_layout lay;
static uint32_t f_main, f_run, f_a, f_b, f_c;

static uint32_t fn(const char *name)
{
	uint32_t id = profile_func(prof, name, "/usr/bin/app");

	cr_assert_neq(id, UINT32_MAX);
	return id;
}

static void add(const uint32_t *funcs, size_t n, uint64_t w)
{
	cr_assert_eq(profile_add_sample(prof, 1, funcs, n, w, 1000), 0);
}

/* 60 main->run->a, 30 main->run->b, 10 main->c->a; run and a are interned
 * before c, so an order by id would differ from the alphabetical one. */
static void setup(void)
{
	prof = profile_new();
	cr_assert_not_null(prof);
	memset(&lay, 0, sizeof(lay));
	f_main = fn("main");
	f_run = fn("run");
	f_a = fn("a");
	f_b = fn("b");
	f_c = fn("c");
	add((uint32_t[]){ f_a, f_run, f_main }, 3, 60);
	add((uint32_t[]){ f_b, f_run, f_main }, 3, 30);
	add((uint32_t[]){ f_a, f_c, f_main }, 3, 10);
	flame_layout_sync(&lay, prof);
}

static void teardown(void)
{
	flame_layout_release(&lay);
	profile_free(prof);
}

TestSuite(flamelayout, .init = setup, .fini = teardown);

/* The node reached from the root by funcs, outermost first. */
static uint32_t node_at(const uint32_t *funcs, size_t n)
{
	uint32_t id = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = profile_node(prof, id)->first_child;

		while (c != PROF_NONE && profile_node(prof, c)->func != funcs[i])
			c = profile_node(prof, c)->next_sibling;
		cr_assert_neq(c, PROF_NONE, "no node for path step %zu", i);
		id = c;
	}
	return id;
}

static void expect_frame(const struct flame_iter *it, size_t i, uint32_t func, int x0, int x1)
{
	const struct flame_frame *f;

	cr_assert_lt(i, it->cur->n, "row %d has %zu frames, want more than %zu", it->row,
		     it->cur->n, i);
	f = &it->cur->f[i];
	cr_expect_eq(profile_node(it->p, f->node)->func, func, "row %d frame %zu: func %u, want %u",
		     it->row, i, profile_node(it->p, f->node)->func, func);
	cr_expect_eq(f->x0, x0, "row %d frame %zu: x0 %d, want %d", it->row, i, f->x0, x0);
	cr_expect_eq(f->x1, x1, "row %d frame %zu: x1 %d, want %d", it->row, i, f->x1, x1);
}

Test(flamelayout, rows_columns_and_alphabetical_siblings)
{
	struct flame_iter it;

	cr_assert(flame_iter_init(&it, &lay, prof, 100));
	cr_expect_eq(it.total, 100);
	cr_assert(flame_begin(&it));
	cr_expect_eq(it.row, 0);
	cr_assert_eq(it.cur->n, 1);
	expect_frame(&it, 0, f_main, 0, 100);
	cr_assert(flame_next(&it));
	cr_assert_eq(it.cur->n, 2);
	expect_frame(&it, 0, f_c, 0, 10);     /* c before run, though run is hotter */
	expect_frame(&it, 1, f_run, 10, 100);
	cr_expect_eq(it.cur->f[1].off, 10);
	cr_expect_eq(it.cur->f[1].end, 100);
	cr_assert(flame_next(&it));
	cr_assert_eq(it.cur->n, 3);
	expect_frame(&it, 0, f_a, 0, 10);
	expect_frame(&it, 1, f_a, 10, 70);
	expect_frame(&it, 2, f_b, 70, 100);
	cr_expect_not(flame_next(&it));
	cr_expect_eq(it.row, 3);
}

Test(flamelayout, child_and_locate_agree_with_the_walk)
{
	struct flame_iter it;
	struct flame_frame f, parent = { 0, 0, 100, 0, 100 };
	uint32_t main_ = node_at((uint32_t[]){ f_main }, 1);
	uint32_t run = node_at((uint32_t[]){ f_main, f_run }, 2);
	uint32_t b = node_at((uint32_t[]){ f_main, f_run, f_b }, 3);
	int row = -5;

	cr_assert(flame_iter_init(&it, &lay, prof, 100));
	parent.node = main_;
	f = flame_child(&it, &parent, run);
	cr_expect_eq(f.x0, 10);
	cr_expect_eq(f.x1, 100);
	cr_assert(flame_locate(&it, b, &f, &row));
	cr_expect_eq(f.node, b);
	cr_expect_eq(row, 2);
	cr_expect_eq(f.x0, 70);
	cr_expect_eq(f.x1, 100);
	cr_expect_not(flame_locate(&it, 0, &f, &row), "the root is never drawn");
	cr_expect_not(flame_locate(&it, PROF_NONE, &f, &row));
}

Test(flamelayout, frames_under_a_column_are_left_out)
{
	struct flame_iter it;
	struct flame_frame f;
	uint32_t tiny = fn("tiny"), deep = fn("deep");
	uint32_t leaf;
	int row;

	add((uint32_t[]){ deep, tiny, f_main }, 3, 1);   /* 1 of 101 samples */
	flame_layout_sync(&lay, prof);
	leaf = node_at((uint32_t[]){ f_main, tiny, deep }, 3);
	cr_assert(flame_iter_init(&it, &lay, prof, 20));
	cr_assert(flame_begin(&it));
	cr_assert(flame_next(&it));
	for (size_t i = 0; i < it.cur->n; i++)
		cr_expect_neq(profile_node(prof, it.cur->f[i].node)->func, tiny);
	cr_expect_eq(it.cur->n, 2);
	/* Located: its nearest drawn ancestor, main on row 0. */
	cr_assert(flame_locate(&it, leaf, &f, &row));
	cr_expect_eq(f.node, node_at((uint32_t[]){ f_main }, 1));
	cr_expect_eq(row, 0);
	/* Wide enough, it shows (101 columns: one per sample). */
	cr_assert(flame_iter_init(&it, &lay, prof, 101));
	cr_assert(flame_locate(&it, leaf, &f, &row));
	cr_expect_eq(f.node, leaf);
	cr_expect_eq(row, 2);
	cr_expect_eq(f.x1 - f.x0, 1);
}

Test(flamelayout, zoom_stack)
{
	struct flame_iter it;
	uint32_t run = node_at((uint32_t[]){ f_main, f_run }, 2);
	uint32_t a = node_at((uint32_t[]){ f_main, f_run, f_a }, 3);

	cr_expect_not(flame_zoom_in(&lay, PROF_NONE));
	cr_expect_not(flame_zoom_in(&lay, 0), "already at the root");
	cr_assert(flame_zoom_in(&lay, run));
	cr_assert(flame_iter_init(&it, &lay, prof, 90));
	cr_expect_eq(it.total, 90);
	cr_assert(flame_begin(&it));
	expect_frame(&it, 0, f_run, 0, 90);   /* the zoom root is drawn on row 0 */
	cr_assert(flame_next(&it));
	expect_frame(&it, 0, f_a, 0, 60);
	expect_frame(&it, 1, f_b, 60, 90);
	cr_expect_not(flame_zoom_in(&lay, run));
	cr_assert(flame_zoom_in(&lay, a));
	cr_expect_eq(lay.zoom, a);
	cr_assert(flame_zoom_out(&lay));
	cr_expect_eq(lay.zoom, run);
	cr_assert(flame_zoom_out(&lay));
	cr_expect_eq(lay.zoom, 0);
	cr_expect_not(flame_zoom_out(&lay));
	/* zoom_to forgets the way back. */
	flame_zoom_in(&lay, run);
	flame_zoom_to(&lay, a);
	cr_assert(flame_zoom_out(&lay));
	cr_expect_eq(lay.zoom, 0);
	/* A node outside the zoom root cannot be located. */
	struct flame_frame f;
	int row;
	uint32_t c = node_at((uint32_t[]){ f_main, f_c }, 2);

	flame_zoom_to(&lay, run);
	cr_assert(flame_iter_init(&it, &lay, prof, 90));
	cr_expect_not(flame_locate(&it, c, &f, &row));
	/* A new profile resets the zoom. */
	flame_layout_reset(&lay);
	cr_expect_eq(lay.zoom, 0);
	cr_expect_eq(lay.nz, 0);
}

Test(flamelayout, seek_in_reading_order_and_wrap)
{
	struct flame_iter it;
	uint32_t main_ = node_at((uint32_t[]){ f_main }, 1);
	uint32_t ca = node_at((uint32_t[]){ f_main, f_c, f_a }, 3);
	uint32_t ra = node_at((uint32_t[]){ f_main, f_run, f_a }, 3);

	/* "A" matches main and both a's, case folded. */
	cr_assert(flame_iter_init(&it, &lay, prof, 100));
	cr_expect_eq(flame_seek(&it, 0, 0, "A", 1), ca);
	cr_expect_eq(flame_seek(&it, 2, 0, "A", 1), ra);
	cr_expect_eq(flame_seek(&it, 2, 10, "A", 1), main_, "wraps to the first");
	cr_expect_eq(flame_seek(&it, 0, 0, "A", -1), ra, "wraps to the last");
	cr_expect_eq(flame_seek(&it, 2, 10, "A", -1), ca);
	cr_expect_eq(flame_seek(&it, 0, 0, "zzz", 1), PROF_NONE);
	cr_expect_eq(flame_seek(&it, 0, 0, "", 1), PROF_NONE);
	cr_expect_eq(flame_seek(&it, 0, 0, NULL, 1), PROF_NONE);
	cr_expect(flame_match("Main", "aI"));
	cr_expect_not(flame_match("main", ""));
	cr_expect_not(flame_match("main", NULL));
	cr_expect_not(flame_match("main", "x"));
}

Test(flamelayout, new_functions_are_ranked_on_sync)
{
	struct flame_iter it;
	uint32_t aaa = fn("aaa");

	add((uint32_t[]){ aaa, f_main }, 2, 100);
	/* Not synced yet: aaa has no rank and sorts by id, after the others. */
	cr_assert(flame_iter_init(&it, &lay, prof, 200));
	cr_assert(flame_begin(&it));
	cr_assert(flame_next(&it));
	cr_assert_eq(it.cur->n, 3);
	expect_frame(&it, 2, aaa, 100, 200);
	flame_layout_sync(&lay, prof);
	cr_assert(flame_iter_init(&it, &lay, prof, 200));
	cr_assert(flame_begin(&it));
	cr_assert(flame_next(&it));
	expect_frame(&it, 0, aaa, 0, 100);
	expect_frame(&it, 1, f_c, 100, 110);
}

Test(flamelayout, nothing_to_lay_out)
{
	struct flame_iter it;
	struct profile *empty = profile_new();

	cr_assert_not_null(empty);
	cr_expect_not(flame_iter_init(&it, &lay, NULL, 80));
	cr_expect_eq(it.total, 0);
	cr_expect_not(flame_iter_init(&it, &lay, empty, 80));
	cr_expect_not(flame_iter_init(&it, &lay, prof, 0));
	profile_free(empty);
}

Test(flamelayout, column_arithmetic)
{
	cr_expect_eq(flame_col(0, 80, 100), 0);
	cr_expect_eq(flame_col(50, 80, 100), 40);
	cr_expect_eq(flame_col(1, 3, 2), 2, "1.5 rounds up");
	cr_expect_eq(flame_col(100, 80, 100), 80);
	cr_expect_eq(flame_col(200, 80, 100), 80);
	/* Past the 64-bit product: still the right column. */
	cr_expect_eq(flame_col(UINT64_MAX / 2, 1000, UINT64_MAX), 500);
	cr_expect_eq(flame_col(UINT64_MAX - 1, 1000, UINT64_MAX), 1000);
	cr_expect_str_eq(flame_name(prof, f_run), "run");
	cr_expect_str_eq(flame_name(prof, 9999), "[unknown]");
}

Test(flamelayout, grow_is_capped)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	cr_assert_eq(flame_grow((void **)&v, &cap, 10, sizeof(*v), 100), 0);
	cr_expect_geq(cap, 10);
	cr_expect_leq(cap, 100);
	cr_assert_eq(flame_grow((void **)&v, &cap, 100, sizeof(*v), 100), 0);
	cr_expect_eq(cap, 100);
	v[99] = 1;
	cr_expect_eq(flame_grow((void **)&v, &cap, 101, sizeof(*v), 100), -1);
	cr_expect_eq(cap, 100);
	free(v);
}

#define DEEP 10000

/* A chain of DEEP distinct functions: the leaf sits on the last row. */
Test(flamelayout, deep_chain)
{
	struct flame_iter it;
	struct flame_frame f;
	uint32_t *stack = calloc(DEEP, sizeof(*stack)), leaf;
	char name[32];
	int row = -1, rows = 0;

	cr_assert_not_null(stack);
	for (int i = 0; i < DEEP; i++) {
		snprintf(name, sizeof(name), "d%05d", i);
		stack[DEEP - 1 - i] = fn(name);
	}
	add(stack, DEEP, 500);
	flame_layout_sync(&lay, prof);
	leaf = profile_last_leaf(prof);
	cr_assert(flame_iter_init(&it, &lay, prof, 40));
	cr_assert(flame_locate(&it, leaf, &f, &row));
	cr_expect_eq(f.node, leaf);
	cr_expect_eq(row, DEEP - 1);
	cr_expect_eq(f.x1 - f.x0, 33, "500 of 600 samples on 40 columns");
	for (bool ok = flame_begin(&it); ok; ok = flame_next(&it))
		rows++;
	cr_expect_eq(rows, DEEP);
	free(stack);
}
