/* test_cfi.c — the call-frame rule at one address: hand-made .eh_frame, real binaries against readelf, garbage. */
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/cfi.h"
#include "tmpdir.h"

/* ---- a module image served by cfi_mem ------------------------------------- */

struct buf {
	const uint8_t *p;
	size_t len;
	uint64_t base;          /* ELF vaddr of p[0] */
};

static const uint8_t *buf_at(void *ctx, uint64_t vaddr, size_t len)
{
	const struct buf *b = ctx;

	if (vaddr < b->base || vaddr - b->base > b->len || len > b->len - (vaddr - b->base))
		return NULL;
	return b->p + (vaddr - b->base);
}

/* ---- building .eh_frame + .eh_frame_hdr by hand ---------------------------- */

#define IMG_BASE 0x400000ull
#define IMG_MAX  4096
#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

struct img {
	uint8_t b[IMG_MAX];
	size_t len;
	struct cfi_table t;
};

static void put(struct img *im, const void *p, size_t n)
{
	cr_assert_leq(n, IMG_MAX - im->len, "image full");
	if (n)
		memcpy(im->b + im->len, p, n);
	im->len += n;
}

static void put_u8(struct img *im, uint8_t v)
{
	put(im, &v, 1);
}

static void put_le(struct img *im, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put_u8(im, (uint8_t)(v >> (8 * i)));
}

static void put_leb(struct img *im, uint64_t v, bool sign)
{
	for (;;) {
		uint8_t b = v & 0x7f;
		bool done;

		v = sign && (v >> 63) ? (v >> 7) | (~0ull << 57) : v >> 7;
		done = sign ? (v == 0 && !(b & 0x40)) || (v == ~0ull && (b & 0x40)) : v == 0;
		put_u8(im, done ? b : (uint8_t)(b | 0x80));
		if (done)
			return;
	}
}

static void patch_le(struct img *im, size_t at, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		im->b[at + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t vaddr_of(const struct img *im, size_t off)
{
	(void)im;
	return IMG_BASE + off;
}

/* A pointer in encoding enc (format and pcrel only) at the current end. */
static void put_enc(struct img *im, uint8_t enc, uint64_t v)
{
	if ((enc & 0x70) == 0x10 && v)
		v -= vaddr_of(im, im->len);
	switch (enc & 0x0f) {
	case 0x00: case 0x04: case 0x0c: put_le(im, v, 8); break;
	case 0x01: put_leb(im, v, false); break;
	case 0x09: put_leb(im, v, true); break;
	case 0x02: case 0x0a: put_le(im, v, 2); break;
	default: put_le(im, v, 4); break;
	}
}

/* One CIE or FDE; zero fields take the usual gcc values. */
struct spec {
	unsigned version;               /* CIE: 0 = 1 */
	const char *aug;                /* CIE: NULL = "zR" */
	const uint8_t *augd;            /* augmentation data; NULL = { 0x1b } for a CIE */
	size_t augd_len;
	bool no_z;                      /* FDE: its CIE has no 'z' */
	uint64_t caf;                   /* 0 = 1 */
	int64_t daf;                    /* 0 = -8 */
	unsigned ra;                    /* 0 = 16 */
	const uint8_t *ins;
	size_t ins_len;
	bool wide;                      /* 64-bit framing */
	uint8_t enc;                    /* FDE: how pc_begin is written, 0 = 0x1b */
};

static size_t ent_start(struct img *im, bool wide)
{
	size_t at = im->len;

	if (wide) {
		put_le(im, 0xffffffff, 4);
		put_le(im, 0, 8);
	} else {
		put_le(im, 0, 4);
	}
	return at;
}

static void ent_end(struct img *im, size_t at, bool wide)
{
	if (wide)
		patch_le(im, at + 4, im->len - at - 12, 8);
	else
		patch_le(im, at, im->len - at - 4, 4);
}

static size_t cie(struct img *im, struct spec s)
{
	const char *aug = s.aug ? s.aug : "zR";
	size_t at = ent_start(im, s.wide);
	unsigned version = s.version ? s.version : 1;

	put_le(im, 0, s.wide ? 8 : 4);
	put_u8(im, (uint8_t)version);
	put(im, aug, strlen(aug) + 1);
	put_leb(im, s.caf ? s.caf : 1, false);
	put_leb(im, (uint64_t)(s.daf ? s.daf : -8), true);
	if (version == 1)
		put_u8(im, (uint8_t)(s.ra ? s.ra : 16));
	else
		put_leb(im, s.ra ? s.ra : 16, false);
	if (aug[0] == 'z') {
		const uint8_t *d = s.augd ? s.augd : (const uint8_t[]){ 0x1b };
		size_t n = s.augd ? s.augd_len : 1;

		put_leb(im, n, false);
		put(im, d, n);
	}
	put(im, s.ins, s.ins_len);
	ent_end(im, at, s.wide);
	return at;
}

static size_t fde(struct img *im, size_t cie_at, uint64_t pc, uint64_t range, struct spec s)
{
	size_t at = ent_start(im, s.wide);
	uint8_t enc = s.enc ? s.enc : 0x1b;

	put_le(im, im->len - cie_at, s.wide ? 8 : 4);
	put_enc(im, enc, pc);
	put_enc(im, enc & 0x0f, range);
	if (!s.no_z) {
		put_leb(im, s.augd_len, false);
		put(im, s.augd, s.augd_len);
	}
	put(im, s.ins, s.ins_len);
	ent_end(im, at, s.wide);
	return at;
}

/* The .eh_frame_hdr and its table over FDEs given in pc order. */
static void hdr(struct img *im, const size_t *fdes, const uint64_t *pcs, size_t n)
{
	uint64_t h;

	put_le(im, 0, 4);                       /* .eh_frame terminator */
	while (im->len % 4)
		put_u8(im, 0);
	h = vaddr_of(im, im->len);
	put(im, BYTES(1, 0x1b, 0x03, 0x3b));
	put_le(im, IMG_BASE - vaddr_of(im, im->len), 4);
	put_le(im, n, 4);
	im->t = (struct cfi_table){ h, vaddr_of(im, im->len), n };
	for (size_t i = 0; i < n; i++) {
		put_le(im, pcs[i] - h, 4);
		put_le(im, vaddr_of(im, fdes[i]) - h, 4);
	}
}

static enum cfi_result look(const struct img *im, uint64_t pc, struct cfi_rule *r)
{
	struct buf b = { im->b, im->len, IMG_BASE };
	struct cfi_mem m = { buf_at, &b };

	return cfi_lookup(&m, &im->t, pc, r);
}

/* The usual CIE: CFA = rsp+8, RA at CFA-8. */
#define STD_CIE_INS BYTES(0x0c, 0x07, 0x08, 0x90, 0x01)

/* One FDE over [pc, pc+range) under a CIE built from cs. */
static void one_fde(struct img *im, struct spec cs, uint64_t pc, uint64_t range, struct spec fs)
{
	size_t c, f;

	memset(im, 0, sizeof(*im));
	if (!cs.ins) {
		static const uint8_t std[] = { 0x0c, 0x07, 0x08, 0x90, 0x01 };

		cs.ins = std;
		cs.ins_len = sizeof(std);
	}
	c = cie(im, cs);
	f = fde(im, c, pc, range, fs);
	hdr(im, &f, &pc, 1);
}

static void expect_rule(const struct img *im, uint64_t pc, uint8_t cfa_reg, int32_t cfa_off,
			uint8_t ra_how, int32_t ra_off, uint8_t rbp_how, int32_t rbp_off)
{
	struct cfi_rule r;
	enum cfi_result res = look(im, pc, &r);

	cr_assert_eq(res, CFI_OK, "pc %#llx: result %d", (unsigned long long)pc, res);
	cr_expect_eq(r.cfa_reg, cfa_reg, "pc %#llx: CFA reg %u", (unsigned long long)pc, r.cfa_reg);
	cr_expect_eq(r.cfa_off, cfa_off, "pc %#llx: CFA off %d", (unsigned long long)pc, r.cfa_off);
	cr_expect_eq(r.ra_how, ra_how, "pc %#llx: ra how %u", (unsigned long long)pc, r.ra_how);
	if (ra_how == CFI_AT_CFA)
		cr_expect_eq(r.ra_off, ra_off, "pc %#llx: ra off %d", (unsigned long long)pc,
			     r.ra_off);
	cr_expect_eq(r.rbp_how, rbp_how, "pc %#llx: rbp how %u", (unsigned long long)pc, r.rbp_how);
	if (rbp_how == CFI_AT_CFA)
		cr_expect_eq(r.rbp_off, rbp_off, "pc %#llx: rbp off %d", (unsigned long long)pc,
			     r.rbp_off);
}

static void expect_res(const struct img *im, uint64_t pc, enum cfi_result want)
{
	struct cfi_rule r;
	enum cfi_result res = look(im, pc, &r);

	cr_assert_eq(res, want, "pc %#llx: result %d, want %d", (unsigned long long)pc, res, want);
	if (res != CFI_OK)
		cr_assert_eq(r.cfa_reg + r.cfa_off + r.ra_how + r.rbp_how, 0, "rule not zeroed");
}

/* rsp+off with RA at -8 and rbp unchanged. */
static void expect_rsp(const struct img *im, uint64_t pc, int32_t off)
{
	expect_rule(im, pc, CFI_RSP, off, CFI_AT_CFA, -8, CFI_SAME, 0);
}

/*
 * Two functions as gcc -O2 -fno-omit-frame-pointer writes them: the first
 * with the frame-pointer prologue and a mid-function epilogue wrapped in
 * remember/restore_state, the second a leaf with no instructions at all.
 */
#define F1 0x401000ull
#define F2 0x401080ull
static void gcc_image(struct img *im)
{
	size_t c, f[2];
	uint64_t pcs[2] = { F1, F2 };

	memset(im, 0, sizeof(*im));
	c = cie(im, (struct spec){ .ins = STD_CIE_INS });
	f[0] = fde(im, c, F1, 0x40, (struct spec){ .ins = BYTES(
		0x41, 0x0e, 0x10, 0x86, 0x02,          /* push %rbp */
		0x43, 0x0d, 0x06,                      /* mov %rsp,%rbp */
		0x6d, 0x0a, 0x0c, 0x07, 0x08,          /* leave at 0x30: remember; CFA rsp+8 */
		0x41, 0x0b,                            /* ret at 0x31; restore at 0x32 */
		0x00, 0x00) });
	f[1] = fde(im, c, F2, 0x20, (struct spec){ 0 });
	hdr(im, f, pcs, 2);
}

Test(cfi, gcc_prologue_and_epilogue)
{
	struct img im;

	gcc_image(&im);
	expect_rsp(&im, F1, 8);                                 /* before the first row */
	/* On a row boundary. */
	expect_rule(&im, F1 + 1, CFI_RSP, 16, CFI_AT_CFA, -8, CFI_AT_CFA, -16);
	expect_rule(&im, F1 + 3, CFI_RSP, 16, CFI_AT_CFA, -8, CFI_AT_CFA, -16);
	expect_rule(&im, F1 + 4, CFI_RBP, 16, CFI_AT_CFA, -8, CFI_AT_CFA, -16);
	expect_rule(&im, F1 + 0x30, CFI_RBP, 16, CFI_AT_CFA, -8, CFI_AT_CFA, -16);
	expect_rule(&im, F1 + 0x31, CFI_RSP, 8, CFI_AT_CFA, -8, CFI_AT_CFA, -16);
	expect_rule(&im, F1 + 0x32, CFI_RBP, 16, CFI_AT_CFA, -8, CFI_AT_CFA, -16);
	expect_rule(&im, F1 + 0x3f, CFI_RBP, 16, CFI_AT_CFA, -8, CFI_AT_CFA, -16);
	expect_rsp(&im, F2, 8);
	expect_rsp(&im, F2 + 0x1f, 8);
}

Test(cfi, outside_every_fde)
{
	struct img im;

	gcc_image(&im);
	expect_res(&im, F1 - 1, CFI_NONE);
	expect_res(&im, F1 + 0x40, CFI_NONE);                   /* between the FDEs */
	expect_res(&im, F2 - 1, CFI_NONE);
	expect_res(&im, F2 + 0x20, CFI_NONE);
	expect_res(&im, 0, CFI_NONE);
	expect_res(&im, ~0ull, CFI_NONE);
	expect_res(&im, IMG_BASE, CFI_NONE);
}

Test(cfi, empty_table_and_odd_targets)
{
	struct img im;
	size_t c, f;
	uint64_t pc = F1;

	gcc_image(&im);
	im.t.fde_count = 0;
	expect_res(&im, F1, CFI_NONE);
	gcc_image(&im);
	im.t.table_vaddr += 4096;                               /* the table is not there */
	expect_res(&im, F1, CFI_BAD);
	gcc_image(&im);
	im.t.fde_count = 1ull << 40;
	expect_res(&im, F1, CFI_BAD);

	/* A table entry at a CIE, and one at the terminator: no info. */
	memset(&im, 0, sizeof(im));
	c = cie(&im, (struct spec){ .ins = STD_CIE_INS });
	hdr(&im, &c, &pc, 1);
	expect_res(&im, F1, CFI_NONE);
	memset(&im, 0, sizeof(im));
	c = cie(&im, (struct spec){ .ins = STD_CIE_INS });
	f = im.len;
	hdr(&im, &f, &pc, 1);
	expect_res(&im, F1, CFI_NONE);
}

Test(cfi, undefined_ra_and_rbp)
{
	struct img im;

	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = BYTES(0x07, 0x10) });
	expect_rule(&im, F1, CFI_RSP, 8, CFI_UNDEF, 0, CFI_SAME, 0);
	one_fde(&im, (struct spec){ .ins = BYTES(0x0c, 0x07, 0x08, 0x07, 0x10) }, F1, 0x10,
		(struct spec){ 0 });
	expect_rule(&im, F1 + 5, CFI_RSP, 8, CFI_UNDEF, 0, CFI_SAME, 0);
	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = BYTES(0x42, 0x07, 0x06) });
	expect_rule(&im, F1 + 1, CFI_RSP, 8, CFI_AT_CFA, -8, CFI_SAME, 0);
	expect_rule(&im, F1 + 2, CFI_RSP, 8, CFI_AT_CFA, -8, CFI_UNDEF, 0);
}

Test(cfi, def_cfa_expression_unsupported)
{
	struct img im;

	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = BYTES(
		0x44, 0x0f, 0x03, 0x77, 0x08, 0x06) });
	expect_rsp(&im, F1 + 3, 8);
	expect_res(&im, F1 + 4, CFI_UNSUPPORTED);
	expect_res(&im, F1 + 0xf, CFI_UNSUPPORTED);
	expect_res(&im, F1 + 0x10, CFI_NONE);
	/* A register's expression rule: libunwind evaluates it at every step. */
	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = BYTES(
		0x44, 0x10, 0x03, 0x02, 0x77, 0x00) });
	expect_rsp(&im, F1, 8);
	expect_res(&im, F1 + 4, CFI_UNSUPPORTED);
	/* ... and then a plain rule again: supported. */
	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = BYTES(
		0x44, 0x16, 0x03, 0x02, 0x77, 0x00, 0x41, 0x08, 0x03) });
	expect_res(&im, F1 + 4, CFI_UNSUPPORTED);
	expect_rsp(&im, F1 + 5, 8);
}

Test(cfi, signal_frame_unsupported)
{
	struct img im;

	one_fde(&im, (struct spec){ .aug = "zRS" }, F1, 0x10, (struct spec){ 0 });
	expect_res(&im, F1, CFI_UNSUPPORTED);
	expect_res(&im, F1 + 0x10, CFI_NONE);
}

Test(cfi, personality_and_lsda_skipped)
{
	struct img im;
	size_t c, f;
	uint64_t pc = F1, slot;

	/* "zPLR": personality indirect|pcrel|sdata4 through an 8-byte slot,
	 * LSDA pcrel sdata4, FDE addresses pcrel sdata4. */
	memset(&im, 0, sizeof(im));
	put_le(&im, 0x1234, 8);
	slot = IMG_BASE;
	c = im.len;
	put_le(&im, 0, 4);
	put_le(&im, 0, 4);
	put(&im, BYTES(1, 'z', 'P', 'L', 'R', 0, 1, 0x78, 16, 7, 0x9b));
	put_le(&im, slot - vaddr_of(&im, im.len), 4);
	put(&im, BYTES(0x1b, 0x1b, 0x0c, 0x07, 0x08, 0x90, 0x01));
	patch_le(&im, c, im.len - c - 4, 4);
	f = fde(&im, c, F1, 0x10, (struct spec){ .augd = BYTES(0x10, 0x20, 0x00, 0x00),
		.ins = BYTES(0x41, 0x0e, 0x10) });
	hdr(&im, &f, &pc, 1);
	expect_rsp(&im, F1, 8);
	expect_rsp(&im, F1 + 1, 16);

	/* The personality slot unreadable: libunwind's read would fail. */
	patch_le(&im, c + 19, IMG_BASE + 0x100000 - vaddr_of(&im, c + 19), 4);
	expect_res(&im, F1, CFI_UNSUPPORTED);

	/* Personality absptr udata8, not indirect; LSDA udata4 absolute. */
	one_fde(&im, (struct spec){ .aug = "zPLR", .augd = BYTES(0x04, 1, 2, 3, 4, 5, 6, 7, 8,
		0x03, 0x1b) }, F1, 0x10, (struct spec){ .augd = BYTES(0xaa, 0xbb, 0xcc, 0xdd),
		.ins = BYTES(0x42, 0x0e, 0x18) });
	expect_rsp(&im, F1 + 1, 8);
	expect_rsp(&im, F1 + 2, 24);

	/* 'L' with an LSDA encoding libunwind refuses (textrel). */
	one_fde(&im, (struct spec){ .aug = "zLR", .augd = BYTES(0x20, 0x1b) }, F1, 0x10,
		(struct spec){ .augd = BYTES(1, 0, 0, 0, 0, 0, 0, 0) });
	expect_res(&im, F1, CFI_UNSUPPORTED);
}

Test(cfi, set_loc)
{
	struct img im;
	size_t c, f;
	uint64_t pc = F1;

	memset(&im, 0, sizeof(im));
	c = cie(&im, (struct spec){ .ins = STD_CIE_INS });
	f = im.len;
	put_le(&im, 0, 4);
	put_le(&im, im.len - c, 4);
	put_enc(&im, 0x1b, F1);
	put_le(&im, 0x40, 4);
	put_u8(&im, 0);
	put_u8(&im, 0x01);                       /* set_loc F1 + 0x10, pcrel sdata4 */
	put_enc(&im, 0x1b, F1 + 0x10);
	put(&im, BYTES(0x0e, 0x20, 0x01));       /* def_cfa_offset 32; set_loc F1 + 0x30 */
	put_enc(&im, 0x1b, F1 + 0x30);
	put(&im, BYTES(0x0e, 0x08));
	patch_le(&im, f, im.len - f - 4, 4);
	hdr(&im, &f, &pc, 1);
	expect_rsp(&im, F1 + 0xf, 8);
	expect_rsp(&im, F1 + 0x10, 32);
	expect_rsp(&im, F1 + 0x2f, 32);
	expect_rsp(&im, F1 + 0x30, 8);
}

Test(cfi, advance_loc_widths_and_code_alignment)
{
	struct img im;

	one_fde(&im, (struct spec){ 0 }, F1, 0x20000, (struct spec){ .ins = BYTES(
		0x02, 0x05, 0x0e, 0x10,                 /* +5: 16 */
		0x03, 0x00, 0x01, 0x0e, 0x18,           /* +256: 24 */
		0x04, 0x00, 0x00, 0x01, 0x00, 0x0e, 0x20) });   /* +65536: 32 */
	expect_rsp(&im, F1 + 4, 8);
	expect_rsp(&im, F1 + 5, 16);
	expect_rsp(&im, F1 + 260, 16);
	expect_rsp(&im, F1 + 261, 24);
	expect_rsp(&im, F1 + 261 + 65535, 24);
	expect_rsp(&im, F1 + 261 + 65536, 32);
	/* Code alignment 4: each delta counts four bytes. */
	one_fde(&im, (struct spec){ .caf = 4 }, F1, 0x100, (struct spec){ .ins = BYTES(
		0x42, 0x0e, 0x10, 0x02, 0x02, 0x0e, 0x18) });
	expect_rsp(&im, F1 + 7, 8);
	expect_rsp(&im, F1 + 8, 16);
	expect_rsp(&im, F1 + 15, 16);
	expect_rsp(&im, F1 + 16, 24);
}

Test(cfi, offsets_extended_sf_negative)
{
	struct img im;

	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = BYTES(
		0x41, 0x11, 0x06, 0x03,                 /* rbp at 3 * -8 */
		0x41, 0x05, 0x06, 0x02,                 /* rbp at 2 * -8 */
		0x41, 0x2f, 0x06, 0x02,                 /* rbp at -(2 * -8) */
		0x41, 0x11, 0x10, 0x7f) });             /* ra at -1 * -8 */
	expect_rule(&im, F1 + 1, CFI_RSP, 8, CFI_AT_CFA, -8, CFI_AT_CFA, -24);
	expect_rule(&im, F1 + 2, CFI_RSP, 8, CFI_AT_CFA, -8, CFI_AT_CFA, -16);
	expect_rule(&im, F1 + 3, CFI_RSP, 8, CFI_AT_CFA, -8, CFI_AT_CFA, 16);
	expect_rule(&im, F1 + 4, CFI_RSP, 8, CFI_AT_CFA, 8, CFI_AT_CFA, 16);
}

Test(cfi, def_cfa_sf_forms_are_factored)
{
	struct img im;

	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = BYTES(
		0x41, 0x12, 0x07, 0x7e,                 /* def_cfa_sf rsp, -2 * -8 */
		0x41, 0x13, 0x7c,                       /* def_cfa_offset_sf -4 * -8 */
		0x41, 0x12, 0x06, 0x7e,                 /* def_cfa_sf rbp, 16 */
		0x41, 0x2e, 0x20, 0x00) });             /* GNU_args_size, nop */
	expect_rsp(&im, F1 + 1, 16);
	expect_rsp(&im, F1 + 2, 32);
	expect_rule(&im, F1 + 3, CFI_RBP, 16, CFI_AT_CFA, -8, CFI_SAME, 0);
	expect_rule(&im, F1 + 4, CFI_RBP, 16, CFI_AT_CFA, -8, CFI_SAME, 0);
}

Test(cfi, restore_goes_back_to_the_cie_rules)
{
	struct img im;

	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = BYTES(
		0x41, 0x90, 0x02, 0x86, 0x02,           /* ra at -16, rbp at -16 */
		0x41, 0xd0, 0xc6,                       /* restore both */
		0x41, 0x86, 0x03, 0x06, 0x06) });       /* rbp at -24; restore_extended */
	expect_rule(&im, F1 + 1, CFI_RSP, 8, CFI_AT_CFA, -16, CFI_AT_CFA, -16);
	expect_rule(&im, F1 + 2, CFI_RSP, 8, CFI_AT_CFA, -8, CFI_SAME, 0);
	expect_rule(&im, F1 + 3, CFI_RSP, 8, CFI_AT_CFA, -8, CFI_SAME, 0);
	/* A restore inside the CIE: libunwind's restore target is still all
	 * zeroes (undefined) then. */
	one_fde(&im, (struct spec){ .ins = BYTES(0x0c, 0x07, 0x08, 0x90, 0x01, 0x86, 0x02, 0xc6) },
		F1, 0x10, (struct spec){ 0 });
	expect_rule(&im, F1, CFI_RSP, 8, CFI_AT_CFA, -8, CFI_UNDEF, 0);
}

Test(cfi, extended_length_framing)
{
	struct img im;
	size_t c, f[2];
	uint64_t pcs[2] = { F1, F2 };

	memset(&im, 0, sizeof(im));
	c = cie(&im, (struct spec){ .ins = STD_CIE_INS, .wide = true });
	f[0] = fde(&im, c, F1, 0x10, (struct spec){ .wide = true, .ins = BYTES(0x41, 0x0e, 0x10) });
	f[1] = fde(&im, c, F2, 0x10, (struct spec){ .ins = BYTES(0x42, 0x0e, 0x18) });
	hdr(&im, f, pcs, 2);
	expect_rsp(&im, F1, 8);
	expect_rsp(&im, F1 + 1, 16);
	expect_rsp(&im, F2 + 2, 24);
}

Test(cfi, address_encodings)
{
	struct img im;
	static const uint8_t encs[] = { 0x1b, 0x03, 0x04, 0x0b, 0x0c, 0x01, 0x09, 0x13,
					0x1c, 0x12, 0x19, 0x11 };

	for (size_t i = 0; i < sizeof(encs); i++) {
		const uint8_t aug[] = { encs[i] };

		one_fde(&im, (struct spec){ .augd = aug, .augd_len = 1 }, F1, 0x10,
			(struct spec){ .enc = encs[i], .ins = BYTES(0x41, 0x0e, 0x10) });
		expect_rsp(&im, F1, 8);
		expect_rsp(&im, F1 + 1, 16);
		expect_res(&im, F1 + 0x10, CFI_NONE);
	}
	/* No augmentation at all: addresses are udata8, no augmentation data. */
	one_fde(&im, (struct spec){ .aug = "" }, F1, 0x10, (struct spec){ .enc = 0x04, .no_z = true,
		.ins = BYTES(0x41, 0x0e, 0x10) });
	expect_rsp(&im, F1 + 1, 16);
	/* A pcrel value of 0 is absolute 0 to libunwind. */
	one_fde(&im, (struct spec){ 0 }, 0, 0x10, (struct spec){ 0 });
	expect_rsp(&im, 5, 8);
	expect_res(&im, F1, CFI_NONE);
}

Test(cfi, unsupported_encodings)
{
	struct img im;
	static const uint8_t encs[] = { 0x3b, 0x2b, 0x4b, 0x9b, 0x50 };

	for (size_t i = 0; i < sizeof(encs); i++) {
		const uint8_t aug[] = { encs[i] };

		one_fde(&im, (struct spec){ .augd = aug, .augd_len = 1 }, F1, 0x10,
			(struct spec){ .enc = 0x0b, .ins = BYTES(0x41, 0x0e, 0x10) });
		expect_res(&im, F1, CFI_UNSUPPORTED);
	}
	/* A negative sleb128 address: libunwind reads it as a uleb128. */
	one_fde(&im, (struct spec){ .augd = BYTES(0x19) }, IMG_BASE - 0x100, 0x10,
		(struct spec){ .enc = 0x19 });
	expect_res(&im, IMG_BASE - 0x100, CFI_UNSUPPORTED);
}

Test(cfi, unsupported_cies)
{
	struct img im;

	one_fde(&im, (struct spec){ .version = 4 }, F1, 0x10, (struct spec){ 0 });
	expect_res(&im, F1, CFI_UNSUPPORTED);
	one_fde(&im, (struct spec){ .version = 2 }, F1, 0x10, (struct spec){ 0 });
	expect_res(&im, F1, CFI_UNSUPPORTED);
	one_fde(&im, (struct spec){ .version = 3, .ra = 15 }, F1, 0x10, (struct spec){ 0 });
	expect_res(&im, F1, CFI_UNSUPPORTED);
	one_fde(&im, (struct spec){ .aug = "eh" }, F1, 0x10, (struct spec){ .no_z = true });
	expect_res(&im, F1, CFI_UNSUPPORTED);
	one_fde(&im, (struct spec){ .aug = "zRX", .augd = BYTES(0x1b, 0) }, F1, 0x10,
		(struct spec){ 0 });
	expect_res(&im, F1, CFI_UNSUPPORTED);
	one_fde(&im, (struct spec){ .aug = "zR", .augd = BYTES(0x1b, 0) }, F1, 0x10,
		(struct spec){ 0 });
	expect_res(&im, F1, CFI_UNSUPPORTED);          /* size past what libunwind reads */
	one_fde(&im, (struct spec){ .aug = "zRRRR", .augd = BYTES(0x1b, 0x1b, 0x1b, 0x1b) }, F1,
		0x10, (struct spec){ 0 });
	expect_res(&im, F1, CFI_UNSUPPORTED);
	one_fde(&im, (struct spec){ .version = 3 }, F1, 0x10, (struct spec){ 0 });
	expect_rsp(&im, F1, 8);                         /* version 3 itself is fine */
}

Test(cfi, unsupported_rules)
{
	const struct { const uint8_t *ins; size_t len; } cases[] = {
		{ BYTES(0x91, 0x01) },                  /* offset r17: libunwind refuses */
		{ BYTES(0x07, 0x11) },                  /* undefined r17 */
		{ BYTES(0x14, 0x03, 0x01) },            /* val_offset */
		{ BYTES(0x15, 0x03, 0x01) },            /* val_offset_sf */
		{ BYTES(0x0c, 0x03, 0x08) },            /* CFA = rbx + 8 */
		{ BYTES(0x08, 0x10) },                  /* RA same value */
		{ BYTES(0x09, 0x10, 0x03) },            /* RA in rbx */
		{ BYTES(0x09, 0x06, 0x03) },            /* RBP in rbx */
		{ BYTES(0x09, 0x03, 0x20) },            /* rbx in r32: past libunwind's array */
		{ BYTES(0x10, 0x06, 0x01, 0x9c) },      /* RBP by expression */
		{ BYTES(0x0e, 0x80, 0x80, 0x80, 0x80, 0x08) },  /* CFA offset 2^31 */
		{ BYTES(0x0c, 0x07, 0xff, 0xff, 0xff, 0xff, 0x0f) },
		{ BYTES(0x05, 0x06, 0x80, 0x80, 0x80, 0x80, 0x02) },  /* rbp at 2^29 * -8 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct img im;

		one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = cases[i].ins,
			.ins_len = cases[i].len });
		expect_res(&im, F1, CFI_UNSUPPORTED);
	}
}

Test(cfi, undefined_cfa_unsupported)
{
	struct img im;

	one_fde(&im, (struct spec){ .ins = BYTES(0x90, 0x01) }, F1, 0x10, (struct spec){ 0 });
	expect_res(&im, F1, CFI_UNSUPPORTED);
	/* def_cfa_register alone: libunwind's offset is 0. */
	one_fde(&im, (struct spec){ .ins = BYTES(0x90, 0x01, 0x0d, 0x06) }, F1, 0x10,
		(struct spec){ 0 });
	expect_rule(&im, F1, CFI_RBP, 0, CFI_AT_CFA, -8, CFI_SAME, 0);
}

Test(cfi, remember_state_bounds)
{
	struct img im;
	uint8_t ins[40];

	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = BYTES(0x41, 0x0b) });
	expect_rsp(&im, F1, 8);
	expect_res(&im, F1 + 1, CFI_BAD);               /* underflow */
	memset(ins, 0x0a, sizeof(ins));
	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = ins, .ins_len = 16 });
	expect_rsp(&im, F1, 8);
	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = ins, .ins_len = 17 });
	expect_res(&im, F1, CFI_UNSUPPORTED);
	/* Nested states come back in order, CFA included. */
	one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = BYTES(
		0x0e, 0x10, 0x0a, 0x0e, 0x18, 0x0a, 0x0e, 0x20,
		0x41, 0x0b, 0x41, 0x0b) });
	expect_rsp(&im, F1, 32);
	expect_rsp(&im, F1 + 1, 24);
	expect_rsp(&im, F1 + 2, 16);
}

Test(cfi, malformed)
{
	const struct { const uint8_t *ins; size_t len; } cases[] = {
		{ BYTES(0x17) },                        /* unknown opcodes */
		{ BYTES(0x2d) },
		{ BYTES(0x1c) },
		{ BYTES(0x3f) },
		{ BYTES(0x0e) },                        /* operands cut short */
		{ BYTES(0x0c, 0x07) },
		{ BYTES(0x03, 0x01) },
		{ BYTES(0x0f, 0x05, 0x01) },
		{ BYTES(0x0e, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00) },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct img im;

		one_fde(&im, (struct spec){ 0 }, F1, 0x10, (struct spec){ .ins = cases[i].ins,
			.ins_len = cases[i].len });
		expect_res(&im, F1, CFI_BAD);
	}
}

Test(cfi, malformed_framing)
{
	struct img im;
	size_t f;

	/* CIE id not 0. */
	gcc_image(&im);
	im.b[4] = 1;
	expect_res(&im, F1, CFI_BAD);
	/* An FDE length past the image. */
	gcc_image(&im);
	f = 4 + im.b[0];                                /* the CIE is short */
	patch_le(&im, f, 0x10000, 4);
	expect_res(&im, F1, CFI_BAD);
	/* A CIE pointer to nowhere. */
	gcc_image(&im);
	patch_le(&im, f + 4, 0x7ffffff0, 4);
	expect_res(&im, F1, CFI_BAD);
	/* A length over the bound, even where the bytes exist. */
	gcc_image(&im);
	patch_le(&im, 0, 0xfffffff0, 4);
	expect_res(&im, F1, CFI_BAD);
}

/* ---- garbage never crashes ----------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The lookup over a private copy of exactly len bytes (so ASan sees any overread). */
static enum cfi_result look_copy(const uint8_t *p, size_t len, const struct cfi_table *t,
				 uint64_t pc, struct cfi_rule *r)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct buf b = { copy, len, IMG_BASE };
	struct cfi_mem m = { buf_at, &b };
	enum cfi_result res;

	cr_assert_not_null(copy);
	if (len)
		memcpy(copy, p, len);
	res = cfi_lookup(&m, t, pc, r);
	free(copy);
	return res;
}

static void expect_sane(enum cfi_result res, const struct cfi_rule *r)
{
	cr_assert(res == CFI_OK || res == CFI_NONE || res == CFI_UNSUPPORTED || res == CFI_BAD,
		  "result %d", res);
	if (res != CFI_OK)
		return;
	cr_assert(r->cfa_reg == CFI_RSP || r->cfa_reg == CFI_RBP);
	cr_assert(r->ra_how == CFI_AT_CFA || r->ra_how == CFI_UNDEF);
	cr_assert(r->rbp_how <= CFI_AT_CFA);
}

static void personality_image(struct img *im)
{
	one_fde(im, (struct spec){ .aug = "zPLR", .augd = BYTES(0x04, 1, 2, 3, 4, 5, 6, 7, 8,
		0x03, 0x1b) }, F1, 0x10, (struct spec){ .augd = BYTES(0xaa, 0xbb, 0xcc, 0xdd),
		.ins = BYTES(0x42, 0x0e, 0x18, 0x0a, 0x41, 0x86, 0x02, 0x0b) });
}

Test(cfi, truncated_images)
{
	struct img im[2];

	gcc_image(&im[0]);
	personality_image(&im[1]);
	for (int k = 0; k < 2; k++)
		for (size_t len = 0; len <= im[k].len; len++)
			for (uint64_t pc = F1 - 1; pc < F1 + 0x42; pc += 7) {
				struct cfi_rule r;

				expect_sane(look_copy(im[k].b, len, &im[k].t, pc, &r), &r);
			}
}

Test(cfi, mutated_images)
{
	struct img im, m;
	size_t seen[4] = { 0 };

	gcc_image(&im);
	for (int i = 0; i < 30000; i++) {
		struct cfi_rule r;
		enum cfi_result res;
		int flips = 1 + (int)(rnd() % 4);

		m = im;
		for (int k = 0; k < flips; k++)
			m.b[rnd() % m.len] ^= (uint8_t)(1u << (rnd() % 8));
		res = look_copy(m.b, m.len, &m.t, F1 + rnd() % 0xa0, &r);
		expect_sane(res, &r);
		seen[res]++;
	}
	/* The mutations reached every outcome. */
	for (int k = 0; k < 4; k++)
		cr_expect_gt(seen[k], 0, "result %d never seen", k);
}

Test(cfi, random_images)
{
	uint8_t b[600];

	for (int i = 0; i < 30000; i++) {
		size_t len = rnd() % sizeof(b);
		struct cfi_table t;
		struct cfi_rule r;

		for (size_t k = 0; k < len; k++)
			b[k] = (uint8_t)rnd();
		t.hdr_vaddr = IMG_BASE + rnd() % (len + 1);
		t.table_vaddr = IMG_BASE + rnd() % (len + 1);
		t.fde_count = rnd() % 4 ? rnd() % 8 : rnd();
		expect_sane(look_copy(b, len, &t, t.hdr_vaddr + (rnd() % 0x800) - 0x400, &r), &r);
	}
}

/* ---- real binaries against readelf --debug-dump=frames-interp ---------------- */

static char tmpdir[TD_LEN];

static void setup(void)
{
	td_make(tmpdir, "test_cfi");
}

static void teardown(void)
{
	td_remove(tmpdir);
}

TestSuite(cfi_real, .init = setup, .fini = teardown);

/* Prologues with and without a frame pointer, alloca (CFA on rbp even
 * at -O2), pushes of callee-saved registers, early returns, a tail call. */
static const char prog_src[] =
	"#include <stdio.h>\n"
	"volatile int sink;\n"
	"__attribute__((noinline)) int leaf(int x) { return x * 7 + sink; }\n"
	"__attribute__((noinline)) int pushes(int a, int b, int c, int d)\n"
	"{ int r = 0; for (int i = 0; i < a; i++) r += leaf(i + b) * leaf(c) + d;"
	"  return r + leaf(r); }\n"
	"__attribute__((noinline)) int vla(int n)\n"
	"{ char *p = __builtin_alloca(n); for (int i = 0; i < n; i++) p[i] = (char)leaf(i);"
	"  if (n > 100) return leaf(p[1]); return p[n / 2] + leaf(n); }\n"
	"__attribute__((noinline)) int rec(int n) { return n ? rec(n - 1) + leaf(n) : 0; }\n"
	"__attribute__((noinline)) long many(long a, long b, long c, long d, long e, long f)\n"
	"{ long x = leaf((int)a), y = leaf((int)b), z = leaf((int)c), w = leaf((int)d);\n"
	"  if (x > 1000) { printf(\"%ld\\n\", x + y); return z; }\n"
	"  return x * y + z * w + e * f + leaf((int)(x + y + z + w)); }\n"
	"int main(int argc, char **argv)\n"
	"{ (void)argv; return pushes(argc, 2, 3, 4) + vla(argc + 16) + rec(argc + 3) +\n"
	"  (int)many(argc, 2, 3, 4, 5, 6); }\n";

static int run(const char *cmd)
{
	return system(cmd);
}

/* Compile prog_src into tmpdir/out; skips the test when cc is missing. */
static void build_prog(const char *cc, const char *flags, char *bin, size_t size)
{
	char src[128], cmd[1024];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s --version >/dev/null 2>&1", cc);
	if (run(cmd) != 0)
		cr_skip_test("%s not installed", cc);
	snprintf(src, sizeof(src), "%s/prog.c", tmpdir);
	snprintf(bin, size, "%s/prog", tmpdir);
	f = fopen(src, "w");
	cr_assert_not_null(f);
	fputs(prog_src, f);
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "%s %s -o '%s' '%s'", cc, flags, bin, src);
	cr_assert_eq(run(cmd), 0, "%s failed", cmd);
}

/* An ELF file's PT_LOAD segments served by vaddr, and its PT_GNU_EH_FRAME table. */
struct elfimg {
	uint8_t *file;
	size_t len;
	struct { uint64_t vaddr, off, filesz; } seg[32];
	size_t nseg;
	struct cfi_table t;
};

static const uint8_t *elf_at(void *ctx, uint64_t vaddr, size_t len)
{
	const struct elfimg *e = ctx;

	for (size_t i = 0; i < e->nseg; i++) {
		uint64_t rel = vaddr - e->seg[i].vaddr;

		if (vaddr >= e->seg[i].vaddr && rel <= e->seg[i].filesz &&
		    len <= e->seg[i].filesz - rel)
			return e->file + e->seg[i].off + rel;
	}
	return NULL;
}

static void load_elf(const char *path, struct elfimg *e)
{
	FILE *f = fopen(path, "rb");
	const Elf64_Ehdr *eh;
	uint64_t hdr = 0;
	const uint8_t *h;

	memset(e, 0, sizeof(*e));
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	e->len = (size_t)ftell(f);
	rewind(f);
	e->file = malloc(e->len);
	cr_assert_not_null(e->file);
	cr_assert_eq(fread(e->file, 1, e->len, f), e->len);
	fclose(f);
	eh = (const Elf64_Ehdr *)e->file;
	cr_assert(e->len > sizeof(*eh) && !memcmp(eh->e_ident, ELFMAG, SELFMAG) &&
		  eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_ident[EI_DATA] == ELFDATA2LSB);
	cr_assert_leq(eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), e->len);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(e->file + eh->e_phoff) + i;

		if (ph->p_type == PT_GNU_EH_FRAME)
			hdr = ph->p_vaddr;
		if (ph->p_type != PT_LOAD)
			continue;
		cr_assert_lt(e->nseg, sizeof(e->seg) / sizeof(e->seg[0]));
		cr_assert_leq(ph->p_offset + ph->p_filesz, e->len);
		e->seg[e->nseg].vaddr = ph->p_vaddr;
		e->seg[e->nseg].off = ph->p_offset;
		e->seg[e->nseg].filesz = ph->p_filesz;
		e->nseg++;
	}
	cr_assert_neq(hdr, 0, "%s has no PT_GNU_EH_FRAME", path);
	h = elf_at(e, hdr, 12);
	cr_assert_not_null(h);
	/* What every linker writes: pcrel sdata4, udata4, datarel sdata4. */
	cr_assert(h[0] == 1 && h[1] == 0x1b && h[2] == 0x03 && h[3] == 0x3b,
		  "unusual .eh_frame_hdr %02x %02x %02x %02x", h[0], h[1], h[2], h[3]);
	e->t.hdr_vaddr = hdr;
	e->t.table_vaddr = hdr + 12;
	e->t.fde_count = (uint64_t)h[8] | (uint64_t)h[9] << 8 | (uint64_t)h[10] << 16 |
			 (uint64_t)h[11] << 24;
}

/* A row of readelf's table, reduced to what a cfi_rule holds. */
struct rrow {
	uint64_t loc;
	char cfa[24], rbp[24], ra[24];
	bool odd;               /* another register by expression or val_offset */
};

struct rent {
	bool is_cie, sig, foreign;      /* foreign: a column libunwind refuses (>= 17) */
	uint64_t off, cie, lo, hi;
	size_t row0, nrows;
};

struct rdump {
	struct rent *e;
	size_t ne, ecap;
	struct rrow *r;
	size_t nr, rcap;
};

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	*cap = *cap ? *cap * 2 : 256;
	p = realloc(p, *cap * elem);
	cr_assert_not_null(p);
	return p;
}

static bool tracked_name(const char *n)
{
	static const char *const names[] = { "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp",
		"rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "ra" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(n, names[i]))
			return true;
	return false;
}

#define MAX_COLS 40

/* A row: LOC, then one value per column ("r10 (r10)" is one value). */
static void parse_row(char *line, char cols[][16], size_t ncols, struct rrow *row)
{
	char *save = NULL, *tok = strtok_r(line, " \t\n", &save), *val[MAX_COLS + 1];
	size_t n = 0;

	memset(row, 0, sizeof(*row));
	row->loc = strtoull(tok, NULL, 16);
	while ((tok = strtok_r(NULL, " \t\n", &save)) && n <= MAX_COLS)
		if (tok[0] != '(' || !n)
			val[n++] = tok;
	for (size_t i = 0; i < ncols && i < n; i++) {
		if (!strcmp(cols[i], "CFA"))
			snprintf(row->cfa, sizeof(row->cfa), "%s", val[i]);
		else if (!strcmp(cols[i], "rbp"))
			snprintf(row->rbp, sizeof(row->rbp), "%s", val[i]);
		else if (!strcmp(cols[i], "ra"))
			snprintf(row->ra, sizeof(row->ra), "%s", val[i]);
		else if (!strcmp(val[i], "exp") || !strcmp(val[i], "vexp") || val[i][0] == 'v')
			row->odd = true;
	}
}

/* Every CIE and FDE of the .eh_frame section of path, with its rows. */
static void readelf_rows(const char *path, struct rdump *d)
{
	char cmd[512], line[1024], cols[MAX_COLS][16];
	size_t ncols = 0;
	bool in = false;
	FILE *p;

	memset(d, 0, sizeof(*d));
	if (run("readelf --version >/dev/null 2>&1") != 0)
		cr_skip_test("readelf not installed");
	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames-interp '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		unsigned long long off, len, id, lo, hi, cie;
		char kind[8];

		if (!strncmp(line, "Contents of the ", 16)) {
			in = !strncmp(line, "Contents of the .eh_frame section", 33);
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, "%llx %llx %llx %7s", &off, &len, &id, kind) == 4 &&
		    (!strcmp(kind, "CIE") || !strcmp(kind, "FDE"))) {
			struct rent *e;
			const char *q = strchr(line, '"'), *pc = strstr(line, " pc=");

			d->e = grow(d->e, &d->ecap, d->ne + 1, sizeof(*d->e));
			e = &d->e[d->ne++];
			memset(e, 0, sizeof(*e));
			e->off = off;
			e->row0 = d->nr;
			e->is_cie = kind[0] == 'C';
			if (e->is_cie) {
				const char *q2 = q ? strchr(q + 1, '"') : NULL;

				e->sig = q && q2 && memchr(q, 'S', (size_t)(q2 - q));
			} else {
				const char *ce = strstr(line, "cie=");

				cr_assert(pc && ce && sscanf(ce, "cie=%llx", &cie) == 1 &&
					  sscanf(pc, " pc=%llx..%llx", &lo, &hi) == 2, "%s", line);
				e->cie = cie;
				e->lo = lo;
				e->hi = hi;
			}
			ncols = 0;
			continue;
		}
		if (!strncmp(line, "   LOC", 6) && d->ne) {
			char *save = NULL, *tok = strtok_r(line, " \t\n", &save);

			for (ncols = 0; (tok = strtok_r(NULL, " \t\n", &save)) && ncols < MAX_COLS;
			     ncols++) {
				snprintf(cols[ncols], sizeof(cols[0]), "%s", tok);
				if (ncols && !tracked_name(tok))
					d->e[d->ne - 1].foreign = true;
			}
			continue;
		}
		if (ncols && d->ne && strlen(line) > 16 && strspn(line, "0123456789abcdef") == 16) {
			d->r = grow(d->r, &d->rcap, d->nr + 1, sizeof(*d->r));
			parse_row(line, cols, ncols, &d->r[d->nr++]);
			d->e[d->ne - 1].nrows++;
		}
	}
	/* readelf exits 1 on some system libraries after printing everything. */
	cr_assert_neq(pclose(p), -1);
	cr_assert_gt(d->ne, 1, "readelf listed nothing for %s", path);
}

/* "c-16" and the like: saved at CFA + N. */
static bool cfa_rel(const char *s, int32_t *off)
{
	char *end;
	long v;

	if (s[0] != 'c' || (s[1] != '+' && s[1] != '-'))
		return false;
	v = strtol(s + 1, &end, 10);
	*off = (int32_t)v;
	return !*end;
}

/* What cfi_lookup must say for a row: CFI_OK and *w, or CFI_UNSUPPORTED. */
static enum cfi_result row_rule(const struct rrow *r, bool sig, struct cfi_rule *w)
{
	char *end;

	memset(w, 0, sizeof(*w));
	if (sig || r->odd)
		return CFI_UNSUPPORTED;
	if (!strncmp(r->cfa, "rsp", 3) || !strncmp(r->cfa, "rbp", 3)) {
		w->cfa_reg = r->cfa[1] == 's' ? CFI_RSP : CFI_RBP;
		w->cfa_off = (int32_t)strtol(r->cfa + 3, &end, 10);
		if (*end || (r->cfa[3] != '+' && r->cfa[3] != '-'))
			return CFI_UNSUPPORTED;
	} else {
		return CFI_UNSUPPORTED;
	}
	if (!strcmp(r->ra, "u"))
		w->ra_how = CFI_UNDEF;
	else if (cfa_rel(r->ra, &w->ra_off))
		w->ra_how = CFI_AT_CFA;
	else
		return CFI_UNSUPPORTED;
	if (!r->rbp[0] || !strcmp(r->rbp, "u") || !strcmp(r->rbp, "s"))
		w->rbp_how = CFI_SAME;
	else if (cfa_rel(r->rbp, &w->rbp_off))
		w->rbp_how = CFI_AT_CFA;
	else
		return CFI_UNSUPPORTED;
	return CFI_OK;
}

struct tally {
	size_t fdes, skipped, addrs, ok, unsup, extra_unsup, wrong;
};

static bool same_rule(const struct cfi_rule *a, const struct cfi_rule *b)
{
	return a->cfa_reg == b->cfa_reg && a->cfa_off == b->cfa_off && a->ra_how == b->ra_how &&
	       (a->ra_how != CFI_AT_CFA || a->ra_off == b->ra_off) && a->rbp_how == b->rbp_how &&
	       (a->rbp_how != CFI_AT_CFA || a->rbp_off == b->rbp_off);
}

static void compare_at(const struct elfimg *img, uint64_t pc, const struct rrow *row, bool sig,
		       struct tally *ty)
{
	struct cfi_mem m = { elf_at, (void *)img };
	struct cfi_rule got, want;
	enum cfi_result exp = row_rule(row, sig, &want), res = cfi_lookup(&m, &img->t, pc, &got);

	ty->addrs++;
	if (res == CFI_OK && exp == CFI_OK && same_rule(&got, &want)) {
		ty->ok++;
	} else if (res == CFI_UNSUPPORTED && exp == CFI_UNSUPPORTED) {
		ty->unsup++;
	} else if (res == CFI_UNSUPPORTED && exp == CFI_OK) {
		if (ty->extra_unsup++ < 10)
			fprintf(stderr, "pc %#llx: UNSUPPORTED, readelf says CFA %s ra %s rbp %s\n",
				(unsigned long long)pc, row->cfa, row->ra, row->rbp);
	} else if (ty->wrong++ < 10) {
		fprintf(stderr, "pc %#llx: result %d (CFA r%u%+d ra %u/%d rbp %u/%d), readelf "
			"says CFA %s ra %s rbp %s%s\n", (unsigned long long)pc, res, got.cfa_reg,
			got.cfa_off, got.ra_how, got.ra_off, got.rbp_how, got.rbp_off, row->cfa,
			row->ra, row->rbp, row->odd ? " (+exp)" : "");
	}
}

static const struct rent *find_cie(const struct rdump *d, uint64_t off)
{
	for (size_t i = 0; i < d->ne; i++)
		if (d->e[i].is_cie && d->e[i].off == off)
			return &d->e[i];
	return NULL;
}

/* Each row of each FDE at its first two and its last address. */
static void compare_all(const struct elfimg *img, const struct rdump *d, struct tally *ty)
{
	memset(ty, 0, sizeof(*ty));
	for (size_t i = 0; i < d->ne; i++) {
		const struct rent *e = &d->e[i], *c = e->is_cie ? NULL : find_cie(d, e->cie);
		const struct rent *rows = e->nrows ? e : c;

		if (e->is_cie || e->hi <= e->lo)
			continue;
		cr_assert_not_null(c, "FDE at %#llx: no CIE", (unsigned long long)e->off);
		ty->fdes++;
		if (e->foreign || c->foreign) {
			ty->skipped++;
			continue;
		}
		for (size_t k = 0; k < rows->nrows; k++) {
			const struct rrow *row = &d->r[rows->row0 + k];
			uint64_t lo = row->loc > e->lo ? row->loc : e->lo, hi = e->hi;
			uint64_t at[3];

			if (k + 1 < rows->nrows && d->r[rows->row0 + k + 1].loc < hi)
				hi = d->r[rows->row0 + k + 1].loc;
			if (lo >= hi)
				continue;
			at[0] = lo;
			at[1] = lo + 1;
			at[2] = hi - 1;
			for (int j = 0; j < 3; j++)
				if (at[j] < hi && (j == 0 || at[j] > at[j - 1]))
					compare_at(img, at[j], row, c->sig, ty);
		}
	}
}

static void check_compiled(const char *cc, const char *flags)
{
	char bin[128];
	struct elfimg img;
	struct rdump d;
	struct tally ty;

	build_prog(cc, flags, bin, sizeof(bin));
	load_elf(bin, &img);
	readelf_rows(bin, &d);
	compare_all(&img, &d, &ty);
	cr_log_info("%s %s: %zu FDEs (%zu skipped), %zu addresses: %zu OK, %zu UNSUPPORTED "
		    "as expected, %zu UNSUPPORTED beyond, %zu wrong", cc, flags, ty.fdes,
		    ty.skipped, ty.addrs, ty.ok, ty.unsup, ty.extra_unsup, ty.wrong);
	fprintf(stderr, "%s %s: %zu FDEs, %zu addresses: %zu OK, %zu UNSUPPORTED (expected), "
		"%zu UNSUPPORTED (beyond), %zu wrong\n", cc, flags, ty.fdes, ty.addrs, ty.ok,
		ty.unsup, ty.extra_unsup, ty.wrong);
	cr_assert_geq(ty.fdes, 5);
	cr_assert_gt(ty.ok, 20);
	cr_assert_eq(ty.wrong, 0);
	cr_assert_eq(ty.extra_unsup, 0);
	cr_assert_eq(ty.skipped, 0);
	free(d.e);
	free(d.r);
	free(img.file);
}

Test(cfi_real, gcc_O2_matches_readelf)
{
	check_compiled("gcc", "-O2");
}

Test(cfi_real, gcc_frame_pointer_matches_readelf)
{
	check_compiled("gcc", "-O2 -fno-omit-frame-pointer");
}

Test(cfi_real, clang_O2_matches_readelf)
{
	check_compiled("clang", "-O2 -fno-omit-frame-pointer");
}

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

static bool have_libc(void)
{
	FILE *f = fopen(LIBC, "rb");

	if (f)
		fclose(f);
	return f != NULL;
}

/* Every function's entry: the rule before its prologue. */
Test(cfi_real, libc_entries)
{
	struct elfimg img;
	struct cfi_mem m = { elf_at, &img };
	const uint8_t *tab;
	size_t n[4] = { 0 }, entry_ok = 0;

	if (!have_libc())
		cr_skip_test(LIBC " not found");
	load_elf(LIBC, &img);
	tab = elf_at(&img, img.t.table_vaddr, 8 * img.t.fde_count);
	cr_assert_not_null(tab);
	cr_assert_gt(img.t.fde_count, 1000);
	for (uint64_t i = 0; i < img.t.fde_count; i++) {
		const uint8_t *p = tab + 8 * i;
		int32_t rel = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
					(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		uint64_t pc = img.t.hdr_vaddr + (uint64_t)(int64_t)rel;
		struct cfi_rule r;
		enum cfi_result res = cfi_lookup(&m, &img.t, pc, &r);

		expect_sane(res, &r);
		n[res]++;
		if (res == CFI_OK && r.cfa_reg == CFI_RSP && r.cfa_off == 8 &&
		    r.ra_how == CFI_AT_CFA && r.ra_off == -8)
			entry_ok++;
		for (int k = 1; k < 64; k += 9) {       /* and inside, whatever it says */
			res = cfi_lookup(&m, &img.t, pc + (uint64_t)k, &r);
			expect_sane(res, &r);
		}
	}
	fprintf(stderr, "libc: %llu entries: %zu OK (%zu rsp+8, ra c-8), %zu NONE, "
		"%zu UNSUPPORTED, %zu BAD\n", (unsigned long long)img.t.fde_count, n[CFI_OK],
		entry_ok, n[CFI_NONE], n[CFI_UNSUPPORTED], n[CFI_BAD]);
	cr_assert_eq(n[CFI_BAD], 0);
	cr_assert_geq(entry_ok * 100, img.t.fde_count * 95);
	free(img.file);
}

/* Every row of every libc FDE against readelf. */
Test(cfi_real, libc_matches_readelf)
{
	struct elfimg img;
	struct rdump d;
	struct tally ty;

	if (!have_libc())
		cr_skip_test(LIBC " not found");
	load_elf(LIBC, &img);
	readelf_rows(LIBC, &d);
	compare_all(&img, &d, &ty);
	fprintf(stderr, "libc: %zu FDEs (%zu skipped), %zu addresses: %zu OK, %zu UNSUPPORTED "
		"(expected), %zu UNSUPPORTED (beyond), %zu wrong\n", ty.fdes, ty.skipped,
		ty.addrs, ty.ok, ty.unsup, ty.extra_unsup, ty.wrong);
	cr_assert_eq(ty.wrong, 0);
	cr_assert_leq(ty.extra_unsup * 100, ty.addrs);
	cr_assert_geq(ty.ok * 100, ty.addrs * 90);
	free(d.e);
	free(d.r);
	free(img.file);
}

/* ---- fuzz seeds ------------------------------------------------------------------ */

/* tests/fuzz/fuzz_cfi.c's input: hdr, table and pc as offsets from the
 * image base (little-endian u32; pc signed), fde_count, then the image. */
static void write_seed(const char *dir, const char *name, const struct img *im, uint64_t pc)
{
	char path[512];
	uint32_t h[4] = { (uint32_t)(im->t.hdr_vaddr - IMG_BASE),
			  (uint32_t)(im->t.table_vaddr - IMG_BASE), (uint32_t)im->t.fde_count,
			  (uint32_t)(pc - IMG_BASE) };
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 4; k++)
			fputc((int)(h[i] >> (8 * k)) & 0xff, f);
	fwrite(im->b, 1, im->len, f);
	cr_assert_eq(fclose(f), 0);
}

Test(cfi, write_fuzz_seeds)
{
	const char *dir = getenv("CFI_SEED_DIR");
	struct img im;

	if (!dir)
		cr_skip_test("set CFI_SEED_DIR to write tests/fuzz/corpus/cfi");
	gcc_image(&im);
	write_seed(dir, "gcc_prologue", &im, F1 + 0x31);
	write_seed(dir, "gcc_leaf", &im, F2 + 4);
	personality_image(&im);
	write_seed(dir, "personality_lsda", &im, F1 + 3);
	one_fde(&im, (struct spec){ 0 }, F1, 0x20000, (struct spec){ .ins = BYTES(
		0x02, 0x05, 0x0e, 0x10, 0x03, 0x00, 0x01, 0x12, 0x06, 0x7e, 0x01,
		0x1b, 0x00, 0x00, 0x00, 0x11, 0x06, 0x03, 0x0f, 0x02, 0x77, 0x08) });
	write_seed(dir, "advances_set_loc_expr", &im, F1 + 300);
	one_fde(&im, (struct spec){ .ins = STD_CIE_INS, .wide = true }, F1, 0x10,
		(struct spec){ .wide = true, .ins = BYTES(0x41, 0x0a, 0x07, 0x10, 0x41, 0x0b) });
	write_seed(dir, "wide_remember", &im, F1 + 1);
}
