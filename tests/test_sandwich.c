/* test_sandwich.c — the callers/callees derivation on synthetic profiles: counts, order, open state, caps on expansion. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/sandwich.h"

struct fix {
	struct profile *p;
	struct sandwich sw;
	uint32_t main_, run, a, b, cf;
};

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
static void fix_init(struct fix *f)
{
	memset(f, 0, sizeof(*f));
	f->p = profile_new();
	cr_assert_not_null(f->p);
	sandwich_init(&f->sw);
	f->main_ = fn(f->p, "main");
	f->run = fn(f->p, "run");
	f->a = fn(f->p, "a");
	f->b = fn(f->p, "b");
	f->cf = fn(f->p, "c");
	add(f->p, (uint32_t[]){ f->a, f->run, f->main_ }, 3, 60);
	add(f->p, (uint32_t[]){ f->b, f->run, f->main_ }, 3, 30);
	add(f->p, (uint32_t[]){ f->a, f->cf, f->main_ }, 3, 10);
}

static void fix_fini(struct fix *f)
{
	sandwich_release(&f->sw);
	profile_free(f->p);
}

/* Focus, build and flatten, as the view does on a refresh. */
static void build(struct fix *f, uint32_t func)
{
	if (func != f->sw.focus)
		sandwich_set_focus(&f->sw, func);
	cr_assert_eq(sandwich_build(&f->sw, f->p), 0);
	cr_assert_eq(sandwich_flatten(&f->sw), 0);
}

static const struct sandwich_node *node(struct fix *f, int sec, uint32_t i)
{
	cr_assert_lt(i, f->sw.sec[sec].nd);
	return &f->sw.sec[sec].d[i];
}

/* The i-th child of node `parent` in sec, checked to call function func. */
static uint32_t child(struct fix *f, int sec, uint32_t parent, uint32_t i, uint32_t func)
{
	const struct sandwich_node *d = node(f, sec, parent);

	cr_assert(d->built, "node %u has no derived children", parent);
	cr_assert_lt(i, d->nchild);
	cr_assert_eq(node(f, sec, d->child + i)->func, func, "child %u of %u: func %u, want %u",
		     i, parent, node(f, sec, d->child + i)->func, func);
	cr_assert_eq(node(f, sec, d->child + i)->parent, parent);
	return d->child + i;
}

/* Row r shows function func at depth depth in section sec. */
static void expect_row(struct fix *f, size_t r, int sec, uint32_t func, uint32_t depth)
{
	int s = -1;
	const struct sandwich_node *d = sandwich_row(&f->sw, r, &s);

	cr_assert_not_null(d, "row %zu missing", r);
	cr_expect_eq(s, sec, "row %zu: section %d, want %d", r, s, sec);
	cr_expect_eq(d->func, func, "row %zu: func %u, want %u", r, d->func, func);
	cr_expect_eq(d->depth, depth, "row %zu: depth %u, want %u", r, d->depth, depth);
}

Test(sandwich, callers_of_a_leaf)
{
	struct fix f;
	uint32_t run, c, m;

	fix_init(&f);
	build(&f, f.a);
	/* Both roots stand for a's two occurrences: 70 samples, all self. */
	for (int sec = 0; sec < SANDWICH__NSEC; sec++) {
		cr_expect_eq(node(&f, sec, 0)->total, 70);
		cr_expect_eq(node(&f, sec, 0)->self, 70);
		cr_expect_eq(node(&f, sec, 0)->parent, SANDWICH_NONE);
		cr_expect_eq(node(&f, sec, 0)->key, sandwich_root_key(sec, f.a));
	}
	/* Callers, hottest first; run holds more than half so its path opened. */
	run = child(&f, SANDWICH_CALLERS, 0, 0, f.run);
	c = child(&f, SANDWICH_CALLERS, 0, 1, f.cf);
	m = child(&f, SANDWICH_CALLERS, run, 0, f.main_);
	cr_expect_eq(node(&f, 0, run)->total, 60);
	cr_expect_eq(node(&f, 0, c)->total, 10);
	cr_expect_eq(node(&f, 0, m)->total, 60);
	cr_expect(node(&f, 0, run)->open);
	cr_expect_not(node(&f, 0, c)->open);
	cr_expect(node(&f, 0, c)->kids, "c has a caller still to derive");
	cr_expect_not(node(&f, 0, m)->kids, "main is outermost");
	/* a calls nothing: the callees root is a leaf. */
	cr_expect_not(node(&f, SANDWICH_CALLEES, 0)->kids);
	cr_assert_eq(sandwich_nrows(&f.sw), 5);
	expect_row(&f, 0, SANDWICH_CALLERS, f.a, 0);
	expect_row(&f, 1, SANDWICH_CALLERS, f.run, 1);
	expect_row(&f, 2, SANDWICH_CALLERS, f.main_, 2);
	expect_row(&f, 3, SANDWICH_CALLERS, f.cf, 1);
	expect_row(&f, 4, SANDWICH_CALLEES, f.a, 0);
	cr_expect_null(sandwich_row(&f.sw, 5, NULL));
	cr_expect_not(f.sw.truncated);
	fix_fini(&f);
}

Test(sandwich, callees_carry_self_and_total)
{
	struct fix f;
	uint32_t a, b;

	fix_init(&f);
	build(&f, f.run);
	cr_expect_eq(node(&f, SANDWICH_CALLEES, 0)->total, 90);
	cr_expect_eq(node(&f, SANDWICH_CALLEES, 0)->self, 0);
	a = child(&f, SANDWICH_CALLEES, 0, 0, f.a);
	b = child(&f, SANDWICH_CALLEES, 0, 1, f.b);
	cr_expect_eq(node(&f, 1, a)->total, 60);
	cr_expect_eq(node(&f, 1, a)->self, 60);
	cr_expect_eq(node(&f, 1, b)->total, 30);
	cr_expect_eq(node(&f, 1, b)->self, 30);
	cr_expect_eq(node(&f, 1, a)->depth, 1);
	cr_expect_neq(node(&f, 1, a)->key, node(&f, 1, b)->key);
	/* run's one caller is main. */
	cr_expect_eq(child(&f, SANDWICH_CALLERS, 0, 0, f.main_), 1);
	cr_expect_eq(node(&f, SANDWICH_CALLERS, 1)->total, 90);
	fix_fini(&f);
}

Test(sandwich, recursion_counts_once_and_ties_go_by_name)
{
	struct fix f;
	uint32_t m, fr, g, rec;

	fix_init(&f);
	m = f.main_;
	fr = fn(f.p, "f");
	g = fn(f.p, "g");
	add(f.p, (uint32_t[]){ fr, fr, fr, m }, 4, 10);
	add(f.p, (uint32_t[]){ g, fr, m }, 3, 10);
	add(f.p, (uint32_t[]){ g, m }, 2, 20);
	build(&f, fr);
	/* 20 samples contain f however deep it recurses: only outermost calls count. */
	cr_expect_eq(node(&f, SANDWICH_CALLERS, 0)->total, 20);
	cr_expect_eq(node(&f, SANDWICH_CALLEES, 0)->total, 20);
	/* f's recursive call and g tie at 10: by name, and neither opens. */
	rec = child(&f, SANDWICH_CALLEES, 0, 0, fr);
	child(&f, SANDWICH_CALLEES, 0, 1, g);
	cr_expect_eq(node(&f, 1, rec)->total, 10);
	cr_expect_not(node(&f, 1, rec)->open);
	cr_expect(node(&f, 1, rec)->kids);
	cr_assert_eq(sandwich_open(&f.sw, f.p, SANDWICH_CALLEES, rec), 0);
	cr_expect_eq(child(&f, SANDWICH_CALLEES, rec, 0, fr), node(&f, 1, rec)->child);
	cr_expect_eq(node(&f, 1, node(&f, 1, rec)->child)->total, 10);
	fix_fini(&f);
}

Test(sandwich, open_state_survives_rebuilds_and_refocus)
{
	struct fix f;
	uint32_t run, c;

	fix_init(&f);
	build(&f, f.a);
	run = child(&f, SANDWICH_CALLERS, 0, 0, f.run);
	c = child(&f, SANDWICH_CALLERS, 0, 1, f.cf);
	sandwich_close(&f.sw, SANDWICH_CALLERS, run);
	cr_assert_eq(sandwich_open(&f.sw, f.p, SANDWICH_CALLERS, c), 0);
	/* c overtakes run: the order changes, the open nodes follow their paths. */
	add(f.p, (uint32_t[]){ f.a, f.cf, f.main_ }, 3, 100);
	build(&f, f.a);
	c = child(&f, SANDWICH_CALLERS, 0, 0, f.cf);
	run = child(&f, SANDWICH_CALLERS, 0, 1, f.run);
	cr_expect(node(&f, 0, c)->open);
	cr_expect_not(node(&f, 0, run)->open);
	cr_expect_eq(node(&f, 0, c)->total, 110);
	/* Away and back: a second visit does not reopen the hot path. */
	build(&f, f.b);
	build(&f, f.a);
	cr_expect_not(node(&f, 0, child(&f, SANDWICH_CALLERS, 0, 1, f.run))->open);
	cr_expect(node(&f, 0, child(&f, SANDWICH_CALLERS, 0, 0, f.cf))->open);
	/* The root itself closes too. */
	sandwich_close(&f.sw, SANDWICH_CALLERS, 0);
	build(&f, f.a);
	cr_expect_not(node(&f, 0, 0)->open);
	cr_expect_eq(f.sw.sec[SANDWICH_CALLERS].nrows, 1);
	fix_fini(&f);
}

Test(sandwich, collapse_keeps_the_roots_open)
{
	struct fix f;

	fix_init(&f);
	build(&f, f.a);
	cr_assert_eq(sandwich_open(&f.sw, f.p, SANDWICH_CALLERS, 2), 0);   /* c */
	sandwich_collapse(&f.sw);
	cr_assert_eq(sandwich_flatten(&f.sw), 0);
	cr_expect(node(&f, 0, 0)->open);
	cr_expect_eq(f.sw.sec[SANDWICH_CALLERS].nrows, 3);   /* a, run, c */
	for (uint32_t i = 1; i < f.sw.sec[0].nd; i++)
		cr_expect_not(node(&f, 0, i)->open, "node %u still open", i);
	/* And so after a rebuild. */
	build(&f, f.a);
	cr_expect_eq(f.sw.sec[SANDWICH_CALLERS].nrows, 3);
	fix_fini(&f);
}

Test(sandwich, nothing_to_show)
{
	struct fix f;
	uint32_t idle;

	fix_init(&f);
	build(&f, SANDWICH_NONE);
	cr_expect_eq(sandwich_nrows(&f.sw), 0);
	cr_expect_null(sandwich_row(&f.sw, 0, NULL));
	idle = fn(f.p, "idle");
	build(&f, idle);
	cr_expect_eq(sandwich_nrows(&f.sw), 0);
	build(&f, 12345);   /* not a function of this profile */
	cr_expect_eq(sandwich_nrows(&f.sw), 0);
	sandwich_set_focus(&f.sw, f.a);
	cr_expect_eq(sandwich_build(&f.sw, NULL), 0);
	cr_expect_eq(f.sw.sec[0].nd + f.sw.sec[1].nd, 0);
	/* A profile with samples but no stacks. */
	struct profile *empty = profile_new();

	cr_assert_not_null(empty);
	cr_assert_eq(profile_add_sample(empty, 1, NULL, 0, 3, 1), 0);
	sandwich_set_focus(&f.sw, 0);
	cr_expect_eq(sandwich_build(&f.sw, empty), 0);
	cr_expect_eq(f.sw.sec[0].nd, 0);
	profile_free(empty);
	fix_fini(&f);
}

#define DEEP 10000

/* One chain DEEP frames deep, f0 outermost, focused on its leaf. */
Test(sandwich, deep_chain_opens_a_bounded_way)
{
	struct fix f;
	uint32_t *stack = calloc(DEEP, sizeof(*stack));
	char name[32];
	size_t before;

	cr_assert_not_null(stack);
	fix_init(&f);
	for (int i = 0; i < DEEP; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		stack[DEEP - 1 - i] = fn(f.p, name);
	}
	add(f.p, stack, DEEP, 7);
	build(&f, stack[0]);
	/* The hot path: the root and twelve levels above it are open. */
	cr_expect_eq(f.sw.sec[SANDWICH_CALLERS].nrows, 14);
	expect_row(&f, 13, SANDWICH_CALLERS, stack[13], 13);
	/* Expansion from the deepest row stops near the row budget. */
	before = f.sw.sec[SANDWICH_CALLERS].nrows;
	cr_assert_eq(sandwich_expand(&f.sw, f.p, SANDWICH_CALLERS, 13, 100), 0);
	cr_assert_eq(sandwich_flatten(&f.sw), 0);
	cr_expect_eq(f.sw.sec[SANDWICH_CALLERS].nrows, before + 100);
	/* Enough expansions reach the outermost caller, f0. */
	for (int i = 0; i < 100; i++)
		cr_assert_eq(sandwich_expand(&f.sw, f.p, SANDWICH_CALLERS, 0, 3000), 0);
	cr_assert_eq(sandwich_flatten(&f.sw), 0);
	cr_expect_eq(f.sw.sec[SANDWICH_CALLERS].nrows, DEEP);
	expect_row(&f, DEEP - 1, SANDWICH_CALLERS, stack[DEEP - 1], DEEP - 1);
	cr_expect_eq(node(&f, 0, 0)->total, 7);
	fix_fini(&f);
	free(stack);
}

Test(sandwich, release_then_reuse)
{
	struct fix f;

	fix_init(&f);
	build(&f, f.a);
	sandwich_release(&f.sw);
	sandwich_release(&f.sw);   /* twice is harmless */
	sandwich_init(&f.sw);
	cr_expect_eq(f.sw.focus, SANDWICH_NONE);
	build(&f, f.a);
	cr_expect_eq(sandwich_nrows(&f.sw), 5, "the hot path opens again: the set was freed");
	fix_fini(&f);
}
