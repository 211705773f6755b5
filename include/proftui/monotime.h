/* monotime.h — CLOCK_MONOTONIC, the one clock of proftui (perf samples are stamped with it too). */
#ifndef PROFTUI_MONOTIME_H
#define PROFTUI_MONOTIME_H

#include <stdint.h>
#include <time.h>

static inline uint64_t monotime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline double monotime_s(void)
{
	return (double)monotime_ns() / 1e9;
}

#endif
