/* fuzz_snapshot.c — libFuzzer target for snapshot_parse: no crash, one-line errors, stable rewrites. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The snapshot written to memory; NULL when writing failed. */
static char *write_mem(const struct snapshot *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int err;

	if (!f)
		return NULL;
	err = snapshot_write(f, s->prof, &s->meta, s->hist);
	if (fclose(f) || err) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Whatever loads must write out and load again to the very same bytes. */
static void check_stable(const struct snapshot *s)
{
	struct snapshot *again = NULL;
	char err[512], *a, *b;
	size_t alen, blen;

	a = write_mem(s, &alen);
	if (!a)
		return;
	if (snapshot_parse(a, alen, "rewritten", &again, err, sizeof(err)))
		abort();
	b = write_mem(again, &blen);
	if (!b || blen != alen || memcmp(a, b, alen))
		abort();
	free(a);
	free(b);
	snapshot_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot *s = NULL;
	char err[512];
	int rc = snapshot_parse((const char *)data, size, "fuzz", &s, err, sizeof(err));

	if (rc) {
		/* Refusals say where, in one line. */
		if (s || rc >= 0 || strncmp(err, "snapshot fuzz: ", 15) || strchr(err, '\n'))
			abort();
		return 0;
	}
	check_stable(s);
	snapshot_free(s);
	return 0;
}
