/* test_tstrip.c — the time strip's model: slices, states, threads, doubling width, bounds. */
#include <criterion/criterion.h>

#include <errno.h>

#include "proftui/tstrip.h"

#define MS 1000000ULL
#define SEC 1000000000ULL
#define T0 (5 * SEC)

static uint64_t sum_of(const struct tstrip *s, size_t first, size_t n, uint32_t tid, int state)
{
	uint64_t v[CPU__COUNT];

	tstrip_sum(s, first, n, tid, v);
	return v[state];
}

Test(tstrip, counts_each_sample_in_its_slice_and_state)
{
	struct tstrip *s = tstrip_new(T0, 100 * MS);

	cr_assert_not_null(s);
	cr_assert_eq(tstrip_used(s), 0);
	cr_assert_not(tstrip_off_cpu(s));
	tstrip_add(s, T0 + 10 * MS, 7, CPU_ON, 1);
	tstrip_add(s, T0 + 99 * MS, 7, CPU_ON, 2);
	tstrip_add(s, T0 + 100 * MS, 8, CPU_IOWAIT, 5);
	tstrip_add(s, T0 + 450 * MS, 7, CPU_SLEEP, 3);
	tstrip_add(s, T0 - SEC, 7, CPU_ON, 1);	/* before the origin: slice 0 */
	tstrip_add(s, T0 + 450 * MS, 7, CPU_ON, 0);	/* weight 0: nothing */
	cr_assert_eq(tstrip_used(s), 5);
	cr_assert(tstrip_off_cpu(s));
	cr_assert_eq(sum_of(s, 0, 1, 0, CPU_ON), 4);
	cr_assert_eq(sum_of(s, 1, 1, 0, CPU_IOWAIT), 5);
	cr_assert_eq(sum_of(s, 1, 1, 0, CPU_ON), 0);
	cr_assert_eq(sum_of(s, 4, 1, 0, CPU_SLEEP), 3);
	cr_assert_eq(sum_of(s, 0, TSTRIP_SLICES, 0, CPU_ON), 4);
	/* Per thread. */
	cr_assert(tstrip_has_thread(s, 7));
	cr_assert(tstrip_has_thread(s, 8));
	cr_assert_not(tstrip_has_thread(s, 9));
	cr_assert_eq(sum_of(s, 0, 5, 7, CPU_ON), 4);
	cr_assert_eq(sum_of(s, 0, 5, 7, CPU_IOWAIT), 0);
	cr_assert_eq(sum_of(s, 0, 5, 8, CPU_IOWAIT), 5);
	cr_assert_eq(sum_of(s, 0, 5, 9, CPU_ON), 0);
	/* Out of range: nothing, no crash. */
	cr_assert_eq(sum_of(s, TSTRIP_SLICES, 5, 0, CPU_ON), 0);
	cr_assert_eq(sum_of(s, TSTRIP_SLICES - 1, SIZE_MAX, 0, CPU_ON), 0);
	cr_assert_eq(tstrip_slice_of(s, T0 + 250 * MS), 2);
	tstrip_free(s);
	tstrip_free(NULL);
}

/* Past the last slice the width doubles and pairs merge: totals stay. */
Test(tstrip, width_doubles_and_keeps_every_count)
{
	struct tstrip *s = tstrip_new(T0, 100 * MS);
	uint64_t n = 0;

	cr_assert_not_null(s);
	/* One sample every 50 ms for 3 x 51.2 s: two doublings. */
	for (uint64_t t = 0; t < 3 * TSTRIP_SLICES * 100 * MS; t += 50 * MS, n++)
		tstrip_add(s, T0 + t, 3, CPU_ON, 1);
	cr_assert_eq(tstrip_slice_ns(s), 400 * MS);
	cr_assert_eq(sum_of(s, 0, TSTRIP_SLICES, 0, CPU_ON), n);
	cr_assert_eq(sum_of(s, 0, TSTRIP_SLICES, 3, CPU_ON), n);
	/* 8 samples in each 400 ms slice. */
	cr_assert_eq(sum_of(s, 0, 1, 0, CPU_ON), 8);
	cr_assert_eq(sum_of(s, 100, 1, 0, CPU_ON), 8);
	cr_assert_eq(tstrip_used(s), 384);
	cr_assert_lt(tstrip_used(s), TSTRIP_SLICES);
	/* Far in the future: bounded doubling, then the last slice. */
	tstrip_add(s, UINT64_MAX, 3, CPU_ON, 1);
	cr_assert_leq(tstrip_slice_ns(s), TSTRIP_MAX_SLICE_NS);
	cr_assert_eq(sum_of(s, 0, TSTRIP_SLICES, 0, CPU_ON), n + 1);
	tstrip_reset(s, T0 + SEC);
	cr_assert_eq(tstrip_used(s), 0);
	cr_assert_eq(tstrip_slice_ns(s), 100 * MS);
	cr_assert_eq(tstrip_origin(s), T0 + SEC);
	cr_assert_not(tstrip_has_thread(s, 3));
	cr_assert_eq(sum_of(s, 0, TSTRIP_SLICES, 0, CPU_ON), 0);
	tstrip_free(s);
}

/* Threads past the cap count in the process row only. */
Test(tstrip, threads_past_the_cap_count_in_the_whole_process)
{
	struct tstrip *s = tstrip_new(0, 0);

	cr_assert_not_null(s);
	cr_assert_eq(tstrip_slice_ns(s), 1);
	for (uint32_t tid = 1; tid <= TSTRIP_MAX_THREADS + 10; tid++)
		tstrip_add(s, 0, tid, CPU_ON, 1);
	cr_assert(tstrip_has_thread(s, 1));
	cr_assert(tstrip_has_thread(s, TSTRIP_MAX_THREADS));
	cr_assert_not(tstrip_has_thread(s, TSTRIP_MAX_THREADS + 1));
	cr_assert_not(tstrip_has_thread(s, 0));
	cr_assert_eq(sum_of(s, 0, 1, 0, CPU_ON), TSTRIP_MAX_THREADS + 10);
	tstrip_free(s);
}

Test(tstrip, set_fills_a_loaded_strip)
{
	struct tstrip *s = tstrip_new(0, 250 * MS);
	uint64_t v[CPU__COUNT] = { 3, 0, 2, 0 }, zero[CPU__COUNT] = { 0 };

	cr_assert_not_null(s);
	cr_assert_eq(tstrip_set(s, 9, v), 0);
	cr_assert_eq(tstrip_set(s, 20, zero), 0);
	cr_assert_eq(tstrip_set(s, TSTRIP_SLICES, v), -EINVAL);
	cr_assert_eq(tstrip_used(s), 10);
	cr_assert(tstrip_off_cpu(s));
	cr_assert_eq(sum_of(s, 9, 1, 0, CPU_IOWAIT), 2);
	cr_assert_eq(tstrip_slice_ns(s), 250 * MS);
	tstrip_free(s);
}
