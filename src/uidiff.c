/* uidiff.c — the live UI's baseline: the pinned profile, its lookup tables, and the cached comparison with the profile shown. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/uidiff.h"

/* A node or function of `now` not looked up yet; PROF_NONE is "the
 * baseline has none".  Profiles stop at 2^31 ids, so neither is an id. */
#define UD_UNKNOWN (PROF_NONE - 1)
/* Hash tables at most this many slots (16 GiB of ids would be the cap). */
#define UD_MAX_SLOTS ((size_t)1 << 32)

struct uidiff {
	const struct profile *base;
	struct profile *owned;     /* base when pinned from the UI, else NULL */
	char label[256];           /* a borrowed baseline's file; "" when pinned */
	double pinned_s;
	/* The baseline's functions by (name, module) and nodes by (parent,
	 * func): open addressing, PROF_NONE in an empty slot. */
	uint32_t *fslot, *nslot;
	size_t fmask, nmask;
	/* The table's rows, for (rows_p, rows_epoch, rows_samples). */
	struct diff_row *rows;
	long nrows;
	bool rows_ok;
	unsigned serial;           /* bumped whenever rows change */
	const struct profile *rows_p;
	unsigned rows_epoch;
	uint64_t rows_samples;
	/* For (map_p, map_epoch): now's functions and nodes in the baseline. */
	const struct profile *map_p;
	unsigned map_epoch;
	uint32_t *fmap, *nmap;
	size_t fmap_n, fmap_cap, nmap_n, nmap_cap;
	uint32_t *chain;           /* scratch: nodes on the way to a known one */
	size_t chain_cap;
};

struct uidiff *uidiff_new(void)
{
	return calloc(1, sizeof(struct uidiff));
}

/* Grow *arr to at least need ids; 0, or -ENOMEM leaving it as it was. */
static int ud_grow(uint32_t **arr, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 64;
	uint32_t *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*arr, n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static uint64_t ud_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/* FNV-1a of name, a NUL, then module: "ab"+"c" and "a"+"bc" differ. */
static uint64_t ud_hash_names(const char *name, const char *module)
{
	uint64_t h = 14695981039346656037ull;

	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		h = (h ^ *s) * 1099511628211ull;
	h *= 1099511628211ull;
	for (const unsigned char *s = (const unsigned char *)module; *s; s++)
		h = (h ^ *s) * 1099511628211ull;
	return ud_mix(h);
}

static uint64_t ud_hash_edge(uint32_t parent, uint32_t func)
{
	return ud_mix((uint64_t)parent << 32 | func);
}

static const char *ud_str(const char *s)
{
	return s ? s : "";
}

/* Slots for n keys at most half full; NULL when out of memory. */
static uint32_t *ud_table(size_t n, size_t *mask)
{
	size_t slots = 16;
	uint32_t *t;

	while (slots < 2 * n && slots < UD_MAX_SLOTS)
		slots *= 2;
	if (slots < 2 * n)
		return NULL;
	t = malloc(slots * sizeof(*t));
	if (!t)
		return NULL;
	memset(t, 0xff, slots * sizeof(*t));   /* every slot PROF_NONE */
	*mask = slots - 1;
	return t;
}

static uint32_t ud_find_func(const struct uidiff *d, const char *name, const char *module)
{
	for (size_t i = ud_hash_names(name, module) & d->fmask;; i = (i + 1) & d->fmask) {
		uint32_t f = d->fslot[i];

		if (f == PROF_NONE ||
		    (!strcmp(ud_str(profile_func_name(d->base, f)), name) &&
		     !strcmp(ud_str(profile_func_module(d->base, f)), module)))
			return f;
	}
}

static uint32_t ud_find_node(const struct uidiff *d, uint32_t parent, uint32_t func)
{
	for (size_t i = ud_hash_edge(parent, func) & d->nmask;; i = (i + 1) & d->nmask) {
		uint32_t n = d->nslot[i];
		const struct prof_node *pn;

		if (n == PROF_NONE)
			return PROF_NONE;
		pn = profile_node(d->base, n);
		if (pn->parent == parent && pn->func == func)
			return n;
	}
}

/* The baseline's lookup tables: each function and each node once (a
 * profile interns a (name, module) once and a path once). */
static int ud_index(struct uidiff *d)
{
	size_t nf = profile_nfuncs(d->base), nn = profile_nnodes(d->base);

	d->fslot = ud_table(nf, &d->fmask);
	d->nslot = ud_table(nn, &d->nmask);
	if (!d->fslot || !d->nslot)
		return -ENOMEM;
	for (uint32_t f = 0; f < nf; f++) {
		size_t i = ud_hash_names(ud_str(profile_func_name(d->base, f)),
					 ud_str(profile_func_module(d->base, f))) & d->fmask;

		while (d->fslot[i] != PROF_NONE)
			i = (i + 1) & d->fmask;
		d->fslot[i] = f;
	}
	for (uint32_t n = 1; n < nn; n++) {
		const struct prof_node *pn = profile_node(d->base, n);
		size_t i = ud_hash_edge(pn->parent, pn->func) & d->nmask;

		while (d->nslot[i] != PROF_NONE)
			i = (i + 1) & d->nmask;
		d->nslot[i] = n;
	}
	return 0;
}

static void ud_forget_now(struct uidiff *d)
{
	d->serial++;
	free(d->rows);
	d->rows = NULL;
	d->nrows = 0;
	d->rows_ok = false;
	d->rows_p = d->map_p = NULL;
	d->fmap_n = d->nmap_n = 0;
}

void uidiff_clear(struct uidiff *d)
{
	ud_forget_now(d);
	free(d->fslot);
	free(d->nslot);
	d->fslot = d->nslot = NULL;
	profile_free(d->owned);
	d->owned = NULL;
	d->base = NULL;
	d->label[0] = '\0';
}

void uidiff_free(struct uidiff *d)
{
	if (!d)
		return;
	uidiff_clear(d);
	free(d->fmap);
	free(d->nmap);
	free(d->chain);
	free(d);
}

static int ud_set(struct uidiff *d, const struct profile *base, struct profile *owned,
		  const char *label, double pinned_s)
{
	uidiff_clear(d);
	d->base = base;
	d->owned = owned;
	d->pinned_s = pinned_s;
	snprintf(d->label, sizeof(d->label), "%s", label ? label : "");
	if (ud_index(d)) {
		uidiff_clear(d);
		return -ENOMEM;
	}
	return 0;
}

int uidiff_pin(struct uidiff *d, struct profile *copy, double pinned_s)
{
	return ud_set(d, copy, copy, NULL, pinned_s);
}

int uidiff_borrow(struct uidiff *d, const struct profile *base, const char *label)
{
	/* A label keeps the caption from saying "pinned": nobody pinned it. */
	return ud_set(d, base, NULL, label && *label ? label : "--baseline", 0);
}

const struct profile *uidiff_base(const struct uidiff *d)
{
	return d ? d->base : NULL;
}

void uidiff_caption(const struct uidiff *d, double now_s, char *buf, size_t len)
{
	unsigned long long n;
	double ago;

	if (!len)
		return;
	buf[0] = '\0';
	if (!d || !d->base)
		return;
	n = (unsigned long long)profile_stats_const(d->base)->samples;
	if (d->label[0]) {
		/* The header is one line: the file's name says enough. */
		const char *slash = strrchr(d->label, '/');

		snprintf(buf, len, "diff vs %s (%llu samples)",
			 slash && slash[1] ? slash + 1 : d->label, n);
		return;
	}
	ago = now_s > d->pinned_s ? now_s - d->pinned_s : 0;
	snprintf(buf, len, "diff vs baseline (%llu samples, pinned %ld:%02ld ago)", n,
		 (long)ago / 60, (long)ago % 60);
}

unsigned uidiff_rows_serial(const struct uidiff *d)
{
	return d->serial;
}

long uidiff_rows(struct uidiff *d, const struct profile *now, unsigned epoch,
		 const struct diff_row **rows)
{
	uint64_t samples = profile_stats_const(now)->samples;
	long n;

	*rows = NULL;
	if (!d->base)
		return 0;
	if (d->rows_ok && d->rows_p == now && d->rows_epoch == epoch && d->rows_samples == samples) {
		*rows = d->rows;
		return d->nrows;
	}
	free(d->rows);
	d->rows = NULL;
	d->nrows = 0;
	d->serial++;
	n = diff_rows(now, d->base, &d->rows);
	/* A failure is not cached: the next draw tries again. */
	d->rows_ok = n >= 0;
	if (n < 0)
		return n;
	d->nrows = n;
	d->rows_p = now;
	d->rows_epoch = epoch;
	d->rows_samples = samples;
	*rows = d->rows;
	return n;
}

/* Start the maps over for another profile or epoch; grow them to now's
 * functions and nodes, the new entries not looked up yet. */
static int ud_map_sync(struct uidiff *d, const struct profile *now, unsigned epoch)
{
	size_t nf = profile_nfuncs(now), nn = profile_nnodes(now);

	if (d->map_p != now || d->map_epoch != epoch) {
		d->map_p = now;
		d->map_epoch = epoch;
		d->fmap_n = d->nmap_n = 0;
	}
	if (ud_grow(&d->fmap, &d->fmap_cap, nf) ||
	    ud_grow(&d->nmap, &d->nmap_cap, nn)) {
		d->map_p = NULL;
		return -ENOMEM;
	}
	for (; d->fmap_n < nf; d->fmap_n++)
		d->fmap[d->fmap_n] = UD_UNKNOWN;
	for (; d->nmap_n < nn; d->nmap_n++)
		d->nmap[d->nmap_n] = d->nmap_n ? UD_UNKNOWN : 0;   /* root to root */
	return 0;
}

static uint32_t ud_func(struct uidiff *d, const struct profile *now, uint32_t f)
{
	if (f >= d->fmap_n)
		return PROF_NONE;
	if (d->fmap[f] == UD_UNKNOWN)
		d->fmap[f] = ud_find_func(d, ud_str(profile_func_name(now, f)),
					  ud_str(profile_func_module(now, f)));
	return d->fmap[f];
}

/* now's node in the baseline: up to the nearest node already matched
 * (the root at worst), then down again matching each step. */
static uint32_t ud_node(struct uidiff *d, const struct profile *now, uint32_t node)
{
	size_t depth = 0;
	uint32_t at = node;

	while (d->nmap[at] == UD_UNKNOWN) {
		if (ud_grow(&d->chain, &d->chain_cap, depth + 1))
			return PROF_NONE;
		d->chain[depth++] = at;
		at = profile_node(now, at)->parent;
	}
	while (depth > 0) {
		const struct prof_node *pn = profile_node(now, d->chain[--depth]);
		uint32_t up = d->nmap[pn->parent], f = ud_func(d, now, pn->func);

		d->nmap[d->chain[depth]] = up == PROF_NONE || f == PROF_NONE ? PROF_NONE :
					   ud_find_node(d, up, f);
	}
	return d->nmap[node];
}

double uidiff_node_before(struct uidiff *d, const struct profile *now, unsigned epoch,
			  uint32_t node)
{
	uint64_t whole;
	uint32_t b;

	if (!d->base || !now || node >= profile_nnodes(now))
		return 0;
	whole = profile_stats_const(d->base)->samples;
	if (!whole || ud_map_sync(d, now, epoch))
		return 0;
	b = ud_node(d, now, node);
	return b == PROF_NONE ? 0 : 100.0 * (double)profile_node(d->base, b)->total / (double)whole;
}

int uidiff_level(double delta)
{
	static const double step[] = { UIDIFF_NEUTRAL_PP, 3.0, 15.0 };
	double a = fabs(delta);
	int level = 0;

	for (int i = 0; i < 3; i++)
		if (a >= step[i])
			level = i + 1;
	return delta < 0 ? -level : level;
}
