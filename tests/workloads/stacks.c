/* stacks.c — short-lived threads walking random call paths: 4096 distinct stacks and a new thread id every millisecond or so, for memory tests. */
/*
 * usage: stacks [SECONDS=3] [DEPTH=6]
 *
 * Like churn, the main thread starts two threads at a time and joins them;
 * each runs ~2 ms.  A thread calls stk_walk, which goes DEPTH levels down
 * through stk_f0..stk_f3, each level picked at random, and spins one unit
 * in stk_leaf at the bottom, again and again.  So there are 4^DEPTH
 * distinct call paths (4096 at the default depth 6), all about equally
 * likely: a profiler sees every one of them within a few seconds at a few
 * kHz, after which its call tree stops growing; thread ids keep coming
 * (~1000 a second).
 *
 * Expected profile: stk_leaf ~100 % self; stk_walk ~100 % total.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>

#include "wl.h"

#define USAGE "[SECONDS=3] [DEPTH=6]"
#define STK_WORK_S 0.002

typedef void stk_fn(int d, uint64_t *x);

void stk_leaf(uint64_t *x);
void stk_walk(uint64_t *x);
stk_fn stk_f0, stk_f1, stk_f2, stk_f3;

static stk_fn *const stk_next[4] = { stk_f0, stk_f1, stk_f2, stk_f3 };
static volatile uint64_t sink;
static int depth = 6;

__attribute__((noinline)) void stk_leaf(uint64_t *x)
{
	uint64_t v = *x;

	WL_UNIT(v);
	*x = v;
}

/* A level: the leaf at the bottom, else a random next level (two bits of
 * x for each level, x being new after every leaf).  The store
 * after the call keeps it from being a tail call: every level keeps its
 * frame. */
#define STK_LEVEL(name)                                                       \
	__attribute__((noinline)) void name(int d, uint64_t *x)              \
	{                                                                     \
		if (d <= 0)                                                   \
			stk_leaf(x);                                          \
		else                                                          \
			stk_next[(*x >> (20 + 2 * d)) & 3](d - 1, x);          \
		__asm__ volatile("" ::: "memory");                            \
		sink = *x;                                                    \
	}

STK_LEVEL(stk_f0)
STK_LEVEL(stk_f1)
STK_LEVEL(stk_f2)
STK_LEVEL(stk_f3)

__attribute__((noinline)) void stk_walk(uint64_t *x)
{
	/* depth - 1 more levels below the first: depth levels in all. */
	stk_next[(*x >> 62) & 3](depth - 1, x);
	__asm__ volatile("" ::: "memory");
}

static void *stk_thread(void *arg)
{
	uint64_t x = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL;
	double end = wl_now() + STK_WORK_S;

	do {
		for (int i = 0; i < 4; i++)
			stk_walk(&x);
	} while (wl_now() < end);
	sink = x;
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	double end;
	uintptr_t n = 0;
	pthread_t t[2];
	int err;

	depth = (int)wl_arg_long(argc, argv, 2, 6, 1, 20, USAGE);
	if (argc > 3)
		wl_usage(argv[0], USAGE, "too many arguments");
	end = wl_now() + seconds;
	do {
		for (int i = 0; i < 2; i++) {
			err = pthread_create(&t[i], NULL, stk_thread, (void *)++n);
			if (err)
				wl_die(argv[0], "pthread_create", err);
		}
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
	} while (wl_now() < end);
	return 0;
}
