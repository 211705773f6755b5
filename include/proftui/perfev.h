/* perfev.h — perf_event_open sampling of one process: events, kernel mmap rings, record parsing. */
#ifndef PROFTUI_PERFEV_H
#define PROFTUI_PERFEV_H

#include <linux/perf_event.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proftui/unwind.h"

/*
 * One cpu-clock sampling event per (existing thread, CPU), all with inherit
 * set so threads created later are sampled by their creator's events, and
 * all of one CPU's events writing into that CPU's single kernel ring
 * (PERF_EVENT_IOC_SET_OUTPUT) — the layout `perf record -p` uses, since the
 * kernel refuses to mmap inherited per-thread events.  Each sample carries the
 * user registers and a copy of the user stack; kernel frames come as a
 * callchain when the system allows it.  Sampling never stops the target.
 */
struct perfev;

struct perfev_opts {
	unsigned freq_hz;        /* samples per second of CPU time, per thread */
	uint32_t stack_size;     /* bytes of user stack copied per sample */
	bool kernel;             /* ask for kernel frames (falls back if refused) */
	bool enable_on_exec;     /* start counting at the target's execve */
	bool off_cpu;            /* also a sample at every switch-out of a target
				  * thread (software context-switches event)
				  * and PERF_RECORD_SWITCH records (in/out,
				  * preempted or not): time off the CPU */
	bool wake_each_sample;   /* wake the reader at every sample, not when a
				  * ring is half full: Python frames are read at
				  * drain time, so they need it (about doubles
				  * the sampler's CPU per sample) */
};

/* What the open actually got, for the user to see. */
struct perfev_info {
	bool kernel;             /* kernel frames are collected */
	size_t nevents;          /* file descriptors */
	size_t ring_bytes;       /* per CPU ring */
	bool off_cpu;            /* off-CPU events are open (refused without
				  * kernel sampling: perf_event_paranoid) */
	bool sched_switch;       /* --off-cpu uses the sched_switch tracepoint
				  * (exact states), not the software event */
	unsigned ncpus;
	uint32_t stack_size;
};

/*
 * Open events on every thread of pid (re-scanning /proc/PID/task until no
 * thread appears that has no event).  Returns 0, or -errno with a one-line
 * cause in err: -ESRCH no such process, -EACCES/-EPERM not permitted (the
 * message quotes perf_event_paranoid and names CAP_PERFMON), -EMFILE.
 */
int perfev_open(struct perfev **out, pid_t pid, const struct perfev_opts *o,
		struct perfev_info *info, char *err, size_t errlen);
void perfev_close(struct perfev *pe);

/* Poll set: one entry per event fd (any of them wakes when its ring has
 * data).  Returns the count written (at most max). */
size_t perfev_pollfds(const struct perfev *pe, struct pollfd *fds, size_t max);
size_t perfev_nfds(const struct perfev *pe);

/* Every record waiting in the rings, oldest first per ring; a record that
 * wraps the ring end is reassembled in a scratch buffer.  The pointer is
 * valid during the callback only. */
typedef void (*perfev_record_fn)(void *ctx, const struct perf_event_header *h);
int perfev_drain(struct perfev *pe, perfev_record_fn fn, void *ctx);

#define PERFEV_MAX_KFRAMES 127

struct perfev_sample {
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time_ns;
	uint64_t kchain[PERFEV_MAX_KFRAMES]; /* kernel frames, leaf first, markers removed */
	size_t nkchain;
	bool has_regs;
	uint64_t regs[UW_NREGS];   /* by PERF_REG_X86_* index */
	const uint8_t *stack;
	size_t stack_len;          /* valid bytes (dyn_size) */
	bool switch_out;           /* from the off-CPU event: the thread is
				    * leaving the CPU (perfev_opts.off_cpu) */
	bool has_state;            /* prev_state is known (the sched_switch
				    * tracepoint; not with the software event) */
	int64_t prev_state;        /* the tracepoint's: 0 R, 1 S, 2 D, ...,
				    * 0x100 (TASK_REPORT_MAX) preempted */
};

/* A PERF_RECORD_SWITCH of a target thread (perfev_opts.off_cpu). */
struct perfev_switch {
	uint32_t pid, tid;
	uint64_t time_ns;
	bool out;                  /* switched out (else in) */
	bool preempted;            /* out while still runnable */
};

/* Parse a PERF_RECORD_SWITCH; false when malformed. */
bool perfev_parse_switch(const struct perfev *pe, const struct perf_event_header *h,
			 struct perfev_switch *s);

/* Parse a PERF_RECORD_SAMPLE laid out for this perfev's sample_type; false
 * on a malformed record (every length is checked against the record size). */
bool perfev_parse_sample(const struct perfev *pe, const struct perf_event_header *h,
			 struct perfev_sample *s);

#endif
