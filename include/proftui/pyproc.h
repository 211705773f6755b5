/* pyproc.h — the sampler's view of a CPython target: find the interpreter, read each sample's Python frames. */
#ifndef PROFTUI_PYPROC_H
#define PROFTUI_PYPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proftui/pyframes.h"
#include "proftui/record.h"

/*
 * Owned by the sampler thread.  pyproc_find looks through the target's
 * mappings for a CPython runtime (the python3.X executable or a
 * libpython3.X.so with the _PyRuntime symbol), learns its version and
 * picks the struct layout; pyproc_stack then reads one thread's frame chain
 * with process_vm_readv, never stopping the target.  Code objects get small
 * ids, announced once through the callback (REC_PYCODE) before the first
 * frame that names them.
 *
 * The frames are read after the kernel took the sample (when the sampler
 * drains its ring, a few milliseconds later at most), so a Python stack can
 * be a little younger than its native one; pymerge checks that the two agree
 * and the disagreements are counted.
 */
struct pyproc;

typedef void (*pyproc_code_fn)(void *ctx, uint32_t id, const struct pyf_code *c);

enum pyproc_find {
	PYPROC_NONE = 0,        /* no CPython in the target (yet) */
	PYPROC_FOUND,           /* *out is ready */
	PYPROC_UNSUPPORTED,     /* found, but its version is not known: note says so */
};

/*
 * Look for CPython in pid's mappings.  On PYPROC_FOUND *out is set and note
 * names what was found ("python 3.11 found: showing Python frames"); on
 * PYPROC_UNSUPPORTED note is the one line for the user ("python 3.14 frames
 * not supported; showing native frames").
 */
enum pyproc_find pyproc_find(struct pyproc **out, pid_t pid, pyproc_code_fn announce, void *ctx,
			     char *note, size_t notelen);
void pyproc_free(struct pyproc *py);

/*
 * The Python frames of thread tid, innermost first, as FRAME_PYTHON frames,
 * at most max.  Returns how many; *status says how the read went
 * (PYS_NONE: the thread runs no Python code).
 */
size_t pyproc_stack(struct pyproc *py, uint32_t tid, struct frame *out, size_t max,
		    enum py_status *status);

/*
 * The name Python gives thread tid (pyobj.h: a threading.Thread's name,
 * "MainThread"), UTF-8 into buf.  It costs a walk of the thread's whole
 * frame chain and a dict lookup, a few dozen reads of the target: call it
 * when a thread is first seen and now and then after (names can change),
 * never per sample.  Returns 0; -ESRCH when tid has no thread state;
 * -ENOENT when Python has no name for it; another -errno when the read
 * failed (the thread moved on): try again later.
 */
int pyproc_thread_name(struct pyproc *py, uint32_t tid, char *buf, size_t len);

/*
 * Does this command line run CPython?  Its program is named python*, or is
 * `env python*`, or is a script whose #! line names python.  A guess made
 * before exec, to sample with the low latency Python frames need.
 */
bool pyproc_command_is_python(char *const *argv);

/* The version found, e.g. 3 and 11. */
void pyproc_version(const struct pyproc *py, unsigned *major, unsigned *minor);

#endif
