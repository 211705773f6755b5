/* batch.c — batch mode: collect for a while, then print the report. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "proftui/batch.h"
#include "proftui/diff.h"
#include "proftui/feed.h"
#include "proftui/fesig.h"
#include "proftui/monotime.h"
#include "proftui/report.h"
#include "proftui/resolve.h"
#include "proftui/sanitize.h"

static int make_timer(double seconds)
{
	struct itimerspec it = { 0 };
	int fd;

	if (seconds <= 0)
		return -1;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (fd < 0)
		return -1;
	it.it_value.tv_sec = (time_t)seconds;
	it.it_value.tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (it.it_value.tv_sec == 0 && it.it_value.tv_nsec == 0)
		it.it_value.tv_nsec = 1;
	timerfd_settime(fd, 0, &it, NULL);
	return fd;
}

/* Say what the sampler found out on the way (e.g. a Python interpreter). */
static void print_notes(struct feed *f)
{
	static unsigned shown;

	if (f->notes != shown) {
		shown = f->notes;
		fprintf(stderr, "proftui: %s\n", f->note);
	}
}

/* Wait for the end of the session; returns the signal that ended it or 0. */
static int collect(const struct batch_opts *o, struct sampler *s, struct feed *f,
		   struct ring *ring, int wake_fd, int sfd)
{
	int tfd = make_timer(o->duration_s), sig = 0;
	struct pollfd p[3] = {
		{ .fd = wake_fd, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
		{ .fd = tfd, .events = POLLIN },
	};

	for (;;) {
		uint64_t v;

		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents && read(wake_fd, &v, sizeof(v)) < 0) {
			/* nonblocking eventfd already reset: nothing to do */
		}
		feed_drain(f, ring);
		print_notes(f);
		if (p[1].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				sig = (int)si.ssi_signo;
			break;
		}
		if (p[2].revents || sampler_done(s))
			break;
	}
	if (tfd >= 0)
		close(tfd);
	return sig;
}

/*
 * A launched command outlives a -d session; wait for it so its status is
 * ours.  A signal to proftui now (or one that ended the session) goes on
 * to the command, which is ours to stop, as perf record does.
 */
static int finish_child(struct target *t, int sfd, int sig)
{
	struct pollfd p[2] = { { .fd = t->pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };

	if (sig)
		kill(t->pid, sig);
	while (t->pidfd >= 0 && !target_ended(t)) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				kill(t->pid, (int)si.ssi_signo);
		}
	}
	return target_exit_code(target_reap(t));
}

/* proftui's own cost: its CPU time (not the target's) per sample taken. */
static void print_own_cpu(FILE *out, const struct profile *p)
{
	uint64_t n = profile_stats_const(p)->samples;
	struct rusage ru;
	double cpu;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return;
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	fprintf(out, "proftui: %.2f s CPU", cpu);
	if (n)
		fprintf(out, " (%.1f us per sample)", cpu * 1e6 / (double)n);
	fputc('\n', out);
}

/* --baseline: now (p) versus the saved profile, after the report. */
static void print_diff(FILE *out, const struct batch_opts *o, const struct profile *p)
{
	const struct snapshot *b = o->baseline;
	/* The file name and the snapshot's target may hold anything. */
	char name[512], target[512];

	if (!b)
		return;
	sanitize_name(o->baseline_name, name, sizeof(name));
	sanitize_name(b->meta.target ? b->meta.target : "unknown", target, sizeof(target));
	fprintf(out, "\ndiff against %s (%" PRIu64 " samples, target %s)\n", name,
		profile_stats_const(b->prof)->samples, target);
	if (diff_print(out, p, b->prof, o->rows))
		fputs("proftui: out of memory for the diff\n", stderr);
}

static void print_report(const struct batch_opts *o, const struct profile *p,
			 const struct prochist *h, const struct report_info *info, bool own)
{
	struct report_info ri = *info;
	FILE *sumf = o->folded ? stderr : stdout;

	if (o->folded) {
		report_folded(stdout, p);
		report_summary(stderr, p, &ri);
		report_process(stderr, h);
		if (own)
			print_own_cpu(sumf, p);
		print_diff(sumf, o, p);
		return;
	}
	report_table(stdout, p, o->sort, o->rows);
	fputc('\n', stdout);
	report_summary(stdout, p, &ri);
	report_process(stdout, h);
	if (own)
		print_own_cpu(sumf, p);
	print_diff(stdout, o, p);
}

/* The sample log kept for -o's timeline: as the live view's, over half an
 * hour at 2,000 samples a second. */
#define BATCH_LOG_ENTRIES ((size_t)1 << 22)

/* -o: the profile, with what describes the session, through export_save. */
static int save(const struct batch_opts *o, const struct feed *f, const struct report_info *ri,
		pid_t pid)
{
	const struct profile *p = f->p;
	const struct prochist *h = f->hist;
	struct utsname u;
	bool un = uname(&u) == 0;
	struct snap_meta m = {
		.strip = f->strip, .log = f->log, .log_from_ns = snapshot_log_from(f->strip, f->log),
		.target = o->target_desc, .pid = (uint32_t)pid,
		.host = un ? u.nodename : NULL, .kernel = un ? u.release : NULL,
		.method = ri->method, .version = o->version, .freq_hz = ri->freq_hz,
		.duration_s = ri->duration_s,
		.start_unix = (int64_t)time(NULL) - (int64_t)ri->duration_s,
	};
	char err[512];

	if (!o->output)
		return 0;
	if (export_save(o->output, o->out_fmt, p, &m, h, err, sizeof(err))) {
		fprintf(stderr, "proftui: %s\n", err);
		return -1;
	}
	fprintf(stderr, "proftui: saved %s (%s)\n", o->output,
		export_format_name(o->out_fmt ? o->out_fmt : export_format_for(o->output)));
	return 0;
}

int batch_loaded(const struct batch_opts *o, const struct snapshot *snap)
{
	struct report_info ri = {
		.duration_s = snap->meta.duration_s, .freq_hz = snap->meta.freq_hz,
		.method = snap->meta.method,
	};
	char err[512];

	if (snap->meta.target) {
		char safe[1024];

		/* The target's name comes from the file: escape it. */
		sanitize_name(snap->meta.target, safe, sizeof(safe));
		fprintf(stderr, "proftui: snapshot of %s\n", safe);
	}
	print_report(o, snap->prof, snap->hist, &ri, false);
	fflush(stdout);
	if (!o->output)
		return 0;
	if (export_save(o->output, o->out_fmt, snap->prof, &snap->meta, snap->hist, err,
			sizeof(err))) {
		fprintf(stderr, "proftui: %s\n", err);
		return BATCH_EXIT_FILE;
	}
	fprintf(stderr, "proftui: saved %s\n", o->output);
	return 0;
}

int batch_run(const struct batch_opts *o, struct target *t, struct sampler *s,
	      const struct sampler_info *si, struct ring *ring, int wake_fd)
{
	struct profile *p = profile_new();
	struct resolver *res = p ? resolver_new(p, t->uid) : NULL;
	/* Without it the report lacks the process line ("no readings"). */
	struct prochist *h = prochist_new();
	struct pymerge *pm = pymerge_new();
	struct feed f = { .p = p, .res = res, .hist = h, .merge = pm, .pymode = o->pymode };
	double start = monotime_s(), duration;
	/* -o: the samples' times too, so that the time strip and ranges work
	 * on the saved file (the log's pages are touched only as it fills). */
	struct samplelog *log = o->output ? samplelog_new(BATCH_LOG_ENTRIES) : NULL;
	struct tstrip *strip = o->output ? tstrip_new(monotime_ns(), TSTRIP_SLICE_NS) : NULL;
	int sig, st, code = 0, sfd = fesig_fd();
	bool save_failed = false;

	f.log = strip ? log : NULL;
	f.strip = log ? strip : NULL;
	if (!res || !pm) {
		fprintf(stderr, "proftui: out of memory\n");
		samplelog_free(log);
		tstrip_free(strip);
		pymerge_free(pm);
		sampler_stop(s);
		prochist_free(h);
		profile_free(p);
		if (sfd >= 0)
			close(sfd);
		return 1;
	}
	sig = collect(o, s, &f, ring, wake_fd, sfd);
	duration = monotime_s() - start;
	if (sampler_exit_status(s, &st))
		target_set_status(t, st);
	sampler_stop(s);
	feed_drain(&f, ring);
	print_notes(&f);
	if (target_ended(t) && !t->launched)
		fprintf(stderr, "proftui: process %d exited\n", (int)t->pid);
	{
		struct report_info ri = {
			.duration_s = duration, .freq_hz = si->freq_hz,
			.method = si->method == SAMPLER_PTRACE ? "ptrace" : "perf",
		};

		print_report(o, p, h, &ri, true);
		fflush(stdout);
		if (save(o, &f, &ri, t->pid) && !code)
			save_failed = true;
	}
	if (t->launched) {
		code = finish_child(t, sfd, sig);
		if (code >= 128)
			fprintf(stderr, "proftui: command killed by signal %d\n", code - 128);
		else if (code)
			fprintf(stderr, "proftui: command exited with status %d\n", code);
	}
	if (sig && (!t->launched || code < 128))
		code = 128 + sig;
	if (save_failed && !code)
		code = BATCH_EXIT_FILE;
	if (sfd >= 0)
		close(sfd);
	prochist_free(h);
	resolver_free(res);
	pymerge_free(pm);
	profile_free(p);
	samplelog_free(log);
	tstrip_free(strip);
	return code;
}
