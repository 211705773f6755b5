/* unwind.h — DWARF unwinding of copied user stacks (libunwind's remote API over our own accessors). */
#ifndef PROFTUI_UNWIND_H
#define PROFTUI_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proftui/modcache.h"
#include "proftui/record.h"

/*
 * The kernel gives each sample the user registers and a copy of the top of
 * the user stack.  libunwind walks the call-frame information (.eh_frame,
 * through .eh_frame_hdr) with memory reads served from that copy for stack
 * addresses and from the module's file image for everything else; it never
 * reads the live target.  For code .eh_frame_hdr does not cover, CFI kept
 * only in .debug_frame (the file's, or its build-id debug file's) is used,
 * rebuilt by modcache_debug_frame and served from proftui's memory.  Where
 * a module has no CFI, libunwind's own frame-pointer chain takes over.  Each step must move the stack pointer up,
 * so a corrupt stack ends the walk instead of looping.
 *
 * Owned by the sampler thread.  The address space keeps libunwind's global
 * cache, so a warm unwind of a seen address costs no table search.
 */
struct uw;

/* Registers as perf's PERF_REG_X86_* indices (AX=0 ... R15=23). */
#define UW_NREGS 24

struct uw *uw_new(struct modcache *mc);
void uw_free(struct uw *u);

/* Forget cached unwind info (after an exec or when mappings changed). */
void uw_flush(struct uw *u);

/* Unwind by cached per-address rules where every frame allows it (the
 * default), or always through libunwind (for tests and benchmarks: both
 * must give the same stacks). */
void uw_set_fast(struct uw *u, bool on);

/* How many unwinds took each path. */
void uw_stats(const struct uw *u, uint64_t *fast, uint64_t *slow);

/*
 * Unwind one sample.  `regs` holds UW_NREGS values (only those perf sent are
 * meaningful), `stack` the copy starting at regs[SP].  Writes up to `max`
 * instruction addresses into ips, leaf first; every frame after the first is
 * a return address minus one, so it lands inside the calling instruction.
 * Returns the frame count and sets *status to why the walk ended.
 */
size_t uw_unwind(struct uw *u, const uint64_t *regs, const uint8_t *stack, size_t stack_len,
		 uint64_t *ips, size_t max, enum unwind_status *status);

#endif
