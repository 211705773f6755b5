/* perfev.c — perf_event_open events on a process and the kernel's mmap rings. */
#include <asm/perf_regs.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proftui/perfev.h"

/* Every general register of x86-64 user code; the segment registers other
 * than CS/SS mean nothing in 64-bit mode and perf refuses them. */
#define PE_REGS_MASK (((1ull << PERF_REG_X86_64_MAX) - 1) & \
		      ~((1ull << PERF_REG_X86_DS) | (1ull << PERF_REG_X86_ES) | \
			(1ull << PERF_REG_X86_FS) | (1ull << PERF_REG_X86_GS)))
#define PE_MAX_RING_PAGES 512   /* 2 MiB per CPU when the system allows */
#define PE_MIN_RING_PAGES 8
#define PE_MAX_THREADS 65536

struct pe_ring {
	int fd;                        /* the event whose mmap this is */
	struct perf_event_mmap_page *meta;
	uint8_t *data;
	size_t size;                   /* data area bytes, power of two */
};

/* The sched:sched_switch tracepoint, when tracefs shows it to us. */
struct pe_tp {
	uint64_t id;
	unsigned state_off, state_size;   /* prev_state in the raw record */
};

struct perfev {
	struct perf_event_attr attr;
	struct pe_tp tp;                  /* id 0: none, software event used */
	struct perf_event_attr cs_attr;  /* off-CPU: context switches (type 0: none) */
	uint64_t *cs_ids;                /* their ids (PERF_EVENT_IOC_ID) */
	size_t ncs_ids, capcs_ids;
	int *fds;
	size_t nfds, capfds;
	struct pe_ring *rings;         /* one per CPU that has events */
	unsigned ncpus;
	size_t ring_pages;
	uint8_t *scratch;              /* reassembles records that wrap */
	size_t scratch_size;
	int nregs;
};

static long pe_open(struct perf_event_attr *a, pid_t tid, int cpu, int group)
{
	return syscall(SYS_perf_event_open, a, tid, cpu, group, PERF_FLAG_FD_CLOEXEC);
}

static void setup_attr(struct perf_event_attr *a, const struct perfev_opts *o, bool kernel)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = PERF_TYPE_SOFTWARE;
	a->config = PERF_COUNT_SW_CPU_CLOCK;
	/* A fixed period in nanoseconds of CPU time: every sample weighs the
	 * same 1/HZ seconds, so counts are time, with no frequency ramp-up. */
	a->sample_period = 1000000000ull / (o->freq_hz ? o->freq_hz : 1);
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			 PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
	a->sample_regs_user = PE_REGS_MASK;
	a->sample_stack_user = o->stack_size;
	a->inherit = 1;
	a->mmap = 1;
	a->comm = 1;
	a->comm_exec = 1;
	a->task = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->exclude_hv = 1;
	a->exclude_kernel = !kernel;
	if (kernel) {
		a->sample_type |= PERF_SAMPLE_CALLCHAIN;
		a->exclude_callchain_user = 1;  /* user frames come from DWARF */
		a->sample_max_stack = PERFEV_MAX_KFRAMES;
	}
	a->disabled = o->enable_on_exec;
	a->enable_on_exec = o->enable_on_exec;
	if (o->wake_each_sample)
		a->wakeup_events = 1;
	else
		a->watermark = 1;
	if (o->off_cpu)
		a->sample_type |= PERF_SAMPLE_IDENTIFIER;
}

/* Both events share one sample layout: with the tracepoint, raw data too
 * (a cpu-clock sample carries an empty one). */
static void use_tracepoint(struct perfev *pe, bool on)
{
	if (on) {
		pe->attr.sample_type |= PERF_SAMPLE_RAW;
	} else {
		pe->attr.sample_type &= ~(uint64_t)PERF_SAMPLE_RAW;
		pe->tp.id = 0;
	}
}

static int read_int_file(const char *path, int dflt)
{
	FILE *f = fopen(path, "re");
	int v = dflt;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return v;
}

/* Read prev_state's place from the tracepoint's format file. */
static bool tp_format(const char *dir, struct pe_tp *tp)
{
	char path[320], line[512];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/format", dir);
	if (!(f = fopen(path, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, " prev_state;");

		found = p && sscanf(strstr(p, "offset:") ? strstr(p, "offset:") : "", "offset:%u;%*[ \t]size:%u;",
				    &tp->state_off, &tp->state_size) == 2 &&
			(tp->state_size == 4 || tp->state_size == 8) && tp->state_off < 4096;
	}
	fclose(f);
	return found;
}

static bool tp_at(const char *root, struct pe_tp *tp)
{
	char dir[256], path[300];
	int id;

	memset(tp, 0, sizeof(*tp));
	snprintf(dir, sizeof(dir), "%s/events/sched/sched_switch", root);
	snprintf(path, sizeof(path), "%s/id", dir);
	id = read_int_file(path, -1);
	if (id <= 0 || !tp_format(dir, tp))
		return false;
	tp->id = (uint64_t)id;
	return true;
}

/*
 * sched:sched_switch, for --off-cpu: in tracefs (mounted here by root when
 * it is not, as perf does), or under debugfs.  None: the software
 * context-switch event stands in, and the state comes from /proc.
 */
static bool find_sched_switch(struct pe_tp *tp)
{
	if (tp_at("/sys/kernel/tracing", tp) || tp_at("/sys/kernel/debug/tracing", tp))
		return true;
	if (geteuid() == 0 && mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		return tp_at("/sys/kernel/tracing", tp);
	return false;
}

/*
 * Off the CPU: a sample at every switch-out of a target thread, with the
 * same layout as the clock's samples (told apart by their id), and the
 * kernel's switch records, whose in/out times weigh each switch-out and
 * whose preempt flag says whether the thread was still runnable.  A
 * software event: no tracefs, and allowed wherever cpu-clock is.
 */
static void setup_cs_attr(struct perf_event_attr *cs, const struct perf_event_attr *clock,
			  const struct pe_tp *tp)
{
	*cs = *clock;
	cs->config = PERF_COUNT_SW_CONTEXT_SWITCHES;
	if (tp->id) {
		/* Its prev_state tells IO wait (D) from sleep (S) exactly. */
		cs->type = PERF_TYPE_TRACEPOINT;
		cs->config = tp->id;
	}
	cs->sample_period = 1;
	cs->mmap = cs->comm = cs->comm_exec = cs->task = 0;
	cs->context_switch = 1;
	/* A switch happens in the kernel: excluding it would never fire. */
	cs->exclude_kernel = 0;
	cs->sample_id_all = 1;
	/* Every switch matters for latency: the sampler pairs them up. */
	cs->watermark = 0;
	cs->wakeup_events = clock->wakeup_events ? 1 : 64;
}

static int note_cs_id(struct perfev *pe, int fd)
{
	uint64_t id, *v;

	if (ioctl(fd, PERF_EVENT_IOC_ID, &id) < 0)
		return -errno;
	if (pe->ncs_ids == pe->capcs_ids) {
		size_t cap = pe->capcs_ids ? pe->capcs_ids * 2 : 64;

		v = realloc(pe->cs_ids, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		pe->cs_ids = v;
		pe->capcs_ids = cap;
	}
	pe->cs_ids[pe->ncs_ids++] = id;
	return 0;
}

static bool is_cs_id(const struct perfev *pe, uint64_t id)
{
	for (size_t i = 0; i < pe->ncs_ids; i++)
		if (pe->cs_ids[i] == id)
			return true;
	return false;
}

static int add_fd(struct perfev *pe, int fd)
{
	if (pe->nfds == pe->capfds) {
		size_t cap = pe->capfds ? pe->capfds * 2 : 64;
		int *v = realloc(pe->fds, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pe->fds = v;
		pe->capfds = cap;
	}
	pe->fds[pe->nfds++] = fd;
	return 0;
}

static int map_ring(struct perfev *pe, struct pe_ring *r, int fd)
{
	for (size_t pages = pe->ring_pages; pages >= PE_MIN_RING_PAGES; pages /= 2) {
		size_t len = (pages + 1) * (size_t)sysconf(_SC_PAGESIZE);
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (p != MAP_FAILED) {
			r->fd = fd;
			r->meta = p;
			r->data = (uint8_t *)p + sysconf(_SC_PAGESIZE);
			r->size = pages * (size_t)sysconf(_SC_PAGESIZE);
			pe->ring_pages = pages; /* later CPUs need not retry bigger */
			return 0;
		}
		/* EPERM/ENOMEM: over perf_event_mlock_kb or RLIMIT_MEMLOCK;
		 * a smaller ring loses more under load but still works. */
		if (errno != EPERM && errno != ENOMEM)
			return -errno;
	}
	/* Not even the smallest ring: the locked-memory allowance is spent
	 * (perhaps by bigger rings on other CPUs; perfev_open then starts over
	 * with smaller ones).  Its own code, so that it is not taken for
	 * perf_event_paranoid's EPERM. */
	return -EDQUOT;
}

/* The context-switch event of (tid, cpu), into that CPU's ring. */
static int open_cs(struct perfev *pe, pid_t tid, unsigned cpu)
{
	long fd = pe_open(&pe->cs_attr, tid, (int)cpu, -1);
	int err;

	if (fd < 0)
		return -errno;
	if ((err = add_fd(pe, (int)fd)) < 0) {
		close((int)fd);
		return err;
	}
	if ((err = note_cs_id(pe, (int)fd)) < 0)
		return err;
	if (ioctl((int)fd, PERF_EVENT_IOC_SET_OUTPUT, pe->rings[cpu].fd) < 0)
		return -errno;
	return 0;
}

/* Open the events of one thread, one per CPU, joining each CPU's ring. */
static int open_thread(struct perfev *pe, pid_t tid)
{
	for (unsigned cpu = 0; cpu < pe->ncpus; cpu++) {
		long fd = pe_open(&pe->attr, tid, (int)cpu, -1);
		int err;

		if (fd < 0) {
			if (errno == ENODEV)   /* CPU offline */
				continue;
			return -errno;
		}
		if ((err = add_fd(pe, (int)fd)) < 0) {
			close((int)fd);
			return err;
		}
		if (!pe->rings[cpu].meta) {
			if ((err = map_ring(pe, &pe->rings[cpu], (int)fd)) < 0)
				return err;
		} else if (ioctl((int)fd, PERF_EVENT_IOC_SET_OUTPUT, pe->rings[cpu].fd) < 0) {
			return -errno;
		}
		if (pe->cs_attr.size && (err = open_cs(pe, tid, cpu)) < 0)
			return err;
	}
	return 0;
}

static bool have_tid(const pid_t *seen, size_t n, pid_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (seen[i] == tid)
			return true;
	return false;
}

/* Open events for every thread not yet covered; *added says how many.  A
 * thread that exits between listing and opening is skipped. */
static int scan_threads(struct perfev *pe, pid_t pid, pid_t **seen, size_t *nseen, size_t *added)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int err = 0;

	*added = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((d = readdir(dir))) {
		pid_t tid = (pid_t)atoi(d->d_name), *v;

		if (tid <= 0 || have_tid(*seen, *nseen, tid))
			continue;
		if (*nseen >= PE_MAX_THREADS) {
			err = -E2BIG;
			break;
		}
		err = open_thread(pe, tid);
		if (err == -ESRCH) {
			err = 0;
			continue;
		}
		if (err)
			break;
		v = realloc(*seen, (*nseen + 1) * sizeof(*v));
		if (!v) {
			err = -ENOMEM;
			break;
		}
		*seen = v;
		(*seen)[(*nseen)++] = tid;
		(*added)++;
	}
	closedir(dir);
	return err;
}

static void close_all(struct perfev *pe)
{
	for (unsigned i = 0; pe->rings && i < pe->ncpus; i++)
		if (pe->rings[i].meta)
			munmap(pe->rings[i].meta, pe->rings[i].size + (size_t)sysconf(_SC_PAGESIZE));
	for (size_t i = 0; i < pe->nfds; i++)
		close(pe->fds[i]);
	free(pe->rings);
	pe->rings = NULL;
	pe->nfds = 0;
}

/* Give a descriptor-hungry process (many threads x CPUs) the hard limit. */
static bool raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return false;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

static int try_open(struct perfev *pe, pid_t pid)
{
	pid_t *seen = NULL;
	size_t nseen = 0, added;
	int err, rounds = 0;

	pe->rings = calloc(pe->ncpus, sizeof(*pe->rings));
	if (!pe->rings)
		return -ENOMEM;
	/* Threads created while we open are inherited only if their creator
	 * already had events: scan again until a pass adds nobody. */
	do {
		err = scan_threads(pe, pid, &seen, &nseen, &added);
	} while (!err && added && ++rounds < 100);
	if (!err && nseen == 0)
		err = -ESRCH;
	free(seen);
	if (err)
		close_all(pe);
	return err;
}

/* RLIMIT_MEMLOCK's soft limit as ulimit -l prints it: KiB or "unlimited". */
static const char *memlock_kb(char *buf, size_t len)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0)
		snprintf(buf, len, "unknown");
	else if (rl.rlim_cur == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu", (unsigned long long)rl.rlim_cur / 1024);
	return buf;
}

static void explain(int err, pid_t pid, char *msg, size_t len)
{
	int paranoid = read_int_file("/proc/sys/kernel/perf_event_paranoid", 2);
	char lim[32];

	switch (-err) {
	case ESRCH:
		snprintf(msg, len, "no such process: %d", (int)pid);
		break;
	case EACCES:
	case EPERM:
		snprintf(msg, len, "perf_event_open on pid %d not permitted (perf_event_paranoid is %d): "
			 "run as the process's owner or root, grant CAP_PERFMON, or lower "
			 "/proc/sys/kernel/perf_event_paranoid", (int)pid, paranoid);
		break;
	case EDQUOT:
		snprintf(msg, len, "perf rings of %d pages per CPU do not fit in the locked memory "
			 "allowed (perf_event_mlock_kb %d, ulimit -l %s): raise ulimit -l or "
			 "/proc/sys/kernel/perf_event_mlock_kb, or run as root", PE_MIN_RING_PAGES,
			 read_int_file("/proc/sys/kernel/perf_event_mlock_kb", 516), memlock_kb(lim,
			 sizeof(lim)));
		break;
	case EMFILE:
	case ENFILE:
		snprintf(msg, len, "out of file descriptors opening one event per thread and CPU: "
			 "raise the limit (ulimit -n)");
		break;
	default:
		snprintf(msg, len, "perf_event_open failed: %s", strerror(-err));
	}
}

int perfev_open(struct perfev **out, pid_t pid, const struct perfev_opts *o,
		struct perfev_info *info, char *errmsg, size_t errlen)
{
	struct perfev *pe = calloc(1, sizeof(*pe));
	struct perfev_opts oo = *o;   /* what is asked, less what is refused */
	bool kernel = o->kernel, tp_ok;
	int err;

	if (!pe)
		return -ENOMEM;
	pe->ncpus = (unsigned)sysconf(_SC_NPROCESSORS_CONF);
	pe->ring_pages = PE_MAX_RING_PAGES;
	pe->nregs = __builtin_popcountll(PE_REGS_MASK);
	tp_ok = o->off_cpu && find_sched_switch(&pe->tp);
	for (;;) {
		setup_attr(&pe->attr, &oo, kernel);
		memset(&pe->cs_attr, 0, sizeof(pe->cs_attr));
		if (oo.off_cpu) {
			use_tracepoint(pe, tp_ok);
			setup_cs_attr(&pe->cs_attr, &pe->attr, &pe->tp);
		}
		pe->ncs_ids = 0;
		err = try_open(pe, pid);
		/* The tracepoint's raw data needs more privilege than the
		 * software event, which in turn needs kernel sampling (a
		 * switch happens in the kernel): drop them in that order. */
		if ((err == -EACCES || err == -EPERM) && tp_ok) {
			tp_ok = false;
			continue;
		}
		if ((err == -EACCES || err == -EPERM) && oo.off_cpu) {
			oo.off_cpu = false;
			continue;
		}
		/* Unprivileged users may still sample user space of their own
		 * processes at perf_event_paranoid 2: drop kernel frames. */
		if ((err == -EACCES || err == -EPERM) && kernel) {
			kernel = false;
			continue;
		}
		if ((err == -EMFILE) && raise_nofile())
			continue;
		/* The first CPUs' rings took the locked memory the others
		 * needed: every CPU gets a ring half as big. */
		if (err == -EDQUOT && pe->ring_pages > PE_MIN_RING_PAGES) {
			pe->ring_pages /= 2;
			continue;
		}
		break;
	}
	if (err) {
		explain(err, pid, errmsg, errlen);
		free(pe->fds);
		free(pe->cs_ids);
		free(pe);
		return err;
	}
	pe->scratch_size = 1 << 16;
	pe->scratch = malloc(pe->scratch_size);
	if (!pe->scratch) {
		perfev_close(pe);
		return -ENOMEM;
	}
	if (info) {
		info->kernel = kernel;
		info->sched_switch = oo.off_cpu && pe->tp.id;
		info->off_cpu = oo.off_cpu;
		info->nevents = pe->nfds;
		info->ring_bytes = pe->ring_pages * (size_t)sysconf(_SC_PAGESIZE);
		info->ncpus = pe->ncpus;
		info->stack_size = o->stack_size;
	}
	*out = pe;
	return 0;
}

void perfev_close(struct perfev *pe)
{
	if (!pe)
		return;
	close_all(pe);
	free(pe->fds);
	free(pe->cs_ids);
	free(pe->scratch);
	free(pe);
}

size_t perfev_nfds(const struct perfev *pe)
{
	return pe->nfds;
}

size_t perfev_pollfds(const struct perfev *pe, struct pollfd *fds, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < pe->nfds && n < max; i++) {
		fds[n].fd = pe->fds[i];
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

static void drain_ring(struct perfev *pe, struct pe_ring *r, perfev_record_fn fn, void *ctx)
{
	uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->meta->data_tail;

	while (tail < head) {
		size_t off = (size_t)(tail & (r->size - 1));
		struct perf_event_header h;
		const struct perf_event_header *rec;

		if (head - tail < sizeof(h))
			break;
		if (off + sizeof(h) <= r->size) {
			memcpy(&h, r->data + off, sizeof(h));
		} else {
			size_t first = r->size - off;

			memcpy(&h, r->data + off, first);
			memcpy((uint8_t *)&h + first, r->data, sizeof(h) - first);
		}
		if (h.size < sizeof(h) || h.size > head - tail)
			break;   /* cannot happen with a sane kernel; never spin */
		if (off + h.size <= r->size) {
			rec = (const void *)(r->data + off);
		} else if (h.size <= pe->scratch_size) {
			size_t first = r->size - off;

			memcpy(pe->scratch, r->data + off, first);
			memcpy(pe->scratch + first, r->data, h.size - first);
			rec = (const void *)pe->scratch;
		} else {
			rec = NULL;
		}
		if (rec)
			fn(ctx, rec);
		tail += h.size;
	}
	__atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
}

int perfev_drain(struct perfev *pe, perfev_record_fn fn, void *ctx)
{
	for (unsigned i = 0; i < pe->ncpus; i++)
		if (pe->rings[i].meta)
			drain_ring(pe, &pe->rings[i], fn, ctx);
	return 0;
}

/* A bounded reader over one record. */
struct cur {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t take_u64(struct cur *c)
{
	uint64_t v = 0;

	if (c->end - c->p < 8) {
		c->bad = true;
		return 0;
	}
	memcpy(&v, c->p, 8);
	c->p += 8;
	return v;
}

static void parse_callchain(struct cur *c, struct perfev_sample *s)
{
	uint64_t nr = take_u64(c);

	if (c->bad || nr > (uint64_t)(c->end - c->p) / 8) {
		c->bad = true;
		return;
	}
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t ip = take_u64(c);

		if (ip >= (uint64_t)PERF_CONTEXT_MAX)
			continue;  /* a context marker, not a frame */
		if (s->nkchain < PERFEV_MAX_KFRAMES)
			s->kchain[s->nkchain++] = ip;
	}
}

/* RAW: u32 size, data, padded to 8 bytes with the size; prev_state when it
 * is the tracepoint's. */
static void parse_raw(const struct perfev *pe, struct cur *c, struct perfev_sample *s)
{
	uint32_t size;
	int64_t st = 0;

	if (c->end - c->p < 4) {
		c->bad = true;
		return;
	}
	memcpy(&size, c->p, 4);
	if (size > (uint64_t)(c->end - c->p) - 4) {
		c->bad = true;
		return;
	}
	if (s->switch_out && pe->tp.id && pe->tp.state_off + pe->tp.state_size <= size) {
		if (pe->tp.state_size == 8) {
			memcpy(&st, c->p + 4 + pe->tp.state_off, 8);
		} else {
			int32_t v;

			memcpy(&v, c->p + 4 + pe->tp.state_off, 4);
			st = v;
		}
		s->has_state = true;
		s->prev_state = st;
	}
	c->p += ((size_t)size + 4 + 7) & ~(size_t)7;
	if (c->p > c->end)
		c->bad = true;
}

bool perfev_parse_sample(const struct perfev *pe, const struct perf_event_header *h,
			 struct perfev_sample *s)
{
	struct cur c = { (const uint8_t *)(h + 1), (const uint8_t *)h + h->size, false };
	uint64_t v, size;

	memset(s, 0, offsetof(struct perfev_sample, kchain));
	s->nkchain = 0;
	s->stack = NULL;
	s->stack_len = 0;
	s->switch_out = false;
	s->has_state = false;
	if (pe->attr.sample_type & PERF_SAMPLE_IDENTIFIER)
		s->switch_out = is_cs_id(pe, take_u64(&c));
	s->ip = take_u64(&c);
	v = take_u64(&c);
	s->pid = (uint32_t)v;
	s->tid = (uint32_t)(v >> 32);
	s->time_ns = take_u64(&c);
	if (pe->attr.sample_type & PERF_SAMPLE_CALLCHAIN)
		parse_callchain(&c, s);
	if (pe->attr.sample_type & PERF_SAMPLE_RAW)
		parse_raw(pe, &c, s);
	/* REGS_USER: abi, then one value per mask bit unless abi is NONE
	 * (the sample hit a kernel thread or an exiting task). */
	if (take_u64(&c) != PERF_SAMPLE_REGS_ABI_NONE) {
		for (int i = 0; i < UW_NREGS && !c.bad; i++)
			if (PE_REGS_MASK & (1ull << i))
				s->regs[i] = take_u64(&c);
		s->has_regs = !c.bad;
	}
	/* STACK_USER: size, data[size], then dyn_size if size != 0. */
	size = take_u64(&c);
	if (size) {
		if (size > (uint64_t)(c.end - c.p)) {
			c.bad = true;
		} else {
			const uint8_t *data = c.p;

			c.p += size;
			v = take_u64(&c);
			s->stack = data;
			s->stack_len = (size_t)(v < size ? v : size);
		}
	}
	return !c.bad;
}

bool perfev_parse_switch(const struct perfev *pe, const struct perf_event_header *h,
			 struct perfev_switch *s)
{
	/* No body: the sample_id trailer (sample_id_all) of the off-CPU
	 * event's sample_type: {pid, tid}, time, identifier. */
	struct cur c = { (const uint8_t *)(h + 1), (const uint8_t *)h + h->size, false };
	uint64_t v;

	if (h->type != PERF_RECORD_SWITCH || !pe->cs_attr.size)
		return false;
	v = take_u64(&c);
	s->pid = (uint32_t)v;
	s->tid = (uint32_t)(v >> 32);
	s->time_ns = take_u64(&c);
	s->out = h->misc & PERF_RECORD_MISC_SWITCH_OUT;
	s->preempted = s->out && (h->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT);
	return !c.bad;
}
