/* diff.c — now versus before: match two profiles' functions by name and module, deltas in percentage points. */
#include "proftui/diff.h"
#include "proftui/report.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/sanitize.h"

/* As report.c: names cut by sanitize_name, the module column lines up
 * after names up to this many columns. */
#define DIFF_FUNC_COLS	48

enum { DIFF_NOW, DIFF_BEFORE };

/* One function of one profile, before the two sides are merged. */
struct diff_entry {
	const char *name, *module;
	uint64_t self, total;
	uint32_t func;
	int side;
};

static double diff_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* By name, module, then side, so a function's two entries end up adjacent
 * (a profile interns each (name, module) once, so there are at most two). */
static int diff_entry_cmp(const void *va, const void *vb)
{
	const struct diff_entry *a = va, *b = vb;
	int c = strcmp(a->name, b->name);

	if (!c)
		c = strcmp(a->module, b->module);
	return c ? c : a->side - b->side;
}

/* Append p's functions with samples to e (room for them is there). */
static long diff_collect(const struct profile *p, int side, struct diff_entry *e)
{
	struct prof_row *r;
	long n = profile_hot(p, PROF_SORT_NAME, &r);

	if (n < 0)
		return n;
	for (long i = 0; i < n; i++) {
		const char *name = profile_func_name(p, r[i].func);
		const char *mod = profile_func_module(p, r[i].func);

		e[i] = (struct diff_entry){ .name = name ? name : "", .module = mod ? mod : "",
					    .self = r[i].self, .total = r[i].total, .func = r[i].func,
					    .side = side };
	}
	free(r);
	return n;
}

static int diff_row_cmp(const void *va, const void *vb)
{
	const struct diff_row *a = va, *b = vb;
	double sa = fabs(a->d_self), sb = fabs(b->d_self);
	double ta = fabs(a->d_total), tb = fabs(b->d_total);
	int c;

	if (sa != sb)
		return sa > sb ? -1 : 1;
	if (ta != tb)
		return ta > tb ? -1 : 1;
	c = strcmp(a->name, b->name);
	return c ? c : strcmp(a->module, b->module);
}

/* Fold the sorted entries into rows: adjacent equal keys are one function. */
static size_t diff_merge(const struct diff_entry *e, size_t n, uint64_t now_n, uint64_t before_n,
			 struct diff_row *rows)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		struct diff_row *r = &rows[out];
		bool same = out && !strcmp(r[-1].name, e[i].name) &&
			    !strcmp(r[-1].module, e[i].module);

		if (same) {
			r--;
		} else {
			*r = (struct diff_row){ .name = e[i].name, .module = e[i].module,
						.func = PROF_NONE };
			out++;
		}
		if (e[i].side == DIFF_NOW) {
			r->func = e[i].func;
			r->now_self = diff_pct(e[i].self, now_n);
			r->now_total = diff_pct(e[i].total, now_n);
		} else {
			r->before_self = diff_pct(e[i].self, before_n);
			r->before_total = diff_pct(e[i].total, before_n);
		}
		r->d_self = r->now_self - r->before_self;
		r->d_total = r->now_total - r->before_total;
	}
	return out;
}

long diff_rows(const struct profile *now, const struct profile *before, struct diff_row **rows)
{
	size_t cap = profile_nfuncs(now) + profile_nfuncs(before), n;
	struct diff_entry *e;
	long a, b;

	*rows = NULL;
	if (!cap)
		return 0;
	e = malloc(cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	a = diff_collect(now, DIFF_NOW, e);
	b = a < 0 ? a : diff_collect(before, DIFF_BEFORE, e + a);
	if (b < 0) {
		free(e);
		return b;
	}
	n = (size_t)a + (size_t)b;
	qsort(e, n, sizeof(*e), diff_entry_cmp);
	*rows = n ? malloc(n * sizeof(**rows)) : NULL;
	if (n && !*rows) {
		free(e);
		return -ENOMEM;
	}
	n = diff_merge(e, n, profile_stats_const(now)->samples,
		       profile_stats_const(before)->samples, *rows);
	free(e);
	if (n)
		qsort(*rows, n, sizeof(**rows), diff_row_cmp);
	return (long)n;
}

static size_t diff_func_width(const struct diff_row *rows, size_t n)
{
	char buf[REPORT_NAME_MAX];
	size_t width = strlen("FUNCTION");

	for (size_t i = 0; i < n && width < DIFF_FUNC_COLS; i++) {
		size_t cols;

		report_name(rows[i].name, buf);
		cols = report_cols(buf);
		if (cols > width)
			width = cols < DIFF_FUNC_COLS ? cols : DIFF_FUNC_COLS;
	}
	return width;
}

double diff_shown(double d)
{
	return fabs(d) < 0.005 ? 0.0 : d;
}

static void diff_print_row(FILE *out, const struct diff_row *r, size_t width)
{
	char name[REPORT_NAME_MAX], module[REPORT_NAME_MAX];

	report_name(r->name, name);
	report_name(report_basename(r->module), module);
	fprintf(out, "%6.2f%%  %6.2f%%  %+7.2f  %+7.2f  %s", r->before_self, r->now_self,
		diff_shown(r->d_self), diff_shown(r->d_total), name);
	report_pad(out, report_cols(name), width);
	fprintf(out, "  %s\n", module);
}

int diff_print(FILE *out, const struct profile *now, const struct profile *before,
	       size_t max_rows)
{
	struct diff_row *rows;
	long n;

	if (!profile_stats_const(before)->samples) {
		fputs("no samples in the baseline\n", out);
		return 0;
	}
	if (!profile_stats_const(now)->samples) {
		fputs("no samples now\n", out);
		return 0;
	}
	n = diff_rows(now, before, &rows);
	if (n < 0)
		return (int)n;

	size_t shown = max_rows && max_rows < (size_t)n ? max_rows : (size_t)n;
	size_t width = diff_func_width(rows, shown);

	/* "TOTAL-Δ" is 7 columns but 8 bytes: written as is, not through %7s. */
	fprintf(out, "%7s  %7s  %7s  TOTAL-Δ  FUNCTION", "BEFORE%", "NOW%", "DELTA");
	report_pad(out, strlen("FUNCTION"), width);
	fputs("  MODULE\n", out);
	for (size_t i = 0; i < shown; i++)
		diff_print_row(out, &rows[i], width);
	free(rows);
	return 0;
}
