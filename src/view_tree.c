/* view_tree.c — the drill-down: who calls a function and what it calls, as expandable trees. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/view.h"

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
 */

enum { SEC_CALLERS, SEC_CALLEES, SEC__COUNT };

#define TV_HOT_LEVELS	12		/* how far the hottest path opens on focus */
#define TV_EXPAND_MAX	3000		/* rows one expand-all may reveal */
#define TV_MAX_DNODES	((size_t)1 << 21)
#define TV_MAX_REFS	((size_t)1 << 24)
#define TV_KEYS_MAX	((size_t)1 << 20)
#define TV_HIST_MAX	64
#define TV_INDENT_MAX	200		/* deeper rows show their depth instead */
#define TV_NONE		UINT32_MAX
#define TV_TOMB		((uint64_t)1)	/* keys are >= 2: 0 is empty, 1 deleted */

struct tv_ref {
	uint32_t node;		/* call-tree node */
	uint64_t w;		/* samples it brings to the derived node */
};

struct tv_dnode {
	uint64_t key;		/* hash of the function path from the section root */
	uint64_t total, self;
	uint32_t func, parent, depth;
	uint32_t child, nchild;	/* children are contiguous, hottest first */
	uint32_t ref, nref;
	bool kids;		/* has children, derived or not */
	bool built;		/* children derived */
	bool open;
};

struct tv_sec {
	struct tv_dnode *d;
	size_t nd, capd;
	struct tv_ref *ref;
	size_t nref, capref;
	uint32_t *rows;		/* visible derived nodes, in display order */
	size_t nrows, caprows;
};

struct tv_cand {
	uint32_t func, node;
	uint64_t w, self;
};

struct tv_group {
	const char *name;
	uint64_t total, self;
	uint32_t func, off, len;
	bool kids;
};

struct tv_keyset {
	uint64_t *slot;
	size_t mask, used, tomb;
};

struct tv_hist {
	uint32_t func;
	uint64_t cur_key;
};

struct tv {
	struct view view;
	struct tv_sec sec[SEC__COUNT];
	struct tv_keyset open;
	struct tv_cand *cand;
	size_t capcand;
	struct tv_group *grp;
	size_t capgrp;
	uint32_t *queue;	/* occurrences, expand-all's work list */
	size_t capqueue;
	uint8_t *mark;		/* per call-tree node: F is it or above it */
	size_t capmark;
	struct tv_hist hist[TV_HIST_MAX];
	size_t nhist;
	uint32_t focus, built_focus;
	bool have, pending_auto, truncated, ascii;
	int err;			/* why nothing can be shown, 0 if fine */
	unsigned epoch;
	uint64_t samples;	/* denominator: every sample of the profile */
	size_t cur;		/* cursor over the rows of both sections */
	uint64_t cur_key;
	long scroll;
	int page;
};

/* Grow arr (capacity *cap) to `need` items of `elem` bytes, at most max. */
static void *tv_grow(void *arr, size_t *cap, size_t need, size_t elem, size_t max)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	/* Never NULL on success, even for nothing. */
	if (need <= *cap && arr)
		return arr;
	need = need ? need : 1;
	if (need > max)
		return NULL;
	while (n < need)
		n = n > max / 2 ? max : n * 2;
	if (n > SIZE_MAX / elem)
		return NULL;
	q = realloc(arr, n * elem);
	if (q)
		*cap = n;
	return q;
}

static uint64_t tv_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t tv_hash(uint64_t parent, uint32_t func)
{
	uint64_t k = tv_mix(parent * UINT64_C(0x9e3779b97f4a7c15) + func + 1);

	return k < 2 ? k + 2 : k;
}

/* Section roots hash the focus, so every focus keeps its own open nodes. */
static uint64_t tv_root_key(int sec, uint32_t f)
{
	return tv_hash(UINT64_C(0x5ec7) + (uint64_t)sec, f);
}

/* Marks a focus whose hot path was already opened once. */
static uint64_t tv_seen_key(uint32_t f)
{
	return tv_hash(UINT64_C(0x5ee4), f);
}

static bool tv_ks_has(const struct tv_keyset *s, uint64_t k)
{
	if (!s->slot)
		return false;
	for (size_t i = (size_t)k & s->mask; s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == k)
			return true;
	return false;
}

static void tv_ks_put(struct tv_keyset *s, uint64_t k)
{
	size_t i = (size_t)k & s->mask;

	while (s->slot[i] > TV_TOMB)
		i = (i + 1) & s->mask;
	s->tomb -= s->slot[i] == TV_TOMB;
	s->slot[i] = k;
	s->used++;
}

/* Rehash to a table at most half full, dropping tombstones. */
static int tv_ks_rehash(struct tv_keyset *s, size_t need)
{
	size_t n = 16, old = s->slot ? s->mask + 1 : 0;
	uint64_t *slot, *prev = s->slot;

	while (n < need * 2)
		n *= 2;
	slot = calloc(n, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*s = (struct tv_keyset){ .slot = slot, .mask = n - 1 };
	for (size_t i = 0; i < old; i++)
		if (prev[i] > TV_TOMB)
			tv_ks_put(s, prev[i]);
	free(prev);
	return 0;
}

static int tv_ks_add(struct tv_keyset *s, uint64_t k)
{
	if (tv_ks_has(s, k))
		return 0;
	if (s->used >= TV_KEYS_MAX) {
		/* Forgetting old expansions beats growing without bound. */
		free(s->slot);
		*s = (struct tv_keyset){ 0 };
	}
	if (!s->slot || (s->used + s->tomb + 1) * 10 > (s->mask + 1) * 7)
		if (tv_ks_rehash(s, s->used + 1))
			return -ENOMEM;
	tv_ks_put(s, k);
	return 0;
}

static void tv_ks_del(struct tv_keyset *s, uint64_t k)
{
	if (!s->slot)
		return;
	for (size_t i = (size_t)k & s->mask; s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == k) {
			s->slot[i] = TV_TOMB;
			s->used--;
			s->tomb++;
			return;
		}
}

/* Can a derived node built on call-tree node n have children? */
static bool tv_node_kids(const struct profile *p, int sec, uint32_t n)
{
	const struct prof_node *x = profile_node(p, n);

	if (!x)
		return false;
	return sec == SEC_CALLERS ? x->parent != 0 && x->parent != PROF_NONE
				  : x->first_child != PROF_NONE;
}

static int tv_cand_push(struct tv *t, size_t *n, struct tv_cand c)
{
	struct tv_cand *a = tv_grow(t->cand, &t->capcand, *n + 1, sizeof(*a), TV_MAX_REFS);

	if (!a)
		return -ENOMEM;
	t->cand = a;
	a[(*n)++] = c;
	return 0;
}

/* The call-tree nodes one level further from F, with their function. */
static int tv_gather(struct tv *t, const struct profile *p, int sec, uint32_t di, size_t *nc)
{
	const struct tv_dnode *d = &t->sec[sec].d[di];

	*nc = 0;
	for (uint32_t r = d->ref; r < d->ref + d->nref; r++) {
		const struct tv_ref rf = t->sec[sec].ref[r];
		const struct prof_node *x = profile_node(p, rf.node), *y;
		int err = 0;

		if (!x)
			continue;
		if (sec == SEC_CALLERS) {
			if (x->parent != 0 && (y = profile_node(p, x->parent)))
				err = tv_cand_push(t, nc, (struct tv_cand){
					y->func, x->parent, rf.w, 0 });
		} else {
			for (uint32_t c = x->first_child; !err && (y = profile_node(p, c));
			     c = y->next_sibling)
				err = tv_cand_push(t, nc, (struct tv_cand){
					y->func, c, y->total, y->self });
		}
		if (err)
			return err;
	}
	return 0;
}

static int tv_cand_cmp(const void *a, const void *b)
{
	const struct tv_cand *x = a, *y = b;

	if (x->func != y->func)
		return x->func < y->func ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

/* Hottest first; ties by name then id so the order is deterministic. */
static int tv_group_cmp(const void *a, const void *b)
{
	const struct tv_group *x = a, *y = b;
	int c;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if ((c = strcmp(x->name, y->name)))
		return c;
	return (x->func > y->func) - (x->func < y->func);
}

/* Merge the sorted candidates into one group per function. */
static int tv_group(struct tv *t, const struct profile *p, int sec, size_t nc, size_t *ng)
{
	*ng = 0;
	for (size_t i = 0; i < nc; i++) {
		uint32_t f = t->cand[i].func;
		struct tv_group *g;

		if (!i || f != t->cand[i - 1].func) {
			const char *name = profile_func_name(p, f);

			g = tv_grow(t->grp, &t->capgrp, *ng + 1, sizeof(*g), TV_MAX_DNODES);
			if (!g)
				return -ENOMEM;
			t->grp = g;
			g[(*ng)++] = (struct tv_group){
				.name = name ? name : "", .func = f, .off = (uint32_t)i,
			};
		}
		g = &t->grp[*ng - 1];
		g->total += t->cand[i].w;
		g->self += t->cand[i].self;
		g->len++;
		g->kids = g->kids || tv_node_kids(p, sec, t->cand[i].node);
	}
	qsort(t->grp, *ng, sizeof(*t->grp), tv_group_cmp);
	return 0;
}

static int tv_reserve(struct tv *t, int sec, size_t nd, size_t nref)
{
	struct tv_sec *s = &t->sec[sec];
	struct tv_dnode *d;
	struct tv_ref *r;

	if (nd > TV_MAX_DNODES - s->nd || nref > TV_MAX_REFS - s->nref) {
		t->truncated = true;
		return -ENOSPC;
	}
	if (!(d = tv_grow(s->d, &s->capd, s->nd + nd, sizeof(*d), TV_MAX_DNODES)))
		return -ENOMEM;
	s->d = d;
	if (!(r = tv_grow(s->ref, &s->capref, s->nref + nref, sizeof(*r), TV_MAX_REFS)))
		return -ENOMEM;
	s->ref = r;
	return 0;
}

/* Derive the children of node di (once). */
static int tv_derive(struct tv *t, const struct profile *p, int sec, uint32_t di)
{
	struct tv_sec *s = &t->sec[sec];
	size_t nc, ng;
	int err;

	if (s->d[di].built)
		return 0;
	if ((err = tv_gather(t, p, sec, di, &nc)))
		return err;
	qsort(t->cand, nc, sizeof(*t->cand), tv_cand_cmp);
	if ((err = tv_group(t, p, sec, nc, &ng)) || (err = tv_reserve(t, sec, ng, nc)))
		return err;
	s->d[di].child = (uint32_t)s->nd;
	s->d[di].nchild = (uint32_t)ng;
	s->d[di].built = true;
	for (size_t i = 0; i < ng; i++) {
		const struct tv_group *g = &t->grp[i];

		s->d[s->nd++] = (struct tv_dnode){
			.key = tv_hash(s->d[di].key, g->func), .total = g->total, .self = g->self,
			.func = g->func, .parent = di, .depth = s->d[di].depth + 1,
			.ref = (uint32_t)s->nref, .nref = g->len, .kids = g->kids,
		};
		for (uint32_t k = g->off; k < g->off + g->len; k++)
			s->ref[s->nref++] = (struct tv_ref){ t->cand[k].node, t->cand[k].w };
	}
	return 0;
}

static int tv_open(struct tv *t, const struct profile *p, int sec, uint32_t di)
{
	struct tv_dnode *d;
	int err;

	if (!t->sec[sec].d[di].kids)
		return 0;
	if ((err = tv_derive(t, p, sec, di)))
		return err;
	d = &t->sec[sec].d[di];
	d->open = true;
	/* Without the key the node still opens; it just won't survive a refresh. */
	tv_ks_add(&t->open, d->key);
	return 0;
}

static void tv_close(struct tv *t, int sec, uint32_t di)
{
	t->sec[sec].d[di].open = false;
	tv_ks_del(&t->open, t->sec[sec].d[di].key);
}

static int tv_push(struct tv *t, size_t *n, uint32_t v)
{
	uint32_t *q = tv_grow(t->queue, &t->capqueue, *n + 1, sizeof(*q), TV_MAX_REFS);

	if (!q)
		return -ENOMEM;
	t->queue = q;
	q[(*n)++] = v;
	return 0;
}

/*
 * Outermost occurrences of F (nested recursion skipped), in one
 * cache-friendly pass in id order: profile.c numbers every node after its
 * parent, so a node's parent has always been seen.  mark: F is the node or
 * above it.
 */
static int tv_scan(struct tv *t, const struct profile *p, size_t *nq)
{
	size_t nn = profile_nnodes(p);
	uint8_t *in = tv_grow(t->mark, &t->capmark, nn, 1, SIZE_MAX);

	*nq = 0;
	if (!in)
		return -ENOMEM;
	t->mark = in;
	in[0] = 0;
	for (size_t i = 1; i < nn; i++) {
		const struct prof_node *x = profile_node(p, (uint32_t)i);
		bool here = x->func == t->focus;

		if (x->parent >= i)
			return -EINVAL;
		in[i] = in[x->parent] || here;
		if (here && !in[x->parent] && tv_push(t, nq, (uint32_t)i))
			return -ENOMEM;
	}
	return 0;
}

/* Both section roots stand for the outermost occurrences of F. */
static int tv_roots(struct tv *t, const struct profile *p)
{
	struct tv_dnode d = { .func = t->focus, .parent = TV_NONE };
	size_t nq;
	int err = tv_scan(t, p, &nq);

	for (size_t i = 0; !err && i < nq; i++) {
		const struct prof_node *x = profile_node(p, t->queue[i]);

		d.total += x->total;
		d.self += x->self;
	}
	for (int sec = 0; !err && nq && sec < SEC__COUNT; sec++) {
		struct tv_sec *s = &t->sec[sec];

		if ((err = tv_reserve(t, sec, 1, nq)))
			break;
		d.key = tv_root_key(sec, t->focus);
		d.nref = (uint32_t)nq;
		d.kids = false;
		for (size_t i = 0; i < nq; i++) {
			uint32_t n = t->queue[i];

			s->ref[s->nref++] = (struct tv_ref){ n, profile_node(p, n)->total };
			d.kids = d.kids || tv_node_kids(p, sec, n);
		}
		s->d[s->nd++] = d;
	}
	return err;
}

/* On a first visit: open the roots, then the hottest child while it holds
 * more than half of its parent, so a leaf shows its real callers at once. */
static void tv_auto_open(struct tv *t, const struct profile *p)
{
	for (int sec = 0; sec < SEC__COUNT; sec++) {
		struct tv_sec *s = &t->sec[sec];
		uint32_t d = 0;

		for (int lvl = 0; s->nd && lvl <= TV_HOT_LEVELS; lvl++) {
			if (tv_open(t, p, sec, d) || !s->d[d].nchild)
				break;
			if (s->d[s->d[d].child].total * 2 <= s->d[d].total)
				break;
			d = s->d[d].child;
		}
	}
	tv_ks_add(&t->open, tv_seen_key(t->focus));
	t->pending_auto = false;
}

static int tv_build(struct tv *t, const struct profile *p)
{
	for (int sec = 0; sec < SEC__COUNT; sec++)
		t->sec[sec].nd = t->sec[sec].nref = t->sec[sec].nrows = 0;
	t->truncated = false;
	if (!p || t->focus == TV_NONE || t->focus >= profile_nfuncs(p))
		return 0;
	int err = tv_roots(t, p);

	/* Children are appended, so this also reaches nodes opened below. */
	for (int sec = 0; !err && sec < SEC__COUNT; sec++)
		for (size_t i = 0; !err && i < t->sec[sec].nd; i++)
			if (tv_ks_has(&t->open, t->sec[sec].d[i].key))
				err = tv_open(t, p, sec, (uint32_t)i);
	if (!err && t->pending_auto && t->sec[0].nd)
		tv_auto_open(t, p);
	return err == -ENOSPC ? 0 : err;
}

static size_t tv_nrows(const struct tv *t)
{
	return t->sec[0].nrows + t->sec[1].nrows;
}

/* The derived node behind row r, and its section. */
static const struct tv_dnode *tv_row(const struct tv *t, size_t r, int *sec)
{
	int s = r >= t->sec[0].nrows;

	if (r >= tv_nrows(t))
		return NULL;
	if (sec)
		*sec = s;
	return &t->sec[s].d[t->sec[s].rows[s ? r - t->sec[0].nrows : r]];
}

static void tv_set_cursor(struct tv *t, size_t r)
{
	const struct tv_dnode *d = tv_row(t, r, NULL);

	t->cur = r;
	if (d)
		t->cur_key = d->key;
}

/* Flatten the open parts of both trees, then find the cursor's node again. */
static int tv_flatten(struct tv *t)
{
	for (int sec = 0; sec < SEC__COUNT; sec++) {
		struct tv_sec *s = &t->sec[sec];
		uint32_t *rows, n = 0;

		s->nrows = 0;
		if (!s->nd)
			continue;
		rows = tv_grow(s->rows, &s->caprows, s->nd, sizeof(*rows), TV_MAX_DNODES);
		if (!rows)
			return -ENOMEM;
		s->rows = rows;
		for (;;) {
			const struct tv_dnode *d = &s->d[n];

			rows[s->nrows++] = n;
			if (d->open && d->nchild) {
				n = d->child;
				continue;
			}
			while (n && n + 1 == s->d[d->parent].child + s->d[d->parent].nchild)
				d = &s->d[n = d->parent];
			if (!n)
				break;
			n++;
		}
	}
	for (size_t r = 0; r < tv_nrows(t); r++)
		if (tv_row(t, r, NULL)->key == t->cur_key) {
			t->cur = r;
			return 0;
		}
	tv_set_cursor(t, tv_nrows(t) && t->cur >= tv_nrows(t) ? tv_nrows(t) - 1 : t->cur);
	return 0;
}

static void tv_set_focus(struct tv *t, uint32_t f, uint64_t cur_key)
{
	t->focus = f;
	t->cur = 0;
	t->scroll = 0;
	t->cur_key = cur_key ? cur_key : tv_root_key(SEC_CALLERS, f);
	t->pending_auto = f != TV_NONE && !tv_ks_has(&t->open, tv_seen_key(f));
}

/* A new profile: function ids past its end mean nothing any more. */
static void tv_new_epoch(struct tv *t, const struct profile *p)
{
	size_t nf = p ? profile_nfuncs(p) : 0, k = 0;

	for (size_t i = 0; i < t->nhist; i++)
		if (t->hist[i].func < nf)
			t->hist[k++] = t->hist[i];
	t->nhist = k;
	if (t->focus != TV_NONE && t->focus >= nf)
		tv_set_focus(t, TV_NONE, 0);
}

/* Rebuild the derived trees when (epoch, samples, focus) changed. */
static void tv_refresh(struct tv *t, const struct ui_model *m)
{
	const struct profile *p = m ? m->p : NULL;
	uint64_t samples = p ? profile_stats_const(p)->samples : 0;
	unsigned epoch = m ? m->epoch : 0;

	if (t->have && epoch == t->epoch && samples == t->samples && t->focus == t->built_focus)
		return;
	if (t->have && epoch != t->epoch)
		tv_new_epoch(t, p);
	t->have = true;
	t->epoch = epoch;
	t->samples = samples;
	t->built_focus = t->focus;
	t->err = tv_build(t, p);
	if (!t->err)
		t->err = tv_flatten(t);
}

/* ---- keys ---------------------------------------------------------------- */

/* After opening or closing nodes. */
static unsigned tv_relayout(struct tv *t)
{
	int err = tv_flatten(t);

	if (err)
		t->err = err;
	return VR_HANDLED;
}

static unsigned tv_move(struct tv *t, long delta)
{
	long n = (long)tv_nrows(t), r = (long)t->cur + delta;

	if (n)
		tv_set_cursor(t, (size_t)(r < 0 ? 0 : r >= n ? n - 1 : r));
	return VR_HANDLED;
}

static unsigned tv_back(struct tv *t)
{
	if (!t->nhist)
		return VR_BACK;
	t->nhist--;
	tv_set_focus(t, t->hist[t->nhist].func, t->hist[t->nhist].cur_key);
	return VR_HANDLED;
}

static unsigned tv_refocus(struct tv *t)
{
	const struct tv_dnode *d = tv_row(t, t->cur, NULL);

	if (!d || d->func == t->focus)
		return VR_HANDLED;
	if (t->nhist == TV_HIST_MAX)
		memmove(t->hist, t->hist + 1, --t->nhist * sizeof(*t->hist));
	t->hist[t->nhist++] = (struct tv_hist){ t->focus, t->cur_key };
	tv_set_focus(t, d->func, 0);
	return VR_HANDLED;
}

static unsigned tv_right(struct tv *t, const struct profile *p)
{
	int sec = 0;
	const struct tv_dnode *d = tv_row(t, t->cur, &sec);
	uint32_t di;

	if (!d)
		return VR_HANDLED;
	di = (uint32_t)(d - t->sec[sec].d);
	if (d->open && d->nchild)
		return tv_move(t, 1);
	/* A node that cannot be derived (memory, caps) just stays closed. */
	if (d->kids)
		tv_open(t, p, sec, di);
	return tv_relayout(t);
}

static unsigned tv_left(struct tv *t)
{
	int sec = 0;
	const struct tv_dnode *d = tv_row(t, t->cur, &sec);

	if (!d)
		return tv_back(t);
	if (d->open && d->nchild) {
		tv_close(t, sec, (uint32_t)(d - t->sec[sec].d));
		return tv_relayout(t);
	}
	if (d->parent == TV_NONE)
		return tv_back(t);
	/* The parent is the nearest row above that is one level up. */
	for (size_t r = t->cur; r-- > 0;)
		if (tv_row(t, r, NULL)->depth + 1 == d->depth) {
			tv_set_cursor(t, r);
			break;
		}
	return VR_HANDLED;
}

/* Open everything under the cursor, breadth first, until enough rows show. */
static unsigned tv_expand_all(struct tv *t, const struct profile *p)
{
	int sec = 0;
	const struct tv_dnode *d = tv_row(t, t->cur, &sec);
	size_t head = 0, nq = 0, shown = 0;
	struct tv_sec *s = &t->sec[sec];

	if (!d || tv_push(t, &nq, (uint32_t)(d - s->d)))
		return VR_HANDLED;
	while (head < nq && shown < TV_EXPAND_MAX) {
		uint32_t x = t->queue[head++], *q;

		if (!s->d[x].open && s->d[x].kids) {
			if (tv_open(t, p, sec, x))
				break;
			shown += s->d[x].nchild;
		}
		if (!s->d[x].open)
			continue;
		q = tv_grow(t->queue, &t->capqueue, nq + s->d[x].nchild, sizeof(*q), TV_MAX_DNODES);
		if (!q)
			break;
		t->queue = q;
		for (uint32_t c = 0; c < s->d[x].nchild; c++)
			q[nq++] = s->d[x].child + c;
	}
	return tv_relayout(t);
}

/* Close all but the roots; the cursor goes to its section's root. */
static unsigned tv_collapse_all(struct tv *t)
{
	int sec = 0;

	if (!tv_row(t, t->cur, &sec))
		return VR_HANDLED;
	for (int s = 0; s < SEC__COUNT; s++)
		for (size_t i = 1; i < t->sec[s].nd; i++)
			if (t->sec[s].d[i].open)
				tv_close(t, s, (uint32_t)i);
	t->cur_key = t->sec[sec].d[0].key;
	return tv_relayout(t);
}

static unsigned tv_search(struct tv *t, const struct ui_model *m, int dir)
{
	size_t n = tv_nrows(t);

	if (!m || !m->p || !m->search || !*m->search)
		return VR_HANDLED;
	for (size_t i = 1; i <= n; i++) {
		size_t r = dir > 0 ? (t->cur + i) % n : (t->cur + n - i % n) % n;
		const char *name = profile_func_name(m->p, tv_row(t, r, NULL)->func);

		if (name && strcasestr(name, m->search)) {
			tv_set_cursor(t, r);
			break;
		}
	}
	return VR_HANDLED;
}

static unsigned tv_key_move(struct tv *t, int key)
{
	long page = t->page > 2 ? t->page - 1 : 1;

	switch (key) {
	case K_UP: case 'k': return tv_move(t, -1);
	case K_DOWN: case 'j': return tv_move(t, 1);
	case K_PGUP: case 'B' & 0x1f: return tv_move(t, -page);
	case K_PGDN: case 'F' & 0x1f: return tv_move(t, page);
	case K_HOME: case 'g': return tv_move(t, -(long)tv_nrows(t));
	case K_END: case 'G': return tv_move(t, (long)tv_nrows(t));
	default: return VR_IGNORED;
	}
}

static unsigned tv_key(struct view *v, int key, const struct ui_model *m)
{
	struct tv *t = v->priv;
	const struct profile *p = m ? m->p : NULL;
	unsigned r = VR_HANDLED;

	tv_refresh(t, m);
	switch (key) {
	case K_RIGHT: case 'l': case '+': r = p ? tv_right(t, p) : r; break;
	case K_LEFT: case 'h': case '-': r = tv_left(t); break;
	case 'e': case '*': r = p ? tv_expand_all(t, p) : r; break;
	case 'E': case 'C': r = tv_collapse_all(t); break;
	case K_ENTER: case '\r': r = tv_refocus(t); break;
	case K_ESC: case K_BACKSPACE: case 'H' & 0x1f: r = tv_back(t); break;
	case 'f': r = VR_FLAME; break;
	case 'n': case 'N': r = tv_search(t, m, key == 'n' ? 1 : -1); break;
	default: r = tv_key_move(t, key); break;
	}
	tv_refresh(t, m);
	return r;
}

/* ---- drawing ------------------------------------------------------------- */

static uint8_t tv_heat(double pct)
{
	return pct >= 50 ? CC_HOT4 : pct >= 20 ? CC_HOT3 : pct >= 5 ? CC_HOT2 :
	       pct >= 1 ? CC_HOT1 : CC_HOT0;
}

static double tv_pct(const struct tv *t, uint64_t n)
{
	return t->samples ? 100.0 * (double)n / (double)t->samples : 0.0;
}

/* Tree-drawing prefix of d: a rail per open ancestor level, then a branch. */
static void tv_prefix(const struct tv *t, int sec, const struct tv_dnode *d, char *buf,
		      size_t len, int maxcols)
{
	const struct tv_sec *s = &t->sec[sec];
	bool last[TV_INDENT_MAX];
	const char *rail = t->ascii ? "|  " : "\u2502  ";
	size_t o = 0;

	buf[0] = '\0';
	if (!d->depth)
		return;
	if (d->depth - 1 >= TV_INDENT_MAX || (long)d->depth * 3 > (long)maxcols * 2 / 3) {
		o = (size_t)snprintf(buf, len, "[%u]", (unsigned)d->depth);
	} else {
		for (const struct tv_dnode *a = d; a->depth > 0; a = &s->d[a->parent]) {
			const struct tv_dnode *up = &s->d[a->parent];

			last[a->depth - 1] = (uint32_t)(a - s->d) + 1 == up->child + up->nchild;
		}
		for (uint32_t i = 0; i + 1 < d->depth && o + 8 < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s", last[i] ? "   " : rail);
	}
	bool end = (uint32_t)(d - s->d) + 1 == s->d[d->parent].child + s->d[d->parent].nchild;

	if (o + 16 < len)
		snprintf(buf + o, len - o, "%s", t->ascii ? (end ? "`- " : "|- ") :
			 (end ? "\u2514\u2500 " : "\u251c\u2500 "));
}

static void tv_draw_node(const struct tv *t, struct canvas *c, int y, size_t r,
			 const struct ui_model *m)
{
	int sec, x = 0;
	const struct tv_dnode *d = tv_row(t, r, &sec);
	const char *name = profile_func_name(m->p, d->func);
	const char *mod = profile_func_module(m->p, d->func);
	const char *q = m->search;
	char pre[2048];
	bool match = name && q && *q && strcasestr(name, q);

	x += canvas_printf(c, x, y, c->w, tv_heat(tv_pct(t, d->total)), 0, "%6.1f%%",
			   tv_pct(t, d->total)) + 1;
	if (sec == SEC_CALLEES)
		x += canvas_printf(c, x, y, c->w - x, CC_NORMAL, 0, "%6.1f%%",
				   tv_pct(t, d->self)) + 1;
	x += canvas_printf(c, x, y, c->w - x, CC_NORMAL, CA_BOLD, "%c ",
			   !d->kids ? ' ' : d->open ? '-' : '+');
	tv_prefix(t, sec, d, pre, sizeof(pre), c->w - x);
	x += canvas_text(c, x, y, c->w - x, pre, CC_DIM, 0);
	x += canvas_text(c, x, y, c->w - x, name ? name : "?", match ? CC_MATCH : CC_NORMAL,
			 match ? CA_BOLD | CA_UNDERLINE : 0);
	if (mod && *mod) {
		const char *base = strrchr(mod, '/');

		canvas_printf(c, x, y, c->w - x, CC_DIM, 0, "  %s", base ? base + 1 : mod);
	}
	if (r == t->cur)
		canvas_paint(c, 0, y, c->w, CC_SELECTED, CA_REVERSE | CA_BOLD);
}

static void tv_draw_header(const struct tv *t, struct canvas *c, int y, int sec,
			   const struct ui_model *m)
{
	const char *name = profile_func_name(m->p, t->focus);

	canvas_fill(c, 0, y, c->w, ' ', CC_HEADER, CA_BOLD);
	canvas_printf(c, 0, y, c->w, CC_HEADER, CA_BOLD, "%s  %s of %s  (%% of all %llu samples)",
		      sec ? "  total    self" : "  total", sec ? "Callees" : "Callers",
		      name ? name : "?", (unsigned long long)t->samples);
}

/* Display lines: header, callers rows, blank, header, callees rows. */
static void tv_draw_line(const struct tv *t, struct canvas *c, int y, long line,
			 const struct ui_model *m)
{
	long n0 = (long)t->sec[0].nrows, n1 = (long)t->sec[1].nrows;

	if (line == 0)
		tv_draw_header(t, c, y, SEC_CALLERS, m);
	else if (line <= n0)
		tv_draw_node(t, c, y, (size_t)(line - 1), m);
	else if (line == n0 + 2)
		tv_draw_header(t, c, y, SEC_CALLEES, m);
	else if (line > n0 + 2 && line <= n0 + 2 + n1)
		tv_draw_node(t, c, y, (size_t)(line - 3), m);
}

/* Keep the cursor in view, and a section's title with its root row. */
static void tv_scroll(struct tv *t, int h)
{
	long n0 = (long)t->sec[0].nrows, total = (long)tv_nrows(t) + 3;
	long line = (long)t->cur + ((long)t->cur < n0 ? 1 : 3);
	long top = line - (h >= 2 && ((long)t->cur == 0 || (long)t->cur == n0));

	if (top < t->scroll)
		t->scroll = top;
	if (line >= t->scroll + h)
		t->scroll = line - h + 1;
	if (t->scroll > total - h)
		t->scroll = total - h;
	if (t->scroll < 0)
		t->scroll = 0;
}

static void tv_draw_empty(const struct tv *t, struct canvas *c, int y, const struct ui_model *m)
{
	const char *name = m && m->p ? profile_func_name(m->p, t->focus) : NULL;

	if (t->err)
		canvas_text(c, 1, y, c->w - 1, t->err == -ENOMEM ? "out of memory: no call tree" :
			    "call tree unavailable: unexpected profile layout", CC_WARN, 0);
	else if (!t->samples)
		canvas_text(c, 1, y, c->w - 1, "no samples yet", CC_DIM, 0);
	else if (!name)
		canvas_text(c, 1, y, c->w - 1, "no function selected: press Enter on one in the "
			    "hot view", CC_DIM, 0);
	else
		canvas_printf(c, 1, y, c->w - 1, CC_DIM, 0, "%s: no samples in it (yet)", name);
}

static void tv_draw(struct view *v, struct canvas *c, int y, int h, const struct ui_model *m)
{
	struct tv *t = v->priv;

	tv_refresh(t, m);
	t->ascii = c->ascii;
	if (h <= 0 || c->w <= 0)
		return;
	t->page = h;
	for (int i = 0; i < h; i++)
		canvas_fill(c, 0, y + i, c->w, ' ', CC_NORMAL, 0);
	if (!tv_nrows(t) || t->err || !m || !m->p) {
		tv_draw_empty(t, c, y, m);
		return;
	}
	tv_scroll(t, h);
	for (int i = 0; i < h; i++)
		tv_draw_line(t, c, y + i, t->scroll + i, m);
	if (t->truncated && h > 1)
		canvas_text(c, 0, y + h - 1, c->w, "(tree truncated: too many call paths)",
			    CC_WARN, 0);
}

/* ---- the rest of the vtable ---------------------------------------------- */

static void tv_focus(struct view *v, uint32_t func, const struct ui_model *m)
{
	struct tv *t = v->priv;

	/* Coming from another view starts a fresh history. */
	t->nhist = 0;
	tv_set_focus(t, func, 0);
	tv_refresh(t, m);
}

static uint32_t tv_selected(const struct view *v)
{
	const struct tv *t = v->priv;
	const struct tv_dnode *d = tv_row(t, t->cur, NULL);

	return d ? d->func : t->focus;
}

static void tv_cat(char *buf, size_t len, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + 1 >= len)
		return;
	if (n > len - 1 - *o)
		n = len - 1 - *o;
	memcpy(buf + *o, s, n);
	*o += n;
	buf[*o] = '\0';
}

/* "caller → ... → callee": the cursor's path, its middle elided when long. */
static void tv_status(const struct view *v, const struct ui_model *m, char *buf, size_t len)
{
	const struct tv *t = v->priv;
	int sec = 0;
	const struct tv_dnode *d = tv_row(t, t->cur, &sec), *path[6];
	const char *arrow = t->ascii ? " -> " : " \u2192 ";
	size_t n = 0, o = 0;
	char num[64];

	if (!len)
		return;
	buf[0] = '\0';
	if (!d || !m || !m->p)
		return;
	for (const struct tv_dnode *a = d; n < 4; a = &t->sec[sec].d[a->parent]) {
		path[n++] = a;
		if (a->parent == TV_NONE)
			break;
	}
	if (path[n - 1]->parent != TV_NONE) {
		if (path[n - 1]->depth > 1)
			path[n++] = NULL;	/* the elided middle */
		path[n++] = &t->sec[sec].d[0];
	}
	for (size_t i = 0; i < n; i++) {
		const struct tv_dnode *a = path[sec == SEC_CALLERS ? i : n - 1 - i];
		const char *name = a ? profile_func_name(m->p, a->func) : NULL;

		if (i)
			tv_cat(buf, len, &o, arrow);
		if (!a)
			name = t->ascii ? "..." : "\u2026";
		tv_cat(buf, len, &o, name ? name : "?");
	}
	snprintf(num, sizeof(num), "  %.1f%% of samples", tv_pct(t, d->total));
	tv_cat(buf, len, &o, num);
	if (sec == SEC_CALLEES) {
		snprintf(num, sizeof(num), " (self %.1f%%)", tv_pct(t, d->self));
		tv_cat(buf, len, &o, num);
	}
}

static void tv_destroy(struct view *v)
{
	struct tv *t = v->priv;

	for (int sec = 0; sec < SEC__COUNT; sec++) {
		free(t->sec[sec].d);
		free(t->sec[sec].ref);
		free(t->sec[sec].rows);
	}
	free(t->open.slot);
	free(t->cand);
	free(t->grp);
	free(t->queue);
	free(t->mark);
	free(t);
}

static const struct view_ops tv_ops = {
	.name = "call tree",
	.draw = tv_draw,
	.key = tv_key,
	.focus = tv_focus,
	.selected = tv_selected,
	.status = tv_status,
	.destroy = tv_destroy,
};

struct view *view_tree_new(void)
{
	struct tv *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->view.ops = &tv_ops;
	t->view.priv = t;
	t->focus = t->built_focus = TV_NONE;
	return &t->view;
}
