/* test_pyframes.c — the Python frame-chain reader on recorded (synthetic) memory images. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/pyframes.h"
#include "proftui/pylayout.h"

/* A fake address space: one buffer at BASE; reads outside it fail. */
#define BASE 0x10000ull
#define MEM 0x80000

struct img {
	uint8_t mem[MEM];
	uint64_t next;        /* bump allocator */
	unsigned reads;
};

static int img_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct img *m = ctx;

	m->reads++;
	if (addr < BASE || addr - BASE > MEM || len > MEM - (addr - BASE))
		return -EFAULT;
	memcpy(buf, m->mem + (addr - BASE), len);
	return 0;
}

static struct img *img_new(void)
{
	struct img *m = calloc(1, sizeof(*m));

	cr_assert(m);
	m->next = BASE + 0x100;
	return m;
}

static uint64_t img_alloc(struct img *m, size_t len)
{
	uint64_t a = m->next;

	m->next += (len + 15) & ~(size_t)15;
	cr_assert(m->next - BASE <= MEM);
	return a;
}

static void put64(struct img *m, uint64_t addr, uint16_t off, uint64_t v)
{
	cr_assert(off != PYL_NONE);
	memcpy(m->mem + (addr - BASE) + off, &v, 8);
}

static void put32(struct img *m, uint64_t addr, uint16_t off, uint32_t v)
{
	memcpy(m->mem + (addr - BASE) + off, &v, 4);
}

static void put8(struct img *m, uint64_t addr, uint16_t off, uint8_t v)
{
	m->mem[(addr - BASE) + off] = v;
}

/*
 * Made-up layouts, one per shape of frame chain CPython has had: the reader
 * must follow the layout, not any one version's numbers.  The str state
 * bits follow CPython's order (interned 2 bits, kind 3, compact, ascii).
 */
static struct py_layout base_layout(void)
{
	return (struct py_layout){
		.major = 3, .minor = 9,
		.runtime_interp_head = 24,
		.interp_next = 0, .interp_tstate_head = 8,
		.tstate_next = 8, .tstate_thread_id = 40, .tstate_native_tid = PYL_NONE,
		.tstate_frame = 24, .tstate_cframe = PYL_NONE, .cframe_current_frame = PYL_NONE,
		.frame_back = 24, .frame_code = 32, .frame_lasti = 100, .frame_instr = PYL_NONE,
		.frame_is_entry = PYL_NONE, .frame_owner = PYL_NONE,
		.code_name = 104, .code_qualname = PYL_NONE, .code_filename = 96,
		.code_firstlineno = 40, .code_linetable = PYL_NONE, .code_code_adaptive = PYL_NONE,
		.ob_type = 8, .var_size = 16, .bytes_sval = 32,
		.unicode_length = 16, .unicode_state = 32,
		.unicode_ascii_size = 48, .unicode_compact_size = 72,
		.state_kind_shift = 2, .state_compact_shift = 5, .state_ascii_shift = 6,
	};
}

static struct py_layout layout_311(void)
{
	struct py_layout l = base_layout();

	l.minor = 11;
	l.tstate_frame = PYL_NONE;
	l.tstate_cframe = 56;
	l.cframe_current_frame = 8;
	l.tstate_native_tid = 72;
	l.frame_back = 48;
	l.frame_code = 32;
	l.frame_lasti = PYL_NONE;
	l.frame_instr = 56;
	l.frame_is_entry = 70;
	l.code_qualname = 112;
	return l;
}

static struct py_layout layout_312(void)
{
	struct py_layout l = layout_311();

	l.minor = 12;
	l.frame_is_entry = PYL_NONE;
	l.frame_owner = 70;
	l.owner_cstack = 3;
	return l;
}

static uint64_t new_str(struct img *m, const struct py_layout *l, const void *data, size_t nchars,
			unsigned kind, bool ascii)
{
	size_t hdr = ascii ? l->unicode_ascii_size : l->unicode_compact_size;
	uint64_t s = img_alloc(m, hdr + (nchars + 1) * kind);
	uint32_t state = (kind << l->state_kind_shift) | (1u << l->state_compact_shift) |
			 ((ascii ? 1u : 0u) << l->state_ascii_shift);

	put64(m, s, l->unicode_length, nchars);
	put32(m, s, l->unicode_state, state);
	memcpy(m->mem + (s - BASE) + hdr, data, nchars * kind);
	return s;
}

static uint64_t ascii(struct img *m, const struct py_layout *l, const char *text)
{
	return new_str(m, l, text, strlen(text), 1, true);
}

#define CODE_TYPE 0x1234ull

static uint64_t new_code(struct img *m, const struct py_layout *l, const char *name, int line)
{
	uint64_t c = img_alloc(m, 1024);

	put64(m, c, l->ob_type, CODE_TYPE);
	put64(m, c, l->code_name, ascii(m, l, name));
	if (l->code_qualname != PYL_NONE) {
		char q[64];

		snprintf(q, sizeof(q), "Cls.%s", name);
		put64(m, c, l->code_qualname, ascii(m, l, q));
	}
	put64(m, c, l->code_filename, ascii(m, l, "/srv/app/work.py"));
	put32(m, c, l->code_firstlineno, (uint32_t)line);
	return c;
}

static uint64_t new_frame(struct img *m, const struct py_layout *l, uint64_t code, uint64_t back)
{
	uint64_t f = img_alloc(m, 128);

	put64(m, f, l->frame_code, code);
	put64(m, f, l->frame_back, back);
	return f;
}

/* A thread state whose current frame is top (through a cframe for 3.11-3.12). */
static uint64_t new_tstate(struct img *m, const struct py_layout *l, uint64_t top, uint32_t tid)
{
	uint64_t ts = img_alloc(m, 1024);

	if (l->tstate_frame != PYL_NONE) {
		put64(m, ts, l->tstate_frame, top);
	} else {
		uint64_t cf = img_alloc(m, 32);

		put64(m, ts, l->tstate_cframe, cf);
		put64(m, cf, l->cframe_current_frame, top);
	}
	if (l->tstate_native_tid != PYL_NONE)
		put32(m, ts, l->tstate_native_tid, tid);
	put64(m, ts, l->tstate_thread_id, 0x7f0000000000ull + tid);
	return ts;
}

static struct pyf_reader reader(struct img *m, const struct py_layout *l)
{
	return (struct pyf_reader){ .l = l, .read = img_read, .ctx = m, .code_type = CODE_TYPE };
}

Test(pyframes, chain_before_311_every_frame_is_an_entry)
{
	struct py_layout l = base_layout();
	struct img *m = img_new();
	struct pyf_reader r = reader(m, &l);
	uint64_t c1 = new_code(m, &l, "main", 1), c2 = new_code(m, &l, "work", 10);
	uint64_t c3 = new_code(m, &l, "leaf", 20);
	uint64_t f1 = new_frame(m, &l, c1, 0), f2 = new_frame(m, &l, c2, f1);
	uint64_t f3 = new_frame(m, &l, c3, f2), ts = new_tstate(m, &l, f3, 7), top;
	struct pyf_frame out[8];
	struct pyf_code code;
	size_t n;

	cr_assert_eq(pyf_top_frame(&r, ts, &top), 0);
	cr_assert_eq(top, f3);
	cr_assert_eq(pyf_walk(&r, top, out, 8, &n), PYF_OK);
	cr_assert_eq(n, 3);
	cr_assert_eq(out[0].code, c3);
	cr_assert_eq(out[1].code, c2);
	cr_assert_eq(out[2].code, c1);
	for (size_t i = 0; i < n; i++)
		cr_assert(out[i].entry, "frame %zu", i);
	cr_assert_eq(pyf_code(&r, c2, &code), 0);
	cr_assert_str_eq(code.name, "work");   /* no co_qualname before 3.11 */
	cr_assert_str_eq(code.file, "/srv/app/work.py");
	cr_assert_eq(code.firstlineno, 10);
	free(m);
}

Test(pyframes, chain_311_groups_end_at_is_entry)
{
	struct py_layout l = layout_311();
	struct img *m = img_new();
	struct pyf_reader r = reader(m, &l);
	uint64_t c = new_code(m, &l, "f", 3);
	uint64_t f1 = new_frame(m, &l, c, 0), f2 = new_frame(m, &l, c, f1);
	uint64_t f3 = new_frame(m, &l, c, f2), f4 = new_frame(m, &l, c, f3);
	uint64_t ts = new_tstate(m, &l, f4, 9), top;
	struct pyf_frame out[8];
	struct pyf_code code;
	size_t n;

	/* f4 f3 | f2 f1: two runs of the evaluation loop. */
	put8(m, f3, l.frame_is_entry, 1);
	put8(m, f1, l.frame_is_entry, 1);
	cr_assert_eq(pyf_top_frame(&r, ts, &top), 0);
	cr_assert_eq(top, f4);
	cr_assert_eq(pyf_walk(&r, top, out, 8, &n), PYF_OK);
	cr_assert_eq(n, 4);
	cr_assert(!out[0].entry && out[1].entry && !out[2].entry && out[3].entry);
	cr_assert_eq(out[1].frame, f3);
	cr_assert_eq(pyf_code(&r, c, &code), 0);
	cr_assert_str_eq(code.name, "Cls.f");  /* the qualified name from 3.11 */
	free(m);
}

Test(pyframes, chain_312_shim_frames_close_groups_and_are_skipped)
{
	struct py_layout l = layout_312();
	struct img *m = img_new();
	struct pyf_reader r = reader(m, &l);
	uint64_t c = new_code(m, &l, "g", 5), trampoline = new_code(m, &l, "<shim>", 0);
	uint64_t f1 = new_frame(m, &l, c, 0), shim1 = new_frame(m, &l, trampoline, f1);
	uint64_t f2 = new_frame(m, &l, c, shim1), f3 = new_frame(m, &l, c, f2);
	uint64_t shim2 = new_frame(m, &l, trampoline, f3), f4 = new_frame(m, &l, c, shim2);
	struct pyf_frame out[8];
	size_t n;

	put8(m, shim1, l.frame_owner, 3);
	put8(m, shim2, l.frame_owner, 3);
	cr_assert_eq(pyf_walk(&r, f4, out, 8, &n), PYF_OK);
	cr_assert_eq(n, 4);
	cr_assert_eq(out[0].frame, f4);
	cr_assert_eq(out[1].frame, f3);
	cr_assert_eq(out[3].frame, f1);
	cr_assert(out[0].entry && !out[1].entry && out[2].entry && out[3].entry);
	free(m);
}

Test(pyframes, cycles_end_cleanly)
{
	struct py_layout l = base_layout();
	struct img *m = img_new();
	struct pyf_reader r = reader(m, &l);
	uint64_t c = new_code(m, &l, "loop", 1), f[600];
	struct pyf_frame out[4096];
	size_t n;

	/* A two-frame loop. */
	f[0] = new_frame(m, &l, c, 0);
	f[1] = new_frame(m, &l, c, f[0]);
	put64(m, f[0], l.frame_back, f[1]);
	cr_assert_eq(pyf_walk(&r, f[1], out, 4096, &n), PYF_CYCLE);
	cr_assert_leq(n, 8);
	/* A frame that is its own caller. */
	put64(m, f[0], l.frame_back, f[0]);
	cr_assert_eq(pyf_walk(&r, f[0], out, 4096, &n), PYF_CYCLE);
	/* A long tail into a loop of 300: found within a few loop lengths. */
	for (int i = 0; i < 600; i++)
		f[i] = new_frame(m, &l, c, i ? f[i - 1] : 0);
	put64(m, f[0], l.frame_back, f[300]);
	m->reads = 0;
	cr_assert_eq(pyf_walk(&r, f[599], out, 4096, &n), PYF_CYCLE);
	cr_assert_leq(n, 300 + 3 * 300);
	cr_assert_leq(m->reads, 4 * 600);
	free(m);
}

Test(pyframes, truncated_and_corrupt_chains)
{
	struct py_layout l = base_layout();
	struct img *m = img_new();
	struct pyf_reader r = reader(m, &l);
	uint64_t c = new_code(m, &l, "f", 1), notcode = img_alloc(m, 64);
	uint64_t f1 = new_frame(m, &l, c, 0xdead0000ull);   /* caller unmapped */
	uint64_t f2 = new_frame(m, &l, c, f1);
	uint64_t fnull = new_frame(m, &l, 0, f2);
	uint64_t fother = new_frame(m, &l, notcode, f2);
	struct pyf_frame out[8];
	size_t n;

	cr_assert_eq(pyf_walk(&r, f2, out, 8, &n), PYF_READ);
	cr_assert_eq(n, 2, "the frames read before the bad pointer are kept");
	cr_assert_eq(pyf_walk(&r, fnull, out, 8, &n), PYF_BAD);
	cr_assert_eq(n, 0);
	/* A frame whose code is not a code object is skipped, not shown. */
	put64(m, f1, l.frame_back, 0);
	put64(m, notcode, l.ob_type, 0x999);
	cr_assert_eq(pyf_walk(&r, fother, out, 8, &n), PYF_OK);
	cr_assert_eq(n, 2);
	cr_assert_eq(out[0].frame, f2);
	/* The thread state itself unreadable. */
	uint64_t top = 1;
	cr_assert_neq(pyf_top_frame(&r, 0xbad00000ull, &top), 0);
	free(m);
}

Test(pyframes, depth_keeps_the_innermost_frames)
{
	struct py_layout l = base_layout();
	struct img *m = img_new();
	struct pyf_reader r = reader(m, &l);
	uint64_t c = new_code(m, &l, "deep", 1), f = 0, first = 0;
	struct pyf_frame out[10];
	size_t n;

	for (int i = 0; i < 100; i++) {
		f = new_frame(m, &l, c, f);
		if (!first)
			first = f;
	}
	cr_assert_eq(pyf_walk(&r, f, out, 10, &n), PYF_DEPTH);
	cr_assert_eq(n, 10);
	cr_assert_eq(out[0].frame, f);
	free(m);
}

static int collect_thread(void *ctx, const struct pyf_thread *t)
{
	uint32_t *tids = ctx;

	tids[++tids[0]] = t->native_tid;
	return tids[0] == 16 ? 1 : 0;
}

Test(pyframes, thread_lists)
{
	struct py_layout l = layout_311();
	struct img *m = img_new();
	struct pyf_reader r = reader(m, &l);
	uint64_t rt = img_alloc(m, 64), in1 = img_alloc(m, 64), in2 = img_alloc(m, 64);
	uint64_t t1 = new_tstate(m, &l, 0, 101), t2 = new_tstate(m, &l, 0, 102);
	uint64_t t3 = new_tstate(m, &l, 0, 201);
	uint32_t tids[20] = { 0 };

	put64(m, rt, l.runtime_interp_head, in1);
	put64(m, in1, l.interp_next, in2);
	put64(m, in1, l.interp_tstate_head, t1);
	put64(m, t1, l.tstate_next, t2);
	put64(m, in2, l.interp_tstate_head, t3);
	cr_assert_eq(pyf_threads(&r, rt, collect_thread, tids), 0);
	cr_assert_eq(tids[0], 3);
	cr_assert(tids[1] == 101 && tids[2] == 102 && tids[3] == 201);
	/* A thread list that loops is cut by the cap (the callback stops
	 * first here, at 16 visits) and a runaway one gives -ELOOP. */
	put64(m, t2, l.tstate_next, t1);
	memset(tids, 0, sizeof(tids));
	cr_assert_eq(pyf_threads(&r, rt, collect_thread, tids), 1);
	cr_assert_eq(tids[0], 16);
	free(m);
}

static int count_thread(void *ctx, const struct pyf_thread *t)
{
	(void)t;
	(*(size_t *)ctx)++;
	return 0;
}

Test(pyframes, looping_thread_list_is_refused)
{
	struct py_layout l = base_layout();
	struct img *m = img_new();
	struct pyf_reader r = reader(m, &l);
	uint64_t rt = img_alloc(m, 64), in = img_alloc(m, 64), t = new_tstate(m, &l, 0, 1);
	size_t visits = 0;

	put64(m, rt, l.runtime_interp_head, in);
	put64(m, in, l.interp_tstate_head, t);
	put64(m, t, l.tstate_next, t);
	cr_assert_eq(pyf_threads(&r, rt, count_thread, &visits), -ELOOP);
	cr_assert_eq(visits, PYF_MAX_THREADS);
	free(m);
}

Test(pyframes, strings_of_every_kind_become_utf8)
{
	struct py_layout l = base_layout();
	struct img *m = img_new();
	struct pyf_reader r = reader(m, &l);
	const uint8_t latin[] = { 'c', 0xe9, 't', 0xe9 };          /* "cété" */
	const uint16_t bmp[] = { 0x65e5, 0x672c };                  /* "日本" */
	const uint32_t astral[] = { 0x1f600, 'x', 0xd800 };         /* emoji, x, lone surrogate */
	char buf[64];
	uint64_t s;

	cr_assert_eq(pyf_str(&r, ascii(m, &l, "hello"), buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "hello");
	cr_assert_eq(pyf_str(&r, new_str(m, &l, latin, 4, 1, false), buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "c\xc3\xa9t\xc3\xa9");
	cr_assert_eq(pyf_str(&r, new_str(m, &l, bmp, 2, 2, false), buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "\xe6\x97\xa5\xe6\x9c\xac");
	cr_assert_eq(pyf_str(&r, new_str(m, &l, astral, 3, 4, false), buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "\xf0\x9f\x98\x80x\xef\xbf\xbd");
	/* Cut at a character boundary when the buffer is small. */
	cr_assert_eq(pyf_str(&r, new_str(m, &l, bmp, 2, 2, false), buf, 5), 0);
	cr_assert_str_eq(buf, "\xe6\x97\xa5");
	/* Not compact, a bad kind, a huge length past the image: refused. */
	s = ascii(m, &l, "abc");
	put32(m, s, l.unicode_state, 1u << l.state_kind_shift);
	cr_assert_eq(pyf_str(&r, s, buf, sizeof(buf)), -EINVAL);
	put32(m, s, l.unicode_state, (3u << l.state_kind_shift) | (1u << l.state_compact_shift));
	cr_assert_eq(pyf_str(&r, s, buf, sizeof(buf)), -EINVAL);
	/* A huge length is read only up to the cap and cut to the buffer. */
	s = ascii(m, &l, "abc");
	put64(m, s, l.unicode_length, 1ull << 40);
	cr_assert_eq(pyf_str(&r, s, buf, sizeof(buf)), 0);
	cr_assert(!strncmp(buf, "abc", 3) && strlen(buf) < sizeof(buf));
	put64(m, s, l.unicode_length, (uint64_t)-5);
	cr_assert_eq(pyf_str(&r, s, buf, sizeof(buf)), -EINVAL);
	cr_assert_neq(pyf_str(&r, 0, buf, sizeof(buf)), 0);
	free(m);
}

Test(pyframes, real_layouts_walk_a_chain)
{
	/* The generated table's rows, each used to lay out and read a chain. */
	for (size_t i = 0; i < pylayout_count; i++) {
		const struct py_layout *l = &pylayout_table[i];
		struct img *m = img_new();
		struct pyf_reader r = reader(m, l);
		uint64_t c = new_code(m, l, "f", 4);
		uint64_t f1 = new_frame(m, l, c, 0), f2 = new_frame(m, l, c, f1);
		uint64_t ts = new_tstate(m, l, f2, 5), top;
		struct pyf_frame out[4];
		struct pyf_code code;
		size_t n;

		cr_assert_eq(pyf_top_frame(&r, ts, &top), 0, "3.%u", l->minor);
		cr_assert_eq(top, f2, "3.%u", l->minor);
		cr_assert_eq(pyf_walk(&r, top, out, 4, &n), PYF_OK, "3.%u", l->minor);
		cr_assert_eq(n, 2, "3.%u", l->minor);
		cr_assert_eq(pyf_code(&r, c, &code), 0, "3.%u", l->minor);
		cr_assert_eq(code.firstlineno, 4);
		cr_assert(strstr(code.name, "f"), "3.%u: %s", l->minor, code.name);
		free(m);
	}
}

/* ---- thread names: instance attributes (pyobj.c) ------------------------ */

#include "proftui/pyobj.h"

#define STR_TYPE 0x5678ull
#define MAIN_PTHREAD 0x7f00000000aaull

/* How a made instance keeps its attributes; which a version has:
 * 3.8-3.10 COMBINED, SPLIT; 3.11-3.12 COMBINED, GENERAL, VALUES; 3.13
 * also INLINE (VALUES being the values no longer valid, its dict used). */
enum store { ST_COMBINED, ST_SPLIT, ST_GENERAL, ST_VALUES, ST_INLINE, ST__COUNT };

static bool store_fits(const struct py_layout *l, enum store st)
{
	if (l->minor <= 10)
		return st == ST_COMBINED || st == ST_SPLIT;
	if (st == ST_INLINE)
		return l->tpflags_inline_values != 0;
	return st != ST_SPLIT;
}

/* A str the reader's type check accepts. */
static uint64_t pystr(struct img *m, const struct py_layout *l, const char *text)
{
	uint64_t s = ascii(m, l, text);

	put64(m, s, l->ob_type, STR_TYPE);
	return s;
}

/*
 * A keys table of n entries: the names (NULL: a deleted entry) and, for a
 * combined table, their values.  general: entries with a hash (always
 * before 3.11).  Index bytes are left empty: lookups scan the entries.
 */
static uint64_t new_keys(struct img *m, const struct py_layout *l, const char *const *names,
			 const uint64_t *vals, size_t n, bool general)
{
	unsigned log2 = 3;
	uint64_t k, entries;
	uint16_t esize, ekey, evalue;

	while ((1u << log2) * 2 < n * 3)
		log2++;
	if (l->keys_size != PYL_NONE) {
		general = true;
		k = img_alloc(m, l->keys_indices + (1u << log2) + n * l->entry_size);
		put64(m, k, l->keys_size, 1u << log2);
	} else {
		k = img_alloc(m, l->keys_indices + (1u << log2) + n * l->entry_size);
		put8(m, k, l->keys_log2_size, (uint8_t)log2);
		put8(m, k, l->keys_log2_index_bytes, (uint8_t)log2);  /* 1-byte indices */
		put8(m, k, l->keys_kind, general ? l->keys_kind_general : l->keys_kind_general + 1);
	}
	put64(m, k, l->keys_nentries, n);
	memset(m->mem + (k - BASE) + l->keys_indices, 0xff, 1u << log2);
	entries = k + l->keys_indices + (1u << log2);
	esize = general ? l->entry_size : l->uentry_size;
	ekey = general ? l->entry_key : l->uentry_key;
	evalue = general ? l->entry_value : l->uentry_value;
	for (size_t i = 0; i < n; i++) {
		uint64_t e = entries + i * esize;

		if (names[i])
			put64(m, e, ekey, pystr(m, l, names[i]));
		if (vals)
			put64(m, e, evalue, vals[i]);
	}
	return k;
}

/* A values array (3.13: with its header, valid set). */
static uint64_t new_values(struct img *m, const struct py_layout *l, const uint64_t *vals, size_t n)
{
	uint64_t v = img_alloc(m, l->values_values + n * 8);

	if (l->values_valid != PYL_NONE)
		put8(m, v, l->values_valid, 1);
	for (size_t i = 0; i < n; i++)
		put64(m, v, (uint16_t)(l->values_values + i * 8), vals[i]);
	return v;
}

static uint64_t new_dict(struct img *m, const struct py_layout *l, uint64_t keys, uint64_t values)
{
	uint64_t d = img_alloc(m, 64);

	put64(m, d, l->dict_keys, keys);
	put64(m, d, l->dict_values, values);
	return d;
}

/* A class: its flags, sizes and (3.11+) cached keys. */
static uint64_t new_type(struct img *m, const struct py_layout *l, uint64_t flags, int64_t basicsize,
			 int64_t dictoffset, uint64_t cached)
{
	uint64_t t = img_alloc(m, 1024);

	put64(m, t, l->type_flags, flags);
	put64(m, t, l->type_basicsize, (uint64_t)basicsize);
	put64(m, t, l->type_dictoffset, (uint64_t)dictoffset);
	if (l->heaptype_cached_keys != PYL_NONE)
		put64(m, t, l->heaptype_cached_keys, cached);
	return t;
}

/*
 * An instance with attributes names = vals, kept as `st` says; the object
 * sits 64 bytes into its block, room for any version's pre-header.
 */
static uint64_t new_instance(struct img *m, const struct py_layout *l, enum store st,
			     const char *const *names, const uint64_t *vals, size_t n)
{
	uint64_t block = img_alloc(m, 64 + 32 + 8 + n * 8), obj = block + 64, type, keys;
	bool shared = st == ST_SPLIT || st == ST_VALUES || st == ST_INLINE;
	uint64_t managed = l->tpflags_managed_dict, inl = l->tpflags_inline_values;

	keys = new_keys(m, l, names, shared ? NULL : vals, n, st == ST_GENERAL);
	if (l->minor <= 10) {
		type = new_type(m, l, 0, 32, 16, 0);
		put64(m, obj, 16, new_dict(m, l, keys, st == ST_SPLIT ? new_values(m, l, vals, n) : 0));
	} else if (st == ST_INLINE) {
		type = new_type(m, l, managed | inl, 16, -1, keys);
		for (size_t i = 0; i < n; i++)
			put64(m, obj + 16, (uint16_t)(l->values_values + i * 8), vals[i]);
		put8(m, obj + 16, l->values_valid, 1);
	} else if (st == ST_VALUES) {
		uint64_t v = new_values(m, l, vals, n);

		type = new_type(m, l, managed | inl, 16, -1, keys);
		if (inl) {
			/* 3.13: the inline values invalid, a dict made of them. */
			put8(m, obj + 16, l->values_valid, 0);
			put64(m, obj - l->managed_dict_before, 0,
			      new_dict(m, l, keys, v));
		} else if (l->managed_values_before != PYL_NONE) {
			put64(m, obj - l->managed_values_before, 0, v);
		} else {
			put64(m, obj - l->managed_dict_before, 0, v - 1);       /* 3.12's tag */
		}
	} else {
		type = new_type(m, l, managed | inl, 16, -1, 0);
		if (inl)
			put8(m, obj + 16, l->values_valid, 0);
		put64(m, obj - l->managed_dict_before, 0, new_dict(m, l, keys, 0));
	}
	put64(m, obj, l->ob_type, type);
	return obj;
}

/* A frame big enough for any version's localsplus, its first local set. */
static uint64_t new_frame_with(struct img *m, const struct py_layout *l, uint64_t code,
			       uint64_t back, uint64_t local0)
{
	uint64_t f = img_alloc(m, l->frame_localsplus + 64);

	put64(m, f, l->frame_code, code);
	put64(m, f, l->frame_back, back);
	put64(m, f, l->frame_localsplus, local0);
	return f;
}

static struct pyf_reader name_reader(struct img *m, const struct py_layout *l)
{
	struct pyf_reader r = reader(m, l);

	r.str_type = STR_TYPE;
	return r;
}

static const char *const thread_attrs[] = {
	"_target", "_name", "_args", "_kwargs", "_daemonic", "_ident", "_started",
};
#define NATTRS (sizeof(thread_attrs) / sizeof(thread_attrs[0]))

/* A threading.Thread named `name` stored as st, in a thread running
 * _bootstrap(self) -> run -> work; returns the thread state. */
static uint64_t thread_named(struct img *m, const struct py_layout *l, enum store st,
			     const char *name, uint32_t tid, uint64_t *self)
{
	uint64_t vals[NATTRS], boot, f1, f2;

	for (size_t i = 0; i < NATTRS; i++)
		vals[i] = pystr(m, l, "other");
	vals[1] = pystr(m, l, name);
	*self = new_instance(m, l, st, thread_attrs, vals, NATTRS);
	boot = new_frame_with(m, l, new_code(m, l, "_bootstrap", 990), 0, *self);
	f1 = new_frame_with(m, l, new_code(m, l, "run", 1000), boot, *self);
	f2 = new_frame_with(m, l, new_code(m, l, "work", 7), f1, 0);
	return new_tstate(m, l, f2, tid);
}

Test(pyobj, thread_names_in_every_layout_family)
{
	static const char *const stores[ST__COUNT] = { "combined", "split", "general", "values",
						       "inline" };
	unsigned families = 0;

	for (size_t i = 0; i < pylayout_count; i++) {
		const struct py_layout *l = &pylayout_table[i];

		for (int st = 0; st < ST__COUNT; st++) {
			struct img *m;
			struct pyf_reader r;
			uint64_t rt, ts, self, v;
			char buf[64];

			if (!store_fits(l, (enum store)st))
				continue;
			m = img_new();
			r = name_reader(m, l);
			rt = img_alloc(m, 1024);
			ts = thread_named(m, l, (enum store)st, "worker-a", 11, &self);
			cr_assert_eq(pyo_thread_name(&r, rt, ts, buf, sizeof(buf)), 0, "3.%u %s",
				     l->minor, stores[st]);
			cr_assert_str_eq(buf, "worker-a", "3.%u %s", l->minor, stores[st]);
			cr_assert_eq(pyo_attr(&r, self, "_started", &v), 0, "3.%u %s", l->minor,
				     stores[st]);
			cr_assert_eq(pyo_attr(&r, self, "_nope", &v), -ENOENT);
			cr_assert_eq(pyo_attr(&r, self, "_nam", &v), -ENOENT);
			free(m);
		}
		families |= 1u << (l->minor <= 10 ? 0 : l->minor - 10);
	}
	/* 3.8-3.10, 3.11, 3.12, 3.13: each shape met at least once. */
	cr_assert_eq(families, 0xf, "families seen: %#x", families);
}

Test(pyobj, main_thread_and_threads_python_did_not_start)
{
	const struct py_layout *l = pylayout_find(3, 12);
	struct img *m = img_new();
	struct pyf_reader r = name_reader(m, l);
	uint64_t rt = img_alloc(m, 1024), code = new_code(m, l, "<module>", 1);
	uint64_t ts_main = new_tstate(m, l, new_frame_with(m, l, code, 0, 0), 1);
	uint64_t ts_c = new_tstate(m, l, new_frame_with(m, l, code, 0, 0), 2);
	uint64_t ts_idle = new_tstate(m, l, 0, 3);
	char buf[64];

	cr_assert_not_null(l);
	put64(m, ts_main, l->tstate_thread_id, MAIN_PTHREAD);
	put64(m, rt, l->runtime_main_thread, MAIN_PTHREAD);
	cr_assert_eq(pyo_thread_name(&r, rt, ts_main, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "MainThread");
	/* Started from C (no Thread._bootstrap), or running no Python. */
	cr_assert_eq(pyo_thread_name(&r, rt, ts_c, buf, sizeof(buf)), -ENOENT);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(pyo_thread_name(&r, rt, ts_idle, buf, sizeof(buf)), -ENOENT);
	/* The main thread idle between calls is still the main thread. */
	put64(m, ts_idle, l->tstate_thread_id, MAIN_PTHREAD);
	cr_assert_eq(pyo_thread_name(&r, rt, ts_idle, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "MainThread");
	free(m);
}

/* The keys table of a 3.11+ instance kept in a dict (ST_COMBINED). */
static uint64_t keys_of(struct img *m, const struct py_layout *l, uint64_t obj)
{
	uint64_t d, k;

	memcpy(&d, m->mem + (obj - l->managed_dict_before - BASE), 8);
	memcpy(&k, m->mem + (d - BASE) + l->dict_keys, 8);
	return k;
}

Test(pyobj, corrupt_dicts_end_cleanly)
{
	const struct py_layout *l = pylayout_find(3, 11);
	struct img *m = img_new();
	struct pyf_reader r = name_reader(m, l);
	uint64_t self, v, rt = img_alloc(m, 1024);
	uint64_t ts = thread_named(m, l, ST_COMBINED, "worker-a", 5, &self), k = keys_of(m, l, self);
	char buf[64];

	uint8_t log2 = m->mem[k - BASE + l->keys_log2_size];

	cr_assert_not_null(l);
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), 0);
	/* Huge: more entries than the cap, and than the table has slots. */
	put64(m, k, l->keys_nentries, PYO_MAX_ENTRIES + 1);
	put8(m, k, l->keys_log2_size, 20);
	put8(m, k, l->keys_log2_index_bytes, 22);        /* 4-byte indices */
	m->reads = 0;
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), -E2BIG);
	cr_assert_leq(m->reads, 8, "a refused dict is not read");
	put8(m, k, l->keys_log2_size, 3);
	put8(m, k, l->keys_log2_index_bytes, 3);
	put64(m, k, l->keys_nentries, 9);
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EINVAL, "more entries than slots");
	put64(m, k, l->keys_nentries, (uint64_t)-1);
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EINVAL);
	put64(m, k, l->keys_nentries, NATTRS);
	put8(m, k, l->keys_log2_size, log2);
	put8(m, k, l->keys_log2_index_bytes, (uint8_t)(log2 + 1));
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EINVAL, "index bytes disagree");
	put8(m, k, l->keys_log2_index_bytes, log2);
	put8(m, k, l->keys_log2_size, 200);
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EINVAL, "absurd size");
	put8(m, k, l->keys_log2_size, log2);
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), 0, "restored");

	/* Cyclic: the dict's keys are the dict itself, the object's dict
	 * pointer is the object: nothing matches, nothing loops. */
	{
		uint64_t d;

		memcpy(&d, m->mem + (self - l->managed_dict_before - BASE), 8);
		put64(m, d, l->dict_keys, d);
		cr_assert_neq(pyo_attr(&r, self, "_name", &v), 0);
		put64(m, d, l->dict_keys, k);
		put64(m, self - l->managed_dict_before, 0, self);
		cr_assert_neq(pyo_attr(&r, self, "_name", &v), 0);
		put64(m, self - l->managed_dict_before, 0, d);
	}

	/* Truncated: the keys table runs off the end of memory. */
	{
		uint64_t d, tail = BASE + MEM - (l->keys_indices + 8 + 2 * l->uentry_size);

		memcpy(&d, m->mem + (self - l->managed_dict_before - BASE), 8);
		memcpy(m->mem + (tail - BASE), m->mem + (k - BASE), l->keys_indices + 8 + 2 * l->uentry_size);
		put64(m, d, l->dict_keys, tail);
		cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EFAULT);
		put64(m, d, l->dict_keys, 0xdead0000ull);
		cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EFAULT);
		put64(m, d, l->dict_keys, 0);
		cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EINVAL);
		put64(m, d, l->dict_keys, k);
	}

	/* A _name that is not a str is no name. */
	{
		cr_assert_eq(pyo_attr(&r, self, "_name", &v), 0);
		put64(m, v, l->ob_type, 0x999);
		cr_assert_eq(pyo_thread_name(&r, rt, ts, buf, sizeof(buf)), -EINVAL);
		put64(m, v, l->ob_type, STR_TYPE);
		cr_assert_eq(pyo_thread_name(&r, rt, ts, buf, sizeof(buf)), 0);
	}

	/* The type: no such object, an absurd size, a negative dict offset. */
	{
		uint64_t type;

		memcpy(&type, m->mem + (self - BASE) + l->ob_type, 8);
		put64(m, self, l->ob_type, 0xdead0000ull);
		cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EFAULT);
		put64(m, self, l->ob_type, type);
		put64(m, type, l->type_basicsize, 1ull << 40);
		cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EINVAL);
		put64(m, type, l->type_basicsize, 16);
		put64(m, type, l->type_flags, 0);
		put64(m, type, l->type_dictoffset, (uint64_t)-8);
		cr_assert_eq(pyo_attr(&r, self, "_name", &v), -ENOENT);
		put64(m, type, l->type_dictoffset, 1ull << 40);
		cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EINVAL);
	}
	free(m);
}

Test(pyobj, deleted_entries_and_old_dicts)
{
	const struct py_layout *l = pylayout_find(3, 10);
	struct img *m = img_new();
	struct pyf_reader r = name_reader(m, l);
	const char *names[] = { "_gone", NULL, "_name" };
	uint64_t vals[3], self, v, d, k;

	cr_assert_not_null(l);
	vals[0] = pystr(m, l, "x");
	vals[1] = 0;
	vals[2] = pystr(m, l, "late");
	self = new_instance(m, l, ST_COMBINED, names, vals, 3);
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), 0, "a deleted entry is passed over");
	cr_assert_eq(v, vals[2]);
	/* A split table whose value was deleted: no attribute. */
	self = new_instance(m, l, ST_SPLIT, names, vals, 3);
	memcpy(&d, m->mem + (self - BASE) + 16, 8);
	memcpy(&k, m->mem + (d - BASE) + l->dict_values, 8);
	put64(m, k, 16, 0);
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), -ENOENT);
	/* dk_size not a power of two, or absurd. */
	memcpy(&k, m->mem + (d - BASE) + l->dict_keys, 8);
	put64(m, k, l->keys_size, 12);
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EINVAL);
	put64(m, k, l->keys_size, 1ull << 50);
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), -EINVAL);
	/* No dict at all yet. */
	put64(m, self, 16, 0);
	cr_assert_eq(pyo_attr(&r, self, "_name", &v), -ENOENT);
	free(m);
}

Test(pyobj, frame_chains_that_loop_or_never_end)
{
	const struct py_layout *l = pylayout_find(3, 13);
	struct img *m = img_new();
	struct pyf_reader r = name_reader(m, l);
	uint64_t self, rt = img_alloc(m, 1024), ts = thread_named(m, l, ST_INLINE, "w", 9, &self);
	uint64_t top, outer, code, f = 0;
	char buf[64];

	cr_assert_not_null(l);
	cr_assert_eq(pyo_thread_name(&r, rt, ts, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "w");
	/* The outermost frame's caller is the innermost: a loop. */
	cr_assert_eq(pyf_top_frame(&r, ts, &top), 0);
	cr_assert_eq(pyf_outermost(&r, top, &outer, &code), PYF_OK);
	put64(m, outer, l->frame_back, top);
	m->reads = 0;
	cr_assert_eq(pyf_outermost(&r, top, &outer, &code), PYF_CYCLE);
	cr_assert_leq(m->reads, 20);
	cr_assert_neq(pyo_thread_name(&r, rt, ts, buf, sizeof(buf)), 0);
	/* A long chain is followed to its end (its outermost frame). */
	code = new_code(m, l, "deep", 1);
	for (int i = 0; i < 3000; i++) {
		f = new_frame(m, l, code, f);
		if (!i)
			top = f;
	}
	cr_assert_eq(pyf_outermost(&r, f, &outer, &code), PYF_OK);
	cr_assert_eq(outer, top);
	free(m);
}
