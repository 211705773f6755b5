/* libhot.c — libhot.so: hot code inside a shared library, for the shlib workload. */
/*
 * Built -fPIC -shared; loaded at a random base, so resolving lib_hot_work
 * needs the library's load bias.  The loop is the same WL_UNIT() code as
 * local_work in shlib.c, so time is proportional to the units asked for.
 */
#include "libhot.h"
#include "wl.h"

static volatile uint64_t lib_sink;

__attribute__((noinline)) void lib_hot_work(unsigned units)
{
	uint64_t x = lib_sink;

	for (unsigned i = 0; i < units; i++)
		WL_UNIT(x);
	lib_sink = x;
}
