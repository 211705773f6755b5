/* test_ptracer.c — criterion tests of the ptrace fallback sampler against forked children. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proftui/ptracer.h"

/*
 * The children are forks of this binary, so their code sits at the same
 * addresses as ours.  Each probed function gets a section of its own, so
 * the linker's __start_/__stop_ symbols bound it exactly: no -rdynamic or
 * symbol table needed.  Each does work after its call so no call becomes a
 * tail jump that would hide a frame; gcc must not clone them elsewhere.
 */
#if defined(__clang__)
#define PTT_FN(name) __attribute__((noinline, section("ptt_" #name)))
#else
#define PTT_FN(name) __attribute__((noinline, noclone, section("ptt_" #name)))
#endif

#define PTT_BOUNDS(name) extern const char __start_ptt_##name[], __stop_ptt_##name[]
PTT_BOUNDS(child_spin);
PTT_BOUNDS(child_mid);
PTT_BOUNDS(child_outer);
PTT_BOUNDS(thread_spin);
PTT_BOUNDS(thread_outer);
PTT_BOUNDS(late_spin);
PTT_BOUNDS(late_outer);
PTT_BOUNDS(handler_spin);
PTT_BOUNDS(handler_outer);

#define PTT_RANGE(name) { #name, __start_ptt_##name, __stop_ptt_##name }
static const struct ptt_range {
	const char *name;
	const char *lo, *hi;
} ptt_ranges[] = {
	PTT_RANGE(child_spin), PTT_RANGE(child_mid), PTT_RANGE(child_outer),
	PTT_RANGE(thread_spin), PTT_RANGE(thread_outer),
	PTT_RANGE(late_spin), PTT_RANGE(late_outer),
	PTT_RANGE(handler_spin), PTT_RANGE(handler_outer),
};

#define PTT_DEPTH	64
#define PTT_MAX		8192
#define PTT_TIMEOUT	30

static volatile int ptt_stop;		/* never set: keeps the spin loops finite to the compiler */
static volatile unsigned long ptt_sink;
static int ptt_sig_fd = -1;		/* child side: where the SIGUSR1 handler reports */
static pid_t ptt_child_pid;		/* killed by the fini, even after a failed assertion */

PTT_FN(child_spin) static int child_spin(void)
{
	unsigned long x = 1;

	while (!ptt_stop) {
		for (int i = 0; i < 1000; i++)
			x = x * 6364136223846793005UL + 1442695040888963407UL;
		ptt_sink = x;
	}
	return (int)x;
}

PTT_FN(child_mid) static int child_mid(void)
{
	int r = child_spin();

	ptt_sink += (unsigned)r;
	return r + 1;
}

PTT_FN(child_outer) static int child_outer(void)
{
	int r = child_mid();

	ptt_sink += (unsigned)r;
	return r + 2;
}

PTT_FN(thread_spin) static int thread_spin(void)
{
	unsigned long x = 88172645463325252UL;

	while (!ptt_stop) {
		for (int i = 0; i < 1000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		ptt_sink = x;
	}
	return (int)x;
}

PTT_FN(thread_outer) static int thread_outer(void)
{
	int r = thread_spin();

	ptt_sink ^= (unsigned)r;
	return r + 3;
}

PTT_FN(late_spin) static int late_spin(void)
{
	unsigned long x = 7;

	while (!ptt_stop) {
		for (int i = 0; i < 1000; i++)
			x = (x >> 1) ^ (-(x & 1) & 0xd800000000000000UL);
		ptt_sink = x;
	}
	return (int)x;
}

PTT_FN(late_outer) static int late_outer(void)
{
	int r = late_spin();

	ptt_sink -= (unsigned)r;
	return r + 4;
}

PTT_FN(handler_spin) static int handler_spin(void)
{
	unsigned long x = 3;

	while (!ptt_stop) {
		for (int i = 0; i < 1000; i++)
			x = x * x + 1;
		ptt_sink = x;
	}
	return (int)x;
}

PTT_FN(handler_outer) static void handler_outer(int sig)
{
	ptt_sink += (unsigned)handler_spin() + (unsigned)sig;
}

/* ---- collecting samples ---- */

struct ptt_sample {
	pid_t tid;
	size_t n;
	enum unwind_status status;
	uint64_t ips[PTT_DEPTH];
};

struct ptt_log {
	size_t n;
	size_t calls;
	struct ptt_sample s[PTT_MAX];
};

static struct ptt_log ptt_log;

static void ptt_collect(void *ctx, pid_t tid, const uint64_t *ips, size_t n,
			enum unwind_status status)
{
	struct ptt_log *log = ctx;
	struct ptt_sample *s;

	log->calls++;
	cr_assert_leq(n, PTT_DEPTH, "more frames than max_depth: %zu", n);
	cr_assert_lt((int)status, UWS__COUNT);
	if (log->n == PTT_MAX)
		return;
	s = &log->s[log->n++];
	s->tid = tid;
	s->n = n;
	s->status = status;
	memcpy(s->ips, ips, n * sizeof *ips);
}

/* The probed function holding ip, or "". */
static const char *ptt_sym(uint64_t ip)
{
	for (size_t i = 0; i < sizeof ptt_ranges / sizeof ptt_ranges[0]; i++)
		if (ip >= (uintptr_t)ptt_ranges[i].lo && ip < (uintptr_t)ptt_ranges[i].hi)
			return ptt_ranges[i].name;
	return "";
}

static long ptt_frame_of(const struct ptt_sample *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(ptt_sym(s->ips[i]), name) == 0)
			return (long)i;
	return -1;
}

/* The leaf is `a`, with `b` then `c` above it. */
static bool ptt_has_chain(const struct ptt_sample *s, const char *a, const char *b, const char *c)
{
	long ia = ptt_frame_of(s, a), ib = ptt_frame_of(s, b);
	long ic = c ? ptt_frame_of(s, c) : ib + 1;

	return ia == 0 && ib > ia && ic > ib;
}

static void ptt_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Sample `rounds` times, pausing between; returns the threads sampled in total. */
static int ptt_rounds(struct ptracer *pt, int rounds, long pause_ms, uint64_t *stopped)
{
	int total = 0;

	for (int k = 0; k < rounds; k++) {
		uint64_t ns = 0;
		int r = ptracer_sample(pt, PTT_DEPTH, ptt_collect, &ptt_log, &ns);

		cr_assert_geq(r, 0, "ptracer_sample: %s", strerror(-r));
		total += r;
		if (stopped)
			*stopped += ns;
		ptt_sleep_ms(pause_ms);
	}
	return total;
}

/* ---- children ---- */

static void ptt_put(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		_exit(3);
}

static void *ptt_thread_main(void *arg)
{
	ptt_put(*(int *)arg, 'T');
	thread_outer();
	return NULL;
}

static void *ptt_late_main(void *arg)
{
	(void)arg;
	late_outer();
	return NULL;
}

/* A child with a spinning second thread; both say when they run. */
static void ptt_body_spin2(int wfd, int rfd)
{
	static int fd;
	pthread_t t;

	(void)rfd;
	fd = wfd;
	if (pthread_create(&t, NULL, ptt_thread_main, &fd))
		_exit(2);
	ptt_put(wfd, 'M');
	child_outer();
}

/* Sleeps until told, then starts a spinning thread. */
static void ptt_body_late(int wfd, int rfd)
{
	pthread_t t;
	char c;

	ptt_put(wfd, 'M');
	if (read(rfd, &c, 1) != 1)
		_exit(2);
	if (pthread_create(&t, NULL, ptt_late_main, NULL))
		_exit(2);
	pthread_join(t, NULL);
}

/* Spins in two threads for a moment, then exits. */
static void ptt_body_exit(int wfd, int rfd)
{
	struct timespec t0, t;
	static int fd;
	pthread_t th;

	(void)rfd;
	fd = wfd;
	if (pthread_create(&th, NULL, ptt_thread_main, &fd))
		_exit(2);
	ptt_put(wfd, 'M');
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			ptt_sink = ptt_sink * 3 + 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 300);
	_exit(0);
}

static void ptt_on_usr1(int sig)
{
	(void)sig;
	if (write(ptt_sig_fd, "u", 1) != 1)
		_exit(4);
}

static void ptt_body_signals(int wfd, int rfd)
{
	struct sigaction sa = { .sa_handler = ptt_on_usr1 };

	ptt_sig_fd = wfd;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		_exit(2);
	ptt_body_spin2(wfd, rfd);
}

/*
 * The SIGUSR2 handler spins on an alternate stack that lies above the
 * interrupted frames (it is a local of an outer frame), so the SP drops
 * across the signal frame: the unwinder must accept that there.
 */
static void ptt_body_sigalt(int wfd, int rfd)
{
	static char altstack[1 << 16];
	struct sigaction sa = { .sa_handler = handler_outer, .sa_flags = SA_ONSTACK };
	stack_t ss = { .ss_size = sizeof altstack };
	char frame_above[1 << 16];

	(void)rfd;
	/* On the stack, above what child_outer will use. */
	ss.ss_sp = frame_above;
	(void)altstack;
	sigemptyset(&sa.sa_mask);
	if (sigaltstack(&ss, NULL) || sigaction(SIGUSR2, &sa, NULL))
		_exit(2);
	ptt_put(wfd, 'M');
	child_outer();
	ptt_sink += (unsigned char)frame_above[0];
}

static void *ptt_exec_main(void *arg)
{
	int rfd = *(int *)arg;
	char c;

	if (read(rfd, &c, 1) != 1)
		_exit(2);
	execl("/bin/sh", "sh", "-c", "while :; do :; done", (char *)NULL);
	_exit(5);
}

/* The main thread spins while the second thread, when told, execs a busy shell loop. */
static void ptt_body_exec(int wfd, int rfd)
{
	static int fd;
	pthread_t t;

	fd = rfd;
	if (pthread_create(&t, NULL, ptt_exec_main, &fd))
		_exit(2);
	ptt_put(wfd, 'M');
	child_outer();
}

struct ptt_child {
	pid_t pid;
	int from;	/* the child's reports */
	int to;		/* our orders */
};

static struct ptt_child ptt_spawn(void (*body)(int wfd, int rfd))
{
	struct ptt_child c;
	int up[2], down[2];

	cr_assert_eq(pipe(up), 0);
	cr_assert_eq(pipe(down), 0);
	c.pid = fork();
	cr_assert_geq(c.pid, 0);
	if (c.pid == 0) {
		close(up[0]);
		close(down[1]);
		/*
		 * Never outlive the test: a stopped child ignores alarm(), so
		 * also die with the test worker, however it ends.
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		alarm(PTT_TIMEOUT);
		body(up[1], down[0]);
		_exit(0);
	}
	ptt_child_pid = c.pid;
	close(up[1]);
	close(down[0]);
	c.from = up[0];
	c.to = down[1];
	return c;
}

/* Read n report bytes from the child within ms; returns how many arrived. */
static size_t ptt_reports(int fd, char *buf, size_t n, int ms)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, ms) <= 0)
			break;
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static void ptt_kill(struct ptt_child *c)
{
	kill(c->pid, SIGKILL);
	/* ECHILD is fine: the tracer may already have reaped an exited child. */
	waitpid(c->pid, NULL, 0);
	ptt_child_pid = 0;
	close(c->from);
	close(c->to);
}

/* ---- /proc probes ---- */

static char ptt_state(pid_t pid, pid_t tid)
{
	char path[64], buf[256];
	FILE *f;
	char *p;

	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	p = fgets(buf, sizeof buf, f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')))
		return 0;
	return p[2];
}

static long ptt_tracer(pid_t pid, pid_t tid)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/task/%d/status", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "TracerPid: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* utime + stime of the whole process, in clock ticks. */
static unsigned long long ptt_cpu(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long ut = 0, st = 0;
	FILE *f;
	char *p;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	cr_assert_not_null(f);
	p = fgets(buf, sizeof buf, f);
	fclose(f);
	cr_assert_not_null(p);
	p = strrchr(buf, ')');
	cr_assert_not_null(p);
	/* After ") ": state is field 3, utime 14, stime 15. */
	cr_assert_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st), 2);
	return ut + st;
}

static size_t ptt_tasks(pid_t pid, pid_t *tids, size_t max)
{
	char path[64];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	d = opendir(path);
	cr_assert_not_null(d);
	while ((de = readdir(d)) && n < max)
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			tids[n++] = (pid_t)atoi(de->d_name);
	closedir(d);
	return n;
}

/*
 * No thread is traced or ptrace-stopped.  `stopped_ok`: the process was
 * group-stopped by a signal, so 'T' is job control, not us.  Sampled a few
 * times: a thread we had left stopped would show it every time.
 */
static void ptt_assert_released(pid_t pid, bool stopped_ok)
{
	pid_t tids[64];

	/*
	 * A detached thread that is group-stopped first wakes up and then
	 * re-enters the stop on its own: give it time to get there.
	 */
	for (int k = 0; stopped_ok && k < 200; k++) {
		size_t n = ptt_tasks(pid, tids, 64), stopped = 0;

		for (size_t i = 0; i < n; i++)
			stopped += ptt_state(pid, tids[i]) == 'T';
		if (stopped == n)
			break;
		ptt_sleep_ms(10);
	}
	for (int round = 0; round < 3; round++) {
		size_t n = ptt_tasks(pid, tids, 64);

		cr_assert_gt(n, 0);
		for (size_t i = 0; i < n; i++) {
			char s = ptt_state(pid, tids[i]);

			cr_assert_eq(ptt_tracer(pid, tids[i]), 0, "thread %d still traced", (int)tids[i]);
			cr_assert_neq(s, 't', "thread %d left in a ptrace-stop", (int)tids[i]);
			if (stopped_ok)
				cr_assert_eq(s, 'T', "thread %d: state %c, want T", (int)tids[i], s);
			else
				cr_assert_neq(s, 'T', "thread %d left stopped", (int)tids[i]);
		}
		ptt_sleep_ms(30);
	}
}

/* The child's CPU time grows; on a loaded machine that may take a while. */
static void ptt_assert_runs(pid_t pid)
{
	unsigned long long before = ptt_cpu(pid), after = before;

	for (int k = 0; k < 40 && after == before; k++) {
		ptt_sleep_ms(50);
		after = ptt_cpu(pid);
	}
	cr_assert_gt(after, before, "child does not run after detach (state %c)", ptt_state(pid, pid));
}

static void ptt_setup(void)
{
	memset(&ptt_log, 0, sizeof ptt_log);
	ptt_child_pid = 0;
}

static void ptt_teardown(void)
{
	if (ptt_child_pid > 0) {
		kill(ptt_child_pid, SIGKILL);
		waitpid(ptt_child_pid, NULL, 0);
	}
}

TestSuite(ptracer, .init = ptt_setup, .fini = ptt_teardown, .timeout = PTT_TIMEOUT);

/* ---- tests ---- */

Test(ptracer, samples_both_threads_with_their_stacks)
{
	struct ptt_child c = ptt_spawn(ptt_body_spin2);
	struct ptracer_stats st;
	struct ptracer *pt = NULL;
	char err[256], buf[2];
	uint64_t stopped = 0;
	size_t main_n = 0, main_ok = 0, thr_n = 0, thr_ok = 0, complete = 0;
	int sampled;

	/* The section bounds really enclose the functions. */
	cr_assert_str_eq(ptt_sym((uintptr_t)child_spin), "child_spin");
	cr_assert_str_eq(ptt_sym((uintptr_t)thread_outer), "thread_outer");
	cr_assert_str_eq(ptt_sym((uintptr_t)ptt_rounds), "");
	cr_assert_eq(ptt_reports(c.from, buf, 2, 5000), 2);
	cr_assert_eq(ptracer_attach(&pt, c.pid, err, sizeof err), 0, "attach: %s", err);
	cr_assert_not_null(pt);
	sampled = ptt_rounds(pt, 50, 10, &stopped);
	cr_assert_eq((size_t)sampled, ptt_log.calls);
	for (size_t i = 0; i < ptt_log.n; i++) {
		const struct ptt_sample *s = &ptt_log.s[i];

		if (s->tid == c.pid) {
			main_n++;
			main_ok += ptt_has_chain(s, "child_spin", "child_mid", "child_outer");
		} else {
			thr_n++;
			thr_ok += ptt_has_chain(s, "thread_spin", "thread_outer", NULL);
		}
		complete += s->status == UWS_OK;
	}
	cr_log_info("%d samples (main %zu, thread %zu), chains %zu/%zu, complete %zu, %.1f us stopped per sample",
		    sampled, main_n, thr_n, main_ok, thr_ok, complete,
		    sampled ? (double)stopped / sampled / 1000.0 : 0.0);
	cr_assert_geq(main_n, 25, "main thread sampled %zu times", main_n);
	cr_assert_geq(thr_n, 25, "second thread sampled %zu times", thr_n);
	/* Nearly every sample lands in the spin loops; allow a stray few. */
	cr_assert_geq(main_ok * 10, main_n * 9, "main chains %zu/%zu", main_ok, main_n);
	cr_assert_geq(thr_ok * 10, thr_n * 9, "thread chains %zu/%zu", thr_ok, thr_n);
	cr_assert_geq(complete * 10, ptt_log.n * 9, "complete unwinds %zu/%zu", complete, ptt_log.n);
	cr_assert_gt(stopped, 0);
	cr_assert_lt(stopped / (uint64_t)sampled, 50000000ull);
	ptracer_get_stats(pt, &st);
	cr_assert_eq(st.execs, 0);
	ptracer_detach(pt);
	ptt_assert_released(c.pid, false);
	ptt_assert_runs(c.pid);
	ptt_kill(&c);
}

Test(ptracer, max_depth_truncates)
{
	struct ptt_child c = ptt_spawn(ptt_body_spin2);
	struct ptracer *pt = NULL;
	char err[256], buf[2];
	int r = 0;

	cr_assert_eq(ptt_reports(c.from, buf, 2, 5000), 2);
	cr_assert_eq(ptracer_attach(&pt, c.pid, err, sizeof err), 0, "attach: %s", err);
	for (int k = 0; k < 20 && r == 0; k++)
		r = ptracer_sample(pt, 2, ptt_collect, &ptt_log, NULL);
	cr_assert_gt(r, 0);
	for (size_t i = 0; i < ptt_log.n; i++) {
		cr_assert_eq(ptt_log.s[i].n, 2);
		cr_assert_eq(ptt_log.s[i].status, UWS_DEPTH);
	}
	cr_assert_eq(ptracer_sample(pt, 0, ptt_collect, &ptt_log, NULL), -EINVAL);
	cr_assert_eq(ptracer_sample(pt, 8, NULL, NULL, NULL), -EINVAL);
	ptracer_detach(pt);
	ptt_assert_released(c.pid, false);
	ptt_kill(&c);
}

Test(ptracer, missing_pid_is_esrch)
{
	struct ptracer *pt = (struct ptracer *)&pt;	/* must be reset to NULL */
	char err[256];
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	cr_assert_eq(ptracer_attach(&pt, pid, err, sizeof err), -ESRCH);
	cr_assert_null(pt);
	cr_assert_not_null(strstr(err, "no such process"), "err: %s", err);
	ptracer_detach(NULL);
}

Test(ptracer, already_traced_names_the_tracer)
{
	struct ptt_child c = ptt_spawn(ptt_body_spin2);
	struct ptracer *pt = NULL, *pt2 = NULL;
	char err[256], want[64], buf[2];

	cr_assert_eq(ptt_reports(c.from, buf, 2, 5000), 2);
	cr_assert_eq(ptracer_attach(&pt, c.pid, err, sizeof err), 0, "attach: %s", err);
	cr_assert_eq(ptracer_attach(&pt2, c.pid, err, sizeof err), -EPERM);
	cr_assert_null(pt2);
	snprintf(want, sizeof want, "already traced by PID %d ", (int)gettid());
	cr_assert_not_null(strstr(err, want), "err: %s", err);
	/* The failed attempt must not have disturbed the first tracer. */
	cr_assert_gt(ptt_rounds(pt, 5, 5, NULL), 0);
	ptracer_detach(pt);
	ptt_assert_released(c.pid, false);
	ptt_kill(&c);
}

Test(ptracer, follows_threads_created_after_attach)
{
	struct ptt_child c = ptt_spawn(ptt_body_late);
	struct ptracer *pt = NULL;
	char err[256], buf[1];
	size_t late = 0;

	cr_assert_eq(ptt_reports(c.from, buf, 1, 5000), 1);
	ptt_sleep_ms(50);	/* let it block in read() */
	cr_assert_eq(ptracer_attach(&pt, c.pid, err, sizeof err), 0, "attach: %s", err);
	/* Only a sleeping main thread so far: nothing to sample. */
	cr_assert_eq(ptt_rounds(pt, 3, 5, NULL), 0);
	cr_assert_eq(write(c.to, "g", 1), 1);
	for (int k = 0; k < 200 && late < 10; k++) {
		ptt_rounds(pt, 1, 5, NULL);
		late = 0;
		for (size_t i = 0; i < ptt_log.n; i++)
			if (ptt_log.s[i].tid != c.pid && ptt_has_chain(&ptt_log.s[i], "late_spin", "late_outer", NULL))
				late++;
	}
	cr_assert_geq(late, 10, "new thread sampled %zu times", late);
	ptracer_detach(pt);
	ptt_assert_released(c.pid, false);
	ptt_assert_runs(c.pid);
	ptt_kill(&c);
}

Test(ptracer, exit_during_sampling_is_esrch)
{
	struct ptt_child c = ptt_spawn(ptt_body_exit);
	struct ptracer *pt = NULL;
	char err[256], buf[2];
	int r = 0;

	cr_assert_eq(ptt_reports(c.from, buf, 2, 5000), 2);
	cr_assert_eq(ptracer_attach(&pt, c.pid, err, sizeof err), 0, "attach: %s", err);
	for (int k = 0; k < 500 && r >= 0; k++) {
		r = ptracer_sample(pt, PTT_DEPTH, ptt_collect, &ptt_log, NULL);
		ptt_sleep_ms(10);
	}
	cr_assert_eq(r, -ESRCH);
	cr_assert_gt(ptt_log.n, 0);
	cr_assert_eq(ptracer_sample(pt, PTT_DEPTH, ptt_collect, &ptt_log, NULL), -ESRCH);
	ptracer_detach(pt);
	ptt_kill(&c);
}

Test(ptracer, signals_are_passed_on_and_job_control_works)
{
	struct ptt_child c = ptt_spawn(ptt_body_signals);
	struct ptracer *pt = NULL;
	char err[256], buf[2];
	pid_t tids[8];
	size_t ntid;
	int r = 0;

	cr_assert_eq(ptt_reports(c.from, buf, 2, 5000), 2);
	cr_assert_eq(ptracer_attach(&pt, c.pid, err, sizeof err), 0, "attach: %s", err);
	for (int k = 0; k < 3; k++) {
		size_t got = 0;

		cr_assert_eq(kill(c.pid, SIGUSR1), 0);
		/* A traced thread holds the signal in a stop until we pass it on. */
		for (int j = 0; j < 100 && !got; j++) {
			ptt_rounds(pt, 1, 5, NULL);
			got = ptt_reports(c.from, buf, 1, 0);
		}
		cr_assert_eq(got, 1, "SIGUSR1 #%d never reached the handler", k);
		cr_assert_eq(buf[0], 'u');
	}

	/* SIGSTOP must stop it (group-stop under LISTEN), SIGCONT resume it. */
	cr_assert_eq(kill(c.pid, SIGSTOP), 0);
	for (int k = 0; k < 200; k++) {
		size_t stopped = 0;

		ptt_rounds(pt, 1, 10, NULL);
		ntid = ptt_tasks(c.pid, tids, 8);
		for (size_t i = 0; i < ntid; i++)
			stopped += ptt_state(c.pid, tids[i]) == 't' || ptt_state(c.pid, tids[i]) == 'T';
		if (stopped == ntid)
			break;
	}
	ntid = ptt_tasks(c.pid, tids, 8);
	for (size_t i = 0; i < ntid; i++)
		cr_assert(ptt_state(c.pid, tids[i]) == 't' || ptt_state(c.pid, tids[i]) == 'T',
			  "thread %d not stopped by SIGSTOP", (int)tids[i]);
	cr_assert_eq(ptt_rounds(pt, 5, 10, NULL), 0, "a stopped process got sampled");
	cr_assert_eq(kill(c.pid, SIGCONT), 0);
	for (int k = 0; k < 100 && r == 0; k++)
		r = ptt_rounds(pt, 1, 5, NULL);
	cr_assert_gt(r, 0, "not sampled again after SIGCONT");

	/* Detaching a group-stopped process leaves it stopped by the signal, not by us. */
	cr_assert_eq(kill(c.pid, SIGSTOP), 0);
	ptt_rounds(pt, 10, 10, NULL);
	ptracer_detach(pt);
	ptt_assert_released(c.pid, true);
	cr_assert_eq(kill(c.pid, SIGCONT), 0);
	ptt_sleep_ms(20);
	ptt_assert_released(c.pid, false);
	ptt_assert_runs(c.pid);
	ptt_kill(&c);
}

Test(ptracer, unwinds_through_a_signal_frame_on_an_alternate_stack)
{
	struct ptt_child c = ptt_spawn(ptt_body_sigalt);
	struct ptracer *pt = NULL;
	char err[256], buf[1];
	size_t through = 0, handler = 0;

	cr_assert_eq(ptt_reports(c.from, buf, 1, 5000), 1);
	cr_assert_eq(ptracer_attach(&pt, c.pid, err, sizeof err), 0, "attach: %s", err);
	/* The signal must interrupt child_spin: wait until the child is there. */
	for (int k = 0; k < 200 && !(ptt_log.n && ptt_frame_of(&ptt_log.s[ptt_log.n - 1], "child_spin") == 0); k++)
		ptt_rounds(pt, 1, 5, NULL);
	cr_assert_gt(ptt_log.n, 0);
	cr_assert_eq(ptt_frame_of(&ptt_log.s[ptt_log.n - 1], "child_spin"), 0);
	cr_assert_eq(kill(c.pid, SIGUSR2), 0);
	ptt_rounds(pt, 40, 5, NULL);
	for (size_t i = 0; i < ptt_log.n; i++) {
		const struct ptt_sample *s = &ptt_log.s[i];

		if (ptt_frame_of(s, "handler_spin") != 0)
			continue;
		handler++;
		for (size_t k = 0; k < s->n; k++)
			cr_log_info("%zu: %#lx %s", k, (unsigned long)s->ips[k], ptt_sym(s->ips[k]));
		cr_log_info("status %d", (int)s->status);
		through += ptt_frame_of(s, "handler_outer") == 1 &&
			   ptt_has_chain(s, "handler_spin", "child_mid", "child_outer") &&
			   ptt_frame_of(s, "child_spin") > 1;
	}
	cr_assert_geq(handler, 10, "handler sampled %zu times", handler);
	cr_assert_geq(through * 10, handler * 9, "unwound through the signal frame %zu/%zu", through, handler);
	ptracer_detach(pt);
	ptt_assert_released(c.pid, false);
	ptt_kill(&c);
}

/* Is every ip inside an executable mapping of pid? */
static bool ptt_ips_mapped(pid_t pid, const struct ptt_sample *s)
{
	char path[64], line[512];
	size_t ok = 0;

	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	for (size_t i = 0; i < s->n; i++) {
		FILE *f = fopen(path, "re");
		bool in = false;

		cr_assert_not_null(f);
		while (!in && fgets(line, sizeof line, f)) {
			unsigned long long lo, hi;
			char perms[5];

			if (sscanf(line, "%llx-%llx %4s", &lo, &hi, perms) == 3 && perms[2] == 'x')
				in = s->ips[i] >= lo && s->ips[i] < hi;
		}
		fclose(f);
		ok += in;
	}
	return ok == s->n;
}

Test(ptracer, follows_exec_from_a_second_thread)
{
	struct ptt_child c = ptt_spawn(ptt_body_exec);
	struct ptracer_stats st = { 0 };
	struct ptracer *pt = NULL;
	char err[256], buf[1], exe[256] = "", path[64];
	size_t mark = 0, post = 0, deep = 0;
	ssize_t len;

	cr_assert_eq(ptt_reports(c.from, buf, 1, 5000), 1);
	cr_assert_eq(ptracer_attach(&pt, c.pid, err, sizeof err), 0, "attach: %s", err);
	cr_assert_gt(ptt_rounds(pt, 5, 5, NULL), 0);
	cr_assert_eq(write(c.to, "x", 1), 1);
	for (int k = 0; k < 200 && st.execs == 0; k++) {
		ptt_rounds(pt, 1, 5, NULL);
		ptracer_get_stats(pt, &st);
	}
	cr_assert_eq(st.execs, 1);
	mark = ptt_log.n;
	ptt_rounds(pt, 30, 5, NULL);
	for (size_t i = mark; i < ptt_log.n; i++) {
		const struct ptt_sample *s = &ptt_log.s[i];

		post++;
		cr_assert_eq(s->tid, c.pid, "sample from tid %d after exec", (int)s->tid);
		cr_assert(ptt_ips_mapped(c.pid, s), "unmapped ip after exec");
		deep += s->n > 1;
	}
	cr_log_info("exec: %zu samples after, %zu with callers", post, deep);
	cr_assert_geq(post, 10);
	cr_assert_gt(deep, 0, "no caller frames after exec");
	ptracer_detach(pt);
	snprintf(path, sizeof path, "/proc/%d/exe", (int)c.pid);
	len = readlink(path, exe, sizeof exe - 1);
	cr_assert_gt(len, 0);
	cr_assert_not_null(strstr(exe, "sh"), "child runs %s, not the shell", exe);
	ptt_assert_released(c.pid, false);
	ptt_assert_runs(c.pid);
	ptt_kill(&c);
}

Test(ptracer, foreign_uid_is_explained)
{
	struct ptracer *pt = NULL;
	char err[256];

	if (getuid() == 0)
		cr_skip_test("needs a non-root user (pid 1 belongs to root)");
	cr_assert_eq(ptracer_attach(&pt, 1, err, sizeof err), -EPERM);
	cr_assert_null(pt);
	cr_assert_not_null(strstr(err, "owned by uid 0"), "err: %s", err);
}
