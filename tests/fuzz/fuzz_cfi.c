/* fuzz_cfi.c — libFuzzer target for cfi_lookup: no crash, no overread, and an OK rule keeps its promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/cfi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input: four little-endian u32s — the .eh_frame_hdr's and the table's
 * offsets in the image, the table's entry count, and pc's offset (signed)
 * — then the module image itself, placed at BASE.  The seeds in
 * tests/fuzz/corpus/cfi are test_cfi.c's hand-made images
 * (CFI_SEED_DIR=dir build/tests/test_cfi --filter cfi/write_fuzz_seeds).
 */
#define BASE 0x400000ull

struct img {
	const uint8_t *p;
	size_t len;
};

static const uint8_t *img_at(void *ctx, uint64_t vaddr, size_t len)
{
	const struct img *im = ctx;

	if (vaddr < BASE || vaddr - BASE > im->len || len > im->len - (vaddr - BASE))
		return NULL;
	return im->p + (vaddr - BASE);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void check(enum cfi_result res, const struct cfi_rule *r)
{
	static const struct cfi_rule zero;

	if (res == CFI_OK) {
		if ((r->cfa_reg != CFI_RSP && r->cfa_reg != CFI_RBP) ||
		    (r->ra_how != CFI_AT_CFA && r->ra_how != CFI_UNDEF) || r->rbp_how > CFI_AT_CFA)
			abort();
	} else if (res == CFI_NONE || res == CFI_UNSUPPORTED || res == CFI_BAD) {
		if (memcmp(r, &zero, sizeof(zero)))
			abort();
	} else {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img im;
	struct cfi_mem m = { img_at, &im };
	struct cfi_table t;
	struct cfi_rule r, again;
	uint64_t pc;
	uint8_t *copy;
	enum cfi_result res;

	if (size < 16)
		return 0;
	/* A copy of exactly the image, so ASan sees a read past its end. */
	im.len = size - 16;
	copy = malloc(im.len ? im.len : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 16, im.len);
	im.p = copy;
	t.hdr_vaddr = BASE + le32(data);
	t.table_vaddr = BASE + le32(data + 4);
	t.fde_count = le32(data + 8);
	pc = BASE + (uint64_t)(int64_t)(int32_t)le32(data + 12);
	res = cfi_lookup(&m, &t, pc, &r);
	check(res, &r);
	/* Nothing is kept between lookups. */
	if (cfi_lookup(&m, &t, pc, &again) != res || memcmp(&r, &again, sizeof(r)))
		abort();
	free(copy);
	return 0;
}
