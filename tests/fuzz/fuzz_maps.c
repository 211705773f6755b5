/* fuzz_maps.c — libFuzzer target for maps_parse: no crash, and the table keeps its promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sorted, non-empty, disjoint, and every entry found at both of its ends. */
static void check(const struct maps *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct map_entry *e = &m->v[i];

		if (e->start >= e->end || !e->path || strlen(e->path) > 4 * 4096)
			abort();
		if (i > 0 && e->start < m->v[i - 1].end)
			abort();
		if (maps_find(m, e->start) != e || maps_find(m, e->end - 1) != e)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct maps m;
	size_t bad;

	if (maps_parse((const char *)data, size, &m, &bad) != 0)
		return 0;
	check(&m);
	maps_release(&m);
	return 0;
}
