/* pymerge.c — put a sample's Python frames in place of the interpreter's evaluation-loop frames. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/pymerge.h"

/* Per function id: not looked at yet, or whether it is the evaluation loop;
 * PY_FRAME marks a Python function (seen among a sample's Python frames). */
enum { EVAL_UNKNOWN = 0, EVAL_NO, EVAL_YES, PY_FRAME };

struct pymerge {
	uint8_t *eval;      /* by function id */
	size_t cap;
	uint32_t eval_func; /* the evaluation loop's id, PROF_NONE until seen */
	bool seen_python;
};

struct pymerge *pymerge_new(void)
{
	struct pymerge *m = calloc(1, sizeof(*m));

	if (m)
		m->eval_func = PROF_NONE;
	return m;
}

bool pymerge_seen_python(const struct pymerge *m)
{
	return m && m->seen_python;
}

void pymerge_free(struct pymerge *m)
{
	if (!m)
		return;
	free(m->eval);
	free(m);
}

int pymerge_mode_parse(const char *s)
{
	if (!strcmp(s, "merged"))
		return PYMODE_MERGED;
	if (!strcmp(s, "python"))
		return PYMODE_PYTHON;
	if (!strcmp(s, "native"))
		return PYMODE_NATIVE;
	return -1;
}

const char *pymerge_mode_name(enum pymode mode)
{
	switch (mode) {
	case PYMODE_PYTHON: return "python";
	case PYMODE_NATIVE: return "native";
	default: return "merged";
	}
}

/*
 * _PyEval_EvalFrameDefault is the loop in every CPython from 3.8 to 3.13;
 * a build with a different name for it shows native stacks (counted as
 * mismatches), which is wrong-but-safe.
 */
static size_t copy_ids(uint32_t *out, const uint32_t *in, size_t n)
{
	memcpy(out, in, n * sizeof(*in));
	return n;
}

/* The per-function byte for func, the table grown to hold it; NULL when
 * out of memory. */
static uint8_t *slot_of(struct pymerge *m, uint32_t func)
{
	if (func >= m->cap) {
		size_t cap = m->cap ? m->cap : 1024;
		uint8_t *v;

		while (cap <= func)
			cap *= 2;
		v = realloc(m->eval, cap);
		if (!v)
			return false;
		memset(v + m->cap, EVAL_UNKNOWN, cap - m->cap);
		m->eval = v;
		m->cap = cap;
	}
	return &m->eval[func];
}

static bool is_eval(struct pymerge *m, const struct profile *p, uint32_t func)
{
	uint8_t *e = slot_of(m, func);
	const char *name;

	if (!e)
		return false;
	if (*e == EVAL_UNKNOWN) {
		name = profile_func_name(p, func);
		*e = name && !strcmp(name, "_PyEval_EvalFrameDefault") ? EVAL_YES : EVAL_NO;
		if (*e == EVAL_YES)
			m->eval_func = func;
	}
	return *e == EVAL_YES;
}

static void mark_python(struct pymerge *m, const uint32_t *py, size_t np)
{
	for (size_t i = 0; i < np; i++) {
		uint8_t *e = slot_of(m, py[i]);

		if (e)
			*e = PY_FRAME;
	}
	if (np)
		m->seen_python = true;
}

static bool is_python(const struct pymerge *m, uint32_t func)
{
	return func < m->cap && m->eval[func] == PY_FRAME;
}

size_t pymerge_view(void *ctx, const struct profile *live, const uint32_t *in, size_t n,
		    uint32_t *out)
{
	const struct pymerge_view *v = ctx;
	size_t k = 0;

	(void)live;
	if (v->mode == PYMODE_PYTHON) {
		for (size_t i = 0; i < n; i++)
			if (is_python(v->m, in[i]))
				out[k++] = in[i];
		return k ? k : copy_ids(out, in, n);
	}
	if (v->mode != PYMODE_NATIVE)
		return copy_ids(out, in, n);
	for (size_t i = 0; i < n; i++) {
		if (!is_python(v->m, in[i]))
			out[k++] = in[i];
		else if ((i == 0 || !is_python(v->m, in[i - 1])) && v->m->eval_func != PROF_NONE)
			out[k++] = v->m->eval_func;
	}
	return k;
}

/* Copy the group starting at py[*at] (up to and including its entry frame). */
static size_t put_group(const uint32_t *py, const bool *entry, size_t np, size_t *at,
			uint32_t *out)
{
	size_t k = 0;

	while (*at < np) {
		out[k++] = py[*at];
		if (entry[(*at)++])
			break;
	}
	return k;
}

size_t pymerge_stack(struct pymerge *m, const struct profile *p, enum pymode mode,
		     const uint32_t *native, size_t nn, bool truncated, const uint32_t *py,
		     const bool *entry, size_t np, uint32_t *out, enum py_status *status)
{
	size_t k = 0, at = 0, body = truncated && nn ? nn - 1 : nn;

	mark_python(m, py, np);
	if (mode == PYMODE_NATIVE || np == 0)
		return copy_ids(out, native, nn);
	if (mode == PYMODE_PYTHON)
		return copy_ids(out, py, np);
	for (size_t i = 0; i < body; i++) {
		if (!is_eval(m, p, native[i])) {
			out[k++] = native[i];
			continue;
		}
		if (at == np) {
			/* More loop calls than Python groups: only a Python
			 * stack cut at --max-depth explains that. */
			if (*status != PYS_DEPTH)
				goto mismatch;
			out[k++] = native[i];
			continue;
		}
		k += put_group(py, entry, np, &at, out + k);
	}
	if (at < np && !truncated)
		goto mismatch;
	while (at < np)
		k += put_group(py, entry, np, &at, out + k);
	if (body < nn)
		out[k++] = native[body];
	return k;
mismatch:
	*status = PYS_MISMATCH;
	return copy_ids(out, native, nn);
}
