/* split.c — workload with a known self-time split: func_a 60 %, func_b 30 %, func_c 10 %. */
/*
 * usage: split [SECONDS=3]
 *
 * Expected profile (self time, of all samples): func_a 60 %, func_b 30 %,
 * func_c 10 %, everything else ~0.  Call paths: main;run_rounds;func_a,
 * main;run_rounds;func_b, main;run_rounds;func_c (libc frames such as
 * __libc_start_call_main may sit above main).
 *
 * Each round calls func_a for 60 units, func_b for 30, func_c for 10 (about
 * 0.5 ms in all), then reads the clock.  The unit counts sit in separate
 * volatile globals so the compiler cannot specialise the functions or fold
 * the identical ones together (ICF), and the loops are the same code.
 *
 * Built several ways from this one source (see workloads.mk): split,
 * split-nofp, split-fp-noeh, split-stripped (-rdynamic: names from .dynsym)
 * and, with -DSPLIT_STATIC, split-stripped-static (run_rounds and func_* are
 * static, so a fully stripped binary has no name for them at all).
 */
#include "wl.h"

#ifdef SPLIT_STATIC
#define SPLIT_FN static __attribute__((noinline))
#else
#define SPLIT_FN __attribute__((noinline))
void func_a(void);
void func_b(void);
void func_c(void);
void run_rounds(double seconds);
#endif

#define USAGE "[SECONDS=3]"

static volatile unsigned units_a = 60;
static volatile unsigned units_b = 30;
static volatile unsigned units_c = 10;
static volatile uint64_t sink;

/*
 * Goes through a stack slot: a leaf that never touches its stack gets no
 * frame from gcc even under -fno-omit-frame-pointer, and a frame-pointer
 * unwind from it would skip its caller (run_rounds).  Inlined, so each
 * func_* pays the same for it, once per call.
 */
static inline __attribute__((always_inline)) void split_store(uint64_t x)
{
	volatile uint64_t slot = x;

	sink = slot;
}

SPLIT_FN void func_a(void)
{
	unsigned n = units_a;
	uint64_t x = sink;

	for (unsigned i = 0; i < n; i++)
		WL_UNIT(x);
	split_store(x);
}

SPLIT_FN void func_b(void)
{
	unsigned n = units_b;
	uint64_t x = sink;

	for (unsigned i = 0; i < n; i++)
		WL_UNIT(x);
	split_store(x);
}

SPLIT_FN void func_c(void)
{
	unsigned n = units_c;
	uint64_t x = sink;

	for (unsigned i = 0; i < n; i++)
		WL_UNIT(x);
	split_store(x);
}

/* The clock read after func_c also keeps func_c out of tail position, so
 * run_rounds stays on the stack for all three. */
SPLIT_FN void run_rounds(double seconds)
{
	double end = wl_now() + seconds;

	do {
		func_a();
		func_b();
		func_c();
	} while (wl_now() < end);
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);

	if (argc > 2)
		wl_usage(argv[0], USAGE, "too many arguments");
	run_rounds(seconds);
	/* A barrier after the call: no tail call, main stays on the stack. */
	__asm__ volatile("" ::: "memory");
	return 0;
}
