/* pymerge.h — put a sample's Python frames in place of the interpreter's evaluation-loop frames. */
#ifndef PROFTUI_PYMERGE_H
#define PROFTUI_PYMERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proftui/profile.h"
#include "proftui/record.h"

/*
 * A CPython stack seen natively is C functions with one
 * _PyEval_EvalFrameDefault call for each run of the evaluation loop.  The
 * sampler reads the Python frames separately (pyproc.h), grouped by the loop
 * call that runs them (the `entry` flag closes a group, innermost group
 * first).  Merging replaces the k-th evaluation-loop frame from the leaf with
 * the k-th group, so a C extension called from Python appears under the
 * Python function that called it.
 *
 * The two are read at slightly different moments; when their counts of loop
 * calls disagree the sample keeps its native stack and is counted as
 * PYS_MISMATCH rather than shown wrong.  When the native stack was cut short
 * (--max-depth, stack copy), the outer groups it could not reach go just
 * inside the [truncated] marker.
 */
enum pymode {
	PYMODE_MERGED = 0,   /* Python frames merged with native ones (default) */
	PYMODE_PYTHON,       /* Python frames only: native time goes to its Python caller */
	PYMODE_NATIVE,       /* native frames only, as if Python were not read */
};

struct pymerge;

struct pymerge *pymerge_new(void);
void pymerge_free(struct pymerge *m);

/* Parse "merged", "python" or "native"; -1 for anything else. */
int pymerge_mode_parse(const char *s);
const char *pymerge_mode_name(enum pymode mode);

/*
 * Merge one sample.  native[0..nn) are the native function ids, leaf first
 * (the last one the [truncated] marker when `truncated`); py[0..np) the
 * Python ones, innermost first, with entry[i] set on the last frame of each
 * group.  Writes at most nn + np ids to out and returns how many; *status is
 * updated: PYS_MISMATCH when the stacks disagree (out is then the native
 * stack), otherwise left as it was.  p names the functions (the evaluation
 * loop is recognised by name, once per function id).
 */
size_t pymerge_stack(struct pymerge *m, const struct profile *p, enum pymode mode,
		     const uint32_t *native, size_t nn, bool truncated, const uint32_t *py,
		     const bool *entry, size_t np, uint32_t *out, enum py_status *status);

/*
 * The other views, derived from merged stacks (derive_xform_fn; ctx is a
 * struct pymerge_view): PYMODE_PYTHON keeps a stack's Python frames only
 * (a stack without any keeps its native frames); PYMODE_NATIVE puts one
 * evaluation-loop frame back in place of each run of Python frames.  The
 * functions that are Python frames are the ones pymerge_stack merged.
 */
struct pymerge_view {
	struct pymerge *m;
	enum pymode mode;
};
size_t pymerge_view(void *ctx, const struct profile *live, const uint32_t *in, size_t n,
		    uint32_t *out);

/* Whether any Python frame was merged yet (the live view offers the key). */
bool pymerge_seen_python(const struct pymerge *m);

#endif
