/* record.h — the records the sampler thread sends through the ring to the consumer. */
#ifndef PROFTUI_RECORD_H
#define PROFTUI_RECORD_H

#include <stdint.h>

#include "proftui/procstat.h"

/*
 * The ring is the only crossing between the sampler and the rest of proftui,
 * so everything the consumer learns about the target arrives as one of these
 * records, in order.  A module is always announced (REC_MODULE) before the
 * first sample that refers to it, so the consumer can symbolise with no access
 * to the sampler's state.
 */

enum rec_type {
	REC_SAMPLE = 1,  /* one unwound stack */
	REC_MODULE,      /* a new module id and how to open its file */
	REC_THREAD,      /* a thread's name (first seen, or renamed) */
	REC_LOST,        /* samples the kernel or the sampler could not deliver */
	REC_EXIT,        /* the target process exited */
	REC_EXEC,        /* the target called execve: module ids start over */
	REC_PROCSTAT,    /* process-wide figures, about once a second */
	REC_PYCODE,      /* a Python code object's names, before its first frame */
	REC_NOTE,        /* a one-line message for the user (e.g. Python found) */
	REC_THREADSTAT,  /* each thread's state, CPU time and switches, with REC_PROCSTAT */
	REC_PYTHREAD,    /* a thread's name as Python gives it (first read, or renamed) */
};

struct rec_hdr {
	uint16_t type;   /* enum rec_type */
	uint16_t pad;
	uint32_t size;   /* whole record, header included */
};

/* Module id 0 means "no module": the frame's addr is an absolute address. */
enum frame_kind {
	FRAME_USER = 0,      /* addr = file offset inside module (or absolute if module 0) */
	FRAME_KERNEL,        /* addr = absolute kernel address */
	FRAME_TRUNCATED,     /* marker: the unwinder stopped early here (see rec_sample.status) */
	FRAME_PYTHON,        /* module = Python code id (REC_PYCODE); addr = 1 when the
			      * frame is the outermost of one call of the evaluation
			      * loop (pyframes.h: entry), else 0 */
};

struct frame {
	uint64_t addr;
	uint32_t module;
	uint32_t kind;       /* enum frame_kind */
};

/* Why an unwind ended; UNW_OK is a complete stack down to the thread's start. */
enum unwind_status {
	UWS_OK = 0,
	UWS_DEPTH,        /* hit --max-depth */
	UWS_STACK_COPY,   /* ran past the end of the copied user stack */
	UWS_NO_CFI,       /* no unwind info and frame pointers did not help */
	UWS_BAD_FRAME,    /* corrupt frame: SP/CFA did not progress, bad address */
	UWS_NO_USER,      /* sample had no user registers (kernel thread or exiting) */
	UWS__COUNT
};

/* How reading a sample's Python frames went (pyproc.c, pymerge.c). */
enum py_status {
	PYS_NONE = 0,     /* not a Python process, or the thread runs no Python code */
	PYS_OK,           /* frames read and merged */
	PYS_READ,         /* a read of the target's memory failed */
	PYS_CYCLE,        /* the frame chain looped */
	PYS_DEPTH,        /* more Python frames than --max-depth: outermost cut */
	PYS_BAD,          /* an implausible frame (torn by the running thread) */
	PYS_TORN,         /* the thread's stack changed while it was read */
	PYS_NO_THREAD,    /* no interpreter thread state for this thread */
	PYS_MISMATCH,     /* Python and native stacks disagree: native shown */
	PYS__COUNT
};

/* Where a sample's thread was (--off-cpu adds the last three). */
enum cpu_state {
	CPU_ON = 0,       /* running: a cpu-clock sample, weight in periods */
	CPU_RUNNABLE,     /* switched out while runnable: waiting for a CPU */
	CPU_IOWAIT,       /* blocked uninterruptibly (state D): usually disk IO */
	CPU_SLEEP,        /* blocked interruptibly (state S): sleep, poll, locks */
	CPU__COUNT
};

struct rec_sample {
	struct rec_hdr h;
	uint32_t pid, tid;
	uint64_t time_ns;      /* CLOCK_MONOTONIC of the sample */
	uint64_t weight;       /* usually 1 */
	uint16_t nframes;      /* frames[] entries, leaf first, kernel frames before
				* user; FRAME_PYTHON frames, if any, come last,
				* innermost first, apart from the native ones */
	uint8_t status;        /* enum unwind_status */
	uint8_t py_status;     /* enum py_status */
	uint8_t cpu_state;     /* enum cpu_state; off the CPU, weight is the
				* time until the thread ran again, in sampling
				* periods, so it adds up with on-CPU samples */
	uint8_t pad[3];
	struct frame frames[];
};

enum module_kind {
	MOD_FILE = 0,   /* an ELF file; path opens it */
	MOD_VDSO,       /* the kernel's vDSO */
	MOD_ANON,       /* anonymous executable memory: JIT, see perf-PID.map */
	MOD_KERNEL,     /* the kernel; symbols from /proc/kallsyms */
};

struct rec_module {
	struct rec_hdr h;
	uint32_t id;
	uint32_t kind;          /* enum module_kind */
	uint32_t pid;           /* for MOD_ANON: whose perf-PID.map */
	uint8_t build_id_len;
	uint8_t build_id[20];
	uint8_t pad[3];
	/* Two NUL-terminated strings follow: the display path as the target sees
	 * it, then the path proftui opens (through /proc/PID/root or map_files). */
	char paths[];
};

struct rec_thread {
	struct rec_hdr h;
	uint32_t tid;
	char comm[20];          /* NUL-terminated, raw bytes from the kernel */
};

/*
 * The name of a Python thread (threading's, pyobj.h), read when the thread
 * is first seen and every few seconds after, sent when it changes.  It
 * replaces the thread's kernel name: every thread of a Python program has
 * the interpreter's (python3), which tells them apart no more than "?".
 */
struct rec_pythread {
	struct rec_hdr h;
	uint32_t tid;
	uint32_t pad;
	char name[];            /* NUL-terminated, UTF-8 as Python has it */
};

struct rec_lost {
	struct rec_hdr h;
	uint64_t kernel_lost;   /* PERF_RECORD_LOST */
	uint64_t throttled;     /* PERF_RECORD_THROTTLE events */
	uint64_t unwind_failed; /* samples the sampler could not turn into a stack */
	uint64_t foreign;       /* samples of child processes that exec'd another
				 * program: not followed (their mappings differ) */
};

/* A procstat reading; the sampler skips readings that fail (target exiting). */
struct rec_procstat {
	struct rec_hdr h;
	struct procstat ps;
};

/* A Python code object, announced once before the first frame naming it. */
struct rec_pycode {
	struct rec_hdr h;
	uint32_t id;            /* FRAME_PYTHON's module field */
	int32_t firstlineno;    /* the line of its def */
	/* Two NUL-terminated strings follow: the function's (qualified) name,
	 * then the file it was defined in, both UTF-8 as Python has them. */
	char strs[];
};

/* Per-thread figures of one procstat reading (procstat_threads_of). */
struct rec_threadstat {
	struct rec_hdr h;
	uint64_t time_ns;       /* the reading's time (its REC_PROCSTAT's) */
	uint32_t n;             /* entries in t[] */
	uint32_t pad;
	struct procstat_thread t[];
};

/* A message for the user, NUL-terminated, one line. */
struct rec_note {
	struct rec_hdr h;
	char text[];
};

struct rec_exit {
	struct rec_hdr h;
	int32_t status;         /* wait status if known, else -1 */
	uint32_t pad;
};

#endif
