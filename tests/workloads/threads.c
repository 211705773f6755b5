/* threads.c — two named worker threads doing equal work: thread_a_work 50 %, thread_b_work 50 %. */
/*
 * usage: threads [SECONDS=3]
 *
 * Expected profile: thread_a_work ~50 % and thread_b_work ~50 % self, the
 * main thread idle in pthread_join (no samples).  Threads are named
 * "worker-a" and "worker-b"; at least 2 threads are seen.
 *
 * The workers run in lockstep: each round both do the same number of units,
 * then meet at a barrier, so their CPU times are equal by construction even
 * when the scheduler favours one of them.  A second barrier publishes the
 * stop decision so both leave on the same round.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdbool.h>

#include "wl.h"

#define USAGE "[SECONDS=3]"

void *thread_a_work(void *arg);
void *thread_b_work(void *arg);

static volatile unsigned units_a = 200;
static volatile unsigned units_b = 200;
static volatile uint64_t sink;
static pthread_barrier_t round_end, stop_known;
static double deadline;
static bool stop;

/* Both workers call this after their round's work; true when they must stop. */
static bool round_done(void)
{
	if (pthread_barrier_wait(&round_end) == PTHREAD_BARRIER_SERIAL_THREAD)
		stop = wl_now() >= deadline;
	/* The barrier orders the write above before both reads below. */
	pthread_barrier_wait(&stop_known);
	return stop;
}

__attribute__((noinline)) void *thread_a_work(void *arg)
{
	uint64_t x = (uintptr_t)arg;

	/* Named by the thread itself so the name is there before its first sample. */
	pthread_setname_np(pthread_self(), "worker-a");
	do {
		unsigned n = units_a;

		for (unsigned i = 0; i < n; i++)
			WL_UNIT(x);
		sink = x;
	} while (!round_done());
	return NULL;
}

__attribute__((noinline)) void *thread_b_work(void *arg)
{
	uint64_t x = (uintptr_t)arg;

	/* Named by the thread itself so the name is there before its first sample. */
	pthread_setname_np(pthread_self(), "worker-b");
	do {
		unsigned n = units_b;

		for (unsigned i = 0; i < n; i++)
			WL_UNIT(x);
		sink = x;
	} while (!round_done());
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	pthread_t a, b;
	int err;

	if (argc > 2)
		wl_usage(argv[0], USAGE, "too many arguments");
	deadline = wl_now() + seconds;
	err = pthread_barrier_init(&round_end, NULL, 2);
	if (!err)
		err = pthread_barrier_init(&stop_known, NULL, 2);
	if (err)
		wl_die(argv[0], "pthread_barrier_init", err);
	err = pthread_create(&a, NULL, thread_a_work, (void *)1);
	if (err)
		wl_die(argv[0], "pthread_create", err);
	err = pthread_create(&b, NULL, thread_b_work, (void *)2);
	if (err)
		wl_die(argv[0], "pthread_create", err);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
