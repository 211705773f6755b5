/* sampler_int.h — the sampler's insides, shared by sampler.c and sampler_perf.c only. */
#ifndef PROFTUI_SAMPLER_INT_H
#define PROFTUI_SAMPLER_INT_H

/*
 * Not for anyone else: the rest of proftui sees the sampler through
 * sampler.h.  The perf method lives in its own file because it is the
 * larger half (records, children, off-CPU pairing, reopening events);
 * both halves work on this one struct, on the sampler thread.
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proftui/modcache.h"
#include "proftui/perfev.h"
#include "proftui/procstat.h"
#include "proftui/ptracer.h"
#include "proftui/pyproc.h"
#include "proftui/record.h"
#include "proftui/sampler.h"
#include "proftui/swpair.h"
#include "proftui/unwind.h"

#define SAMPLER_POLL_MS 100
/* With a Python target found after the perf events were opened to wake us
 * only now and then, drain every millisecond: its frames are read when a
 * sample is drained, and the older the sample the likelier the Python stack
 * has moved on from the native one (pymerge counts those).  Events opened
 * for Python wake us at every sample instead, and then SAMPLER_POLL_MS is
 * enough: an idle interpreter costs 10 wake-ups a second, not 1000. */
#define SAMPLER_PY_POLL_MS 1
/* Wake the consumer at most this often while sampling: a wake-up per
 * drained sample (a Python target drains every sample) costs two context
 * switches.  The views redraw on their own timer (a second by default),
 * and 50 ms of samples fill a few hundred KiB of the ring at most (it
 * holds 16 MiB), so waking more often would only cost the target CPU. */
#define SAMPLER_WAKE_NS 50000000ull
#define SAMPLER_PTRACE_MAX_HZ 200
#define SAMPLER_MAX_FRAMES 16384
#define SAMPLER_MAX_FOREIGN 1024
/* Process-wide figures (REC_PROCSTAT) once a second: rates need no more,
 * and a reading costs ~0.1 ms plus ~25 us per thread (procstat.c). */
#define SAMPLER_PROCSTAT_NS 1000000000ull
/* Look for a Python interpreter in the target this often until one is
 * found: a launched command maps it only after exec, and a program may
 * load libpython later (embedding). */
#define SAMPLER_PYFIND_NS 500000000ull
/* A Python thread's name (pyproc_thread_name, ~50 us) is read when the
 * thread is first seen, then again this often while it is sampled (names
 * can change), or sooner while none could be read (a thread not yet in its
 * Thread._bootstrap); at most SAMPLER_PYNAME_BATCH names per look, and a
 * look every SAMPLER_PYNAME_LOOK_NS.  Never per sample. */
#define SAMPLER_PYNAME_NS 5000000000ull
#define SAMPLER_PYNAME_RETRY_NS 1000000000ull
#define SAMPLER_PYNAME_LOOK_NS 100000000ull
#define SAMPLER_PYNAME_BATCH 16

/* A thread seen in the samples: named once, its Python name kept fresh. */
struct seen_thread {
	uint32_t tid;
	uint64_t seen_ns;        /* its latest sample */
	uint64_t pyname_ns;      /* when to read its Python name next */
	uint64_t pyname_print;   /* fingerprint of the Python name sent, 0: none */
};

/* A process other than the target whose samples arrived (inherited events). */
struct child {
	uint32_t pid;
	bool foreign;            /* runs another program: samples not followed */
};

struct sampler {
	struct sampler_opts o;
	struct ring *ring;
	int wake_fd;
	uint64_t woke_ns;        /* the last sampler_wake_soon that woke it */
	uint64_t jitter_rng;     /* xorshift state: ptrace rounds' spacing */
	int stop_fd;             /* eventfd: the consumer asks us to finish */
	int ctl_fd;              /* eventfd: the consumer asks for off_req */
	atomic_int off_req;      /* -1 nothing, else turn --off-cpu off (0) or on (1) */
	int pidfd;
	pthread_t thread;
	bool started;
	atomic_bool done;
	bool exit_known;         /* ptrace reaped the target: its status */
	int exit_status;

	struct perfev *pe;
	struct ptracer *pt;
	struct modcache *mc;
	struct uw *uw;
	struct procstat_reader *psr;  /* NULL: no process figures */
	struct pyproc *py;            /* NULL: not (yet) a Python target */
	struct swpair *sw;            /* --off-cpu: switch-outs waiting for their end */
	struct frame *pyf;            /* the sample's Python frames, read first */
	size_t npy;
	enum py_status pyst;
	uint32_t py_tid;              /* whose frames pyf holds (0: none) */
	uint64_t py_next;             /* mono ns of the next look for Python */
	bool py_gave_up;              /* an unsupported Python: do not look again */
	bool wakes_each;              /* the perf events wake us at every sample */
	char py_note[200];            /* the last finding told to the user */
	uint64_t ps_next;             /* mono ns of the next reading */

	/* scratch, sampler thread only */
	uint64_t *ips;
	uint8_t *rec;            /* one sample record being built */
	size_t rec_cap;
	struct seen_thread *tids; /* threads already named */
	size_t ntids, captids;
	size_t pyname_at;        /* where the next look for due names starts */
	uint64_t pyname_look_ns; /* when to look next */
	struct pollfd *pfds;
	size_t npfds;

	/* losses not yet reported in a REC_LOST */
	uint64_t lost, throttled, failed, foreign;
	struct child children[SAMPLER_MAX_FOREIGN];
	size_t nchildren;

	/* ptrace start-up handshake */
	int attach_err;
	char attach_msg[256];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool attach_done;
};

/* The sampler's common pieces, used by its perf method (sampler_perf.c). */
bool sampler_push(struct sampler *s, const void *rec, size_t len);
void sampler_note(struct sampler *s, const char *text);
void sampler_thread_name(struct sampler *s, uint32_t tid, const char *comm);
void sampler_procstat(struct sampler *s, bool last);
void sampler_find_python(struct sampler *s);
void sampler_forget_python(struct sampler *s);
void sampler_read_python(struct sampler *s, uint32_t tid);
/* Read the Python names that are due (SAMPLER_PYNAME_NS); from the loops. */
void sampler_name_threads(struct sampler *s);
bool sampler_build_sample(struct sampler *s, uint32_t tid, uint64_t time_ns, const uint64_t *kips,
			  size_t nk, const uint64_t *uips, size_t nu, enum unwind_status st);
void sampler_emit_sample(struct sampler *s, uint32_t tid, uint64_t time_ns,
			 const uint64_t *kips, size_t nk, const uint64_t *uips, size_t nu,
			 enum unwind_status st);
void sampler_flush_losses(struct sampler *s);
void sampler_wake(struct sampler *s);
/* The same while sampling goes on: at most once per SAMPLER_WAKE_NS.  The
 * loops call it at every turn (at least every SAMPLER_POLL_MS), so what
 * was pushed reaches the consumer within that, and they end with
 * sampler_wake. */
void sampler_wake_soon(struct sampler *s);

/* The perf method (sampler_perf.c): open the events (synchronously, for
 * sampler_start's errors) and run the sampling loop until the end. */
int sampler_open_perf(struct sampler *s, struct sampler_info *info, char *err, size_t errlen);
void sampler_run_perf(struct sampler *s);

#endif
