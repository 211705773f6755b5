/* manythreads.c — N threads alive at once, each a little busy in many_work: a process that needs many perf events (one per thread and CPU). */
/*
 * usage: manythreads [SECONDS=3] [THREADS=64]
 *
 * The main thread starts THREADS workers, then waits for them.  Each worker
 * runs many_work for about 50 us and sleeps 5 ms, round after round, until
 * SECONDS have passed: about 1 % of a CPU per worker, so 64 workers keep
 * well under one CPU busy on a small machine.  All THREADS + 1 threads stay
 * alive for the whole run.
 *
 * Expected profile: many_work ~100 % self; up to THREADS threads seen.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>

#include "wl.h"

#define USAGE "[SECONDS=3] [THREADS=64]"
#define MANY_MAX 4096

void many_work(uint64_t *x);

static volatile uint64_t sink;
static double deadline;

__attribute__((noinline)) void many_work(uint64_t *x)
{
	uint64_t v = *x;

	for (int i = 0; i < 10; i++)
		WL_UNIT(v);
	*x = v;
}

static void *worker(void *arg)
{
	uint64_t x = (uintptr_t)arg;

	while (wl_now() < deadline) {
		many_work(&x);
		sink = x;
		wl_sleep(0.005);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	long n = wl_arg_long(argc, argv, 2, 64, 1, MANY_MAX, USAGE);
	static pthread_t t[MANY_MAX];
	pthread_attr_t attr;
	int err;

	if (argc > 3)
		wl_usage(argv[0], USAGE, "too many arguments");
	deadline = wl_now() + seconds;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1u << 17);	/* 4096 x 128 KiB at most */
	for (long i = 0; i < n; i++) {
		err = pthread_create(&t[i], &attr, worker, (void *)(uintptr_t)(i + 1));
		if (err)
			wl_die(argv[0], "pthread_create", err);
	}
	for (long i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}
