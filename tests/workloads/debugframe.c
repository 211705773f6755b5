/* debugframe.c — main;dbf_outer;dbf_middle;dbf_leaf, built so its only CFI is .debug_frame (no frame pointers). */
/*
 * usage: debugframe [SECONDS=3]
 *
 * Expected profile: dbf_leaf ~97 % self, dbf_middle ~3 %; every sample's
 * stack ends main;dbf_outer;dbf_middle;dbf_leaf (or ...;dbf_middle).
 *
 * Built without frame pointers and without unwind tables (workloads.mk), so
 * gcc writes the call-frame information to .debug_frame only: a profiler
 * finds the callers of dbf_leaf through .debug_frame or not at all.  Each
 * function keeps some value live across its call (callee-saved registers
 * pushed, so the CFI is more than "CFA = rsp + 8"), and does work after the
 * call, so no call is a tail call.  main calls dbf_outer directly, so it
 * must be declared before use; the others are reached through pointers.
 */
#include "wl.h"

#define USAGE "[SECONDS=3]"

void dbf_leaf(unsigned units);
void dbf_middle(unsigned units);
void dbf_outer(double seconds);

static volatile unsigned leaf_units = 32;
static volatile uint64_t sink;
/* Calls go through these so the compiler cannot see what the callee
 * clobbers: values live across a call need callee-saved registers, which
 * are pushed, so each frame has real CFI (not just "CFA = rsp + 8"). */
static void (*volatile leaf_fn)(unsigned) = dbf_leaf;
static void (*volatile middle_fn)(unsigned) = dbf_middle;

__attribute__((noinline)) void dbf_leaf(unsigned units)
{
	uint64_t x = sink;

	for (unsigned i = 0; i < units; i++)
		WL_UNIT(x);
	sink = x;
}

/* One unit of its own per call, 32 in the leaf: dbf_leaf ~97 %. */
__attribute__((noinline)) void dbf_middle(unsigned units)
{
	uint64_t x = sink + units;

	WL_UNIT(x);
	leaf_fn(units);
	sink += x + units;
}

__attribute__((noinline)) void dbf_outer(double seconds)
{
	double end = wl_now() + seconds;
	uint64_t rounds = 0;

	do {
		middle_fn(leaf_units);
		rounds++;
	} while (wl_now() < end);
	sink += rounds;
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);

	if (argc > 2)
		wl_usage(argv[0], USAGE, "too many arguments");
	dbf_outer(seconds);
	/* A barrier after the call: no tail call, main stays on the stack. */
	__asm__ volatile("" ::: "memory");
	return 0;
}
