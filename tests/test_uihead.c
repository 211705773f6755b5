/* test_uihead.c — the header lines: live figures, a snapshot's description, loss warnings, long targets. */
#include <criterion/criterion.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/uihead.h"

struct fix {
	struct canvas c;
	struct profile *p;
	struct prochist *h;
	char rows[3][512];
};

static void setup(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
}

TestSuite(uihead, .init = setup);

static void fix_init(struct fix *f, int w)
{
	uint32_t a;

	memset(f, 0, sizeof(*f));
	cr_assert_eq(canvas_resize(&f->c, w, 3), 0);
	f->p = profile_new();
	f->h = prochist_new();
	cr_assert(f->p && f->h);
	a = profile_func(f->p, "func_a", "/bin/app");
	cr_assert_eq(profile_add_sample(f->p, 42, &a, 1, 1500, 1000), 0);
	profile_thread_name(f->p, 42, "worker");
}

static void fix_draw(struct fix *f, const struct uihead *h)
{
	canvas_clear(&f->c);
	uihead_draw(&f->c, h);
	for (int y = 0; y < 3; y++)
		canvas_row(&f->c, y, f->rows[y], sizeof(f->rows[y]));
}

static void fix_fini(struct fix *f)
{
	profile_free(f->p);
	prochist_free(f->h);
	canvas_release(&f->c);
}

#define HAS(row, s) cr_assert_not_null(strstr((row), (s)), "'%s' not in '%s'", (s), (row))

Test(uihead, live_figures)
{
	struct fix f;
	struct sampler_info si = { .method = SAMPLER_PERF, .freq_hz = 1000, .kernel = true };
	struct uihead h = { .st = NULL, .si = &si, .pid = 77, .comm = "app", .up_s = 1.5,
			    .mode = DERIVE_CUMULATIVE, .tid = 42, .note = "target exited" };

	fix_init(&f, 200);
	h.all = f.p;
	h.hist = f.h;
	h.st = profile_stats_const(f.p);
	h.paused = true;
	fix_draw(&f, &h);
	HAS(f.rows[0], "proftui  pid 77 (app)  up 0:01  1000 Hz (1.00 CPUs)");
	HAS(f.rows[0], "samples 1500  threads 1  lost 0");
	HAS(f.rows[0], "[PAUSED]");
	HAS(f.rows[1], "perf sampling at 1000 Hz, kernel+user");
	HAS(f.rows[1], "view: cumulative");
	HAS(f.rows[1], "thread 42 (worker)");
	HAS(f.rows[1], "target exited");
	fix_fini(&f);
}

Test(uihead, snapshot_description_replaces_live_figures)
{
	struct fix f;
	struct snap_meta m = { .target = "./split 2", .method = "perf", .freq_hz = 999,
			       .host = "box", .kernel = "6.1.0", .duration_s = 75.4,
			       .start_unix = 1714566896 };
	struct uihead h = { .mode = DERIVE_CUMULATIVE, .snap = &m };

	fix_init(&f, 200);
	h.all = f.p;
	h.hist = f.h;
	h.st = profile_stats_const(f.p);
	fix_draw(&f, &h);
	HAS(f.rows[0], "proftui  snapshot of ./split 2  took 1:15  samples 1500  threads 1  lost 0");
	cr_assert_null(strstr(f.rows[0], " up "), "%s", f.rows[0]);
	HAS(f.rows[1], "perf sampling at 999 Hz on box (Linux 6.1.0), 2024-05-01 12:34");
	HAS(f.rows[1], "view: cumulative");
	fix_fini(&f);
}

/* What the views compare with follows the scope, before the note. */
Test(uihead, diff_caption_in_the_scope_line)
{
	struct fix f;
	struct snap_meta m = { .method = "perf" };
	struct uihead h = { .mode = DERIVE_CUMULATIVE, .snap = &m, .note = "a note",
			    .diff = "diff vs baseline (10 samples, pinned 0:03 ago)" };

	fix_init(&f, 200);
	h.all = f.p;
	h.hist = f.h;
	h.st = profile_stats_const(f.p);
	fix_draw(&f, &h);
	HAS(f.rows[1], "view: cumulative  diff vs baseline (10 samples, pinned 0:03 ago)  a note");
	h.diff = "";
	fix_draw(&f, &h);
	cr_assert_null(strstr(f.rows[1], "diff"), "%s", f.rows[1]);
	fix_fini(&f);
}

/* An old or foreign snapshot may say nothing about itself. */
Test(uihead, snapshot_without_metadata)
{
	struct fix f;
	struct snap_meta m = { 0 };
	struct uihead h = { .snap = &m };

	fix_init(&f, 120);
	h.all = f.p;
	h.hist = f.h;
	h.st = profile_stats_const(f.p);
	fix_draw(&f, &h);
	HAS(f.rows[0], "snapshot of an unknown target  took 0:00  samples 1500");
	HAS(f.rows[1], "unknown sampling  view: cumulative");
	fix_fini(&f);
}

/* A long command line is cut so that the counts stay on screen; the loss
 * count shows whatever the width. */
Test(uihead, long_target_leaves_room_for_the_counts)
{
	struct fix f;
	char target[400];
	struct snap_meta m = { .target = target, .duration_s = 3 };
	struct uihead h = { .snap = &m };

	memset(target, 'x', sizeof(target) - 1);
	target[sizeof(target) - 1] = '\0';
	fix_init(&f, 100);
	h.all = f.p;
	h.hist = f.h;
	profile_stats(f.p)->lost_kernel = 3;
	h.st = profile_stats_const(f.p);
	fix_draw(&f, &h);
	HAS(f.rows[0], "took 0:03  samples 1500");
	HAS(f.rows[0], "lost 3");
	fix_fini(&f);
}

/* A long path keeps the program's name: what people look for. */
Test(uihead, long_path_keeps_the_program_name)
{
	struct fix f;
	struct snap_meta m = { .target = "/check/work/main/build-san/workloads/split 30",
			       .duration_s = 2 };
	struct uihead h = { .snap = &m };

	fix_init(&f, 100);
	h.all = f.p;
	h.hist = f.h;
	h.st = profile_stats_const(f.p);
	fix_draw(&f, &h);
	HAS(f.rows[0], "proftui  snapshot of split 30  took 0:02");
	fix_fini(&f);
}

/* Tall screens get the history line as a fourth row. */
Test(uihead, history_row_on_tall_screens)
{
	struct fix f;
	struct snap_meta m = { .target = "./split", .duration_s = 2 };
	struct uihead h = { .snap = &m };
	char row[512];

	cr_assert_eq(uihead_rows(UIHEAD_HISTORY_MIN_H - 1), 3);
	cr_assert_eq(uihead_rows(UIHEAD_HISTORY_MIN_H), 4);
	fix_init(&f, 100);
	cr_assert_eq(canvas_resize(&f.c, 100, UIHEAD_HISTORY_MIN_H), 0);
	h.all = f.p;
	h.hist = f.h;
	h.st = profile_stats_const(f.p);
	fix_draw(&f, &h);
	canvas_row(&f.c, 3, row, sizeof(row));
	HAS(row, "history  cpu ");
	canvas_row(&f.c, 4, row, sizeof(row));
	cr_assert_null(strstr(row, "history"), "%s", row);
	fix_fini(&f);
}
