/* work.c — fixed-work CPU-bound benchmark workload: ROUNDS rounds per thread through a DEPTH-deep call chain. */
/*
 * usage: work ROUNDS THREADS [DEPTH=20]
 *
 * Unlike tests/workloads (which run for a fixed time), this one does a fixed
 * amount of work, so its wall time is what a profiler's overhead shows up in.
 * Each of THREADS threads runs ROUNDS rounds; a round descends DEPTH frames
 * through two mutually recursive noinline functions (realistic stacks for a
 * DWARF unwinder: every sample carries DEPTH + a few frames) and, at the
 * bottom, spins 100 WL_UNITs split 60/30/10 between leaf_a, leaf_b and leaf_c
 * (about 0.5 ms a round on a 3 GHz core).  Prints nothing.
 *
 * With WORK_TIMES=FILE in the environment it appends one line to FILE: the
 * seconds from main's start to the last thread's end, then the CPU seconds
 * (user + system) the process used up to then.  The first is the target's
 * own run time, which a profiler's start-up and exit (outside the target's
 * life) do not inflate; the second leaves out time spent waiting for a CPU
 * (the profiler's own threads, other load on a shared machine) and keeps
 * what sampling costs inside the target (interrupts, stack copies).
 * bench/run compares both beside the command's wall time.
 */
#include <pthread.h>
#include <sys/resource.h>

#include "../tests/workloads/wl.h"

#define USAGE "ROUNDS THREADS [DEPTH=20]"

void leaf_a(void);
void leaf_b(void);
void leaf_c(void);
void chain_even(unsigned depth);
void chain_odd(unsigned depth);

/* Separate volatile counts: the compiler can neither specialise nor fold the
 * three identical leaves together (the same trick as split.c). */
static volatile unsigned units_a = 60;
static volatile unsigned units_b = 30;
static volatile unsigned units_c = 10;
static volatile uint64_t sink;

static long work_rounds;
static unsigned work_depth;

/* A store through a stack slot gives every leaf a frame of its own. */
static inline __attribute__((always_inline)) void work_store(uint64_t x)
{
	volatile uint64_t slot = x;

	sink = slot;
}

__attribute__((noinline)) void leaf_a(void)
{
	unsigned n = units_a;
	uint64_t x = sink;

	for (unsigned i = 0; i < n; i++)
		WL_UNIT(x);
	work_store(x);
}

__attribute__((noinline)) void leaf_b(void)
{
	unsigned n = units_b;
	uint64_t x = sink;

	for (unsigned i = 0; i < n; i++)
		WL_UNIT(x);
	work_store(x);
}

__attribute__((noinline)) void leaf_c(void)
{
	unsigned n = units_c;
	uint64_t x = sink;

	for (unsigned i = 0; i < n; i++)
		WL_UNIT(x);
	work_store(x);
}

/*
 * Two functions calling each other rather than one calling itself: gcc turns
 * plain self-recursion into a loop.  The volatile frame slot and the barrier
 * after the call keep each level a real frame that is not a tail call.
 */
__attribute__((noinline)) void chain_even(unsigned depth)
{
	volatile unsigned level = depth;

	if (depth == 0) {
		leaf_a();
		leaf_b();
		leaf_c();
	} else {
		chain_odd(depth - 1);
	}
	__asm__ volatile("" : : "r"(level) : "memory");
}

__attribute__((noinline)) void chain_odd(unsigned depth)
{
	volatile unsigned level = depth;

	if (depth == 0) {
		leaf_a();
		leaf_b();
		leaf_c();
	} else {
		chain_even(depth - 1);
	}
	__asm__ volatile("" : : "r"(level) : "memory");
}

static void *work_thread(void *arg)
{
	(void)arg;
	for (long r = 0; r < work_rounds; r++)
		chain_even(work_depth);
	return NULL;
}

/* Append the run time to $WORK_TIMES, if set; a failure to write is an error
 * (exit 1) so that a benchmark never averages missing runs silently. */
static void work_report_time(const char *prog, double seconds)
{
	const char *path = getenv("WORK_TIMES");
	struct rusage ru;
	double cpu = 0;
	FILE *f;

	if (!path || !*path)
		return;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	f = fopen(path, "a");
	if (!f)
		wl_die(prog, path, errno);
	fprintf(f, "%.6f %.6f\n", seconds, cpu);
	if (fclose(f) == EOF)
		wl_die(prog, path, errno);
}

int main(int argc, char **argv)
{
	double start = wl_now();
	pthread_t tids[256];
	long nthreads;
	int err;

	if (argc < 3 || argc > 4)
		wl_usage(argv[0], USAGE, "wrong number of arguments");
	work_rounds = wl_arg_long(argc, argv, 1, 0, 1, 1000000000L, USAGE);
	nthreads = wl_arg_long(argc, argv, 2, 1, 1, 256, USAGE);
	/* 1000 levels of ~48-byte frames stay far inside any thread stack. */
	work_depth = (unsigned)wl_arg_long(argc, argv, 3, 20, 0, 1000, USAGE);

	for (long i = 0; i < nthreads; i++) {
		err = pthread_create(&tids[i], NULL, work_thread, NULL);
		if (err)
			wl_die(argv[0], "pthread_create", err);
	}
	for (long i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
	work_report_time(argv[0], wl_now() - start);
	return 0;
}
