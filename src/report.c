/* report.c — batch-mode text output: the hot-function table, folded stacks, the summary. */
#include "proftui/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/offcpu.h"
#include "proftui/sanitize.h"

/* The module column lines up after names up to this many columns. */
#define REPORT_FUNC_COLS	48

void report_name(const char *name, char *buf)
{
	if (!name || !*name)
		name = "[unknown]";
	sanitize_name(name, buf, REPORT_NAME_MAX);
}

const char *report_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	/* "dir/" has no base name worth showing: keep the whole path. */
	return slash && slash[1] ? slash + 1 : path;
}

size_t report_cols(const char *s)
{
	size_t cols = 0;

	for (; *s; s++)
		cols += ((unsigned char)*s & 0xc0) != 0x80;
	return cols;
}

static double report_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static size_t report_func_width(const struct profile *p, const struct prof_row *rows, size_t n)
{
	char buf[REPORT_NAME_MAX];
	size_t width = strlen("FUNCTION");

	for (size_t i = 0; i < n && width < REPORT_FUNC_COLS; i++) {
		size_t cols;

		report_name(profile_func_name(p, rows[i].func), buf);
		cols = report_cols(buf);
		if (cols > width)
			width = cols < REPORT_FUNC_COLS ? cols : REPORT_FUNC_COLS;
	}
	return width;
}

void report_pad(FILE *out, size_t cols, size_t width)
{
	for (; cols < width; cols++)
		fputc(' ', out);
}

static void report_row(FILE *out, const struct profile *p, const struct prof_row *r,
		       uint64_t samples, size_t width, const struct offcpu_split *split)
{
	char name[REPORT_NAME_MAX], module[REPORT_NAME_MAX];
	const char *mod = profile_func_module(p, r->func);

	report_name(profile_func_name(p, r->func), name);
	report_name(mod ? report_basename(mod) : NULL, module);
	fprintf(out, "%6.2f%%  %6.2f%%  ", report_pct(r->self, samples),
		report_pct(r->total, samples));
	if (split)
		for (int k = 0; k < CPU__COUNT; k++)
			fprintf(out, "%6.2f%%  ", report_pct(split[r->func].v[k], samples));
	fprintf(out, "%9" PRIu64 "  %s", r->self, name);
	report_pad(out, report_cols(name), width);
	fprintf(out, "  %s\n", module);
}

int report_table(FILE *out, const struct profile *p, enum prof_sort sort, size_t rows)
{
	uint64_t samples = profile_stats_const(p)->samples;
	struct prof_row *r;
	long n;

	if (!samples) {
		fputs("no samples collected\n", out);
		return 0;
	}
	n = profile_hot(p, sort, &r);
	if (n < 0)
		return (int)n;

	size_t shown = rows && rows < (size_t)n ? rows : (size_t)n;
	size_t width = report_func_width(p, r, shown);
	struct offcpu_split *split = NULL;
	bool off = false;

	/* With time off the CPU, each function's total split by state. */
	if (offcpu_split(p, r, (size_t)n, &split, &off) == 0 && !off) {
		free(split);
		split = NULL;
	}
	fprintf(out, "%7s  %7s  ", "SELF%", "TOTAL%");
	if (split)
		fprintf(out, "%7s  %7s  %7s  %7s  ", "CPU%", "RUNQ%", "IOWAIT%", "SLEEP%");
	fprintf(out, "%9s  %s", "SAMPLES", "FUNCTION");
	report_pad(out, strlen("FUNCTION"), width);
	fputs("  MODULE\n", out);
	for (size_t i = 0; i < shown; i++)
		report_row(out, p, &r[i], samples, width, split);
	free(split);
	free(r);
	return 0;
}

struct folded_ctx {
	FILE *out;
	const struct profile *p;
};

static int folded_visit(void *vctx, const uint32_t *path, size_t depth, uint64_t self)
{
	const struct folded_ctx *ctx = vctx;
	char buf[REPORT_NAME_MAX];

	for (size_t i = 0; i < depth; i++) {
		report_name(profile_func_name(ctx->p, path[i]), buf);
		/* ';' separates frames in the folded format. */
		for (char *c = buf; (c = strchr(c, ';')); c++)
			*c = ':';
		if (i)
			fputc(';', ctx->out);
		fputs(buf, ctx->out);
	}
	fprintf(ctx->out, " %" PRIu64 "\n", self);
	return 0;
}

int report_folded(FILE *out, const struct profile *p)
{
	struct folded_ctx ctx = { .out = out, .p = p };

	return profile_walk(p, folded_visit, &ctx);
}

static uint64_t off_cpu_weight(const struct prof_stats *s)
{
	return s->by_cpu_state[CPU_RUNNABLE] + s->by_cpu_state[CPU_IOWAIT] +
	       s->by_cpu_state[CPU_SLEEP];
}

/* --off-cpu: the weight off the CPU, as thread time, by state. */
static void summary_off_cpu(FILE *out, const struct prof_stats *s, const struct report_info *info)
{
	double period = info->freq_hz > 0 ? 1.0 / info->freq_hz : 0;

	if (!off_cpu_weight(s))
		return;
	fprintf(out, "off-cpu: %.2f s runnable, %.2f s IO wait, %.2f s sleeping (thread time; "
		"on the CPU %.2f s)\n", (double)s->by_cpu_state[CPU_RUNNABLE] * period,
		(double)s->by_cpu_state[CPU_IOWAIT] * period,
		(double)s->by_cpu_state[CPU_SLEEP] * period,
		(double)(s->samples - off_cpu_weight(s)) * period);
}

static void summary_rate(FILE *out, const struct prof_stats *s, const struct report_info *info)
{
	/* Off-CPU weights are time, not samples: the rate is of the rest. */
	uint64_t n = s->samples - off_cpu_weight(s);

	fprintf(out, "samples: %" PRIu64 " (", n);
	/* Below a few ms the rate is noise (and can be absurd). */
	if (info->duration_s >= 0.01)
		fprintf(out, "%.1f Hz achieved", (double)n / info->duration_s);
	else
		fputs("rate unknown", out);
	fprintf(out, " of %.0f Hz asked", info->freq_hz);
	/* The rate is asked per thread of CPU time: samples over rate x time
	 * says how many CPUs' worth the target kept busy. */
	if (!info->busy_threads && info->duration_s >= 0.01 && info->freq_hz > 0)
		fprintf(out, " per thread, %.2f CPUs busy",
			(double)n / info->duration_s / info->freq_hz);
	if (info->busy_threads && info->duration_s >= 0.01)
		fprintf(out, ", %u busy threads, %.1f Hz per thread", info->busy_threads,
			(double)n / info->duration_s / info->busy_threads);
	fputs(")\n", out);
	summary_off_cpu(out, s, info);
}

/* Only for Python targets: how reading the Python frames went. */
static void report_python(FILE *out, const struct prof_stats *s)
{
	const uint64_t *py = s->py_by_status;
	uint64_t any = 0;

	for (int i = PYS_OK; i < PYS__COUNT; i++)
		any += py[i];
	if (!any)
		return;
	fprintf(out, "python: %" PRIu64 " merged, %" PRIu64 " stacks disagreed (native shown), %"
		PRIu64 " torn, %" PRIu64 " failed reads, %" PRIu64 " corrupt, %" PRIu64
		" cut at max depth, %" PRIu64 " without thread state\n", py[PYS_OK],
		py[PYS_MISMATCH], py[PYS_TORN], py[PYS_READ], py[PYS_BAD] + py[PYS_CYCLE],
		py[PYS_DEPTH], py[PYS_NO_THREAD]);
}

void report_summary(FILE *out, const struct profile *p, const struct report_info *info)
{
	static const struct report_info none = { .duration_s = 0 };
	const struct prof_stats *s = profile_stats_const(p);
	const uint64_t *st = s->by_status;
	size_t nthreads;

	if (!info)
		info = &none;
	profile_threads(p, &nthreads);
	summary_rate(out, s, info);
	fprintf(out, "lost: %" PRIu64 " by the kernel, %" PRIu64 " dropped by the ring (full), %"
		PRIu64 " throttled, %" PRIu64 " failed unwinds, %" PRIu64 " refused by the profile\n",
		s->lost_kernel, s->dropped_ring, s->throttled, s->unwind_failed, s->refused);
	fprintf(out, "unwind: %" PRIu64 " complete, %" PRIu64 " truncated at max depth, %" PRIu64
		" stack copy too small, %" PRIu64 " no CFI, %" PRIu64 " corrupt frames, %" PRIu64
		" no user registers\n", st[UWS_OK], st[UWS_DEPTH], st[UWS_STACK_COPY],
		st[UWS_NO_CFI], st[UWS_BAD_FRAME], st[UWS_NO_USER]);
	report_python(out, s);
	if (s->foreign)
		fprintf(out, "children: %" PRIu64 " samples in child processes running another "
			"program, not followed (profile them with -p)\n", s->foreign);
	fprintf(out, "threads seen: %zu\n", nthreads);
	fprintf(out, "duration: %.2f s, method: %s\n", info->duration_s,
		info->method ? info->method : "unknown");
}

/* "N B" below 1 KiB, else one decimal and a power-of-1024 unit. */
static void report_size(FILE *out, double v)
{
	static const char *const units[] = { "kB", "MB", "GB", "TB" };
	size_t u = 0;

	if (v < 1024.0) {
		fprintf(out, "%.0f B", v);
		return;
	}
	v /= 1024.0;
	while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		u++;
	}
	fprintf(out, "%.1f %s", v, units[u]);
}

static void report_threads(FILE *out, const struct procstat *ps)
{
	static const char *const names[PROCSTAT__NSTATES] = {
		[PROCSTAT_RUN] = "running", [PROCSTAT_SLEEP] = "sleeping",
		[PROCSTAT_DISK] = "disk wait", [PROCSTAT_STOP] = "stopped",
		[PROCSTAT_OTHER] = "zombie/other",
	};
	const char *sep = " (";

	fprintf(out, "%" PRIu32 " thread%s", ps->nthreads, ps->nthreads == 1 ? "" : "s");
	for (int i = 0; i < PROCSTAT__NSTATES; i++) {
		if (!ps->states[i])
			continue;
		fprintf(out, "%s%" PRIu32 " %s", sep, ps->states[i], names[i]);
		sep = ", ";
	}
	if (sep[0] == ',')
		fputc(')', out);
}

void report_process(FILE *out, const struct prochist *h)
{
	const struct procstat *last = prochist_latest(h);
	struct prochist_rates r;

	if (!last) {
		fputs("process: no readings\n", out);
		return;
	}
	if (prochist_session(h, &r))
		fprintf(out, "process: cpu %.1f%% user %.1f%% sys, rss ", r.user_pct, r.sys_pct);
	else
		fputs("process: cpu unknown, rss ", out);
	report_size(out, (double)last->rss_bytes);
	fprintf(out, ", %" PRIu64 " major faults, ", r.majflts);
	if (r.io_known) {
		fputs("read ", out);
		report_size(out, (double)r.read_bytes);
		fputs(" write ", out);
		report_size(out, (double)r.write_bytes);
	} else {
		fputs("io unknown", out);
	}
	fputs(", ", out);
	report_threads(out, last);
	fputc('\n', out);
}
