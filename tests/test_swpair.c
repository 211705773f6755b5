/* test_swpair.c — switch-out samples paired with switch-ins, in any arrival order, weighed in periods. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "proftui/swpair.h"

#define PERIOD 1000000ull   /* 1 ms */

static struct rec_sample *sample(uint32_t tid, uint64_t t, enum cpu_state cs)
{
	static struct rec_sample r;

	memset(&r, 0, sizeof(r));
	r.h.type = REC_SAMPLE;
	r.h.size = sizeof(r);
	r.tid = tid;
	r.time_ns = t;
	r.weight = 1;
	r.cpu_state = (uint8_t)cs;
	return &r;
}

Test(swpair, sample_then_out_then_in)
{
	struct swpair *sp = swpair_new(getpid(), PERIOD);
	struct swpair_ready rd;

	cr_assert(sp);
	swpair_sample(sp, sample(7, 1000 * PERIOD, CPU_IOWAIT), sizeof(struct rec_sample));
	cr_assert(!swpair_out(sp, 7, 1000 * PERIOD, false, &rd));
	cr_assert(swpair_in(sp, 7, 1005 * PERIOD, &rd));
	cr_assert_eq(rd.rec->weight, 5);
	cr_assert_eq(rd.rec->cpu_state, CPU_IOWAIT, "the tracepoint's state is kept");
	cr_assert_eq(rd.rec->tid, 7);
	swpair_free(sp);
}

Test(swpair, switch_in_seen_first_from_another_cpu)
{
	struct swpair *sp = swpair_new(getpid(), PERIOD);
	struct swpair_ready rd;

	cr_assert(!swpair_in(sp, 9, 2003 * PERIOD, &rd));
	swpair_sample(sp, sample(9, 2000 * PERIOD, CPU_ON), sizeof(struct rec_sample));
	cr_assert(swpair_out(sp, 9, 2000 * PERIOD, true, &rd));
	cr_assert_eq(rd.rec->weight, 3);
	cr_assert_eq(rd.rec->cpu_state, CPU_RUNNABLE, "preempted: waiting for a CPU");
	swpair_free(sp);
}

Test(swpair, short_waits_carry_over)
{
	struct swpair *sp = swpair_new(getpid(), PERIOD);
	struct swpair_ready rd;
	uint64_t t = 5000 * PERIOD, total = 0;

	/* Ten waits of 0.4 ms: 4 ms in all, reported as they add up. */
	for (int i = 0; i < 10; i++, t += PERIOD) {
		swpair_sample(sp, sample(3, t, CPU_SLEEP), sizeof(struct rec_sample));
		swpair_out(sp, 3, t, false, &rd);
		if (swpair_in(sp, 3, t + 4 * PERIOD / 10, &rd))
			total += rd.rec->weight;
	}
	cr_assert_eq(total, 4);
	swpair_free(sp);
}

Test(swpair, flush_ends_waits_at_the_end_of_the_session)
{
	struct swpair *sp = swpair_new(getpid(), PERIOD);
	struct swpair_ready rd;
	uint64_t total = 0;
	int n = 0;

	for (uint32_t tid = 1; tid <= 100; tid++) {
		swpair_sample(sp, sample(tid, 100 * PERIOD, CPU_SLEEP), sizeof(struct rec_sample));
		swpair_out(sp, tid, 100 * PERIOD, false, &rd);
	}
	while (swpair_flush(sp, 110 * PERIOD, &rd)) {
		total += rd.rec->weight;
		n++;
	}
	cr_assert_eq(n, 100);
	cr_assert_eq(total, 1000);
	cr_assert(!swpair_flush(sp, 120 * PERIOD, &rd), "nothing is flushed twice");
	swpair_free(sp);
}

Test(swpair, a_switch_in_before_the_switch_out_does_not_end_it)
{
	struct swpair *sp = swpair_new(getpid(), PERIOD);
	struct swpair_ready rd;
	uint64_t sw, dropped;

	swpair_sample(sp, sample(4, 10 * PERIOD, CPU_SLEEP), sizeof(struct rec_sample));
	cr_assert(!swpair_in(sp, 4, 9 * PERIOD, &rd), "an older switch-in ends nothing");
	cr_assert(!swpair_out(sp, 4, 10 * PERIOD, false, &rd));
	cr_assert(swpair_in(sp, 4, 12 * PERIOD, &rd));
	cr_assert_eq(rd.rec->weight, 2);
	/* A new switch-out replacing one never ended is counted as dropped. */
	swpair_sample(sp, sample(4, 20 * PERIOD, CPU_SLEEP), sizeof(struct rec_sample));
	swpair_sample(sp, sample(4, 30 * PERIOD, CPU_SLEEP), sizeof(struct rec_sample));
	swpair_counts(sp, &sw, &dropped);
	cr_assert_eq(sw, 3);
	cr_assert_eq(dropped, 1);
	swpair_free(sp);
}
