/* unwind.c — libunwind remote unwinding over perf's user-stack copies. */
#include <asm/perf_regs.h>
#include <errno.h>
#include <libunwind.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/cfi.h"
#include "proftui/unwind.h"

/* Exported by libunwind but absent from its public header: binary search of
 * an .eh_frame_hdr table read through the address space's accessors. */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip,
					       unw_dyn_info_t *di, unw_proc_info_t *pi,
					       int need_unwind_info, void *arg);

/* A stack address this far past the copy is still "the stack", and a read
 * there means the copy was too small (not a corrupt frame). */
#define UW_STACK_SLACK (8u << 20)

/*
 * CFI rebuilt from a module's .debug_frame (modcache_debug_frame) is served
 * at made-up runtime addresses past the module's end.  libunwind reads it
 * through access_mem within the step whose find_proc_info chose it, so
 * exactly one such range is served: the last one find_proc_info picked.
 * Every search resets it, so it can never hide the real memory another
 * module's search reads, even should the made-up range overlap a mapping.
 */
struct uw_dwf {
	uint64_t start, len;       /* runtime range; len 0: none */
	const uint8_t *buf;
};

/*
 * The fast path.  Almost every frame of compiled code unwinds by a rule of
 * one shape: CFA = rsp or rbp + N, return address at CFA + M, rbp either
 * kept or saved at CFA + K.  Such a rule depends on the code address only,
 * so it is worked out once (cfi_lookup, from the same .eh_frame libunwind
 * reads) and kept here, keyed by that address; a warm unwind is then one
 * look-up and two loads per frame instead of a libunwind step (which
 * re-checks its cache under locks and goes through our accessors for every
 * word).  An address whose rule is any other shape (signal frames, CFA
 * expressions, no CFI: JIT code, frame-pointer guesses) is remembered as
 * such, and every sample that meets one is unwound by libunwind from the
 * start, as before: the fast path only ever gives the answer the slow one
 * would.  The table is forgotten whenever the code mappings change.
 */
#define UW_RC_BITS 14
#define UW_RC_SIZE (1u << UW_RC_BITS)

enum uw_rc_kind {
	RC_EMPTY,
	RC_RULE,        /* a cfi_rule: step by it */
	RC_END,         /* the return address is undefined: the outermost frame */
	RC_SLOW,        /* libunwind (and its fallbacks) must handle this one */
};

struct uw_rc {
	uint64_t pc;
	int32_t cfa_off;
	int16_t ra_off;
	int16_t rbp_off;
	uint8_t kind;
	uint8_t cfa_rbp;        /* CFA from rbp (else rsp) */
	uint8_t rbp_how;        /* enum cfi_how */
};

struct uw {
	struct modcache *mc;
	unw_addr_space_t as;
	struct uw_rc *rc;          /* UW_RC_SIZE entries */
	uint64_t rc_gen;           /* modcache_generation they hold for */
	bool fast;                 /* use them (uw_set_fast) */
	uint64_t n_fast, n_slow;
	/* per-unwind state, valid during uw_unwind only */
	const uint64_t *regs;
	const uint8_t *stack;
	uint64_t stack_lo, stack_hi;
	bool ran_off_stack;
	bool no_info;
	struct uw_dwf dwf;
};

/* Search one .eh_frame_hdr table (runtime addresses) for ip in mapping e. */
static int search_table(unw_addr_space_t as, unw_word_t ip, const struct map_entry *e,
			uint64_t hdr, uint64_t table, uint64_t count, unw_proc_info_t *pi,
			int need_unwind_info, void *arg)
{
	unw_dyn_info_t di;

	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = e->start;
	di.end_ip = e->end;
	di.u.rti.segbase = hdr;
	di.u.rti.table_data = table;
	/* table_len counts words: each entry is two 32-bit values. */
	di.u.rti.table_len = count * 8 / sizeof(unw_word_t);
	return UNW_OBJ(dwarf_search_unwind_table)(as, ip, &di, pi, need_unwind_info, arg);
}

/*
 * The module's .eh_frame_hdr first; where it has none, or says nothing
 * about ip (binaries built without unwind tables keep a few FDEs from crt
 * files), the table rebuilt from .debug_frame.
 */
static int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
			  int need_unwind_info, void *arg)
{
	struct uw *u = arg;
	const struct map_entry *e = modcache_map(u->mc, ip);
	const struct mod *m = e ? modcache_module(u->mc, e) : NULL;
	const struct dwf_table *t;
	uint64_t vaddr, bias;
	int ret = -UNW_ENOINFO;

	u->dwf.len = 0;
	if (!m || !modcache_to_vaddr(m, e, ip, &vaddr)) {
		u->no_info = true;
		return -UNW_ENOINFO;
	}
	bias = ip - vaddr;
	if (m->eh_fde_count) {
		ret = search_table(as, ip, e, m->eh_hdr_vaddr + bias, m->eh_table_vaddr + bias,
				   m->eh_fde_count, pi, need_unwind_info, arg);
		if (ret != -UNW_ENOINFO)
			return ret;
	}
	t = modcache_debug_frame(u->mc, m);
	if (!t) {
		u->no_info = u->no_info || !m->eh_fde_count;
		return ret;
	}
	u->dwf = (struct uw_dwf){ .start = t->vaddr + bias, .len = t->len, .buf = t->buf };
	return search_table(as, ip, e, t->hdr_vaddr + bias, t->table_vaddr + bias, t->fde_count,
			    pi, need_unwind_info, arg);
}

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	(void)as;
	(void)pi;
	(void)arg;
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *dilap, void *arg)
{
	(void)as;
	(void)dilap;
	(void)arg;
	return -UNW_ENOINFO;
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *valp, int write, void *arg)
{
	struct uw *u = arg;

	(void)as;
	if (write)
		return -UNW_EINVAL;
	if (addr >= u->stack_lo && u->stack_hi - u->stack_lo >= sizeof(*valp) &&
	    addr - u->stack_lo <= u->stack_hi - u->stack_lo - sizeof(*valp)) {
		memcpy(valp, u->stack + (addr - u->stack_lo), sizeof(*valp));
		return 0;
	}
	/* CFI rebuilt from .debug_frame, if find_proc_info just chose some. */
	if (u->dwf.len && addr >= u->dwf.start && addr - u->dwf.start <= u->dwf.len - sizeof(*valp)) {
		memcpy(valp, u->dwf.buf + (addr - u->dwf.start), sizeof(*valp));
		return 0;
	}
	/* Code or unwind tables, read from the module's file.  Asked before
	 * the "just past the copy" test below: a thread's stack can end right
	 * below a library, whose tables are then a few pages past the copy. */
	if (modcache_read(u->mc, addr, valp, sizeof(*valp)))
		return 0;
	if (addr >= u->stack_lo && addr - u->stack_lo < u->stack_hi - u->stack_lo + UW_STACK_SLACK)
		u->ran_off_stack = true;
	return -UNW_EINVAL;
}

/* libunwind's x86-64 register numbers to perf's sample register indices. */
static int perf_index(unw_regnum_t r)
{
	static const int map[] = {
		[UNW_X86_64_RAX] = PERF_REG_X86_AX, [UNW_X86_64_RDX] = PERF_REG_X86_DX,
		[UNW_X86_64_RCX] = PERF_REG_X86_CX, [UNW_X86_64_RBX] = PERF_REG_X86_BX,
		[UNW_X86_64_RSI] = PERF_REG_X86_SI, [UNW_X86_64_RDI] = PERF_REG_X86_DI,
		[UNW_X86_64_RBP] = PERF_REG_X86_BP, [UNW_X86_64_RSP] = PERF_REG_X86_SP,
		[UNW_X86_64_R8] = PERF_REG_X86_R8, [UNW_X86_64_R9] = PERF_REG_X86_R9,
		[UNW_X86_64_R10] = PERF_REG_X86_R10, [UNW_X86_64_R11] = PERF_REG_X86_R11,
		[UNW_X86_64_R12] = PERF_REG_X86_R12, [UNW_X86_64_R13] = PERF_REG_X86_R13,
		[UNW_X86_64_R14] = PERF_REG_X86_R14, [UNW_X86_64_R15] = PERF_REG_X86_R15,
		[UNW_X86_64_RIP] = PERF_REG_X86_IP,
	};

	if (r < 0 || (size_t)r >= sizeof(map) / sizeof(map[0]))
		return -1;
	return map[r];
}

static int access_reg(unw_addr_space_t as, unw_regnum_t regnum, unw_word_t *valp, int write,
		      void *arg)
{
	struct uw *u = arg;
	int i = perf_index(regnum);

	(void)as;
	if (write || i < 0)
		return -UNW_EBADREG;
	*valp = u->regs[i];
	return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t num, unw_fpreg_t *val, int write,
			void *arg)
{
	(void)as;
	(void)num;
	(void)val;
	(void)write;
	(void)arg;
	return -UNW_EBADREG;
}

static int resume(unw_addr_space_t as, unw_cursor_t *cu, void *arg)
{
	(void)as;
	(void)cu;
	(void)arg;
	return -UNW_EINVAL;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
			 unw_word_t *offp, void *arg)
{
	(void)as;
	(void)addr;
	(void)buf;
	(void)len;
	(void)offp;
	(void)arg;
	return -UNW_ENOINFO;
}

static unw_accessors_t accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = access_mem,
	.access_reg = access_reg,
	.access_fpreg = access_fpreg,
	.resume = resume,
	.get_proc_name = get_proc_name,
};

struct uw *uw_new(struct modcache *mc)
{
	struct uw *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->mc = mc;
	u->as = unw_create_addr_space(&accessors, 0);
	if (!u->as) {
		free(u);
		return NULL;
	}
	unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	u->rc = calloc(UW_RC_SIZE, sizeof(*u->rc));
	if (!u->rc) {
		unw_destroy_addr_space(u->as);
		free(u);
		return NULL;
	}
	u->rc_gen = modcache_generation(mc);
	u->fast = true;
	return u;
}

void uw_set_fast(struct uw *u, bool on)
{
	u->fast = on;
}

void uw_stats(const struct uw *u, uint64_t *fast, uint64_t *slow)
{
	*fast = u->n_fast;
	*slow = u->n_slow;
}

void uw_free(struct uw *u)
{
	if (!u)
		return;
	unw_destroy_addr_space(u->as);
	free(u->rc);
	free(u);
}

void uw_flush(struct uw *u)
{
	unw_flush_cache(u->as, 0, 0);
	memset(u->rc, 0, UW_RC_SIZE * sizeof(*u->rc));
}

static bool is_code(struct uw *u, uint64_t ip)
{
	const struct map_entry *e = modcache_map(u->mc, ip - 1);

	return e && e->x;
}

/*
 * One frame-pointer step from `bp`, for a frame without usable CFI (JIT
 * code, binaries stripped of .eh_frame): [bp] holds the caller's bp and
 * [bp+8] the return address.  The step must move up the copied stack and
 * land in code, so a register that was never a frame pointer fails fast.
 * On success `regs` becomes the caller's register set (as far as it can be
 * known) so DWARF unwinding can resume there.
 */
static enum unwind_status fp_step(struct uw *u, uint64_t bp, uint64_t prev_sp, uint64_t *regs)
{
	uint64_t next, ret;

	if (!bp || bp < prev_sp || bp < u->stack_lo)
		return UWS_BAD_FRAME;
	/* Written so that no sum can wrap: bp comes from the target. */
	if (bp > u->stack_hi || u->stack_hi - bp < 16)
		return bp - u->stack_hi < UW_STACK_SLACK ? UWS_STACK_COPY : UWS_BAD_FRAME;
	memcpy(&next, u->stack + (bp - u->stack_lo), 8);
	memcpy(&ret, u->stack + (bp - u->stack_lo) + 8, 8);
	if (!ret || !is_code(u, ret))
		return UWS_BAD_FRAME;
	regs[PERF_REG_X86_IP] = ret;
	regs[PERF_REG_X86_SP] = bp + 16;
	regs[PERF_REG_X86_BP] = next;
	return UWS_OK;
}

/* Anonymous executable memory: JIT code, with no unwind tables at all. */
static bool is_jit(struct uw *u, uint64_t ip)
{
	const struct map_entry *e = modcache_map(u->mc, ip);

	/* (By hand, not strncmp: this runs for every frame of a slow unwind.) */
	return e && e->x && (!e->path[0] || (e->path[0] == '[' && e->path[1] == 'a' &&
					     e->path[2] == 'n' && e->path[3] == 'o' &&
					     e->path[4] == 'n'));
}

/*
 * CPython's -X perf trampoline (3.12+, Python/asm_trampoline.S):
 *	sub $8,%rsp; call *%rcx; add $8,%rsp; ret
 * A frame returning into it after the call has its return address 16 bytes
 * up: CFA = SP + 16.  It keeps no frame pointer and has no unwind table, so
 * only its exact bytes, read from the live process, let us step over it:
 * a guess at some other JIT code's frame could show a wrong stack.
 */
static const uint8_t cpython_trampoline[] = { 0x48, 0x83, 0xec, 0x08, 0xff, 0xd1 };

static enum unwind_status trampoline_step(struct uw *u, uint64_t ip, uint64_t sp, uint64_t bp,
					  uint64_t *regs)
{
	uint8_t code[sizeof(cpython_trampoline)];
	uint64_t ret;

	if (ip < sizeof(code) ||
	    !modcache_read_live(u->mc, ip - sizeof(code), code, sizeof(code)) ||
	    memcmp(code, cpython_trampoline, sizeof(code)))
		return UWS_NO_CFI;
	if (sp < u->stack_lo || sp > u->stack_hi || u->stack_hi - sp < 16)
		return UWS_STACK_COPY;
	memcpy(&ret, u->stack + (sp - u->stack_lo) + 8, 8);
	if (!is_code(u, ret))
		return UWS_BAD_FRAME;
	regs[PERF_REG_X86_IP] = ret;
	regs[PERF_REG_X86_SP] = sp + 16;
	regs[PERF_REG_X86_BP] = bp;
	return UWS_OK;
}

/*
 * DWARF steps from the register set in u->regs until the stack ends
 * (UWS_OK, *more false) or a step fails (*more true, *bp the frame's rbp
 * for the frame-pointer fallback, *sp its stack pointer, *jit whether it
 * is JIT code).  A stack that seems to end in JIT code is a failed step:
 * JIT code has no tables that could say so.
 */
static enum unwind_status dwarf_segment(struct uw *u, uint64_t *ips, size_t *n, size_t max,
					uint64_t *prev_sp, uint64_t *bp, uint64_t *cur_sp,
					uint64_t *cur_ip, bool *jit, bool *more)
{
	unw_cursor_t cursor;
	unw_word_t ip, sp, rbp;
	int ret;

	*more = false;
	*jit = false;
	*bp = u->regs[PERF_REG_X86_BP];
	*cur_sp = u->regs[PERF_REG_X86_SP];
	if (unw_init_remote(&cursor, u->as, u) < 0) {
		*more = true;
		return UWS_BAD_FRAME;
	}
	for (;;) {
		if (unw_get_reg(&cursor, UNW_X86_64_RBP, &rbp) == 0)
			*bp = rbp;
		if (unw_get_reg(&cursor, UNW_REG_SP, &sp) == 0)
			*cur_sp = sp;
		if (unw_get_reg(&cursor, UNW_REG_IP, &ip) == 0) {
			*cur_ip = ip;
			*jit = is_jit(u, ip);
		}
		ret = unw_step(&cursor);
		if (ret == 0 && *jit) {
			*more = true;
			return UWS_BAD_FRAME;
		}
		if (ret == 0)
			return UWS_OK;
		/* A failed step, a return address outside code, or a frame
		 * not higher on the stack than its callee: this step went
		 * wrong (no CFI here, a corrupt stack, an unwinder cycle). */
		if (ret < 0 || unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 ||
		    unw_get_reg(&cursor, UNW_REG_SP, &sp) < 0 ||
		    (ip && (!is_code(u, ip) || sp <= *prev_sp))) {
			*more = true;
			return UWS_BAD_FRAME;
		}
		if (ip == 0)
			return UWS_OK;
		if (*n == max)
			return UWS_DEPTH;
		*prev_sp = sp;
		ips[(*n)++] = ip - 1;
	}
}

/* ---- the fast path (see struct uw_rc) ---------------------------------- */

static const uint8_t *image_at(void *ctx, uint64_t vaddr, size_t len)
{
	return modcache_image_at(ctx, vaddr, len);
}

static const uint8_t *dwf_at(void *ctx, uint64_t vaddr, size_t len)
{
	const struct dwf_table *t = ctx;

	if (vaddr < t->vaddr || vaddr - t->vaddr > t->len || len > t->len - (vaddr - t->vaddr))
		return NULL;
	return t->buf + (vaddr - t->vaddr);
}

/* The rule at pc, searched where find_proc_info searches: .eh_frame_hdr,
 * then CFI rebuilt from .debug_frame. */
static enum cfi_result rule_search(struct uw *u, uint64_t pc, struct cfi_rule *r)
{
	const struct map_entry *e = modcache_map(u->mc, pc);
	const struct mod *m = e && e->x ? modcache_module(u->mc, e) : NULL;
	const struct dwf_table *t;
	uint64_t vaddr;
	enum cfi_result res = CFI_NONE;

	if (!m || !m->image || !modcache_to_vaddr(m, e, pc, &vaddr))
		return CFI_NONE;
	if (m->eh_fde_count) {
		struct cfi_mem mem = { image_at, (void *)m };
		struct cfi_table tab = { m->eh_hdr_vaddr, m->eh_table_vaddr, m->eh_fde_count };

		res = cfi_lookup(&mem, &tab, vaddr, r);
		if (res != CFI_NONE)
			return res;
	}
	t = modcache_debug_frame(u->mc, m);
	if (t) {
		struct cfi_mem mem = { dwf_at, (void *)t };
		struct cfi_table tab = { t->hdr_vaddr, t->table_vaddr, t->fde_count };

		res = cfi_lookup(&mem, &tab, vaddr, r);
	}
	return res;
}

static bool fits16(int32_t v)
{
	return v >= INT16_MIN && v <= INT16_MAX;
}

/* Fill a table entry for pc from its CFI. */
static void rule_learn(struct uw *u, uint64_t pc, struct uw_rc *c)
{
	struct cfi_rule r;

	*c = (struct uw_rc){ .pc = pc, .kind = RC_SLOW };
	if (rule_search(u, pc, &r) != CFI_OK)
		return;
	if (r.ra_how == CFI_UNDEF) {
		c->kind = RC_END;
		return;
	}
	if (r.ra_how != CFI_AT_CFA || (r.cfa_reg != CFI_RSP && r.cfa_reg != CFI_RBP) ||
	    !fits16(r.ra_off) || !fits16(r.rbp_off))
		return;
	c->kind = RC_RULE;
	c->cfa_rbp = r.cfa_reg == CFI_RBP;
	c->cfa_off = r.cfa_off;
	c->ra_off = (int16_t)r.ra_off;
	c->rbp_how = r.rbp_how;
	c->rbp_off = (int16_t)r.rbp_off;
}

static const struct uw_rc *rule_at(struct uw *u, uint64_t pc)
{
	/* Fibonacci hashing: code addresses differ in their low bits. */
	struct uw_rc *c = &u->rc[(pc * 0x9e3779b97f4a7c15ull) >> (64 - UW_RC_BITS)];

	if (c->kind == RC_EMPTY || c->pc != pc)
		rule_learn(u, pc, c);
	return c;
}

/* A word of the stack copy at addr (a target address computed from its
 * registers: checked so that nothing wraps). */
static bool stack_word(const struct uw *u, uint64_t addr, uint64_t *v)
{
	if (addr < u->stack_lo || addr - u->stack_lo > u->stack_hi - u->stack_lo ||
	    u->stack_hi - addr < 8)
		return false;
	memcpy(v, u->stack + (addr - u->stack_lo), 8);
	return true;
}

/*
 * Unwind by cached rules alone.  True when the walk ended the way
 * libunwind's would have (stack end, or max frames); false as soon as a
 * frame needs anything else, and the caller starts over on the slow path.
 * ips[0] is already the sampled ip.
 */
static bool fast_unwind(struct uw *u, const uint64_t *regs, uint64_t *ips, size_t max,
			size_t *n, enum unwind_status *status)
{
	uint64_t sp = regs[PERF_REG_X86_SP], bp = regs[PERF_REG_X86_BP];
	uint64_t pc = regs[PERF_REG_X86_IP], cfa, ra;
	size_t k = 1;

	for (;;) {
		const struct uw_rc *c = rule_at(u, pc);

		if (c->kind == RC_END)
			break;
		if (c->kind != RC_RULE)
			return false;
		cfa = (c->cfa_rbp ? bp : sp) + (uint64_t)(int64_t)c->cfa_off;
		if (!stack_word(u, cfa + (uint64_t)(int64_t)c->ra_off, &ra))
			return false;
		if (c->rbp_how == CFI_UNDEF)       /* x86-64: a null rbp ends the chain */
			break;
		if (c->rbp_how == CFI_AT_CFA &&
		    !stack_word(u, cfa + (uint64_t)(int64_t)c->rbp_off, &bp))
			return false;
		if (ra == 0)
			break;
		/* Must move up the stack; a caller outside code is the slow
		 * path's to judge (rule_at finds no rule for it). */
		if (cfa <= sp)
			return false;
		/* libunwind's walk checks the next frame before it says
		 * "depth": a caller we have a rule for is code; any other
		 * is the slow path's to judge. */
		if (k == max) {
			enum uw_rc_kind next = rule_at(u, ra - 1)->kind;

			if (next != RC_RULE && next != RC_END)
				return false;
			*n = k;
			*status = UWS_DEPTH;
			return true;
		}
		sp = cfa;
		pc = ra - 1;
		ips[k++] = pc;
	}
	*n = k;
	*status = UWS_OK;
	return true;
}

/*
 * libunwind guards its global cache by blocking every signal around each
 * look-up: two rt_sigprocmask system calls per frame, three quarters of an
 * unwind's time (bench/unwindbench: 60,000 stacks/s with them, 340,000
 * without).  The sampler thread runs with every signal blocked for its
 * whole life (sampler.c spawns it so), so there those calls change nothing:
 * while uw_unwind runs on a thread whose signals are all blocked, this
 * definition (the executable's, which libunwind's calls bind to) skips
 * them.  Anywhere else it does what the C library's does.
 */
static _Thread_local bool uw_skip_sigmask;
static _Thread_local int uw_thread_blocked = -1;   /* -1: not checked yet */

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	int err;

	if (uw_skip_sigmask) {
		if (old)
			sigfillset(old);
		return 0;
	}
	err = pthread_sigmask(how, set, old);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Are all the signals a thread can block blocked on this thread?  Asked
 * once per thread: the sampler thread's mask never changes. */
static bool all_blocked(void)
{
	sigset_t cur, full;

	if (uw_thread_blocked < 0) {
		sigfillset(&full);
		pthread_sigmask(SIG_BLOCK, NULL, &cur);
		uw_thread_blocked = 1;
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP && sigismember(&full, sig) == 1 &&
			    sigismember(&cur, sig) != 1)
				uw_thread_blocked = 0;
	}
	return uw_thread_blocked == 1;
}

static size_t uw_unwind_all(struct uw *u, const uint64_t *regs, const uint8_t *stack,
			    size_t stack_len, uint64_t *ips, size_t max,
			    enum unwind_status *status);

size_t uw_unwind(struct uw *u, const uint64_t *regs, const uint8_t *stack, size_t stack_len,
		 uint64_t *ips, size_t max, enum unwind_status *status)
{
	size_t n;

	uw_skip_sigmask = all_blocked();
	n = uw_unwind_all(u, regs, stack, stack_len, ips, max, status);
	uw_skip_sigmask = false;
	return n;
}

static size_t uw_unwind_all(struct uw *u, const uint64_t *regs, const uint8_t *stack,
			    size_t stack_len, uint64_t *ips, size_t max,
			    enum unwind_status *status)
{
	uint64_t synth[UW_NREGS], prev_sp, bp, cur_sp, cur_ip = 0;
	size_t n = 0;
	bool more, jit;

	u->regs = regs;
	u->stack = stack;
	u->stack_lo = regs[PERF_REG_X86_SP];
	u->stack_hi = u->stack_lo + stack_len;
	u->ran_off_stack = false;
	u->no_info = false;
	u->dwf.len = 0;
	*status = UWS_OK;
	if (max == 0)
		return 0;
	ips[n++] = regs[PERF_REG_X86_IP];
	if (u->fast) {
		if (modcache_generation(u->mc) != u->rc_gen) {
			memset(u->rc, 0, UW_RC_SIZE * sizeof(*u->rc));
			u->rc_gen = modcache_generation(u->mc);
		}
		if (fast_unwind(u, regs, ips, max, &n, status)) {
			u->n_fast++;
			return n;
		}
		n = 1;
	}
	u->n_slow++;
	prev_sp = u->stack_lo;
	memcpy(synth, regs, sizeof(synth));
	for (;;) {
		*status = dwarf_segment(u, ips, &n, max, &prev_sp, &bp, &cur_sp, &cur_ip, &jit,
					&more);
		if (!more)
			break;
		/* Where CFI failed, frame pointers may still know the way
		 * (and CPython's trampolines their own shape); DWARF resumes
		 * in the caller. */
		*status = jit ? trampoline_step(u, cur_ip, cur_sp, bp, synth) : UWS_NO_CFI;
		if (*status != UWS_OK)
			*status = fp_step(u, bp, prev_sp, synth);
		if (*status != UWS_OK)
			break;
		if (n == max) {
			*status = UWS_DEPTH;
			break;
		}
		ips[n++] = synth[PERF_REG_X86_IP] - 1;
		prev_sp = synth[PERF_REG_X86_SP];
		u->regs = synth;
	}
	if (*status == UWS_BAD_FRAME)
		*status = u->ran_off_stack ? UWS_STACK_COPY : u->no_info ? UWS_NO_CFI : *status;
	u->dwf.len = 0;             /* its buffer may go with the next modcache_reset */
	return n;
}
