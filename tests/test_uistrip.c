/* test_uistrip.c — the time strip row: columns and glyphs, picking a range with the keys, the caption. */
#include <criterion/criterion.h>

#include <locale.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/uistrip.h"

#define MS 1000000ULL
#define SEC 1000000000ULL

struct fx {
	struct tstrip *ts;
	struct uistrip *u;
	struct canvas c;
	char msg[256];
};

/* n slices of 0.1 s: one sample each, ten in slice `hot`. */
static void fx_init(struct fx *f, size_t n, size_t hot, bool ascii, int w)
{
	memset(f, 0, sizeof(*f));
	f->ts = tstrip_new(SEC, TSTRIP_SLICE_NS);
	f->u = uistrip_new();
	cr_assert(f->ts && f->u);
	for (size_t i = 0; i < n; i++)
		tstrip_add(f->ts, SEC + i * 100 * MS + 1, 1, CPU_ON, i == hot ? 10 : 1);
	f->c.ascii = ascii;
	cr_assert_eq(canvas_resize(&f->c, w, 3), 0);
}

static void fx_fini(struct fx *f)
{
	tstrip_free(f->ts);
	uistrip_free(f->u);
	canvas_release(&f->c);
}

static unsigned key(struct fx *f, int k)
{
	f->msg[0] = '\0';
	return uistrip_key(f->u, k, f->ts, f->c.w, f->msg, sizeof(f->msg));
}

static const char *row(struct fx *f, uint32_t tid)
{
	static char buf[1024];

	canvas_clear(&f->c);
	uistrip_draw(f->u, &f->c, 1, f->ts, tid);
	return canvas_row(&f->c, 1, buf, sizeof(buf));
}

Test(uistrip, draws_a_column_per_slice_then_the_end_time)
{
	struct fx f;

	setlocale(LC_ALL, "C.UTF-8");
	fx_init(&f, 20, 5, false, 60);
	cr_assert_str_eq(row(&f, 0), "▂▂▂▂▂█▂▂▂▂▂▂▂▂▂▂▂▂▂▂ 0:02" "                                   ");
	fx_fini(&f);
	/* ASCII, and a thread with no row of its own. */
	fx_init(&f, 20, 5, true, 60);
	cr_assert_eq(strncmp(row(&f, 0), ":::::@:::::::::::::: 0:02", 25), 0, "%s", row(&f, 0));
	cr_assert_not_null(strstr(row(&f, 99), "thread 99 has no strip of its own"));
	cr_assert_eq(strncmp(row(&f, 1), ":::::@::", 8), 0);
	fx_fini(&f);
}

/* More slices than columns: groups of slices per column. */
Test(uistrip, groups_slices_when_the_row_is_too_narrow)
{
	struct fx f;
	const char *r;

	fx_init(&f, 100, 99, true, 8 + 30);
	r = row(&f, 0);
	/* 100 slices in 30 columns: 4 a column, 25 columns, the end at 10 s;
	 * 4 samples a column, the last 13: 4 of 13 is level 2 of 0..7. */
	cr_assert_eq(strncmp(r, "------------------------@ 0:10", 30), 0, "%s", r);
	fx_fini(&f);
}

Test(uistrip, keys_show_pick_and_clear_a_range)
{
	struct fx f;
	uint64_t t0, t1;
	char cap[128];

	fx_init(&f, 40, 5, true, 80);
	cr_assert_not(uistrip_shown(f.u));
	cr_assert_eq(key(&f, 'q'), UISTRIP_IGNORED);
	cr_assert_eq(key(&f, 's'), UISTRIP_HANDLED);
	cr_assert(uistrip_shown(f.u));
	cr_assert_eq(key(&f, 'x'), UISTRIP_HANDLED);
	cr_assert_str_eq(f.msg, "no time range to clear");
	/* r: the cursor starts on the last column. */
	cr_assert_eq(key(&f, 'r'), UISTRIP_HANDLED);
	cr_assert(uistrip_picking(f.u));
	cr_assert_not_null(strstr(f.msg, "cursor at 0:03.9"), "%s", f.msg);
	key(&f, K_HOME);
	key(&f, K_RIGHT);
	key(&f, 'l');
	cr_assert_not_null(strstr(f.msg, "cursor at 0:00.2"), "%s", f.msg);
	cr_assert_eq(key(&f, K_ENTER), UISTRIP_HANDLED);
	key(&f, K_PGDN);
	cr_assert_not_null(strstr(f.msg, "range 0:00.2-0:01.3"), "%s", f.msg);
	key(&f, K_LEFT);
	key(&f, 'h');
	cr_assert_eq(key(&f, K_ENTER), UISTRIP_HANDLED | UISTRIP_RANGE);
	cr_assert_not(uistrip_picking(f.u));
	cr_assert(uistrip_range(f.u, &t0, &t1));
	cr_assert_eq(t0, 200 * MS);
	cr_assert_eq(t1, 1100 * MS);
	uistrip_caption(f.u, 0, cap, sizeof(cap));
	cr_assert_str_eq(cap, "range 0:00.2-0:01.1");
	/* The range shows unreversed (selected) on the row. */
	row(&f, 0);
	cr_assert_eq(f.c.cells[80 + 1].attr, CA_REVERSE);
	cr_assert_eq(f.c.cells[80 + 2].attr, 0);
	cr_assert_eq(f.c.cells[80 + 10].attr, 0);
	cr_assert_eq(f.c.cells[80 + 11].attr, CA_REVERSE);
	/* Marks in either order; G goes to the end. */
	key(&f, 'r');
	key(&f, 'G');
	key(&f, K_ENTER);
	key(&f, K_PGUP);
	cr_assert_eq(key(&f, K_ENTER), UISTRIP_HANDLED | UISTRIP_RANGE);
	cr_assert(uistrip_range(f.u, &t0, &t1));
	cr_assert_eq(t0, 2900 * MS);
	cr_assert_eq(t1, 4000 * MS);
	/* Esc, and any other key, leave the range as it was. */
	key(&f, 'r');
	key(&f, K_HOME);
	cr_assert_eq(key(&f, K_ESC), UISTRIP_HANDLED);
	cr_assert_str_eq(f.msg, "range not changed");
	key(&f, 'r');
	cr_assert_eq(key(&f, '1'), UISTRIP_IGNORED);
	cr_assert_not(uistrip_picking(f.u));
	cr_assert(uistrip_range(f.u, &t0, &t1));
	cr_assert_eq(t0, 2900 * MS);
	cr_assert_eq(key(&f, 'x'), UISTRIP_HANDLED | UISTRIP_RANGE);
	cr_assert_not(uistrip_range(f.u, &t0, &t1));
	uistrip_caption(f.u, 0, cap, sizeof(cap));
	cr_assert_str_eq(cap, "");
	cr_assert_eq(key(&f, 's'), UISTRIP_HANDLED);
	cr_assert_not(uistrip_shown(f.u));
	fx_fini(&f);
}

/* A range before what the log keeps says so. */
Test(uistrip, caption_says_when_the_log_lacks_the_range)
{
	struct fx f;
	char cap[128];

	fx_init(&f, 40, 5, true, 80);
	key(&f, 'r');
	key(&f, K_HOME);
	key(&f, K_ENTER);
	for (int i = 0; i < 9; i++)
		key(&f, K_RIGHT);
	key(&f, K_ENTER);
	uistrip_caption(f.u, 500 * MS, cap, sizeof(cap));
	cr_assert_str_eq(cap, "range 0:00.0-0:01.0 (before 0:00.5 not kept: partial)");
	uistrip_caption(f.u, 2 * SEC, cap, sizeof(cap));
	cr_assert_str_eq(cap, "range 0:00.0-0:01.0 (not kept: nothing to show)");
	uistrip_clear(f.u);
	cr_assert_not(uistrip_picking(f.u));
	uistrip_caption(f.u, 0, cap, sizeof(cap));
	cr_assert_str_eq(cap, "");
	fx_fini(&f);
}

/* With off-CPU weight the colour is the state with the most. */
Test(uistrip, colours_by_state_with_off_cpu_data)
{
	struct fx f;

	fx_init(&f, 4, 0, true, 40);
	tstrip_add(f.ts, SEC + 250 * MS, 1, CPU_IOWAIT, 50);
	tstrip_add(f.ts, SEC + 350 * MS, 1, CPU_SLEEP, 2);
	row(&f, 0);
	cr_assert_eq(f.c.cells[40 + 0].color, CC_HOT2);
	cr_assert_eq(f.c.cells[40 + 2].color, CC_IOWAIT);
	cr_assert_eq(f.c.cells[40 + 3].color, CC_SLEEP);
	fx_fini(&f);
}
