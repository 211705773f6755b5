/* flamelayout.c — lay the call tree out as flame graph rows: frames, columns, order, zoom, search. */
#include "proftui/flamelayout.h"

#include <stdlib.h>
#include <string.h>

/* The header says how frames are placed; here, how it is done cheaply. */

struct flame_kid {
	uint32_t rank, node;
};

/* Grow *arr to hold need elements (capped); 0 or -1. */
int flame_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t max)
{
	size_t ncap = *cap ? *cap : 16;
	void *a;

	if (need <= *cap)
		return 0;
	if (need > max)
		return -1;
	while (ncap < need)
		ncap = ncap > max / 2 ? max : ncap * 2;
	a = reallocarray(*arr, ncap, elem);
	if (!a)
		return -1;
	*arr = a;
	*cap = ncap;
	return 0;
}

const char *flame_name(const struct profile *p, uint32_t func)
{
	const char *s = profile_func_name(p, func);

	return s && *s ? s : "[unknown]";
}

/* Column of sample offset off: off * w / total, rounded, without overflow. */
int flame_col(uint64_t off, int w, uint64_t total)
{
	if (off >= total)
		return w;
	if (off <= (UINT64_MAX - total / 2) / (uint64_t)w)
		return (int)((off * (uint64_t)w + total / 2) / total);

	long double x = (long double)off * w / (long double)total + 0.5L;

	return x >= w ? w : (int)x;
}

/* Whether total samples make at least one column: total * w >= all. */
static bool flame_wide(uint64_t total, int w, uint64_t all)
{
	uint64_t need = all / (uint64_t)w + (all % (uint64_t)w != 0);

	return total >= need;
}

static uint64_t flame_add(uint64_t a, uint64_t b, uint64_t cap)
{
	return b > cap - a ? cap : a + b;
}

/* ---- function order ------------------------------------------------------ */

struct flame_named {
	const char *name, *module;
	uint32_t id;
};

static int flame_named_cmp(const void *va, const void *vb)
{
	const struct flame_named *a = va, *b = vb;
	int r = strcmp(a->name, b->name);

	if (!r)
		r = strcmp(a->module, b->module);
	return r ? r : (a->id > b->id) - (a->id < b->id);
}

/* Rank every function by name; on failure siblings fall back to id order. */
static void flame_rank(struct flame_layout *lay, const struct profile *p)
{
	size_t n = profile_nfuncs(p);
	struct flame_named *v = n <= UINT32_MAX ? calloc(n ? n : 1, sizeof(*v)) : NULL;
	uint32_t *rank = v ? reallocarray(lay->rank, n ? n : 1, sizeof(*rank)) : NULL;

	lay->nrank = n;
	if (!rank) {
		free(v);
		free(lay->rank);
		lay->rank = NULL;
		return;
	}
	lay->rank = rank;
	for (size_t i = 0; i < n; i++) {
		const char *mod = profile_func_module(p, (uint32_t)i);

		v[i] = (struct flame_named){ flame_name(p, (uint32_t)i), mod ? mod : "", (uint32_t)i };
	}
	qsort(v, n, sizeof(*v), flame_named_cmp);
	for (size_t i = 0; i < n; i++)
		rank[v[i].id] = (uint32_t)i;
	free(v);
}

static uint32_t flame_rank_of(const struct flame_layout *lay, uint32_t func)
{
	return lay->rank && func < lay->nrank ? lay->rank[func] : func;
}

/* ---- layout -------------------------------------------------------------- */

static int flame_kid_cmp(const void *va, const void *vb)
{
	const struct flame_kid *a = va, *b = vb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return (a->node > b->node) - (a->node < b->node);
}

/* Set up a walk over the current zoom root; false when it has no samples. */
bool flame_iter_init(struct flame_iter *it, struct flame_layout *lay, const struct profile *p,
		     int w)
{
	const struct prof_node *z = p ? profile_node(p, lay->zoom) : NULL;

	*it = (struct flame_iter){ lay, p, z ? z->total : 0, w, lay->zoom ? 0 : -1, &lay->rows[0] };
	return z && z->total && w >= 1;
}

/* Child c of f, starting at sample off; x1 == x0 when under a column. */
static struct flame_frame flame_place(const struct flame_iter *it, const struct flame_frame *f,
				      uint32_t c, uint64_t off)
{
	uint64_t end = flame_add(off, profile_node(it->p, c)->total, f->end);
	int x0 = flame_col(off, it->w, it->total), x1 = flame_col(end, it->w, it->total);

	/* Rounding never crosses the parent's edges, but clamp anyway. */
	x0 = x0 < f->x0 ? f->x0 : x0;
	x1 = x1 > f->x1 ? f->x1 : x1;
	if (!flame_wide(end - off, it->w, it->total) || x1 < x0)
		x1 = x0;
	return (struct flame_frame){ c, x0, x1, off, end };
}

/* Lay out f's children that are at least a column wide into out. */
static int flame_children(struct flame_iter *it, const struct flame_frame *f,
			  struct flame_row *out)
{
	struct flame_layout *lay = it->lay;
	size_t k = 0, limit = profile_nnodes(it->p);
	uint64_t off = f->off;

	for (uint32_t c = profile_node(it->p, f->node)->first_child; c != PROF_NONE;
	     c = profile_node(it->p, c)->next_sibling) {
		if (k >= limit ||
		    flame_grow((void **)&lay->kids, &lay->kcap, k + 1, sizeof(*lay->kids), limit))
			return -1;
		lay->kids[k++] = (struct flame_kid){ flame_rank_of(lay, profile_node(it->p, c)->func), c };
	}
	if (k > 1)
		qsort(lay->kids, k, sizeof(*lay->kids), flame_kid_cmp);
	for (size_t i = 0; i < k && off < f->end; i++) {
		struct flame_frame c = flame_place(it, f, lay->kids[i].node, off);

		if (c.x1 > c.x0 && out->n < out->cap)
			out->f[out->n++] = c;
		off = c.end;
	}
	return 0;
}

/* Step to the next graph row; false when it is empty. */
bool flame_next(struct flame_iter *it)
{
	struct flame_layout *lay = it->lay;
	struct flame_row *out = it->cur == &lay->rows[0] ? &lay->rows[1] : &lay->rows[0];

	out->n = 0;
	for (size_t i = 0; i < it->cur->n; i++)
		if (flame_children(it, &it->cur->f[i], out))
			break;   /* out of memory: show what fitted */
	it->cur = out;
	it->row++;
	return out->n > 0;
}

/* Start at graph row 0; false when there is nothing to draw. */
bool flame_begin(struct flame_iter *it)
{
	struct flame_layout *lay = it->lay;

	if (!flame_iter_init(it, lay, it->p, it->w))
		return false;
	/* A row holds at most one frame per column. */
	for (int i = 0; i < 2; i++)
		if (flame_grow((void **)&lay->rows[i].f, &lay->rows[i].cap, (size_t)it->w,
			       sizeof(struct flame_frame), FLAME_MAX_PATH))
			return false;
	lay->rows[0].f[0] = (struct flame_frame){ lay->zoom, 0, it->w, 0, it->total };
	lay->rows[0].n = 1;
	return it->row == 0 || flame_next(it);
}

/* The frame of c, a child of f, as flame_children would place it. */
struct flame_frame flame_child(const struct flame_iter *it, const struct flame_frame *f,
				      uint32_t c)
{
	const struct profile *p = it->p;
	uint32_t r = flame_rank_of(it->lay, profile_node(p, c)->func);
	uint64_t off = f->off;

	for (uint32_t s = profile_node(p, f->node)->first_child; s != PROF_NONE;
	     s = profile_node(p, s)->next_sibling) {
		uint32_t rs = flame_rank_of(it->lay, profile_node(p, s)->func);

		if (rs < r || (rs == r && s < c))
			off = flame_add(off, profile_node(p, s)->total, f->end);
	}
	return flame_place(it, f, c, off);
}

/*
 * Where node n is drawn: its frame and graph row, or those of its deepest
 * ancestor a column wide.  False when n is not under the zoom root or
 * nothing on the way is drawn.  Costs the depth, not the graph.
 */
bool flame_locate(struct flame_iter *it, uint32_t n, struct flame_frame *out, int *row)
{
	struct flame_layout *lay = it->lay;
	struct flame_frame f = { lay->zoom, 0, it->w, 0, it->total };
	size_t k = 0, limit = profile_nnodes(it->p);
	int r = lay->zoom ? 0 : -1;

	for (uint32_t id = n; id != lay->zoom; id = profile_node(it->p, id)->parent) {
		if (id == PROF_NONE || id == 0 || k >= limit ||
		    flame_grow((void **)&lay->chain, &lay->ccap, k + 1, sizeof(*lay->chain), limit))
			return false;
		lay->chain[k++] = id;
	}
	while (k > 0) {
		struct flame_frame c = flame_child(it, &f, lay->chain[--k]);

		if (c.x1 <= c.x0)
			break;
		f = c;
		r++;
	}
	if (r < 0)
		return false;
	*out = f;
	*row = r;
	return true;
}

/* ---- search -------------------------------------------------------------- */

/* ASCII case folding, as the search prompt promises. */
bool flame_match(const char *name, const char *q)
{
	return q && *q && strcasestr(name, q);
}

/* n/N: the next/previous match in reading order (row by row), wrapping. */
uint32_t flame_seek(struct flame_iter *it, int srow, int sx, const char *q, int dir)
{
	uint32_t first = PROF_NONE, last = PROF_NONE, next = PROF_NONE, prev = PROF_NONE;

	for (bool ok = q && *q && flame_begin(it); ok; ok = flame_next(it)) {
		for (size_t i = 0; i < it->cur->n; i++) {
			const struct flame_frame *f = &it->cur->f[i];

			if (!flame_match(flame_name(it->p, profile_node(it->p, f->node)->func), q))
				continue;
			if (first == PROF_NONE)
				first = f->node;
			last = f->node;
			if (next == PROF_NONE && (it->row > srow || (it->row == srow && f->x0 > sx)))
				next = f->node;
			if (it->row < srow || (it->row == srow && f->x0 < sx))
				prev = f->node;
		}
	}
	return dir > 0 ? (next != PROF_NONE ? next : first) : (prev != PROF_NONE ? prev : last);
}

/* ---- zoom ---------------------------------------------------------------- */

bool flame_zoom_in(struct flame_layout *lay, uint32_t node)
{
	if (node == PROF_NONE || node == lay->zoom)
		return false;
	/* Out of room, the zoom still happens; Esc then skips a level. */
	if (!flame_grow((void **)&lay->zstack, &lay->zcap, lay->nz + 1, sizeof(*lay->zstack),
			FLAME_MAX_ZOOM))
		lay->zstack[lay->nz++] = lay->zoom;
	lay->zoom = node;
	return true;
}

bool flame_zoom_out(struct flame_layout *lay)
{
	if (lay->nz)
		lay->zoom = lay->zstack[--lay->nz];
	else if (lay->zoom)
		lay->zoom = 0;
	else
		return false;
	return true;
}

void flame_zoom_to(struct flame_layout *lay, uint32_t node)
{
	lay->nz = 0;
	lay->zoom = node;
}

/* ---- the layout's life --------------------------------------------------- */

void flame_layout_reset(struct flame_layout *lay)
{
	lay->zoom = 0;
	lay->nz = 0;
	lay->nrank = 0;
	free(lay->rank);
	lay->rank = NULL;
}

void flame_layout_sync(struct flame_layout *lay, const struct profile *p)
{
	if (profile_nfuncs(p) != lay->nrank || (!lay->rank && lay->nrank == 0))
		flame_rank(lay, p);
}

void flame_layout_release(struct flame_layout *lay)
{
	free(lay->zstack);
	free(lay->rank);
	free(lay->kids);
	free(lay->rows[0].f);
	free(lay->rows[1].f);
	free(lay->chain);
	*lay = (struct flame_layout){ 0 };
}
