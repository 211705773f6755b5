/* sampler.c — the sampler thread: perf or ptrace samples, unwound, into the ring. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proftui/monotime.h"
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
/* With a Python target, drain every millisecond: its frames are read when
 * a sample is drained, and the older the sample the likelier the Python
 * stack has moved on from the native one (pymerge counts those). */
#define SAMPLER_PY_POLL_MS 1
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

/* A process other than the target whose samples arrived (inherited events). */
struct child {
	uint32_t pid;
	bool foreign;            /* runs another program: samples not followed */
};

struct sampler {
	struct sampler_opts o;
	struct ring *ring;
	int wake_fd;
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
	char py_note[200];            /* the last finding told to the user */
	uint64_t ps_next;             /* mono ns of the next reading */

	/* scratch, sampler thread only */
	uint64_t *ips;
	uint8_t *rec;            /* one sample record being built */
	size_t rec_cap;
	uint32_t *tids;          /* threads already named */
	size_t ntids, captids;
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

static bool push(struct sampler *s, const void *rec, size_t len)
{
	void *p = ring_reserve(s->ring, len);

	if (!p)
		return false;
	memcpy(p, rec, len);
	ring_commit(s->ring);
	return true;
}

static int announce_module(void *ctx, const struct mod *m)
{
	struct sampler *s = ctx;
	size_t l1 = strlen(m->path) + 1, l2 = strlen(m->open_path) + 1;
	size_t len = sizeof(struct rec_module) + l1 + l2;
	struct rec_module *r = ring_reserve(s->ring, (len + 7) & ~(size_t)7);

	if (!r)
		return -1;
	memset(r, 0, sizeof(*r));
	r->h.type = REC_MODULE;
	r->h.size = (uint32_t)((len + 7) & ~(size_t)7);
	r->id = m->id;
	r->kind = m->kind;
	r->pid = (uint32_t)s->o.pid;
	r->build_id_len = m->build_id_len;
	memcpy(r->build_id, m->build_id, sizeof(r->build_id));
	memcpy(r->paths, m->path, l1);
	memcpy(r->paths + l1, m->open_path, l2);
	ring_commit(s->ring);
	return 0;
}

/* Push a record of a fixed part and up to two NUL-terminated strings. */
static bool push_strs(struct sampler *s, const void *fixed, size_t flen, const char *a,
		      const char *b)
{
	size_t la = strlen(a) + 1, lb = b ? strlen(b) + 1 : 0;
	size_t len = (flen + la + lb + 7) & ~(size_t)7;
	uint8_t *r = ring_reserve(s->ring, len);

	if (!r)
		return false;
	memset(r, 0, len);
	memcpy(r, fixed, flen);
	((struct rec_hdr *)(void *)r)->size = (uint32_t)len;
	memcpy(r + flen, a, la);
	if (b)
		memcpy(r + flen + la, b, lb);
	ring_commit(s->ring);
	return true;
}

static void announce_pycode(void *ctx, uint32_t id, const struct pyf_code *c)
{
	struct rec_pycode r = { .h = { REC_PYCODE, 0, 0 }, .id = id,
				.firstlineno = c->firstlineno };

	push_strs(ctx, &r, sizeof(r), c->name, c->file);
}

static void send_note(struct sampler *s, const char *text)
{
	struct rec_note r = { .h = { REC_NOTE, 0, 0 } };

	push_strs(s, &r, sizeof(r), text, NULL);
}

/* Look for CPython in the target (sampler_opts.python), now and then until
 * found or found unsupported; an exec starts the search over. */
static void maybe_find_python(struct sampler *s)
{
	uint64_t now = monotime_ns();
	char note[200];
	enum pyproc_find r;

	if (!s->o.python || s->py || s->py_gave_up || now < s->py_next)
		return;
	s->py_next = now + SAMPLER_PYFIND_NS;
	r = pyproc_find(&s->py, s->o.pid, announce_pycode, s, note, sizeof(note));
	if (r == PYPROC_UNSUPPORTED)
		s->py_gave_up = true;
	/* Once per finding: an exec of the same interpreter finds it again. */
	if (r != PYPROC_NONE && strcmp(note, s->py_note)) {
		snprintf(s->py_note, sizeof(s->py_note), "%s", note);
		send_note(s, note);
	}
}

static void forget_python(struct sampler *s)
{
	pyproc_free(s->py);
	s->py = NULL;
	s->py_gave_up = false;
	s->py_next = 0;
}

static void send_thread_name(struct sampler *s, uint32_t tid, const char *comm)
{
	struct rec_thread r = { .h = { REC_THREAD, 0, sizeof(r) }, .tid = tid };

	/* Cut on purpose (the kernel's names are 15 bytes): the precision
	 * says so to gcc's truncation check too. */
	snprintf(r.comm, sizeof(r.comm), "%.*s", (int)sizeof(r.comm) - 1, comm);
	push(s, &r, sizeof(r));
}

/* Name a thread the first time it shows up in a sample. */
static void note_thread(struct sampler *s, uint32_t tid)
{
	char path[64], comm[32] = "";
	FILE *f;

	for (size_t i = 0; i < s->ntids; i++)
		if (s->tids[i] == tid)
			return;
	if (s->ntids == s->captids) {
		size_t cap = s->captids ? s->captids * 2 : 64;
		uint32_t *v = realloc(s->tids, cap * sizeof(*v));

		if (!v)
			return;
		s->tids = v;
		s->captids = cap;
	}
	s->tids[s->ntids++] = tid;
	snprintf(path, sizeof(path), "/proc/%d/task/%u/comm", (int)s->o.pid, tid);
	if ((f = fopen(path, "re"))) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (comm[0])
		send_thread_name(s, tid, comm);
}

/*
 * Read the target's process figures when a second has passed since the last
 * reading; called from the poll loops, so no timer or thread of its own.  A
 * failed reading is skipped without a word: the target may be exiting.
 * `last`: the session is ending with the target alive; read once more so
 * session averages reach its end, unless the last reading is under half a
 * second old (a rate over a few ms of 10 ms ticks would be noise).
 */
static void maybe_procstat(struct sampler *s, bool last)
{
	struct rec_procstat r = { .h = { REC_PROCSTAT, 0, sizeof(r) } };
	uint64_t now = monotime_ns(), due = s->ps_next;

	if (last && due > SAMPLER_PROCSTAT_NS / 2)
		due -= SAMPLER_PROCSTAT_NS / 2;
	if (!s->psr || now < due)
		return;
	/* Keep the one-second beat; after a stall, restart it from now. */
	s->ps_next += SAMPLER_PROCSTAT_NS;
	if (s->ps_next <= now)
		s->ps_next = now + SAMPLER_PROCSTAT_NS;
	if (procstat_get(s->psr, &r.ps) == 0)
		push(s, &r, sizeof(r));
}

static void flush_losses(struct sampler *s)
{
	struct rec_lost r = { .h = { REC_LOST, 0, sizeof(r) } };

	if (!s->lost && !s->throttled && !s->failed && !s->foreign)
		return;
	r.kernel_lost = s->lost;
	r.throttled = s->throttled;
	r.unwind_failed = s->failed;
	r.foreign = s->foreign;
	if (push(s, &r, sizeof(r)))
		s->lost = s->throttled = s->failed = s->foreign = 0;
}

/* Append the thread's Python frames after frames[0..i); returns the new count. */
/*
 * Read the thread's Python frames into s->pyf, before its native stack is
 * unwound: the Python stack moves on while we work, and the unwind is the
 * slow part, so reading first keeps the two closer in time.
 */
static void read_python(struct sampler *s, uint32_t tid)
{
	s->npy = 0;
	s->pyst = PYS_NONE;
	s->py_tid = tid;
	if (s->py)
		s->npy = pyproc_stack(s->py, tid, s->pyf, s->o.max_depth, &s->pyst);
}

static size_t add_python(struct sampler *s, struct rec_sample *r, size_t i, uint32_t tid)
{
	size_t room = (s->rec_cap - sizeof(*r)) / sizeof(struct frame) - i;

	if (!s->py)
		return i;
	if (s->py_tid != tid)
		read_python(s, tid);
	if (room > UINT16_MAX - i)
		room = UINT16_MAX - i;
	if (s->npy < room)
		room = s->npy;
	memcpy(r->frames + i, s->pyf, room * sizeof(*s->pyf));
	r->py_status = (uint8_t)s->pyst;
	s->py_tid = 0;
	return i + room;
}

/* Build one sample in s->rec from kernel frames and user instruction
 * addresses (leaf first), with the Python frames after them; false when it
 * does not fit (counted). */
static bool build_sample(struct sampler *s, uint32_t tid, uint64_t time_ns, const uint64_t *kips,
			 size_t nk, const uint64_t *uips, size_t nu, enum unwind_status st)
{
	bool marker = st == UWS_DEPTH || st == UWS_STACK_COPY;
	size_t n = nk + nu + (marker ? 1 : 0);
	size_t len = sizeof(struct rec_sample) + n * sizeof(struct frame);
	struct rec_sample *r = (struct rec_sample *)s->rec;
	size_t i = 0;

	if (len > s->rec_cap || n > UINT16_MAX) {
		s->failed++;
		return false;
	}
	memset(r, 0, sizeof(*r));
	r->h.type = REC_SAMPLE;
	r->pid = (uint32_t)s->o.pid;
	r->tid = tid;
	r->time_ns = time_ns;
	r->weight = 1;
	r->status = (uint8_t)st;
	for (size_t k = 0; k < nk; k++, i++)
		r->frames[i] = (struct frame){ .addr = kips[k], .module = 0, .kind = FRAME_KERNEL };
	for (size_t k = 0; k < nu; k++, i++)
		r->frames[i] = modcache_frame(s->mc, uips[k]);
	if (marker)
		r->frames[i++] = (struct frame){ .kind = FRAME_TRUNCATED };
	i = add_python(s, r, i, tid);
	r->nframes = (uint16_t)i;
	r->h.size = (uint32_t)(sizeof(*r) + i * sizeof(struct frame));
	note_thread(s, tid);
	return true;
}

static void emit_sample(struct sampler *s, uint32_t tid, uint64_t time_ns, const uint64_t *kips,
			size_t nk, const uint64_t *uips, size_t nu, enum unwind_status st)
{
	if (build_sample(s, tid, time_ns, kips, nk, uips, nu, st))
		push(s, s->rec, ((struct rec_sample *)(void *)s->rec)->h.size);
}

/* The sched_switch tracepoint's prev_state as a state off the CPU. */
static enum cpu_state state_of(int64_t prev_state)
{
	if (prev_state & 2)
		return CPU_IOWAIT;       /* D */
	if (prev_state & 1)
		return CPU_SLEEP;        /* S */
	if (prev_state == 0 || prev_state >= 0x100)
		return CPU_RUNNABLE;     /* R, or preempted (TASK_REPORT_MAX) */
	return CPU_SLEEP;                /* stopped, parked, idle... */
}

/* --off-cpu: a switch-out's stack waits for the thread's switch-in. */
static void hold_sample(struct sampler *s, const struct perfev_sample *ps, size_t nu,
			enum unwind_status st)
{
	struct rec_sample *r = (struct rec_sample *)(void *)s->rec;

	if (!build_sample(s, ps->tid, ps->time_ns, ps->kchain, ps->nkchain, s->ips, nu, st))
		return;
	if (ps->has_state)
		r->cpu_state = (uint8_t)state_of(ps->prev_state);
	swpair_sample(s->sw, r, r->h.size);
}

/* ---- perf method ------------------------------------------------------- */

static struct child *find_child(struct sampler *s, uint32_t pid)
{
	for (size_t i = 0; i < s->nchildren; i++)
		if (s->children[i].pid == pid)
			return &s->children[i];
	return NULL;
}

static void note_foreign(struct sampler *s, uint32_t pid)
{
	struct child *c = find_child(s, pid);

	if (!c && s->nchildren < SAMPLER_MAX_FOREIGN)
		c = &s->children[s->nchildren++];
	if (c)
		*c = (struct child){ pid, true };
}

/* Does `pid` run the same executable file as the target? */
static bool same_program(const struct sampler *s, uint32_t pid)
{
	char path[64], tpath[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	snprintf(tpath, sizeof(tpath), "/proc/%d/exe", (int)s->o.pid);
	return stat(path, &a) == 0 && stat(tpath, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/*
 * Samples of a child running another program are counted, not shown:
 * proftui follows one program's mappings.  Forked children that did not
 * exec share the parent's mappings and stay.  The exec record may come
 * later than the child's first samples (another CPU's ring), so a child is
 * also checked by its executable when first seen.
 */
static bool is_foreign(struct sampler *s, uint32_t pid)
{
	struct child *c;

	if (pid == (uint32_t)s->o.pid)
		return false;
	c = find_child(s, pid);
	if (c)
		return c->foreign;
	if (s->nchildren == SAMPLER_MAX_FOREIGN)
		return true;
	c = &s->children[s->nchildren++];
	*c = (struct child){ pid, !same_program(s, pid) };
	return c->foreign;
}

static void on_comm(struct sampler *s, const struct perf_event_header *h)
{
	const struct { struct perf_event_header h; uint32_t pid, tid; char comm[]; } *c = (const void *)h;
	char comm[32];
	size_t max = h->size - sizeof(*c);

	if (h->size <= sizeof(*c))
		return;
	snprintf(comm, sizeof(comm), "%.*s", (int)(max < 31 ? max : 31), c->comm);
	if ((h->misc & PERF_RECORD_MISC_COMM_EXEC) && c->pid != (uint32_t)s->o.pid) {
		/* A child (inherited events) now runs another program: our
		 * maps are not its maps, so its samples would be misnamed. */
		note_foreign(s, c->pid);
		return;
	}
	if (h->misc & PERF_RECORD_MISC_COMM_EXEC) {
		struct rec_hdr r = { REC_EXEC, 0, sizeof(r) };

		/* A new program: every mapping changed under the same pid.
		 * Modules stay (they are keyed by file identity): samples from
		 * other CPUs' rings may still be in flight from either side. */
		modcache_refresh(s->mc, true);
		uw_flush(s->uw);
		forget_python(s);
		push(s, &r, sizeof(r));
	}
	send_thread_name(s, c->tid, comm);
}

static void on_switch(struct sampler *s, const struct perf_event_header *h)
{
	struct perfev_switch sw;
	struct swpair_ready rd;
	bool ready;

	if (!s->sw || !perfev_parse_switch(s->pe, h, &sw) || is_foreign(s, sw.pid))
		return;
	ready = sw.out ? swpair_out(s->sw, sw.tid, sw.time_ns, sw.preempted, &rd)
		       : swpair_in(s->sw, sw.tid, sw.time_ns, &rd);
	if (ready)
		push(s, rd.rec, rd.len);
}

/* The session ends: threads still off the CPU are weighed up to now. */
static void flush_switches(struct sampler *s)
{
	struct swpair_ready rd;
	uint64_t now = monotime_ns();

	while (s->sw && swpair_flush(s->sw, now, &rd))
		push(s, rd.rec, rd.len);
}

static void on_perf_record(void *ctx, const struct perf_event_header *h)
{
	struct sampler *s = ctx;
	struct perfev_sample ps;
	enum unwind_status st = UWS_NO_USER;
	size_t nu = 0;

	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		if (!perfev_parse_sample(s->pe, h, &ps)) {
			s->failed++;
			return;
		}
		if (is_foreign(s, ps.pid)) {
			s->foreign++;
			return;
		}
		modcache_set_sample_time(s->mc, ps.time_ns);
		read_python(s, ps.tid);
		if (ps.has_regs && ps.stack)
			nu = uw_unwind(s->uw, ps.regs, ps.stack, ps.stack_len, s->ips,
				       s->o.max_depth, &st);
		else if (ps.has_regs)
			s->ips[nu++] = ps.regs[8 /* PERF_REG_X86_IP */];
		if (ps.switch_out && s->sw)
			hold_sample(s, &ps, nu, st);
		else
			emit_sample(s, ps.tid, ps.time_ns, ps.kchain, ps.nkchain, s->ips, nu, st);
		break;
	case PERF_RECORD_SWITCH:
		on_switch(s, h);
		break;
	case PERF_RECORD_LOST:
		if (h->size >= sizeof(*h) + 16) {
			uint64_t lost;

			memcpy(&lost, (const uint8_t *)(h + 1) + 8, 8);
			s->lost += lost;
		}
		break;
	case PERF_RECORD_THROTTLE:
		s->throttled++;
		break;
	case PERF_RECORD_COMM:
		on_comm(s, h);
		break;
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		/* New code was mapped: the next lookup must see it. */
		modcache_refresh(s->mc, true);
		break;
	default:
		break;
	}
}

static void wake_consumer(struct sampler *s)
{
	uint64_t one = 1;

	if (write(s->wake_fd, &one, sizeof(one)) < 0) {
		/* The counter saturating is harmless: the consumer is awake. */
	}
}

static void drain_perf(struct sampler *s)
{
	perfev_drain(s->pe, on_perf_record, s);
	flush_losses(s);
	wake_consumer(s);
}

static bool fd_ready(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return fd >= 0 && poll(&p, 1, 0) > 0;
}

static int open_perf(struct sampler *s, struct sampler_info *info, char *err, size_t errlen);

/* The poll set: every event fd, then stop, the target's pidfd, control. */
static size_t setup_polls(struct sampler *s)
{
	size_t m = perfev_pollfds(s->pe, s->pfds, perfev_nfds(s->pe));

	s->pfds[m] = (struct pollfd){ .fd = s->stop_fd, .events = POLLIN };
	s->pfds[m + 1] = (struct pollfd){ .fd = s->pidfd, .events = POLLIN };
	s->pfds[m + 2] = (struct pollfd){ .fd = s->ctl_fd, .events = POLLIN };
	return m;
}

/*
 * Turn --off-cpu on or off while sampling: the events are reopened with or
 * without the switch-out event (a few milliseconds without samples).  What
 * is pending is delivered first.  If the new set cannot be opened, the old
 * settings are tried again; if even that fails, sampling ends with a note.
 */
static bool reopen_perf(struct sampler *s, bool on)
{
	struct sampler_info info = { 0 };
	char err[256], msg[400];

	drain_perf(s);
	flush_switches(s);
	swpair_free(s->sw);
	s->sw = NULL;
	perfev_close(s->pe);
	s->pe = NULL;
	free(s->pfds);
	s->pfds = NULL;
	s->o.enable_on_exec = false;   /* running by now */
	s->o.off_cpu = on;
	if (open_perf(s, &info, err, sizeof(err)) == 0) {
		snprintf(msg, sizeof(msg), "%s", info.note[0] ? info.note : on ?
			 "off-CPU time on" : "off-CPU time off: sampling time on the CPU only");
		send_note(s, msg);
		return true;
	}
	snprintf(msg, sizeof(msg), "cannot reopen perf events (%s)", err);
	s->o.off_cpu = !on;
	if (open_perf(s, &info, err, sizeof(err)) == 0) {
		send_note(s, msg);
		return true;
	}
	snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "; sampling stopped");
	send_note(s, msg);
	return false;
}

/* A request from the consumer, if any: false when sampling cannot go on. */
static bool take_request(struct sampler *s)
{
	uint64_t v;
	int req;

	if (read(s->ctl_fd, &v, sizeof(v)) < 0) {
		/* nonblocking eventfd with nothing in it: no request */
	}
	req = atomic_exchange(&s->off_req, -1);
	if (req < 0 || (req == 1) == s->o.off_cpu)
		return true;
	return reopen_perf(s, req == 1);
}

static void run_perf(struct sampler *s)
{
	size_t m = setup_polls(s);

	for (;;) {
		int r = poll(s->pfds, m + 3, s->py ? SAMPLER_PY_POLL_MS : SAMPLER_POLL_MS);

		if (r < 0 && errno != EINTR)
			break;
		/* An event whose thread exited reports POLLHUP forever while
		 * its ring lives on (shared): stop polling that descriptor;
		 * the timeout still drains the ring. */
		for (size_t i = 0; i < m; i++)
			if (s->pfds[i].revents & POLLHUP)
				s->pfds[i].fd = -1;
		maybe_procstat(s, false);
		maybe_find_python(s);
		drain_perf(s);
		if (fd_ready(s->stop_fd) || fd_ready(s->pidfd))
			break;
		if (s->pfds[m + 2].revents) {
			if (!take_request(s))
				break;
			m = setup_polls(s);
		}
	}
	if (!s->pe)
		return;
	if (!fd_ready(s->pidfd))
		maybe_procstat(s, true);
	drain_perf(s);
	flush_switches(s);
	wake_consumer(s);
}

/* ---- ptrace method ----------------------------------------------------- */

static void on_ptrace_sample(void *ctx, pid_t tid, const uint64_t *ips, size_t n,
			     enum unwind_status st)
{
	struct sampler *s = ctx;
	uint64_t now = monotime_ns();

	modcache_set_sample_time(s->mc, now);
	emit_sample(s, (uint32_t)tid, now, NULL, 0, ips, n, st);
}

static void run_ptrace(struct sampler *s)
{
	uint64_t period = 1000000000ull / s->o.freq_hz, next = monotime_ns();
	struct ptracer_stats st;

	for (;;) {
		struct pollfd p = { .fd = s->stop_fd, .events = POLLIN };
		uint64_t now = monotime_ns();
		int wait_ms = next > now ? (int)((next - now) / 1000000) : 0;

		if (poll(&p, 1, wait_ms) > 0 && p.revents) {
			maybe_procstat(s, true);
			break;
		}
		next += period;
		/* The target's end shows up here too (-ESRCH), after ptrace
		 * has collected its exit status. */
		if (ptracer_sample(s->pt, s->o.max_depth, on_ptrace_sample, s, NULL) == -ESRCH)
			break;
		maybe_procstat(s, false);
		maybe_find_python(s);
		flush_losses(s);
		wake_consumer(s);
	}
	ptracer_get_stats(s->pt, &st);
	s->exit_known = st.leader_exited;
	s->exit_status = st.leader_status;
	flush_losses(s);
	ptracer_detach(s->pt);
	s->pt = NULL;
}

static void *sampler_main(void *arg)
{
	struct sampler *s = arg;

	if (s->o.method == SAMPLER_PTRACE) {
		/* ptrace's tracer is a thread: attach here, on the thread that
		 * will sample, and hand the result back to sampler_start. */
		int err = ptracer_attach(&s->pt, s->o.pid, s->attach_msg, sizeof(s->attach_msg));

		pthread_mutex_lock(&s->lock);
		s->attach_err = err;
		s->attach_done = true;
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
		if (err)
			return NULL;
		run_ptrace(s);
	} else {
		run_perf(s);
	}
	atomic_store(&s->done, true);
	wake_consumer(s);
	return NULL;
}

static void sampler_free(struct sampler *s)
{
	perfev_close(s->pe);
	ptracer_detach(s->pt);
	uw_free(s->uw);
	modcache_free(s->mc);
	procstat_free(s->psr);
	pyproc_free(s->py);
	swpair_free(s->sw);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	if (s->ctl_fd >= 0)
		close(s->ctl_fd);
	if (s->pidfd >= 0)
		close(s->pidfd);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s->ips);
	free(s->pyf);
	free(s->rec);
	free(s->tids);
	free(s->pfds);
	free(s);
}

static int open_perf(struct sampler *s, struct sampler_info *info, char *err, size_t errlen)
{
	struct perfev_opts po = {
		.freq_hz = s->o.freq_hz, .stack_size = s->o.stack_size,
		.kernel = s->o.kernel, .enable_on_exec = s->o.enable_on_exec,
		.wake_each_sample = (s->o.python && (s->o.python_likely || s->py)) || s->o.off_cpu,
		.off_cpu = s->o.off_cpu,
	};
	struct perfev_info pi;
	int ret = perfev_open(&s->pe, s->o.pid, &po, &pi, err, errlen);

	if (ret)
		return ret;
	s->pfds = calloc(perfev_nfds(s->pe) + 3, sizeof(*s->pfds));
	if (!s->pfds)
		return -ENOMEM;
	info->kernel = pi.kernel;
	info->off_cpu = pi.off_cpu;
	if (pi.off_cpu && !(s->sw = swpair_new(s->o.pid, 1000000000ull / s->o.freq_hz)))
		return -ENOMEM;
	if (s->o.kernel && !pi.kernel)
		snprintf(info->note, sizeof(info->note),
			 "kernel frames not permitted here (perf_event_paranoid): sampling user space only");
	if (s->o.off_cpu && !pi.off_cpu)
		snprintf(info->note, sizeof(info->note),
			 "--off-cpu needs kernel sampling (root, CAP_PERFMON or perf_event_paranoid "
			 "<= 1): showing time on the CPU only");
	else if (s->o.off_cpu)
		snprintf(info->note, sizeof(info->note), "%s", pi.sched_switch ?
			 "off-CPU time from the sched_switch tracepoint" :
			 "off-CPU time from the context-switch event (no access to the sched_switch "
			 "tracepoint: IO wait read from /proc, short waits may count as sleeping)");
	return 0;
}

/* Block the signals the consumer handles so only it ever receives them. */
static int spawn(struct sampler *s)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&s->thread, NULL, sampler_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	s->started = true;
	return 0;
}

static int wait_attach(struct sampler *s, char *err, size_t errlen)
{
	pthread_mutex_lock(&s->lock);
	while (!s->attach_done)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	if (s->attach_err) {
		snprintf(err, errlen, "%s", s->attach_msg);
		pthread_join(s->thread, NULL);
		s->started = false;
	}
	return s->attach_err;
}

int sampler_start(struct sampler **out, const struct sampler_opts *o, struct ring *ring,
		  int wake_fd, struct sampler_info *info, char *err, size_t errlen)
{
	struct sampler *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->ring = ring;
	s->wake_fd = wake_fd;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	atomic_init(&s->off_req, -1);
	s->pidfd = -1;
	memset(info, 0, sizeof(*info));
	s->rec_cap = sizeof(struct rec_sample) + SAMPLER_MAX_FRAMES * sizeof(struct frame);
	if (s->o.max_depth > SAMPLER_MAX_FRAMES - PERFEV_MAX_KFRAMES - 1)
		s->o.max_depth = SAMPLER_MAX_FRAMES - PERFEV_MAX_KFRAMES - 1;
	s->ips = calloc(s->o.max_depth + 1, sizeof(*s->ips));
	s->pyf = calloc(s->o.max_depth + 1, sizeof(*s->pyf));
	s->rec = malloc(s->rec_cap);
	s->mc = modcache_new(o->pid, announce_module, s);
	s->uw = s->mc ? uw_new(s->mc) : NULL;
	/* Without it the header just lacks the figures: not worth failing. */
	if (procstat_new(&s->psr, o->pid) < 0)
		s->psr = NULL;
	if (s->stop_fd < 0 || s->ctl_fd < 0 || !s->ips || !s->pyf || !s->rec || !s->uw) {
		snprintf(err, errlen, "out of memory starting the sampler");
		sampler_free(s);
		return -ENOMEM;
	}
	s->pidfd = (int)syscall(SYS_pidfd_open, o->pid, 0);
	/* A running target: is it Python?  (A launched one is found after its
	 * exec, by the sampler thread.) */
	if (!o->enable_on_exec)
		maybe_find_python(s);
	ret = -EPERM;
	if (o->method != SAMPLER_PTRACE) {
		ret = open_perf(s, info, err, errlen);
		s->o.method = SAMPLER_PERF;
	}
	if (ret && o->method == SAMPLER_AUTO && (ret == -EACCES || ret == -EPERM)) {
		snprintf(info->note, sizeof(info->note), "perf events refused (%s); falling back to ptrace",
			 err);
		s->o.method = SAMPLER_PTRACE;
	}
	if (s->o.method == SAMPLER_PTRACE) {
		if (!info->note[0])
			snprintf(info->note, sizeof(info->note), "sampling with ptrace (--method ptrace)");
		if (s->o.freq_hz > SAMPLER_PTRACE_MAX_HZ)
			s->o.freq_hz = SAMPLER_PTRACE_MAX_HZ;
		ret = 0;
	}
	if (!ret)
		ret = spawn(s);
	if (!ret && s->o.method == SAMPLER_PTRACE)
		ret = wait_attach(s, err, errlen);
	if (ret) {
		sampler_stop(s);
		return ret;
	}
	info->method = s->o.method;
	info->freq_hz = s->o.freq_hz;
	*out = s;
	return 0;
}

bool sampler_exit_status(const struct sampler *s, int *st)
{
	if (!s || !sampler_done(s) || !s->exit_known)
		return false;
	*st = s->exit_status;
	return true;
}

int sampler_set_off_cpu(struct sampler *s, bool on)
{
	uint64_t one = 1;

	if (!s || sampler_done(s))
		return -ESRCH;
	if (s->o.method != SAMPLER_PERF)
		return -ENOTSUP;
	atomic_store(&s->off_req, on ? 1 : 0);
	if (write(s->ctl_fd, &one, sizeof(one)) < 0) {
		/* only on counter overflow: a request is already pending */
	}
	return 0;
}

bool sampler_done(const struct sampler *s)
{
	return atomic_load(&((struct sampler *)s)->done);
}

void sampler_stop(struct sampler *s)
{
	uint64_t one = 1;

	if (!s)
		return;
	if (s->started) {
		if (write(s->stop_fd, &one, sizeof(one)) < 0) {
			/* eventfd write only fails on overflow: already signalled */
		}
		pthread_join(s->thread, NULL);
	}
	sampler_free(s);
}
