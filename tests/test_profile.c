/* test_profile.c — the profile fed with synthetic samples: self/total, tree, walk, sorting, threads. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/profile.h"

#define MOD "/usr/bin/app"

static struct profile *new_profile(void)
{
	struct profile *p = profile_new();

	cr_assert_not_null(p);
	return p;
}

static uint32_t fn(struct profile *p, const char *name)
{
	uint32_t id = profile_func(p, name, MOD);

	cr_assert_neq(id, UINT32_MAX);
	return id;
}

static void add(struct profile *p, uint32_t tid, const uint32_t *funcs, size_t n, uint64_t w)
{
	cr_assert_eq(profile_add_sample(p, tid, funcs, n, w, 1000), 0);
}

/* perf's hists_output idea: 60 main->a, 30 main->b, 10 main->c->a. */
static struct profile *hists(uint32_t ids[4])
{
	struct profile *p = new_profile();
	uint32_t m = fn(p, "main"), a = fn(p, "a"), b = fn(p, "b"), c = fn(p, "c");

	add(p, 1, (uint32_t[]){ a, m }, 2, 60);
	add(p, 1, (uint32_t[]){ b, m }, 2, 30);
	add(p, 1, (uint32_t[]){ a, c, m }, 3, 10);
	ids[0] = m, ids[1] = a, ids[2] = b, ids[3] = c;
	return p;
}

static const struct prof_row *row_of(const struct prof_row *rows, long n, uint32_t func)
{
	for (long i = 0; i < n; i++)
		if (rows[i].func == func)
			return &rows[i];
	cr_assert_fail("function %u has no row", func);
	return NULL;
}

static void expect_order(const struct profile *p, enum prof_sort sort, const char *const *names,
			 long n)
{
	struct prof_row *rows;
	long got = profile_hot(p, sort, &rows);

	cr_assert_eq(got, n, "sort %d: %ld rows, expected %ld", sort, got, n);
	for (long i = 0; i < n; i++)
		cr_assert_str_eq(profile_func_name(p, rows[i].func), names[i],
				 "sort %d row %ld", sort, i);
	free(rows);
}

Test(profile, intern_is_dense_and_keyed_by_name_and_module)
{
	struct profile *p = new_profile();
	uint32_t a = profile_func(p, "f", "/lib/x.so");
	uint32_t b = profile_func(p, "f", "/lib/y.so");
	uint32_t c = profile_func(p, "f", "/lib/x.so");
	uint32_t d = profile_func(p, NULL, NULL);
	/* ("ab", "c") and ("a", "bc") are different keys. */
	uint32_t e = profile_func(p, "ab", "c"), f = profile_func(p, "a", "bc");

	cr_assert_eq(a, 0);
	cr_assert_eq(b, 1);
	cr_assert_eq(c, a);
	cr_assert_eq(d, 2);
	cr_assert_eq(e, 3);
	cr_assert_eq(f, 4);
	cr_assert_eq(profile_nfuncs(p), 5);
	cr_assert_str_eq(profile_func_name(p, b), "f");
	cr_assert_str_eq(profile_func_module(p, b), "/lib/y.so");
	cr_assert_str_eq(profile_func_name(p, d), "");
	cr_assert_str_eq(profile_func_module(p, d), "");
	cr_assert_null(profile_func_name(p, 5));
	cr_assert_null(profile_func_module(p, UINT32_MAX));
	profile_free(p);
}

Test(profile, intern_survives_table_growth)
{
	struct profile *p = new_profile();
	char name[32];

	for (uint32_t i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "fn%u", i);
		cr_assert_eq(profile_func(p, name, MOD), i);
	}
	for (uint32_t i = 0; i < 5000; i += 7) {
		snprintf(name, sizeof(name), "fn%u", i);
		cr_assert_eq(profile_func(p, name, MOD), i);
		cr_assert_str_eq(profile_func_name(p, i), name);
	}
	cr_assert_eq(profile_nfuncs(p), 5000);
	profile_free(p);
}

Test(profile, huge_names_are_cut_and_intern_by_prefix)
{
	struct profile *p = new_profile();
	size_t len = 20000;
	char *x = malloc(len + 1), *y = malloc(len + 1);

	cr_assert(x && y);
	memset(x, 'x', len);
	memcpy(y, x, len);
	x[len] = y[len] = '\0';
	y[len - 1] = 'y';	/* differs only past the cut */

	uint32_t a = profile_func(p, x, MOD), b = profile_func(p, y, MOD);

	cr_assert_eq(a, b);
	cr_assert_eq(strlen(profile_func_name(p, a)), 16384);
	free(x);
	free(y);
	profile_free(p);
}

Test(profile, self_and_total_per_function)
{
	uint32_t id[4];
	struct profile *p = hists(id);
	struct prof_row *rows;
	long n = profile_hot(p, PROF_SORT_SELF, &rows);

	cr_assert_eq(n, 4);
	cr_assert_eq(row_of(rows, n, id[0])->self, 0);
	cr_assert_eq(row_of(rows, n, id[0])->total, 100);
	cr_assert_eq(row_of(rows, n, id[1])->self, 70);
	cr_assert_eq(row_of(rows, n, id[1])->total, 70);
	cr_assert_eq(row_of(rows, n, id[2])->self, 30);
	cr_assert_eq(row_of(rows, n, id[2])->total, 30);
	cr_assert_eq(row_of(rows, n, id[3])->self, 0);
	cr_assert_eq(row_of(rows, n, id[3])->total, 10);
	cr_assert_eq(profile_stats_const(p)->samples, 100);
	free(rows);
	profile_free(p);
}

Test(profile, sort_orders)
{
	uint32_t id[4];
	struct profile *p = hists(id);

	/* self ties (main, c at 0) fall to total. */
	expect_order(p, PROF_SORT_SELF, (const char *const[]){ "a", "b", "main", "c" }, 4);
	expect_order(p, PROF_SORT_TOTAL, (const char *const[]){ "main", "a", "b", "c" }, 4);
	expect_order(p, PROF_SORT_NAME, (const char *const[]){ "a", "b", "c", "main" }, 4);
	/* One module: self desc, then name. */
	expect_order(p, PROF_SORT_MODULE, (const char *const[]){ "a", "b", "c", "main" }, 4);
	profile_free(p);
}

Test(profile, module_sort_orders_by_module_first)
{
	struct profile *p = new_profile();
	uint32_t z = profile_func(p, "z", "/lib/a.so"), y = profile_func(p, "y", "/lib/b.so");
	uint32_t x = profile_func(p, "x", "/lib/b.so");

	add(p, 1, (uint32_t[]){ z }, 1, 1);
	add(p, 1, (uint32_t[]){ y }, 1, 5);
	add(p, 1, (uint32_t[]){ x }, 1, 9);
	expect_order(p, PROF_SORT_MODULE, (const char *const[]){ "z", "x", "y" }, 3);
	expect_order(p, PROF_SORT_SELF, (const char *const[]){ "x", "y", "z" }, 3);
	profile_free(p);
}

/* Same counts fed in opposite orders: the row order must not depend on it. */
Test(profile, ties_break_by_name_then_module)
{
	static const char *const names[] = { "delta", "alpha", "charlie", "bravo" };
	static const char *const want[] = { "alpha", "alpha", "bravo", "charlie", "delta" };

	for (int rev = 0; rev < 2; rev++) {
		struct profile *p = new_profile();

		for (int k = 0; k < 4; k++) {
			int i = rev ? 3 - k : k;
			uint32_t f = fn(p, names[i]);

			add(p, 1, &f, 1, 3);
		}
		/* The same name in a second module, added first or last. */
		uint32_t dup = profile_func(p, "alpha", "/lib/0first.so");

		add(p, 2, &dup, 1, 3);
		expect_order(p, PROF_SORT_SELF, want, 5);
		expect_order(p, PROF_SORT_TOTAL, want, 5);

		struct prof_row *rows;

		cr_assert_eq(profile_hot(p, PROF_SORT_SELF, &rows), 5);
		cr_assert_str_eq(profile_func_module(p, rows[0].func), "/lib/0first.so");
		cr_assert_str_eq(profile_func_module(p, rows[1].func), MOD);
		free(rows);
		profile_free(p);
	}
}

Test(profile, name_sort_breaks_ties_by_self)
{
	struct profile *p = new_profile();
	uint32_t a1 = profile_func(p, "same", "/m1"), a2 = profile_func(p, "same", "/m2");

	add(p, 1, &a1, 1, 1);
	add(p, 1, &a2, 1, 2);

	struct prof_row *rows;

	cr_assert_eq(profile_hot(p, PROF_SORT_NAME, &rows), 2);
	cr_assert_eq(rows[0].func, a2);
	cr_assert_eq(rows[1].func, a1);
	free(rows);
	profile_free(p);
}

Test(profile, recursion_counts_once_in_total)
{
	struct profile *p = new_profile();
	uint32_t m = fn(p, "main"), f = fn(p, "f");
	struct prof_row *rows;

	add(p, 1, (uint32_t[]){ f, f, f, m }, 4, 5);
	add(p, 1, (uint32_t[]){ m }, 1, 1);

	long n = profile_hot(p, PROF_SORT_TOTAL, &rows);

	cr_assert_eq(n, 2);
	cr_assert_eq(row_of(rows, n, f)->self, 5);
	cr_assert_eq(row_of(rows, n, f)->total, 5);
	cr_assert_eq(row_of(rows, n, m)->self, 1);
	cr_assert_eq(row_of(rows, n, m)->total, 6);
	/* root, main, f, f, f */
	cr_assert_eq(profile_nnodes(p), 5);
	cr_assert_eq(profile_node(p, 4)->self, 5);
	cr_assert_eq(profile_node(p, 2)->total, 5);
	cr_assert_eq(profile_node(p, 1)->self, 1);
	cr_assert_eq(profile_node(p, 1)->total, 6);
	free(rows);
	profile_free(p);
}

Test(profile, tree_shape_and_sibling_order)
{
	uint32_t id[4];
	struct profile *p = hists(id);
	const struct prof_node *root = profile_node(p, 0);

	cr_assert_eq(root->func, PROF_NONE);
	cr_assert_eq(root->parent, PROF_NONE);
	cr_assert_eq(root->total, 100);
	cr_assert_eq(root->self, 0);

	const struct prof_node *m = profile_node(p, root->first_child);

	cr_assert_eq(m->func, id[0]);
	cr_assert_eq(m->next_sibling, PROF_NONE);
	cr_assert_eq(m->total, 100);

	/* Children in first-seen order: a, b, c. */
	const uint32_t want[] = { id[1], id[2], id[3] };
	const uint64_t tot[] = { 60, 30, 10 }, self[] = { 60, 30, 0 };
	uint32_t k = m->first_child;

	for (int i = 0; i < 3; i++) {
		const struct prof_node *c = profile_node(p, k);

		cr_assert_not_null(c);
		cr_assert_eq(c->func, want[i]);
		cr_assert_eq(c->parent, root->first_child);
		cr_assert_eq(c->total, tot[i]);
		cr_assert_eq(c->self, self[i]);
		k = c->next_sibling;
	}
	cr_assert_eq(k, PROF_NONE);
	cr_assert_eq(profile_nnodes(p), 6);
	cr_assert_null(profile_node(p, 6));
	profile_free(p);
}

struct walk_log {
	char buf[4096];
	size_t len;
	const struct profile *p;
	int stop_after;		/* 0 = never */
	int visits;
};

static int log_visit(void *vctx, const uint32_t *path, size_t depth, uint64_t self)
{
	struct walk_log *w = vctx;

	for (size_t i = 0; i < depth; i++)
		w->len += (size_t)snprintf(w->buf + w->len, sizeof(w->buf) - w->len, "%s%s",
					   i ? ";" : "", profile_func_name(w->p, path[i]));
	w->len += (size_t)snprintf(w->buf + w->len, sizeof(w->buf) - w->len, " %llu\n",
				   (unsigned long long)self);
	cr_assert_lt(w->len, sizeof(w->buf));
	return ++w->visits == w->stop_after ? 42 : 0;
}

Test(profile, walk_visits_paths_with_self)
{
	uint32_t id[4];
	struct profile *p = hists(id);
	uint32_t d = fn(p, "d");
	struct walk_log w = { .p = p };

	/* A stack whose leaf is an inner node elsewhere: main alone. */
	add(p, 2, (uint32_t[]){ id[0] }, 1, 4);
	add(p, 2, (uint32_t[]){ d, id[1], id[0] }, 3, 2);
	cr_assert_eq(profile_walk(p, log_visit, &w), 0);
	cr_assert_str_eq(w.buf, "main 4\nmain;a 60\nmain;a;d 2\nmain;b 30\nmain;c;a 10\n");
	profile_free(p);
}

Test(profile, walk_stops_on_nonzero)
{
	uint32_t id[4];
	struct profile *p = hists(id);
	struct walk_log w = { .p = p, .stop_after = 2 };

	cr_assert_eq(profile_walk(p, log_visit, &w), 42);
	cr_assert_eq(w.visits, 2);
	cr_assert_str_eq(w.buf, "main;a 60\nmain;b 30\n");
	profile_free(p);
}

Test(profile, empty_profile)
{
	struct profile *p = new_profile();
	struct prof_row *rows = (void *)1;
	struct walk_log w = { .p = p };
	size_t n = 99;

	cr_assert_eq(profile_hot(p, PROF_SORT_SELF, &rows), 0);
	cr_assert_null(rows);
	cr_assert_eq(profile_walk(p, log_visit, &w), 0);
	cr_assert_eq(w.visits, 0);
	cr_assert_eq(profile_nnodes(p), 1);
	profile_threads(p, &n);
	cr_assert_eq(n, 0);
	cr_assert_eq(profile_stats_const(p)->samples, 0);
	profile_free(p);
	profile_free(NULL);
}

Test(profile, empty_stack_counts_only_as_a_sample)
{
	struct profile *p = new_profile();
	uint32_t f = fn(p, "f");
	struct prof_row *rows;
	size_t n;

	cr_assert_eq(profile_add_sample(p, 7, NULL, 0, 3, 50), 0);
	cr_assert_eq(profile_stats_const(p)->samples, 3);
	cr_assert_eq(profile_nnodes(p), 1);
	cr_assert_eq(profile_node(p, 0)->total, 0);
	/* f was interned but never in a sample: no row. */
	cr_assert_eq(profile_hot(p, PROF_SORT_SELF, &rows), 0);

	const struct prof_thread *t = profile_threads(p, &n);

	cr_assert_eq(n, 1);
	cr_assert_eq(t[0].tid, 7);
	cr_assert_eq(t[0].samples, 3);
	add(p, 7, &f, 1, 1);
	cr_assert_eq(profile_hot(p, PROF_SORT_SELF, &rows), 1);
	free(rows);
	profile_free(p);
}

Test(profile, deep_stack_10000_frames)
{
	struct profile *p = new_profile();
	size_t depth = 10000;
	uint32_t *funcs = malloc(depth * sizeof(*funcs));
	uint32_t ids[3] = { fn(p, "x"), fn(p, "y"), fn(p, "z") };
	struct prof_row *rows;

	cr_assert_not_null(funcs);
	for (size_t i = 0; i < depth; i++)
		funcs[i] = ids[i % 3];
	add(p, 1, funcs, depth, 1);
	add(p, 1, funcs, depth, 1);	/* same path: no new nodes */
	cr_assert_eq(profile_nnodes(p), depth + 1);

	long n = profile_hot(p, PROF_SORT_SELF, &rows);

	cr_assert_eq(n, 3);
	cr_assert_eq(row_of(rows, n, ids[0])->self, 2);
	cr_assert_eq(row_of(rows, n, ids[0])->total, 2);
	cr_assert_eq(row_of(rows, n, ids[2])->total, 2);
	cr_assert_eq(profile_node(p, (uint32_t)depth)->self, 2);
	cr_assert_eq(profile_node(p, 1)->total, 2);
	cr_assert_eq(profile_node(p, 1)->func, funcs[depth - 1]);

	free(rows);
	free(funcs);
	profile_free(p);
}

struct depth_probe {
	size_t depth[4], visits;
	uint32_t leaf[4];
};

static int probe_visit(void *vctx, const uint32_t *path, size_t depth, uint64_t self)
{
	struct depth_probe *d = vctx;

	(void)self;
	if (d->visits < 4) {
		d->depth[d->visits] = depth;
		d->leaf[d->visits] = path[depth - 1];
	}
	d->visits++;
	return 0;
}

Test(profile, deep_stack_walks)
{
	struct profile *p = new_profile();
	size_t depth = 10000;
	uint32_t *funcs = malloc(depth * sizeof(*funcs));
	uint32_t x = fn(p, "x"), leaf = fn(p, "leaf");
	struct depth_probe d = { 0 };

	cr_assert_not_null(funcs);
	for (size_t i = 0; i < depth; i++)
		funcs[i] = i ? x : leaf;
	add(p, 1, funcs, depth, 1);
	add(p, 1, funcs + 1, 3, 1);	/* x;x;x: a prefix of the deep path */
	cr_assert_eq(profile_walk(p, probe_visit, &d), 0);
	/* Pre-order: the prefix comes first. */
	cr_assert_eq(d.visits, 2);
	cr_assert_eq(d.depth[0], 3);
	cr_assert_eq(d.leaf[0], x);
	cr_assert_eq(d.depth[1], depth);
	cr_assert_eq(d.leaf[1], leaf);
	free(funcs);
	profile_free(p);
}

/* Tree invariants on pseudo-random stacks, enough to grow every table many times. */
Test(profile, random_stacks_keep_the_tree_consistent)
{
	struct profile *p = new_profile();
	uint32_t ids[50], stack[12];
	uint64_t seed = 12345, with_stack = 0;
	char name[16];

	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		ids[i] = fn(p, name);
	}
	for (int s = 0; s < 20000; s++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t n = (seed >> 33) % 12;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			stack[i] = ids[(seed >> 33) % 50];
		}
		add(p, (uint32_t)(s % 5), stack, n, 1);
		with_stack += n > 0;
	}

	size_t nn = profile_nnodes(p);
	uint64_t self_sum = 0;

	cr_assert_gt(nn, 10000);
	for (uint32_t i = 0; i < nn; i++) {
		const struct prof_node *node = profile_node(p, i);
		uint64_t children = 0;

		for (uint32_t c = node->first_child; c != PROF_NONE;
		     c = profile_node(p, c)->next_sibling) {
			cr_assert_eq(profile_node(p, c)->parent, i);
			children += profile_node(p, c)->total;
		}
		cr_assert_eq(node->total, node->self + children, "node %u", i);
		self_sum += node->self;
	}
	cr_assert_eq(self_sum, with_stack);
	cr_assert_eq(profile_node(p, 0)->total, with_stack);
	cr_assert_eq(profile_stats_const(p)->samples, 20000);

	size_t nt;
	const struct prof_thread *t = profile_threads(p, &nt);

	cr_assert_eq(nt, 5);
	for (size_t i = 0; i < nt; i++)
		cr_assert_eq(t[i].samples, 4000);
	profile_free(p);
}

Test(profile, bad_ids_are_refused_and_change_nothing)
{
	struct profile *p = new_profile();
	uint32_t f = fn(p, "f");
	size_t n;

	cr_assert_eq(profile_add_sample(p, 1, (uint32_t[]){ f, 99 }, 2, 4, 10), -EINVAL);
	cr_assert_eq(profile_add_sample(p, 1, NULL, 2, 1, 10), -EINVAL);
	cr_assert_eq(profile_stats_const(p)->samples, 0);
	cr_assert_eq(profile_stats_const(p)->refused, 5);
	cr_assert_eq(profile_nnodes(p), 1);
	profile_threads(p, &n);
	cr_assert_eq(n, 0);
	profile_free(p);
}

Test(profile, stats_times_and_weights)
{
	struct profile *p = new_profile();
	uint32_t f = fn(p, "f");
	struct prof_stats *s = profile_stats(p);

	cr_assert_eq(profile_add_sample(p, 1, &f, 1, 2, 500), 0);
	cr_assert_eq(profile_add_sample(p, 1, &f, 1, 3, 300), 0);	/* out of order */
	cr_assert_eq(profile_add_sample(p, 1, &f, 1, 1, 900), 0);
	cr_assert_eq(s->samples, 6);
	cr_assert_eq(s->first_ns, 300);
	cr_assert_eq(s->last_ns, 900);
	/* The feeder owns by_status; the profile leaves it alone. */
	for (int i = 0; i < UWS__COUNT; i++)
		cr_assert_eq(s->by_status[i], 0);
	s->by_status[UWS_DEPTH] += 2;
	s->lost_kernel = 7;
	cr_assert_eq(profile_stats_const(p)->by_status[UWS_DEPTH], 2);
	cr_assert_eq(profile_stats_const(p)->lost_kernel, 7);
	profile_free(p);
}

Test(profile, first_time_zero_is_kept)
{
	struct profile *p = new_profile();

	cr_assert_eq(profile_add_sample(p, 1, NULL, 0, 1, 0), 0);
	cr_assert_eq(profile_add_sample(p, 1, NULL, 0, 1, 80), 0);
	cr_assert_eq(profile_stats_const(p)->first_ns, 0);
	cr_assert_eq(profile_stats_const(p)->last_ns, 80);
	profile_free(p);
}

Test(profile, threads_sorted_named_and_renamed)
{
	struct profile *p = new_profile();
	uint32_t f = fn(p, "f");
	char name[8] = "worker";
	size_t n;

	add(p, 30, &f, 1, 1);
	add(p, 10, &f, 1, 2);
	add(p, 30, &f, 1, 1);
	profile_thread_name(p, 20, name);	/* named before any sample */
	profile_thread_name(p, 30, "first");
	profile_thread_name(p, 30, "second");
	strcpy(name, "XXXX");			/* the profile kept a copy */

	const struct prof_thread *t = profile_threads(p, &n);

	cr_assert_eq(n, 3);
	cr_assert_eq(t[0].tid, 10);
	cr_assert_eq(t[0].samples, 2);
	cr_assert_str_eq(t[0].name, "");
	cr_assert_eq(t[1].tid, 20);
	cr_assert_eq(t[1].samples, 0);
	cr_assert_str_eq(t[1].name, "worker");
	cr_assert_eq(t[2].tid, 30);
	cr_assert_eq(t[2].samples, 2);
	cr_assert_str_eq(t[2].name, "second");

	profile_thread_name(p, 30, NULL);
	t = profile_threads(p, &n);
	cr_assert_str_eq(t[2].name, "");
	profile_free(p);
}

Test(profile, many_threads_stay_sorted)
{
	struct profile *p = new_profile();
	uint32_t f = fn(p, "f");
	size_t n;

	for (uint32_t i = 0; i < 1000; i++)
		add(p, (i * 7919u) % 1000u + 1, &f, 1, 1);

	const struct prof_thread *t = profile_threads(p, &n);

	cr_assert_eq(n, 1000);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(t[i].tid, i + 1);
		cr_assert_eq(t[i].samples, 1);
	}
	profile_free(p);
}

/* A paused UI shows a clone: same ids, same numbers, and it stays put while
 * the original goes on growing. */
Test(profile, clone_is_equal_and_independent)
{
	uint32_t ids[4];
	struct profile *p = hists(ids), *c;
	struct prof_row *a, *b;
	long na, nb;
	size_t nt;

	profile_thread_name(p, 1, "worker");
	profile_stats(p)->lost_kernel = 7;
	c = profile_clone(p);
	cr_assert_not_null(c);
	cr_assert_eq(profile_nfuncs(c), profile_nfuncs(p));
	for (size_t i = 0; i < profile_nfuncs(p); i++)
		cr_assert_str_eq(profile_func_name(c, (uint32_t)i), profile_func_name(p, (uint32_t)i));
	na = profile_hot(p, PROF_SORT_SELF, &a);
	nb = profile_hot(c, PROF_SORT_SELF, &b);
	cr_assert_eq(na, nb);
	for (long i = 0; i < na; i++) {
		cr_assert_eq(a[i].func, b[i].func);
		cr_assert_eq(a[i].self, b[i].self);
		cr_assert_eq(a[i].total, b[i].total);
	}
	cr_assert_eq(profile_stats_const(c)->samples, profile_stats_const(p)->samples);
	cr_assert_eq(profile_stats_const(c)->lost_kernel, 7);
	cr_assert_str_eq(profile_threads(c, &nt)[0].name, profile_threads(p, &nt)[0].name);
	add(p, 1, ids, 1, 50);
	cr_assert_neq(profile_stats_const(c)->samples, profile_stats_const(p)->samples);
	free(a);
	free(b);
	profile_free(c);
	profile_free(p);
}

Test(profile, func_addr_unknown_until_set_then_first_kept)
{
	struct profile *p = new_profile();
	uint32_t a = fn(p, "a"), b = fn(p, "b");

	cr_assert_eq(PROFILE_NO_ADDR, UINT64_MAX);
	cr_assert_eq(profile_func_addr(p, a), PROFILE_NO_ADDR);
	profile_func_set_addr(p, a, PROFILE_NO_ADDR);
	cr_assert_eq(profile_func_addr(p, a), PROFILE_NO_ADDR, "setting 'unknown' is a no-op");
	profile_func_set_addr(p, a, 0x1260);
	cr_assert_eq(profile_func_addr(p, a), 0x1260);
	/* Two static functions of one name in one module are one row: the
	 * first address stays. */
	profile_func_set_addr(p, a, 0x9990);
	cr_assert_eq(profile_func_addr(p, a), 0x1260);
	cr_assert_eq(profile_func(p, "a", MOD), a, "interning again keeps the address");
	cr_assert_eq(profile_func_addr(p, a), 0x1260);
	/* 0 and kernel addresses are addresses like any other. */
	profile_func_set_addr(p, b, 0);
	cr_assert_eq(profile_func_addr(p, b), 0);
	profile_func_set_addr(p, b, 0xffffffff81000000);
	cr_assert_eq(profile_func_addr(p, b), 0);
	/* Ids the profile lacks: unknown, and setting them changes nothing. */
	profile_func_set_addr(p, 2, 0x10);
	profile_func_set_addr(p, UINT32_MAX, 0x10);
	cr_assert_eq(profile_func_addr(p, 2), PROFILE_NO_ADDR);
	cr_assert_eq(profile_func_addr(p, UINT32_MAX), PROFILE_NO_ADDR);
	cr_assert_eq(profile_nfuncs(p), 2);
	profile_free(p);
}

Test(profile, clone_and_derived_profiles_keep_addresses)
{
	uint32_t ids[4];
	struct profile *p = hists(ids), *c, *d;

	profile_func_set_addr(p, ids[0], 0x1090);
	profile_func_set_addr(p, ids[1], 0xffffffff81d35f00);
	/* ids[2] left unknown: it must stay unknown in the copies. */
	profile_func_set_addr(p, ids[3], 0);
	c = profile_clone(p);
	d = profile_derive_new(p);
	cr_assert_not_null(c);
	cr_assert_not_null(d);
	for (int i = 0; i < 4; i++) {
		uint64_t want = profile_func_addr(p, ids[i]);

		cr_assert_eq(profile_func_addr(c, ids[i]), want, "clone %d", i);
		cr_assert_eq(profile_func_addr(d, ids[i]), want, "derived %d", i);
	}
	cr_assert_eq(profile_func_addr(c, ids[2]), PROFILE_NO_ADDR);

	/* A new function comes with its address; an address learnt later for
	 * an old one reaches the derived profile too. */
	uint32_t e = fn(p, "e");

	profile_func_set_addr(p, e, 0x2000);
	profile_func_set_addr(p, ids[2], 0x3000);
	cr_assert_eq(profile_sync_funcs(d, p), 0);
	cr_assert_eq(profile_func_addr(d, e), 0x2000);
	cr_assert_eq(profile_func_addr(d, ids[2]), 0x3000);
	/* Syncing adds addresses, never changes one: the first stays. */
	uint32_t f = fn(p, "f");

	cr_assert_eq(profile_sync_funcs(d, p), 0);
	profile_func_set_addr(d, f, 0x10);
	profile_func_set_addr(p, f, 0x20);
	cr_assert_eq(profile_sync_funcs(d, p), 0);
	cr_assert_eq(profile_func_addr(d, f), 0x10);
	/* The clone is a snapshot in time: it does not follow the original. */
	cr_assert_eq(profile_func_addr(c, ids[2]), PROFILE_NO_ADDR);
	profile_free(c);
	profile_free(d);
	profile_free(p);
}

Test(profile, last_leaf_names_the_sample_path)
{
	struct profile *p = new_profile();
	uint32_t m = fn(p, "main"), a = fn(p, "a");

	cr_assert_eq(profile_last_leaf(p), PROF_NONE);
	add(p, 1, (uint32_t[]){ a, m }, 2, 1);

	uint32_t leaf = profile_last_leaf(p);
	const struct prof_node *n = profile_node(p, leaf);

	cr_assert_not_null(n);
	cr_assert_eq(n->func, a);
	cr_assert_eq(profile_node(p, n->parent)->func, m);
	cr_assert_eq(profile_node(p, n->parent)->parent, 0);
	add(p, 1, &m, 1, 1);
	cr_assert_eq(profile_last_leaf(p), n->parent);
	add(p, 1, NULL, 0, 1);
	cr_assert_eq(profile_last_leaf(p), 0);
	cr_assert_eq(profile_add_sample(p, 1, (uint32_t[]){ 99 }, 1, 1, 0), -EINVAL);
	cr_assert_eq(profile_last_leaf(p), PROF_NONE);
	profile_free(p);
}

/* Folded output ("f;g;h N" lines in walk order) of a profile, malloc'd. */
struct folded {
	const struct profile *p;
	char *buf;
	size_t len;
	FILE *f;
};

static int fold_visit(void *vctx, const uint32_t *path, size_t depth, uint64_t self)
{
	struct folded *fo = vctx;

	for (size_t i = 0; i < depth; i++)
		fprintf(fo->f, "%s%s", i ? ";" : "", profile_func_name(fo->p, path[i]));
	fprintf(fo->f, " %llu\n", (unsigned long long)self);
	return 0;
}

static char *folded(const struct profile *p)
{
	struct folded fo = { .p = p };

	fo.f = open_memstream(&fo.buf, &fo.len);
	cr_assert_not_null(fo.f);
	cr_assert_eq(profile_walk(p, fold_visit, &fo), 0);
	fclose(fo.f);
	return fo.buf;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the lines of s in place (each keeps its '\n'). */
static void sort_lines(char *s)
{
	size_t n = 0, len = strlen(s);
	char **lines = malloc((len + 1) * sizeof(*lines)), *copy = strdup(s), *out = s;

	cr_assert(lines && copy);
	for (char *l = strtok(copy, "\n"); l; l = strtok(NULL, "\n"))
		lines[n++] = l;
	qsort(lines, n, sizeof(*lines), line_cmp);
	for (size_t i = 0; i < n; i++)
		out += sprintf(out, "%s\n", lines[i]);
	free(lines);
	free(copy);
}

/* Same hot table (every sort), same folded stacks (in the same order unless
 * any_order), same threads and sample counts. */
static void expect_same_profile(const struct profile *a, const struct profile *b, bool any_order)
{
	for (int sort = PROF_SORT_SELF; sort <= PROF_SORT_MODULE; sort++) {
		struct prof_row *ra, *rb;
		long na = profile_hot(a, (enum prof_sort)sort, &ra);
		long nb = profile_hot(b, (enum prof_sort)sort, &rb);

		cr_assert_eq(na, nb);
		for (long i = 0; i < na; i++) {
			cr_assert_eq(ra[i].func, rb[i].func, "sort %d row %ld", sort, i);
			cr_assert_eq(ra[i].self, rb[i].self);
			cr_assert_eq(ra[i].total, rb[i].total);
		}
		free(ra);
		free(rb);
	}

	char *fa = folded(a), *fb = folded(b);

	cr_assert_gt(strlen(fa), 0);
	if (any_order) {
		sort_lines(fa);
		sort_lines(fb);
	}
	cr_assert_str_eq(fa, fb);
	free(fa);
	free(fb);

	size_t nta, ntb;
	const struct prof_thread *ta = profile_threads(a, &nta), *tb = profile_threads(b, &ntb);

	cr_assert_eq(nta, ntb);
	for (size_t i = 0; i < nta; i++) {
		cr_assert_eq(ta[i].tid, tb[i].tid);
		cr_assert_eq(ta[i].samples, tb[i].samples);
		cr_assert_str_eq(ta[i].name, tb[i].name);
	}

	const struct prof_stats *sa = profile_stats_const(a), *sb = profile_stats_const(b);

	cr_assert_eq(sa->samples, sb->samples);
	cr_assert_eq(sa->first_ns, sb->first_ns);
	cr_assert_eq(sa->last_ns, sb->last_ns);
	cr_assert_eq(profile_node(a, 0)->total, profile_node(b, 0)->total);
}

struct logged {
	uint32_t leaf, tid;
	uint64_t weight, time;
};

static uint64_t lcg(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return *seed >> 33;
}

/* The live profile grows functions while samples come in; the derived one is
 * synced before each replay, as the UI would. */
Test(profile, add_path_replays_what_add_sample_built)
{
	struct profile *live = new_profile(), *d;
	enum { NS = 20000 };
	struct logged *log = malloc(NS * sizeof(*log));
	uint32_t stack[14];
	uint64_t seed = 777;
	char name[16];

	cr_assert_not_null(log);
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		fn(live, name);
	}
	profile_thread_name(live, 3, "three");
	d = profile_derive_new(live);
	cr_assert_not_null(d);
	cr_assert_eq(profile_nfuncs(d), 10);

	for (int s = 0; s < NS; s++) {
		if (s % 1000 == 999) {	/* a new function now and then */
			snprintf(name, sizeof(name), "g%d", s);
			fn(live, name);
		}
		size_t n = lcg(&seed) % 14;
		uint32_t nf = (uint32_t)profile_nfuncs(live);

		for (size_t i = 0; i < n; i++)
			stack[i] = (uint32_t)(lcg(&seed) % nf);
		log[s] = (struct logged){ 0, (uint32_t)lcg(&seed) % 4 + 1, lcg(&seed) % 3 + 1,
					  lcg(&seed) };
		cr_assert_eq(profile_add_sample(live, log[s].tid, stack, n, log[s].weight,
						log[s].time), 0);
		log[s].leaf = profile_last_leaf(live);
		cr_assert_neq(log[s].leaf, PROF_NONE);
		cr_assert_eq(n == 0, log[s].leaf == 0);
	}
	profile_thread_name(live, 2, "two");
	cr_assert_eq(profile_sync_funcs(d, live), 0);
	cr_assert_eq(profile_nfuncs(d), profile_nfuncs(live));
	for (int s = 0; s < NS; s++)
		cr_assert_eq(profile_add_path(d, live, log[s].leaf, log[s].tid, log[s].weight,
					      log[s].time), 0);
	expect_same_profile(live, d, false);
	/* Same samples in the same order: the same tree, node for node. */
	cr_assert_eq(profile_nnodes(d), profile_nnodes(live));
	for (uint32_t i = 0; i < profile_nnodes(live); i++)
		cr_assert_eq(memcmp(profile_node(d, i), profile_node(live, i),
				    sizeof(struct prof_node)), 0, "node %u", i);
	cr_assert_eq(profile_last_leaf(d), log[NS - 1].leaf);
	free(log);
	profile_free(d);
	profile_free(live);
}

Test(profile, add_path_in_another_order_gives_the_same_counts)
{
	uint32_t ids[4];
	struct profile *live = hists(ids), *d = profile_derive_new(live);
	uint32_t leaves[3];

	cr_assert_not_null(d);
	/* The three paths of hists(), found back by their functions. */
	add(live, 1, (uint32_t[]){ ids[1], ids[0] }, 2, 1);
	leaves[0] = profile_last_leaf(live);
	add(live, 1, (uint32_t[]){ ids[2], ids[0] }, 2, 1);
	leaves[1] = profile_last_leaf(live);
	add(live, 1, (uint32_t[]){ ids[1], ids[3], ids[0] }, 3, 1);
	leaves[2] = profile_last_leaf(live);
	cr_assert_eq(profile_add_path(d, live, leaves[2], 1, 11, 1000), 0);
	cr_assert_eq(profile_add_path(d, live, leaves[1], 1, 31, 1000), 0);
	cr_assert_eq(profile_add_path(d, live, leaves[0], 1, 61, 1000), 0);
	expect_same_profile(live, d, true);
	profile_free(d);
	profile_free(live);
}

Test(profile, add_path_10000_deep)
{
	struct profile *live = new_profile(), *d;
	size_t depth = 10000;
	uint32_t *funcs = malloc(depth * sizeof(*funcs));
	uint32_t x = fn(live, "x"), y = fn(live, "y"), leaf;

	cr_assert_not_null(funcs);
	for (size_t i = 0; i < depth; i++)
		funcs[i] = i % 7 ? x : y;
	add(live, 1, funcs, depth, 1);
	leaf = profile_last_leaf(live);
	d = profile_derive_new(live);
	cr_assert_not_null(d);
	cr_assert_eq(profile_add_path(d, live, leaf, 1, 1, 1000), 0);
	cr_assert_eq(profile_add_path(d, live, leaf, 1, 1, 1000), 0);
	add(live, 1, funcs, depth, 1);
	cr_assert_eq(profile_nnodes(d), depth + 1);
	expect_same_profile(live, d, false);
	free(funcs);
	profile_free(d);
	profile_free(live);
}

Test(profile, add_path_refuses_bad_leaves_and_ids)
{
	uint32_t ids[4];
	struct profile *live = hists(ids), *d = profile_new();

	cr_assert_not_null(d);
	cr_assert_eq(profile_add_path(d, live, (uint32_t)profile_nnodes(live), 1, 2, 5), -EINVAL);
	cr_assert_eq(profile_add_path(d, live, PROF_NONE, 1, 2, 5), -EINVAL);
	/* d has none of live's functions: its ids are not live's. */
	cr_assert_eq(profile_add_path(d, live, 1, 1, 3, 5), -EINVAL);
	cr_assert_eq(profile_last_leaf(d), PROF_NONE);
	cr_assert_eq(profile_stats_const(d)->refused, 7);
	cr_assert_eq(profile_stats_const(d)->samples, 0);
	cr_assert_eq(profile_nnodes(d), 1);
	/* A sample without frames needs no function. */
	cr_assert_eq(profile_add_path(d, live, 0, 1, 4, 5), 0);
	cr_assert_eq(profile_stats_const(d)->samples, 4);
	cr_assert_eq(profile_node(d, 0)->total, 0);
	/* src may be the profile itself. */
	cr_assert_eq(profile_add_path(live, live, 2, 1, 1, 5), 0);
	cr_assert_eq(profile_node(live, 2)->self, 61);
	profile_free(d);
	profile_free(live);
}

Test(profile, derive_new_and_sync_copy_functions_and_thread_names)
{
	struct profile *live = new_profile(), *d;
	size_t n;

	fn(live, "a");
	profile_func(live, "a", "/other");
	profile_thread_name(live, 5, "five");
	add(live, 6, NULL, 0, 1);		/* unnamed: not copied */
	d = profile_derive_new(live);
	cr_assert_not_null(d);
	cr_assert_eq(profile_nfuncs(d), 2);
	cr_assert_str_eq(profile_func_module(d, 1), "/other");

	const struct prof_thread *t = profile_threads(d, &n);

	cr_assert_eq(n, 1);
	cr_assert_eq(t[0].tid, 5);
	cr_assert_eq(t[0].samples, 0);
	cr_assert_str_eq(t[0].name, "five");
	cr_assert_eq(profile_stats_const(d)->samples, 0);

	fn(live, "b");
	profile_thread_name(live, 5, "renamed");
	profile_thread_name(live, 6, "six");
	cr_assert_eq(profile_sync_funcs(d, live), 0);
	cr_assert_eq(profile_nfuncs(d), 3);
	cr_assert_str_eq(profile_func_name(d, 2), "b");
	t = profile_threads(d, &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(t[0].name, "renamed");
	cr_assert_str_eq(t[1].name, "six");
	cr_assert_eq(profile_sync_funcs(d, live), 0);	/* nothing new: no change */
	cr_assert_eq(profile_nfuncs(d), 3);

	/* Not a prefix of live's functions: refused. */
	struct profile *other = new_profile();

	fn(other, "b");
	cr_assert_eq(profile_sync_funcs(other, live), -EINVAL);
	cr_assert_eq(profile_sync_funcs(live, d), 0);
	fn(d, "only in d");
	cr_assert_eq(profile_sync_funcs(d, live), -EINVAL);
	profile_free(other);
	profile_free(d);
	profile_free(live);
}

static void expect_consistent_tree(const struct profile *p)
{
	size_t nn = profile_nnodes(p);

	for (uint32_t i = 0; i < nn; i++) {
		const struct prof_node *node = profile_node(p, i);
		uint64_t children = 0;

		for (uint32_t c = node->first_child; c != PROF_NONE;
		     c = profile_node(p, c)->next_sibling)
			children += profile_node(p, c)->total;
		cr_assert_eq(node->total, node->self + children, "node %u", i);
	}
}

Test(profile, scale_halves_every_count)
{
	uint32_t ids[4];
	struct profile *p = hists(ids);
	struct prof_row *rows;
	size_t nt;

	add(p, 2, NULL, 0, 8);		/* 8 samples without a stack */
	profile_stats(p)->lost_kernel = 9;
	profile_scale(p, 0.5);
	expect_consistent_tree(p);

	long n = profile_hot(p, PROF_SORT_SELF, &rows);

	cr_assert_eq(n, 4);
	cr_assert_eq(row_of(rows, n, ids[1])->self, 35);	/* a: 60 + 10 */
	cr_assert_eq(row_of(rows, n, ids[1])->total, 35);
	cr_assert_eq(row_of(rows, n, ids[2])->self, 15);
	cr_assert_eq(row_of(rows, n, ids[0])->total, 50);
	cr_assert_eq(row_of(rows, n, ids[3])->total, 5);
	cr_assert_eq(row_of(rows, n, ids[0])->self, 0);
	free(rows);
	cr_assert_eq(profile_node(p, 0)->total, 50);
	cr_assert_eq(profile_stats_const(p)->samples, 54);
	cr_assert_eq(profile_stats_const(p)->lost_kernel, 9);
	cr_assert_eq(profile_threads(p, &nt)[0].samples, 50);
	cr_assert_eq(profile_threads(p, &nt)[1].samples, 4);

	/* Factors out of (0, 1) change nothing. */
	profile_scale(p, 1.0);
	profile_scale(p, 0.0);
	profile_scale(p, -1.0);
	profile_scale(p, 2.0);
	profile_scale(p, 0.0 / 0.0);
	cr_assert_eq(profile_stats_const(p)->samples, 54);
	cr_assert_eq(profile_node(p, 0)->total, 50);
	profile_free(p);
}

Test(profile, scale_rounds_to_nearest_and_ends_at_zero)
{
	struct profile *p = new_profile();
	uint32_t a = fn(p, "a"), b = fn(p, "b"), m = fn(p, "main");
	struct prof_row *rows;

	add(p, 1, (uint32_t[]){ a, m }, 2, 7);
	add(p, 1, (uint32_t[]){ b, m }, 2, 1);
	profile_scale(p, 0.5);		/* 3.5 -> 4, 0.5 -> 0 (ties to even) */

	long n = profile_hot(p, PROF_SORT_SELF, &rows);

	cr_assert_eq(n, 2);		/* b dropped out of the table */
	cr_assert_eq(row_of(rows, n, a)->self, 4);
	cr_assert_eq(row_of(rows, n, m)->total, 4);
	free(rows);
	cr_assert_eq(profile_stats_const(p)->samples, 4);
	profile_scale(p, 0.3);		/* 1.2 -> 1 */
	cr_assert_eq(profile_node(p, 0)->total, 1);
	profile_scale(p, 0.5);
	cr_assert_eq(profile_node(p, 0)->total, 0);
	cr_assert_eq(profile_stats_const(p)->samples, 0);
	cr_assert_eq(profile_hot(p, PROF_SORT_SELF, &rows), 0);
	expect_consistent_tree(p);
	/* And it comes back with new samples, recursion still counted once. */
	add(p, 1, (uint32_t[]){ a, a, m }, 3, 2);
	n = profile_hot(p, PROF_SORT_SELF, &rows);
	cr_assert_eq(n, 2);
	cr_assert_eq(row_of(rows, n, a)->total, 2);
	free(rows);
	profile_free(p);
}

Test(profile, scale_keeps_random_trees_consistent)
{
	struct profile *p = new_profile();
	uint32_t ids[30], stack[10];
	uint64_t seed = 99;
	char name[16];

	for (int i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		ids[i] = fn(p, name);
	}
	for (int s = 0; s < 5000; s++) {
		size_t n = lcg(&seed) % 10;

		for (size_t i = 0; i < n; i++)
			stack[i] = ids[lcg(&seed) % 30];
		add(p, (uint32_t)(s % 3), stack, n, lcg(&seed) % 50 + 1);
	}
	for (double f = 0.93; profile_node(p, 0)->total; f *= 0.9) {
		struct prof_row *rows;
		long n;

		profile_scale(p, f);
		expect_consistent_tree(p);
		n = profile_hot(p, PROF_SORT_SELF, &rows);
		cr_assert_geq(n, 0);
		for (long i = 0; i < n; i++) {
			uint64_t self = 0;

			for (uint32_t id = 1; id < profile_nnodes(p); id++)
				if (profile_node(p, id)->func == rows[i].func)
					self += profile_node(p, id)->self;
			cr_assert_eq(rows[i].self, self);
			cr_assert_geq(rows[i].total, rows[i].self);
			cr_assert_gt(rows[i].total, 0);
		}
		free(rows);
		cr_assert_geq(profile_stats_const(p)->samples, profile_node(p, 0)->total);
	}
	profile_free(p);
}

Test(profile, each_function_lists_its_nodes_in_id_order)
{
	struct profile *p = profile_new();
	uint32_t m = profile_func(p, "main", "app"), a = profile_func(p, "a", "app");
	uint32_t b = profile_func(p, "b", "app"), seen[8];
	size_t n = 0;

	cr_assert_eq(profile_add_sample(p, 1, (uint32_t[]){ a, m }, 2, 1, 1), 0);
	cr_assert_eq(profile_add_sample(p, 1, (uint32_t[]){ a, b, m }, 3, 1, 2), 0);
	cr_assert_eq(profile_add_sample(p, 1, (uint32_t[]){ a, a, b, m }, 4, 1, 3), 0);
	cr_assert_eq(profile_add_sample(p, 1, (uint32_t[]){ a, m }, 2, 1, 4), 0);  /* no new node */
	for (uint32_t x = profile_func_first_node(p, a); x != PROF_NONE; x = profile_node_next_same(p, x)) {
		cr_assert_lt(n, 8);
		cr_assert_eq(profile_node(p, x)->func, a);
		cr_assert(n == 0 || x > seen[n - 1], "in id order");
		seen[n++] = x;
	}
	cr_assert_eq(n, 3, "a has three nodes: main>a, main>b>a, main>b>a>a");
	/* Every node of a is found: count them the slow way. */
	size_t slow = 0;

	for (uint32_t i = 1; i < profile_nnodes(p); i++)
		slow += profile_node(p, i)->func == a;
	cr_assert_eq(slow, n);
	cr_assert_eq(profile_func_first_node(p, 99), PROF_NONE);
	cr_assert_eq(profile_node_next_same(p, 0), PROF_NONE, "the root has no function");
	cr_assert_eq(profile_node_next_same(p, 9999), PROF_NONE);
	profile_free(p);
}
