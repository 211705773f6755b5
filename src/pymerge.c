/* pymerge.c — put a sample's Python frames in place of the interpreter's evaluation-loop frames. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/pymerge.h"

/* Per function id: not looked at yet, or whether it is the evaluation loop. */
enum { EVAL_UNKNOWN = 0, EVAL_NO, EVAL_YES };

struct pymerge {
	uint8_t *eval;      /* by function id */
	size_t cap;
};

struct pymerge *pymerge_new(void)
{
	return calloc(1, sizeof(struct pymerge));
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
static bool is_eval(struct pymerge *m, const struct profile *p, uint32_t func)
{
	const char *name;

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
	if (m->eval[func] == EVAL_UNKNOWN) {
		name = profile_func_name(p, func);
		m->eval[func] = name && !strcmp(name, "_PyEval_EvalFrameDefault") ? EVAL_YES : EVAL_NO;
	}
	return m->eval[func] == EVAL_YES;
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

static size_t copy_ids(uint32_t *out, const uint32_t *in, size_t n)
{
	memcpy(out, in, n * sizeof(*in));
	return n;
}

size_t pymerge_stack(struct pymerge *m, const struct profile *p, enum pymode mode,
		     const uint32_t *native, size_t nn, bool truncated, const uint32_t *py,
		     const bool *entry, size_t np, uint32_t *out, enum py_status *status)
{
	size_t k = 0, at = 0, body = truncated && nn ? nn - 1 : nn;

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
