/* test_samplelog.c — the sample log: sizes, ring wrap and drops, sequence numbers, visit filters, clear. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdlib.h>

#include "proftui/samplelog.h"

/* What a visit saw, in order. */
struct seen {
	uint64_t seq[64];
	struct samplelog_entry e[64];
	size_t n, stop_at;	/* stop_at: stop after this many (0: never) */
};

static int record(void *vctx, const struct samplelog_entry *e, uint64_t seq)
{
	struct seen *s = vctx;

	cr_assert_lt(s->n, 64);
	s->seq[s->n] = seq;
	s->e[s->n++] = *e;
	return s->stop_at && s->n == s->stop_at;
}

static struct samplelog *new_log(size_t cap)
{
	struct samplelog *l = samplelog_new(cap);

	cr_assert_not_null(l);
	return l;
}

Test(samplelog, refuses_bad_sizes)
{
	size_t bad[] = { 0, 3, 6, 1000, SAMPLELOG_MAX_CAP * 2, SAMPLELOG_MAX_CAP + 1, SIZE_MAX };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		cr_assert_null(samplelog_new(bad[i]), "cap %zu", bad[i]);
		cr_assert_eq(errno, EINVAL);
	}

	struct samplelog *l = new_log(1);

	cr_assert_eq(samplelog_capacity(l), 1);
	samplelog_free(l);
	samplelog_free(NULL);
}

Test(samplelog, fills_in_order)
{
	struct samplelog *l = new_log(8);
	struct seen s = { 0 };

	cr_assert_eq(samplelog_count(l), 0);
	cr_assert_eq(samplelog_next_seq(l), 0);
	cr_assert_eq(samplelog_oldest_seq(l), 0);
	cr_assert_eq(samplelog_visit(l, 0, 0, 0, record, &s), 0);
	for (uint32_t i = 0; i < 5; i++)
		samplelog_add(l, 100 + i, 7, 40 + i);
	cr_assert_eq(samplelog_count(l), 5);
	cr_assert_eq(samplelog_next_seq(l), 5);
	cr_assert_eq(samplelog_dropped(l), 0);
	cr_assert_eq(samplelog_visit(l, 0, 0, 0, record, &s), 5);
	for (uint32_t i = 0; i < 5; i++) {
		cr_assert_eq(s.seq[i], i);
		cr_assert_eq(s.e[i].time_ns, 100 + i);
		cr_assert_eq(s.e[i].tid, 7);
		cr_assert_eq(s.e[i].leaf, 40 + i);
	}
	samplelog_free(l);
}

Test(samplelog, wraps_overwriting_and_counting_the_oldest)
{
	struct samplelog *l = new_log(8);
	struct seen s = { 0 };

	for (uint32_t i = 0; i < 20; i++)
		samplelog_add(l, 1000 + i, i % 3 + 1, i);
	cr_assert_eq(samplelog_count(l), 8);
	cr_assert_eq(samplelog_dropped(l), 12);
	cr_assert_eq(samplelog_next_seq(l), 20);
	cr_assert_eq(samplelog_oldest_seq(l), 12);
	cr_assert_eq(samplelog_visit(l, 0, 0, 0, record, &s), 8);
	for (uint32_t i = 0; i < 8; i++) {
		cr_assert_eq(s.seq[i], 12 + i);
		cr_assert_eq(s.e[i].leaf, 12 + i);
		cr_assert_eq(s.e[i].time_ns, 1012 + i);
		cr_assert_eq(s.e[i].tid, (12 + i) % 3 + 1);
	}
	samplelog_free(l);
}

Test(samplelog, visit_filters_by_seq_time_and_thread)
{
	struct samplelog *l = new_log(16);
	/* Not quite in time order, like merged CPU rings. */
	uint64_t times[10] = { 10, 30, 20, 40, 35, 50, 45, 60, 70, 65 };
	struct seen s = { 0 };

	for (uint32_t i = 0; i < 10; i++)
		samplelog_add(l, times[i], i % 2 ? 2 : 1, i);

	cr_assert_eq(samplelog_visit(l, 6, 0, 0, record, &s), 4);
	cr_assert_eq(s.seq[0], 6);
	cr_assert_eq(s.seq[3], 9);

	s.n = 0;
	cr_assert_eq(samplelog_visit(l, 0, 40, 0, record, &s), 6);
	for (size_t i = 0; i < s.n; i++)
		cr_assert_geq(s.e[i].time_ns, 40);
	cr_assert_eq(s.seq[0], 3);	/* 40 */
	cr_assert_eq(s.seq[1], 5);	/* 50: 35 at seq 4 was skipped */

	s.n = 0;
	cr_assert_eq(samplelog_visit(l, 0, 0, 2, record, &s), 5);
	for (size_t i = 0; i < s.n; i++)
		cr_assert_eq(s.e[i].tid, 2);

	s.n = 0;	/* all three at once */
	cr_assert_eq(samplelog_visit(l, 4, 45, 1, record, &s), 2);
	cr_assert_eq(s.seq[0], 6);
	cr_assert_eq(s.seq[1], 8);

	s.n = 0;
	cr_assert_eq(samplelog_visit(l, 10, 0, 0, record, &s), 0);
	cr_assert_eq(samplelog_visit(l, UINT64_MAX, 0, 0, record, &s), 0);
	cr_assert_eq(samplelog_visit(l, 0, UINT64_MAX, 0, record, &s), 0);
	cr_assert_eq(samplelog_visit(l, 0, 0, 3, record, &s), 0);
	samplelog_free(l);
}

Test(samplelog, visit_from_a_dropped_seq_starts_at_the_oldest)
{
	struct samplelog *l = new_log(4);
	struct seen s = { 0 };

	for (uint32_t i = 0; i < 10; i++)
		samplelog_add(l, i, 1, i);
	cr_assert_eq(samplelog_visit(l, 2, 0, 0, record, &s), 4);
	cr_assert_eq(s.seq[0], 6);
	cr_assert_eq(s.e[0].leaf, 6);
	samplelog_free(l);
}

Test(samplelog, visit_stops_when_asked)
{
	struct samplelog *l = new_log(8);
	struct seen s = { .stop_at = 2 };

	for (uint32_t i = 0; i < 6; i++)
		samplelog_add(l, i, 1, i);
	cr_assert_eq(samplelog_visit(l, 0, 0, 0, record, &s), 2);
	cr_assert_eq(s.n, 2);
	samplelog_free(l);
}

Test(samplelog, clear_forgets_entries_but_not_the_counters)
{
	struct samplelog *l = new_log(4);
	struct seen s = { 0 };

	for (uint32_t i = 0; i < 6; i++)
		samplelog_add(l, i, 1, i);
	samplelog_clear(l);
	cr_assert_eq(samplelog_count(l), 0);
	cr_assert_eq(samplelog_next_seq(l), 6);
	cr_assert_eq(samplelog_oldest_seq(l), 6);
	cr_assert_eq(samplelog_dropped(l), 2);
	cr_assert_eq(samplelog_visit(l, 0, 0, 0, record, &s), 0);

	samplelog_add(l, 100, 1, 77);
	cr_assert_eq(samplelog_count(l), 1);
	cr_assert_eq(samplelog_visit(l, 0, 0, 0, record, &s), 1);
	cr_assert_eq(s.seq[0], 6);
	cr_assert_eq(s.e[0].leaf, 77);
	/* Filling up again drops only what was retained since the clear. */
	for (uint32_t i = 0; i < 4; i++)
		samplelog_add(l, 101 + i, 1, i);
	cr_assert_eq(samplelog_count(l), 4);
	cr_assert_eq(samplelog_dropped(l), 3);
	cr_assert_eq(samplelog_oldest_seq(l), 7);
	samplelog_free(l);
}

/* A big ring, wrapped many times: count, drops and the retained tail stay exact. */
Test(samplelog, many_wraps)
{
	struct samplelog *l = new_log(1 << 10);
	struct seen s = { .stop_at = 1 };
	uint32_t total = 100000;

	for (uint32_t i = 0; i < total; i++)
		samplelog_add(l, i, 1, i);
	cr_assert_eq(samplelog_count(l), 1 << 10);
	cr_assert_eq(samplelog_dropped(l), total - (1 << 10));
	cr_assert_eq(samplelog_visit(l, 0, 0, 0, record, &s), 1);
	cr_assert_eq(s.e[0].leaf, total - (1 << 10));
	s = (struct seen){ 0 };
	cr_assert_eq(samplelog_visit(l, 0, total - 3, 0, record, &s), 3);
	cr_assert_eq(s.e[2].leaf, total - 1);
	samplelog_free(l);
}

Test(samplelog, heavy_samples_take_several_entries)
{
	struct samplelog *l = new_log(64);
	struct seen s = { 0 };
	uint64_t sum = 0;

	samplelog_add_weighted(l, 10, 4194303, 5, 1);      /* the largest tid */
	samplelog_add_weighted(l, 11, 2, 6, 0);            /* nothing */
	samplelog_add_weighted(l, 12, 3, 7, SAMPLELOG_MAX_WEIGHT);
	samplelog_add_weighted(l, 13, 4, 8, 5000);         /* 4 x 1023 + 908 */
	cr_assert_eq(samplelog_count(l), 1 + 1 + 5);
	samplelog_visit(l, 0, 0, 0, record, &s);
	for (size_t i = 0; i < s.n; i++)
		sum += s.e[i].weight;
	cr_assert_eq(sum, 1 + SAMPLELOG_MAX_WEIGHT + 5000);
	cr_assert_eq(s.e[0].tid, 4194303);
	cr_assert_eq(s.e[6].weight, 5000 - 4 * SAMPLELOG_MAX_WEIGHT);
	cr_assert_eq(s.e[6].leaf, 8);
	samplelog_free(l);
}
