/* ptracer.h — the fallback sampler: interrupt threads with ptrace and unwind them with libunwind-ptrace. */
#ifndef PROFTUI_PTRACER_H
#define PROFTUI_PTRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proftui/record.h"

/*
 * Used only when perf_event_open is refused.  Threads are attached with
 * PTRACE_SEIZE (never SIGSTOP), stopped for the shortest time with
 * PTRACE_INTERRUPT, unwound with libunwind-ptrace, then resumed.  Because
 * the tracees are seized, if proftui dies the kernel detaches them and they
 * run on: no thread can be left stopped.  New threads are followed through
 * PTRACE_O_TRACECLONE.  All calls must come from the one thread that attached
 * (ptrace's rule): the sampler thread.
 */
struct ptracer;

/*
 * Seize every thread of `pid`.  On failure returns -errno and writes a
 * one-line cause to err: EPERM is told apart by cause where it can be
 * (another tracer's pid from TracerPid, a different uid, missing
 * CAP_SYS_PTRACE, yama ptrace_scope).  Threads that vanish while attaching
 * are skipped, not errors.
 */
int ptracer_attach(struct ptracer **out, pid_t pid, char *err, size_t errlen);

typedef void (*ptracer_sample_fn)(void *ctx, pid_t tid, const uint64_t *ips, size_t n,
				  enum unwind_status status);

/*
 * Take one sample of every thread that is running or runnable (state R in
 * /proc/PID/task/TID/stat; sleeping threads are not on the CPU and are not
 * sampled): interrupt it, unwind up to max_depth frames (leaf first; frames
 * after the first are return addresses minus one), resume it, then call fn.
 * Also processes pending ptrace events (new threads, exits, signals, which
 * are passed on to the tracee unchanged; an exec's SIGTRAP is never passed
 * on).  Returns the number of threads sampled, or -ESRCH when the process is
 * gone.  *stopped_ns (may be NULL) gets the total time threads were kept
 * stopped, for the overhead figure.
 */
int ptracer_sample(struct ptracer *pt, size_t max_depth, ptracer_sample_fn fn, void *ctx,
		   uint64_t *stopped_ns);

/*
 * Threads born since the last round are not sampled in the round that lets
 * them go (they would be at their first instruction); each gets one sample
 * at a random time within the next period_ns instead, taken by
 * ptracer_sample_due (or by the next ptracer_sample, when that comes
 * first).  Without a period (0, the default) newborns are sampled in every
 * round like the other threads.
 */
void ptracer_set_period(struct ptracer *pt, uint64_t period_ns);

/* The earliest time (CLOCK_MONOTONIC ns) a newborn's sample is due, or
 * INT64_MAX when none is. */
int64_t ptracer_next_due(const struct ptracer *pt);

/* Sample the newborns whose time has come (those still running), as
 * ptracer_sample does.  Returns how many were sampled, or -EINVAL. */
int ptracer_sample_due(struct ptracer *pt, size_t max_depth, ptracer_sample_fn fn, void *ctx);

/*
 * Counters for the status line.  skipped: threads that did not stop within
 * the bound after PTRACE_INTERRUPT (e.g. in uninterruptible sleep) and so
 * were left out of a round.  execs: execve calls seen; when it grows the
 * caller must treat every module as new (REC_EXEC).
 */
struct ptracer_stats {
	uint64_t skipped;
	uint64_t execs;
	/* The tracer's waitpid collects the thread-group leader's end: when
	 * proftui launched the target this is the only place its status is. */
	bool leader_exited;
	int leader_status;      /* wait status, valid when leader_exited */
};

void ptracer_get_stats(const struct ptracer *pt, struct ptracer_stats *st);

/* Detach from every thread (each is left running) and free.  Safe on NULL. */
void ptracer_detach(struct ptracer *pt);

#endif
