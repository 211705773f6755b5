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
