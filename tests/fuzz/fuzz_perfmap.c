/* fuzz_perfmap.c — libFuzzer target for perfmap_parse: no crash, and the table keeps its promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/perfmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sorted, disjoint, no wrap-around, named, and every symbol found at both of its ends. */
static void check(const struct perfmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct perfmap_sym *s = &m->v[i];

		if (s->size == 0 || s->size > UINT64_MAX - s->start || !s->name || !s->name[0])
			abort();
		if (i > 0 && s->start - m->v[i - 1].start < m->v[i - 1].size)
			abort();
		if (perfmap_lookup(m, s->start) != s || perfmap_lookup(m, s->start + s->size - 1) != s)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perfmap m;
	size_t bad;

	if (perfmap_parse((const char *)data, size, &m, &bad) != 0)
		return 0;
	if (m.file_size != size)
		abort();
	check(&m);
	perfmap_release(&m);
	return 0;
}
