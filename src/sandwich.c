/* sandwich.c — derive the callers and callees trees of one function from the call tree. */
#include "proftui/sandwich.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The header holds the idea; here, how the trees are grown and kept. */

#define SW_HOT_LEVELS	12		/* how far the hottest path opens on focus */
#define SW_MAX_DNODES	((size_t)1 << 21)
#define SW_MAX_REFS	((size_t)1 << 24)

struct sandwich_ref {
	uint32_t node;		/* call-tree node */
	uint64_t w;		/* samples it brings to the derived node */
};

struct sandwich_cand {
	uint32_t func, node;
	uint64_t w, self;
};

struct sandwich_group {
	const char *name;
	uint64_t total, self;
	uint32_t func, off, len;
	bool kids;
};

/* Grow arr (capacity *cap) to `need` items of `elem` bytes, at most max. */
static void *sw_grow(void *arr, size_t *cap, size_t need, size_t elem, size_t max)
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

static uint64_t sw_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t sw_hash(uint64_t parent, uint32_t func)
{
	uint64_t k = sw_mix(parent * UINT64_C(0x9e3779b97f4a7c15) + func + 1);

	return k < 2 ? k + 2 : k;
}

/* Section roots hash the focus, so every focus keeps its own open nodes. */
uint64_t sandwich_root_key(int sec, uint32_t f)
{
	return sw_hash(UINT64_C(0x5ec7) + (uint64_t)sec, f);
}

/* Marks a focus whose hot path was already opened once. */
static uint64_t sw_seen_key(uint32_t f)
{
	return sw_hash(UINT64_C(0x5ee4), f);
}

/* Can a derived node built on call-tree node n have children? */
static bool sw_node_kids(const struct profile *p, int sec, uint32_t n)
{
	const struct prof_node *x = profile_node(p, n);

	if (!x)
		return false;
	return sec == SANDWICH_CALLERS ? x->parent != 0 && x->parent != PROF_NONE
				  : x->first_child != PROF_NONE;
}

static int sw_cand_push(struct sandwich *sw, size_t *n, struct sandwich_cand c)
{
	struct sandwich_cand *a = sw_grow(sw->cand, &sw->capcand, *n + 1, sizeof(*a), SW_MAX_REFS);

	if (!a)
		return -ENOMEM;
	sw->cand = a;
	a[(*n)++] = c;
	return 0;
}

/* The call-tree nodes one level further from F, with their function. */
static int sw_gather(struct sandwich *sw, const struct profile *p, int sec, uint32_t di, size_t *nc)
{
	const struct sandwich_node *d = &sw->sec[sec].d[di];

	*nc = 0;
	for (uint32_t r = d->ref; r < d->ref + d->nref; r++) {
		const struct sandwich_ref rf = sw->sec[sec].ref[r];
		const struct prof_node *x = profile_node(p, rf.node), *y;
		int err = 0;

		if (!x)
			continue;
		if (sec == SANDWICH_CALLERS) {
			if (x->parent != 0 && (y = profile_node(p, x->parent)))
				err = sw_cand_push(sw, nc, (struct sandwich_cand){
					y->func, x->parent, rf.w, 0 });
		} else {
			for (uint32_t c = x->first_child; !err && (y = profile_node(p, c));
			     c = y->next_sibling)
				err = sw_cand_push(sw, nc, (struct sandwich_cand){
					y->func, c, y->total, y->self });
		}
		if (err)
			return err;
	}
	return 0;
}

static int sw_cand_cmp(const void *a, const void *b)
{
	const struct sandwich_cand *x = a, *y = b;

	if (x->func != y->func)
		return x->func < y->func ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

/* Hottest first; ties by name then id so the order is deterministic. */
static int sw_group_cmp(const void *a, const void *b)
{
	const struct sandwich_group *x = a, *y = b;
	int c;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if ((c = strcmp(x->name, y->name)))
		return c;
	return (x->func > y->func) - (x->func < y->func);
}

/* Merge the sorted candidates into one group per function. */
static int sw_group(struct sandwich *sw, const struct profile *p, int sec, size_t nc, size_t *ng)
{
	*ng = 0;
	for (size_t i = 0; i < nc; i++) {
		uint32_t f = sw->cand[i].func;
		struct sandwich_group *g;

		if (!i || f != sw->cand[i - 1].func) {
			const char *name = profile_func_name(p, f);

			g = sw_grow(sw->grp, &sw->capgrp, *ng + 1, sizeof(*g), SW_MAX_DNODES);
			if (!g)
				return -ENOMEM;
			sw->grp = g;
			g[(*ng)++] = (struct sandwich_group){
				.name = name ? name : "", .func = f, .off = (uint32_t)i,
			};
		}
		g = &sw->grp[*ng - 1];
		g->total += sw->cand[i].w;
		g->self += sw->cand[i].self;
		g->len++;
		g->kids = g->kids || sw_node_kids(p, sec, sw->cand[i].node);
	}
	qsort(sw->grp, *ng, sizeof(*sw->grp), sw_group_cmp);
	return 0;
}

static int sw_reserve(struct sandwich *sw, int sec, size_t nd, size_t nref)
{
	struct sandwich_sec *s = &sw->sec[sec];
	struct sandwich_node *d;
	struct sandwich_ref *r;

	if (nd > SW_MAX_DNODES - s->nd || nref > SW_MAX_REFS - s->nref) {
		sw->truncated = true;
		return -ENOSPC;
	}
	if (!(d = sw_grow(s->d, &s->capd, s->nd + nd, sizeof(*d), SW_MAX_DNODES)))
		return -ENOMEM;
	s->d = d;
	if (!(r = sw_grow(s->ref, &s->capref, s->nref + nref, sizeof(*r), SW_MAX_REFS)))
		return -ENOMEM;
	s->ref = r;
	return 0;
}

/* Derive the children of node di (once). */
static int sw_derive(struct sandwich *sw, const struct profile *p, int sec, uint32_t di)
{
	struct sandwich_sec *s = &sw->sec[sec];
	size_t nc, ng;
	int err;

	if (s->d[di].built)
		return 0;
	if ((err = sw_gather(sw, p, sec, di, &nc)))
		return err;
	qsort(sw->cand, nc, sizeof(*sw->cand), sw_cand_cmp);
	if ((err = sw_group(sw, p, sec, nc, &ng)) || (err = sw_reserve(sw, sec, ng, nc)))
		return err;
	s->d[di].child = (uint32_t)s->nd;
	s->d[di].nchild = (uint32_t)ng;
	s->d[di].built = true;
	for (size_t i = 0; i < ng; i++) {
		const struct sandwich_group *g = &sw->grp[i];

		s->d[s->nd++] = (struct sandwich_node){
			.key = sw_hash(s->d[di].key, g->func), .total = g->total, .self = g->self,
			.func = g->func, .parent = di, .depth = s->d[di].depth + 1,
			.ref = (uint32_t)s->nref, .nref = g->len, .kids = g->kids,
		};
		for (uint32_t k = g->off; k < g->off + g->len; k++)
			s->ref[s->nref++] = (struct sandwich_ref){ sw->cand[k].node, sw->cand[k].w };
	}
	return 0;
}

int sandwich_open(struct sandwich *sw, const struct profile *p, int sec, uint32_t di)
{
	struct sandwich_node *d;
	int err;

	if (!sw->sec[sec].d[di].kids)
		return 0;
	if ((err = sw_derive(sw, p, sec, di)))
		return err;
	d = &sw->sec[sec].d[di];
	d->open = true;
	/* Without the key the node still opens; it just won't survive a refresh. */
	keyset_add(&sw->open, d->key);
	return 0;
}

void sandwich_close(struct sandwich *sw, int sec, uint32_t di)
{
	sw->sec[sec].d[di].open = false;
	keyset_del(&sw->open, sw->sec[sec].d[di].key);
}

static int sw_push(struct sandwich *sw, size_t *n, uint32_t v)
{
	uint32_t *q = sw_grow(sw->queue, &sw->capqueue, *n + 1, sizeof(*q), SW_MAX_REFS);

	if (!q)
		return -ENOMEM;
	sw->queue = q;
	q[(*n)++] = v;
	return 0;
}

/* Does any ancestor of node n run function f? */
static bool sw_under(const struct profile *p, uint32_t n, uint32_t f)
{
	for (const struct prof_node *x = profile_node(p, profile_node(p, n)->parent);
	     x && x->func != PROF_NONE; x = profile_node(p, x->parent))
		if (x->func == f)
			return true;
	return false;
}

/*
 * The outermost occurrences of the focus (nodes of it with no ancestor of
 * it) into the queue, in id order.  The profile lists each function's nodes,
 * so this costs the focus's nodes times their depth, not the whole tree.
 */
static int sw_scan(struct sandwich *sw, const struct profile *p, size_t *nq)
{
	*nq = 0;
	for (uint32_t n = profile_func_first_node(p, sw->focus); n != PROF_NONE;
	     n = profile_node_next_same(p, n))
		if (!sw_under(p, n, sw->focus) && sw_push(sw, nq, n))
			return -ENOMEM;
	return 0;
}

/* Both section roots stand for the outermost occurrences of F. */
static int sw_roots(struct sandwich *sw, const struct profile *p)
{
	struct sandwich_node d = { .func = sw->focus, .parent = SANDWICH_NONE };
	size_t nq;
	int err = sw_scan(sw, p, &nq);

	for (size_t i = 0; !err && i < nq; i++) {
		const struct prof_node *x = profile_node(p, sw->queue[i]);

		d.total += x->total;
		d.self += x->self;
	}
	for (int sec = 0; !err && nq && sec < SANDWICH__NSEC; sec++) {
		struct sandwich_sec *s = &sw->sec[sec];

		if ((err = sw_reserve(sw, sec, 1, nq)))
			break;
		d.key = sandwich_root_key(sec, sw->focus);
		d.nref = (uint32_t)nq;
		d.kids = false;
		for (size_t i = 0; i < nq; i++) {
			uint32_t n = sw->queue[i];

			s->ref[s->nref++] = (struct sandwich_ref){ n, profile_node(p, n)->total };
			d.kids = d.kids || sw_node_kids(p, sec, n);
		}
		s->d[s->nd++] = d;
	}
	return err;
}

/* On a first visit: open the roots, then the hottest child while it holds
 * more than half of its parent, so a leaf shows its real callers at once. */
static void sw_auto_open(struct sandwich *sw, const struct profile *p)
{
	for (int sec = 0; sec < SANDWICH__NSEC; sec++) {
		struct sandwich_sec *s = &sw->sec[sec];
		uint32_t d = 0;

		for (int lvl = 0; s->nd && lvl <= SW_HOT_LEVELS; lvl++) {
			if (sandwich_open(sw, p, sec, d) || !s->d[d].nchild)
				break;
			if (s->d[s->d[d].child].total * 2 <= s->d[d].total)
				break;
			d = s->d[d].child;
		}
	}
	keyset_add(&sw->open, sw_seen_key(sw->focus));
	sw->pending_auto = false;
}

int sandwich_build(struct sandwich *sw, const struct profile *p)
{
	for (int sec = 0; sec < SANDWICH__NSEC; sec++)
		sw->sec[sec].nd = sw->sec[sec].nref = sw->sec[sec].nrows = 0;
	sw->truncated = false;
	if (!p || sw->focus == SANDWICH_NONE || sw->focus >= profile_nfuncs(p))
		return 0;
	int err = sw_roots(sw, p);

	/* Children are appended, so this also reaches nodes opened below. */
	for (int sec = 0; !err && sec < SANDWICH__NSEC; sec++)
		for (size_t i = 0; !err && i < sw->sec[sec].nd; i++)
			if (keyset_has(&sw->open, sw->sec[sec].d[i].key))
				err = sandwich_open(sw, p, sec, (uint32_t)i);
	if (!err && sw->pending_auto && sw->sec[0].nd)
		sw_auto_open(sw, p);
	return err == -ENOSPC ? 0 : err;
}

/* Flatten the open parts of both trees. */
int sandwich_flatten(struct sandwich *sw)
{
	for (int sec = 0; sec < SANDWICH__NSEC; sec++) {
		struct sandwich_sec *s = &sw->sec[sec];
		uint32_t *rows, n = 0;

		s->nrows = 0;
		if (!s->nd)
			continue;
		rows = sw_grow(s->rows, &s->caprows, s->nd, sizeof(*rows), SW_MAX_DNODES);
		if (!rows)
			return -ENOMEM;
		s->rows = rows;
		for (;;) {
			const struct sandwich_node *d = &s->d[n];

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
	return 0;
}

size_t sandwich_nrows(const struct sandwich *sw)
{
	return sw->sec[0].nrows + sw->sec[1].nrows;
}

/* The derived node behind row r, and its section. */
const struct sandwich_node *sandwich_row(const struct sandwich *sw, size_t r, int *sec)
{
	int s = r >= sw->sec[0].nrows;

	if (r >= sandwich_nrows(sw))
		return NULL;
	if (sec)
		*sec = s;
	return &sw->sec[s].d[sw->sec[s].rows[s ? r - sw->sec[0].nrows : r]];
}

/* Open everything under di, breadth first, until enough rows show. */
int sandwich_expand(struct sandwich *sw, const struct profile *p, int sec, uint32_t di,
		    size_t max_rows)
{
	size_t head = 0, nq = 0, shown = 0;
	struct sandwich_sec *s = &sw->sec[sec];

	if (sw_push(sw, &nq, di))
		return -ENOMEM;
	while (head < nq && shown < max_rows) {
		uint32_t x = sw->queue[head++], *q;

		if (!s->d[x].open && s->d[x].kids) {
			if (sandwich_open(sw, p, sec, x))
				break;
			shown += s->d[x].nchild;
		}
		if (!s->d[x].open)
			continue;
		q = sw_grow(sw->queue, &sw->capqueue, nq + s->d[x].nchild, sizeof(*q), SW_MAX_DNODES);
		if (!q)
			break;
		sw->queue = q;
		for (uint32_t c = 0; c < s->d[x].nchild; c++)
			q[nq++] = s->d[x].child + c;
	}
	return 0;
}

/* Close all but the roots. */
void sandwich_collapse(struct sandwich *sw)
{
	for (int s = 0; s < SANDWICH__NSEC; s++)
		for (size_t i = 1; i < sw->sec[s].nd; i++)
			if (sw->sec[s].d[i].open)
				sandwich_close(sw, s, (uint32_t)i);
}

void sandwich_set_focus(struct sandwich *sw, uint32_t f)
{
	sw->focus = f;
	sw->pending_auto = f != SANDWICH_NONE && !keyset_has(&sw->open, sw_seen_key(f));
}

void sandwich_init(struct sandwich *sw)
{
	memset(sw, 0, sizeof(*sw));
	sw->focus = SANDWICH_NONE;
}

void sandwich_release(struct sandwich *sw)
{
	for (int sec = 0; sec < SANDWICH__NSEC; sec++) {
		free(sw->sec[sec].d);
		free(sw->sec[sec].ref);
		free(sw->sec[sec].rows);
	}
	keyset_release(&sw->open);
	free(sw->cand);
	free(sw->grp);
	free(sw->queue);
	memset(sw, 0, sizeof(*sw));
}
