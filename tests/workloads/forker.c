/* forker.c — a parent spinning in parent_work and a forked child (no exec) spinning in child_work. */
/*
 * usage: forker [SECONDS=3] [FORK_AFTER=0]
 *
 * The parent spins in parent_work for FORK_AFTER seconds, forks, and keeps
 * spinning in parent_work until SECONDS (from start) have passed; the
 * child, an exec-less copy, spins in child_work until the same deadline.
 * Then the parent reaps the child and exits 0 (1 if the child failed).
 * Each is single-threaded and CPU bound, so with two CPUs both run flat
 * out: a profile of the parent alone is ~100 % parent_work; one that
 * follows the child too (perf's inherit) is ~50/50 parent_work/child_work.
 *
 * FORK_AFTER lets a test attach before the fork (the child is then created
 * under the profiler's eyes) or after it.  The child dies with its parent
 * (PR_SET_PDEATHSIG), so killing the parent never leaves a spinner behind.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

#define USAGE "[SECONDS=3] [FORK_AFTER=0]"

void parent_work(double end);
void child_work(double end);

static volatile uint64_t sink;

__attribute__((noinline)) void parent_work(double end)
{
	uint64_t x = sink;

	do {
		for (int i = 0; i < 100; i++)
			WL_UNIT(x);
		sink = x;
	} while (wl_now() < end);
}

__attribute__((noinline)) void child_work(double end)
{
	uint64_t x = sink;

	do {
		for (int i = 0; i < 100; i++)
			WL_UNIT(x);
		sink = x;
	} while (wl_now() < end);
}

/* In the child: die with the parent, then spin. */
static _Noreturn void child_main(pid_t parent, double end)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);   /* the parent is already gone: nothing to do */
	child_work(end);
	__asm__ volatile("" ::: "memory");
	_exit(0);
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	double after = wl_arg_seconds(argc, argv, 2, 0.0, USAGE);
	double start = wl_now();
	pid_t self = getpid(), child;
	int status;

	if (argc > 3)
		wl_usage(argv[0], USAGE, "too many arguments");
	if (after > seconds)
		after = seconds;
	parent_work(start + after);
	child = fork();
	if (child < 0)
		wl_die(argv[0], "fork", errno);
	if (child == 0)
		child_main(self, start + seconds);
	parent_work(start + seconds);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			wl_die(argv[0], "waitpid", errno);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
