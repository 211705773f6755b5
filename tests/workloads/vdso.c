/* vdso.c — clock_gettime(CLOCK_MONOTONIC) in a tight loop: nearly all time inside the vDSO, called from vdso_caller. */
/*
 * usage: vdso [SECONDS=3]
 *
 * vdso_caller reads CLOCK_MONOTONIC over and over until SECONDS have
 * passed, using each reading as the loop's own deadline check.  With a
 * vDSO-capable clocksource (tsc, kvm-clock) no call enters the kernel, so
 * the profile is the vDSO's clock_gettime code (module [vdso], typically
 * 90 % or more self), a few percent in libc's clock_gettime wrapper and
 * vdso_caller.  Call path (leaf last):
 *   main;vdso_caller;clock_gettime (libc);<vDSO clock_gettime>
 * where the last frame can only be unwound past through the vDSO's own
 * CFI (.eh_frame in the vDSO image).
 */
#include <stdbool.h>

#include "wl.h"

#define USAGE "[SECONDS=3]"

void vdso_caller(double seconds);

static volatile uint64_t sink;

/* Integer compare: a double conversion per call would cost about as much
 * as the vDSO call itself and dilute its share. */
static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

__attribute__((noinline)) void vdso_caller(double seconds)
{
	struct timespec ts, end;
	uint64_t calls = 0;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)seconds;
	end.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	do {
		if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
			wl_die("vdso", "clock_gettime", errno);
		calls++;
	} while (ts_before(&ts, &end));
	sink = calls;
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);

	if (argc > 2)
		wl_usage(argv[0], USAGE, "too many arguments");
	vdso_caller(seconds);
	/* A barrier after the call: no tail call, main stays on the stack. */
	__asm__ volatile("" ::: "memory");
	return 0;
}
