/* test_procstat.c — process figures read from /proc: our own process, sleeping, stopped, zombie and vanished children, io access. */
#include <criterion/criterion.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proftui/procstat.h"

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;

/* A thread that sleeps (state S) until the test lets it go. */
static void *sleeper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gate_lock);
	while (!gate_open)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	return NULL;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * fork() for a child the test watches.  The child dies with the test process
 * (even stopped), so a failed assertion leaves no child behind holding the
 * runner's output open; the parent waits until that is set up, so a signal
 * it sends cannot stop the child before.
 */
static pid_t child(void)
{
	pid_t parent = getpid(), pid;
	int fds[2];
	char c = 0;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent ||
		    write(fds[1], &c, 1) != 1)
			_exit(1);
		close(fds[1]);
		return 0;
	}
	close(fds[1]);
	cr_assert_eq(read(fds[0], &c, 1), 1, "child %d did not start", (int)pid);
	close(fds[0]);
	return pid;
}

/* Read pid until its only thread shows `state` (a child may not be there
 * yet right after fork); fails the test after ~2 s. */
static void wait_state(pid_t pid, enum procstat_state state, struct procstat *ps)
{
	for (int i = 0; i < 200; i++) {
		cr_assert_eq(procstat_read(pid, ps), 0);
		if (ps->states[state] == 1)
			return;
		sleep_ms(10);
	}
	cr_assert_fail("pid %d never reached state %d (R%u S%u D%u T%u other%u)", (int)pid,
		       (int)state, ps->states[0], ps->states[1], ps->states[2], ps->states[3],
		       ps->states[4]);
}

static uint32_t state_sum(const struct procstat *ps)
{
	uint32_t n = 0;

	for (int i = 0; i < PROCSTAT__NSTATES; i++)
		n += ps->states[i];
	return n;
}

Test(procstat, record_size_suits_the_ring)
{
	cr_assert_eq(sizeof(struct procstat) % 8, 0);
}

Test(procstat, our_own_process)
{
	pthread_t t[2];
	struct procstat ps;
	struct timespec now;

	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, sleeper, NULL), 0);
	sleep_ms(50);
	cr_assert_eq(procstat_read(getpid(), &ps), 0);
	clock_gettime(CLOCK_MONOTONIC, &now);

	cr_assert_geq(ps.nthreads, 3, "nthreads %u", ps.nthreads);
	/* The two sleepers, and this thread running the read. */
	cr_assert_geq(ps.states[PROCSTAT_SLEEP], 2);
	cr_assert_geq(ps.states[PROCSTAT_RUN], 1);
	cr_assert_eq(state_sum(&ps), ps.nthreads);
	cr_assert_gt(ps.rss_bytes, 0);
	cr_assert_geq(ps.vsize_bytes, ps.rss_bytes);
	cr_assert_gt(ps.minflt, 0);
	cr_assert(ps.flags & PROCSTAT_IO_KNOWN, "our own io file must be readable");
	cr_assert_eq(ps.flags & PROCSTAT_THREADS_PARTIAL, 0);
	/* Each thread has switched at least once (the sleepers when they slept). */
	cr_assert_geq(ps.vol_cs, 2);
	cr_assert_gt(ps.time_ns, 0);
	cr_assert_leq(ps.time_ns, (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec);

	pthread_mutex_lock(&gate_lock);
	gate_open = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
}

Test(procstat, cpu_time_and_switches_grow)
{
	struct procstat_reader *r;
	struct procstat a, b;
	volatile uint64_t x = 1;
	double until;

	cr_assert_eq(procstat_new(&r, getpid()), 0);
	cr_assert_eq(procstat_get(r, &a), 0);
	until = cpu_s() + 0.3;
	while (cpu_s() < until)
		for (int i = 0; i < 10000; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
	for (int i = 0; i < 5; i++)
		sleep_ms(2);
	cr_assert_eq(procstat_get(r, &b), 0);
	procstat_free(r);

	/* 0.3 s of CPU spun; ticks are 10 ms, and some of it may be system time. */
	cr_assert_geq(b.utime_ns + b.stime_ns - a.utime_ns - a.stime_ns, 250000000ull,
		      "cpu grew by %llu ns only",
		      (unsigned long long)(b.utime_ns + b.stime_ns - a.utime_ns - a.stime_ns));
	cr_assert_gt(b.utime_ns, a.utime_ns);
	cr_assert_geq(b.vol_cs, a.vol_cs + 5, "5 sleeps, %llu -> %llu voluntary switches",
		      (unsigned long long)a.vol_cs, (unsigned long long)b.vol_cs);
	cr_assert_gt(b.time_ns, a.time_ns);
}

Test(procstat, sleeping_child_shows_s)
{
	struct procstat ps;
	pid_t pid = child();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	wait_state(pid, PROCSTAT_SLEEP, &ps);
	cr_assert_eq(ps.nthreads, 1);
	cr_assert_eq(state_sum(&ps), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

Test(procstat, stopped_child_shows_t)
{
	struct procstat ps;
	int st;
	pid_t pid = child();

	if (pid == 0) {
		for (;;)
			pause();
	}
	cr_assert_eq(kill(pid, SIGSTOP), 0);
	cr_assert_eq(waitpid(pid, &st, WUNTRACED), pid);
	cr_assert(WIFSTOPPED(st));
	cr_assert_eq(procstat_read(pid, &ps), 0);
	cr_assert_eq(ps.states[PROCSTAT_STOP], 1);
	cr_assert_eq(ps.states[PROCSTAT_SLEEP] + ps.states[PROCSTAT_RUN], 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

Test(procstat, zombie_counts_as_other)
{
	struct procstat ps;
	siginfo_t si;
	pid_t pid = child();

	if (pid == 0)
		_exit(0);
	/* Wait for the exit without reaping: the child stays a zombie. */
	cr_assert_eq(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	wait_state(pid, PROCSTAT_OTHER, &ps);
	waitpid(pid, NULL, 0);
}

Test(procstat, vanished_process_is_esrch)
{
	struct procstat_reader *r;
	struct procstat ps;
	pid_t pid = child();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	cr_assert_eq(procstat_new(&r, pid), 0);
	cr_assert_eq(procstat_get(r, &ps), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* Reaped, so the pid is free (reuse within these microseconds is
	 * vanishingly unlikely). */
	cr_assert_eq(procstat_get(r, &ps), -ESRCH);
	cr_assert_eq(procstat_read(pid, &ps), -ESRCH);
	procstat_free(r);
	procstat_free(NULL);
}

Test(procstat, bad_pid_is_refused)
{
	struct procstat ps;

	cr_assert_eq(procstat_read(0, &ps), -EINVAL);
	cr_assert_eq(procstat_read(-5, &ps), -EINVAL);
}

/*
 * Another user's process: stat and status are world-readable, io is not.
 * A child drops to nobody and reads us (root): the reading must succeed
 * with the io figures marked unknown, not shown as zeros.
 */
Test(procstat, unreadable_io_is_unknown_not_an_error)
{
	struct procstat ps;
	int fds[2], st;
	pid_t pid;

	if (geteuid() != 0)
		cr_skip_test("needs root to read a process as another user");
	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int ret = -1;

		memset(&ps, 0, sizeof(ps));
		close(fds[0]);
		if (setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0)
			ret = procstat_read(getppid(), &ps);
		if (write(fds[1], &ret, sizeof(ret)) != sizeof(ret) ||
		    write(fds[1], &ps, sizeof(ps)) != sizeof(ps))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	int ret = 1;

	cr_assert_eq(read(fds[0], &ret, sizeof(ret)), sizeof(ret));
	cr_assert_eq(read(fds[0], &ps, sizeof(ps)), sizeof(ps));
	close(fds[0]);
	waitpid(pid, &st, 0);
	cr_assert_eq(ret, 0, "reading as nobody failed: %d", ret);
	cr_assert_eq(ps.flags & PROCSTAT_IO_KNOWN, 0, "io must be unknown to nobody");
	cr_assert_eq(ps.read_bytes + ps.write_bytes, 0);
	cr_assert_gt(ps.rss_bytes, 0);
	cr_assert_geq(ps.nthreads, 1);
}
