/* kallsyms.c — kernel function names from /proc/kallsyms: load once, look addresses up. */
#include "proftui/kallsyms.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/textscan.h"

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
	bool nonzero = false;
	size_t cap = 0, i, k = 0;
	char *line = NULL;

	if (!f)
		return -errno;
	/* stdio would read this 5 MB file 1 KiB (its st_blksize) at a time. */
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	while (b.n < KSYM_MAX && getline(&line, &cap, f) > 0)
		if (ksym_add(&b, line, &nonzero) < 0)
			break;
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
	return 0;
}

const char *kallsyms_lookup(const struct kallsyms *ks, uint64_t addr, uint64_t *sym_off)
{
	const struct kallsyms_ent *k;
	size_t lo;
	uint64_t end;

	if (sym_off)
		*sym_off = 0;
	lo = ts_upper(ks->v, ks->n, sizeof(*ks->v), offsetof(struct kallsyms_ent, addr), addr);
	if (!lo)
		return NULL;
	k = &ks->v[lo - 1];
	/* The last symbol has no known end: only its first byte is its own. */
	end = lo < ks->n ? ks->v[lo].addr : k->addr + 1;
	if (end - k->addr > KSYM_MAX_SPAN)
		end = k->addr + KSYM_MAX_SPAN;
	if (k->name == KSYM_NO_NAME || addr >= end)
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
