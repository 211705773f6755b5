/* test_procline.c — the header's process-figures line drawn into a canvas: full text, cut at the edge, ASCII, before any reading. */
#include <criterion/criterion.h>

#include <locale.h>
#include <string.h>

#include "proftui/procline.h"

#define SEC 1000000000ull

static struct canvas c;
static char row[2048];

static void init(void)
{
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
	memset(&c, 0, sizeof(c));
	cr_assert_eq(canvas_resize(&c, 120, 3), 0);
}

static void fini(void)
{
	canvas_release(&c);
}

TestSuite(procline, .init = init, .fini = fini);

/* Two readings a second apart: 98 % user, 1 % sys, no faults, 1.2 MiB/s
 * written, 3 and 120 switches a second, threads 2R 1S. */
static struct prochist *two_readings(void)
{
	struct prochist *h = prochist_new();
	struct procstat a = {
		.time_ns = 5 * SEC, .utime_ns = 2 * SEC, .rss_bytes = 12897484, .vsize_bytes = 1 << 30,
		.minflt = 50, .nthreads = 3, .flags = PROCSTAT_IO_KNOWN,
		.states = { [PROCSTAT_RUN] = 2, [PROCSTAT_SLEEP] = 1 },
	};
	struct procstat b = a;

	cr_assert_not_null(h);
	prochist_add(h, &a);
	b.time_ns += SEC;
	b.utime_ns += SEC * 98 / 100;
	b.stime_ns += SEC / 100;
	b.write_bytes += 1258291;
	b.vol_cs += 3;
	b.invol_cs += 120;
	prochist_add(h, &b);
	return h;
}

/* The row with trailing blanks cut. */
static const char *text(int y)
{
	size_t n;

	canvas_row(&c, y, row, sizeof(row));
	n = strlen(row);
	while (n && row[n - 1] == ' ')
		row[--n] = '\0';
	return row;
}

Test(procline, full_line)
{
	struct prochist *h = two_readings();
	int w = procline_draw(&c, 1, h);

	cr_assert_str_eq(text(1), "cpu 98% usr 1% sys \u2588  rss 12.3M vsz 1.0G  flt 0/s maj 0/s  "
				  "io r 0 B/s w 1.2M/s  cs 3/s 120/s  thr 3: 2R 1S 0D");
	cr_assert_eq(w, 109);   /* columns, the glyph counting one */
	cr_assert_str_eq(text(0), "");
	cr_assert_str_eq(text(2), "");
	prochist_free(h);
}

Test(procline, cut_at_the_edge_and_ascii)
{
	struct prochist *h = two_readings();

	cr_assert_eq(canvas_resize(&c, 30, 3), 0);
	cr_assert_eq(procline_draw(&c, 0, h), 30);
	cr_assert_str_eq(text(0), "cpu 98% usr 1% sys \u2588  rss 12.3");
	c.ascii = true;
	canvas_clear(&c);
	procline_draw(&c, 0, h);
	cr_assert_str_eq(text(0), "cpu 98% usr 1% sys #  rss 12.3");
	cr_assert_eq(procline_draw(&c, 3, h), 0, "off the canvas: nothing drawn");
	prochist_free(h);
}

Test(procline, warnings_and_rare_states)
{
	struct prochist *h = two_readings();
	struct procstat ps = *prochist_latest(h);
	const char *t;

	ps.time_ns += SEC;
	ps.majflt += 3;
	ps.swap_bytes = 2048;
	ps.flags = 0;
	ps.nthreads = 4;
	ps.states[PROCSTAT_DISK] = 1;
	ps.states[PROCSTAT_STOP] = 1;
	ps.states[PROCSTAT_RUN] = 0;
	ps.states[PROCSTAT_OTHER] = 1;
	prochist_add(h, &ps);
	canvas_resize(&c, 200, 1);
	c.ascii = true;   /* one byte per column: offsets in t are columns */
	procline_draw(&c, 0, h);
	t = text(0);
	cr_assert_not_null(strstr(t, "  rss 12.3M vsz 1.0G swap 2.0K  flt 0/s maj 3/s  io ?  cs 0/s 0/s  "
				     "thr 4: 0R 1S 1D 1T 1Z"), "%s", t);
	/* Both warnings stand out. */
	cr_assert_eq(c.cells[strstr(t, "maj") - t].color, CC_WARN);
	cr_assert_eq(c.cells[strstr(t, "1D") - t].color, CC_WARN);
	cr_assert_eq(c.cells[strstr(t, "1S") - t].color, CC_NORMAL);
	prochist_free(h);
}

Test(procline, before_two_readings)
{
	struct prochist *h = prochist_new();
	struct procstat ps = { .time_ns = SEC, .rss_bytes = 512, .nthreads = 1,
			       .states = { [PROCSTAT_SLEEP] = 1 } };

	cr_assert_not_null(h);
	procline_draw(&c, 0, h);
	cr_assert_str_eq(text(0), "process figures: waiting for the first reading");
	canvas_clear(&c);
	prochist_add(h, &ps);
	procline_draw(&c, 0, h);
	cr_assert_str_eq(text(0), "cpu -- usr -- sys  rss 512 B vsz 0 B  flt -- maj --  io --  cs --  "
				  "thr 1: 0R 1S 0D");
	canvas_clear(&c);
	procline_draw(&c, 0, NULL);
	cr_assert_str_eq(text(0), "process figures: waiting for the first reading");
	prochist_free(h);
}

/* Readings i = 0..n-1, a second apart: thread count i + 1, i of them in disk
 * wait, i * 100 switches a second, RSS growing by a MiB each. */
static struct prochist *growing(int n)
{
	struct prochist *h = prochist_new();
	struct procstat ps = { .flags = PROCSTAT_IO_KNOWN };

	cr_assert_not_null(h);
	for (int i = 0; i < n; i++) {
		ps.time_ns = (uint64_t)(i + 1) * SEC;
		ps.nthreads = (uint32_t)i + 1;
		ps.states[PROCSTAT_DISK] = (uint32_t)i;
		ps.states[PROCSTAT_RUN] = 1;
		ps.rss_bytes = (uint64_t)(i + 1) << 20;
		ps.vol_cs += (uint64_t)i * 100;
		prochist_add(h, &ps);
	}
	return h;
}

Test(procline, history_every_figure_when_wide)
{
	struct prochist *h = growing(5);

	cr_assert_eq(canvas_resize(&c, 120, 4), 0);
	/* 120 columns: 60 for labels and gaps, 6 per spark. */
	cr_assert_eq(procline_history(&c, 3, h), 120);
	cr_assert_str_eq(text(3),
			 "history  cpu   \u2581\u2581\u2581\u2581  rss  \u2582\u2584\u2585\u2587\u2588"
			 "  flt   \u2581\u2581\u2581\u2581  maj   \u2581\u2581\u2581\u2581"
			 "  rd   \u2581\u2581\u2581\u2581  wr   \u2581\u2581\u2581\u2581"
			 "  cs   \u2583\u2585\u2586\u2588  thr  \u2582\u2584\u2585\u2587\u2588"
			 "  R  \u2588\u2588\u2588\u2588\u2588  D  \u2581\u2583\u2585\u2586\u2588");
	prochist_free(h);
}

Test(procline, history_drops_figures_from_the_end_when_narrow)
{
	struct prochist *h = growing(30);

	cr_assert_eq(canvas_resize(&c, 40, 4), 0);
	procline_history(&c, 0, h);
	/* 40 columns hold three figures with sparks of PROCLINE_SPARK_MIN+. */
	cr_assert(strstr(text(0), "cpu "), "%s", row);
	cr_assert(strstr(row, "rss "), "%s", row);
	cr_assert(strstr(row, "flt "), "%s", row);
	cr_assert_null(strstr(row, "maj "), "%s", row);
	/* Too narrow for even one spark: the label alone. */
	cr_assert_eq(canvas_resize(&c, 12, 4), 0);
	procline_history(&c, 0, h);
	cr_assert_str_eq(text(0), "history");
	prochist_free(h);
}

Test(procline, history_ascii_and_empty)
{
	struct prochist *h = growing(3), *none = prochist_new();

	cr_assert_eq(canvas_resize(&c, 120, 4), 0);
	c.ascii = true;
	procline_history(&c, 1, h);
	cr_assert(strstr(text(1), "thr    :+#"), "%s", row);
	cr_assert_null(strstr(row, "\xe2"), "%s", row);
	c.ascii = false;
	procline_history(&c, 2, none);
	cr_assert(strstr(text(2), "history  cpu "), "%s", row);
	cr_assert_eq(procline_history(&c, 9, h), 0);   /* off the canvas */
	prochist_free(h);
	prochist_free(none);
}
