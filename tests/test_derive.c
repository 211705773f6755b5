/* test_derive.c — the UI's aggregation modes: cumulative, window, decaying, thread filter. */
#include <criterion/criterion.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/derive.h"

#define MS 1000000ULL
#define SEC 1000000000ULL
#define MOD "/usr/bin/app"

struct fixture {
	struct profile *live;
	struct samplelog *log;
	struct derive *d;
};

static void fx_init(struct fixture *fx)
{
	fx->live = profile_new();
	fx->log = samplelog_new(1 << 16);
	fx->d = derive_new();
	cr_assert(fx->live && fx->log && fx->d);
}

static void fx_fini(struct fixture *fx)
{
	derive_free(fx->d);
	samplelog_free(fx->log);
	profile_free(fx->live);
}

static uint32_t fx_fn(struct fixture *fx, const char *name)
{
	uint32_t id = profile_func(fx->live, name, MOD);

	cr_assert_neq(id, UINT32_MAX);
	return id;
}

/* What the feeder does: add to the live profile, log the leaf. */
static void sample(struct fixture *fx, uint32_t tid, const uint32_t *funcs, size_t n,
		   uint64_t time_ns)
{
	cr_assert_eq(profile_add_sample(fx->live, tid, funcs, n, 1, time_ns), 0);
	samplelog_add(fx->log, time_ns, tid, profile_last_leaf(fx->live));
}

/* main -> f, one sample. */
static void sample_in(struct fixture *fx, uint32_t tid, const char *f, uint64_t time_ns)
{
	uint32_t stack[2] = { fx_fn(fx, f), fx_fn(fx, "main") };

	sample(fx, tid, stack, 2, time_ns);
}

static const struct profile *update(struct fixture *fx, enum derive_mode mode, uint64_t span,
				    uint32_t tid, uint64_t now, bool *changed)
{
	const struct profile *p = derive_update(fx->d, fx->live, fx->log, mode, span, tid, now,
						changed);

	cr_assert_not_null(p);
	return p;
}

/* A function's row in p's hot table: false when it has none. */
static bool row(const struct profile *p, const char *name, struct prof_row *out)
{
	struct prof_row *rows;
	long n = profile_hot(p, PROF_SORT_SELF, &rows);
	bool found = false;

	cr_assert_geq(n, 0);
	for (long i = 0; i < n && !found; i++) {
		if (!strcmp(profile_func_name(p, rows[i].func), name)) {
			*out = rows[i];
			found = true;
		}
	}
	free(rows);
	return found;
}

static uint64_t self_of(const struct profile *p, const char *name)
{
	struct prof_row r;

	return row(p, name, &r) ? r.self : 0;
}

static bool has_row(const struct profile *p, const char *name)
{
	struct prof_row r;

	return row(p, name, &r);
}

/* Equal hot tables (every function, self and total) and sample counts. */
static void expect_same_counts(const struct profile *a, const struct profile *b)
{
	struct prof_row *ra, *rb;
	long na = profile_hot(a, PROF_SORT_SELF, &ra), nb = profile_hot(b, PROF_SORT_SELF, &rb);

	cr_assert_eq(na, nb);
	for (long i = 0; i < na; i++) {
		cr_assert_eq(ra[i].func, rb[i].func, "row %ld", i);
		cr_assert_eq(ra[i].self, rb[i].self, "row %ld", i);
		cr_assert_eq(ra[i].total, rb[i].total, "row %ld", i);
	}
	free(ra);
	free(rb);
	cr_assert_eq(profile_stats_const(a)->samples, profile_stats_const(b)->samples);
	cr_assert_eq(profile_node(a, 0)->total, profile_node(b, 0)->total);
}

/* A reference profile: the log's entries that pass keep(), replayed by hand. */
struct ref_ctx {
	struct profile *ref;
	const struct profile *live;
	uint64_t since;
	uint32_t tid;
};

static int ref_add(void *vctx, const struct samplelog_entry *e, uint64_t seq)
{
	struct ref_ctx *r = vctx;

	(void)seq;
	if (e->time_ns >= r->since && (!r->tid || e->tid == r->tid))
		cr_assert_eq(profile_add_path(r->ref, r->live, e->leaf, e->tid, 1, e->time_ns), 0);
	return 0;
}

static struct profile *reference(struct fixture *fx, uint64_t since, uint32_t tid)
{
	struct ref_ctx r = { profile_derive_new(fx->live), fx->live, since, tid };

	cr_assert_not_null(r.ref);
	samplelog_visit(fx->log, 0, 0, 0, ref_add, &r);
	return r.ref;
}

Test(derive, mode_names)
{
	cr_assert_str_eq(derive_mode_name(DERIVE_CUMULATIVE), "cumulative");
	cr_assert_str_eq(derive_mode_name(DERIVE_WINDOW), "window");
	cr_assert_str_eq(derive_mode_name(DERIVE_DECAY), "decaying");
	cr_assert_str_eq(derive_mode_name((enum derive_mode)42), "?");
}

Test(derive, cumulative_all_threads_is_live_itself)
{
	struct fixture fx;
	bool changed;

	fx_init(&fx);
	sample_in(&fx, 1, "a", 10);
	cr_assert_eq(update(&fx, DERIVE_CUMULATIVE, 0, 0, 10, &changed), fx.live);
	cr_assert(changed);
	sample_in(&fx, 1, "a", 20);
	cr_assert_eq(update(&fx, DERIVE_CUMULATIVE, 0, 0, 20, &changed), fx.live);
	cr_assert_not(changed);
	/* Away and back: a different object each time. */
	cr_assert_neq(update(&fx, DERIVE_WINDOW, SEC, 0, 20, &changed), fx.live);
	cr_assert(changed);
	cr_assert_eq(update(&fx, DERIVE_CUMULATIVE, 0, 0, 20, &changed), fx.live);
	cr_assert(changed);
	derive_reset(fx.d);
	cr_assert_eq(update(&fx, DERIVE_CUMULATIVE, 0, 0, 20, NULL), fx.live);
	/* Without a log nothing can be derived. */
	cr_assert_eq(derive_update(fx.d, fx.live, NULL, DERIVE_WINDOW, SEC, 0, 20, &changed),
		     fx.live);
	fx_fini(&fx);
}

/* Phase change: A before 1 s, B after; a 0.5 s window at 2 s shows only B. */
Test(derive, window_keeps_only_recent_samples)
{
	struct fixture fx;
	const struct profile *p;
	bool changed;

	fx_init(&fx);
	for (uint64_t t = 0; t < 2 * SEC; t += 10 * MS)
		sample_in(&fx, 1, t < SEC ? "A" : "B", t);
	p = update(&fx, DERIVE_WINDOW, SEC / 2, 0, 2 * SEC, &changed);
	cr_assert(changed);
	cr_assert_neq(p, fx.live);
	cr_assert_not(has_row(p, "A"));
	cr_assert_eq(self_of(p, "B"), 50);
	cr_assert_eq(profile_stats_const(p)->samples, 50);
	cr_assert_eq(profile_stats_const(p)->first_ns, 1500 * MS);
	cr_assert_eq(self_of(fx.live, "A"), 100);	/* live untouched */

	/* A wider window reaches back into A. */
	p = update(&fx, DERIVE_WINDOW, 1500 * MS, 0, 2 * SEC, &changed);
	cr_assert(changed);
	cr_assert_eq(self_of(p, "A"), 50);
	cr_assert_eq(self_of(p, "B"), 100);

	/* Time passes with no samples: the window empties. */
	p = update(&fx, DERIVE_WINDOW, SEC / 2, 0, 10 * SEC, &changed);
	cr_assert_eq(profile_stats_const(p)->samples, 0);
	cr_assert_not(has_row(p, "B"));
	fx_fini(&fx);
}

/* Jittered times and a window moving by less than the jitter between
 * updates, its span changing now and then: each result equals a profile
 * rebuilt by hand from the entries in the window. */
Test(derive, sliding_window_matches_a_rebuild)
{
	struct fixture fx;
	uint64_t seed = 4242, t = 0;
	const char *names[] = { "a", "b", "c", "d", "e" };

	fx_init(&fx);
	for (int round = 0; round < 400; round++) {
		for (int i = 0; i < 3; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			t += 1 * MS;
			/* Up to 5 ms out of order, as merged CPU rings are. */
			uint64_t jitter = (seed >> 40) % (5 * MS);
			uint32_t stack[3] = { fx_fn(&fx, names[(seed >> 33) % 5]),
					      fx_fn(&fx, names[(seed >> 36) % 5]),
					      fx_fn(&fx, "main") };

			sample(&fx, (uint32_t)(seed >> 50) % 3 + 1, stack, (seed >> 45) % 4,
			       t > jitter ? t - jitter : 0);
		}

		uint64_t span = round % 50 == 49 ? 900 * MS : 20 * MS + (uint64_t)(round / 20) * MS;
		uint32_t tid = round % 7 == 3 ? 2 : 0;
		const struct profile *p = update(&fx, DERIVE_WINDOW, span, tid, t, NULL);
		struct profile *ref = reference(&fx, t > span ? t - span : 0, tid);

		expect_same_counts(p, ref);
		profile_free(ref);
	}
	fx_fini(&fx);
}

Test(derive, thread_filter_shows_only_that_thread)
{
	struct fixture fx;
	const struct profile *p, *q;
	bool changed;
	size_t nt;

	fx_init(&fx);
	profile_thread_name(fx.live, 2, "worker");
	for (int i = 0; i < 30; i++) {
		sample_in(&fx, 1, "one", (uint64_t)i * MS);
		sample_in(&fx, 2, i % 3 ? "two" : "shared", (uint64_t)i * MS);
	}
	p = update(&fx, DERIVE_CUMULATIVE, 0, 2, 30 * MS, &changed);
	cr_assert(changed);
	cr_assert_not(has_row(p, "one"));
	cr_assert_eq(self_of(p, "two"), 20);
	cr_assert_eq(self_of(p, "shared"), 10);
	cr_assert_eq(profile_stats_const(p)->samples, 30);
	cr_assert_str_eq(profile_threads(p, &nt)[0].name, "worker");
	cr_assert_eq(nt, 1);

	/* Incremental: the same object, grown by the new entries only, and a
	 * function the live profile learnt since. */
	sample_in(&fx, 2, "new", 40 * MS);
	sample_in(&fx, 1, "one", 40 * MS);
	sample_in(&fx, 2, "two", 41 * MS);
	q = update(&fx, DERIVE_CUMULATIVE, 0, 2, 41 * MS, &changed);
	cr_assert_eq(q, p);
	cr_assert_not(changed);
	cr_assert_eq(self_of(q, "two"), 21);
	cr_assert_eq(self_of(q, "new"), 1);
	cr_assert_eq(profile_stats_const(q)->samples, 32);

	struct profile *ref = reference(&fx, 0, 2);

	expect_same_counts(q, ref);
	profile_free(ref);

	/* Another thread: rebuilt. */
	p = update(&fx, DERIVE_CUMULATIVE, 0, 1, 41 * MS, &changed);
	cr_assert(changed);
	cr_assert_eq(self_of(p, "one"), 31);
	cr_assert_not(has_row(p, "two"));
	cr_assert_not(has_row(p, "new"));

	/* The window mode filters threads too. */
	p = update(&fx, DERIVE_WINDOW, 5 * MS, 2, 41 * MS, &changed);
	cr_assert_eq(self_of(p, "two"), 1);
	cr_assert_eq(self_of(p, "new"), 1);
	cr_assert_not(has_row(p, "one"));
	fx_fini(&fx);
}

Test(derive, decay_halves_old_counts_after_one_half_life)
{
	struct fixture fx;
	const struct profile *p, *q;
	bool changed;

	fx_init(&fx);
	for (int i = 0; i < 100; i++)
		sample_in(&fx, 1, "A", SEC / 2 + (uint64_t)i * MS);
	p = update(&fx, DERIVE_DECAY, SEC, 0, SEC, &changed);
	cr_assert(changed);
	cr_assert_eq(self_of(p, "A"), 100);

	for (int i = 0; i < 60; i++)
		sample_in(&fx, 1, "B", SEC + (uint64_t)i * MS);
	q = update(&fx, DERIVE_DECAY, SEC, 0, 2 * SEC, &changed);
	cr_assert_eq(q, p);
	cr_assert(changed);	/* rescaled in place */
	cr_assert_eq(self_of(q, "A"), 50);
	cr_assert_eq(self_of(q, "B"), 60);
	cr_assert_eq(profile_stats_const(q)->samples, 110);
	cr_assert_eq(profile_node(q, 0)->total, 110);

	/* Within a half-life nothing is rescaled: new entries are just added. */
	sample_in(&fx, 1, "B", 2 * SEC);
	q = update(&fx, DERIVE_DECAY, SEC, 0, 2 * SEC + SEC / 2, &changed);
	cr_assert_not(changed);
	cr_assert_eq(self_of(q, "A"), 50);
	cr_assert_eq(self_of(q, "B"), 61);

	/* Two half-lives since the last step at 2 s: a quarter (ties to even:
	 * 12.5 -> 12). */
	q = update(&fx, DERIVE_DECAY, SEC, 0, 4 * SEC, &changed);
	cr_assert(changed);
	cr_assert_eq(self_of(q, "A"), 12);
	cr_assert_eq(self_of(q, "B"), 15);	/* 15.25 */

	/* Old samples are eventually forgotten altogether. */
	for (uint64_t s = 5; s < 20; s++)
		q = update(&fx, DERIVE_DECAY, SEC, 0, s * SEC, NULL);
	cr_assert_not(has_row(q, "A"));
	cr_assert_not(has_row(q, "B"));
	cr_assert_eq(profile_stats_const(q)->samples, 0);
	sample_in(&fx, 1, "C", 20 * SEC);
	q = update(&fx, DERIVE_DECAY, SEC, 0, 20 * SEC, NULL);
	cr_assert_eq(self_of(q, "C"), 1);
	/* Far in the future: a fresh, empty profile. */
	q = update(&fx, DERIVE_DECAY, SEC, 0, 1000 * SEC, &changed);
	cr_assert(changed);
	cr_assert_eq(profile_stats_const(q)->samples, 0);
	cr_assert_eq(profile_nnodes(q), 1);
	fx_fini(&fx);
}

/* Entering the decaying mode replays the log weighted by age. */
Test(derive, decay_rebuild_weighs_the_log_by_age)
{
	struct fixture fx;
	const struct profile *p;
	uint64_t now = 100 * SEC;

	fx_init(&fx);
	sample_in(&fx, 1, "ancient", now - 20 * SEC);	/* past DERIVE_DECAY_STEPS */
	for (int i = 0; i < 16; i++) {
		sample_in(&fx, 1, "old", now - 2 * SEC - SEC / 2 + (uint64_t)i * MS);
		sample_in(&fx, 2, "mid", now - SEC - SEC / 2 + (uint64_t)i * MS);
		sample_in(&fx, 1, "new", now - SEC / 2 + (uint64_t)i * MS);
	}
	p = update(&fx, DERIVE_DECAY, SEC, 0, now, NULL);
	cr_assert_not(has_row(p, "ancient"));
	cr_assert_eq(self_of(p, "old"), 4);
	cr_assert_eq(self_of(p, "mid"), 8);
	cr_assert_eq(self_of(p, "new"), 16);
	cr_assert_eq(profile_node(p, 0)->total, 28);

	/* With a thread filter, and a changed half-life rebuilds. */
	p = update(&fx, DERIVE_DECAY, SEC, 1, now, NULL);
	cr_assert_not(has_row(p, "mid"));
	cr_assert_eq(self_of(p, "old"), 4);
	p = update(&fx, DERIVE_DECAY, 30 * SEC, 0, now, NULL);
	cr_assert_eq(self_of(p, "old"), 16);
	cr_assert_eq(self_of(p, "ancient"), 1);
	fx_fini(&fx);
}

/* A tree mostly decayed to nothing is compacted into a new object. */
Test(derive, decay_compacts_dead_nodes)
{
	struct fixture fx;
	const struct profile *p, *q;
	char name[32];
	bool changed;

	fx_init(&fx);
	for (int i = 0; i < 6000; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		sample_in(&fx, 1, name, (uint64_t)i);
	}
	p = update(&fx, DERIVE_DECAY, SEC, 0, 10 * MS, NULL);
	cr_assert_geq(profile_nnodes(p), 6000);
	for (int i = 0; i < 10; i++)
		sample_in(&fx, 1, "hot", SEC);
	q = update(&fx, DERIVE_DECAY, SEC, 0, SEC + 10 * MS, &changed);
	cr_assert(changed);
	cr_assert_eq(self_of(q, "hot"), 10);
	cr_assert_not(has_row(q, "f1"));
	cr_assert_lt(profile_nnodes(q), 10);	/* main, hot and the root */
	sample_in(&fx, 1, "hot", SEC + 20 * MS);
	q = update(&fx, DERIVE_DECAY, SEC, 0, SEC + 20 * MS, &changed);
	cr_assert_not(changed);
	cr_assert_eq(self_of(q, "hot"), 11);
	fx_fini(&fx);
}

/* Every derived view shows the live profile's function addresses, those
 * the live profile learns later included. */
Test(derive, every_view_keeps_function_addresses)
{
	static const enum derive_mode modes[] = { DERIVE_CUMULATIVE, DERIVE_WINDOW, DERIVE_DECAY };

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct fixture fx;
		const struct profile *p;

		fx_init(&fx);
		for (int i = 0; i < 20; i++)
			sample_in(&fx, 1 + (uint32_t)i % 2, i % 4 ? "A" : "B", (uint64_t)i * MS);
		profile_func_set_addr(fx.live, fx_fn(&fx, "main"), 0x1090);
		profile_func_set_addr(fx.live, fx_fn(&fx, "A"), 0x1260);
		p = update(&fx, modes[m], SEC, 2, 20 * MS, NULL);
		cr_assert_neq(p, fx.live);
		cr_assert_eq(profile_func_addr(p, fx_fn(&fx, "main")), 0x1090, "mode %zu", m);
		cr_assert_eq(profile_func_addr(p, fx_fn(&fx, "A")), 0x1260, "mode %zu", m);
		cr_assert_eq(profile_func_addr(p, fx_fn(&fx, "B")), PROFILE_NO_ADDR, "mode %zu", m);

		/* Brought up to date or rebuilt: a new function's address, and
		 * B's, learnt since. */
		sample_in(&fx, 2, "C", 21 * MS);
		profile_func_set_addr(fx.live, fx_fn(&fx, "C"), 0x2000);
		profile_func_set_addr(fx.live, fx_fn(&fx, "B"), 0x12c0);
		p = update(&fx, modes[m], SEC, 2, 21 * MS, NULL);
		cr_assert_eq(profile_func_addr(p, fx_fn(&fx, "C")), 0x2000, "mode %zu", m);
		cr_assert_eq(profile_func_addr(p, fx_fn(&fx, "B")), 0x12c0, "mode %zu", m);
		fx_fini(&fx);
	}
}

Test(derive, loss_counters_come_from_live)
{
	struct fixture fx;
	const struct profile *p;

	fx_init(&fx);
	sample_in(&fx, 1, "a", 1);
	sample_in(&fx, 2, "a", 2);
	profile_stats(fx.live)->lost_kernel = 5;
	profile_stats(fx.live)->dropped_ring = 6;
	profile_stats(fx.live)->throttled = 7;
	profile_stats(fx.live)->unwind_failed = 8;
	p = update(&fx, DERIVE_CUMULATIVE, 0, 2, 2, NULL);
	cr_assert_eq(profile_stats_const(p)->samples, 1);
	cr_assert_eq(profile_stats_const(p)->lost_kernel, 5);
	cr_assert_eq(profile_stats_const(p)->dropped_ring, 6);
	profile_stats(fx.live)->lost_kernel = 9;
	p = update(&fx, DERIVE_CUMULATIVE, 0, 2, 2, NULL);
	cr_assert_eq(profile_stats_const(p)->lost_kernel, 9);
	cr_assert_eq(profile_stats_const(p)->throttled, 7);
	cr_assert_eq(profile_stats_const(p)->unwind_failed, 8);
	fx_fini(&fx);
}

/* R: a new live profile and a cleared log; derive_reset drops the old ids. */
Test(derive, reset_after_the_live_profile_is_replaced)
{
	struct fixture fx;
	const struct profile *p;
	bool changed;

	fx_init(&fx);
	for (int i = 0; i < 5; i++)
		sample_in(&fx, 1, "before", (uint64_t)i);
	p = update(&fx, DERIVE_CUMULATIVE, 0, 1, 5, NULL);
	cr_assert_eq(self_of(p, "before"), 5);

	profile_free(fx.live);
	fx.live = profile_new();
	cr_assert_not_null(fx.live);
	samplelog_clear(fx.log);
	derive_reset(fx.d);
	fx_fn(&fx, "other");	/* so that the ids differ from before */
	sample_in(&fx, 1, "after", 10);
	p = update(&fx, DERIVE_CUMULATIVE, 0, 1, 10, &changed);
	cr_assert(changed);
	cr_assert_not(has_row(p, "before"));
	cr_assert_eq(self_of(p, "after"), 1);
	cr_assert_eq(profile_stats_const(p)->samples, 1);
	fx_fini(&fx);
}

Test(derive, deep_paths_10000_frames)
{
	struct fixture fx;
	size_t depth = 10000;
	uint32_t *funcs = malloc(depth * sizeof(*funcs));
	const struct profile *p;

	fx_init(&fx);
	cr_assert_not_null(funcs);
	for (size_t i = 0; i < depth; i++)
		funcs[i] = fx_fn(&fx, i ? (i % 2 ? "rec" : "other") : "leaf");
	sample(&fx, 1, funcs, depth, SEC);
	sample(&fx, 1, funcs, depth, SEC + 1);
	sample(&fx, 1, funcs + 5000, depth - 5000, SEC + 2);
	p = update(&fx, DERIVE_WINDOW, SEC, 0, SEC + 2, NULL);
	cr_assert_eq(profile_nnodes(p), depth + 1);
	cr_assert_eq(self_of(p, "leaf"), 2);
	cr_assert_eq(profile_node(p, 1)->total, 3);
	p = update(&fx, DERIVE_DECAY, SEC, 1, SEC + 2, NULL);
	cr_assert_eq(self_of(p, "leaf"), 2);
	free(funcs);
	fx_fini(&fx);
}

/* Drops the leaf frame: a transform anyone can check by hand. */
static size_t drop_leaf(void *ctx, const struct profile *live, const uint32_t *in, size_t n,
			uint32_t *out)
{
	(void)live;
	(*(int *)ctx)++;
	for (size_t i = 1; i < n; i++)
		out[i - 1] = in[i];
	return n ? n - 1 : 0;
}

Test(derive, transform_applies_to_every_sample_and_weight)
{
	struct fixture fx;
	const struct profile *p;
	struct prof_row *rows;
	int calls = 0;
	long n;

	fx_init(&fx);
	sample_in(&fx, 1, "f", 1);
	sample_in(&fx, 1, "g", 2);
	/* A heavy sample (an off-CPU wait) is several log entries. */
	{
		uint32_t stack[2] = { fx_fn(&fx, "g"), fx_fn(&fx, "main") };

		cr_assert_eq(profile_add_sample(fx.live, 1, stack, 2, 2000, 3), 0);
		samplelog_add_weighted(fx.log, 3, 1, profile_last_leaf(fx.live), 2000);
	}
	derive_set_xform(fx.d, drop_leaf, &calls);
	p = update(&fx, DERIVE_CUMULATIVE, 0, 0, 10, NULL);
	cr_assert_neq(p, fx.live, "a transform derives even the cumulative view");
	cr_assert_eq(profile_stats_const(p)->samples, 2002);
	n = profile_hot(p, PROF_SORT_SELF, &rows);
	cr_assert_eq(n, 1, "only main is left");
	cr_assert_eq(rows[0].func, fx_fn(&fx, "main"));
	cr_assert_eq(rows[0].self, 2002);
	cr_assert_geq(calls, 3);
	free(rows);
	/* Without it, the live profile itself again. */
	derive_set_xform(fx.d, NULL, NULL);
	cr_assert_eq(update(&fx, DERIVE_CUMULATIVE, 0, 0, 10, NULL), fx.live);
	fx_fini(&fx);
}

/* Two phases, a then b, and the range picks each one out. */
Test(derive, range_shows_only_the_samples_in_it)
{
	struct fixture fx;
	const struct profile *p, *q;
	bool changed;

	fx_init(&fx);
	for (int i = 0; i < 100; i++) {
		sample_in(&fx, 1, i < 60 ? "phase_a" : "phase_b", (uint64_t)i * 10 * MS);
		sample_in(&fx, 2, "other", (uint64_t)i * 10 * MS);
	}
	/* [0, 0.6 s): phase a only, whatever the mode. */
	derive_set_range(fx.d, 0, 600 * MS);
	p = update(&fx, DERIVE_WINDOW, 1 * MS, 0, SEC, &changed);
	cr_assert(changed);
	cr_assert_eq(self_of(p, "phase_a"), 60);
	cr_assert_not(has_row(p, "phase_b"));
	cr_assert_eq(self_of(p, "other"), 60);
	cr_assert_eq(profile_stats_const(p)->samples, 120);

	/* [0.6 s, 1 s), one thread: phase b alone. */
	derive_set_range(fx.d, 600 * MS, SEC);
	p = update(&fx, DERIVE_CUMULATIVE, 0, 1, SEC, &changed);
	cr_assert(changed);
	cr_assert_eq(self_of(p, "phase_b"), 40);
	cr_assert_not(has_row(p, "phase_a"));
	cr_assert_not(has_row(p, "other"));

	/* New samples: those in the range are added to the same object,
	 * those after it are not. */
	sample_in(&fx, 1, "phase_b", 995 * MS);
	sample_in(&fx, 1, "late", 2 * SEC);
	q = update(&fx, DERIVE_CUMULATIVE, 0, 1, 2 * SEC, &changed);
	cr_assert_eq(q, p);
	cr_assert_not(changed);
	cr_assert_eq(self_of(q, "phase_b"), 41);
	cr_assert_not(has_row(q, "late"));

	/* Cleared: the mode again (cumulative, all threads: live itself). */
	derive_set_range(fx.d, 5, 5);
	p = update(&fx, DERIVE_CUMULATIVE, 0, 0, 2 * SEC, &changed);
	cr_assert(changed);
	cr_assert_eq(p, fx.live);
	fx_fini(&fx);
}

/* A range over entries the log no longer has shows only what is left. */
Test(derive, range_over_dropped_entries_shows_what_is_kept)
{
	struct fixture fx = { .live = profile_new(), .log = samplelog_new(16), .d = derive_new() };
	const struct profile *p;

	cr_assert(fx.live && fx.log && fx.d);
	for (int i = 0; i < 40; i++)
		sample_in(&fx, 1, "f", (uint64_t)i * MS);
	derive_set_range(fx.d, 0, 30 * MS);
	p = update(&fx, DERIVE_CUMULATIVE, 0, 0, 40 * MS, NULL);
	/* The log keeps entries 24..39: of [0, 30 ms), 24..29. */
	cr_assert_eq(self_of(p, "f"), 6);
	fx_fini(&fx);
}
