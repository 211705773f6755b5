/* dwframe.c — rebuild .debug_frame as .eh_frame + .eh_frame_hdr for libunwind's table search. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/bread.h"
#include "proftui/dwframe.h"

#define DW_CFA_set_loc 0x01
#define DWF_NONE SIZE_MAX

/* ---- growing output --------------------------------------------------------- */

struct wr {
	uint8_t *b;
	size_t len, cap, max;
	int err;                    /* -ENOMEM, or -EFBIG past max */
};

static bool wr_room(struct wr *w, size_t n)
{
	size_t cap;
	uint8_t *nb;

	if (w->err)
		return false;
	if (n > w->max - w->len) {
		w->err = -EFBIG;
		return false;
	}
	if (n <= w->cap - w->len)
		return true;
	cap = w->cap ? w->cap : 4096;
	while (cap - w->len < n)
		cap = cap > w->max / 2 ? w->max : cap * 2;
	nb = realloc(w->b, cap);
	if (!nb) {
		w->err = -ENOMEM;
		return false;
	}
	w->b = nb;
	w->cap = cap;
	return true;
}

static void put_bytes(struct wr *w, const void *p, size_t n)
{
	if (n && wr_room(w, n)) {
		memcpy(w->b + w->len, p, n);
		w->len += n;
	}
}

static void put_u8(struct wr *w, uint8_t v)
{
	put_bytes(w, &v, 1);
}

static void put_u32(struct wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	put_bytes(w, b, 4);
}

static void put_leb(struct wr *w, uint64_t v, bool sign)
{
	for (;;) {
		uint8_t b = v & 0x7f;
		bool done;

		/* Arithmetic shift for signed values, spelled out portably. */
		v = sign && (v >> 63) ? (v >> 7) | (~0ull << 57) : v >> 7;
		done = sign ? (v == 0 && !(b & 0x40)) || (v == ~0ull && (b & 0x40)) : v == 0;
		put_u8(w, done ? b : (uint8_t)(b | 0x80));
		if (done)
			return;
	}
}

static void patch_u32(struct wr *w, size_t at, uint32_t v)
{
	if (w->err || at > w->len || w->len - at < 4)
		return;
	for (int i = 0; i < 4; i++)
		w->b[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* target - field as the bits of an sdata4; false when it does not fit. */
static bool rel32(uint64_t target, uint64_t field, uint32_t *bits)
{
	uint64_t d = target - field;

	if (d + 0x80000000ull > 0xffffffffull)
		return false;
	*bits = (uint32_t)d;
	return true;
}

/* ---- .debug_frame framing ---------------------------------------------------- */

struct ent {
	size_t start;               /* its length field */
	size_t body;                /* first byte after the CIE id / CIE pointer */
	size_t end;
	unsigned off_size;          /* 4 (32-bit DWARF) or 8 (64-bit) */
	uint64_t id;
};

static bool ent_is_cie(const struct ent *e)
{
	return e->off_size == 4 ? e->id == 0xffffffffull : e->id == ~0ull;
}

/*
 * The entry at *off, moving *off past it.  False when no further entry can
 * be framed (the end, a truncated or reserved length): the walk stops.
 * Zero-length entries are padding and skipped; each step moves at least 4
 * bytes, so the walk is bounded by the section size.
 */
static bool next_ent(const uint8_t *sec, size_t len, size_t *off, struct ent *e)
{
	for (;;) {
		struct bread r = { sec, *off, len, false, 0 };
		uint64_t l = bread_uint(&r, 4);

		e->off_size = 4;
		if (l == 0xffffffffull) {
			l = bread_uint(&r, 8);
			e->off_size = 8;
		} else if (l >= 0xfffffff0ull) {
			return false;
		}
		if (r.bad || l > len - r.off)
			return false;
		e->start = *off;
		e->end = r.off + (size_t)l;
		*off = e->end;
		r.end = e->end;
		e->id = bread_uint(&r, e->off_size);
		e->body = r.off;
		if (l && !r.bad)
			return true;
	}
}

/* ---- CFA instructions ----------------------------------------------------------- */

/*
 * Operands of the primary CFA opcodes (high two bits 0): u uleb128,
 * s sleb128, 1/2/4/8 fixed bytes, b uleb128 length + block, a address
 * (DW_CFA_set_loc).  NULL: an opcode we cannot size, which drops the entry.
 */
static const char *const cfa_operands[0x30] = {
	[0x00] = "",   [0x01] = "a",  [0x02] = "1",  [0x03] = "2",
	[0x04] = "4",  [0x05] = "uu", [0x06] = "u",  [0x07] = "u",
	[0x08] = "u",  [0x09] = "uu", [0x0a] = "",   [0x0b] = "",
	[0x0c] = "uu", [0x0d] = "u",  [0x0e] = "u",  [0x0f] = "b",
	[0x10] = "ub", [0x11] = "us", [0x12] = "us", [0x13] = "s",
	[0x14] = "uu", [0x15] = "us", [0x16] = "ub", [0x1d] = "8",
	[0x2d] = "",   [0x2e] = "u",  [0x2f] = "uu",
};

static const char *cfa_kinds(uint8_t op)
{
	if (op & 0xc0)                   /* advance_loc, offset, restore */
		return (op & 0xc0) == 0x80 ? "u" : "";
	return op < sizeof(cfa_operands) / sizeof(cfa_operands[0]) ? cfa_operands[op] : NULL;
}

static void skip_operand(struct bread *r, char kind)
{
	switch (kind) {
	case 'u':
	case 's':
		bread_leb(r, kind == 's');
		break;
	case 'b': {
		uint64_t n = bread_leb(r, false);

		if (bread_need(r, n > SIZE_MAX ? SIZE_MAX : (size_t)n))
			r->off += (size_t)n;
		break;
	}
	default:
		if (bread_need(r, (size_t)(kind - '0')))
			r->off += (size_t)(kind - '0');
		break;
	}
}

/*
 * Copy the instructions in [off, end) to w as they are, except that a
 * DW_CFA_set_loc operand (absolute, addr_size bytes) becomes the pcrel
 * sdata4 the new CIE's 'R' encoding announces (only FDEs may hold one).
 * False on anything that cannot be sized or does not fit.
 */
static bool copy_cfa(struct wr *w, const uint8_t *sec, size_t off, size_t end,
		     unsigned addr_size, uint64_t place, bool in_fde)
{
	struct bread r = { sec, off, end, false, 0 };

	while (r.off < end && !r.bad && !w->err) {
		size_t op_start = r.off;
		uint8_t op = (uint8_t)bread_uint(&r, 1);
		const char *kinds = cfa_kinds(op);
		uint32_t bits;

		if (!kinds)
			return false;
		if (op == DW_CFA_set_loc) {
			uint64_t a = bread_uint(&r, addr_size);

			put_u8(w, op);
			if (!in_fde || r.bad || !rel32(a, place + w->len, &bits))
				return false;
			put_u32(w, bits);
			continue;
		}
		for (; *kinds; kinds++)
			skip_operand(&r, *kinds);
		if (r.bad)
			return false;
		put_bytes(w, sec + op_start, r.off - op_start);
	}
	return !r.bad && !w->err;
}

/* ---- the rebuild ---------------------------------------------------------------- */

struct cie {
	size_t off;                 /* entry start: what FDEs point at */
	size_t instr, end;          /* initial instructions */
	uint64_t caf, ra;
	uint64_t daf;               /* sleb128 value, two's complement */
	unsigned addr_size;
	bool ok;                    /* parsed, and written or yet to be */
	size_t out;                 /* offset in the new .eh_frame, or DWF_NONE */
};

struct tent {
	uint64_t pc;
	size_t fde;                 /* offset in the new .eh_frame */
};

struct bld {
	const uint8_t *sec;
	size_t len;
	struct dwf_place pl;
	struct cie *cies;
	size_t ncie;
	struct tent *tab;
	size_t ntab, nfde;
	struct wr w;
	size_t dropped;
};

/* Versions 1, 3, 4 with an empty augmentation: what compilers write to
 * .debug_frame.  Anything else cannot be read safely and is dropped. */
static bool parse_cie(const struct bld *b, const struct ent *e, struct cie *c)
{
	struct bread r = { b->sec, e->body, e->end, false, 0 };
	unsigned version = (unsigned)bread_uint(&r, 1);

	memset(c, 0, sizeof(*c));
	c->off = e->start;
	c->out = DWF_NONE;
	c->addr_size = b->pl.addr_size;
	if ((version != 1 && version != 3 && version != 4) || bread_uint(&r, 1) != 0)
		return false;
	if (version == 4) {
		c->addr_size = (unsigned)bread_uint(&r, 1);
		if (bread_uint(&r, 1) != 0 || (c->addr_size != 4 && c->addr_size != 8))
			return false;
	}
	c->caf = bread_leb(&r, false);
	c->daf = bread_leb(&r, true);
	c->ra = version == 1 ? bread_uint(&r, 1) : bread_leb(&r, false);
	c->instr = r.off;
	c->end = e->end;
	c->ok = !r.bad;
	return c->ok;
}

/* Pass 1: every CIE (in section order, so sorted by offset) and the FDE count. */
static int collect(struct bld *b)
{
	size_t off = 0, cap = 0;
	struct ent e;

	while (next_ent(b->sec, b->len, &off, &e)) {
		if (!ent_is_cie(&e)) {
			b->nfde++;
			continue;
		}
		if (b->ncie == cap) {
			struct cie *v;

			cap = cap ? cap * 2 : 16;
			v = realloc(b->cies, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			b->cies = v;
		}
		if (!parse_cie(b, &e, &b->cies[b->ncie]))
			b->dropped++;
		b->ncie++;
	}
	return 0;
}

static struct cie *find_cie(struct bld *b, uint64_t off)
{
	size_t lo = 0, hi = b->ncie;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->cies[mid].off == off)
			return &b->cies[mid];
		if (b->cies[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool emit_cie(struct bld *b, struct cie *c)
{
	struct wr *w = &b->w;
	size_t start = w->len;
	bool v1 = c->ra <= 0xff;    /* version 1 stores it in one byte */

	put_u32(w, 0);
	put_u32(w, 0);              /* the .eh_frame CIE id */
	put_u8(w, v1 ? 1 : 3);
	put_bytes(w, "zR", 3);
	put_leb(w, c->caf, false);
	put_leb(w, c->daf, true);
	if (v1)
		put_u8(w, (uint8_t)c->ra);
	else
		put_leb(w, c->ra, false);
	put_u8(w, 1);               /* augmentation data: the 'R' byte */
	put_u8(w, DWF_PE_PCREL_SDATA4);
	if (!copy_cfa(w, b->sec, c->instr, c->end, c->addr_size, b->pl.vaddr, false)) {
		w->len = start;
		return false;
	}
	patch_u32(w, start, (uint32_t)(w->len - start - 4));
	c->out = start;
	return true;
}

/* Write one FDE (its CIE first if not yet written); false to drop it. */
static bool emit_fde(struct bld *b, const struct ent *e)
{
	struct wr *w = &b->w;
	struct cie *c = find_cie(b, e->id);
	struct bread r = { b->sec, e->body, e->end, false, 0 };
	uint64_t pc, range, place = b->pl.vaddr;
	uint32_t bits;
	size_t start;

	if (!c || !c->ok)
		return false;
	pc = bread_uint(&r, c->addr_size);
	range = bread_uint(&r, c->addr_size);
	/* A range outside the code is a discarded function's (the linker
	 * leaves 0 or -1 there), or garbage. */
	if (r.bad || !range || range > INT32_MAX || pc < b->pl.pc_lo || pc >= b->pl.pc_hi ||
	    range > b->pl.pc_hi - pc)
		return false;
	if (c->out == DWF_NONE && !emit_cie(b, c)) {
		c->ok = false;
		b->dropped++;
		return false;
	}
	start = w->len;
	put_u32(w, 0);
	put_u32(w, (uint32_t)(start + 4 - c->out));   /* back to its CIE */
	if (!rel32(pc, place + w->len, &bits))
		goto undo;
	put_u32(w, bits);
	put_u32(w, (uint32_t)range);
	put_u8(w, 0);               /* no augmentation data */
	if (!copy_cfa(w, b->sec, r.off, e->end, c->addr_size, place, true))
		goto undo;
	patch_u32(w, start, (uint32_t)(w->len - start - 4));
	b->tab[b->ntab].pc = pc;
	b->tab[b->ntab].fde = start;
	b->ntab++;
	return true;
undo:
	w->len = start;
	return false;
}

/* Pass 2: the FDEs, each with the CIE it uses written before its first use. */
static int emit_all(struct bld *b)
{
	size_t off = 0;
	struct ent e;

	b->tab = calloc(b->nfde ? b->nfde : 1, sizeof(*b->tab));
	if (!b->tab)
		return -ENOMEM;
	while (next_ent(b->sec, b->len, &off, &e) && b->ntab < b->nfde) {
		if (ent_is_cie(&e))
			continue;
		if (!emit_fde(b, &e))
			b->dropped++;
		if (b->w.err)
			return b->w.err;
	}
	put_u32(&b->w, 0);          /* the .eh_frame terminator */
	return b->w.err;
}

static int tent_cmp(const void *pa, const void *pb)
{
	const struct tent *a = pa, *c = pb;

	if (a->pc != c->pc)
		return a->pc < c->pc ? -1 : 1;
	return a->fde < c->fde ? -1 : a->fde > c->fde;
}

/* The .eh_frame_hdr and its table, sorted, one entry per pc_begin. */
static int emit_hdr(struct bld *b, struct dwf_table *out)
{
	struct wr *w = &b->w;
	uint64_t place = b->pl.vaddr, hdr, count = 0;
	size_t count_at;
	uint32_t bits;

	while (w->len % 4)
		put_u8(w, 0);
	hdr = place + w->len;
	out->hdr_vaddr = hdr;
	put_u8(w, 1);
	put_u8(w, DWF_PE_PCREL_SDATA4);
	put_u8(w, DWF_PE_UDATA4);
	put_u8(w, DWF_PE_DATAREL_SDATA4);
	if (!rel32(place, hdr + 4, &bits))
		return -EINVAL;
	put_u32(w, bits);
	count_at = w->len;
	put_u32(w, 0);
	out->table_vaddr = place + w->len;
	qsort(b->tab, b->ntab, sizeof(*b->tab), tent_cmp);
	for (size_t i = 0; i < b->ntab; i++) {
		uint32_t pc_bits, fde_bits;

		if ((i && b->tab[i].pc == b->tab[i - 1].pc) ||
		    !rel32(b->tab[i].pc, hdr, &pc_bits) ||
		    !rel32(place + b->tab[i].fde, hdr, &fde_bits)) {
			b->dropped++;
			continue;
		}
		put_u32(w, pc_bits);
		put_u32(w, fde_bits);
		count++;
	}
	patch_u32(w, count_at, (uint32_t)count);
	while (w->len % 8)
		put_u8(w, 0);
	out->fde_count = count;
	return w->err ? w->err : count ? 0 : -ENOENT;
}

int dwf_build(const uint8_t *sec, size_t len, const struct dwf_place *pl, struct dwf_table *out)
{
	struct bld b = { .sec = sec, .len = len, .pl = *pl };
	int err;

	memset(out, 0, sizeof(*out));
	if (!b.pl.addr_size)
		b.pl.addr_size = 8;
	if (len > DWF_MAX_SECTION)
		return -EFBIG;
	/* Room for the growth of every entry and the table; the buffer's
	 * vaddrs must not wrap, and 8-byte reads need 8-byte alignment. */
	b.w.max = 3 * len + 4096;
	if ((!sec && len) || (b.pl.addr_size != 4 && b.pl.addr_size != 8) ||
	    (pl->vaddr & 7) || pl->vaddr > UINT64_MAX - b.w.max || pl->pc_lo >= pl->pc_hi)
		return -EINVAL;
	err = collect(&b);
	if (!err)
		err = emit_all(&b);
	if (!err)
		err = emit_hdr(&b, out);
	free(b.cies);
	free(b.tab);
	if (err) {
		free(b.w.b);
		memset(out, 0, sizeof(*out));
		return err;
	}
	out->buf = b.w.b;
	out->len = b.w.len;
	out->vaddr = pl->vaddr;
	out->dropped = b.dropped;
	return 0;
}

void dwf_release(struct dwf_table *t)
{
	if (!t)
		return;
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

/* ---- from an ELF image ------------------------------------------------------------ */

static bool dwf_elf_init(void)
{
	static int state;

	if (!state)
		state = elf_version(EV_CURRENT) != EV_NONE ? 1 : -1;
	return state > 0;
}

static Elf_Scn *find_scn(Elf *e, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *s = NULL;

	if (elf_getshdrstrndx(e, &shstrndx) < 0)
		return NULL;
	while ((s = elf_nextscn(e, s)) != NULL) {
		const char *n;

		if (!gelf_getshdr(s, sh))
			continue;
		n = elf_strptr(e, shstrndx, sh->sh_name);
		if (n && !strcmp(n, name))
			return s;
	}
	return NULL;
}

/* The image's GNU build-id note equals id (any SHT_NOTE section). */
static bool build_id_matches(Elf *e, const uint8_t *id, size_t id_len)
{
	Elf_Scn *s = NULL;
	GElf_Shdr sh;

	while ((s = elf_nextscn(e, s)) != NULL) {
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(s, &sh) || sh.sh_type != SHT_NOTE || !(d = elf_getdata(s, NULL)))
			continue;
		while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			const char *base = d->d_buf;

			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp(base + name_off, "GNU", 4))
				return nh.n_descsz == id_len && !memcmp(base + desc_off, id, id_len);
		}
	}
	return false;
}

/* The section's bytes, inflated if compressed, within DWF_MAX_SECTION. */
static int scn_bytes(Elf_Scn *s, const GElf_Shdr *sh, Elf_Data **dp)
{
	Elf_Data *d;

	if (sh->sh_type == SHT_NOBITS)
		return -ENOENT;
	if (sh->sh_flags & SHF_COMPRESSED) {
		GElf_Chdr ch;

		/* Check the claimed size before inflating anything. */
		if (!gelf_getchdr(s, &ch))
			return -EINVAL;
		if (ch.ch_size > DWF_MAX_SECTION)
			return -EFBIG;
		if (elf_compress(s, 0, 0) < 0)
			return -EINVAL;
	} else if (sh->sh_size > DWF_MAX_SECTION) {
		return -EFBIG;
	}
	d = elf_getdata(s, NULL);
	if (!d || (!d->d_buf && d->d_size) || d->d_size > DWF_MAX_SECTION)
		return -EINVAL;
	*dp = d;
	return 0;
}

int dwf_from_fd(int fd, const struct dwf_place *pl, const uint8_t *build_id,
		size_t build_id_len, struct dwf_table *out)
{
	struct dwf_place p = *pl;
	Elf_Data *d = NULL;
	GElf_Shdr sh;
	Elf_Scn *s;
	Elf *e;
	int err;

	memset(out, 0, sizeof(*out));
	if (fd < 0 || !dwf_elf_init())
		return -EINVAL;
	/* A private mapping: inflating a section makes libelf rewrite its
	 * header in place, which must never reach the file. */
	e = elf_begin(fd, ELF_C_READ_MMAP_PRIVATE, NULL);
	if (!e)
		return -EINVAL;
	if (elf_kind(e) != ELF_K_ELF || gelf_getclass(e) == ELFCLASSNONE) {
		err = -EINVAL;
	} else if (build_id && !build_id_matches(e, build_id, build_id_len)) {
		err = -ESTALE;
	} else if (!(s = find_scn(e, ".debug_frame", &sh))) {
		err = -ENOENT;
	} else if ((err = scn_bytes(s, &sh, &d)) == 0) {
		if (!p.addr_size)
			p.addr_size = gelf_getclass(e) == ELFCLASS32 ? 4 : 8;
		err = dwf_build(d->d_buf, d->d_size, &p, out);
	}
	elf_end(e);
	return err;
}
