/* evilname.c — a worker thread whose name carries a terminal escape (ESC[2J clears a screen): names must be shown escaped. */
/*
 * usage: evilname [SECONDS=3]
 *
 * The worker names itself "\x1b[2Jevil" (15 bytes at most, the kernel's
 * limit) and spins in evil_work for SECONDS; main only waits.  A profiler
 * that printed the name raw would clear the user's screen.
 */
#define _GNU_SOURCE 1
#include <pthread.h>

#include "wl.h"

#define USAGE "[SECONDS=3]"

void evil_work(double seconds);

static volatile uint64_t sink;

__attribute__((noinline)) void evil_work(double seconds)
{
	double end = wl_now() + seconds;
	uint64_t x = 1;

	while (wl_now() < end)
		for (int i = 0; i < 64; i++)
			WL_UNIT(x);
	sink = x;
}

static void *worker(void *arg)
{
	pthread_setname_np(pthread_self(), "\x1b[2Jevil");
	evil_work(*(double *)arg);
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	pthread_t t;

	if (pthread_create(&t, NULL, worker, &secs) != 0)
		return 1;
	pthread_join(t, NULL);
	return 0;
}
