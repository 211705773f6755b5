/* sampler_perf.c — the sampler's perf method: records from the kernel's rings, children, time off the CPU. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proftui/monotime.h"
#include "proftui/sampler_int.h"

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
		sampler_forget_python(s);
		sampler_push(s, &r, sizeof(r));
	}
	sampler_thread_name(s, c->tid, comm);
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

	if (!sampler_build_sample(s, ps->tid, ps->time_ns, ps->kchain, ps->nkchain, s->ips, nu, st))
		return;
	if (ps->has_state)
		r->cpu_state = (uint8_t)state_of(ps->prev_state);
	swpair_sample(s->sw, r, r->h.size);
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
		sampler_push(s, rd.rec, rd.len);
}

/* The session ends: threads still off the CPU are weighed up to now. */
static void flush_switches(struct sampler *s)
{
	struct swpair_ready rd;
	uint64_t now = monotime_ns();

	while (s->sw && swpair_flush(s->sw, now, &rd))
		sampler_push(s, rd.rec, rd.len);
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
		sampler_read_python(s, ps.tid);
		if (ps.has_regs && ps.stack)
			nu = uw_unwind(s->uw, ps.regs, ps.stack, ps.stack_len, s->ips,
				       s->o.max_depth, &st);
		else if (ps.has_regs)
			s->ips[nu++] = ps.regs[8 /* PERF_REG_X86_IP */];
		if (ps.switch_out && s->sw)
			hold_sample(s, &ps, nu, st);
		else
			sampler_emit_sample(s, ps.tid, ps.time_ns, ps.kchain, ps.nkchain, s->ips, nu, st);
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

static void drain_perf(struct sampler *s)
{
	perfev_drain(s->pe, on_perf_record, s);
	sampler_flush_losses(s);
	sampler_wake_soon(s);
}

static bool fd_ready(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return fd >= 0 && poll(&p, 1, 0) > 0;
}

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
	if (sampler_open_perf(s, &info, err, sizeof(err)) == 0) {
		snprintf(msg, sizeof(msg), "%s", info.note[0] ? info.note : on ?
			 "off-CPU time on" : "off-CPU time off: sampling time on the CPU only");
		sampler_note(s, msg);
		return true;
	}
	snprintf(msg, sizeof(msg), "cannot reopen perf events (%s)", err);
	s->o.off_cpu = !on;
	if (sampler_open_perf(s, &info, err, sizeof(err)) == 0) {
		sampler_note(s, msg);
		return true;
	}
	snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "; sampling stopped");
	sampler_note(s, msg);
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

void sampler_run_perf(struct sampler *s)
{
	size_t m = setup_polls(s);

	for (;;) {
		int r = poll(s->pfds, m + 3,
			     s->py && !s->wakes_each ? SAMPLER_PY_POLL_MS : SAMPLER_POLL_MS);

		if (r < 0 && errno != EINTR)
			break;
		/* An event whose thread exited reports POLLHUP forever while
		 * its ring lives on (shared): stop polling that descriptor;
		 * the timeout still drains the ring. */
		for (size_t i = 0; i < m; i++)
			if (s->pfds[i].revents & POLLHUP)
				s->pfds[i].fd = -1;
		sampler_procstat(s, false);
		sampler_find_python(s);
		sampler_name_threads(s);
		drain_perf(s);
		/* Stop and the target's end are in the poll set. */
		if (r > 0 && (s->pfds[m].revents || s->pfds[m + 1].revents))
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
		sampler_procstat(s, true);
	drain_perf(s);
	flush_switches(s);
	sampler_wake(s);
}

int sampler_open_perf(struct sampler *s, struct sampler_info *info, char *err, size_t errlen)
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
	s->wakes_each = po.wake_each_sample;
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
