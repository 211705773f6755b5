/* exit-code.c — spins in exit_spin for SECONDS, then exits with a chosen status. */
/*
 * usage: exit-code [SECONDS=3] [STATUS=3]
 *
 * Expected profile: exit_spin ~100 % self.  Exit status STATUS (0..255):
 * a profiler in launch mode should pass it on as its own.
 */
#include "wl.h"

#define USAGE "[SECONDS=3] [STATUS=3]"

void exit_spin(double seconds);

static volatile uint64_t sink;

__attribute__((noinline)) void exit_spin(double seconds)
{
	uint64_t x = sink;
	double end = wl_now() + seconds;

	do {
		for (int i = 0; i < 100; i++)
			WL_UNIT(x);
		sink = x;
	} while (wl_now() < end);
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	int status = (int)wl_arg_long(argc, argv, 2, 3, 0, 255, USAGE);

	if (argc > 3)
		wl_usage(argv[0], USAGE, "too many arguments");
	exit_spin(seconds);
	return status;
}
