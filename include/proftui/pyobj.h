/* pyobj.h — read a Python object's instance attributes, and so a thread's Python name, out of (a copy of) the interpreter's memory. */
#ifndef PROFTUI_PYOBJ_H
#define PROFTUI_PYOBJ_H

#include <stddef.h>
#include <stdint.h>

#include "proftui/pyframes.h"

/*
 * Through pyframes.h's reader, so the same code reads a live process and
 * the unit tests' memory images, with the same distrust: every pointer is
 * checked before use, a dict of more than PYO_MAX_ENTRIES entries is not
 * searched, strings are capped (pyf_str), nothing is allocated, and a
 * corrupt or changing object ends the lookup with an error.
 *
 * Where an instance keeps its attributes changed with every version:
 *   3.8-3.10  a dict at obj + tp_dictoffset, whose table is combined (keys
 *             and values in its entries) or split (keys shared by the
 *             class, values in an array of the dict's own);
 *   3.11      a managed dict: a values array at obj[-4] with the keys the
 *             class caches (ht_cached_keys), or a dict at obj[-3];
 *   3.12      one word at obj[-3]: the values' address less 1 (odd), or a dict;
 *   3.13      the values inline at obj + tp_basicsize while valid, else the
 *             dict at obj[-3].
 * Keys tables hold str-only entries (key, value) from 3.11 unless general
 * (hash, key, value).  pylayout.h has every offset, from the headers.
 */
#define PYO_MAX_ENTRIES 4096

/*
 * The value of obj's instance attribute `name` (ASCII; its own __dict__,
 * not its class's) into *value.  Returns 0; -ENOENT when obj has no such
 * attribute or no dict; -ENOTSUP when the layout lacks the fields; -E2BIG
 * for a dict over the cap; -EINVAL for an implausible object; -errno for
 * a failed read.
 */
int pyo_attr(const struct pyf_reader *r, uint64_t obj, const char *name, uint64_t *value);

/*
 * What Python calls the thread of thread state `tstate` (runtime: the
 * _PyRuntime it belongs to), as UTF-8 into buf: the name of the
 * threading.Thread whose run() it is in (its outermost frame is
 * Thread._bootstrap(self): self._name), else "MainThread" for the main
 * thread (threading's own name for it; a rename of the main thread is not
 * seen).  Returns 0, -ENOENT when Python has no name for it (a thread not
 * started by threading), or another -errno as pyo_attr.
 */
#define PYO_MAIN_THREAD "MainThread"
int pyo_thread_name(const struct pyf_reader *r, uint64_t runtime, uint64_t tstate, char *buf,
		    size_t len);

#endif
