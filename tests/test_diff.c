/* test_diff.c — now versus before: exact deltas, matching by name and module, order, signs, normalisation, the table. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/diff.h"

#include "fixture.h"

#define APP "/usr/bin/app"
#define LIB "/usr/lib/libapp.so.1"

/* `w` samples of leaf (in module mod) called from main. */
static void hit(struct profile *p, const char *leaf, const char *mod, uint64_t w)
{
	uint32_t f[2] = { fx_fn(p, leaf, mod), fx_fn(p, "main", APP) };

	cr_assert_eq(profile_add_sample(p, 1, f, 2, w, 0), 0);
}

static long rows_of(const struct profile *now, const struct profile *before,
		    struct diff_row **r)
{
	long n = diff_rows(now, before, r);

	cr_assert_geq(n, 0, "diff_rows: %ld", n);
	return n;
}

static const struct diff_row *find(const struct diff_row *r, long n, const char *name,
				   const char *module)
{
	for (long i = 0; i < n; i++)
		if (!strcmp(r[i].name, name) && !strcmp(r[i].module, module))
			return &r[i];
	cr_assert_fail("no row for %s (%s)", name, module);
	return NULL;
}

/* Before: f 10 %, g 13.1 %, h 76.9 %; now: f 22.34 %, g 10 %, h 67.66 %. */
static void signs_pair(struct profile **now, struct profile **before)
{
	*before = fx_profile();
	hit(*before, "f", LIB, 1000);
	hit(*before, "g", LIB, 1310);
	hit(*before, "h", LIB, 7690);
	*now = fx_profile();
	hit(*now, "h", LIB, 6766);
	hit(*now, "f", LIB, 2234);
	hit(*now, "g", LIB, 1000);
}

static void print(struct capture *c, const struct profile *now, const struct profile *before,
		  size_t max)
{
	fx_begin(c);
	cr_assert_eq(diff_print(c->f, now, before, max), 0);
	fx_end(c);
}

/* Line i (0 = the header) of text, copied into line. */
static void line_of(const char *text, int i, char *line, size_t len)
{
	for (; i > 0; i--) {
		text = strchr(text, '\n');
		cr_assert_not_null(text, "too few lines");
		text++;
	}
	size_t n = strcspn(text, "\n");

	cr_assert_lt(n, len);
	memcpy(line, text, n);
	line[n] = '\0';
}

static int nlines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

Test(diff, exact_numbers_and_order)
{
	struct profile *now, *before;
	struct diff_row *r;

	signs_pair(&now, &before);
	long n = rows_of(now, before, &r);

	cr_assert_eq(n, 4);
	cr_assert_str_eq(r[0].name, "f");
	cr_assert_str_eq(r[0].module, LIB);
	cr_assert_float_eq(r[0].before_self, 10.0, 1e-9);
	cr_assert_float_eq(r[0].now_self, 22.34, 1e-9);
	cr_assert_float_eq(r[0].d_self, 12.34, 1e-9);
	cr_assert_float_eq(r[0].before_total, 10.0, 1e-9);
	cr_assert_float_eq(r[0].now_total, 22.34, 1e-9);
	cr_assert_float_eq(r[0].d_total, 12.34, 1e-9);
	cr_assert_str_eq(r[1].name, "h");
	cr_assert_float_eq(r[1].d_self, -9.24, 1e-9);
	cr_assert_str_eq(r[2].name, "g");
	cr_assert_float_eq(r[2].before_self, 13.1, 1e-9);
	cr_assert_float_eq(r[2].now_self, 10.0, 1e-9);
	cr_assert_float_eq(r[2].d_self, -3.1, 1e-9);
	/* main: on every stack both times, never the leaf. */
	cr_assert_str_eq(r[3].name, "main");
	cr_assert_str_eq(r[3].module, APP);
	cr_assert_float_eq(r[3].before_total, 100.0, 1e-9);
	cr_assert_float_eq(r[3].now_total, 100.0, 1e-9);
	cr_assert_float_eq(r[3].d_self, 0.0, 1e-12);
	cr_assert_float_eq(r[3].d_total, 0.0, 1e-12);
	free(r);
	profile_free(now);
	profile_free(before);
}

Test(diff, table_header_and_signed_deltas)
{
	struct profile *now, *before;
	struct capture c;
	char line[256];

	signs_pair(&now, &before);
	print(&c, now, before, 0);
	cr_assert_eq(nlines(c.buf), 5, "%s", c.buf);
	line_of(c.buf, 0, line, sizeof(line));
	cr_assert_str_eq(line, "BEFORE%     NOW%    DELTA  TOTAL-Δ  FUNCTION  MODULE");
	line_of(c.buf, 1, line, sizeof(line));
	cr_assert_str_eq(line, " 10.00%   22.34%   +12.34   +12.34  f         libapp.so.1");
	line_of(c.buf, 2, line, sizeof(line));
	cr_assert_str_eq(line, " 76.90%   67.66%    -9.24    -9.24  h         libapp.so.1");
	line_of(c.buf, 3, line, sizeof(line));
	cr_assert_str_eq(line, " 13.10%   10.00%    -3.10    -3.10  g         libapp.so.1");
	line_of(c.buf, 4, line, sizeof(line));
	cr_assert_str_eq(line, "  0.00%    0.00%    +0.00    +0.00  main      app");
	free(c.buf);
	profile_free(now);
	profile_free(before);
}

Test(diff, row_limit)
{
	struct profile *now, *before;
	struct capture c;
	char line[256];

	signs_pair(&now, &before);
	print(&c, now, before, 2);
	cr_assert_eq(nlines(c.buf), 3, "%s", c.buf);
	line_of(c.buf, 2, line, sizeof(line));
	cr_assert_not_null(strstr(line, "  h  "), "%s", line);
	free(c.buf);
	profile_free(now);
	profile_free(before);
}

/* The same 3:1 split at twice the samples (a longer run) is no change. */
Test(diff, normalised_by_each_sample_total)
{
	struct profile *now = fx_profile(), *before = fx_profile();
	struct diff_row *r;
	struct capture c;

	hit(before, "a", LIB, 300);
	hit(before, "b", LIB, 100);
	hit(now, "a", LIB, 600);
	hit(now, "b", LIB, 200);
	long n = rows_of(now, before, &r);

	cr_assert_eq(n, 3);
	for (long i = 0; i < n; i++) {
		cr_assert_eq(r[i].d_self, 0.0, "%s: %g", r[i].name, r[i].d_self);
		cr_assert_eq(r[i].d_total, 0.0, "%s: %g", r[i].name, r[i].d_total);
	}
	/* All ties: by name. */
	cr_assert_str_eq(r[0].name, "a");
	cr_assert_float_eq(r[0].now_self, 75.0, 1e-9);
	cr_assert_str_eq(r[1].name, "b");
	cr_assert_str_eq(r[2].name, "main");
	free(r);
	print(&c, now, before, 0);
	cr_assert_not_null(strstr(c.buf, " 75.00%   75.00%    +0.00    +0.00  a "), "%s", c.buf);
	cr_assert_null(strstr(c.buf, "-0.00"), "%s", c.buf);
	free(c.buf);
	profile_free(now);
	profile_free(before);
}

Test(diff, identical_profiles_all_zero)
{
	struct profile *p = fx_profile();
	struct capture c;

	hit(p, "a", LIB, 7);
	hit(p, "b", APP, 3);
	print(&c, p, p, 0);
	cr_assert_eq(nlines(c.buf), 4, "%s", c.buf);
	/* Every row's DELTA and TOTAL-Δ are "+0.00". */
	for (int i = 1; i < 4; i++) {
		char line[256];
		double d, t;

		line_of(c.buf, i, line, sizeof(line));
		cr_assert_eq(sscanf(line, "%*f%% %*f%% %lf %lf", &d, &t), 2, "%s", line);
		cr_assert_eq(d, 0.0);
		cr_assert_eq(t, 0.0);
		cr_assert_not_null(strstr(line, "    +0.00    +0.00  "), "%s", line);
	}
	free(c.buf);
	profile_free(p);
}

/* A change under half a hundredth of a point prints "+0.00", not "-0.00". */
Test(diff, tiny_fall_prints_plus_zero)
{
	struct profile *now = fx_profile(), *before = fx_profile();
	struct capture c;

	hit(before, "x", LIB, 1);
	hit(before, "y", LIB, 2);
	hit(now, "x", LIB, 3333);
	hit(now, "y", LIB, 6667);
	print(&c, now, before, 0);
	cr_assert_not_null(strstr(c.buf, " 33.33%   33.33%    +0.00"), "%s", c.buf);
	cr_assert_null(strstr(c.buf, "-0.00"), "%s", c.buf);
	free(c.buf);
	profile_free(now);
	profile_free(before);
}

/* Ids differ between profiles; the same name in two modules is two functions. */
Test(diff, matched_by_name_and_module_not_id)
{
	struct profile *now = fx_profile(), *before = fx_profile();
	struct diff_row *r;

	fx_fn(before, "pad", "/pad");        /* shift before's ids */
	hit(before, "work", LIB, 50);
	hit(before, "work", APP, 50);
	hit(now, "work", APP, 80);
	hit(now, "work", LIB, 20);
	long n = rows_of(now, before, &r);

	cr_assert_eq(n, 3, "pad has no samples: no row");
	const struct diff_row *lib = find(r, n, "work", LIB), *app = find(r, n, "work", APP);

	cr_assert_float_eq(lib->d_self, -30.0, 1e-9);
	cr_assert_float_eq(app->d_self, 30.0, 1e-9);
	/* Equal |Δself| and |Δtotal|, equal names: module decides. */
	cr_assert_str_eq(r[0].module, APP);
	cr_assert_str_eq(r[1].module, LIB);
	free(r);
	profile_free(now);
	profile_free(before);
}

Test(diff, functions_on_one_side_only)
{
	struct profile *now = fx_profile(), *before = fx_profile();
	struct diff_row *r;

	hit(before, "gone", LIB, 40);
	hit(before, "kept", LIB, 60);
	hit(now, "kept", LIB, 50);
	hit(now, "new", LIB, 50);
	long n = rows_of(now, before, &r);

	cr_assert_eq(n, 4);
	cr_assert_str_eq(r[0].name, "new");
	cr_assert_float_eq(r[0].before_self, 0.0, 1e-12);
	cr_assert_float_eq(r[0].before_total, 0.0, 1e-12);
	cr_assert_float_eq(r[0].now_self, 50.0, 1e-9);
	cr_assert_float_eq(r[0].d_self, 50.0, 1e-9);
	cr_assert_str_eq(r[1].name, "gone");
	cr_assert_float_eq(r[1].now_self, 0.0, 1e-12);
	cr_assert_float_eq(r[1].d_self, -40.0, 1e-9);
	cr_assert_float_eq(r[1].d_total, -40.0, 1e-9);
	cr_assert_str_eq(r[2].name, "kept");
	cr_assert_float_eq(r[2].d_self, -10.0, 1e-9);
	free(r);
	profile_free(now);
	profile_free(before);
}

/* Equal |Δself|: the larger |Δtotal| first, whatever the sign or name. */
Test(diff, ties_broken_by_total_change)
{
	struct profile *now = fx_profile(), *before = fx_profile();
	uint32_t b[3], a[3];
	struct diff_row *r;

	/* before: z self 50; y self 50 (y under z in half of them: z total 75). */
	b[0] = fx_fn(before, "y", LIB), b[1] = fx_fn(before, "z", LIB), b[2] = fx_fn(before, "main", APP);
	cr_assert_eq(profile_add_sample(before, 1, (uint32_t[]){ b[1], b[2] }, 2, 50, 0), 0);
	cr_assert_eq(profile_add_sample(before, 1, (uint32_t[]){ b[0], b[1], b[2] }, 3, 25, 0), 0);
	cr_assert_eq(profile_add_sample(before, 1, (uint32_t[]){ b[0], b[2] }, 2, 25, 0), 0);
	/* now: y self 60 (total 60), z self 40 (total 40). */
	a[0] = fx_fn(now, "z", LIB), a[1] = fx_fn(now, "y", LIB), a[2] = fx_fn(now, "main", APP);
	cr_assert_eq(profile_add_sample(now, 1, (uint32_t[]){ a[0], a[2] }, 2, 40, 0), 0);
	cr_assert_eq(profile_add_sample(now, 1, (uint32_t[]){ a[1], a[2] }, 2, 60, 0), 0);
	long n = rows_of(now, before, &r);

	cr_assert_eq(n, 3);
	/* y: +10 self, +10 total; z: -10 self, -35 total. */
	cr_assert_str_eq(r[0].name, "z");
	cr_assert_float_eq(r[0].d_total, -35.0, 1e-9);
	cr_assert_str_eq(r[1].name, "y");
	cr_assert_float_eq(r[1].d_self, 10.0, 1e-9);
	cr_assert_float_eq(r[1].d_total, 10.0, 1e-9);
	free(r);
	profile_free(now);
	profile_free(before);
}

Test(diff, empty_profiles)
{
	struct profile *full = fx_profile(), *empty = fx_profile();
	struct diff_row *r;
	struct capture c;

	hit(full, "a", LIB, 10);
	fx_fn(empty, "never", LIB);
	print(&c, full, empty, 0);
	cr_assert_str_eq(c.buf, "no samples in the baseline\n");
	free(c.buf);
	print(&c, empty, full, 0);
	cr_assert_str_eq(c.buf, "no samples now\n");
	free(c.buf);
	print(&c, empty, empty, 0);
	cr_assert_str_eq(c.buf, "no samples in the baseline\n");
	free(c.buf);
	/* The rows still exist: everything fell to 0 %. */
	long n = rows_of(empty, full, &r);

	cr_assert_eq(n, 2);
	cr_assert_str_eq(r[0].name, "a");
	cr_assert_float_eq(r[0].d_self, -100.0, 1e-9);
	free(r);
	cr_assert_eq(rows_of(empty, empty, &r), 0);
	cr_assert_null(r);
	profile_free(full);
	profile_free(empty);
}

/* Unknown stacks count in the sample total, as in the hot table. */
Test(diff, shares_of_all_samples)
{
	struct profile *now = fx_profile(), *before = fx_profile();
	struct diff_row *r;

	hit(before, "a", LIB, 10);
	hit(now, "a", LIB, 10);
	cr_assert_eq(profile_add_sample(now, 1, NULL, 0, 10, 0), 0);
	long n = rows_of(now, before, &r);

	cr_assert_eq(n, 2);
	cr_assert_str_eq(r[0].name, "a");
	cr_assert_float_eq(r[0].now_self, 50.0, 1e-9);
	cr_assert_float_eq(r[0].d_self, -50.0, 1e-9);
	free(r);
	profile_free(now);
	profile_free(before);
}

Test(diff, names_sanitised_and_padded)
{
	struct profile *now = fx_profile(), *before = fx_profile();
	struct capture c;
	char line[256];

	hit(before, "evil\x1b[2Jname", "/lib/m\x07od.so", 1);
	hit(now, "", "", 1);
	print(&c, now, before, 0);
	cr_assert_null(strchr(c.buf, '\x1b'), "%s", c.buf);
	cr_assert_null(strchr(c.buf, '\x07'), "%s", c.buf);
	cr_assert_not_null(strstr(c.buf, "evil\\x1B[2Jname  m\\x07od.so\n"), "%s", c.buf);
	cr_assert_not_null(strstr(c.buf, "[unknown]        [unknown]\n"), "%s", c.buf);
	/* MODULE in the header sits where the modules start. */
	line_of(c.buf, 0, line, sizeof(line));
	cr_assert_str_eq(line, "BEFORE%     NOW%    DELTA  TOTAL-Δ  FUNCTION         MODULE");
	free(c.buf);
	profile_free(now);
	profile_free(before);
}

/* Each row names its function's id in `now`, for the live view to drill
 * into; a function only the baseline has has none. */
Test(diff, rows_carry_the_id_in_now)
{
	struct profile *now = fx_profile(), *before = fx_profile();
	struct diff_row *r;
	long n;

	hit(before, "old", LIB, 10);
	hit(before, "both", LIB, 10);
	hit(now, "new", APP, 10);
	hit(now, "both", LIB, 30);
	n = rows_of(now, before, &r);
	cr_assert_eq(n, 4);
	cr_assert_eq(find(r, n, "new", APP)->func, profile_func(now, "new", APP));
	cr_assert_eq(find(r, n, "both", LIB)->func, profile_func(now, "both", LIB));
	cr_assert_eq(find(r, n, "main", APP)->func, profile_func(now, "main", APP));
	cr_assert_eq(find(r, n, "old", LIB)->func, PROF_NONE);
	free(r);
	profile_free(now);
	profile_free(before);
}
