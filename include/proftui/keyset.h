/* keyset.h — a set of 64-bit keys (hashes) for remembered UI state, bounded in size. */
#ifndef PROFTUI_KEYSET_H
#define PROFTUI_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Open addressing with linear probing and tombstones; the keys are used as
 * their own hash, so they must already be well mixed, and must be >= 2 (0
 * and 1 mark empty and deleted slots).  The call-tree view keeps the paths
 * of its open nodes here (sandwich.h).  At most KEYSET_MAX keys: adding one
 * more first forgets all the others, since for remembered expansions
 * forgetting beats growing without bound.  Zeroed is an empty set.
 */

#define KEYSET_MAX	((size_t)1 << 20)

struct keyset {
	uint64_t *slot;
	size_t mask, used, tomb;
};

bool keyset_has(const struct keyset *s, uint64_t k);
/* 0 (also when k was there), or -ENOMEM: k was not added. */
int keyset_add(struct keyset *s, uint64_t k);
void keyset_del(struct keyset *s, uint64_t k);
/* Free and empty s. */
void keyset_release(struct keyset *s);

#endif
