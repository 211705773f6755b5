/* profile.h — the aggregated profile: interned functions, the call tree, self/total, threads, counters. */
#ifndef PROFTUI_PROFILE_H
#define PROFTUI_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "proftui/record.h"

/*
 * One profile, fed by any producer (the live sampler today, snapshots later)
 * through profile_add_sample, read by every view and writer.  Functions are
 * interned by (name, module) so the same function seen at different addresses
 * is one row.  The call tree is rooted at node 0 (no function); each node is
 * one call path from the thread's outermost frame.  Nothing here recurses on
 * stack depth: 10,000-frame stacks are fine.
 *
 * Caps: at most 2^31 functions and 2^31 call-tree nodes (a sample that would
 * need more is refused with -ENOMEM and counted in stats.refused), 2^22
 * threads (Linux's PID_MAX_LIMIT).  Names and modules longer than 16 KiB are
 * cut there and intern by their first 16 KiB; thread names by their first
 * 256 bytes.  A failed profile_add_sample leaves the profile unchanged.
 *
 * Not thread-safe: owned by the consumer thread.
 */
struct profile;

struct prof_stats {
	uint64_t samples;             /* samples added (weight summed) */
	uint64_t lost_kernel;         /* PERF_RECORD_LOST */
	uint64_t throttled;           /* throttle events */
	uint64_t dropped_ring;        /* ring full: sampler dropped */
	uint64_t unwind_failed;       /* sampler could not make a stack at all */
	uint64_t foreign;             /* samples in children running another program */
	uint64_t refused;             /* weight profile_add_sample refused (memory, caps, bad ids) */
	uint64_t by_status[UWS__COUNT]; /* how each added sample's unwind ended */
	uint64_t py_by_status[PYS__COUNT]; /* how reading its Python frames went */
	uint64_t by_cpu_state[CPU__COUNT]; /* weight on and off the CPU (--off-cpu) */
	uint64_t first_ns, last_ns;   /* time of the first and last sample */
};

struct profile *profile_new(void);
void profile_free(struct profile *p);

/* Intern a function; returns its id (stable for the profile's life, dense
 * from 0), or UINT32_MAX when out of memory.  NULL name or module is "". */
uint32_t profile_func(struct profile *p, const char *name, const char *module);
/* NULL when func is not an id of this profile. */
const char *profile_func_name(const struct profile *p, uint32_t func);
const char *profile_func_module(const struct profile *p, uint32_t func);
size_t profile_nfuncs(const struct profile *p);

/*
 * A function's address in its module, so that a saved profile names code a
 * symbol table elsewhere can find again: for a symbol, its address in the
 * module's symbol table (for ELF, st_value: what nm, addr2line and perf
 * show); for code no symbol covers, the number its "module+0x..." name
 * shows; for a kernel symbol, its kallsyms address, and for a JIT symbol,
 * its start in the perf map (both absolute).  Unknown (PROFILE_NO_ADDR)
 * until set, and for frames that have none (Python, [truncated]).
 *
 * The first address set is kept: a function is keyed by (name, module), so
 * two static functions of one name in one module, or JIT code replaced at a
 * new address, are already one row, and a row whose address changed with
 * sampling order would make the same profile save differently.  Setting
 * PROFILE_NO_ADDR, or an id the profile lacks, does nothing.  O(1).
 */
#define PROFILE_NO_ADDR UINT64_MAX
void profile_func_set_addr(struct profile *p, uint32_t func, uint64_t addr);
/* PROFILE_NO_ADDR when unknown or when func is not an id of this profile. */
uint64_t profile_func_addr(const struct profile *p, uint32_t func);

/*
 * Add one sample: funcs[0] is the leaf (where the CPU was), funcs[n-1] the
 * outermost caller.  Self goes to funcs[0]; total to each distinct function
 * once per sample (recursion does not count twice).  n == 0 is allowed (an
 * unknown stack) and counts only in the sample total and its thread's
 * samples.  Every node on the path, the root included, gets total += weight,
 * so the root's total is the samples with a known stack.  Updates
 * stats.samples, first_ns and last_ns (the earliest and latest time_ns), but
 * never by_status or the loss counters: the feeder knows the sample's unwind
 * status and adds it through profile_stats().  Returns 0, -ENOMEM (also at
 * the node cap), or -EINVAL for a func id not from profile_func.
 */
int profile_add_sample(struct profile *p, uint32_t tid, const uint32_t *funcs,
		       size_t n, uint64_t weight, uint64_t time_ns);

/*
 * The leaf node of the most recent successful profile_add_sample (or
 * profile_add_path) on p: 0, the root, when that sample had no frames;
 * PROF_NONE before any sample and after a failed add.  The feeder logs it
 * (see samplelog.h) so that a derived profile can replay the sample with
 * profile_add_path.  O(1).
 */
uint32_t profile_last_leaf(const struct profile *p);

/* Counters, writable by the feeder for what is not a sample (lost, drops). */
struct prof_stats *profile_stats(struct profile *p);
const struct prof_stats *profile_stats_const(const struct profile *p);

/* Hot-function table. */
enum prof_sort { PROF_SORT_SELF, PROF_SORT_TOTAL, PROF_SORT_NAME, PROF_SORT_MODULE };
struct prof_row {
	uint32_t func;
	uint64_t self, total;
};
/* Fill *rows (malloc'd, caller frees; NULL when 0 rows) with one row per
 * function seen in a sample, sorted; ties broken by the other count then by
 * name so the order is deterministic.  Exactly: SELF is self desc, total
 * desc, name, module; TOTAL is total desc, self desc, name, module; NAME is
 * name, self desc, module; MODULE is module, self desc, name.  Strings
 * compare bytewise ascending.  Returns the row count, or -ENOMEM. */
long profile_hot(const struct profile *p, enum prof_sort sort, struct prof_row **rows);

/* Call tree.  Node 0 is the root; PROF_NONE ends sibling lists.  A node's id
 * is always greater than its parent's (nodes are only ever appended), so a
 * scan in id order meets parents before children. */
#define PROF_NONE UINT32_MAX
struct prof_node {
	uint32_t func;          /* PROF_NONE for the root */
	uint32_t parent;        /* PROF_NONE for the root */
	uint32_t first_child;
	uint32_t next_sibling;
	uint64_t self;          /* samples whose leaf is this path */
	uint64_t total;         /* samples passing through this path */
};
const struct prof_node *profile_node(const struct profile *p, uint32_t id);
size_t profile_nnodes(const struct profile *p);

/*
 * The call-tree nodes of one function, in id order: the first, then each
 * next one (PROF_NONE at the end, and for an unknown function or node).
 * Kept as nodes are made, so finding where a function is costs what it
 * finds, not the size of the tree.  O(1) each.
 */
uint32_t profile_func_first_node(const struct profile *p, uint32_t func);
uint32_t profile_node_next_same(const struct profile *p, uint32_t node);

/*
 * Visit every node with self > 0, depth first, iteratively.  `path` holds the
 * function ids from the outermost caller (path[0]) to the node (path[depth-1]).
 * Children come in the order they were first seen.  Stops early and returns
 * the callback's value if it returns non-zero; -ENOMEM if the path cannot be
 * allocated.  The callback must not add samples.
 */
typedef int (*prof_visit_fn)(void *ctx, const uint32_t *path, size_t depth, uint64_t self);
int profile_walk(const struct profile *p, prof_visit_fn fn, void *ctx);

/*
 * A deep copy with the same function ids, addresses and counts (the call tree
 * is rebuilt from its paths, so node ids may differ): the live UI shows a
 * frozen copy while paused and sampling goes on into the original.  Returns
 * NULL when out of memory.
 */
struct profile *profile_clone(const struct profile *p);

/*
 * Derived profiles: the live UI's window, decay and thread-filter views are
 * profiles built beside the live one from a log of its samples' leaf nodes.
 * They share the live profile's function ids, so a path read from the live
 * tree can be added to them without re-interning anything.
 */

/*
 * An empty profile with src's functions interned in the same order (so with
 * the same ids) with their addresses, and src's thread names copied (those
 * threads then show with 0 samples until some are added).  O(functions +
 * threads).  NULL when out of memory.
 */
struct profile *profile_derive_new(const struct profile *src);

/*
 * Keep a derived profile in step with its source: intern src's functions
 * that p lacks (ids nfuncs(p)..nfuncs(src)-1, so p's ids stay src's) with
 * their addresses, and copy src's thread names where they differ (named
 * threads p has not seen are added with 0 samples).  An address src learnt
 * for one of p's older functions is copied too (a scan of p's functions,
 * only when the counts of known addresses differ).  O(new functions +
 * threads x log threads).  Returns 0; -ENOMEM (functions interned so far
 * stay, still a prefix of src's); -EINVAL when p's functions are not a
 * prefix of src's (p was not derived from src).
 */
int profile_sync_funcs(struct profile *p, const struct profile *src);

/*
 * Add one sample to p whose stack is the path from src's root to src's node
 * `leaf` (0: a sample without frames), exactly as profile_add_sample would
 * with that path's functions, leaf first.  Precondition: p's function ids are
 * src's (p from profile_derive_new(src), kept up by profile_sync_funcs); a
 * function id p does not have yet is refused with -EINVAL.  src may be p.
 * Iterative, O(path depth); the path is read into a scratch buffer kept in p
 * (grown by doubling, freed with p), so adding costs no allocation once the
 * deepest path was seen, besides the tree's own growth.  Returns 0, -EINVAL
 * (leaf not a node of src, bad function id) or -ENOMEM; a refused sample is
 * counted in stats.refused and changes nothing else.
 */
int profile_add_path(struct profile *p, const struct profile *src, uint32_t leaf,
		     uint32_t tid, uint64_t weight, uint64_t time_ns);

/*
 * Multiply every count by factor, 0 < factor < 1 (other values, NaN
 * included, change nothing), rounding to nearest (ties to even, so a count
 * of 1 halved goes to 0 and repeated halving always ends at 0).  For the
 * decaying view.
 *   - node self values are scaled; node totals are recomputed from them,
 *     children before parents, so a node's total is still its self plus its
 *     children's totals;
 *   - a function's self is the sum of its nodes' scaled selfs; its total is
 *     its old total scaled, raised to its self if rounding left it below
 *     (approximate under recursion: the exact figure would need the paths);
 *     a function whose total reaches 0 leaves profile_hot's table until it
 *     is in a sample again;
 *   - stats.samples becomes the root's new total plus the scaled count of
 *     samples without a stack; each thread's samples are scaled (so their
 *     sum may differ from stats.samples by rounding);
 *   - other stats, node ids and the tree's shape do not change: nodes whose
 *     counts reach 0 stay, with total 0.
 * O(nodes + functions + threads), no allocation.
 */
void profile_scale(struct profile *p, double factor);

/* Threads: samples per thread id and the latest name seen (copied; a rename
 * replaces it, NULL or "" clears it).  Silently a no-op when out of memory. */
void profile_thread_name(struct profile *p, uint32_t tid, const char *name);
struct prof_thread {
	uint32_t tid;
	uint64_t samples;
	const char *name;       /* "" when unknown */
};
/* Threads seen in samples or named, by tid.  Valid until the next add. */
const struct prof_thread *profile_threads(const struct profile *p, size_t *n);

#endif
