/* wl.h — shared helpers for the e2e workloads: argument parsing, the clock, one fixed unit of work. */
#ifndef WL_H
#define WL_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Every workload splits CPU time by ITERATION COUNTS, not by timers: each hot
 * function runs the same WL_UNIT() some number of times, so time is
 * proportional to the unit count by construction.  The unit is a serial
 * multiply-add chain (latency bound, ~4 cycles a step); the empty asm makes x
 * opaque each step so the compiler can neither vectorise nor fold the loop
 * into a closed form.  4096 steps is roughly 5 us on a 3 GHz core.
 *
 * A macro, not an inline function, on purpose: an inlined function leaves
 * DW_TAG_inlined_subroutine records, and a symboliser that expands inlines
 * (perf does) would then name the leaf "wl_unit" instead of func_a.
 */
#define WL_UNIT_STEPS 4096u

#define WL_UNIT(x)                                                            \
	do {                                                                  \
		for (unsigned wl_step_ = 0; wl_step_ < WL_UNIT_STEPS; wl_step_++) { \
			(x) = (x) * 6364136223846793005ULL + 1442695040888963407ULL; \
			__asm__ volatile("" : "+r"(x));                       \
		}                                                             \
	} while (0)

/* CLOCK_MONOTONIC in seconds; goes through the vDSO, so it is cheap enough
 * to call once per round. */
static inline double wl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline _Noreturn void wl_usage(const char *prog, const char *usage, const char *why)
{
	fprintf(stderr, "%s: %s\nusage: %s %s\n", prog, why, prog, usage);
	exit(2);
}

/* argv[i] as a non-negative number of seconds (fractions allowed), or dflt
 * when absent; anything malformed is a usage error (exit 2). */
static inline double wl_arg_seconds(int argc, char **argv, int i, double dflt,
				    const char *usage)
{
	char *end;
	double v;

	if (argc <= i)
		return dflt;
	errno = 0;
	v = strtod(argv[i], &end);
	if (errno || end == argv[i] || *end || !isfinite(v) || v < 0 || v > 1e6)
		wl_usage(argv[0], usage, "bad number of seconds");
	return v;
}

/* argv[i] as an integer in [lo, hi], or dflt when absent. */
static inline long wl_arg_long(int argc, char **argv, int i, long dflt, long lo,
			       long hi, const char *usage)
{
	char *end;
	long v;

	if (argc <= i)
		return dflt;
	errno = 0;
	v = strtol(argv[i], &end, 10);
	if (errno || end == argv[i] || *end || v < lo || v > hi)
		wl_usage(argv[0], usage, "bad integer argument");
	return v;
}

/* Sleep for `s` seconds, restarting after signals. */
static inline void wl_sleep(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static inline _Noreturn void wl_die(const char *prog, const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(err));
	exit(1);
}

#endif
