/* phases.c — two phases at a known moment: phase_a_work for A seconds, then phase_b_work for B seconds. */
/*
 * usage: phases [A=2] [B=2]
 *
 * For windows, decay and diffs: in a window that covers only the second
 * phase, phase_b_work is ~100 %; over the whole run the split is A:B.
 */
#include "wl.h"

#define USAGE "[A=2] [B=2]"

void phase_a_work(double seconds);
void phase_b_work(double seconds);

static volatile uint64_t sink;

__attribute__((noinline)) void phase_a_work(double seconds)
{
	double end = wl_now() + seconds;
	uint64_t x = 1;

	while (wl_now() < end)
		for (int i = 0; i < 64; i++)
			WL_UNIT(x);
	sink = x;
}

__attribute__((noinline)) void phase_b_work(double seconds)
{
	double end = wl_now() + seconds;
	uint64_t x = 2;

	while (wl_now() < end)
		for (int i = 0; i < 64; i++)
			WL_UNIT(x);
	sink = x;
}

int main(int argc, char **argv)
{
	double a = wl_arg_seconds(argc, argv, 1, 2.0, USAGE);
	double b = wl_arg_seconds(argc, argv, 2, 2.0, USAGE);

	phase_a_work(a);
	phase_b_work(b);
	return 0;
}
