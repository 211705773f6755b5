/* procstat.h — process-wide figures of the target (CPU time, memory, faults, I/O, switches, thread states). */
#ifndef PROFTUI_PROCSTAT_H
#define PROFTUI_PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>

/*
 * One reading of /proc for the whole target, in a plain fixed-size struct
 * that travels through the ring as REC_PROCSTAT (record.h): counters are
 * totals since the process started, so the consumer (prochist) derives rates
 * from two readings.  Only the sampler thread reads the target; the UI never
 * calls this module.
 *
 * Sources: libproc2 (procps 4) for the process's CPU times, memory, faults
 * and thread count; /proc/PID/io and each thread's status file (state and
 * context switches) are read by hand (see procstat.c: libproc2 4.0.2 has no
 * switch counts, and turns an unreadable io file into zeros).
 */

/* Thread states, as the kernel letters them. */
enum procstat_state {
	PROCSTAT_RUN = 0,   /* R: running or runnable */
	PROCSTAT_SLEEP,     /* S: interruptible sleep */
	PROCSTAT_DISK,      /* D: uninterruptible sleep, usually waiting for I/O */
	PROCSTAT_STOP,      /* T or t: stopped by a signal or by a tracer */
	PROCSTAT_OTHER,     /* Z zombie, X dead, I idle, anything else */
	PROCSTAT__NSTATES
};

enum {
	PROCSTAT_IO_KNOWN = 1 << 0,        /* read_bytes/write_bytes are valid */
	PROCSTAT_THREADS_PARTIAL = 1 << 1, /* states and switches cover only
					      PROCSTAT_MAX_THREADS threads */
};

/* Threads whose state and switches one reading looks at (cost bound). */
#define PROCSTAT_MAX_THREADS 1024

struct procstat {
	uint64_t time_ns;        /* CLOCK_MONOTONIC when read */
	uint64_t utime_ns;       /* user CPU time, all threads, dead ones too */
	uint64_t stime_ns;       /* system CPU time, likewise */
	uint64_t rss_bytes;      /* resident set */
	uint64_t vsize_bytes;    /* virtual size */
	uint64_t swap_bytes;     /* swapped out */
	uint64_t minflt;         /* minor (no I/O) page faults */
	uint64_t majflt;         /* major page faults (read from disk) */
	uint64_t read_bytes;     /* storage I/O read (io: read_bytes) */
	uint64_t write_bytes;    /* storage I/O written (io: write_bytes) */
	uint64_t vol_cs;         /* voluntary context switches, live threads only */
	uint64_t invol_cs;       /* involuntary context switches, live threads only */
	uint32_t nthreads;
	uint32_t flags;          /* PROCSTAT_IO_KNOWN, PROCSTAT_THREADS_PARTIAL */
	uint32_t states[PROCSTAT__NSTATES];  /* threads in each enum procstat_state */
	uint32_t pad;            /* keeps the size a multiple of 8 for the ring */
};

/* A reader for one target: the libproc2 contexts, kept across readings. */
struct procstat_reader;

/* Returns 0 or -errno (-ENOMEM).  The pid need not exist yet. */
int procstat_new(struct procstat_reader **out, pid_t pid);

/* Safe on NULL. */
void procstat_free(struct procstat_reader *r);

/*
 * Fill *out from the reader's target.  Returns 0, -ESRCH once the process is
 * gone, or another -errno; *out is meaningful only on 0.  An unreadable io
 * file (another user's process) clears PROCSTAT_IO_KNOWN but is no error.
 * Costs a few file reads per reading plus one per thread (see procstat.c).
 */
int procstat_get(struct procstat_reader *r, struct procstat *out);

/* One thread as the last procstat_get found it (for the thread list). */
struct procstat_thread {
	uint32_t tid;
	uint32_t state;          /* enum procstat_state */
	uint64_t cpu_ns;         /* user + system CPU time so far */
	uint64_t vol_cs, invol_cs;
};

/*
 * The threads the last successful procstat_get looked at (at most
 * PROCSTAT_MAX_THREADS), in /proc's order; valid until the next call on r.
 * Each costs one more file read (its stat file) per reading.
 */
const struct procstat_thread *procstat_threads_of(const struct procstat_reader *r, size_t *n);

/* One-shot: procstat_new + procstat_get + procstat_free. */
int procstat_read(pid_t pid, struct procstat *out);

#endif
