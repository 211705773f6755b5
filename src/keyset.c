/* keyset.c — a set of 64-bit keys (hashes) for remembered UI state, bounded in size. */
#include "proftui/keyset.h"

#include <errno.h>
#include <stdlib.h>

#define KEYSET_TOMB	((uint64_t)1)	/* keys are >= 2: 0 is empty, 1 deleted */

bool keyset_has(const struct keyset *s, uint64_t k)
{
	if (!s->slot)
		return false;
	for (size_t i = (size_t)k & s->mask; s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == k)
			return true;
	return false;
}

static void keyset_put(struct keyset *s, uint64_t k)
{
	size_t i = (size_t)k & s->mask;

	while (s->slot[i] > KEYSET_TOMB)
		i = (i + 1) & s->mask;
	s->tomb -= s->slot[i] == KEYSET_TOMB;
	s->slot[i] = k;
	s->used++;
}

/* Rehash to a table at most half full, dropping tombstones. */
static int keyset_rehash(struct keyset *s, size_t need)
{
	size_t n = 16, old = s->slot ? s->mask + 1 : 0;
	uint64_t *slot, *prev = s->slot;

	while (n < need * 2)
		n *= 2;
	slot = calloc(n, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*s = (struct keyset){ .slot = slot, .mask = n - 1 };
	for (size_t i = 0; i < old; i++)
		if (prev[i] > KEYSET_TOMB)
			keyset_put(s, prev[i]);
	free(prev);
	return 0;
}

int keyset_add(struct keyset *s, uint64_t k)
{
	if (keyset_has(s, k))
		return 0;
	if (s->used >= KEYSET_MAX) {
		/* Forgetting old expansions beats growing without bound. */
		free(s->slot);
		*s = (struct keyset){ 0 };
	}
	if (!s->slot || (s->used + s->tomb + 1) * 10 > (s->mask + 1) * 7)
		if (keyset_rehash(s, s->used + 1))
			return -ENOMEM;
	keyset_put(s, k);
	return 0;
}

void keyset_del(struct keyset *s, uint64_t k)
{
	if (!s->slot)
		return;
	for (size_t i = (size_t)k & s->mask; s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == k) {
			s->slot[i] = KEYSET_TOMB;
			s->used--;
			s->tomb++;
			return;
		}
}

void keyset_release(struct keyset *s)
{
	free(s->slot);
	*s = (struct keyset){ 0 };
}
