/* ptracer.c — the fallback sampler: stop threads briefly with ptrace and unwind them with libunwind-ptrace. */
#include "proftui/ptracer.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proftui/ptproc.h"
#include "proftui/ptunwind.h"

/*
 * Thread bookkeeping, stops and resumes live here; /proc reads and error
 * causes in ptproc.c, the unwinding itself in ptunwind.c.
 */

/* Far beyond any sane target, and keeps the linear lookups bounded. */
#define PT_MAX_THREADS		((size_t)65536)
/* The ips buffer is allocated once; deeper requests are clamped. */
#define PT_MAX_DEPTH		((size_t)1024)
/* How long one thread may take to reach a ptrace-stop before it is skipped. */
#define PT_WAIT_NS		(50 * 1000 * 1000LL)
/* First part of a wait that yields instead of sleeping (see pt_wait). */
#define PT_SPIN_NS		(20 * 1000LL)
/* Longest sleep between two polls of a thread that has not stopped yet. */
#define PT_SLEEP_MAX_NS		200000L
/* Total time ptracer_detach keeps retrying threads that will not stop. */
#define PT_DETACH_NS		(1000 * 1000 * 1000LL)
/* /proc/PID/task re-scans while attaching to a process that keeps spawning. */
#define PT_SCAN_PASSES		100
/* Stops handled per thread per drain, so a signal storm cannot livelock us. */
#define PT_DRAIN_STOPS		64
#define PT_OPTIONS		(PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)

struct pt_thread {
	pid_t tid;		/* 0: dropped, removed by pt_compact */
	bool fresh;		/* auto-attached: its first stop is still to come */
	bool after_exec;	/* its last stop was an exec event */
	int64_t due_ns;		/* born since the last round: its one sample's
				 * time (pt_now), 0 = none (see pt_schedule) */
	struct ptunwind_thread *upt;	/* unwinder state, made on first unwind */
};

struct ptracer {
	pid_t pid;
	pid_t self;		/* the tracer thread, as TracerPid shows it */
	struct ptunwind *uw;
	struct pt_thread *th;
	size_t n, cap;
	uint64_t *ips;		/* PT_MAX_DEPTH entries */
	struct ptracer_stats stats;
	int64_t period_ns;	/* ptracer_set_period; 0 = not told */
	uint64_t rng;		/* xorshift state for pt_schedule */
};

static int64_t pt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long pt_req(enum __ptrace_request req, pid_t tid, uintptr_t data)
{
	return ptrace(req, tid, NULL, (void *)data);
}

/*
 * waitpid has no timeout, and a thread in uninterruptible sleep may take
 * arbitrarily long to reach a ptrace-stop, so poll with WNOHANG.  An
 * interrupted running thread stops within microseconds, so the first
 * PT_SPIN_NS only yield (a nanosleep would add the timer slack, ~50 us, to
 * every sample's stopped time); after that, sleeps doubling up to 200 us,
 * short because the thread may sit stopped for the rest of the sleep.
 * Returns 1 with *st set, 0 when budget_ns ran out (0: poll once), or
 * -errno (ECHILD: the thread is gone).  *missed (may be NULL) is set to the
 * time of each poll that found nothing: the stop began after the last one.
 */
static int pt_wait(pid_t tid, int *st, int64_t budget_ns, int64_t *missed)
{
	int64_t start = pt_now();
	long delay = 10000;

	for (;;) {
		int64_t polled = pt_now();
		pid_t r = waitpid(tid, st, WNOHANG | __WALL);

		if (r == tid)
			return 1;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (missed)
			*missed = polled;
		if (polled - start >= budget_ns)
			return 0;
		if (polled - start < PT_SPIN_NS) {
			sched_yield();
			continue;
		}
		struct timespec ts = { 0, delay };
		nanosleep(&ts, NULL);
		delay = delay * 2 < PT_SLEEP_MAX_NS ? delay * 2 : PT_SLEEP_MAX_NS;
	}
}

/* No EXITKILL: if proftui dies, the kernel detaches and the target runs on. */
static int pt_seize(pid_t tid)
{
	return pt_req(PTRACE_SEIZE, tid, PT_OPTIONS) < 0 ? -1 : 0;
}

static size_t pt_find(const struct ptracer *pt, pid_t tid)
{
	for (size_t i = 0; i < pt->n; i++)
		if (pt->th[i].tid == tid)
			return i;
	return SIZE_MAX;
}

static int pt_add(struct ptracer *pt, pid_t tid, bool fresh)
{
	if (pt->n == pt->cap) {
		size_t cap = pt->cap ? pt->cap * 2 : 16;
		struct pt_thread *th;

		if (pt->cap >= PT_MAX_THREADS)
			return -ENOSPC;
		if (cap > PT_MAX_THREADS)
			cap = PT_MAX_THREADS;
		th = realloc(pt->th, cap * sizeof *th);
		if (!th)
			return -ENOMEM;
		pt->th = th;
		pt->cap = cap;
	}
	pt->th[pt->n++] = (struct pt_thread){ .tid = tid, .fresh = fresh };
	return 0;
}

/* Forget a thread; its slot is reclaimed by pt_compact so indices stay valid meanwhile. */
static void pt_drop(struct ptracer *pt, size_t i)
{
	ptunwind_thread_free(pt->th[i].upt);
	pt->th[i].upt = NULL;
	pt->th[i].tid = 0;
}

static void pt_compact(struct ptracer *pt)
{
	size_t k = 0;

	for (size_t i = 0; i < pt->n; i++)
		if (pt->th[i].tid)
			pt->th[k++] = pt->th[i];
	pt->n = k;
}

/* The signal a stopped tracee must be resumed with: only a signal-delivery-stop carries one. */
static int pt_pending_sig(int st, bool after_exec)
{
	int sig = WSTOPSIG(st);

	if (((unsigned)st >> 16) != 0)
		return 0;
	/* A legacy exec SIGTRAP is ptrace's own, not the program's. */
	if (sig == SIGTRAP && after_exec)
		return 0;
	return sig;
}

/*
 * A thread we trace but cannot keep (table full, out of memory) must not
 * stay stopped or traced: stop it (bounded) and let it go.
 */
static void pt_release(pid_t tid)
{
	int st;

	pt_req(PTRACE_INTERRUPT, tid, 0);
	if (pt_wait(tid, &st, PT_WAIT_NS, NULL) == 1 && WIFSTOPPED(st))
		pt_req(PTRACE_DETACH, tid, (uintptr_t)pt_pending_sig(st, false));
}

/* A traced thread cloned: the child is already ours and will report a first stop. */
static void pt_on_clone(struct ptracer *pt, pid_t parent)
{
	unsigned long msg = 0;
	pid_t tid;

	if (pt_req(PTRACE_GETEVENTMSG, parent, (uintptr_t)&msg) < 0 || msg == 0 || msg > INT_MAX)
		return;
	tid = (pid_t)msg;
	if (pt_find(pt, tid) != SIZE_MAX)
		return;
	if (pt_add(pt, tid, true) < 0)
		pt_release(tid);
}

/*
 * execve reports on the leader's tid even when another thread called it:
 * that thread now carries the leader's tid and its old tid is gone without
 * a report.  The other threads report their deaths on their own.  The new
 * image invalidates both the per-thread ELF cache and the global unwind cache.
 */
static void pt_on_exec(struct ptracer *pt, size_t i)
{
	unsigned long old = 0;

	if (pt_req(PTRACE_GETEVENTMSG, pt->th[i].tid, (uintptr_t)&old) == 0 &&
	    old != (unsigned long)pt->th[i].tid && old <= INT_MAX) {
		size_t j = pt_find(pt, (pid_t)old);

		if (j != SIZE_MAX)
			pt_drop(pt, j);
	}
	ptunwind_thread_free(pt->th[i].upt);
	pt->th[i].upt = NULL;
	ptunwind_flush(pt->uw);
	pt->th[i].after_exec = true;
	pt->stats.execs++;
}

/*
 * A thread born since the last round was held in its first stop until now:
 * sampled in this round it would be caught at its first instruction (in
 * clone3) every time, and by the next round a short-lived one is gone.  As
 * a timer would have, sample it once at a uniformly random point of the
 * coming period (ptracer_sample_due), if it is still running then.
 */
static void pt_schedule(struct ptracer *pt, size_t i)
{
	uint64_t x = pt->rng ? pt->rng : (uint64_t)pt_now() | 1;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	pt->rng = x;
	pt->th[i].due_ns = pt->period_ns > 0 ?
			   pt_now() + 1 + (int64_t)(x % (uint64_t)pt->period_ns) : 0;
}

/* Book-keeping for a ptrace-stop, before the thread is resumed. */
static void pt_note_stop(struct ptracer *pt, size_t i, int st)
{
	unsigned ev = (unsigned)st >> 16;

	if (pt->th[i].fresh)
		pt_schedule(pt, i);
	pt->th[i].fresh = false;
	pt->th[i].after_exec = false;
	if (ev == PTRACE_EVENT_CLONE)
		pt_on_clone(pt, pt->th[i].tid);
	else if (ev == PTRACE_EVENT_EXEC)
		pt_on_exec(pt, i);
}

static bool pt_is_stop_sig(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void pt_resume(const struct ptracer *pt, size_t i, int st, bool after_exec)
{
	pid_t tid = pt->th[i].tid;

	if (((unsigned)st >> 16) == PTRACE_EVENT_STOP && pt_is_stop_sig(WSTOPSIG(st))) {
		/*
		 * Group-stop: PTRACE_CONT would resume a thread the user
		 * stopped; LISTEN keeps it stopped yet lets SIGCONT wake it.
		 */
		pt_req(PTRACE_LISTEN, tid, 0);
		return;
	}
	/* ESRCH here means it was killed meanwhile; its exit is reaped later. */
	pt_req(PTRACE_CONT, tid, (uintptr_t)pt_pending_sig(st, after_exec));
}

/* Handle one wait status of thread i and, if it stopped, resume it. */
static void pt_handle(struct ptracer *pt, size_t i, int st)
{
	bool after_exec = pt->th[i].after_exec;

	if (!WIFSTOPPED(st)) {
		if (pt->th[i].tid == pt->pid && (WIFEXITED(st) || WIFSIGNALED(st))) {
			pt->stats.leader_exited = true;
			pt->stats.leader_status = st;
		}
		pt_drop(pt, i);
		return;
	}
	pt_note_stop(pt, i, st);
	pt_resume(pt, i, st, after_exec);
}

/*
 * Handle every stop already reported (new threads, exits, signals to pass
 * on, stale interrupts).  Threads added meanwhile are visited in the same
 * pass; fresh ones get a bounded wait so they are not left in their first
 * stop until the next round.
 */
static void pt_drain(struct ptracer *pt)
{
	for (size_t i = 0; i < pt->n; i++) {
		for (int k = 0; k < PT_DRAIN_STOPS && pt->th[i].tid; k++) {
			int st;
			int r = pt_wait(pt->th[i].tid, &st, pt->th[i].fresh ? PT_WAIT_NS : 0, NULL);

			if (r == 0)
				break;
			if (r < 0) {
				pt_drop(pt, i);
				break;
			}
			pt_handle(pt, i, st);
		}
	}
	pt_compact(pt);
}

/* Sample thread i if it is on a CPU; returns whether fn was called. */
static bool pt_sample_one(struct ptracer *pt, size_t i, size_t max_depth, ptracer_sample_fn fn,
			  void *ctx, uint64_t *stopped)
{
	pid_t tid = pt->th[i].tid;
	enum unwind_status status;
	bool after_exec;
	int64_t t0;
	size_t n;
	int st, r;

	/* Newborns wait for their own time (pt_schedule); one whose first
	 * stop is still to come (state R on its way into it) is not ours to
	 * interrupt yet. */
	if (pt->th[i].due_ns || pt->th[i].fresh)
		return false;
	if (ptproc_task_state(pt->pid, tid) != 'R')
		return false;
	/*
	 * Stopped time runs from the last empty poll rather than from the
	 * interrupt: a thread waiting for a CPU to take the trap is not held
	 * by us.
	 */
	t0 = pt_now();
	if (pt_req(PTRACE_INTERRUPT, tid, 0) < 0)
		return false;
	r = pt_wait(tid, &st, PT_WAIT_NS, &t0);
	if (r == 0) {
		/* The interrupt stays pending; pt_drain resumes the late stop. */
		pt->stats.skipped++;
		return false;
	}
	if (r < 0) {
		pt_drop(pt, i);
		return false;
	}
	if (!WIFSTOPPED(st)) {
		/* It died meanwhile (a fatal signal passed on in an earlier
		 * round): the leader's status is the command's exit status. */
		pt_handle(pt, i, st);
		return false;
	}
	/*
	 * Any ptrace-stop will do (it may be a signal or a clone that beat the
	 * interrupt): the registers are the thread's, and the stop is then
	 * resumed the way its kind requires.
	 */
	after_exec = pt->th[i].after_exec;
	pt_note_stop(pt, i, st);
	n = ptunwind_stack(pt->uw, &pt->th[i].upt, tid, pt->ips, max_depth, &status);
	/* Read the clock first: once resumed, the thread may preempt us. */
	*stopped += (uint64_t)(pt_now() - t0);
	pt_resume(pt, i, st, after_exec);
	fn(ctx, tid, pt->ips, n, status);
	return true;
}

static void pt_free(struct ptracer *pt)
{
	for (size_t i = 0; i < pt->n; i++)
		ptunwind_thread_free(pt->th[i].upt);
	ptunwind_free(pt->uw);
	free(pt->th);
	free(pt->ips);
	free(pt);
}

static struct ptracer *pt_new(pid_t pid)
{
	struct ptracer *pt = calloc(1, sizeof *pt);

	if (!pt)
		return NULL;
	pt->pid = pid;
	pt->self = gettid();
	pt->ips = calloc(PT_MAX_DEPTH, sizeof *pt->ips);
	pt->uw = ptunwind_new();
	if (!pt->ips || !pt->uw) {
		pt_free(pt);
		return NULL;
	}
	return pt;
}

/* Seize the threads of /proc/PID/task not yet known; returns how many were added. */
static size_t pt_scan(struct ptracer *pt)
{
	char path[64];
	struct dirent *de;
	size_t added = 0;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pt->pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		pid_t tid = ptproc_tid(de->d_name);
		bool fresh = false;

		if (!tid || pt_find(pt, tid) != SIZE_MAX)
			continue;
		if (pt_seize(tid) < 0) {
			/*
			 * EPERM from a thread a seized thread just cloned:
			 * TRACECLONE already made it ours.  Otherwise it
			 * vanished or is exiting: skip it.
			 */
			if (errno != EPERM || ptproc_tracer_of(pt->pid, tid) != pt->self)
				continue;
			fresh = true;
		}
		if (pt_add(pt, tid, fresh) < 0) {
			pt_release(tid);
			continue;
		}
		added++;
	}
	closedir(d);
	return added;
}

int ptracer_attach(struct ptracer **out, pid_t pid, char *err, size_t errlen)
{
	struct ptracer *pt;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return ptproc_fail(err, errlen, -EINVAL, "no place for the tracer");
	*out = NULL;
	if (pid <= 0)
		return ptproc_fail(err, errlen, -ESRCH, "no such process %d", (int)pid);
	if (ptproc_is_self(pid))
		return ptproc_fail(err, errlen, -EINVAL, "cannot trace proftui itself (pid %d)", (int)pid);
	pt = pt_new(pid);
	if (!pt)
		return ptproc_fail(err, errlen, -ENOMEM, "out of memory");
	/* The leader first: its errors are the ones worth explaining. */
	if (pt_seize(pid) < 0) {
		int r = ptproc_explain(pid, errno, err, errlen);

		pt_free(pt);
		return r;
	}
	if (pt_add(pt, pid, false) < 0) {
		pt_release(pid);
		pt_free(pt);
		return ptproc_fail(err, errlen, -ENOMEM, "out of memory");
	}
	/* Threads may be born while we attach: scan until a pass finds none. */
	for (int k = 0; k < PT_SCAN_PASSES && pt_scan(pt) > 0; k++)
		;
	pt_drain(pt);
	if (pt->n == 0) {
		pt_free(pt);
		return ptproc_fail(err, errlen, -ESRCH, "process %d exited while attaching", (int)pid);
	}
	*out = pt;
	return 0;
}

int ptracer_sample(struct ptracer *pt, size_t max_depth, ptracer_sample_fn fn, void *ctx,
		   uint64_t *stopped_ns)
{
	uint64_t stopped = 0;
	int sampled = 0;

	if (stopped_ns)
		*stopped_ns = 0;
	if (!pt || !fn || max_depth == 0)
		return -EINVAL;
	if (max_depth > PT_MAX_DEPTH)
		max_depth = PT_MAX_DEPTH;
	/*
	 * Sample first, then handle the stops reported since the last round.
	 * The other order would sample threads just let go from a stop (a
	 * thread creating threads, held at each clone event) at the moment
	 * they run on: the samples would follow our own releases, not the
	 * program.  Newborns whose time has passed go first.
	 */
	sampled = ptracer_sample_due(pt, max_depth, fn, ctx);
	for (size_t i = 0; i < pt->n; i++)
		if (pt->th[i].tid && pt_sample_one(pt, i, max_depth, fn, ctx, &stopped))
			sampled++;
	pt_drain(pt);
	if (stopped_ns)
		*stopped_ns = stopped;
	return pt->n ? sampled : -ESRCH;
}

void ptracer_set_period(struct ptracer *pt, uint64_t period_ns)
{
	if (pt)
		pt->period_ns = period_ns > INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)period_ns;
}

int64_t ptracer_next_due(const struct ptracer *pt)
{
	int64_t due = INT64_MAX;

	for (size_t i = 0; pt && i < pt->n; i++)
		if (pt->th[i].tid && pt->th[i].due_ns && pt->th[i].due_ns < due)
			due = pt->th[i].due_ns;
	return due;
}

int ptracer_sample_due(struct ptracer *pt, size_t max_depth, ptracer_sample_fn fn, void *ctx)
{
	int64_t now = pt_now();
	uint64_t stopped = 0;
	int sampled = 0;

	if (!pt || !fn || max_depth == 0)
		return -EINVAL;
	if (max_depth > PT_MAX_DEPTH)
		max_depth = PT_MAX_DEPTH;
	for (size_t i = 0; i < pt->n; i++) {
		if (!pt->th[i].tid || !pt->th[i].due_ns || pt->th[i].due_ns > now)
			continue;
		pt->th[i].due_ns = 0;
		if (pt_sample_one(pt, i, max_depth, fn, ctx, &stopped))
			sampled++;
	}
	pt_compact(pt);
	return sampled;
}

void ptracer_get_stats(const struct ptracer *pt, struct ptracer_stats *st)
{
	if (!st)
		return;
	*st = pt ? pt->stats : (struct ptracer_stats){ 0 };
}

/* Detach thread i if it reaches a ptrace-stop within budget_ns. */
static void pt_detach_one(struct ptracer *pt, size_t i, int64_t budget_ns)
{
	bool after_exec = pt->th[i].after_exec;
	int st;
	int r = pt_wait(pt->th[i].tid, &st, budget_ns, NULL);

	if (r == 0)
		return;
	if (r < 0 || !WIFSTOPPED(st)) {
		pt_drop(pt, i);
		return;
	}
	/* A clone adds the child (detached later in this pass); an exec drops the old tid. */
	pt_note_stop(pt, i, st);
	/*
	 * A pending signal is handed over with the detach.  A thread in
	 * group-stop stays stopped, as job control wants, not because of us.
	 */
	pt_req(PTRACE_DETACH, pt->th[i].tid, (uintptr_t)pt_pending_sig(st, after_exec));
	pt_drop(pt, i);
}

/*
 * PTRACE_DETACH needs the tracee in a ptrace-stop, so interrupt everyone
 * first (they stop in parallel), then wait for and detach each.  A thread
 * that will not stop (uninterruptible sleep) is retried until PT_DETACH_NS;
 * if it still has not stopped, it stays traced until proftui exits, when
 * the kernel detaches it.
 */
void ptracer_detach(struct ptracer *pt)
{
	int64_t deadline = pt_now() + PT_DETACH_NS;

	if (!pt)
		return;
	for (;;) {
		pt_compact(pt);
		if (pt->n == 0)
			break;
		int64_t left = deadline - pt_now();
		if (left < 0)
			break;
		for (size_t i = 0; i < pt->n; i++)
			pt_req(PTRACE_INTERRUPT, pt->th[i].tid, 0);
		for (size_t i = 0; i < pt->n; i++) {
			if (!pt->th[i].tid)
				continue;
			left = deadline - pt_now();
			pt_detach_one(pt, i, left < 0 ? 0 : left < PT_WAIT_NS ? left : PT_WAIT_NS);
		}
	}
	pt_free(pt);
}
