/* sleeper.c — mostly asleep: 1 ms of CPU in sleeper_spin every 10 ms period (10 % CPU). */
/*
 * usage: sleeper [SECONDS=3]
 *
 * Each 10 ms period spins 1 ms (wall) in sleeper_spin, then sleeps until
 * the next period starts (absolute deadlines, so oversleeping does not
 * drift the duty cycle).  CPU use is 10 %: a cpu-clock profiler at F Hz
 * should take about 0.1 * F * SECONDS samples (~200 for 2 s at 999 Hz),
 * nearly all of them in sleeper_spin.
 */
#include "wl.h"

#define USAGE "[SECONDS=3]"
#define PERIOD_NS 10000000L
#define SPIN_S 0.001

void sleeper_spin(void);

static volatile uint64_t sink;

__attribute__((noinline)) void sleeper_spin(void)
{
	uint64_t x = sink;
	double end = wl_now() + SPIN_S;

	do {
		for (int i = 0; i < 4; i++)
			WL_UNIT(x);
	} while (wl_now() < end);
	sink = x;
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	double end = wl_now() + seconds;
	struct timespec next;

	if (argc > 2)
		wl_usage(argv[0], USAGE, "too many arguments");
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (wl_now() < end) {
		sleeper_spin();
		next.tv_nsec += PERIOD_NS;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	return 0;
}
