/* fuzz_kcache.c — libFuzzer target for the kallsyms cache file parser: no crash, only exact files load. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/kallsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Offsets of the format (kallsyms.h). */
#define HDR     184
#define SUM_AT  24
#define ENT     12

/* The key the seeds in tests/fuzz/corpus/kcache were written with
 * (tests/test_kcache.c, write_fuzz_seeds). */
static const struct kallsyms_key key = {
	.boot_id = "00000000-0000-0000-0000-000000000000",
	.release = "6.1.0-fuzz",
	.loaded = 1,
};

static uint64_t get(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Each entry's own address names it (or nothing, for an unnamed one). */
static void check_lookups(const struct kallsyms *k, const uint8_t *p, size_t n)
{
	const char *names = (const char *)p + HDR + n * ENT;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = p + HDR + i * ENT;
		uint64_t off = 1;
		const char *got = kallsyms_lookup(k, get(e, 8), &off);
		uint32_t name = (uint32_t)get(e + 8, 4);

		if (name == UINT32_MAX ? got != NULL : !got || strcmp(got, names + name) || off)
			abort();
	}
}

/* What loads writes back as the very same bytes. */
static void check_rewrite(const struct kallsyms *k, const uint8_t *p, size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	if (kallsyms_save(k, f, &key) || fclose(f) || len != size || memcmp(buf, p, size))
		abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kallsyms k = { 0 };
	uint8_t *p = malloc(size ? size : 1);
	uint64_t sum;

	if (!p)
		return 0;
	memcpy(p, data, size);
	/* A forger can compute the hash too: fix it so the checks behind it
	 * get explored (test_kcache covers the hash itself). */
	if (size >= HDR) {
		sum = kallsyms_hash(p + HDR, size - HDR, 0);
		for (int i = 0; i < 8; i++)
			p[SUM_AT + i] = (uint8_t)(sum >> (8 * i));
	}
	if (kallsyms_parse_cache(&k, p, size, &key) == 0) {
		if (!k.n || !k.v)
			abort();
		check_lookups(&k, p, k.n);
		check_rewrite(&k, p, size);
		kallsyms_release(&k);
	} else if (k.n || k.v || k.names) {
		abort();
	}
	free(p);
	return 0;
}
