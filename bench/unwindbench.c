/* unwindbench.c — issue 7's "unwind throughput": captured perf samples replayed through the unwinder with warm caches. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proftui/modcache.h"
#include "proftui/perfev.h"
#include "proftui/unwind.h"

#include "mdsection.h"

/*
 * Samples are captured live from the fixed-work workload (bench/work: a
 * 20-deep chain_even/chain_odd recursion over three leaves) with the same
 * perf options proftui uses (user space only, 16 KiB stack copies), each
 * copied out of the kernel ring.  The target is then stopped so that its
 * mappings are exactly those the samples were taken under, and the copies
 * are replayed through a modcache + uw built as the sampler builds them:
 * once cold (first module images, table searches, libunwind's cache
 * empty), then over and over for a few seconds.  Only uw_unwind (and the
 * modcache_set_sample_time before it, as in sampler_perf.c) is timed:
 * not the ring drain, the record building or the ring push.
 */

#define TARGET_RATE	200000.0	/* issue 7: stacks/s per core, 20-frame stacks */
#define MAX_DEPTH	256		/* proftui's default --max-depth */
#define STACK_SIZE	16384		/* proftui's default --stack-size */
#define COLLECT_LIMIT_S	30.0
#define MARK_BEGIN	"<!-- unwindbench: written by bench/unwindbench -->"
#define MARK_END	"<!-- /unwindbench -->"
#define HIST_MAX	64		/* depth histogram buckets; the last is "more" */

struct capture {
	uint64_t regs[UW_NREGS];
	uint64_t time_ns;
	uint8_t *stack;
	size_t stack_len;
};

struct collect {
	const struct perfev *pe;
	pid_t pid;
	struct capture *caps;
	size_t n, want;
	size_t no_user, foreign, bad, lost;
};

/* What the signal handlers need to leave the target running (or gone). */
static volatile sig_atomic_t target_pid;
static volatile sig_atomic_t target_is_child;
static volatile sig_atomic_t target_stopped;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Never leave the target stopped; a child of ours also goes.  Async-signal-safe. */
static void release_target(void)
{
	pid_t pid = (pid_t)target_pid;

	if (pid <= 0)
		return;
	if (target_stopped)
		kill(pid, SIGCONT);
	target_stopped = 0;
	if (target_is_child)
		kill(pid, SIGKILL);
}

static void on_fatal(int sig)
{
	release_target();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE,
				    SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Start `work ROUNDS THREADS 20` and return once it has exec'd (a CLOEXEC
 * pipe reaches EOF), so the events open on the workload, not on our fork. */
static pid_t spawn_work(const char *path, unsigned threads)
{
	char nthreads[16];
	int p[2], err = 0;
	ssize_t r;
	pid_t pid;

	snprintf(nthreads, sizeof(nthreads), "%u", threads);
	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(p[0]);
		close(p[1]);
		return -err;
	}
	if (pid == 0) {
		/* If the benchmark dies by SIGKILL, its workload goes too. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		execl(path, path, "1000000000", nthreads, "20", (char *)NULL);
		err = errno;
		if (write(p[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(p[1]);
	do
		r = read(p[0], &err, sizeof(err));
	while (r < 0 && errno == EINTR);
	close(p[0]);
	if (r == (ssize_t)sizeof(err)) {
		waitpid(pid, NULL, 0);
		return -err;
	}
	return pid;
}

static void on_record(void *ctx, const struct perf_event_header *h)
{
	struct collect *c = ctx;
	struct perfev_sample ps;
	struct capture *cap;

	if (h->type == PERF_RECORD_LOST) {
		uint64_t lost;

		if (h->size >= sizeof(*h) + 16) {
			memcpy(&lost, (const uint8_t *)(h + 1) + 8, 8);
			c->lost += lost;
		}
		return;
	}
	if (h->type != PERF_RECORD_SAMPLE || c->n >= c->want)
		return;
	if (!perfev_parse_sample(c->pe, h, &ps)) {
		c->bad++;
		return;
	}
	if (ps.pid != (uint32_t)c->pid) {
		c->foreign++;
		return;
	}
	/* The sampler unwinds only samples with registers and a stack copy. */
	if (!ps.has_regs || !ps.stack) {
		c->no_user++;
		return;
	}
	cap = &c->caps[c->n];
	cap->stack = malloc(ps.stack_len ? ps.stack_len : 1);
	if (!cap->stack) {
		c->bad++;
		return;
	}
	memcpy(cap->regs, ps.regs, sizeof(cap->regs));
	memcpy(cap->stack, ps.stack, ps.stack_len);
	cap->stack_len = ps.stack_len;
	cap->time_ns = ps.time_ns;
	c->n++;
}

static int collect(struct collect *c, unsigned hz, char *err, size_t errlen)
{
	struct perfev_opts po = { .freq_hz = hz, .stack_size = STACK_SIZE, .kernel = false };
	struct perfev_info pi;
	struct perfev *pe;
	struct pollfd *fds;
	size_t nfds;
	double t0 = now_s();
	int ret = perfev_open(&pe, c->pid, &po, &pi, err, errlen);

	if (ret)
		return ret;
	c->pe = pe;
	nfds = perfev_nfds(pe);
	fds = calloc(nfds ? nfds : 1, sizeof(*fds));
	if (!fds) {
		perfev_close(pe);
		return -ENOMEM;
	}
	nfds = perfev_pollfds(pe, fds, nfds);
	while (c->n < c->want) {
		/* Rings wake at half full; drain often anyway so 16 KiB
		 * samples from several threads are not lost. */
		poll(fds, nfds, 20);
		perfev_drain(pe, on_record, c);
		if (kill(c->pid, 0) != 0) {
			snprintf(err, errlen, "target %d exited after %zu samples", (int)c->pid, c->n);
			ret = -ESRCH;
			break;
		}
		if (now_s() - t0 > COLLECT_LIMIT_S) {
			snprintf(err, errlen, "only %zu of %zu samples in %.0f s", c->n, c->want,
				 COLLECT_LIMIT_S);
			ret = -ETIMEDOUT;
			break;
		}
	}
	free(fds);
	perfev_close(pe);
	c->pe = NULL;
	return ret;
}

/* Stop the target and wait until it is stopped (every thread: group stop). */
static int stop_target(pid_t pid, bool child)
{
	char path[64], buf[512];
	double t0 = now_s();

	target_stopped = 1;
	if (kill(pid, SIGSTOP) != 0)
		return -errno;
	if (child) {
		int st;

		if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st))
			return -ESRCH;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	while (now_s() - t0 < 5.0) {
		FILE *f = fopen(path, "r");
		char *p;
		size_t n;

		if (!f)
			return -ESRCH;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* The state follows the last ')' (comm may hold any byte). */
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && (p[2] == 'T' || p[2] == 't'))
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/* Accept every module, as the sampler does (it only forwards them). */
static int announce_all(void *ctx, const struct mod *m)
{
	size_t *n = ctx;

	(void)m;
	(*n)++;
	return 0;
}

struct pass {
	size_t stacks, frames;
	size_t status[UWS__COUNT];
	size_t hist[HIST_MAX + 1];
};

static void replay(struct uw *uw, struct modcache *mc, const struct collect *c, uint64_t *ips,
		   struct pass *p)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct capture *cap = &c->caps[i];
		enum unwind_status st;
		size_t n;

		modcache_set_sample_time(mc, cap->time_ns);
		n = uw_unwind(uw, cap->regs, cap->stack, cap->stack_len, ips, MAX_DEPTH, &st);
		p->stacks++;
		p->frames += n;
		p->status[st < UWS__COUNT ? st : UWS_BAD_FRAME]++;
		p->hist[n < HIST_MAX ? n : HIST_MAX]++;
	}
}

/* One sample unwound by libunwind alone and by the rule cache, at most max
 * frames: do they agree?  (Prints the first few that do not.) */
static bool same_both_ways(struct uw *uw, const struct capture *cap, size_t i, size_t max,
			   uint64_t *ips, uint64_t *ips2, size_t *fast, size_t *shown)
{
	enum unwind_status st, st2;
	uint64_t f0, s0, f1, s1;
	size_t n, n2;

	uw_set_fast(uw, false);
	n = uw_unwind(uw, cap->regs, cap->stack, cap->stack_len, ips, max, &st);
	uw_set_fast(uw, true);
	uw_stats(uw, &f0, &s0);
	n2 = uw_unwind(uw, cap->regs, cap->stack, cap->stack_len, ips2, max, &st2);
	uw_stats(uw, &f1, &s1);
	*fast += f1 - f0;
	if (n == n2 && st == st2 && !memcmp(ips, ips2, n * sizeof(*ips)))
		return true;
	if ((*shown)++ < 5) {
		fprintf(stderr, "unwindbench: sample %zu (max %zu frames, stack %zu bytes): libunwind "
				"%zu frames (status %d), rule cache %zu (status %d)\n",
			i, max, cap->stack_len, n, (int)st, n2, (int)st2);
		for (size_t k = 0; k < n || k < n2; k++)
			fprintf(stderr, "  %2zu  %#18llx  %#18llx\n", k,
				k < n ? (unsigned long long)ips[k] : 0ull,
				k < n2 ? (unsigned long long)ips2[k] : 0ull);
	}
	return false;
}

/*
 * Every sample unwound by libunwind alone and by the rule cache: both must
 * give the same frames and the same ending, or the fast path is wrong;
 * again with a small frame limit (1 to 32, varying), so that walks cut
 * short agree too.  Returns the number of samples that differ; *fast
 * counts those the rule cache unwound by itself (full depth).
 */
static size_t verify(struct uw *uw, struct modcache *mc, const struct collect *c, uint64_t *ips,
		     uint64_t *ips2, size_t *fast)
{
	size_t bad = 0, shown = 0, cut_fast = 0;

	*fast = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct capture *cap = &c->caps[i];
		bool ok;

		modcache_set_sample_time(mc, cap->time_ns);
		ok = same_both_ways(uw, cap, i, MAX_DEPTH, ips, ips2, fast, &shown);
		ok &= same_both_ways(uw, cap, i, 1 + i % 32, ips, ips2, &cut_fast, &shown);
		bad += !ok;
	}
	return bad;
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && p) {
			p += 1 + (p[1] == ' ');
			p[strcspn(p, "\n")] = '\0';
			snprintf(buf, len, "%s", p);
			break;
		}
	}
	fclose(f);
}

static const char *const status_names[UWS__COUNT] = {
	"ok", "depth", "stack copy", "no CFI", "bad frame", "no user regs"
};

static void usage(FILE *out)
{
	fprintf(out, "usage: unwindbench [-p PID | --work PATH] [-n SAMPLES] [-F HZ] [-t THREADS]\n"
		     "                   [--seconds S] [--depth-hist] [--verify] [--write FILE]\n"
		     "  Captures SAMPLES (default 2000) perf samples (registers + 16 KiB stack\n"
		     "  copies, user space, HZ default 999) of PID or of a started fixed-work\n"
		     "  workload (default build/bench/work, or $WORK; THREADS default 2), stops\n"
		     "  the target and replays the samples through the unwinder once cold, then\n"
		     "  for S seconds (default 3) warm, with the rule cache and with libunwind\n"
		     "  alone.  Prints a markdown section; --write replaces it in FILE (appended\n"
		     "  when absent).  --verify first unwinds every sample both ways and exits 1\n"
		     "  if any differs.\n");
}

static bool parse_num(const char *s, double lo, double hi, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return !errno && end != s && !*end && *v >= lo && *v <= hi;
}

int main(int argc, char **argv)
{
	const char *work = getenv("WORK"), *write = NULL;
	unsigned hz = 999, threads = 2;
	double seconds = 3.0, v;
	bool hist = false, check = false;
	pid_t pid = 0;
	struct collect c = { .want = 2000 };
	struct modcache *mc = NULL;
	struct uw *uw = NULL;
	uint64_t *ips = NULL, *ips2 = NULL;
	struct pass cold = { 0 }, warm = { 0 }, slow = { 0 };
	size_t nmods = 0, passes = 0, slow_passes = 0, differ = 0, fast_n = 0;
	uint64_t n_fast, n_slow;
	double t0, cold_s, warm_s, slow_s, rate, cold_rate, slow_rate, mean;
	char err[512] = "", cpu[256];
	struct sbuf md = { 0 };
	struct utsname un;
	double load[3] = { 0 };
	int ret, rc = 1;

	if (!work || !*work)
		work = "build/bench/work";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-p") && next && parse_num(next, 1, 4194304, &v)) {
			pid = (pid_t)v;
		} else if (!strcmp(a, "--work") && next) {
			work = next;
		} else if (!strcmp(a, "-n") && next && parse_num(next, 1, 1000000, &v)) {
			c.want = (size_t)v;
		} else if (!strcmp(a, "-F") && next && parse_num(next, 1, 100000, &v)) {
			hz = (unsigned)v;
		} else if (!strcmp(a, "-t") && next && parse_num(next, 1, 256, &v)) {
			threads = (unsigned)v;
		} else if (!strcmp(a, "--seconds") && next && parse_num(next, 0.1, 600, &v)) {
			seconds = v;
		} else if (!strcmp(a, "--write") && next) {
			write = next;
		} else if (!strcmp(a, "--depth-hist")) {
			hist = true;
			continue;
		} else if (!strcmp(a, "--verify")) {
			check = true;
			continue;
		} else {
			bool help = !strcmp(a, "--help") || !strcmp(a, "-h");

			usage(help ? stdout : stderr);
			return help ? 0 : 2;
		}
		i++;
	}

	install_handlers();
	c.caps = calloc(c.want, sizeof(*c.caps));
	ips = calloc(MAX_DEPTH + 1, sizeof(*ips));
	ips2 = calloc(MAX_DEPTH + 1, sizeof(*ips2));
	if (!c.caps || !ips || !ips2) {
		fprintf(stderr, "unwindbench: out of memory\n");
		goto out;
	}
	if (!pid) {
		pid = spawn_work(work, threads);
		if (pid < 0) {
			fprintf(stderr, "unwindbench: cannot start %s: %s (make %s)\n", work,
				strerror((int)-pid), work);
			goto out;
		}
		target_is_child = 1;
	}
	target_pid = pid;
	c.pid = pid;

	t0 = now_s();
	ret = collect(&c, hz, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "unwindbench: collecting samples of %d: %s\n", (int)pid,
			*err ? err : strerror(-ret));
		goto out;
	}
	fprintf(stderr, "unwindbench: %zu samples in %.2f s (%zu without user registers, %zu lost)\n",
		c.n, now_s() - t0, c.no_user, c.lost);

	ret = stop_target(pid, target_is_child);
	if (ret) {
		fprintf(stderr, "unwindbench: stopping %d: %s\n", (int)pid, strerror(-ret));
		goto out;
	}
	mc = modcache_new(pid, announce_all, &nmods);
	uw = mc ? uw_new(mc) : NULL;
	if (!uw) {
		fprintf(stderr, "unwindbench: cannot set up the unwinder for %d\n", (int)pid);
		goto out;
	}

	/* Unwind as the sampler thread does: with every signal blocked (it
	 * lets unwind.c skip libunwind's per-frame signal masking).  A signal
	 * that comes meanwhile is handled when the replay is over. */
	sigset_t all, before;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &before);
	t0 = now_s();
	replay(uw, mc, &c, ips, &cold);
	cold_s = now_s() - t0;

	uw_stats(uw, &n_fast, &n_slow);
	if (check)
		differ = verify(uw, mc, &c, ips, ips2, &fast_n);

	/* Whole passes only, so every sample weighs the same in the mean. */
	t0 = now_s();
	do {
		replay(uw, mc, &c, ips, &warm);
		passes++;
		warm_s = now_s() - t0;
	} while (warm_s < seconds);
	/* The same with libunwind alone: what the rule cache saves. */
	uw_set_fast(uw, false);
	t0 = now_s();
	do {
		replay(uw, mc, &c, ips, &slow);
		slow_passes++;
		slow_s = now_s() - t0;
	} while (slow_s < seconds);
	uw_set_fast(uw, true);
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	if (check) {
		fprintf(stderr, "unwindbench: verify: %zu samples, %zu unwound alike by libunwind "
				"and the rule cache (%zu by the rule cache alone), %zu differ\n",
			c.n, c.n - differ, fast_n, differ);
		if (differ)
			goto out;
	}

	/* Done with the target: let it go before reporting. */
	release_target();
	if (target_is_child)
		waitpid(pid, NULL, 0);
	target_pid = 0;

	rate = (double)warm.stacks / warm_s;
	slow_rate = (double)slow.stacks / slow_s;
	cold_rate = (double)cold.stacks / cold_s;
	mean = (double)warm.frames / (double)warm.stacks;
	cpu_model(cpu, sizeof(cpu));
	if (uname(&un) != 0)
		snprintf(un.release, sizeof(un.release), "?");
	/* A shared machine slows the replay: say how busy it was. */
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	/* Every pass unwinds the same copies: a difference would mean state
	 * leaking between unwinds, which the numbers must not hide. */
	if (warm.frames != cold.frames * passes || warm.status[UWS_OK] != cold.status[UWS_OK] * passes)
		fprintf(stderr, "unwindbench: warning: warm passes unwound differently from the "
				"cold one (%zu frames, %zu ok per pass against %zu, %zu)\n",
			warm.frames / passes, warm.status[UWS_OK] / passes, cold.frames, cold.status[UWS_OK]);

	sb_printf(&md, "%s\n", MARK_BEGIN);
	sb_printf(&md, "### Unwind throughput\n\n");
	sb_printf(&md, "%zu perf samples of `bench/work` (%s; %u threads; 20-deep chain; %u Hz, "
		       "%u-byte stack copies, user space only) replayed through `uw_unwind` "
		       "(modcache + uw as the sampler builds them, max depth %d) with the target "
		       "stopped: one cold pass, then %zu warm passes in %.2f s on one core.  "
		       "%s, Linux %s, load average %.2f.\n\n",
		c.n, target_is_child ? "started by the benchmark" : "-p", threads, hz, STACK_SIZE,
		MAX_DEPTH, passes, warm_s, cpu, un.release, load[0]);
	sb_printf(&md, "| measure | value |\n|---|---|\n");
	sb_printf(&md, "| warm throughput | %.0f stacks/s |\n", rate);
	sb_printf(&md, "| warm time per stack | %.2f µs |\n", 1e6 / rate);
	sb_printf(&md, "| stacks unwound by cached rules alone (cold pass) | %.1f%% |\n",
		  100.0 * (double)n_fast / (double)(n_fast + n_slow ? n_fast + n_slow : 1));
	sb_printf(&md, "| warm throughput through libunwind alone (`uw_set_fast(false)`) | "
		       "%.0f stacks/s (%.2f µs per stack): the rule cache is %.1f× faster |\n",
		  slow_rate, 1e6 / slow_rate, rate / slow_rate);
	sb_printf(&md, "| cold pass (first sight of every module and address) | %.0f stacks/s "
		       "(%.2f µs per stack) |\n", cold_rate, 1e6 / cold_rate);
	sb_printf(&md, "| frames per stack (mean) | %.1f |\n", mean);
	sb_printf(&md, "| complete unwinds (UWS_OK) | %.1f%% |\n",
		  100.0 * (double)warm.status[UWS_OK] / (double)warm.stacks);
	for (int s = 1; s < UWS__COUNT; s++)
		if (warm.status[s])
			sb_printf(&md, "| ended by %s | %.1f%% |\n", status_names[s],
				  100.0 * (double)warm.status[s] / (double)warm.stacks);
	sb_printf(&md, "| target (issue 7) | >= %.0f stacks/s per core for 20-frame stacks: "
		       "**%s** |\n", TARGET_RATE, rate >= TARGET_RATE ? "met" : "not met");
	if (hist) {
		sb_printf(&md, "\nFrames per stack (one pass):\n\n| frames | stacks | share |\n|---|---|---|\n");
		for (size_t d = 0; d <= HIST_MAX; d++)
			if (cold.hist[d])
				sb_printf(&md, "| %s%zu | %zu | %.1f%% |\n", d == HIST_MAX ? ">= " : "",
					  d, cold.hist[d],
					  100.0 * (double)cold.hist[d] / (double)cold.stacks);
	}
	sb_printf(&md, "\n%s\n", MARK_END);
	if (!md.s) {
		fprintf(stderr, "unwindbench: out of memory\n");
		goto out;
	}
	fputs(md.s, stdout);
	rc = 0;
	if (write && (ret = md_write_section(write, md.s, MARK_BEGIN, MARK_END)) != 0) {
		fprintf(stderr, "unwindbench: %s: %s\n", write, strerror(-ret));
		rc = 1;
	}
out:
	release_target();
	if (target_is_child && target_pid > 0)
		waitpid((pid_t)target_pid, NULL, 0);
	target_pid = 0;
	uw_free(uw);
	modcache_free(mc);
	for (size_t i = 0; i < c.n; i++)
		free(c.caps[i].stack);
	free(c.caps);
	free(ips);
	free(ips2);
	free(md.s);
	return rc;
}
