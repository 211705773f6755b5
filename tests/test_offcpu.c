/* test_offcpu.c — each function's split of time by state, from the state leaves. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "proftui/offcpu.h"

Test(offcpu, split_by_state_per_function)
{
	struct profile *p = profile_new();
	uint32_t main_ = profile_func(p, "main", "app"), io = profile_func(p, "do_io", "app");
	uint32_t rec = profile_func(p, "recurse", "app");
	uint32_t wait = profile_func(p, offcpu_leaf_name(CPU_IOWAIT), OFFCPU_MODULE);
	uint32_t sleep = profile_func(p, offcpu_leaf_name(CPU_SLEEP), OFFCPU_MODULE);
	uint32_t s1[] = { io, main_ }, s2[] = { wait, io, main_ };
	uint32_t s3[] = { sleep, rec, rec, main_ };
	struct offcpu_split *sp;
	bool any;

	cr_assert_eq(profile_add_sample(p, 1, s1, 2, 10, 0), 0);   /* 10 on the CPU */
	cr_assert_eq(profile_add_sample(p, 1, s2, 3, 30, 0), 0);   /* 30 IO wait */
	cr_assert_eq(profile_add_sample(p, 1, s3, 4, 5, 0), 0);    /* 5 asleep, recursing */
	struct prof_row *rows;
	long nrows = profile_hot(p, PROF_SORT_TOTAL, &rows);

	cr_assert_gt(nrows, 0);
	cr_assert_eq(offcpu_split(p, rows, (size_t)nrows, &sp, &any), 0);
	free(rows);
	cr_assert(any);
	cr_assert_eq(sp[io].v[CPU_ON], 10);
	cr_assert_eq(sp[io].v[CPU_IOWAIT], 30);
	cr_assert_eq(sp[main_].v[CPU_IOWAIT], 30);
	cr_assert_eq(sp[main_].v[CPU_SLEEP], 5);
	cr_assert_eq(sp[main_].v[CPU_ON], 10);
	cr_assert_eq(sp[rec].v[CPU_SLEEP], 5, "recursion counts once per sample");
	cr_assert_eq(sp[wait].v[CPU_IOWAIT], 30);
	cr_assert_eq(offcpu_state_of(p, wait), CPU_IOWAIT);
	cr_assert_eq(offcpu_state_of(p, io), CPU_ON);
	free(sp);
	profile_free(p);
}

Test(offcpu, no_off_cpu_weight)
{
	struct profile *p = profile_new();
	uint32_t f = profile_func(p, "f", "m");
	struct offcpu_split *sp;
	bool any = true;

	cr_assert_eq(profile_add_sample(p, 1, &f, 1, 3, 0), 0);
	cr_assert_eq(offcpu_split(p, NULL, 0, &sp, &any), 0);
	cr_assert(!any);
	cr_assert_null(sp, "no split without off-CPU time");
	profile_free(p);
}
