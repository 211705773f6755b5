/* deep.c — recursion D frames deep through recurse(), then a spin in deep_leaf: deep stacks. */
/*
 * usage: deep [SECONDS=3] [DEPTH=100]
 *
 * A thread with a 256 MiB stack calls recurse(DEPTH), which calls itself
 * until exactly DEPTH recurse frames are on the stack, then deep_leaf spins
 * until SECONDS have passed.  Stack of every sample (leaf last):
 *   ...;start_thread;deep_thread;recurse x DEPTH;deep_leaf
 *
 * Expected profile: deep_leaf ~100 % self, recurse ~100 % total; the main
 * thread is idle in pthread_join.  Depth up to 1,000,000 fits the stack
 * (a recurse frame is a few dozen bytes at most).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>

#include "wl.h"

#define USAGE "[SECONDS=3] [DEPTH=100]"
#define DEEP_STACK (256u << 20)

void deep_leaf(void);
void recurse(int d);

static volatile uint64_t sink;
static volatile int frames_seen;
static double deadline;
static int depth;

__attribute__((noinline)) void deep_leaf(void)
{
	uint64_t x = sink;

	do {
		for (int i = 0; i < 100; i++)
			WL_UNIT(x);
		sink = x;
	} while (wl_now() < deadline);
}

__attribute__((noinline)) void recurse(int d)
{
	if (d <= 1)
		deep_leaf();
	else
		recurse(d - 1);
	/* Work after the call: no tail call, no recursion-to-loop rewrite, so
	 * every level keeps a real frame. */
	frames_seen = frames_seen + 1;
}

static void *deep_thread(void *arg)
{
	(void)arg;
	recurse(depth);
	__asm__ volatile("" ::: "memory");	/* no tail call: keep this frame */
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	pthread_attr_t attr;
	pthread_t t;
	int err;

	depth = (int)wl_arg_long(argc, argv, 2, 100, 1, 1000000, USAGE);
	if (argc > 3)
		wl_usage(argv[0], USAGE, "too many arguments");
	deadline = wl_now() + seconds;
	err = pthread_attr_init(&attr);
	if (!err)
		err = pthread_attr_setstacksize(&attr, DEEP_STACK);
	if (!err)
		err = pthread_create(&t, &attr, deep_thread, NULL);
	if (err)
		wl_die(argv[0], "pthread_create", err);
	pthread_attr_destroy(&attr);
	pthread_join(t, NULL);
	if (frames_seen != depth) {
		fprintf(stderr, "%s: recursion returned %d frames, expected %d\n",
			argv[0], frames_seen, depth);
		return 1;
	}
	return 0;
}
