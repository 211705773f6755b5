/* offcpu.c — time off the CPU in a profile: the state leaves and each function's split by state. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/offcpu.h"

static const char *const leaf_names[CPU__COUNT] = {
	[CPU_ON] = "", [CPU_RUNNABLE] = "[runnable]", [CPU_IOWAIT] = "[IO wait]",
	[CPU_SLEEP] = "[sleeping]",
};

const char *offcpu_leaf_name(enum cpu_state cs)
{
	return cs < CPU__COUNT ? leaf_names[cs] : "";
}

enum cpu_state offcpu_state_of(const struct profile *p, uint32_t func)
{
	const char *name = profile_func_name(p, func), *mod = profile_func_module(p, func);

	if (!name || !mod || strcmp(mod, OFFCPU_MODULE))
		return CPU_ON;
	for (int s = CPU_RUNNABLE; s < CPU__COUNT; s++)
		if (!strcmp(name, leaf_names[s]))
			return (enum cpu_state)s;
	return CPU_ON;
}

/* Add a state leaf's weight to every distinct function on its path. */
static void climb(const struct profile *p, uint32_t node, enum cpu_state cs, uint64_t w,
		  struct offcpu_split *split, uint32_t *stamp)
{
	uint32_t mark = node + 1;

	for (const struct prof_node *n = profile_node(p, node); n && n->func != PROF_NONE;
	     n = profile_node(p, n->parent)) {
		if (stamp[n->func] == mark)
			continue;   /* recursion: once per sample */
		stamp[n->func] = mark;
		split[n->func].v[cs] += w;
	}
}

/* Ordinary functions: what is not off the CPU is on it. */
static void fill_on(const struct prof_row *rows, size_t n, struct offcpu_split *split, size_t nf)
{
	for (size_t i = 0; i < n; i++) {
		struct offcpu_split *sp = &split[rows[i].func];
		uint64_t off = sp->v[CPU_RUNNABLE] + sp->v[CPU_IOWAIT] + sp->v[CPU_SLEEP];

		if (rows[i].func < nf)
			sp->v[CPU_ON] = rows[i].total > off ? rows[i].total - off : 0;
	}
}

int offcpu_split(const struct profile *p, const struct prof_row *rows, size_t nrows,
		 struct offcpu_split **out, bool *any)
{
	size_t nf = profile_nfuncs(p), nn = profile_nnodes(p);
	struct offcpu_split *split = NULL;
	uint32_t *stamp = NULL;
	uint8_t *state = calloc(nf ? nf : 1, 1);
	bool leaves = false;

	*any = false;
	*out = NULL;
	if (!state)
		return -ENOMEM;
	for (size_t f = 0; f < nf; f++) {
		state[f] = (uint8_t)offcpu_state_of(p, (uint32_t)f);
		leaves |= state[f] != CPU_ON;
	}
	/* No state leaf, no time off the CPU: the tree need not be walked
	 * (this runs at every redraw of the hot table). */
	if (!leaves) {
		free(state);
		return 0;
	}
	split = calloc(nf, sizeof(*split));
	stamp = calloc(nf, sizeof(*stamp));
	if (!split || !stamp) {
		free(split);
		free(stamp);
		free(state);
		return -ENOMEM;
	}
	for (size_t i = 1; i < nn; i++) {
		const struct prof_node *n = profile_node(p, (uint32_t)i);

		if (n->self && n->func < nf && state[n->func] != CPU_ON) {
			climb(p, (uint32_t)i, (enum cpu_state)state[n->func], n->self, split, stamp);
			*any = true;
		}
	}
	fill_on(rows, nrows, split, nf);
	free(stamp);
	free(state);
	*out = split;
	return 0;
}
