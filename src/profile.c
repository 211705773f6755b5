/* profile.c — the aggregated profile: interned functions, the call tree, self/total, threads. */
#include "proftui/profile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Two open-addressing tables of 32-bit ids (linear probing, grown at 70%
 * load) find things without storing keys twice: the function index hashes
 * (name, module), the child index hashes (parent node, function).  The keys
 * themselves live in the function and node arrays the ids point into.
 *
 * Every sample reserves all the room it needs before it changes anything, so
 * an out-of-memory failure leaves the profile exactly as it was.
 */

/* Node ids and function ids stay well below PROF_NONE / UINT32_MAX. */
#define PROF_MAX_NODES		((size_t)1 << 31)
#define PROF_MAX_FUNCS		((size_t)1 << 31)
/* Linux's PID_MAX_LIMIT: more threads than this cannot exist at once. */
#define PROF_MAX_THREADS	((size_t)1 << 22)
/* Longer names and paths are cut and intern by their first bytes. */
#define PROF_STR_MAX		((size_t)16384)
#define PROF_THREAD_NAME_MAX	((size_t)256)
#define SLOT_EMPTY		UINT32_MAX
#define TABLE_MIN		((size_t)16)

struct pfunc {
	char *name;		/* one allocation: name, NUL, module, NUL */
	const char *module;	/* points into name's allocation */
	uint64_t hash;
	uint32_t name_len, module_len;
	uint64_t addr;		/* in its module; PROFILE_NO_ADDR when unknown */
	uint64_t self, total;
	uint64_t seq;		/* last sample that added to total; 0 = never in a sample */
	uint32_t first_node, last_node;	/* its nodes, linked through next_same */
};

struct ptable {
	uint32_t *slots;
	size_t mask;		/* slot count - 1; slot count is a power of two */
	size_t used;
};

struct profile {
	struct pfunc *funcs;
	size_t nfuncs, funcs_cap;
	size_t naddrs;		/* functions whose address is known */
	struct ptable func_index;

	struct prof_node *nodes;
	uint32_t *last_child;	/* per node: where insertion-order appends go */
	uint32_t *next_same;	/* per node: the next node of the same function */
	size_t nnodes, nodes_cap;
	struct ptable child_index;

	struct prof_thread *threads;	/* sorted by tid */
	size_t nthreads, threads_cap;

	struct prof_stats stats;
	uint64_t seq;		/* samples added so far: stamps pfunc.seq */
	size_t max_depth;	/* longest stack added: sizes profile_walk's path */
	bool have_time;
	uint32_t last_leaf;	/* leaf of the last add, PROF_NONE after a failure */
	uint32_t *path_buf;	/* profile_add_path's scratch: a path, leaf first */
	size_t path_cap;
};

static const char prof_empty[] = "";

/* Finalizer of splitmix64: cheap and spreads nearby ids across the table. */
static uint64_t prof_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t prof_fnv(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static uint64_t func_key_hash(const char *name, size_t nlen, const char *mod, size_t mlen)
{
	uint64_t h = prof_fnv(UINT64_C(0xcbf29ce484222325), name, nlen);

	/* The NUL keeps ("ab", "c") apart from ("a", "bc"). */
	h = prof_fnv(h, "", 1);
	return prof_mix(prof_fnv(h, mod, mlen));
}

static uint64_t child_key_hash(uint32_t parent, uint32_t func)
{
	return prof_mix(((uint64_t)parent << 32) | func);
}

typedef uint64_t (*id_hash_fn)(const struct profile *p, uint32_t id);

static uint64_t func_id_hash(const struct profile *p, uint32_t id)
{
	return p->funcs[id].hash;
}

static uint64_t node_id_hash(const struct profile *p, uint32_t id)
{
	return child_key_hash(p->nodes[id].parent, p->nodes[id].func);
}

static void ptable_put(struct ptable *t, uint32_t id, uint64_t hash)
{
	size_t i = (size_t)hash & t->mask;

	while (t->slots[i] != SLOT_EMPTY)
		i = (i + 1) & t->mask;
	t->slots[i] = id;
	t->used++;
}

/* 70% of a table's slots, without overflowing size * 7. */
static size_t ptable_limit(size_t size)
{
	return size / 10 * 7 + size % 10 * 7 / 10;
}

/* Make room for `count` ids under 70% load, rehashing from the id arrays. */
static int ptable_reserve(struct ptable *t, size_t count, const struct profile *p,
			  id_hash_fn hash)
{
	size_t size = t->slots ? t->mask + 1 : 0;
	size_t nsize = size ? size : TABLE_MIN;

	if (size && count <= ptable_limit(size))
		return 0;
	while (count > ptable_limit(nsize)) {
		if (nsize > SIZE_MAX / 2 / sizeof(uint32_t))
			return -ENOMEM;
		nsize *= 2;
	}

	uint32_t *slots = malloc(nsize * sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	memset(slots, 0xff, nsize * sizeof(*slots));

	struct ptable nt = { .slots = slots, .mask = nsize - 1, .used = 0 };

	for (size_t i = 0; i < size; i++)
		if (t->slots[i] != SLOT_EMPTY)
			ptable_put(&nt, t->slots[i], hash(p, t->slots[i]));
	free(t->slots);
	*t = nt;
	return 0;
}

/*
 * Return arr (of `elem`-byte items, capacity *cap) grown to hold `need` items,
 * at most `max`, updating *cap; NULL when that cannot be done (arr is intact).
 */
static void *prof_grow(void *arr, size_t *cap, size_t need, size_t elem, size_t max)
{
	if (need <= *cap)
		return arr;
	if (need > max)
		return NULL;

	size_t ncap = *cap ? *cap : 16;

	while (ncap < need)
		ncap = ncap > max / 2 ? max : ncap * 2;
	if (ncap > SIZE_MAX / elem)
		return NULL;

	void *n = realloc(arr, ncap * elem);

	if (n)
		*cap = ncap;
	return n;
}

static int tree_reserve(struct profile *p, size_t fresh);

struct profile *profile_new(void)
{
	struct profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (tree_reserve(p, 1)) {
		profile_free(p);
		return NULL;
	}
	p->nodes[0] = (struct prof_node){
		.func = PROF_NONE, .parent = PROF_NONE,
		.first_child = PROF_NONE, .next_sibling = PROF_NONE,
	};
	p->last_child[0] = PROF_NONE;
	p->next_same[0] = PROF_NONE;
	p->nnodes = 1;
	p->last_leaf = PROF_NONE;
	return p;
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nfuncs; i++)
		free(p->funcs[i].name);
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].name != prof_empty)
			free((char *)p->threads[i].name);
	free(p->funcs);
	free(p->func_index.slots);
	free(p->nodes);
	free(p->last_child);
	free(p->next_same);
	free(p->child_index.slots);
	free(p->threads);
	free(p->path_buf);
	free(p);
}

static uint32_t func_find(const struct profile *p, uint64_t h, const char *name, size_t nlen,
			  const char *mod, size_t mlen)
{
	const struct ptable *t = &p->func_index;

	if (!t->slots)
		return SLOT_EMPTY;
	for (size_t i = (size_t)h & t->mask; t->slots[i] != SLOT_EMPTY; i = (i + 1) & t->mask) {
		const struct pfunc *f = &p->funcs[t->slots[i]];

		if (f->hash == h && f->name_len == nlen && f->module_len == mlen &&
		    !memcmp(f->name, name, nlen) && !memcmp(f->module, mod, mlen))
			return t->slots[i];
	}
	return SLOT_EMPTY;
}

uint32_t profile_func(struct profile *p, const char *name, const char *module)
{
	name = name ? name : prof_empty;
	module = module ? module : prof_empty;

	size_t nlen = strnlen(name, PROF_STR_MAX), mlen = strnlen(module, PROF_STR_MAX);
	uint64_t h = func_key_hash(name, nlen, module, mlen);
	uint32_t id = func_find(p, h, name, nlen, module, mlen);

	if (id != SLOT_EMPTY)
		return id;
	struct pfunc *funcs = prof_grow(p->funcs, &p->funcs_cap, p->nfuncs + 1, sizeof(*funcs),
					PROF_MAX_FUNCS);

	if (!funcs)
		return UINT32_MAX;
	p->funcs = funcs;
	if (ptable_reserve(&p->func_index, p->nfuncs + 1, p, func_id_hash))
		return UINT32_MAX;

	char *s = malloc(nlen + mlen + 2);

	if (!s)
		return UINT32_MAX;
	memcpy(s, name, nlen);
	s[nlen] = '\0';
	memcpy(s + nlen + 1, module, mlen);
	s[nlen + 1 + mlen] = '\0';
	id = (uint32_t)p->nfuncs++;
	p->funcs[id] = (struct pfunc){
		.name = s, .module = s + nlen + 1, .hash = h,
		.name_len = (uint32_t)nlen, .module_len = (uint32_t)mlen,
		.addr = PROFILE_NO_ADDR, .first_node = PROF_NONE, .last_node = PROF_NONE,
	};
	ptable_put(&p->func_index, id, h);
	return id;
}

const char *profile_func_name(const struct profile *p, uint32_t func)
{
	return func < p->nfuncs ? p->funcs[func].name : NULL;
}

const char *profile_func_module(const struct profile *p, uint32_t func)
{
	return func < p->nfuncs ? p->funcs[func].module : NULL;
}

size_t profile_nfuncs(const struct profile *p)
{
	return p->nfuncs;
}

void profile_func_set_addr(struct profile *p, uint32_t func, uint64_t addr)
{
	/* The first address stays (profile.h): a row's address never moves. */
	if (func >= p->nfuncs || addr == PROFILE_NO_ADDR || p->funcs[func].addr != PROFILE_NO_ADDR)
		return;
	p->funcs[func].addr = addr;
	p->naddrs++;
}

uint64_t profile_func_addr(const struct profile *p, uint32_t func)
{
	return func < p->nfuncs ? p->funcs[func].addr : PROFILE_NO_ADDR;
}

static uint32_t child_find(const struct profile *p, uint32_t parent, uint32_t func)
{
	const struct ptable *t = &p->child_index;

	if (!t->slots)
		return PROF_NONE;
	for (size_t i = (size_t)child_key_hash(parent, func) & t->mask; t->slots[i] != SLOT_EMPTY;
	     i = (i + 1) & t->mask) {
		const struct prof_node *n = &p->nodes[t->slots[i]];

		if (n->parent == parent && n->func == func)
			return t->slots[i];
	}
	return PROF_NONE;
}

/* Room for `fresh` more nodes in the node arrays and the child index. */
static int tree_reserve(struct profile *p, size_t fresh)
{
	if (fresh > PROF_MAX_NODES - p->nnodes)
		return -ENOMEM;

	size_t need = p->nnodes + fresh, cap = p->nodes_cap, cap2 = p->nodes_cap;
	size_t cap3 = p->nodes_cap;

	struct prof_node *nodes = prof_grow(p->nodes, &cap, need, sizeof(*nodes), PROF_MAX_NODES);

	if (!nodes)
		return -ENOMEM;
	p->nodes = nodes;

	uint32_t *last = prof_grow(p->last_child, &cap2, need, sizeof(*last), PROF_MAX_NODES);

	if (!last)
		return -ENOMEM;
	p->last_child = last;

	uint32_t *same = prof_grow(p->next_same, &cap3, need, sizeof(*same), PROF_MAX_NODES);

	if (!same)
		return -ENOMEM;
	p->next_same = same;
	/* All grew from the same capacity by the same rule, so the caps agree. */
	p->nodes_cap = cap;
	/* The root is not in the child index. */
	return ptable_reserve(&p->child_index, need - 1, p, node_id_hash);
}

/* Append a child (room already reserved), keeping siblings in insertion order. */
static uint32_t node_append(struct profile *p, uint32_t parent, uint32_t func)
{
	uint32_t id = (uint32_t)p->nnodes++;

	p->nodes[id] = (struct prof_node){
		.func = func, .parent = parent,
		.first_child = PROF_NONE, .next_sibling = PROF_NONE,
	};
	p->last_child[id] = PROF_NONE;
	p->next_same[id] = PROF_NONE;
	if (p->funcs[func].last_node == PROF_NONE)
		p->funcs[func].first_node = id;
	else
		p->next_same[p->funcs[func].last_node] = id;
	p->funcs[func].last_node = id;
	if (p->last_child[parent] == PROF_NONE)
		p->nodes[parent].first_child = id;
	else
		p->nodes[p->last_child[parent]].next_sibling = id;
	p->last_child[parent] = id;
	ptable_put(&p->child_index, id, child_key_hash(parent, func));
	return id;
}

/* Where tid is, or would go, in the sorted thread array. */
static size_t thread_pos(const struct profile *p, uint32_t tid, bool *found)
{
	size_t lo = 0, hi = p->nthreads;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->threads[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < p->nthreads && p->threads[lo].tid == tid;
	return lo;
}

static int thread_reserve(struct profile *p)
{
	struct prof_thread *threads = prof_grow(p->threads, &p->threads_cap, p->nthreads + 1,
						sizeof(*threads), PROF_MAX_THREADS);

	if (!threads)
		return -ENOMEM;
	p->threads = threads;
	return 0;
}

/* Insert tid at pos (room already reserved). */
static void thread_insert(struct profile *p, size_t pos, uint32_t tid)
{
	memmove(&p->threads[pos + 1], &p->threads[pos], (p->nthreads - pos) * sizeof(*p->threads));
	p->threads[pos] = (struct prof_thread){ .tid = tid, .samples = 0, .name = prof_empty };
	p->nthreads++;
}

/* Follow or grow the path for funcs (outermost last); returns the leaf node. */
static int tree_insert(struct profile *p, const uint32_t *funcs, size_t n, uint32_t *leaf)
{
	uint32_t node = 0;
	size_t depth = 0;

	while (depth < n) {
		uint32_t c = child_find(p, node, funcs[n - 1 - depth]);

		if (c == PROF_NONE)
			break;
		node = c;
		depth++;
	}

	int err = tree_reserve(p, n - depth);

	if (err)
		return err;
	for (; depth < n; depth++)
		node = node_append(p, node, funcs[n - 1 - depth]);
	*leaf = node;
	return 0;
}

static void count_sample(struct profile *p, const uint32_t *funcs, size_t n, uint32_t leaf,
			 uint64_t weight)
{
	p->nodes[leaf].self += weight;
	for (uint32_t id = leaf; id != PROF_NONE; id = p->nodes[id].parent)
		p->nodes[id].total += weight;

	uint64_t seq = ++p->seq;

	p->funcs[funcs[0]].self += weight;
	for (size_t i = 0; i < n; i++) {
		struct pfunc *f = &p->funcs[funcs[i]];

		/* Recursion: a function already counted in this sample is skipped. */
		if (f->seq != seq) {
			f->seq = seq;
			f->total += weight;
		}
	}
	if (n > p->max_depth)
		p->max_depth = n;
}

static int add_sample(struct profile *p, uint32_t tid, const uint32_t *funcs, size_t n,
		      uint64_t weight, uint32_t *leaf_out)
{
	uint32_t leaf = 0;
	bool known;

	if (n && !funcs)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (funcs[i] >= p->nfuncs)
			return -EINVAL;

	/* Reserve before tree_insert so that no failure can follow its changes. */
	size_t t = thread_pos(p, tid, &known);

	if (!known && thread_reserve(p))
		return -ENOMEM;

	int err = n ? tree_insert(p, funcs, n, &leaf) : 0;

	if (err)
		return err;
	if (!known)
		thread_insert(p, t, tid);
	p->threads[t].samples += weight;
	if (n)
		count_sample(p, funcs, n, leaf, weight);
	*leaf_out = leaf;
	return 0;
}

/* A sample with its stats: shared by profile_add_sample and profile_add_path. */
static int add_counted(struct profile *p, uint32_t tid, const uint32_t *funcs, size_t n,
		       uint64_t weight, uint64_t time_ns)
{
	int err = add_sample(p, tid, funcs, n, weight, &p->last_leaf);

	if (err) {
		p->last_leaf = PROF_NONE;
		p->stats.refused += weight;
		return err;
	}
	p->stats.samples += weight;
	if (!p->have_time || time_ns < p->stats.first_ns)
		p->stats.first_ns = time_ns;
	if (!p->have_time || time_ns > p->stats.last_ns)
		p->stats.last_ns = time_ns;
	p->have_time = true;
	return 0;
}

int profile_add_sample(struct profile *p, uint32_t tid, const uint32_t *funcs,
		       size_t n, uint64_t weight, uint64_t time_ns)
{
	return add_counted(p, tid, funcs, n, weight, time_ns);
}

uint32_t profile_last_leaf(const struct profile *p)
{
	return p->last_leaf;
}

struct prof_stats *profile_stats(struct profile *p)
{
	return &p->stats;
}

const struct prof_stats *profile_stats_const(const struct profile *p)
{
	return &p->stats;
}

static int u64_desc(uint64_t a, uint64_t b)
{
	return (a < b) - (a > b);
}

struct hot_ctx {
	const struct profile *p;
	enum prof_sort sort;
};

static int hot_cmp(const void *va, const void *vb, void *vctx)
{
	const struct prof_row *a = va, *b = vb;
	const struct hot_ctx *ctx = vctx;
	const struct profile *p = ctx->p;
	const struct pfunc *fa = &p->funcs[a->func], *fb = &p->funcs[b->func];
	int c;

	switch (ctx->sort) {
	case PROF_SORT_TOTAL:
		if ((c = u64_desc(a->total, b->total)) || (c = u64_desc(a->self, b->self)))
			return c;
		break;
	case PROF_SORT_NAME:
		if ((c = strcmp(fa->name, fb->name)) || (c = u64_desc(a->self, b->self)) ||
		    (c = strcmp(fa->module, fb->module)))
			return c;
		return u64_desc(a->total, b->total);
	case PROF_SORT_MODULE:
		if ((c = strcmp(fa->module, fb->module)) || (c = u64_desc(a->self, b->self)) ||
		    (c = strcmp(fa->name, fb->name)))
			return c;
		return u64_desc(a->total, b->total);
	case PROF_SORT_SELF:
	default:
		if ((c = u64_desc(a->self, b->self)) || (c = u64_desc(a->total, b->total)))
			return c;
		break;
	}
	if ((c = strcmp(fa->name, fb->name)))
		return c;
	return strcmp(fa->module, fb->module);
}

long profile_hot(const struct profile *p, enum prof_sort sort, struct prof_row **rows)
{
	size_t n = 0;

	*rows = NULL;
	for (size_t i = 0; i < p->nfuncs; i++)
		n += p->funcs[i].seq != 0;
	if (!n)
		return 0;

	struct prof_row *r = calloc(n, sizeof(*r));

	if (!r)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < p->nfuncs; i++)
		if (p->funcs[i].seq)
			r[n++] = (struct prof_row){
				.func = (uint32_t)i, .self = p->funcs[i].self,
				.total = p->funcs[i].total,
			};

	struct hot_ctx ctx = { .p = p, .sort = sort };

	qsort_r(r, n, sizeof(*r), hot_cmp, &ctx);
	*rows = r;
	return (long)n;
}

const struct prof_node *profile_node(const struct profile *p, uint32_t id)
{
	return id < p->nnodes ? &p->nodes[id] : NULL;
}

size_t profile_nnodes(const struct profile *p)
{
	return p->nnodes;
}

/*
 * Pre-order walk along the sibling lists and parent links, so no stack but
 * the path itself is needed; the path is sized once from the deepest sample.
 */
int profile_walk(const struct profile *p, prof_visit_fn fn, void *ctx)
{
	const struct prof_node *nodes = p->nodes;
	uint32_t id = nodes[0].first_child;
	size_t depth = 1;
	int ret = 0;

	if (id == PROF_NONE)
		return 0;

	uint32_t *path = malloc(p->max_depth * sizeof(*path));

	if (!path)
		return -ENOMEM;
	while (id != PROF_NONE) {
		path[depth - 1] = nodes[id].func;
		if (nodes[id].self && (ret = fn(ctx, path, depth, nodes[id].self)))
			break;
		if (nodes[id].first_child != PROF_NONE) {
			id = nodes[id].first_child;
			depth++;
			continue;
		}
		while (id && nodes[id].next_sibling == PROF_NONE) {
			id = nodes[id].parent;
			depth--;
		}
		id = id ? nodes[id].next_sibling : PROF_NONE;
	}
	free(path);
	return ret;
}

static int thread_set_name(struct profile *p, uint32_t tid, const char *name)
{
	bool known;
	size_t t = thread_pos(p, tid, &known);

	if (!known && thread_reserve(p))
		return -ENOMEM;

	const char *copy = prof_empty;

	if (name && *name) {
		copy = strndup(name, PROF_THREAD_NAME_MAX);
		if (!copy)
			return -ENOMEM;
	}
	if (!known)
		thread_insert(p, t, tid);
	if (p->threads[t].name != prof_empty)
		free((char *)p->threads[t].name);
	p->threads[t].name = copy;
	return 0;
}

void profile_thread_name(struct profile *p, uint32_t tid, const char *name)
{
	/* Out of memory: keep the name we had, which is still right-ish. */
	(void)thread_set_name(p, tid, name);
}

const struct prof_thread *profile_threads(const struct profile *p, size_t *n)
{
	*n = p->nthreads;
	return p->threads;
}

struct clone_ctx {
	struct profile *dst;
	uint32_t *leaf_first;
	size_t cap;
	int err;
};

static int clone_visit(void *vctx, const uint32_t *path, size_t depth, uint64_t self)
{
	struct clone_ctx *ctx = vctx;

	if (depth > ctx->cap) {
		uint32_t *v = realloc(ctx->leaf_first, depth * sizeof(*v));

		if (!v)
			return ctx->err = -ENOMEM;
		ctx->leaf_first = v;
		ctx->cap = depth;
	}
	for (size_t i = 0; i < depth; i++)
		ctx->leaf_first[i] = path[depth - 1 - i];
	uint32_t leaf;

	ctx->err = add_sample(ctx->dst, 0, ctx->leaf_first, depth, self, &leaf);
	return ctx->err;
}

/* Replace dst's thread table with a copy of src's (names duplicated). */
static int clone_threads(struct profile *dst, const struct profile *src)
{
	for (size_t i = 0; i < dst->nthreads; i++)
		if (dst->threads[i].name != prof_empty)
			free((char *)dst->threads[i].name);
	dst->nthreads = 0;
	for (size_t i = 0; i < src->nthreads; i++) {
		const struct prof_thread *t = &src->threads[i];

		if (thread_reserve(dst))
			return -ENOMEM;
		thread_insert(dst, dst->nthreads, t->tid);
		dst->threads[dst->nthreads - 1].samples = t->samples;
		dst->threads[dst->nthreads - 1].name = prof_empty;
		if (t->name != prof_empty && t->name[0]) {
			char *copy = strdup(t->name);

			if (!copy)
				return -ENOMEM;
			dst->threads[dst->nthreads - 1].name = copy;
		}
	}
	return 0;
}

/*
 * Intern src's functions p lacks; interning in id order gives the same ids.
 * Addresses go along.  One set on src after p copied the function is found
 * by the count of known addresses: addresses are only ever added, so equal
 * counts over the same functions mean nothing is missing.
 */
static int funcs_sync(struct profile *p, const struct profile *src)
{
	if (p->nfuncs > src->nfuncs)
		return -EINVAL;
	for (size_t i = p->nfuncs; i < src->nfuncs; i++) {
		uint32_t id = profile_func(p, src->funcs[i].name, src->funcs[i].module);

		if (id == UINT32_MAX)
			return -ENOMEM;
		/* An older id: p holds a function src has elsewhere, so p's ids are not src's. */
		if (id != i)
			return -EINVAL;
		profile_func_set_addr(p, id, src->funcs[i].addr);
	}
	if (p->naddrs != src->naddrs)
		for (size_t i = 0; i < p->nfuncs; i++)
			profile_func_set_addr(p, (uint32_t)i, src->funcs[i].addr);
	return 0;
}

struct profile *profile_clone(const struct profile *src)
{
	struct profile *dst = profile_new();
	struct clone_ctx ctx = { .dst = dst };

	if (!dst)
		return NULL;
	if (funcs_sync(dst, src)) {
		profile_free(dst);
		return NULL;
	}
	if (profile_walk(src, clone_visit, &ctx) || ctx.err || clone_threads(dst, src)) {
		free(ctx.leaf_first);
		profile_free(dst);
		return NULL;
	}
	free(ctx.leaf_first);
	dst->stats = src->stats;
	dst->have_time = src->have_time;
	return dst;
}

/* Copy src's thread names where p's differ; unnamed threads p lacks are not added. */
static int threads_sync_names(struct profile *p, const struct profile *src)
{
	for (size_t i = 0; i < src->nthreads; i++) {
		const struct prof_thread *t = &src->threads[i];
		bool known;
		size_t at = thread_pos(p, t->tid, &known);

		if (known ? !strcmp(p->threads[at].name, t->name) : !t->name[0])
			continue;

		int err = thread_set_name(p, t->tid, t->name);

		if (err)
			return err;
	}
	return 0;
}

int profile_sync_funcs(struct profile *p, const struct profile *src)
{
	int err = funcs_sync(p, src);

	return err ? err : threads_sync_names(p, src);
}

struct profile *profile_derive_new(const struct profile *src)
{
	struct profile *p = profile_new();

	if (p && profile_sync_funcs(p, src)) {
		profile_free(p);
		return NULL;
	}
	return p;
}

static int refuse(struct profile *p, uint64_t weight, int err)
{
	p->last_leaf = PROF_NONE;
	p->stats.refused += weight;
	return err;
}

int profile_add_path(struct profile *p, const struct profile *src, uint32_t leaf,
		     uint32_t tid, uint64_t weight, uint64_t time_ns)
{
	size_t depth = 0, i = 0;

	if (leaf >= src->nnodes)
		return refuse(p, weight, -EINVAL);
	/* Parents have smaller ids than their children: these walks end at the root. */
	for (uint32_t id = leaf; id; id = src->nodes[id].parent)
		depth++;
	if (depth) {
		uint32_t *buf = prof_grow(p->path_buf, &p->path_cap, depth, sizeof(*buf),
					  PROF_MAX_NODES);

		if (!buf)
			return refuse(p, weight, -ENOMEM);
		p->path_buf = buf;
	}
	/* Leaf first, as profile_add_sample takes a stack. */
	for (uint32_t id = leaf; id; id = src->nodes[id].parent)
		p->path_buf[i++] = src->nodes[id].func;
	return add_counted(p, tid, p->path_buf, depth, weight, time_ns);
}

/* x * f rounded to nearest, ties to even, for 0 < f < 1; never above x. */
static uint64_t scale_count(uint64_t x, double f)
{
	double v = (double)x * f;

	/* (double)x may have rounded up to 2^64, which does not convert back. */
	if (v >= 18446744073709551616.0)
		return x;

	uint64_t r = (uint64_t)v;
	double frac = v - (double)r;

	/* Ties to even: a lone sample halved goes away instead of staying forever. */
	if (frac > 0.5 || (frac == 0.5 && (r & 1)))
		r++;
	return r < x ? r : x;
}

static void scale_tree(struct profile *p, double f)
{
	struct prof_node *nodes = p->nodes;

	for (size_t i = 0; i < p->nnodes; i++) {
		nodes[i].self = scale_count(nodes[i].self, f);
		nodes[i].total = nodes[i].self;
	}
	/* Children have larger ids than their parents, so a reverse scan has
	 * finished every child's total before adding it to its parent. */
	for (size_t i = p->nnodes - 1; i > 0; i--)
		nodes[nodes[i].parent].total += nodes[i].total;
}

static void scale_funcs(struct profile *p, double f)
{
	for (size_t i = 0; i < p->nfuncs; i++) {
		p->funcs[i].total = scale_count(p->funcs[i].total, f);
		p->funcs[i].self = 0;
	}
	for (size_t i = 1; i < p->nnodes; i++)
		p->funcs[p->nodes[i].func].self += p->nodes[i].self;
	for (size_t i = 0; i < p->nfuncs; i++) {
		struct pfunc *pf = &p->funcs[i];

		if (pf->total < pf->self)
			pf->total = pf->self;
		/* Gone from the hot table; no later sample has seq 0, so the
		 * recursion marks in count_sample still work. */
		if (!pf->total)
			pf->seq = 0;
	}
}

void profile_scale(struct profile *p, double factor)
{
	if (!(factor > 0.0 && factor < 1.0))
		return;

	uint64_t root = p->nodes[0].total;
	uint64_t stackless = p->stats.samples > root ? p->stats.samples - root : 0;

	scale_tree(p, factor);
	scale_funcs(p, factor);
	for (size_t i = 0; i < p->nthreads; i++)
		p->threads[i].samples = scale_count(p->threads[i].samples, factor);
	/* Scaled in two parts so that samples stays >= the root's total. */
	p->stats.samples = p->nodes[0].total + scale_count(stackless, factor);
}

uint32_t profile_func_first_node(const struct profile *p, uint32_t func)
{
	return func < p->nfuncs ? p->funcs[func].first_node : PROF_NONE;
}

uint32_t profile_node_next_same(const struct profile *p, uint32_t node)
{
	return node > 0 && node < p->nnodes ? p->next_same[node] : PROF_NONE;
}
