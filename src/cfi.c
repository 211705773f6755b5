/* cfi.c — the x86-64 call-frame rule at one address, as libunwind 1.6.2 would compute it. */
#include <string.h>

#include "proftui/bread.h"
#include "proftui/cfi.h"

/*
 * The interpreter keeps libunwind's own register state (struct
 * dwarf_reg_state): a rule for each of the 17 registers it preserves on
 * x86-64 (DWARF_NUM_PRESERVED_REGS) and two columns for the CFA, with its
 * initial values, its quirks and its failures, so that translating the
 * final state into a cfi_rule is the only step that can differ — and that
 * one only says CFI_UNSUPPORTED when it cannot be exact.
 */
#define NREGS       17              /* registers libunwind tracks: 0..16 */
#define COL_CFA_REG NREGS           /* DWARF_CFA_REG_COLUMN */
#define COL_CFA_OFF (NREGS + 1)     /* DWARF_CFA_OFF_COLUMN */
#define NCOLS       (NREGS + 2)

/* DW_EH_PE_* pointer encodings. */
#define PE_OMIT     0xff
#define PE_ALIGNED  0x50
#define PE_INDIRECT 0x80
#define PE_FORMAT   0x0f
#define PE_APPL     0x70
#define PE_ABS      0x00
#define PE_PCREL    0x10
#define PE_TEXTREL  0x20
#define PE_DATAREL  0x30
#define PE_FUNCREL  0x40
#define PE_UDATA8   0x04            /* libunwind's default without 'R' */

/* libunwind's dwarf_where_t, in its order: a zeroed state is all UNDEF. */
enum where { W_UNDEF, W_SAME, W_CFAREL, W_REG, W_EXPR, W_VAL_EXPR };

struct regs {
	uint8_t where[NCOLS];
	uint64_t val[NCOLS];
};

/* ---- bounded reading: bread.h ------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The two's-complement int32 in the low 32 bits of v (as libunwind truncates). */
static int32_t low_s32(uint64_t v)
{
	uint32_t u = (uint32_t)v;

	return u < 0x80000000u ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
}

static uint64_t sext32(uint32_t u)
{
	return u & 0x80000000u ? (uint64_t)u | 0xffffffff00000000ull : u;
}

/* v, a two's-complement 64-bit value, as an int32 if it fits. */
static bool fit32(uint64_t v, int32_t *out)
{
	if (v + 0x80000000ull > 0xffffffffull)
		return false;
	*out = low_s32(v);
	return true;
}

/* ---- entries ------------------------------------------------------------- */

/* One CIE or FDE: its bytes from the length field, framed by it. */
struct ent {
	struct bread r;            /* positioned after the CIE id / CIE pointer */
	uint64_t id;            /* CIE id, or the FDE's CIE pointer */
	uint64_t id_vaddr;      /* where that field is */
	bool wide;              /* 64-bit framing */
	bool empty;             /* length 0: a terminator */
};

/*
 * The entry at vaddr, all of whose bytes must exist.  32-bit framing, or
 * 64-bit after a 0xffffffff escape; lengths past CFI_MAX_ENTRY are
 * refused (no compiler writes such an entry) to bound the work.
 */
static enum cfi_result load_ent(const struct cfi_mem *m, uint64_t vaddr, struct ent *e)
{
	const uint8_t *p = m->at(m->ctx, vaddr, 4);
	uint64_t len;
	size_t head = 4, idsz = 4;

	memset(e, 0, sizeof(*e));
	if (!p)
		return CFI_BAD;
	len = le32(p);
	if (len == 0xffffffffull) {
		p = m->at(m->ctx, vaddr, 12);
		if (!p)
			return CFI_BAD;
		len = le64(p + 4);
		head = 12;
		idsz = 8;
		e->wide = true;
	}
	if (len == 0) {
		e->empty = true;
		return CFI_OK;
	}
	if (len > CFI_MAX_ENTRY || len < idsz || vaddr > UINT64_MAX - head - len)
		return CFI_BAD;
	p = m->at(m->ctx, vaddr, head + (size_t)len);
	if (!p)
		return CFI_BAD;
	e->r = (struct bread){ p, head, head + (size_t)len, false, vaddr };
	e->id_vaddr = vaddr + head;
	e->id = bread_uint(&e->r, (unsigned)idsz);
	return CFI_OK;
}

/*
 * An encoded pointer, read as libunwind's dwarf_read_encoded_pointer does.
 * `used`: its value matters (an FDE address, set_loc); otherwise only
 * whether libunwind's read would succeed does (personality, LSDA), and an
 * indirect one must point at 8 bytes libunwind could read.  Where libunwind
 * gives another value than DWARF means (sleb128 read as uleb128, datarel
 * relative to a gp of 0, textrel refused), the answer is UNSUPPORTED.
 */
static enum cfi_result read_ptr(struct bread *r, const struct cfi_mem *m, uint8_t enc, bool used,
				uint64_t *out)
{
	uint64_t field = r->base + r->off, v;
	bool exact = true, indirect = enc & PE_INDIRECT;

	*out = 0;
	if (enc == PE_OMIT)
		return CFI_OK;
	if (enc == PE_ALIGNED)
		return CFI_UNSUPPORTED;
	switch (enc & PE_FORMAT) {
	case 0x00: case 0x04: case 0x0c: v = bread_uint(r, 8); break;
	case 0x01: v = bread_leb(r, false); break;
	case 0x02: v = bread_uint(r, 2); break;
	case 0x03: v = bread_uint(r, 4); break;
	case 0x09: v = bread_leb(r, true); exact = !(v >> 63); break;
	case 0x0a: v = bread_sint(r, 2); break;
	case 0x0b: v = bread_sint(r, 4); break;
	default: return CFI_BAD;
	}
	if (r->bad)
		return CFI_BAD;
	if (v == 0)                 /* libunwind: 0 is always absolute */
		return CFI_OK;
	switch (enc & PE_APPL) {
	case PE_ABS: break;
	case PE_PCREL: v += field; break;
	case PE_DATAREL: case PE_FUNCREL: exact = false; break;
	case PE_TEXTREL: return CFI_UNSUPPORTED;
	default: return CFI_BAD;
	}
	if ((used || indirect) && !exact)
		return CFI_UNSUPPORTED;
	if (indirect && (used || (enc & PE_APPL) != PE_PCREL || !m->at(m->ctx, v, 8)))
		return CFI_UNSUPPORTED;
	*out = v;
	return CFI_OK;
}

struct cie {
	uint64_t caf, daf;          /* code and data alignment factors */
	uint8_t fde_enc, lsda_enc;
	bool z, signal;
	struct bread ins;              /* the initial instructions */
};

/* After 'z': the letters libunwind knows, with their data. */
static enum cfi_result cie_aug_data(struct bread *r, const struct cfi_mem *m, const char *aug,
				    struct cie *c)
{
	uint64_t size = bread_leb(r, false), tmp;
	size_t start = r->off;
	enum cfi_result res;

	for (const char *a = aug + 1; *a && !r->bad; a++) {
		switch (*a) {
		case 'L': c->lsda_enc = (uint8_t)bread_uint(r, 1); break;
		case 'R': c->fde_enc = (uint8_t)bread_uint(r, 1); break;
		case 'S': c->signal = true; break;
		case 'P':
			res = read_ptr(r, m, (uint8_t)bread_uint(r, 1), false, &tmp);
			if (res != CFI_OK)
				return res;
			break;
		default:
			/* libunwind stops here and takes the instructions to
			 * start at this letter's data, not past the 'z' size. */
			return CFI_UNSUPPORTED;
		}
	}
	if (r->bad)
		return CFI_BAD;
	/* libunwind never skips to the size: it must be what was read. */
	return r->off - start == size ? CFI_OK : CFI_UNSUPPORTED;
}

static enum cfi_result parse_cie(const struct cfi_mem *m, uint64_t vaddr, struct cie *c)
{
	struct ent e;
	enum cfi_result res = load_ent(m, vaddr, &e);
	char aug[5] = "";
	size_t n = 0;
	unsigned version;
	uint64_t ra;

	memset(c, 0, sizeof(*c));
	if (res != CFI_OK || e.empty || e.r.bad || e.id != 0)
		return res != CFI_OK ? res : CFI_BAD;
	version = (unsigned)bread_uint(&e.r, 1);
	for (uint64_t ch; (ch = bread_uint(&e.r, 1)) != 0 && !e.r.bad; n++)
		if (n < 4)
			aug[n] = (char)ch;
	c->caf = bread_leb(&e.r, false);
	c->daf = bread_leb(&e.r, true);
	ra = version == 1 ? bread_uint(&e.r, 1) : bread_leb(&e.r, false);
	if (e.r.bad)
		return CFI_BAD;
	/* Version 4 has fields libunwind 1.6.2 does not read; "eh" and other
	 * augmentations without 'z' cannot be skipped; past four letters
	 * libunwind stops looking. */
	if ((version != 1 && version != 3) || ra != CFI_RA || n > 4 || (n && aug[0] != 'z'))
		return CFI_UNSUPPORTED;
	c->fde_enc = PE_UDATA8;
	c->lsda_enc = PE_OMIT;
	c->z = n > 0;
	if (c->z && (res = cie_aug_data(&e.r, m, aug, c)) != CFI_OK)
		return res;
	c->ins = e.r;
	return CFI_OK;
}

/* ---- the CFA program ------------------------------------------------------- */

struct vm {
	const struct cfi_mem *m;
	const struct cie *c;
	struct regs cur, init;      /* init: what DW_CFA_restore goes back to */
	struct regs saved[CFI_MAX_STATES];
	unsigned depth, ops;
	uint64_t loc;
};

static void set(struct vm *v, uint64_t col, uint8_t where, uint64_t val)
{
	v->cur.where[col] = where;
	v->cur.val[col] = val;
}

/* A register operand: libunwind fails on any it does not track. */
static enum cfi_result reg_operand(struct bread *r, uint64_t *reg)
{
	*reg = bread_leb(r, false);
	if (r->bad)
		return CFI_BAD;
	return *reg < NREGS ? CFI_OK : CFI_UNSUPPORTED;
}

static enum cfi_result op_restore(struct vm *v, uint64_t reg)
{
	if (reg >= NREGS)
		return CFI_UNSUPPORTED;
	set(v, reg, v->init.where[reg], v->init.val[reg]);
	return CFI_OK;
}

/* Registers saved at CFA + factored offset (DW_CFA_offset and kin). */
static enum cfi_result op_offset(struct vm *v, struct bread *r, uint64_t reg, bool sign, bool neg)
{
	uint64_t off = bread_leb(r, sign) * v->c->daf;

	if (r->bad)
		return CFI_BAD;
	if (reg >= NREGS)
		return CFI_UNSUPPORTED;
	set(v, reg, W_CFAREL, neg ? 0 - off : off);
	return CFI_OK;
}

static enum cfi_result op_state(struct vm *v, bool remember)
{
	if (remember) {
		if (v->depth == CFI_MAX_STATES)
			return CFI_UNSUPPORTED;
		v->saved[v->depth++] = v->cur;
	} else {
		if (v->depth == 0)
			return CFI_BAD;     /* libunwind: stack underflow */
		v->cur = v->saved[--v->depth];
	}
	return CFI_OK;
}

/* DW_CFA_def_cfa*: the register (when reg_too), then the offset,
 * factored for the _sf forms only. */
static enum cfi_result op_def_cfa(struct vm *v, struct bread *r, bool reg_too, bool sf)
{
	uint64_t reg = 0, off;
	enum cfi_result res = reg_too ? reg_operand(r, &reg) : CFI_OK;

	if (res != CFI_OK)
		return res;
	off = bread_leb(r, sf);
	if (r->bad)
		return CFI_BAD;
	if (reg_too)
		set(v, COL_CFA_REG, W_REG, reg);
	set(v, COL_CFA_OFF, 0, sf ? off * v->c->daf : off);
	return CFI_OK;
}

/* A rule given as a DWARF expression (col: a register, or the CFA), skipped. */
static enum cfi_result op_expr(struct vm *v, struct bread *r, bool of_reg, uint8_t where)
{
	uint64_t col = COL_CFA_REG;
	enum cfi_result res = of_reg ? reg_operand(r, &col) : CFI_OK;

	if (res != CFI_OK)
		return res;
	bread_skip(r, bread_leb(r, false));
	if (r->bad)
		return CFI_BAD;
	set(v, col, where, 0);
	return CFI_OK;
}

/* An operand of two uleb128s whose first is a register (register, offset_extended). */
static enum cfi_result op_reg_pair(struct vm *v, struct bread *r, uint8_t op)
{
	uint64_t reg, val;
	enum cfi_result res = reg_operand(r, &reg);

	if (res != CFI_OK)
		return res;
	if (op != 0x09)             /* DW_CFA_offset_extended, GNU_negative_... */
		return op_offset(v, r, reg, false, op == 0x2f);
	val = bread_leb(r, false);
	if (r->bad)
		return CFI_BAD;
	set(v, reg, W_REG, val);
	return CFI_OK;
}

static enum cfi_result op_advance(struct vm *v, struct bread *r, unsigned bytes)
{
	uint64_t delta = bread_uint(r, bytes);

	if (r->bad)
		return CFI_BAD;
	v->loc += delta * v->c->caf;
	return CFI_OK;
}

/* The opcodes whose high two bits are zero. */
static enum cfi_result op_extended(struct vm *v, struct bread *r, uint8_t op)
{
	uint64_t reg;
	enum cfi_result res;

	switch (op) {
	case 0x00: return CFI_OK;                               /* nop */
	case 0x01: return read_ptr(r, v->m, v->c->fde_enc, true, &v->loc);   /* set_loc */
	case 0x02: return op_advance(v, r, 1);
	case 0x03: return op_advance(v, r, 2);
	case 0x04: return op_advance(v, r, 4);
	case 0x05: case 0x09: case 0x2f: return op_reg_pair(v, r, op);
	case 0x06: case 0x07: case 0x08:                        /* restore_ext, undefined, same */
		if ((res = reg_operand(r, &reg)) != CFI_OK)
			return res;
		if (op == 0x06)
			return op_restore(v, reg);
		set(v, reg, op == 0x07 ? W_UNDEF : W_SAME, 0);
		return CFI_OK;
	case 0x0a: case 0x0b: return op_state(v, op == 0x0a);
	case 0x0c: return op_def_cfa(v, r, true, false);
	case 0x0d:                                              /* def_cfa_register */
		if ((res = reg_operand(r, &reg)) != CFI_OK)
			return res;
		set(v, COL_CFA_REG, W_REG, reg);
		return CFI_OK;
	case 0x0e: return op_def_cfa(v, r, false, false);
	case 0x0f: return op_expr(v, r, false, W_EXPR);
	case 0x10: return op_expr(v, r, true, W_EXPR);
	case 0x11:                                              /* offset_extended_sf */
		if ((res = reg_operand(r, &reg)) != CFI_OK)
			return res;
		return op_offset(v, r, reg, true, false);
	case 0x12: return op_def_cfa(v, r, true, true);
	case 0x13: return op_def_cfa(v, r, false, true);
	/* val_offset(_sf): libunwind has no case for them and would take
	 * their operands for opcodes. */
	case 0x14: case 0x15: return CFI_UNSUPPORTED;
	case 0x16: return op_expr(v, r, true, W_VAL_EXPR);
	case 0x2e: bread_leb(r, false); return r->bad ? CFI_BAD : CFI_OK;   /* GNU_args_size */
	default: return CFI_BAD;
	}
}

static enum cfi_result step(struct vm *v, struct bread *r)
{
	uint8_t op = (uint8_t)bread_uint(r, 1), low = op & 0x3f;

	if (r->bad)
		return CFI_BAD;
	switch (op & 0xc0) {
	case 0x40: v->loc += low * v->c->caf; return CFI_OK;   /* advance_loc */
	case 0x80: return op_offset(v, r, low, false, false);
	case 0xc0: return op_restore(v, low);
	default: return op_extended(v, r, op);
	}
}

/* Execute while the row's location is at most end_ip, as libunwind's
 * run_cfi_program does (it tests before each instruction). */
static enum cfi_result run(struct vm *v, struct bread *r, uint64_t end_ip)
{
	while (v->loc <= end_ip && r->off < r->end) {
		enum cfi_result res;

		if (++v->ops > CFI_MAX_OPS)
			return CFI_UNSUPPORTED;
		res = step(v, r);
		if (res != CFI_OK)
			return res;
	}
	return CFI_OK;
}

/*
 * The CIE's instructions then the FDE's, from libunwind's starting state:
 * every column "same", and during the CIE a restore target of all zeroes
 * (UNDEF), which libunwind sets only once the CIE has run.
 */
static enum cfi_result execute(struct vm *v, struct bread *fde_ins, uint64_t start, uint64_t pc)
{
	struct bread cie_ins = v->c->ins;
	enum cfi_result res;

	memset(&v->init, 0, sizeof(v->init));
	for (int i = 0; i < NCOLS; i++)
		set(v, (uint64_t)i, W_SAME, 0);
	v->loc = 0;
	res = run(v, &cie_ins, UINT64_MAX);
	if (res != CFI_OK)
		return res;
	v->init = v->cur;
	v->depth = 0;
	v->loc = start;
	return run(v, fde_ins, pc);
}

/* ---- the rule ---------------------------------------------------------------- */

static enum cfi_result saved_how(const struct regs *s, int reg, bool same_ok, uint8_t *how,
				 int32_t *off)
{
	switch (s->where[reg]) {
	case W_CFAREL:
		*how = CFI_AT_CFA;
		return fit32(s->val[reg], off) ? CFI_OK : CFI_UNSUPPORTED;
	case W_UNDEF:
		*how = CFI_UNDEF;
		return CFI_OK;
	case W_SAME:
		*how = CFI_SAME;
		return same_ok ? CFI_OK : CFI_UNSUPPORTED;
	default:
		return CFI_UNSUPPORTED;
	}
}

/*
 * The final state as a cfi_rule.  libunwind evaluates every register's
 * expression when it steps (and fails the step when one fails), and copies
 * a "register" rule from its array of 17 unchecked: either makes the
 * step's outcome more than the rule, so both are unsupported here.
 */
static enum cfi_result to_rule(const struct regs *s, struct cfi_rule *out)
{
	enum cfi_result res;

	for (int i = 0; i < NREGS; i++)
		if (s->where[i] == W_EXPR || s->where[i] == W_VAL_EXPR ||
		    (s->where[i] == W_REG && s->val[i] >= NREGS))
			return CFI_UNSUPPORTED;
	if (s->where[COL_CFA_REG] != W_REG ||
	    (s->val[COL_CFA_REG] != CFI_RSP && s->val[COL_CFA_REG] != CFI_RBP) ||
	    !fit32(s->val[COL_CFA_OFF], &out->cfa_off))
		return CFI_UNSUPPORTED;
	out->cfa_reg = (uint8_t)s->val[COL_CFA_REG];
	res = saved_how(s, CFI_RA, false, &out->ra_how, &out->ra_off);
	if (res == CFI_OK)
		res = saved_how(s, CFI_RBP, true, &out->rbp_how, &out->rbp_off);
	return res;
}

/* ---- the search ----------------------------------------------------------------- */

/*
 * The FDE of the last entry whose initial_loc is at most pc, compared as
 * libunwind's remote_lookup does: int32 offsets from the hdr, pc's
 * truncated.  The whole table must be readable.
 */
static enum cfi_result find_fde(const struct cfi_mem *m, const struct cfi_table *t, uint64_t pc,
				uint64_t *fde)
{
	int32_t rel = low_s32(pc - t->hdr_vaddr);
	uint64_t lo = 0, hi = t->fde_count;
	const uint8_t *tab;

	if (t->fde_count == 0)
		return CFI_NONE;
	if (t->fde_count > CFI_MAX_TABLE || t->table_vaddr > UINT64_MAX - 8 * t->fde_count)
		return CFI_BAD;
	tab = m->at(m->ctx, t->table_vaddr, (size_t)(8 * t->fde_count));
	if (!tab)
		return CFI_BAD;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (rel < low_s32(le32(tab + 8 * mid)))
			hi = mid;
		else
			lo = mid + 1;
	}
	if (hi == 0)
		return CFI_NONE;
	*fde = t->hdr_vaddr + sext32(le32(tab + 8 * (hi - 1) + 4));
	return CFI_OK;
}

/* The FDE's CIE, then its range: CFI_NONE unless pc is inside. */
static enum cfi_result fde_head(const struct cfi_mem *m, struct ent *e, uint64_t pc,
				struct cie *c, uint64_t *start)
{
	uint64_t range, cie_off = e->id;
	enum cfi_result res;

	/* A table entry at a terminator or at a CIE: libunwind finds no info. */
	if (e->empty || e->id == 0)
		return CFI_NONE;
	if (e->r.bad)
		return CFI_BAD;
	if (!e->wide)               /* libunwind reads it as an int32 */
		cie_off = sext32((uint32_t)cie_off);
	res = parse_cie(m, e->id_vaddr - cie_off, c);
	if (res != CFI_OK)
		return res;
	res = read_ptr(&e->r, m, c->fde_enc, true, start);
	if (res == CFI_OK)
		res = read_ptr(&e->r, m, c->fde_enc & PE_FORMAT, true, &range);
	if (res != CFI_OK)
		return res;
	if (pc < *start || pc >= *start + range)
		return CFI_NONE;
	return c->signal ? CFI_UNSUPPORTED : CFI_OK;
}

/* Past the augmentation data (and the LSDA libunwind reads from it) to the instructions. */
static enum cfi_result fde_ins(const struct cfi_mem *m, struct ent *e, const struct cie *c)
{
	size_t aug_end = e->r.off;
	uint64_t tmp;
	enum cfi_result res;

	if (c->z) {
		uint64_t n = bread_leb(&e->r, false);

		if (e->r.bad || n > e->r.end - e->r.off)
			return CFI_BAD;
		aug_end = e->r.off + (size_t)n;
	}
	res = read_ptr(&e->r, m, c->lsda_enc, false, &tmp);
	if (res != CFI_OK)
		return res;
	if (c->z)
		e->r.off = aug_end;
	return CFI_OK;
}

enum cfi_result cfi_lookup(const struct cfi_mem *mem, const struct cfi_table *t, uint64_t pc,
			   struct cfi_rule *out)
{
	struct vm v;
	struct cie c;
	struct ent e;
	uint64_t fde, start;
	enum cfi_result res;

	memset(out, 0, sizeof(*out));
	res = find_fde(mem, t, pc, &fde);
	if (res == CFI_OK)
		res = load_ent(mem, fde, &e);
	if (res == CFI_OK)
		res = fde_head(mem, &e, pc, &c, &start);
	if (res == CFI_OK)
		res = fde_ins(mem, &e, &c);
	if (res != CFI_OK)
		return res;
	memset(&v, 0, sizeof(v));
	v.m = mem;
	v.c = &c;
	res = execute(&v, &e.r, start, pc);
	if (res == CFI_OK)
		res = to_rule(&v.cur, out);
	if (res != CFI_OK)
		memset(out, 0, sizeof(*out));
	return res;
}
