/* ptunwind.h — unwind a ptrace-stopped thread's stack with libunwind-ptrace. */
#ifndef PROFTUI_PTUNWIND_H
#define PROFTUI_PTUNWIND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proftui/record.h"

/*
 * The ptrace sampler (ptracer.c) keeps one struct ptunwind for the traced
 * process and one struct ptunwind_thread per thread; this is the only file
 * that calls libunwind.  Unwind rules are cached by ip for the whole
 * process until ptunwind_flush (an exec).  Calls come from the tracer
 * thread only, on threads it holds in a ptrace-stop.
 */
struct ptunwind;
struct ptunwind_thread;

/* NULL when out of memory. */
struct ptunwind *ptunwind_new(void);
/* Safe on NULL.  Free the threads' state first. */
void ptunwind_free(struct ptunwind *u);

/* The process exec'd: forget every cached unwind rule. */
void ptunwind_flush(struct ptunwind *u);

/* Forget a thread's state (made by ptunwind_stack); safe on NULL. */
void ptunwind_thread_free(struct ptunwind_thread *t);

/*
 * Unwind thread tid, which must be in a ptrace-stop, into ips (at most
 * max_depth >= 1 frames, leaf first: the leaf's and a signal-interrupted
 * frame's ip exact, the others return addresses minus one, inside the
 * call).  *t is the thread's state:
 * NULL the first time, made here and kept by the caller.  Returns the
 * frame count and sets *status to how the walk ended (UWS_NO_USER when it
 * could not start).
 */
size_t ptunwind_stack(struct ptunwind *u, struct ptunwind_thread **t, pid_t tid, uint64_t *ips,
		      size_t max_depth, enum unwind_status *status);

#endif
