/* offcpu.h — time off the CPU in a profile: the state leaves and each function's split by state. */
#ifndef PROFTUI_OFFCPU_H
#define PROFTUI_OFFCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "proftui/profile.h"
#include "proftui/record.h"

/*
 * With --off-cpu a sample taken when a thread left the CPU weighs the time
 * until it ran again and gets one more frame at its leaf naming the state
 * (feed.c): "[runnable]", "[IO wait]" or "[sleeping]", in the module
 * "[off-cpu]".  Everything else (tables, tree, flame graph, exports) sees
 * ordinary functions; this module turns those leaves back into per-function
 * columns.
 */
#define OFFCPU_MODULE "[off-cpu]"

/* The leaf's name for a state other than CPU_ON ("" for CPU_ON). */
const char *offcpu_leaf_name(enum cpu_state cs);

/* The state a function stands for: CPU_ON for every ordinary function. */
enum cpu_state offcpu_state_of(const struct profile *p, uint32_t func);

/* One function's weight in each state (in sampling periods). */
struct offcpu_split {
	uint64_t v[CPU__COUNT];
};

/*
 * For every function of p, the weight of the samples it is on the stack of,
 * by state (counted once per sample under recursion): *out is an array of
 * profile_nfuncs(p) entries for the caller to free, NULL when p holds no
 * off-CPU weight (*any false).  v[CPU_ON] is the rest of the function's
 * total as given by rows (profile_hot's, which the caller has already), so
 * the four add up to it.  Returns 0 or -ENOMEM.  O(functions) without
 * off-CPU time, else O(functions + the depth of every off-CPU path).
 */
int offcpu_split(const struct profile *p, const struct prof_row *rows, size_t nrows,
		 struct offcpu_split **out, bool *any);

#endif
