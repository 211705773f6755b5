/* test_report.c — batch text output: the table parsed back, folded stacks exactly, the summary lines. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/report.h"

#include "fixture.h"

#define MOD "/usr/lib/libapp.so.1"

struct row {
	double self_pct, total_pct;
	unsigned long long samples;
	char func[600], module[600];
};

/* Split the table into its header and parsed rows; returns the row count. */
static int parse_table(char *text, char **header, struct row *rows, int max)
{
	char *save, *line = strtok_r(text, "\n", &save);
	int n = 0;

	cr_assert_not_null(line);
	*header = line;
	while ((line = strtok_r(NULL, "\n", &save))) {
		cr_assert_lt(n, max);
		cr_assert_eq(sscanf(line, "%lf%% %lf%% %llu %599s %599s", &rows[n].self_pct,
				    &rows[n].total_pct, &rows[n].samples, rows[n].func,
				    rows[n].module), 5, "bad row: '%s'", line);
		n++;
	}
	return n;
}

Test(report, table_rows_in_sort_order_with_percentages)
{
	struct profile *p = fx_hists();
	struct capture c;
	struct row r[8];
	char *header;

	fx_begin(&c);
	cr_assert_eq(report_table(c.f, p, PROF_SORT_SELF, 0), 0);
	fx_end(&c);

	int n = parse_table(c.buf, &header, r, 8);

	cr_assert_eq(strncmp(header, "  SELF%   TOTAL%    SAMPLES  FUNCTION", 37), 0,
		     "header: '%s'", header);
	cr_assert_not_null(strstr(header, "  MODULE"));
	cr_assert_eq(n, 4);
	cr_assert_str_eq(r[0].func, "a");
	cr_assert_float_eq(r[0].self_pct, 70.0, 1e-9);
	cr_assert_float_eq(r[0].total_pct, 70.0, 1e-9);
	cr_assert_eq(r[0].samples, 70);
	cr_assert_str_eq(r[0].module, "libapp.so.1");
	cr_assert_str_eq(r[1].func, "b");
	cr_assert_float_eq(r[1].self_pct, 30.0, 1e-9);
	cr_assert_str_eq(r[2].func, "main");
	cr_assert_float_eq(r[2].self_pct, 0.0, 1e-9);
	cr_assert_float_eq(r[2].total_pct, 100.0, 1e-9);
	cr_assert_str_eq(r[2].module, "app");
	cr_assert_str_eq(r[3].func, "c");
	cr_assert_float_eq(r[3].total_pct, 10.0, 1e-9);
	free(c.buf);
	profile_free(p);
}

Test(report, table_columns_line_up)
{
	struct profile *p = fx_hists();
	struct capture c;

	fx_begin(&c);
	report_table(c.f, p, PROF_SORT_TOTAL, 0);
	fx_end(&c);

	/* Every line has its module column at the header's MODULE offset. */
	char *header_end = strchr(c.buf, '\n');
	size_t col = (size_t)(strstr(c.buf, "MODULE") - c.buf);

	cr_assert_not_null(header_end);
	for (char *line = header_end + 1; *line; line = strchr(line, '\n') + 1) {
		cr_assert_gt(strlen(line), col);
		cr_assert_neq(line[col], ' ', "line '%.*s'", (int)(strchr(line, '\n') - line), line);
		cr_assert_eq(line[col - 1], ' ');
		cr_assert_eq(line[col - 2], ' ');
	}
	cr_assert_eq(strncmp(header_end + 1, "  0.00%  100.00%          0  main  ", 35), 0,
		     "first row: %s", header_end + 1);
	free(c.buf);
	profile_free(p);
}

Test(report, table_row_limit)
{
	struct profile *p = fx_hists();
	struct capture c;
	struct row r[8];
	char *header;

	fx_begin(&c);
	report_table(c.f, p, PROF_SORT_TOTAL, 2);
	fx_end(&c);
	cr_assert_eq(parse_table(c.buf, &header, r, 8), 2);
	cr_assert_str_eq(r[0].func, "main");
	cr_assert_str_eq(r[1].func, "a");
	free(c.buf);
	profile_free(p);
}

Test(report, table_without_samples)
{
	struct profile *p = profile_new();
	struct capture c;

	cr_assert_not_null(p);
	fx_fn(p, "never", MOD);
	fx_begin(&c);
	cr_assert_eq(report_table(c.f, p, PROF_SORT_SELF, 0), 0);
	fx_end(&c);
	cr_assert_str_eq(c.buf, "no samples collected\n");
	free(c.buf);
	profile_free(p);
}

Test(report, table_with_only_unknown_stacks_has_just_the_header)
{
	struct profile *p = profile_new();
	struct capture c;

	cr_assert_not_null(p);
	cr_assert_eq(profile_add_sample(p, 1, NULL, 0, 5, 0), 0);
	fx_begin(&c);
	report_table(c.f, p, PROF_SORT_SELF, 0);
	fx_end(&c);
	cr_assert_eq(strncmp(c.buf, "  SELF%", 7), 0);
	cr_assert_eq(strchr(c.buf, '\n') - c.buf + 1, (long)c.len, "%s", c.buf);
	free(c.buf);
	profile_free(p);
}

Test(report, table_cuts_long_names_and_names_the_unnamed)
{
	struct profile *p = profile_new();
	char *longname = malloc(2001);
	struct capture c;
	struct row r[4];
	char *header;

	cr_assert(p && longname);
	memset(longname, 'x', 2000);
	longname[2000] = '\0';

	uint32_t l = fx_fn(p, longname, ""), u = fx_fn(p, "", "/bin/");

	fx_add(p, &l, 1, 2);
	fx_add(p, &u, 1, 1);
	fx_begin(&c);
	report_table(c.f, p, PROF_SORT_SELF, 0);
	fx_end(&c);
	cr_assert_eq(parse_table(c.buf, &header, r, 4), 2);
	cr_assert_eq(strlen(r[0].func), 511);
	cr_assert_str_eq(r[0].module, "[unknown]");
	cr_assert_str_eq(r[1].func, "[unknown]");
	cr_assert_str_eq(r[1].module, "/bin/");
	free(c.buf);
	free(longname);
	profile_free(p);
}

Test(report, folded_exact)
{
	struct profile *p = fx_hists();
	struct capture c;

	fx_begin(&c);
	cr_assert_eq(report_folded(c.f, p), 0);
	fx_end(&c);
	cr_assert_str_eq(c.buf, "main;a 60\nmain;b 30\nmain;c;a 10\n");
	free(c.buf);
	profile_free(p);
}

Test(report, folded_escapes_separators_keeps_spaces)
{
	struct profile *p = profile_new();
	struct capture c;

	cr_assert_not_null(p);

	uint32_t m = fx_fn(p, "main", MOD), op = fx_fn(p, "operator;(int a)", MOD);
	uint32_t anon = fx_fn(p, "", MOD);

	fx_add(p, (uint32_t[]){ op, m }, 2, 3);
	fx_add(p, (uint32_t[]){ anon, op, m }, 3, 1);
	fx_begin(&c);
	report_folded(c.f, p);
	fx_end(&c);
	cr_assert_str_eq(c.buf, "main;operator:(int a) 3\nmain;operator:(int a);[unknown] 1\n");
	free(c.buf);
	profile_free(p);
}

Test(report, folded_empty_profile_writes_nothing)
{
	struct profile *p = profile_new();
	struct capture c;

	cr_assert_not_null(p);
	fx_begin(&c);
	cr_assert_eq(report_folded(c.f, p), 0);
	fx_end(&c);
	cr_assert_eq(c.len, 0);
	free(c.buf);
	profile_free(p);
}

/* The line of the summary starting with `prefix`, copied into out. */
static void summary_line(const char *text, const char *prefix, char *out, size_t outlen)
{
	size_t plen = strlen(prefix);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, prefix, plen)) {
			size_t len = strcspn(l, "\n");

			cr_assert_lt(len, outlen);
			memcpy(out, l, len);
			out[len] = '\0';
			return;
		}
	}
	cr_assert_fail("no line starting '%s' in:\n%s", prefix, text);
}

Test(report, summary_numbers)
{
	struct profile *p = fx_hists();
	struct prof_stats *s = profile_stats(p);
	struct report_info info = {
		.duration_s = 10.0, .freq_hz = 99, .method = "perf", .busy_threads = 2,
	};
	struct capture c;
	char line[512];

	s->lost_kernel = 4;
	s->dropped_ring = 5;
	s->throttled = 6;
	s->unwind_failed = 7;
	s->by_status[UWS_OK] = 90;
	s->by_status[UWS_DEPTH] = 3;
	s->by_status[UWS_STACK_COPY] = 2;
	s->by_status[UWS_NO_CFI] = 1;
	s->by_status[UWS_BAD_FRAME] = 8;
	s->by_status[UWS_NO_USER] = 9;
	profile_thread_name(p, 2, "idle");
	fx_begin(&c);
	report_summary(c.f, p, &info);
	fx_end(&c);

	summary_line(c.buf, "samples: ", line, sizeof(line));
	cr_assert_str_eq(line, "samples: 100 (10.0 Hz achieved of 99 Hz asked, 2 busy threads, "
			       "5.0 Hz per thread)");
	summary_line(c.buf, "lost: ", line, sizeof(line));
	cr_assert_str_eq(line, "lost: 4 by the kernel, 5 dropped by the ring (full), 6 throttled, "
			       "7 failed unwinds, 0 refused by the profile");
	summary_line(c.buf, "unwind: ", line, sizeof(line));
	cr_assert_str_eq(line, "unwind: 90 complete, 3 truncated at max depth, 2 stack copy too "
			       "small, 1 no CFI, 8 corrupt frames, 9 no user registers");
	summary_line(c.buf, "threads seen: ", line, sizeof(line));
	cr_assert_str_eq(line, "threads seen: 2");
	summary_line(c.buf, "duration: ", line, sizeof(line));
	cr_assert_str_eq(line, "duration: 10.00 s, method: perf");
	free(c.buf);
	profile_free(p);
}

/* Without a busy-thread count the summary says how many CPUs' worth of
 * samples came in: 100 samples in 2 s at 25 Hz per thread is 2 CPUs. */
Test(report, summary_cpus_busy)
{
	struct profile *p = fx_hists();
	struct report_info info = { .duration_s = 2.0, .freq_hz = 25, .method = "perf" };
	struct capture c;
	char line[512];

	fx_begin(&c);
	report_summary(c.f, p, &info);
	fx_end(&c);
	summary_line(c.buf, "samples: ", line, sizeof(line));
	cr_assert_str_eq(line, "samples: 100 (50.0 Hz achieved of 25 Hz asked per thread, 2.00 CPUs busy)");
	free(c.buf);
	profile_free(p);
}

Test(report, summary_without_info_or_duration)
{
	struct profile *p = profile_new();
	struct capture c;
	char line[512];

	cr_assert_not_null(p);
	cr_assert_eq(profile_add_sample(p, 1, (uint32_t[]){ 7 }, 1, 1, 0), -EINVAL);
	fx_begin(&c);
	report_summary(c.f, p, NULL);
	fx_end(&c);
	summary_line(c.buf, "samples: ", line, sizeof(line));
	cr_assert_str_eq(line, "samples: 0 (rate unknown of 0 Hz asked)");
	summary_line(c.buf, "lost: ", line, sizeof(line));
	cr_assert(strstr(line, ", 1 refused by the profile"), "%s", line);
	summary_line(c.buf, "threads seen: ", line, sizeof(line));
	cr_assert_str_eq(line, "threads seen: 0");
	summary_line(c.buf, "duration: ", line, sizeof(line));
	cr_assert_str_eq(line, "duration: 0.00 s, method: unknown");
	free(c.buf);
	profile_free(p);
}

/* Needs the real sanitize_name (src/sanitize.c), not a plain copy. */
Test(report, names_from_the_target_are_escaped)
{
	struct profile *p = profile_new();
	struct capture c;

	cr_assert_not_null(p);

	uint32_t m = fx_fn(p, "main", MOD), evil = fx_fn(p, "evil\x1b[2J\nname", "/tmp/\x1b]0;x\a.so");

	fx_add(p, (uint32_t[]){ evil, m }, 2, 1);
	fx_begin(&c);
	report_table(c.f, p, PROF_SORT_SELF, 0);
	report_folded(c.f, p);
	fx_end(&c);
	cr_assert_null(memchr(c.buf, 0x1b, c.len), "raw ESC in:\n%s", c.buf);
	cr_assert_null(memchr(c.buf, '\a', c.len));
	cr_assert_not_null(strstr(c.buf, "  evil\\x1B[2J\\x0Aname  "), "%s", c.buf);
	/* The table keeps ';' (only folded stacks use it as a separator). */
	cr_assert_not_null(strstr(c.buf, "  \\x1B]0;x\\x07.so\n"), "%s", c.buf);
	cr_assert_not_null(strstr(c.buf, "\nmain;evil\\x1B[2J\\x0Aname 1\n"), "%s", c.buf);
	free(c.buf);
	profile_free(p);
}
