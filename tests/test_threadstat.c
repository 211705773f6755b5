/* test_threadstat.c — per-thread state, CPU % and switch rates between two readings. */
#include <criterion/criterion.h>

#include "proftui/threadstat.h"

#define SEC 1000000000ull

Test(threadstat, rates_over_the_last_interval)
{
	struct threadstat *ts = threadstat_new();
	struct procstat_thread r1[] = {
		{ .tid = 20, .state = PROCSTAT_RUN, .cpu_ns = 1 * SEC, .vol_cs = 10, .invol_cs = 5 },
		{ .tid = 10, .state = PROCSTAT_SLEEP, .cpu_ns = 0, .vol_cs = 100 },
	};
	struct procstat_thread r2[] = {
		{ .tid = 10, .state = PROCSTAT_DISK, .cpu_ns = SEC / 4, .vol_cs = 300 },
		{ .tid = 20, .state = PROCSTAT_RUN, .cpu_ns = 3 * SEC, .vol_cs = 10, .invol_cs = 25 },
		{ .tid = 30, .state = PROCSTAT_RUN, .cpu_ns = SEC },
	};
	struct threadstat_row row;

	cr_assert(ts);
	threadstat_add(ts, 100 * SEC, r1, 2);
	cr_assert(threadstat_get(ts, 20, &row));
	cr_assert(!row.rates, "one reading: no rates yet");
	threadstat_add(ts, 102 * SEC, r2, 3);
	cr_assert(threadstat_get(ts, 20, &row));
	cr_assert(row.rates);
	cr_assert_float_eq(row.cpu_pct, 100.0, 1e-9);  /* 2 s of CPU in 2 s */
	cr_assert_float_eq(row.ivcs_s, 10.0, 1e-9);
	cr_assert(threadstat_get(ts, 10, &row));
	cr_assert_eq(row.state, PROCSTAT_DISK);
	cr_assert_float_eq(row.cpu_pct, 12.5, 1e-9);
	cr_assert_float_eq(row.vcs_s, 100.0, 1e-9);
	cr_assert(threadstat_get(ts, 30, &row));
	cr_assert(!row.rates, "new thread: no rates yet");
	/* Thread 10 ends. */
	threadstat_add(ts, 103 * SEC, r2 + 1, 2);
	cr_assert(!threadstat_get(ts, 10, &row));
	cr_assert_eq(threadstat_letter(PROCSTAT_DISK), 'D');
	cr_assert_eq(threadstat_letter((enum procstat_state)99), '?');
	threadstat_free(ts);
}
