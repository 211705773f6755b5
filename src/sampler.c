/* sampler.c — the sampler thread: its life, the records it sends, Python frames, the ptrace method (perf: sampler_perf.c). */
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
#include "proftui/sampler_int.h"
#include "proftui/swpair.h"
#include "proftui/unwind.h"

bool sampler_push(struct sampler *s, const void *rec, size_t len)
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

void sampler_note(struct sampler *s, const char *text)
{
	struct rec_note r = { .h = { REC_NOTE, 0, 0 } };

	push_strs(s, &r, sizeof(r), text, NULL);
}

/* Look for CPython in the target (sampler_opts.python), now and then until
 * found or found unsupported; an exec starts the search over. */
void sampler_find_python(struct sampler *s)
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
		sampler_note(s, note);
	}
}

void sampler_forget_python(struct sampler *s)
{
	pyproc_free(s->py);
	s->py = NULL;
	s->py_gave_up = false;
	s->py_next = 0;
}

static struct seen_thread *seen(struct sampler *s, uint32_t tid)
{
	for (size_t i = 0; i < s->ntids; i++)
		if (s->tids[i].tid == tid)
			return &s->tids[i];
	return NULL;
}

void sampler_thread_name(struct sampler *s, uint32_t tid, const char *comm)
{
	struct rec_thread r = { .h = { REC_THREAD, 0, sizeof(r) }, .tid = tid };
	struct seen_thread *t = seen(s, tid);

	/* Cut on purpose (the kernel's names are 15 bytes): the precision
	 * says so to gcc's truncation check too. */
	snprintf(r.comm, sizeof(r.comm), "%.*s", (int)sizeof(r.comm) - 1, comm);
	sampler_push(s, &r, sizeof(r));
	/* The kernel name replaced the Python one: send that again soon. */
	if (t && t->pyname_print) {
		t->pyname_print = 0;
		t->pyname_ns = 0;
	}
}

static uint64_t name_print(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*name)
		h = (h ^ (uint8_t)*name++) * 0x100000001b3ull;
	return h | 1;           /* never 0, "none sent" */
}

/* Read a thread's Python name and send it when it is new or changed. */
static void read_pyname(struct sampler *s, struct seen_thread *t, uint64_t now)
{
	struct rec_pythread r = { .h = { REC_PYTHREAD, 0, 0 }, .tid = t->tid };
	char name[PYF_NAME_MAX];
	uint64_t print;

	t->pyname_ns = now + SAMPLER_PYNAME_RETRY_NS;
	if (pyproc_thread_name(s->py, t->tid, name, sizeof(name)) || !name[0])
		return;
	t->pyname_ns = now + SAMPLER_PYNAME_NS;
	print = name_print(name);
	if (print != t->pyname_print && push_strs(s, &r, sizeof(r), name, NULL))
		t->pyname_print = print;
}

void sampler_name_threads(struct sampler *s)
{
	uint64_t now = monotime_ns();
	size_t budget = SAMPLER_PYNAME_BATCH, k;

	if (!s->py || !s->ntids || now < s->pyname_look_ns)
		return;
	s->pyname_look_ns = now + SAMPLER_PYNAME_LOOK_NS;
	for (k = 0; k < s->ntids && budget; k++) {
		struct seen_thread *t = &s->tids[(s->pyname_at + k) % s->ntids];

		/* A thread not sampled lately may be gone: its name waits
		 * until it shows up again. */
		if (now < t->pyname_ns || now - t->seen_ns > SAMPLER_PYNAME_NS)
			continue;
		read_pyname(s, t, now);
		budget--;
	}
	s->pyname_at = (s->pyname_at + k) % s->ntids;
}

/* Name a thread the first time it shows up in a sample: the kernel's name,
 * then Python's when there is one. */
static void note_thread(struct sampler *s, uint32_t tid)
{
	struct seen_thread *t = seen(s, tid);
	char path[64], comm[32] = "";
	uint64_t now = monotime_ns();
	FILE *f;

	if (t) {
		t->seen_ns = now;
		return;
	}
	if (s->ntids == s->captids) {
		size_t cap = s->captids ? s->captids * 2 : 64;
		struct seen_thread *v = realloc(s->tids, cap * sizeof(*v));

		if (!v)
			return;
		s->tids = v;
		s->captids = cap;
	}
	t = &s->tids[s->ntids++];
	*t = (struct seen_thread){ .tid = tid, .seen_ns = now };
	snprintf(path, sizeof(path), "/proc/%d/task/%u/comm", (int)s->o.pid, tid);
	if ((f = fopen(path, "re"))) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (comm[0])
		sampler_thread_name(s, tid, comm);
	if (s->py)
		read_pyname(s, t, now);
}

/*
 * Read the target's process figures when a second has passed since the last
 * reading; called from the poll loops, so no timer or thread of its own.  A
 * failed reading is skipped without a word: the target may be exiting.
 * `last`: the session is ending with the target alive; read once more so
 * session averages reach its end, unless the last reading is under half a
 * second old (a rate over a few ms of 10 ms ticks would be noise).
 */
/* The threads' own figures of the reading just pushed, for the thread list. */
static void push_threadstat(struct sampler *s, uint64_t time_ns)
{
	size_t n;
	const struct procstat_thread *t = procstat_threads_of(s->psr, &n);
	size_t len = sizeof(struct rec_threadstat) + n * sizeof(*t);
	struct rec_threadstat *r;

	if (!n || !(r = ring_reserve(s->ring, len)))
		return;
	r->h = (struct rec_hdr){ REC_THREADSTAT, 0, (uint32_t)len };
	r->time_ns = time_ns;
	r->n = (uint32_t)n;
	r->pad = 0;
	memcpy(r->t, t, n * sizeof(*t));
	ring_commit(s->ring);
}

void sampler_procstat(struct sampler *s, bool last)
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
	if (procstat_get(s->psr, &r.ps) == 0 && sampler_push(s, &r, sizeof(r)))
		push_threadstat(s, r.ps.time_ns);
}

void sampler_flush_losses(struct sampler *s)
{
	struct rec_lost r = { .h = { REC_LOST, 0, sizeof(r) } };

	if (!s->lost && !s->throttled && !s->failed && !s->foreign)
		return;
	r.kernel_lost = s->lost;
	r.throttled = s->throttled;
	r.unwind_failed = s->failed;
	r.foreign = s->foreign;
	if (sampler_push(s, &r, sizeof(r)))
		s->lost = s->throttled = s->failed = s->foreign = 0;
}

/* Append the thread's Python frames after frames[0..i); returns the new count. */
/*
 * Read the thread's Python frames into s->pyf, before its native stack is
 * unwound: the Python stack moves on while we work, and the unwind is the
 * slow part, so reading first keeps the two closer in time.
 */
void sampler_read_python(struct sampler *s, uint32_t tid)
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
		sampler_read_python(s, tid);
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
bool sampler_build_sample(struct sampler *s, uint32_t tid, uint64_t time_ns, const uint64_t *kips,
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

void sampler_emit_sample(struct sampler *s, uint32_t tid, uint64_t time_ns, const uint64_t *kips,
			size_t nk, const uint64_t *uips, size_t nu, enum unwind_status st)
{
	if (sampler_build_sample(s, tid, time_ns, kips, nk, uips, nu, st))
		sampler_push(s, s->rec, ((struct rec_sample *)(void *)s->rec)->h.size);
}

void sampler_wake(struct sampler *s)
{
	uint64_t one = 1;

	if (write(s->wake_fd, &one, sizeof(one)) < 0) {
		/* The counter saturating is harmless: the consumer is awake. */
	}
}

void sampler_wake_soon(struct sampler *s)
{
	uint64_t now = monotime_ns();

	if (now - s->woke_ns < SAMPLER_WAKE_NS)
		return;
	s->woke_ns = now;
	sampler_wake(s);
}

/* ---- ptrace method ----------------------------------------------------- */

static void on_ptrace_sample(void *ctx, pid_t tid, const uint64_t *ips, size_t n,
			     enum unwind_status st)
{
	struct sampler *s = ctx;
	uint64_t now = monotime_ns();

	modcache_set_sample_time(s->mc, now);
	sampler_emit_sample(s, (uint32_t)tid, now, NULL, 0, ips, n, st);
}

/*
 * The next ptrace round in period ± 25 %, the same on average: a round
 * stops the threads it samples for a while, so strictly periodic rounds
 * can lock onto a workload's own period and keep landing in the same phase
 * of it (a loop whose slow-to-unwind part is sampled, and so stretched,
 * more than the rest).  Random spacing breaks that lock; perf's timer
 * interrupts do not stop the target, so the perf method needs none.
 */
static uint64_t sampler_jitter(struct sampler *s, uint64_t period)
{
	uint64_t x = s->jitter_rng ? s->jitter_rng : monotime_ns() | 1;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	s->jitter_rng = x;
	return period - period / 4 + x % (period / 2 + 1);
}

static void run_ptrace(struct sampler *s)
{
	uint64_t period = 1000000000ull / s->o.freq_hz, next = monotime_ns();
	struct ptracer_stats st;

	ptracer_set_period(s->pt, period);
	for (;;) {
		struct pollfd p = { .fd = s->stop_fd, .events = POLLIN };
		int64_t due = ptracer_next_due(s->pt);
		uint64_t now = monotime_ns(), wake = next;
		struct timespec ts;

		/* Newborn threads get their one sample in between rounds. */
		if (due > 0 && (uint64_t)due < wake)
			wake = (uint64_t)due;
		ts.tv_sec = wake > now ? (time_t)((wake - now) / 1000000000u) : 0;
		ts.tv_nsec = wake > now ? (long)((wake - now) % 1000000000u) : 0;
		if (ppoll(&p, 1, &ts, NULL) > 0 && p.revents) {
			sampler_procstat(s, true);
			break;
		}
		if (monotime_ns() < next) {
			if (ptracer_sample_due(s->pt, s->o.max_depth, on_ptrace_sample, s) > 0)
				sampler_wake_soon(s);
			continue;
		}
		next += sampler_jitter(s, period);
		/* The target's end shows up here too (-ESRCH), after ptrace
		 * has collected its exit status. */
		if (ptracer_sample(s->pt, s->o.max_depth, on_ptrace_sample, s, NULL) == -ESRCH)
			break;
		sampler_procstat(s, false);
		sampler_find_python(s);
		sampler_name_threads(s);
		sampler_flush_losses(s);
		sampler_wake_soon(s);
	}
	ptracer_get_stats(s->pt, &st);
	s->exit_known = st.leader_exited;
	s->exit_status = st.leader_status;
	sampler_flush_losses(s);
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
		sampler_run_perf(s);
	}
	atomic_store(&s->done, true);
	sampler_wake(s);
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

/* A descriptor proftui needs could not be made: say which limit. */
static void sampler_fd_error(int e, char *err, size_t errlen)
{
	if (e == EMFILE || e == ENFILE)
		snprintf(err, errlen, "out of file descriptors (%s): raise the limit (ulimit -n)",
			 strerror(e));
	else
		snprintf(err, errlen, "cannot start the sampler: %s", strerror(e));
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
	if (s->stop_fd < 0 || s->ctl_fd < 0) {
		ret = -errno;
		sampler_fd_error(-ret, err, errlen);
		sampler_free(s);
		return ret;
	}
	if (!s->ips || !s->pyf || !s->rec || !s->uw) {
		snprintf(err, errlen, "out of memory starting the sampler");
		sampler_free(s);
		return -ENOMEM;
	}
	s->pidfd = (int)syscall(SYS_pidfd_open, o->pid, 0);
	/* A running target: is it Python?  (A launched one is found after its
	 * exec, by the sampler thread.) */
	if (!o->enable_on_exec)
		sampler_find_python(s);
	ret = -EPERM;
	if (o->method != SAMPLER_PTRACE) {
		ret = sampler_open_perf(s, info, err, errlen);
		s->o.method = SAMPLER_PERF;
	}
	/* Refused, too many threads for the descriptors allowed (one event
	 * per thread and CPU) or no locked memory for the rings: ptrace needs
	 * none of them. */
	if (ret && o->method == SAMPLER_AUTO &&
	    (ret == -EACCES || ret == -EPERM || ret == -EMFILE || ret == -ENFILE ||
	     ret == -EDQUOT)) {
		snprintf(info->note, sizeof(info->note), "perf events %s (%s); falling back to ptrace",
			 ret == -EACCES || ret == -EPERM ? "refused" : "not opened", err);
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
