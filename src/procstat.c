/* procstat.c — read the target's process-wide figures from /proc through libproc2. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "proftui/monotime.h"
#include "proftui/procstat.h"
#include "proftui/ptproc.h"

/*
 * Where the time goes (measured with a throw-away bench on the build machine,
 * a 2-CPU VM; each /proc file costs 7-20 us to open, read and close):
 *
 *   target threads    procstat_get    procstat_read (one-shot)
 *   2                 100-120 us      180-220 us
 *   100               2.4-2.5 ms      2.3-2.8 ms
 *
 * libproc2 reads uptime, status, stat and status again for the process
 * pass (~60 us), the io file is one more; then each thread costs its status
 * file (~24 us).  Getting the thread states from libproc2 instead
 * (PIDS_SELECT_PID_THREADS) measured 5.1-5.5 ms for 100 threads, since it
 * reads every task's stat and statm besides the status files the switch
 * counts need: the state is taken from those status files instead.  At one
 * reading a second that is 0.25 % of a CPU for 100 threads; past
 * PROCSTAT_MAX_THREADS threads the per-thread figures stop there so a huge
 * process cannot stall the sampler thread.
 */

/* Biggest status file we parse; they are ~1.5 KiB (more with many CPUs). */
#define PROCSTAT_FILE_MAX 16384
/* libproc2 is asked about one pid per call. */
#define PROCSTAT_NSEL 1

/* The process pass: the order here is the order of PIDS_VAL's index. */
enum { PI_UTIME, PI_STIME, PI_RSS, PI_VSIZE, PI_SWAP, PI_MINFLT, PI_MAJFLT, PI_NLWP };
static enum pids_item proc_items[] = {
	PIDS_TICS_USER, PIDS_TICS_SYSTEM, PIDS_VM_RSS, PIDS_VSIZE_BYTES,
	PIDS_VM_SWAP, PIDS_FLT_MIN, PIDS_FLT_MAJ, PIDS_NLWP,
};

struct procstat_reader {
	pid_t pid;
	uint64_t ns_per_tick;
	struct pids_info *proc;
	char *buf;               /* PROCSTAT_FILE_MAX bytes for status files */
	struct procstat_thread *threads;  /* PROCSTAT_MAX_THREADS of them */
	size_t nthreads;
};

int procstat_new(struct procstat_reader **out, pid_t pid)
{
	struct procstat_reader *r = calloc(1, sizeof(*r));
	long hz = sysconf(_SC_CLK_TCK);
	int ret;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->pid = pid;
	/* Without it the thread list lacks per-thread figures: no failure. */
	r->threads = calloc(PROCSTAT_MAX_THREADS, sizeof(*r->threads));
	r->buf = malloc(PROCSTAT_FILE_MAX);
	if (!r->buf) {
		free(r);
		return -ENOMEM;
	}
	r->ns_per_tick = hz > 0 && hz <= 1000000000 ? 1000000000ull / (uint64_t)hz : 10000000ull;
	ret = procps_pids_new(&r->proc, proc_items, (int)(sizeof(proc_items) / sizeof(proc_items[0])));
	if (ret < 0) {
		procstat_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

void procstat_free(struct procstat_reader *r)
{
	if (!r)
		return;
	if (r->proc)
		procps_pids_unref(&r->proc);
	free(r->buf);
	free(r->threads);
	free(r);
}

/* Read a small /proc file whole into buf (NUL-terminated).  Returns its
 * length or -errno. */
static ssize_t procstat_slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* The number after "\nKEY" (KEY includes its ':'); false when absent. */
static bool procstat_field(const char *text, const char *key, uint64_t *val)
{
	char pat[64];
	const char *p;
	char *end;

	snprintf(pat, sizeof(pat), "\n%s", key);
	p = strstr(text, pat);
	if (!p)
		return false;
	p += strlen(pat);
	errno = 0;
	*val = strtoull(p, &end, 10);
	return end != p && errno == 0;
}

/*
 * libproc2 reads /proc/PID/io too, but an unreadable file (another user's
 * process, without CAP_SYS_PTRACE) comes back as zeros, which we must not
 * show as "no I/O": the two fields are read here instead.
 */
static void procstat_io(pid_t pid, struct procstat *out)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	if (procstat_slurp(path, buf + 1, sizeof(buf) - 1) <= 0)
		return;
	buf[0] = '\n';   /* so the first line matches like the others */
	if (procstat_field(buf, "read_bytes:", &out->read_bytes) &&
	    procstat_field(buf, "write_bytes:", &out->write_bytes))
		out->flags |= PROCSTAT_IO_KNOWN;
}

static enum procstat_state procstat_letter(char c)
{
	switch (c) {
	case 'R':
		return PROCSTAT_RUN;
	case 'S':
		return PROCSTAT_SLEEP;
	case 'D':
		return PROCSTAT_DISK;
	case 'T': case 't':
		return PROCSTAT_STOP;
	default:
		return PROCSTAT_OTHER;
	}
}

static int procstat_process(struct procstat_reader *r, struct procstat *out)
{
	unsigned pid = (unsigned)r->pid;
	struct pids_fetch *f = procps_pids_select(r->proc, &pid, PROCSTAT_NSEL, PIDS_SELECT_PID);
	struct pids_stack *s;

	if (!f)
		return errno ? -errno : -EIO;
	if (f->counts->total < 1 || !f->stacks[0])
		return -ESRCH;
	s = f->stacks[0];
	out->time_ns = monotime_ns();
	out->utime_ns = PIDS_VAL(PI_UTIME, ull_int, s, r->proc) * r->ns_per_tick;
	out->stime_ns = PIDS_VAL(PI_STIME, ull_int, s, r->proc) * r->ns_per_tick;
	out->rss_bytes = (uint64_t)PIDS_VAL(PI_RSS, ul_int, s, r->proc) * 1024;
	out->vsize_bytes = PIDS_VAL(PI_VSIZE, ul_int, s, r->proc);
	out->swap_bytes = (uint64_t)PIDS_VAL(PI_SWAP, ul_int, s, r->proc) * 1024;
	out->minflt = PIDS_VAL(PI_MINFLT, ul_int, s, r->proc);
	out->majflt = PIDS_VAL(PI_MAJFLT, ul_int, s, r->proc);
	out->nthreads = (uint32_t)PIDS_VAL(PI_NLWP, s_int, s, r->proc);
	return 0;
}

/*
 * One thread's state and switch counts, from its status file.  libproc2
 * 4.0.2 has no item for the switch counts, and the kernel keeps them per
 * thread (the process's own status shows the main thread's), so every
 * thread's status is read by hand; its State line comes along for free.
 * A thread that ended since the listing is skipped.
 */
/* A thread's user + system time from its stat file (fields 14 and 15,
 * counted after the name's closing parenthesis: names may hold spaces). */
static uint64_t procstat_thread_cpu(struct procstat_reader *r, pid_t tid)
{
	char path[64];
	unsigned long long ut, st;
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)r->pid, (int)tid);
	if (procstat_slurp(path, r->buf, PROCSTAT_FILE_MAX) <= 0 || !(p = strrchr(r->buf, ')')))
		return 0;
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return (uint64_t)(ut + st) * r->ns_per_tick;
}

static void procstat_thread(struct procstat_reader *r, pid_t tid, struct procstat *out)
{
	char path[64];
	const char *st;
	struct procstat_thread t = { .tid = (uint32_t)tid };

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)r->pid, (int)tid);
	if (procstat_slurp(path, r->buf, PROCSTAT_FILE_MAX) <= 0)
		return;
	st = strstr(r->buf, "\nState:");
	if (!st)
		return;
	st += strlen("\nState:");
	st += strspn(st, " \t");
	t.state = procstat_letter(*st);
	out->states[t.state]++;
	if (procstat_field(r->buf, "voluntary_ctxt_switches:", &t.vol_cs))
		out->vol_cs += t.vol_cs;
	if (procstat_field(r->buf, "nonvoluntary_ctxt_switches:", &t.invol_cs))
		out->invol_cs += t.invol_cs;
	t.cpu_ns = procstat_thread_cpu(r, tid);
	if (r->threads && r->nthreads < PROCSTAT_MAX_THREADS)
		r->threads[r->nthreads++] = t;
}

const struct procstat_thread *procstat_threads_of(const struct procstat_reader *r, size_t *n)
{
	*n = r && r->threads ? r->nthreads : 0;
	return r ? r->threads : NULL;
}

static int procstat_threads(struct procstat_reader *r, struct procstat *out)
{
	char path[64];
	struct dirent *e;
	unsigned seen = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)r->pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((e = readdir(d))) {
		pid_t tid = ptproc_tid(e->d_name);

		if (!tid)
			continue;   /* "." and "..": only task ids are wanted */
		if (seen++ == PROCSTAT_MAX_THREADS) {
			out->flags |= PROCSTAT_THREADS_PARTIAL;
			break;
		}
		procstat_thread(r, tid, out);
	}
	closedir(d);
	return 0;
}

int procstat_get(struct procstat_reader *r, struct procstat *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (!r || r->pid <= 0)
		return -EINVAL;
	r->nthreads = 0;
	ret = procstat_process(r, out);
	if (!ret)
		ret = procstat_threads(r, out);
	if (!ret)
		procstat_io(r->pid, out);
	return ret;
}

int procstat_read(pid_t pid, struct procstat *out)
{
	struct procstat_reader *r;
	int ret = procstat_new(&r, pid);

	if (ret) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	ret = procstat_get(r, out);
	procstat_free(r);
	return ret;
}
