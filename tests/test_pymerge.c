/* test_pymerge.c — Python frames put in place of the evaluation loop's native frames. */
#include <criterion/criterion.h>
#include <string.h>

#include "proftui/pymerge.h"

struct fx {
	struct profile *p;
	struct pymerge *m;
	uint32_t eval, call, main_, leaf, trunc, a, b, c, d;
};

static struct fx setup(void)
{
	struct fx f = { .p = profile_new(), .m = pymerge_new() };

	cr_assert(f.p && f.m);
	f.eval = profile_func(f.p, "_PyEval_EvalFrameDefault", "libpython3.11.so");
	f.call = profile_func(f.p, "PyObject_Call", "libpython3.11.so");
	f.main_ = profile_func(f.p, "main", "python3.11");
	f.leaf = profile_func(f.p, "encoder_listencode_obj", "_json.so");
	f.trunc = profile_func(f.p, "[truncated]", "");
	f.a = profile_func(f.p, "a (x.py:1)", "x.py");
	f.b = profile_func(f.p, "b (x.py:5)", "x.py");
	f.c = profile_func(f.p, "c (x.py:9)", "x.py");
	f.d = profile_func(f.p, "d (x.py:13)", "x.py");
	return f;
}

static void teardown(struct fx *f)
{
	pymerge_free(f->m);
	profile_free(f->p);
}

static void expect(const uint32_t *got, size_t n, const uint32_t *want, size_t nw)
{
	cr_assert_eq(n, nw, "got %zu frames, want %zu", n, nw);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(got[i], want[i], "frame %zu: %u, want %u", i, got[i], want[i]);
}

Test(pymerge, groups_replace_loop_frames_in_order)
{
	struct fx f = setup();
	/* leaf <- eval <- PyObject_Call <- eval <- main; Python: [a] [b c]. */
	uint32_t native[] = { f.leaf, f.eval, f.call, f.eval, f.main_ };
	uint32_t py[] = { f.a, f.b, f.c };
	bool entry[] = { true, false, true };
	uint32_t out[16], want[] = { f.leaf, f.a, f.call, f.b, f.c, f.main_ };
	enum py_status st = PYS_OK;
	size_t n = pymerge_stack(f.m, f.p, PYMODE_MERGED, native, 5, false, py, entry, 3, out, &st);

	expect(out, n, want, 6);
	cr_assert_eq(st, PYS_OK);
	teardown(&f);
}

Test(pymerge, python_and_native_modes)
{
	struct fx f = setup();
	uint32_t native[] = { f.leaf, f.eval, f.main_ };
	uint32_t py[] = { f.a, f.b };
	bool entry[] = { false, true };
	uint32_t out[16], want_py[] = { f.a, f.b };
	enum py_status st = PYS_OK;
	size_t n;

	n = pymerge_stack(f.m, f.p, PYMODE_PYTHON, native, 3, false, py, entry, 2, out, &st);
	expect(out, n, want_py, 2);
	n = pymerge_stack(f.m, f.p, PYMODE_NATIVE, native, 3, false, py, entry, 2, out, &st);
	expect(out, n, native, 3);
	/* No Python frames (a thread running no Python code): native in every mode. */
	n = pymerge_stack(f.m, f.p, PYMODE_PYTHON, native, 3, false, py, entry, 0, out, &st);
	expect(out, n, native, 3);
	cr_assert_eq(pymerge_mode_parse("python"), PYMODE_PYTHON);
	cr_assert_eq(pymerge_mode_parse("merged"), PYMODE_MERGED);
	cr_assert_eq(pymerge_mode_parse("native"), PYMODE_NATIVE);
	cr_assert_eq(pymerge_mode_parse("Python"), -1);
	cr_assert_str_eq(pymerge_mode_name(PYMODE_NATIVE), "native");
	teardown(&f);
}

Test(pymerge, disagreement_keeps_the_native_stack)
{
	struct fx f = setup();
	uint32_t native[] = { f.leaf, f.eval, f.call, f.eval, f.main_ };
	uint32_t py1[] = { f.a };
	bool entry1[] = { true };
	uint32_t py3[] = { f.a, f.b, f.c };
	bool entry3[] = { true, true, true };
	uint32_t out[16];
	enum py_status st = PYS_OK;
	size_t n;

	/* Two loop calls, one group: the Python stack is from another moment. */
	n = pymerge_stack(f.m, f.p, PYMODE_MERGED, native, 5, false, py1, entry1, 1, out, &st);
	expect(out, n, native, 5);
	cr_assert_eq(st, PYS_MISMATCH);
	/* Three groups for two loop calls. */
	st = PYS_OK;
	n = pymerge_stack(f.m, f.p, PYMODE_MERGED, native, 5, false, py3, entry3, 3, out, &st);
	expect(out, n, native, 5);
	cr_assert_eq(st, PYS_MISMATCH);
	/* ...unless the Python stack itself was cut at --max-depth. */
	st = PYS_DEPTH;
	{
		uint32_t want[] = { f.leaf, f.a, f.call, f.eval, f.main_ };

		n = pymerge_stack(f.m, f.p, PYMODE_MERGED, native, 5, false, py1, entry1, 1, out, &st);
		expect(out, n, want, 5);
		cr_assert_eq(st, PYS_DEPTH);
	}
	teardown(&f);
}

Test(pymerge, truncated_native_stack_gets_the_outer_groups)
{
	struct fx f = setup();
	/* The native unwind stopped after one loop call. */
	uint32_t native[] = { f.leaf, f.eval, f.call, f.trunc };
	uint32_t py[] = { f.a, f.b, f.c, f.d };
	bool entry[] = { true, true, false, true };
	uint32_t out[16], want[] = { f.leaf, f.a, f.call, f.b, f.c, f.d, f.trunc };
	enum py_status st = PYS_OK;
	size_t n = pymerge_stack(f.m, f.p, PYMODE_MERGED, native, 4, true, py, entry, 4, out, &st);

	expect(out, n, want, 7);
	cr_assert_eq(st, PYS_OK);
	teardown(&f);
}

Test(pymerge, in_a_profile_the_caller_total_is_its_callees_sum)
{
	struct fx f = setup();
	uint32_t native[] = { f.leaf, f.eval, f.main_ };
	uint32_t pyb[] = { f.b, f.a }, pyc[] = { f.c, f.a };
	bool entry[] = { false, true };
	uint32_t out[8];
	enum py_status st = PYS_OK;
	struct prof_row *rows;
	long nrows;
	uint64_t ta = 0, tb = 0, tc = 0;

	for (int i = 0; i < 30; i++) {
		size_t n = pymerge_stack(f.m, f.p, PYMODE_MERGED, native, 3, false,
					 i < 20 ? pyb : pyc, entry, 2, out, &st);

		cr_assert_eq(profile_add_sample(f.p, 1, out, n, 1, (uint64_t)i), 0);
	}
	nrows = profile_hot(f.p, PROF_SORT_TOTAL, &rows);
	cr_assert_gt(nrows, 0);
	for (long i = 0; i < nrows; i++) {
		if (rows[i].func == f.a)
			ta = rows[i].total;
		if (rows[i].func == f.b)
			tb = rows[i].total;
		if (rows[i].func == f.c)
			tc = rows[i].total;
		cr_assert_neq(rows[i].func, f.eval, "the loop frame must be gone");
	}
	cr_assert_eq(tb, 20);
	cr_assert_eq(tc, 10);
	cr_assert_eq(ta, tb + tc);
	free(rows);
	teardown(&f);
}

Test(pymerge, views_derived_from_merged_stacks)
{
	struct fx f = setup();
	uint32_t native[] = { f.leaf, f.eval, f.call, f.eval, f.main_ };
	uint32_t py[] = { f.a, f.b, f.c };
	bool entry[] = { true, false, true };
	uint32_t merged[16], out[16];
	enum py_status st = PYS_OK;
	size_t n = pymerge_stack(f.m, f.p, PYMODE_MERGED, native, 5, false, py, entry, 3, merged, &st);
	struct pymerge_view pv = { f.m, PYMODE_PYTHON };
	uint32_t want_py[] = { f.a, f.b, f.c };
	uint32_t want_native[] = { f.leaf, f.eval, f.call, f.eval, f.main_ };
	uint32_t no_py[] = { f.leaf, f.call, f.main_ };

	cr_assert(pymerge_seen_python(f.m));
	expect(out, pymerge_view(&pv, f.p, merged, n, out), want_py, 3);
	pv.mode = PYMODE_NATIVE;
	/* Each run of Python frames becomes one evaluation-loop frame again:
	 * the native stack as it was sampled. */
	expect(out, pymerge_view(&pv, f.p, merged, n, out), want_native, 5);
	pv.mode = PYMODE_MERGED;
	expect(out, pymerge_view(&pv, f.p, merged, n, out), merged, n);
	/* A stack with no Python frame keeps its native frames in the Python view. */
	pv.mode = PYMODE_PYTHON;
	expect(out, pymerge_view(&pv, f.p, no_py, 3, out), no_py, 3);
	teardown(&f);
}
