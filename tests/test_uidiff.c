/* test_uidiff.c — the live UI's baseline: pin, borrow, clear, caption, cached rows, call paths matched by name, levels. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proftui/uidiff.h"

#include "fixture.h"

#define APP FX_EXE
#define LIB FX_LIB

static struct uidiff *ud;

static void setup(void)
{
	ud = uidiff_new();
	cr_assert_not_null(ud);
}

static void teardown(void)
{
	uidiff_free(ud);
}

TestSuite(uidiff, .init = setup, .fini = teardown);

/* w samples of the stack named by the strings (leaf first), all in mod. */
static void stack(struct profile *p, const char *mod, uint64_t w, int n, ...)
{
	uint32_t f[16];
	va_list ap;

	cr_assert_leq(n, 16);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		f[i] = fx_fn(p, va_arg(ap, const char *), mod);
	va_end(ap);
	fx_add(p, f, (size_t)n, w);
}

/* The node of p reached from the root by the named path (outermost first). */
static uint32_t node_of(const struct profile *p, int n, ...)
{
	uint32_t node = 0;
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *name = va_arg(ap, const char *);
		uint32_t c = profile_node(p, node)->first_child;

		while (c != PROF_NONE && strcmp(profile_func_name(p, profile_node(p, c)->func), name))
			c = profile_node(p, c)->next_sibling;
		cr_assert_neq(c, PROF_NONE, "no %s on the path", name);
		node = c;
	}
	va_end(ap);
	return node;
}

Test(uidiff, empty_has_no_baseline)
{
	struct profile *now = fx_profile();
	const struct diff_row *rows = (const struct diff_row *)1;
	char buf[128] = "x";

	stack(now, APP, 10, 2, "a", "main");
	cr_assert_null(uidiff_base(ud));
	cr_assert_null(uidiff_base(NULL));
	cr_assert_eq(uidiff_rows(ud, now, 1, &rows), 0);
	cr_assert_null(rows);
	cr_assert_eq(uidiff_node_before(ud, now, 1, 1), 0.0);
	uidiff_caption(ud, 10, buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
	profile_free(now);
}

Test(uidiff, pin_takes_the_copy_and_clear_frees_it)
{
	struct profile *base = fx_profile();

	stack(base, APP, 40, 2, "a", "main");
	cr_assert_eq(uidiff_pin(ud, base, 100.0), 0);
	cr_assert_eq(uidiff_base(ud), base);
	uidiff_clear(ud);
	cr_assert_null(uidiff_base(ud));
	/* Pinning again over a pinned one frees the old (ASan would say). */
	base = fx_profile();
	stack(base, APP, 1, 1, "a");
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	base = fx_profile();
	stack(base, APP, 2, 1, "b");
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	cr_assert_eq(uidiff_base(ud), base);
}

Test(uidiff, caption_says_samples_and_age_or_file)
{
	struct profile *base = fx_profile();
	char buf[128];

	stack(base, APP, 1234, 2, "a", "main");
	cr_assert_eq(uidiff_pin(ud, base, 100.0), 0);
	uidiff_caption(ud, 100.0 + 75.9, buf, sizeof(buf));
	cr_assert_str_eq(buf, "diff vs baseline (1234 samples, pinned 1:15 ago)");
	/* A clock that went back is "now", never a negative age. */
	uidiff_caption(ud, 50.0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "diff vs baseline (1234 samples, pinned 0:00 ago)");
	uidiff_caption(ud, 100.0 + 3725, buf, sizeof(buf));
	cr_assert_str_eq(buf, "diff vs baseline (1234 samples, pinned 62:05 ago)");

	struct profile *snap = fx_profile();

	stack(snap, APP, 7, 1, "a");
	cr_assert_eq(uidiff_borrow(ud, snap, "/tmp/runs/before.snap"), 0);
	uidiff_caption(ud, 1e6, buf, sizeof(buf));
	cr_assert_str_eq(buf, "diff vs before.snap (7 samples)");
	/* Short buffers are cut, never overrun. */
	uidiff_caption(ud, 0, buf, 8);
	cr_assert_str_eq(buf, "diff vs");
	uidiff_clear(ud);
	profile_free(snap);   /* borrowed: still ours */
}

Test(uidiff, rows_are_diff_rows_with_ids_of_now)
{
	struct profile *base = fx_profile(), *now = fx_profile();
	const struct diff_row *r;
	long n;

	stack(base, APP, 90, 2, "a", "main");
	stack(base, APP, 10, 2, "gone", "main");
	/* Interned in another order: ids differ from the baseline's. */
	stack(now, APP, 30, 2, "b", "main");
	stack(now, APP, 70, 2, "a", "main");
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	n = uidiff_rows(ud, now, 1, &r);
	cr_assert_eq(n, 4);
	/* b +30, a -20, gone -10, main 0. */
	cr_assert_str_eq(r[0].name, "b");
	cr_assert_float_eq(r[0].d_self, 30.0, 1e-9);
	cr_assert_eq(r[0].func, profile_func(now, "b", APP));
	cr_assert_str_eq(r[1].name, "a");
	cr_assert_float_eq(r[1].d_self, -20.0, 1e-9);
	cr_assert_eq(r[1].func, profile_func(now, "a", APP));
	cr_assert_str_eq(r[2].name, "gone");
	cr_assert_eq(r[2].func, PROF_NONE);
	cr_assert_str_eq(r[3].name, "main");
	cr_assert_float_eq(r[3].d_total, 0.0, 1e-9);
	profile_free(now);
}

Test(uidiff, rows_are_rebuilt_only_when_the_shown_profile_changes)
{
	struct profile *base = fx_profile(), *now = fx_profile();
	const struct diff_row *r1, *r2;
	unsigned s0;

	stack(base, APP, 10, 1, "a");
	stack(now, APP, 10, 1, "b");
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	cr_assert_eq(uidiff_rows(ud, now, 1, &r1), 2);
	s0 = uidiff_rows_serial(ud);
	/* Drawn again and again: the same rows, not rebuilt. */
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(uidiff_rows(ud, now, 1, &r2), 2);
		cr_assert_eq(r2, r1);
	}
	cr_assert_eq(uidiff_rows_serial(ud), s0);
	/* New samples: rebuilt. */
	stack(now, APP, 10, 1, "a");
	cr_assert_eq(uidiff_rows(ud, now, 1, &r2), 2);
	cr_assert_neq(uidiff_rows_serial(ud), s0);
	cr_assert_float_eq(r2[0].d_self, -50.0, 1e-9);
	/* A new epoch (pause, reset, window): rebuilt. */
	s0 = uidiff_rows_serial(ud);
	uidiff_rows(ud, now, 2, &r2);
	cr_assert_neq(uidiff_rows_serial(ud), s0);
	/* A clear drops them. */
	s0 = uidiff_rows_serial(ud);
	uidiff_clear(ud);
	cr_assert_neq(uidiff_rows_serial(ud), s0);
	cr_assert_eq(uidiff_rows(ud, now, 2, &r2), 0);
	profile_free(now);
}

/* Before: 50 main->run->a, 30 main->run->b, 20 main->c->a (of 100).
 * Now: 10 main->run->a, 60 main->c->a, 20 main->run->b, 10 main->new
 * (of 100), interned in another order. */
Test(uidiff, call_paths_match_by_names)
{
	struct profile *base = fx_profile(), *now = fx_profile();

	stack(base, APP, 50, 3, "a", "run", "main");
	stack(base, APP, 30, 3, "b", "run", "main");
	stack(base, APP, 20, 3, "a", "c", "main");
	stack(now, APP, 10, 2, "new", "main");
	stack(now, APP, 60, 3, "a", "c", "main");
	stack(now, APP, 20, 3, "b", "run", "main");
	stack(now, APP, 10, 3, "a", "run", "main");
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);

	cr_assert_float_eq(uidiff_node_before(ud, now, 1, 0), 100.0, 1e-9);
	cr_assert_float_eq(uidiff_node_before(ud, now, 1, node_of(now, 1, "main")), 100.0, 1e-9);
	/* Deepest first: the walk up and down fills in the ancestors. */
	cr_assert_float_eq(uidiff_node_before(ud, now, 1, node_of(now, 3, "main", "c", "a")), 20.0,
			   1e-9);
	cr_assert_float_eq(uidiff_node_before(ud, now, 1, node_of(now, 2, "main", "c")), 20.0, 1e-9);
	cr_assert_float_eq(uidiff_node_before(ud, now, 1, node_of(now, 3, "main", "run", "a")), 50.0,
			   1e-9);
	cr_assert_float_eq(uidiff_node_before(ud, now, 1, node_of(now, 2, "main", "run")), 80.0,
			   1e-9);
	cr_assert_float_eq(uidiff_node_before(ud, now, 1, node_of(now, 3, "main", "run", "b")), 30.0,
			   1e-9);
	/* A path the baseline lacks: nothing before. */
	cr_assert_float_eq(uidiff_node_before(ud, now, 1, node_of(now, 2, "main", "new")), 0.0,
			   1e-12);
	/* Out of range: 0, no crash. */
	cr_assert_eq(uidiff_node_before(ud, now, 1, (uint32_t)profile_nnodes(now)), 0.0);
	profile_free(now);
}

/* The same name in another module is another function, so another path. */
Test(uidiff, paths_need_the_same_module)
{
	struct profile *base = fx_profile(), *now = fx_profile();

	stack(base, LIB, 10, 1, "work");
	stack(now, APP, 10, 1, "work");
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	cr_assert_float_eq(uidiff_node_before(ud, now, 1, node_of(now, 1, "work")), 0.0, 1e-12);
	profile_free(now);
}

/* New nodes and functions in the same epoch are matched as they come; a
 * new epoch (another profile at the same address is possible) starts over. */
Test(uidiff, growing_profile_and_new_epoch)
{
	struct profile *base = fx_profile(), *now = fx_profile();

	stack(base, APP, 25, 2, "a", "main");
	stack(base, APP, 75, 2, "b", "main");
	stack(now, APP, 10, 2, "a", "main");
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	cr_assert_float_eq(uidiff_node_before(ud, now, 1, node_of(now, 2, "main", "a")), 25.0, 1e-9);
	stack(now, APP, 10, 2, "b", "main");
	cr_assert_float_eq(uidiff_node_before(ud, now, 1, node_of(now, 2, "main", "b")), 75.0, 1e-9);

	struct profile *other = fx_profile();

	/* b first this time: node ids swap, the answers must not. */
	stack(other, APP, 10, 2, "b", "main");
	stack(other, APP, 10, 2, "a", "main");
	cr_assert_float_eq(uidiff_node_before(ud, other, 2, node_of(other, 2, "main", "a")), 25.0,
			   1e-9);
	cr_assert_float_eq(uidiff_node_before(ud, other, 2, node_of(other, 2, "main", "b")), 75.0,
			   1e-9);
	profile_free(other);
	profile_free(now);
}

/* A baseline without samples: every share before is 0. */
Test(uidiff, empty_baseline)
{
	struct profile *base = fx_profile(), *now = fx_profile();
	const struct diff_row *r;

	stack(now, APP, 10, 2, "a", "main");
	cr_assert_eq(uidiff_pin(ud, base, 0), 0);
	cr_assert_eq(uidiff_node_before(ud, now, 1, node_of(now, 1, "main")), 0.0);
	cr_assert_eq(uidiff_rows(ud, now, 1, &r), 2);
	cr_assert_float_eq(r[0].before_self + r[1].before_self, 0.0, 1e-12);
	profile_free(now);
}

Test(uidiff, levels)
{
	cr_assert_eq(uidiff_level(0.0), 0);
	cr_assert_eq(uidiff_level(-0.0), 0);
	cr_assert_eq(uidiff_level(0.49), 0);
	cr_assert_eq(uidiff_level(-0.49), 0);
	cr_assert_eq(uidiff_level(UIDIFF_NEUTRAL_PP), 1);
	cr_assert_eq(uidiff_level(-UIDIFF_NEUTRAL_PP), -1);
	cr_assert_eq(uidiff_level(2.99), 1);
	cr_assert_eq(uidiff_level(3.0), 2);
	cr_assert_eq(uidiff_level(-14.9), -2);
	cr_assert_eq(uidiff_level(15.0), 3);
	cr_assert_eq(uidiff_level(-100.0), -3);
	cr_assert_eq(uidiff_level(NAN), 0);
	cr_assert_eq(uidiff_level(INFINITY), 3);
}

Test(uidiff, free_null)
{
	uidiff_free(NULL);
}
