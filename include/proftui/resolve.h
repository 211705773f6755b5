/* resolve.h — the consumer side of symbols: frames from the ring to interned profile functions. */
#ifndef PROFTUI_RESOLVE_H
#define PROFTUI_RESOLVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proftui/profile.h"
#include "proftui/record.h"

/*
 * Learns modules from REC_MODULE records and turns each frame (module id +
 * file offset) into a profile function: the symbol name when the module's
 * symbols or the JIT's perf map know the address, else "module+0xOFFSET" so
 * unknown code is never given a wrong name.  Results are cached per
 * (module, address): a warm frame costs one hash lookup.
 */
struct resolver;

struct resolver *resolver_new(struct profile *p, uid_t target_uid);
void resolver_free(struct resolver *r);

/* Resolve into another profile from now on (after a reset): the modules
 * and loaded symbol tables are kept, the frame cache is emptied. */
void resolver_set_profile(struct resolver *r, struct profile *p);

/* Register a module from its record (len = record size).  Returns 0 or
 * -EINVAL for a malformed record. */
int resolver_add_module(struct resolver *r, const struct rec_module *m, size_t len);

/*
 * Learn a Python code object (REC_PYCODE): its FRAME_PYTHON frames then
 * resolve to "qualname (file.py:LINE)" (LINE: the def's line, so a function
 * is one row) in the module "file.py", shortened to what people recognise
 * ("json/encoder.py" for the standard library and site-packages).  Kept
 * across resolver_set_profile.  At most 4M code objects; later ones show as
 * "[python]".  Returns 0, -EINVAL for a malformed record, -ENOMEM.
 */
int resolver_add_pycode(struct resolver *r, const struct rec_pycode *c, size_t len);

/* Resolve n frames into profile function ids (same order).  Returns n. */
size_t resolver_frames(struct resolver *r, const struct frame *f, size_t n, uint32_t *funcs);

#endif
