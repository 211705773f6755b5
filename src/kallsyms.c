/* kallsyms.c — kernel function names from /proc/kallsyms: load once, look addresses up. */
#include "proftui/kallsyms.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/textscan.h"

#define KSYM_CACHE_MAGIC   KALLSYMS_CACHE_MAGIC
#define KSYM_CACHE_VERSION 1u
#define KSYM_CACHE_HDR     184
#define KSYM_CACHE_SUM_AT  24              /* the hash of everything after the header */
#define KSYM_CACHE_KEY_AT  32
#define KSYM_CACHE_ENT     12              /* u64 address, u32 name offset */

#define KSYM_MAX         2000000UL
#define KSYM_MAX_SPAN    (1ULL << 20)     /* no kernel function is this big */
#define KSYM_MAX_NAME    4095             /* longer names are truncated */
#define KSYM_NO_NAME     UINT32_MAX

struct kallsyms_ent {
	uint64_t addr;
	uint32_t name;          /* KSYM_NO_NAME: not text, only ends the previous one */
	uint32_t pref;          /* rank << 24 | line: lower wins among aliases */
};

/* Text symbols rank before others at one address; T, W, t, w in that order. */
static uint32_t ksym_rank(char type)
{
	switch (type) {
	case 'T': return 0;
	case 'W': return 1;
	case 't': return 2;
	case 'w': return 3;
	default: return 4;
	}
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct kallsyms_ent *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

struct ksym_buf {
	struct kallsyms_ent *v;
	size_t n, cap;
	char *names;
	size_t nlen, ncap;
};

static int ksym_push_name(struct ksym_buf *b, const char *s, size_t len, uint32_t *off)
{
	if (b->nlen + len + 1 > b->ncap) {
		size_t cap = b->ncap ? b->ncap * 2 : 1 << 20;
		char *p;

		while (cap < b->nlen + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX)
			return -E2BIG;
		p = realloc(b->names, cap);
		if (!p)
			return -ENOMEM;
		b->names = p;
		b->ncap = cap;
	}
	memcpy(b->names + b->nlen, s, len);
	b->names[b->nlen + len] = '\0';
	*off = (uint32_t)b->nlen;
	b->nlen += len + 1;
	return 0;
}

/* One "addr type name\t[module]" line; non-text symbols only bound the others. */
static int ksym_add(struct ksym_buf *b, const char *line, bool *nonzero)
{
	unsigned long long addr;
	const char *name;
	char *end;
	size_t len;
	uint32_t rank, off = KSYM_NO_NAME;

	addr = strtoull(line, &end, 16);
	if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
		return 0;
	rank = ksym_rank(end[1]);
	name = end + 3;
	len = strcspn(name, "\t\n");
	if (!len)
		return 0;
	if (len > KSYM_MAX_NAME)
		len = KSYM_MAX_NAME;
	if (addr)
		*nonzero = true;
	if (rank < 4 && ksym_push_name(b, name, len, &off) < 0)
		return -ENOMEM;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		struct kallsyms_ent *v;

		if (cap > KSYM_MAX)
			cap = KSYM_MAX;
		v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n] = (struct kallsyms_ent){ .addr = addr, .name = off,
		.pref = rank << 24 | (uint32_t)b->n };
	b->n++;
	return 0;
}

int kallsyms_load(struct kallsyms *ks, const char *path)
{
	struct ksym_buf b = { 0 };
	FILE *f = fopen(path, "re");
	bool nonzero = false, cut = false;
	size_t cap = 0, i, k = 0;
	char *line = NULL;

	if (!f)
		return -errno;
	/* stdio would read this 5 MB file 1 KiB (its st_blksize) at a time. */
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	while (b.n < KSYM_MAX && getline(&line, &cap, f) > 0) {
		if (ksym_add(&b, line, &nonzero) < 0) {
			cut = true;
			break;
		}
	}
	free(line);
	fclose(f);
	if (!nonzero || !b.n) {
		free(b.v);
		free(b.names);
		return 0;
	}
	qsort(b.v, b.n, sizeof(*b.v), ksym_cmp);
	for (i = 0; i < b.n; i++)
		if (!k || b.v[i].addr != b.v[k - 1].addr)
			b.v[k++] = b.v[i];
	ks->v = b.v;
	ks->n = k;
	ks->names = b.names;
	ks->cut = cut;
	return 0;
}

const char *kallsyms_lookup(const struct kallsyms *ks, uint64_t addr, uint64_t *sym_off)
{
	const struct kallsyms_ent *k;
	size_t lo;
	uint64_t span;

	if (sym_off)
		*sym_off = 0;
	lo = ts_upper(ks->v, ks->n, sizeof(*ks->v), offsetof(struct kallsyms_ent, addr), addr);
	if (!lo)
		return NULL;
	k = &ks->v[lo - 1];
	/* The last symbol has no known end: only its first byte is its own.
	 * Sizes, not ends, so a symbol at the top of the address space works. */
	span = lo < ks->n ? ks->v[lo].addr - k->addr : 1;
	if (span > KSYM_MAX_SPAN)
		span = KSYM_MAX_SPAN;
	if (k->name == KSYM_NO_NAME || addr - k->addr >= span)
		return NULL;
	if (sym_off)
		*sym_off = addr - k->addr;
	return ks->names + k->name;
}

void kallsyms_release(struct kallsyms *ks)
{
	free(ks->v);
	free(ks->names);
	memset(ks, 0, sizeof(*ks));
}

/* ---- the cache file (kcache.c decides where it lives and whether to trust it) ---- */

#define KSYM_HASH_MUL 0x9e3779b97f4a7c15ULL

/* Little-endian loads; memcpy so the compiler makes each one load. */
static uint64_t ksym_get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static uint32_t ksym_get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static void ksym_put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void ksym_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t ksym_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * KSYM_HASH_MUL;
	return h ^ h >> 32;
}

/*
 * Word at a time in four lanes (a multiply's latency would otherwise bound
 * it: ~1 ms for a full kernel's table).  Each step is a bijection of its
 * lane for a given word, and so is folding the lanes for any one lane, so
 * any one changed word (any flipped byte) always changes the result.
 */
uint64_t kallsyms_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	unsigned char tail[8] = { 0 };
	uint64_t h[4], r;

	h[0] = seed ^ 0x243f6a8885a308d3ULL ^ (uint64_t)n * KSYM_HASH_MUL;
	h[1] = h[0] + 1;
	h[2] = h[0] + 2;
	h[3] = h[0] + 3;
	for (; n >= 32; s += 32, n -= 32)
		for (int i = 0; i < 4; i++)
			h[i] = ksym_mix(h[i], ksym_get64(s + 8 * i));
	for (; n >= 8; s += 8, n -= 8)
		h[0] = ksym_mix(h[0], ksym_get64(s));
	if (n) {
		memcpy(tail, s, n);
		h[0] = ksym_mix(h[0], ksym_get64(tail));
	}
	r = ksym_mix(ksym_mix(ksym_mix(h[0], h[1]), h[2]), h[3]);
	r ^= r >> 29;
	r *= 0xbf58476d1ce4e5b9ULL;
	return r ^ r >> 32;
}

/* The key as its 152 bytes in the file; -EINVAL when a string does not fit. */
static int ksym_put_key(unsigned char *p, const struct kallsyms_key *key)
{
	size_t b = strnlen(key->boot_id, KALLSYMS_KEY_STR);
	size_t r = strnlen(key->release, KALLSYMS_KEY_STR);

	if (b == KALLSYMS_KEY_STR || r == KALLSYMS_KEY_STR)
		return -EINVAL;
	memset(p, 0, 2 * KALLSYMS_KEY_STR);
	memcpy(p, key->boot_id, b);
	memcpy(p + KALLSYMS_KEY_STR, key->release, r);
	ksym_put64(p + 2 * KALLSYMS_KEY_STR, key->loaded);
	return 0;
}

/* Bytes of the names as saved: only named entries', in entry order. */
static size_t ksym_names_len(const struct kallsyms *ks)
{
	size_t len = 0;

	for (size_t i = 0; i < ks->n; i++)
		if (ks->v[i].name != KSYM_NO_NAME)
			len += strlen(ks->names + ks->v[i].name) + 1;
	return len;
}

/* The whole file in memory, so its hash can go in the header. */
static int ksym_encode(const struct kallsyms *ks, const struct kallsyms_key *key,
		       unsigned char **out, size_t *len)
{
	size_t nlen = ksym_names_len(ks), ents = ks->n * KSYM_CACHE_ENT, off = 0;
	unsigned char *buf, *e, *names;

	if (!ks->n || ks->n > KSYM_MAX || nlen >= UINT32_MAX)
		return -EINVAL;
	*len = KSYM_CACHE_HDR + ents + nlen;
	buf = malloc(*len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, KSYM_CACHE_MAGIC, 8);
	ksym_put32(buf + 8, KSYM_CACHE_VERSION);
	ksym_put32(buf + 12, (uint32_t)ks->n);
	ksym_put32(buf + 16, (uint32_t)nlen);
	ksym_put32(buf + 20, 0);
	if (ksym_put_key(buf + KSYM_CACHE_KEY_AT, key) < 0) {
		free(buf);
		return -EINVAL;
	}
	e = buf + KSYM_CACHE_HDR;
	names = e + ents;
	for (size_t i = 0; i < ks->n; i++, e += KSYM_CACHE_ENT) {
		uint32_t name = ks->v[i].name;

		ksym_put64(e, ks->v[i].addr);
		ksym_put32(e + 8, name == KSYM_NO_NAME ? KSYM_NO_NAME : (uint32_t)off);
		if (name != KSYM_NO_NAME) {
			size_t l = strlen(ks->names + name) + 1;

			memcpy(names + off, ks->names + name, l);
			off += l;
		}
	}
	ksym_put64(buf + KSYM_CACHE_SUM_AT,
		   kallsyms_hash(buf + KSYM_CACHE_HDR, *len - KSYM_CACHE_HDR, 0));
	*out = buf;
	return 0;
}

int kallsyms_save(const struct kallsyms *ks, FILE *fp, const struct kallsyms_key *key)
{
	unsigned char *buf;
	size_t len;
	int ret = ksym_encode(ks, key, &buf, &len);

	if (ret)
		return ret;
	errno = 0;
	if (fwrite(buf, 1, len, fp) != len)
		ret = errno ? -errno : -EIO;
	free(buf);
	return ret;
}

/* Header checks: the sizes it claims are exactly the file's, without overflow. */
static int ksym_check_header(const unsigned char *p, size_t len, const struct kallsyms_key *key,
			     size_t *n, size_t *nlen)
{
	unsigned char want[2 * KALLSYMS_KEY_STR + 8];

	if (len < KSYM_CACHE_HDR || memcmp(p, KSYM_CACHE_MAGIC, 8) ||
	    ksym_get32(p + 8) != KSYM_CACHE_VERSION || ksym_get32(p + 20) != 0)
		return -EINVAL;
	if (ksym_put_key(want, key) < 0 || memcmp(p + KSYM_CACHE_KEY_AT, want, sizeof(want)))
		return -ESTALE;
	*n = ksym_get32(p + 12);
	*nlen = ksym_get32(p + 16);
	len -= KSYM_CACHE_HDR;
	if (!*n || *n > KSYM_MAX || *n > len / KSYM_CACHE_ENT ||
	    *nlen != len - *n * KSYM_CACHE_ENT || *nlen >= UINT32_MAX)
		return -EINVAL;
	if (ksym_get64(p + KSYM_CACHE_SUM_AT) != kallsyms_hash(p + KSYM_CACHE_HDR, len, 0))
		return -EINVAL;
	return 0;
}

/*
 * Entries ascend strictly, and each name is where the writer would put it:
 * right after the previous one, non-empty, no longer than a loaded name,
 * ended within the names; together they fill the names exactly.
 */
static int ksym_decode(struct kallsyms_ent *v, size_t n, const unsigned char *e,
		       const char *names, size_t nlen)
{
	size_t off = 0;

	for (size_t i = 0; i < n; i++, e += KSYM_CACHE_ENT) {
		const char *end;

		v[i] = (struct kallsyms_ent){ .addr = ksym_get64(e), .name = ksym_get32(e + 8) };
		if (i && v[i].addr <= v[i - 1].addr)
			return -EINVAL;
		if (v[i].name == KSYM_NO_NAME)
			continue;
		/* off == nlen: no names left (names may even be NULL). */
		if (v[i].name != off || off >= nlen)
			return -EINVAL;
		end = memchr(names + off, '\0', nlen - off);
		if (!end || end == names + off || (size_t)(end - (names + off)) > KSYM_MAX_NAME)
			return -EINVAL;
		off = (size_t)(end - names) + 1;
	}
	return off == nlen ? 0 : -EINVAL;
}

int kallsyms_parse_cache(struct kallsyms *ks, const void *buf, size_t len,
			 const struct kallsyms_key *key)
{
	const unsigned char *p = buf;
	struct kallsyms t = { 0 };
	size_t n, nlen;
	int ret;

	ret = ksym_check_header(p, len, key, &n, &nlen);
	if (ret)
		return ret;
	t.v = malloc(n * sizeof(*t.v));
	t.names = nlen ? malloc(nlen) : NULL;
	if (!t.v || (nlen && !t.names)) {
		kallsyms_release(&t);
		return -ENOMEM;
	}
	if (nlen)
		memcpy(t.names, p + KSYM_CACHE_HDR + n * KSYM_CACHE_ENT, nlen);
	ret = ksym_decode(t.v, n, p + KSYM_CACHE_HDR, t.names, nlen);
	if (ret) {
		kallsyms_release(&t);
		return ret;
	}
	t.n = n;
	*ks = t;
	return 0;
}
