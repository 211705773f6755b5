/* sandwich.h — a function's callers and callees trees, derived from the call tree (data only, no drawing). */
#ifndef PROFTUI_SANDWICH_H
#define PROFTUI_SANDWICH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proftui/keyset.h"
#include "proftui/profile.h"

/*
 * A "sandwich" of one function F.  Both sections are small trees derived
 * from the call tree, keyed by function paths: CALLERS merges the chains
 * above every outermost occurrence of F (bottom-up), CALLEES merges the
 * subtrees below them (top-down).  A derived node stands for a set of
 * call-tree nodes (its refs); its children come from grouping the refs'
 * parents (callers) or children (callees) by function.  Children are only
 * derived for open nodes, because a callers tree can be quadratic in the
 * call tree's depth.  Which nodes are open lives in a set of path hashes, so
 * it survives rebuilds and refocusing, like tmux's mode-tree tags.
 *
 * The call-tree view (view_tree.c) owns one struct sandwich and draws it;
 * cursor, scrolling and history stay in the view.  Counts are samples of
 * the profile the last sandwich_build read; the profile must not change
 * between a build and the sandwich_open / sandwich_expand calls that use
 * it (the view rebuilds whenever it does).  Nothing recurses on depth.
 *
 * Caps: 2^21 derived nodes and 2^24 refs per section (a build that reaches
 * them stops deriving and sets `truncated`), 2^20 remembered open keys (past
 * that the set is forgotten and starts again: old expansions close).
 */

enum { SANDWICH_CALLERS, SANDWICH_CALLEES, SANDWICH__NSEC };

#define SANDWICH_NONE	UINT32_MAX

/* One derived node.  Read-only outside sandwich.c. */
struct sandwich_node {
	uint64_t key;		/* hash of the function path from the section root */
	uint64_t total, self;
	uint32_t func, parent, depth;	/* parent: SANDWICH_NONE for the root */
	uint32_t child, nchild;	/* children are contiguous, hottest first */
	uint32_t ref, nref;
	bool kids;		/* has children, derived or not */
	bool built;		/* children derived */
	bool open;
};

/* Internal: the call-tree nodes behind a derived node, and scratch. */
struct sandwich_ref;
struct sandwich_cand;
struct sandwich_group;

/* One section.  d[0] is its root when nd > 0; a node's children always
 * come after it in d.  rows lists the visible nodes (the root, then the
 * children of every open node, depth first) as indexes into d, as of the
 * last sandwich_flatten. */
struct sandwich_sec {
	struct sandwich_node *d;
	size_t nd, capd;
	struct sandwich_ref *ref;
	size_t nref, capref;
	uint32_t *rows;		/* visible derived nodes, in display order */
	size_t nrows, caprows;
};

/* Embed one (zeroed by sandwich_init); fields are read-only outside sandwich.c. */
struct sandwich {
	struct sandwich_sec sec[SANDWICH__NSEC];
	struct keyset open;	/* open nodes' keys, and foci already visited */
	uint32_t focus;		/* F, or SANDWICH_NONE */
	bool pending_auto;	/* the next build opens F's hot path */
	bool truncated;		/* a cap was hit since the last build began */
	struct sandwich_cand *cand;
	size_t capcand;
	struct sandwich_group *grp;
	size_t capgrp;
	uint32_t *queue;	/* occurrences, expand-all's work list */
	size_t capqueue;
};

/* An empty sandwich without a focus. */
void sandwich_init(struct sandwich *s);
/* Free what it holds; s may then be initialised again. */
void sandwich_release(struct sandwich *s);

/* The key of a section's root for focus f: every focus keeps its own
 * open nodes, and a cursor may be placed on a root before it is built. */
uint64_t sandwich_root_key(int sec, uint32_t f);

/* Make f (SANDWICH_NONE: nothing) the focus; the next build opens f's hot
 * path unless f was visited before.  Does not build. */
void sandwich_set_focus(struct sandwich *s, uint32_t f);

/*
 * Derive both sections for the focus anew from p (NULL: nothing), reopen
 * the nodes whose keys are in the open set, and on a focus's first visit
 * open the roots and then the hottest child while it holds more than half
 * of its parent.  Both sections are empty when the focus is none, not a
 * function of p, or in no sample.  Rows are stale until sandwich_flatten.
 * Returns 0 (also when a cap cut the trees short: `truncated` says so),
 * -ENOMEM, or -EINVAL when a node's parent does not precede it.
 */
int sandwich_build(struct sandwich *s, const struct profile *p);

/* Derive node i's children (once) and mark it open; 0 when it has none.
 * -ENOMEM or -ENOSPC (a cap) leave it closed. */
int sandwich_open(struct sandwich *s, const struct profile *p, int sec, uint32_t i);
void sandwich_close(struct sandwich *s, int sec, uint32_t i);

/* Open everything under node i, breadth first, until about max_rows new
 * rows are revealed.  -ENOMEM when it could not start (nothing changed);
 * else 0, having stopped quietly at any later failure. */
int sandwich_expand(struct sandwich *s, const struct profile *p, int sec, uint32_t i,
		    size_t max_rows);
/* Close every node but the roots of both sections. */
void sandwich_collapse(struct sandwich *s);

/* Recompute both sections' rows.  0 or -ENOMEM. */
int sandwich_flatten(struct sandwich *s);

/* The visible rows of both sections as one list: callers, then callees. */
size_t sandwich_nrows(const struct sandwich *s);
/* The node behind row r and (sec may be NULL) its section; NULL past the end. */
const struct sandwich_node *sandwich_row(const struct sandwich *s, size_t r, int *sec);

#endif
