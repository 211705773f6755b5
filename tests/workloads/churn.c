/* churn.c — short-lived threads, created all the time, doing ~2 ms each in churn_work (~100 %). */
/*
 * usage: churn [SECONDS=3]
 *
 * Expected profile: churn_work ~100 % self (thread start/exit costs a few
 * tens of microseconds against 2 ms of work); many distinct threads seen,
 * roughly 1000 over 2 s.  The main thread only creates and joins: two
 * threads at a time, then joins both, so at most 2 are alive at once.
 *
 * Each thread spins for 2 ms of wall time, reading the clock every 8 units
 * (~40 us): the split here is "all of it", so it need not be exact.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>

#include "wl.h"

#define USAGE "[SECONDS=3]"
#define CHURN_WORK_S 0.002

void *churn_work(void *arg);

static volatile uint64_t sink;

__attribute__((noinline)) void *churn_work(void *arg)
{
	uint64_t x = (uintptr_t)arg;
	double end = wl_now() + CHURN_WORK_S;

	do {
		for (int i = 0; i < 8; i++)
			WL_UNIT(x);
	} while (wl_now() < end);
	sink = x;
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	double end = wl_now() + seconds;
	uintptr_t n = 0;
	pthread_t t[2];
	int err;

	if (argc > 2)
		wl_usage(argv[0], USAGE, "too many arguments");
	do {
		for (int i = 0; i < 2; i++) {
			err = pthread_create(&t[i], NULL, churn_work, (void *)++n);
			if (err)
				wl_die(argv[0], "pthread_create", err);
		}
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
	} while (wl_now() < end);
	return 0;
}
