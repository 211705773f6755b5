/* procline.c — draw the live header's line of process figures from the reading history. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proftui/procline.h"

/* A row being written left to right, cut at the canvas edge. */
struct procline_pen {
	struct canvas *c;
	int x, y;
};

static void procline_put(struct procline_pen *p, uint8_t color, uint8_t attr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void procline_put(struct procline_pen *p, uint8_t color, uint8_t attr, const char *fmt, ...)
{
	char buf[PROCLINE_SPARK_MAX * 3 + 64];
	va_list ap;

	if (p->x >= p->c->w)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->x += canvas_text(p->c, p->x, p->y, p->c->w - p->x, buf, color, attr);
}

/* Counts per second, kept to a few columns: 7, 12.3k, 4.5M. */
static const char *procline_num(double v, char *buf, size_t len)
{
	if (v < 999.5)
		snprintf(buf, len, "%.0f", v);
	else if (v < 999.5e3)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else if (v < 999.5e6)
		snprintf(buf, len, "%.1fM", v / 1e6);
	else
		snprintf(buf, len, "%.1fG", v / 1e9);
	return buf;
}

/* Bytes like top: 0 B, 512 B, 12.3K, 1.2M, 3.0G (powers of 1024). */
static const char *procline_bytes(double v, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	size_t u = 0;

	if (v < 1024.0) {
		snprintf(buf, len, "%.0f B", v);
		return buf;
	}
	v /= 1024.0;
	while (v >= 1023.95 && u + 1 < sizeof(units) - 1) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

static void procline_cpu(struct procline_pen *p, const struct prochist *h,
			 const struct prochist_rates *r, bool known)
{
	char spark[PROCLINE_SPARK * 3 + 1];

	if (known)
		procline_put(p, CC_NORMAL, CA_BOLD, "cpu %.0f%% usr %.0f%% sys", r->user_pct,
			     r->sys_pct);
	else
		procline_put(p, CC_NORMAL, CA_BOLD, "cpu -- usr -- sys");
	if (prochist_spark(h, PROCHIST_CPU, spark, sizeof(spark), PROCLINE_SPARK, p->c->ascii) > 0)
		procline_put(p, CC_HEADER, 0, " %s", spark);
}

static void procline_memory(struct procline_pen *p, const struct procstat *ps)
{
	char b[32];

	procline_put(p, CC_NORMAL, 0, "  rss %s", procline_bytes((double)ps->rss_bytes, b, sizeof(b)));
	procline_put(p, CC_DIM, 0, " vsz %s", procline_bytes((double)ps->vsize_bytes, b, sizeof(b)));
	if (ps->swap_bytes)
		procline_put(p, CC_WARN, 0, " swap %s",
			     procline_bytes((double)ps->swap_bytes, b, sizeof(b)));
}

static void procline_rates(struct procline_pen *p, const struct prochist_rates *r, bool known)
{
	char a[32], b[32];

	if (!known) {
		procline_put(p, CC_DIM, 0, "  flt -- maj --  io --  cs --");
		return;
	}
	procline_put(p, CC_NORMAL, 0, "  flt %s/s ", procline_num(r->minflt, a, sizeof(a)));
	procline_put(p, r->majflt > 0 ? CC_WARN : CC_NORMAL, r->majflt > 0 ? CA_BOLD : 0,
		     "maj %s/s", procline_num(r->majflt, a, sizeof(a)));
	if (r->io_known)
		procline_put(p, CC_NORMAL, 0, "  io r %s/s w %s/s",
			     procline_bytes(r->read_bps, a, sizeof(a)),
			     procline_bytes(r->write_bps, b, sizeof(b)));
	else
		procline_put(p, CC_DIM, 0, "  io ?");
	procline_put(p, CC_NORMAL, 0, "  cs %s/s %s/s", procline_num(r->vcs, a, sizeof(a)),
		     procline_num(r->ivcs, b, sizeof(b)));
}

static void procline_threads(struct procline_pen *p, const struct procstat *ps)
{
	const uint32_t *st = ps->states;

	procline_put(p, CC_NORMAL, 0, "  thr %u: %uR %uS ", (unsigned)ps->nthreads,
		     (unsigned)st[PROCSTAT_RUN], (unsigned)st[PROCSTAT_SLEEP]);
	procline_put(p, st[PROCSTAT_DISK] ? CC_WARN : CC_NORMAL, st[PROCSTAT_DISK] ? CA_BOLD : 0,
		     "%uD", (unsigned)st[PROCSTAT_DISK]);
	if (st[PROCSTAT_STOP])
		procline_put(p, CC_NORMAL, 0, " %uT", (unsigned)st[PROCSTAT_STOP]);
	if (st[PROCSTAT_OTHER])
		procline_put(p, CC_NORMAL, 0, " %uZ", (unsigned)st[PROCSTAT_OTHER]);
	if (ps->flags & PROCSTAT_THREADS_PARTIAL)
		procline_put(p, CC_DIM, 0, " (first %d)", PROCSTAT_MAX_THREADS);
}

int procline_draw(struct canvas *c, int y, const struct prochist *h)
{
	struct procline_pen p = { .c = c, .x = 0, .y = y };
	const struct procstat *ps = prochist_latest(h);
	struct prochist_rates r;
	bool known;

	if (y < 0 || y >= c->h)
		return 0;
	if (!ps) {
		procline_put(&p, CC_DIM, 0, "process figures: waiting for the first reading");
		return p.x;
	}
	known = prochist_rates(h, &r);
	procline_cpu(&p, h, &r, known);
	procline_memory(&p, ps);
	procline_rates(&p, &r, known);
	procline_threads(&p, ps);
	return p.x;
}

/* The history line's series, most useful first: a narrow terminal keeps
 * the first ones. */
static const struct procline_trend {
	const char *label;
	enum prochist_series series;
} procline_trends[] = {
	{ "cpu", PROCHIST_CPU },     { "rss", PROCHIST_RSS },   { "flt", PROCHIST_MINFLT },
	{ "maj", PROCHIST_MAJFLT },  { "rd", PROCHIST_READ },   { "wr", PROCHIST_WRITE },
	{ "cs", PROCHIST_CS },       { "thr", PROCHIST_THREADS }, { "R", PROCHIST_RUNNING },
	{ "D", PROCHIST_DISKWAIT },
};
#define PROCLINE_NTRENDS (sizeof(procline_trends) / sizeof(procline_trends[0]))
#define PROCLINE_HIST_LABEL "history"

/* Columns a history line of the first n trends needs besides the sparks. */
static int procline_fixed(size_t n)
{
	int w = (int)sizeof(PROCLINE_HIST_LABEL) - 1;

	for (size_t i = 0; i < n; i++)
		w += 2 + (int)strlen(procline_trends[i].label) + 1;
	return w;
}

/* How many trends fit in w columns with sparks of at least
 * PROCLINE_SPARK_MIN, and how wide their sparks then are. */
static size_t procline_fit(int w, int *spark_w)
{
	for (size_t n = PROCLINE_NTRENDS; n > 0; n--) {
		int each = (w - procline_fixed(n)) / (int)n;

		if (each >= PROCLINE_SPARK_MIN) {
			*spark_w = each < PROCLINE_SPARK_MAX ? each : PROCLINE_SPARK_MAX;
			return n;
		}
	}
	return 0;
}

int procline_history(struct canvas *c, int y, const struct prochist *h)
{
	struct procline_pen p = { .c = c, .x = 0, .y = y };
	char spark[PROCLINE_SPARK_MAX * 3 + 1];
	int sw = 0;
	size_t n;

	if (y < 0 || y >= c->h)
		return 0;
	n = procline_fit(c->w, &sw);
	procline_put(&p, CC_DIM, 0, PROCLINE_HIST_LABEL);
	for (size_t i = 0; i < n; i++) {
		const struct procline_trend *t = &procline_trends[i];
		int got = prochist_spark(h, t->series, spark, sizeof(spark), sw, c->ascii);

		procline_put(&p, CC_DIM, 0, "  %s ", t->label);
		/* Right-aligned, the newest reading at the same column every
		 * second, so the line does not shift as the history fills. */
		procline_put(&p, CC_NORMAL, 0, "%*s", sw - got, "");
		procline_put(&p, CC_HEADER, 0, "%s", spark);
	}
	return p.x;
}
