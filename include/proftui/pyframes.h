/* pyframes.h — read a CPython thread's frame chain out of (a copy of) the interpreter's memory. */
#ifndef PROFTUI_PYFRAMES_H
#define PROFTUI_PYFRAMES_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proftui/pylayout.h"

/*
 * Everything here reads through a callback, so the same code walks a live
 * process (process_vm_readv, pyproc.c) and a recorded memory image in the
 * unit tests.  Nothing read is trusted: every pointer is checked before use,
 * strings and chains are capped, and a chain that loops ends with
 * PYF_CYCLE instead of spinning.  No allocation.
 */

/* Copy len bytes at addr into buf: 0, or -errno when any byte is unreadable. */
typedef int (*pyf_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

struct pyf_reader {
	const struct py_layout *l;
	pyf_read_fn read;
	void *ctx;
	uint64_t code_type;     /* &PyCode_Type in the target, 0 when unknown:
				 * frames whose code is not a code object are skipped */
	uint64_t str_type;      /* &PyUnicode_Type, 0 when unknown: an attribute
				 * read as a str must be one (pyobj.h) */
};

/* One Python frame, innermost first in pyf_walk's output. */
struct pyf_frame {
	uint64_t code;          /* the PyCodeObject */
	uint64_t frame;         /* the frame's own address */
	bool entry;             /* the outermost frame of one call of the
				 * evaluation loop (_PyEval_EvalFrameDefault):
				 * every frame before 3.11; the frame below an
				 * entry (3.11) or shim (3.12+) frame after */
};

/* How a walk ended.  The order is the summary's. */
enum pyf_status {
	PYF_OK = 0,             /* the whole chain */
	PYF_READ,               /* a read failed (the thread moved on, memory unmapped) */
	PYF_CYCLE,              /* the chain loops: corrupt or torn */
	PYF_DEPTH,              /* more frames than asked for: the innermost ones kept */
	PYF_BAD,                /* an implausible value (not a code object, null code) */
	PYF__COUNT
};

/* Field helpers shared by the readers of Python structs (pyframes.c,
 * pyobj.c).  Does the layout have this field? */
static inline bool pyf_has(uint16_t off)
{
	return off != PYL_NONE;
}

/* A pointer-sized field of a struct already read into buf. */
static inline uint64_t pyf_get64(const uint8_t *buf, uint16_t off)
{
	uint64_t v;

	memcpy(&v, buf + off, sizeof(v));
	return v;
}

/* Read the pointer-sized field at addr + off: 0, -ENOTSUP when the layout
 * lacks the field, or the read's -errno. */
static inline int pyf_read_ptr(const struct pyf_reader *r, uint64_t addr, uint16_t off,
			       uint64_t *v)
{
	if (!pyf_has(off))
		return -ENOTSUP;
	return r->read(r->ctx, addr + off, v, sizeof(*v));
}

/* How far a struct must be read to hold the field (off, size) as well as
 * the first `end` bytes. */
static inline size_t pyf_field_end(size_t end, uint16_t off, size_t size)
{
	if (pyf_has(off) && (size_t)off + size > end)
		return (size_t)off + size;
	return end;
}

/*
 * The innermost frame of a thread state: *frame = 0 when it runs no Python
 * code.  Returns 0 or -errno.
 */
int pyf_top_frame(const struct pyf_reader *r, uint64_t tstate, uint64_t *frame);

/*
 * Walk from `frame` (pyf_top_frame's) towards the outermost caller, filling
 * at most max frames.  *n is how many were filled, whatever the status.
 */
enum pyf_status pyf_walk(const struct pyf_reader *r, uint64_t frame, struct pyf_frame *out,
			 size_t max, size_t *n);

/*
 * The outermost Python frame of the chain from `frame`, passing over shim
 * frames and frames whose code is not a code object, as pyf_walk does:
 * *outer and its code *code, both 0 when the chain has none.  At most
 * PYF_MAX_OUTER frames are followed (PYF_DEPTH past them).  For naming a
 * thread, not for every sample: the whole chain is read.
 */
#define PYF_MAX_OUTER 65536
enum pyf_status pyf_outermost(const struct pyf_reader *r, uint64_t frame, uint64_t *outer,
			      uint64_t *code);

/* One thread state of the runtime's interpreters. */
struct pyf_thread {
	uint64_t tstate;
	uint64_t pthread_id;    /* pthread_t, the address of glibc's struct pthread */
	uint32_t native_tid;    /* the kernel's thread id, 0 when the version lacks it */
};

#define PYF_MAX_INTERPS 256
#define PYF_MAX_THREADS 65536

/*
 * Visit every thread state of every interpreter of the runtime at address
 * `runtime`; a non-zero return from fn stops the visit and is returned.
 * Returns 0, -errno for a failed read, -ELOOP when the lists exceed the caps
 * (a loop).
 */
typedef int (*pyf_thread_fn)(void *ctx, const struct pyf_thread *t);
int pyf_threads(const struct pyf_reader *r, uint64_t runtime, pyf_thread_fn fn, void *ctx);

/* What proftui shows of a code object. */
#define PYF_NAME_MAX 256
#define PYF_FILE_MAX 1024
struct pyf_code {
	char name[PYF_NAME_MAX];      /* co_qualname (3.11+) or co_name, UTF-8 */
	char file[PYF_FILE_MAX];      /* co_filename, UTF-8 */
	int32_t firstlineno;
};

/* Read a code object's names; 0 or -errno (-EINVAL for a non-str name). */
int pyf_code(const struct pyf_reader *r, uint64_t code, struct pyf_code *out);

/*
 * A str object as UTF-8 into buf (NUL-terminated, cut at a character
 * boundary to fit).  Compact strings only (every identifier and file name
 * CPython makes); -EINVAL for anything else, -errno for a failed read.
 */
int pyf_str(const struct pyf_reader *r, uint64_t str, char *buf, size_t len);

#endif
