/* test_prochist.c — reading history: rates from synthetic readings, wrap, sparklines, the batch process line, feed hand-off. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/feed.h"
#include "proftui/prochist.h"
#include "proftui/record.h"
#include "proftui/report.h"
#include "proftui/ring.h"

#define SEC 1000000000ull

static struct prochist *new_hist(void)
{
	struct prochist *h = prochist_new();

	cr_assert_not_null(h);
	return h;
}

/* A reading at t seconds with user CPU u seconds, everything else zero. */
static struct procstat at(double t, double u)
{
	return (struct procstat){
		.time_ns = (uint64_t)(t * 1e9), .utime_ns = (uint64_t)(u * 1e9),
		.rss_bytes = 4096, .nthreads = 1, .flags = PROCSTAT_IO_KNOWN,
	};
}

static void near(double got, double want)
{
	cr_assert(got > want - 1e-6 && got < want + 1e-6, "got %.9f, want %.9f", got, want);
}

Test(prochist, rates_between_two_readings)
{
	struct procstat a = {
		.time_ns = 1 * SEC, .utime_ns = 5 * SEC, .stime_ns = 1 * SEC, .minflt = 100,
		.majflt = 7, .read_bytes = 1000, .write_bytes = 0, .vol_cs = 40, .invol_cs = 3,
		.flags = PROCSTAT_IO_KNOWN,
	};
	struct procstat b = a;
	struct prochist_rates r;

	b.time_ns = 3 * SEC;
	b.utime_ns += 3 * SEC / 2;      /* 1.5 s of user CPU in 2 s: 75 % */
	b.stime_ns += SEC / 5;          /* 0.2 s: 10 % */
	b.minflt += 200;
	b.majflt += 4;
	b.read_bytes += 2048;
	b.write_bytes += 4096;
	b.vol_cs += 60;
	b.invol_cs += 10;
	cr_assert(prochist_between(&a, &b, &r));
	near(r.seconds, 2.0);
	near(r.user_pct, 75.0);
	near(r.sys_pct, 10.0);
	near(r.minflt, 100.0);
	near(r.majflt, 2.0);
	cr_assert_eq(r.majflts, 4);
	cr_assert(r.io_known);
	near(r.read_bps, 1024.0);
	near(r.write_bps, 2048.0);
	cr_assert_eq(r.read_bytes, 2048);
	cr_assert_eq(r.write_bytes, 4096);
	near(r.vcs, 30.0);
	near(r.ivcs, 5.0);

	/* Two busy threads: 200 %, like top. */
	b = a;
	b.time_ns = 2 * SEC;
	b.utime_ns += 2 * SEC;
	cr_assert(prochist_between(&a, &b, &r));
	near(r.user_pct, 200.0);
}

Test(prochist, odd_pairs)
{
	struct procstat a = at(1, 1), b = at(2, 1.5);
	struct prochist_rates r;

	/* Not later: no rates, and nothing left over in *out. */
	memset(&r, 0x55, sizeof(r));
	cr_assert_not(prochist_between(&b, &a, &r));
	near(r.user_pct, 0.0);
	cr_assert_not(prochist_between(&a, &a, &r));
	cr_assert_not(prochist_between(NULL, &a, &r));

	/* A counter going down (an exited thread's switches) is no change. */
	a.vol_cs = 500;
	b.vol_cs = 20;
	cr_assert(prochist_between(&a, &b, &r));
	near(r.vcs, 0.0);
	near(r.user_pct, 50.0);

	/* io known on one side only: unknown. */
	b.flags = 0;
	b.read_bytes = 1 << 20;
	cr_assert(prochist_between(&a, &b, &r));
	cr_assert_not(r.io_known);
	near(r.read_bps, 0.0);
}

Test(prochist, keeps_the_last_readings_and_the_first)
{
	struct prochist *h = new_hist();
	struct prochist_rates r;
	struct procstat ps;

	cr_assert_eq(prochist_count(h), 0);
	cr_assert_null(prochist_latest(h));
	cr_assert_null(prochist_first(h));
	cr_assert_not(prochist_rates(h, &r));
	cr_assert_not(prochist_session(h, &r));

	/* 130 readings a second apart; user CPU at 50 % for the first 100 s,
	 * then 100 %. */
	for (int i = 0; i < 130; i++) {
		ps = at(i, i < 100 ? i * 0.5 : 50.0 + (i - 100));
		ps.rss_bytes = 1000 + (uint64_t)i;
		prochist_add(h, &ps);
		cr_assert_eq(prochist_count(h), i + 1 < PROCHIST_LEN ? (size_t)i + 1 : PROCHIST_LEN);
	}
	cr_assert_eq(prochist_latest(h)->rss_bytes, 1129);
	cr_assert_eq(prochist_first(h)->rss_bytes, 1000);
	cr_assert(prochist_rates(h, &r));
	near(r.user_pct, 100.0);
	/* 79 s of CPU over 129 s of session, though the first reading left
	 * the history long ago. */
	cr_assert(prochist_session(h, &r));
	near(r.user_pct, 79.0 / 129.0 * 100.0);

	double v[PROCHIST_LEN];

	cr_assert_eq(prochist_series(h, PROCHIST_RSS, v, PROCHIST_LEN), PROCHIST_LEN);
	near(v[0], 1010.0);
	near(v[PROCHIST_LEN - 1], 1129.0);
	cr_assert_eq(prochist_series(h, PROCHIST_USER, v, PROCHIST_LEN), PROCHIST_LEN - 1);
	near(v[0], 50.0);    /* from reading 10 to 11 */
	near(v[PROCHIST_LEN - 2], 100.0);
	cr_assert_eq(prochist_series(h, PROCHIST_USER, v, 3), 3);
	near(v[0], 100.0);
	cr_assert_eq(prochist_series(h, PROCHIST__COUNT, v, 3), 0);
	prochist_free(h);
	prochist_free(NULL);
}

/* A history of readings a second apart with these user CPU totals (s). */
static struct prochist *user_steps(const double *user, size_t n)
{
	struct prochist *h = new_hist();

	for (size_t i = 0; i < n; i++) {
		struct procstat ps = at((double)i, user[i]);

		prochist_add(h, &ps);
	}
	return h;
}

/* CPU per interval: 0 %, 25 %, 50 %, 100 %. */
static struct prochist *cpu_steps(void)
{
	static const double user[] = { 0, 0, 0.25, 0.75, 1.75 };

	return user_steps(user, sizeof(user) / sizeof(user[0]));
}

Test(prochist, sparkline_exact_text)
{
	struct prochist *h = cpu_steps();
	char buf[64];

	/* Scaled to the highest value shown: round(7 * v / 100). */
	cr_assert_eq(prochist_spark(h, PROCHIST_CPU, buf, sizeof(buf), 10, false), 4);
	cr_assert_str_eq(buf, "\u2581\u2583\u2585\u2588");
	cr_assert_eq(prochist_spark(h, PROCHIST_CPU, buf, sizeof(buf), 10, true), 4);
	cr_assert_str_eq(buf, " :=#");
	/* The newest values when narrower: 25, 50, 100. */
	cr_assert_eq(prochist_spark(h, PROCHIST_CPU, buf, sizeof(buf), 3, false), 3);
	cr_assert_str_eq(buf, "\u2583\u2585\u2588");
	cr_assert_eq(prochist_spark(h, PROCHIST_CPU, buf, sizeof(buf), 2, true), 2);
	cr_assert_str_eq(buf, "=#");
	/* A buffer for two glyphs and the NUL keeps the newest two. */
	cr_assert_eq(prochist_spark(h, PROCHIST_CPU, buf, 7, 10, false), 2);
	cr_assert_str_eq(buf, "\u2585\u2588");
	cr_assert_eq(prochist_spark(h, PROCHIST_CPU, buf, 3, 10, true), 2);
	cr_assert_str_eq(buf, "=#");
	/* All zero: the lowest glyph, not a division by zero. */
	cr_assert_eq(prochist_spark(h, PROCHIST_MAJFLT, buf, sizeof(buf), 10, false), 4);
	cr_assert_str_eq(buf, "\u2581\u2581\u2581\u2581");
	cr_assert_eq(prochist_spark(h, PROCHIST_SYS, buf, sizeof(buf), 10, true), 4);
	cr_assert_str_eq(buf, "    ");
	/* Nothing to draw. */
	cr_assert_eq(prochist_spark(h, PROCHIST_CPU, buf, sizeof(buf), 0, false), 0);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(prochist_spark(NULL, PROCHIST_CPU, buf, sizeof(buf), 5, false), 0);
	cr_assert_str_eq(buf, "");
	prochist_free(h);
}

/* An old peak scrolling out of view: the rest is rescaled to what is shown. */
Test(prochist, sparkline_scales_to_the_visible_max)
{
	static const double user[] = { 0, 1, 1.25, 1.75 };   /* 100 %, 25 %, 50 % */
	struct prochist *h = user_steps(user, sizeof(user) / sizeof(user[0]));
	char buf[64];

	cr_assert_eq(prochist_spark(h, PROCHIST_USER, buf, sizeof(buf), 3, true), 3);
	cr_assert_str_eq(buf, "#:=");
	cr_assert_eq(prochist_spark(h, PROCHIST_USER, buf, sizeof(buf), 2, true), 2);
	cr_assert_str_eq(buf, "=#");
	prochist_free(h);
}

Test(prochist, sparkline_of_levels_and_short_history)
{
	struct prochist *h = new_hist();
	struct procstat ps = at(0, 0);
	char buf[64];

	prochist_add(h, &ps);
	/* One reading: a level, but no rate yet. */
	cr_assert_eq(prochist_spark(h, PROCHIST_RSS, buf, sizeof(buf), 10, true), 1);
	cr_assert_str_eq(buf, "#");
	cr_assert_eq(prochist_spark(h, PROCHIST_CPU, buf, sizeof(buf), 10, true), 0);
	ps = at(1, 0);
	ps.rss_bytes = 4096 * 2;
	prochist_add(h, &ps);
	ps = at(2, 0);
	ps.rss_bytes = 4096 * 8;
	prochist_add(h, &ps);
	cr_assert_eq(prochist_spark(h, PROCHIST_RSS, buf, sizeof(buf), 10, false), 3);
	cr_assert_str_eq(buf, "\u2582\u2583\u2588");
	prochist_free(h);
}

static char *process_line(const struct prochist *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	report_process(f, h);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

Test(prochist, batch_process_line)
{
	struct prochist *h = new_hist();
	struct procstat a = at(10, 3), b;
	char *line;

	line = process_line(h);
	cr_assert_str_eq(line, "process: no readings\n");
	free(line);
	line = process_line(NULL);
	cr_assert_str_eq(line, "process: no readings\n");
	free(line);

	a.majflt = 5;
	a.write_bytes = 1000;
	a.rss_bytes = 12898000;       /* 12.3 MB */
	a.nthreads = 3;
	a.states[PROCSTAT_RUN] = 2;
	a.states[PROCSTAT_SLEEP] = 1;
	prochist_add(h, &a);
	line = process_line(h);
	cr_assert_str_eq(line, "process: cpu unknown, rss 12.3 MB, 0 major faults, io unknown, "
			       "3 threads (2 running, 1 sleeping)\n");
	free(line);

	b = a;
	b.time_ns = 14 * SEC;
	b.utime_ns += 3900000000ull;  /* 97.5 % of 4 s */
	b.stime_ns += 48000000ull;    /* 1.2 % */
	b.majflt += 2;
	b.write_bytes += 1258291;     /* 1.2 MB */
	b.nthreads = 1;
	memset(b.states, 0, sizeof(b.states));
	b.states[PROCSTAT_DISK] = 1;
	prochist_add(h, &b);
	line = process_line(h);
	cr_assert_str_eq(line, "process: cpu 97.5% user 1.2% sys, rss 12.3 MB, 2 major faults, "
			       "read 0 B write 1.2 MB, 1 thread (1 disk wait)\n");
	free(line);
	prochist_free(h);
}

/* REC_PROCSTAT through a real ring into feed_drain. */
Test(prochist, feed_hands_readings_over)
{
	struct ring *ring = ring_new(1 << 16);
	struct profile *p = profile_new();
	struct prochist *h = new_hist();
	struct feed f = { .p = p, .hist = h };
	struct rec_procstat r = { .h = { REC_PROCSTAT, 0, sizeof(r) }, .ps = at(3, 1) };
	void *slot;

	cr_assert_not_null(ring);
	cr_assert_not_null(p);
	for (int i = 0; i < 2; i++) {
		r.ps.rss_bytes = 100 + (uint64_t)i;
		slot = ring_reserve(ring, sizeof(r));
		cr_assert_not_null(slot);
		memcpy(slot, &r, sizeof(r));
		ring_commit(ring);
	}
	/* Cut short: counted as malformed, never read past its end. */
	slot = ring_reserve(ring, 16);
	memcpy(slot, &r, 16);
	((struct rec_hdr *)slot)->size = 16;
	ring_commit(ring);
	cr_assert_eq(feed_drain(&f, ring), 3);
	cr_assert_eq(prochist_count(h), 2);
	cr_assert_eq(prochist_latest(h)->rss_bytes, 101);
	cr_assert_eq(f.bad_records, 1);

	/* No history attached: the reading is dropped quietly. */
	f.hist = NULL;
	f.bad_records = 0;
	slot = ring_reserve(ring, sizeof(r));
	memcpy(slot, &r, sizeof(r));
	ring_commit(ring);
	cr_assert_eq(feed_drain(&f, ring), 1);
	cr_assert_eq(f.bad_records, 0);
	cr_assert_eq(prochist_count(h), 2);

	profile_free(p);
	prochist_free(h);
	ring_free(ring);
}
