/* shlib.c — hot code split between a shared library and the executable: lib_hot_work 70 %, local_work 30 %. */
/*
 * usage: shlib [SECONDS=3]
 *
 * Expected profile (self): lib_hot_work 70 % in module libhot.so,
 * local_work 30 % in module shlib.  Each round asks libhot.so for 70 units
 * and local_work for 30 (the same WL_UNIT() code on both sides).  Linked
 * with rpath $ORIGIN so it finds libhot.so next to itself.
 */
#include "libhot.h"
#include "wl.h"

#define USAGE "[SECONDS=3]"

void local_work(void);

/* Volatile so neither count is known at compile time. */
static volatile unsigned units_lib = 70;
static volatile unsigned units_local = 30;
static volatile uint64_t sink;

__attribute__((noinline)) void local_work(void)
{
	unsigned n = units_local;
	uint64_t x = sink;

	for (unsigned i = 0; i < n; i++)
		WL_UNIT(x);
	sink = x;
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	double end = wl_now() + seconds;

	if (argc > 2)
		wl_usage(argv[0], USAGE, "too many arguments");
	do {
		lib_hot_work(units_lib);
		local_work();
	} while (wl_now() < end);
	return 0;
}
