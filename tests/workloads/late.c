/* late.c — sleeps single-threaded first, then two threads run late_work: threads born after attach. */
/*
 * usage: late [SECONDS=3] [SLEEP=0.5]
 *
 * The process sleeps SLEEP seconds with only its main thread, then starts
 * two threads that run late_work until SECONDS after start (total run time
 * is SECONDS, or SLEEP if that is longer).  A profiler that attaches during
 * the sleep must follow the new threads.
 *
 * Expected profile over a window that covers the sleep and the work:
 * late_work ~100 % self (the sleeping and joining main thread takes no CPU),
 * at least 2 threads seen.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>

#include "wl.h"

#define USAGE "[SECONDS=3] [SLEEP=0.5]"

void *late_work(void *arg);

static volatile uint64_t sink;
static double deadline;

__attribute__((noinline)) void *late_work(void *arg)
{
	uint64_t x = (uintptr_t)arg;

	do {
		for (int i = 0; i < 100; i++)
			WL_UNIT(x);
		sink = x;
	} while (wl_now() < deadline);
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	double nap = wl_arg_seconds(argc, argv, 2, 0.5, USAGE);
	pthread_t t[2];
	int err;

	if (argc > 3)
		wl_usage(argv[0], USAGE, "too many arguments");
	deadline = wl_now() + seconds;
	wl_sleep(nap);
	for (int i = 0; i < 2; i++) {
		err = pthread_create(&t[i], NULL, late_work, (void *)(uintptr_t)(i + 1));
		if (err)
			wl_die(argv[0], "pthread_create", err);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return 0;
}
