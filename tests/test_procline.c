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
