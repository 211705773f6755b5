/* ptproc.h — what /proc says about a ptrace target: thread state and tracer, and why a seize was refused. */
#ifndef PROFTUI_PTPROC_H
#define PROFTUI_PTPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The ptrace sampler's (ptracer.c) reads of /proc and its error messages.
 * Every function reads the files anew (nothing is cached) and copes with a
 * thread or process that vanishes meanwhile.  No ptrace calls here.
 */

/* The state letter of a thread from /proc/PID/task/TID/stat ('R', 'S',
 * 'Z', ...), or 0 when it cannot be read. */
char ptproc_task_state(pid_t pid, pid_t tid);

/* The TracerPid of thread tid of pid: 0 for none, -1 when unreadable. */
pid_t ptproc_tracer_of(pid_t pid, pid_t tid);

/* The tid an entry of /proc/PID/task is named for, 0 when it names none
 * ("." and "..", junk, out of range). */
pid_t ptproc_tid(const char *name);

/* Whether pid is proftui itself or one of its threads: ptrace refuses them. */
bool ptproc_is_self(pid_t pid);

/*
 * Write a one-line cause to err (when err && errlen) and return ret: how
 * ptracer and this module report every failure.
 */
int ptproc_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Turn a failed PTRACE_SEIZE of the leader pid, with errno e, into -errno
 * and a cause in err: ESRCH and zombies are -ESRCH; EPERM is told apart
 * where it can be (another tracer's pid from TracerPid, a different uid
 * without CAP_SYS_PTRACE, yama ptrace_scope); any other e is -e.
 */
int ptproc_explain(pid_t pid, int e, char *err, size_t errlen);

#endif
