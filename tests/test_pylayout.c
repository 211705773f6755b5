/* test_pylayout.c — the generated CPython layout table's shape, pylayout_find, and parsing 3.13's _Py_DebugOffsets. */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proftui/pylayout.h"

/* Every offset field, for whole-struct comparisons that ignore padding. */
#define PYL_FIELDS(X) \
	X(major) X(minor) X(runtime_interp_head) X(interp_next) X(interp_tstate_head) \
	X(tstate_next) X(tstate_thread_id) X(tstate_native_tid) X(tstate_frame) \
	X(tstate_cframe) X(cframe_current_frame) X(frame_back) X(frame_code) X(frame_lasti) \
	X(frame_instr) X(frame_is_entry) X(frame_owner) X(owner_cstack) X(code_name) \
	X(code_qualname) X(code_filename) X(code_firstlineno) X(code_linetable) \
	X(code_code_adaptive) X(ob_type) X(var_size) X(bytes_sval) X(unicode_length) \
	X(unicode_state) X(unicode_ascii_size) X(unicode_compact_size) X(state_kind_shift) \
	X(state_compact_shift) X(state_ascii_shift) X(runtime_main_thread) X(frame_localsplus) \
	X(type_basicsize) X(type_dictoffset) X(type_flags) X(heaptype_cached_keys) \
	X(tpflags_managed_dict) X(tpflags_inline_values) X(managed_dict_before) \
	X(managed_values_before) X(managed_tagged) X(dict_keys) X(dict_values) X(keys_size) \
	X(keys_log2_size) X(keys_log2_index_bytes) X(keys_kind) X(keys_kind_general) \
	X(keys_nentries) X(keys_indices) X(entry_size) X(entry_key) X(entry_value) \
	X(uentry_size) X(uentry_key) X(uentry_value) X(values_values) X(values_valid)

static void assert_same_layout(const struct py_layout *a, const struct py_layout *b)
{
#define SAME(f) cr_assert_eq(a->f, b->f, #f ": %u != %u", (unsigned)a->f, (unsigned)b->f);
	PYL_FIELDS(SAME)
#undef SAME
}

/* ---- the table ---- */

Test(pylayout, table_sorted_and_covers_3_8_to_3_13)
{
	cr_assert_geq(pylayout_count, 6);
	for (size_t i = 1; i < pylayout_count; i++) {
		const struct py_layout *p = &pylayout_table[i - 1], *q = &pylayout_table[i];

		cr_assert(p->major < q->major || (p->major == q->major && p->minor < q->minor),
			  "row %zu (%u.%u) not after %u.%u", i, q->major, q->minor, p->major, p->minor);
	}
	for (unsigned minor = 8; minor <= 13; minor++)
		cr_assert_not_null(pylayout_find(3, minor), "3.%u missing", minor);
}

Test(pylayout, find_hits_and_misses)
{
	for (size_t i = 0; i < pylayout_count; i++)
		cr_assert_eq(pylayout_find(pylayout_table[i].major, pylayout_table[i].minor),
			     &pylayout_table[i]);
	cr_assert_null(pylayout_find(3, 7));
	cr_assert_null(pylayout_find(2, 7));
	cr_assert_null(pylayout_find(3, 99));
	cr_assert_null(pylayout_find(4, 13));
	cr_assert_null(pylayout_find(0, 0));
	/* Truncation to uint8_t must not turn 259.13 into 3.13. */
	cr_assert_null(pylayout_find(259, 13));
	cr_assert_null(pylayout_find(3, 256 + 13));
}

#define HAS(l, f) ((l)->f != PYL_NONE)

Test(pylayout, every_row_is_consistent)
{
	for (size_t i = 0; i < pylayout_count; i++) {
		const struct py_layout *l = &pylayout_table[i];
		unsigned m = l->minor;

		cr_assert_eq(l->major, 3);
		cr_assert_geq(m, 8);

		/* What every version has. */
		cr_assert(HAS(l, runtime_interp_head) && HAS(l, interp_next) &&
			  HAS(l, interp_tstate_head) && HAS(l, tstate_next) &&
			  HAS(l, tstate_thread_id) && HAS(l, frame_back) && HAS(l, frame_code) &&
			  HAS(l, code_name) && HAS(l, code_filename) && HAS(l, code_firstlineno) &&
			  HAS(l, code_linetable) && HAS(l, ob_type) && HAS(l, var_size) &&
			  HAS(l, bytes_sval) && HAS(l, unicode_length) && HAS(l, unicode_state) &&
			  HAS(l, unicode_ascii_size) && HAS(l, unicode_compact_size),
			  "3.%u lacks a field every version has", m);

		/* The thread's innermost frame: directly or through the _PyCFrame. */
		cr_assert_neq(HAS(l, tstate_frame), HAS(l, tstate_cframe), "3.%u", m);
		cr_assert_eq(HAS(l, tstate_cframe), HAS(l, cframe_current_frame), "3.%u", m);
		cr_assert_eq(HAS(l, tstate_cframe), m == 11 || m == 12, "3.%u", m);

		/* PyFrameObject and f_lasti up to 3.10, then _PyInterpreterFrame. */
		cr_assert_eq(HAS(l, frame_lasti), m <= 10, "3.%u", m);
		cr_assert_eq(HAS(l, frame_instr), m >= 11, "3.%u", m);
		cr_assert_eq(HAS(l, code_code_adaptive), m >= 11, "3.%u", m);
		cr_assert_eq(HAS(l, code_qualname), m >= 11, "3.%u", m);
		cr_assert_eq(HAS(l, tstate_native_tid), m >= 11, "3.%u", m);
		cr_assert_eq(HAS(l, frame_is_entry), m == 11, "3.%u", m);
		cr_assert_eq(HAS(l, frame_owner), m >= 12, "3.%u", m);
		if (m >= 12)
			cr_assert_neq(l->owner_cstack, UINT8_MAX, "3.%u", m);
		else
			cr_assert_eq(l->owner_cstack, UINT8_MAX, "3.%u", m);

		/* The objects' own shape. */
		cr_assert_lt(l->var_size, l->bytes_sval, "3.%u", m);
		cr_assert_lt(l->ob_type, l->var_size, "3.%u", m);
		cr_assert_lt(l->unicode_length, l->unicode_state, "3.%u", m);
		cr_assert_leq(l->unicode_state + 4, l->unicode_ascii_size, "3.%u", m);
		cr_assert_lt(l->unicode_ascii_size, l->unicode_compact_size, "3.%u", m);

		/* kind is 3 bits; compact and ascii are single bits outside it. */
		cr_assert_leq(l->state_kind_shift + 3, 32, "3.%u", m);
		cr_assert_lt(l->state_compact_shift, 32, "3.%u", m);
		cr_assert_lt(l->state_ascii_shift, 32, "3.%u", m);
		cr_assert_neq(l->state_compact_shift, l->state_ascii_shift, "3.%u", m);
		cr_assert(l->state_compact_shift < l->state_kind_shift ||
			  l->state_compact_shift >= l->state_kind_shift + 3, "3.%u", m);
		cr_assert(l->state_ascii_shift < l->state_kind_shift ||
			  l->state_ascii_shift >= l->state_kind_shift + 3, "3.%u", m);

		/* Naming threads: the instance dict's shape by version. */
		cr_assert(HAS(l, runtime_main_thread) && HAS(l, frame_localsplus) &&
			  HAS(l, type_basicsize) && HAS(l, type_dictoffset) && HAS(l, type_flags) &&
			  HAS(l, dict_keys) && HAS(l, dict_values) && HAS(l, keys_nentries) &&
			  HAS(l, keys_indices) && HAS(l, entry_size) && HAS(l, values_values),
			  "3.%u lacks an object field", m);
		cr_assert_eq(HAS(l, keys_size), m <= 10, "3.%u", m);
		cr_assert_eq(HAS(l, keys_log2_size), m >= 11, "3.%u", m);
		cr_assert_eq(HAS(l, keys_kind), m >= 11, "3.%u", m);
		cr_assert_eq(HAS(l, uentry_size), m >= 11, "3.%u", m);
		cr_assert_eq(HAS(l, heaptype_cached_keys), m >= 11, "3.%u", m);
		cr_assert_eq(l->tpflags_managed_dict != 0, m >= 11, "3.%u", m);
		cr_assert_eq(HAS(l, managed_dict_before), m >= 11, "3.%u", m);
		cr_assert_eq(HAS(l, managed_values_before), m == 11, "3.%u", m);
		cr_assert_eq(l->managed_tagged, m == 12, "3.%u", m);
		cr_assert_eq(l->tpflags_inline_values != 0, m >= 13, "3.%u", m);
		cr_assert_eq(HAS(l, values_valid), m >= 13, "3.%u", m);
		cr_assert_lt(l->entry_key, l->entry_size, "3.%u", m);
		cr_assert_lt(l->entry_value, l->entry_size, "3.%u", m);
		cr_assert_lt(l->dict_keys, l->dict_values, "3.%u", m);
	}
}

/* ---- _Py_DebugOffsets ---- */

/*
 * Word indexes of 3.13's _Py_DebugOffsets, counted here independently of
 * pylayout.c from Include/internal/pycore_runtime.h, so a miscount on
 * either side shows.
 */
enum {
	W_VERSION = 1, W_FREE_THREADED = 2,
	W_RT = 3,       /* size, finalizing, interpreters_head */
	W_IS = 6,       /* size, id, next, threads_head, ... (13 words) */
	W_TS = 19,      /* size, prev, next, interp, current_frame, thread_id, native_thread_id, ... (9) */
	W_IF = 28,      /* size, previous, executable, instr_ptr, localsplus, owner */
	W_CO = 34,      /* size, filename, name, qualname, linetable, firstlineno, argcount,
			 * localsplusnames, localspluskinds, co_code_adaptive */
	W_OB = 44,      /* size, ob_type */
	W_TP = 46,      /* size, tp_name, tp_repr, tp_flags */
	W_TUPLE = 50,   /* size, ob_item, ob_size */
	W_LIST = 53,    /* size, ob_item, ob_size */
	W_DICT = 56,
	W_FLOAT = 59,
	W_LONG = 61,
	W_BYTES = 64,   /* size, ob_size, ob_sval */
	W_STR = 67,     /* size, state, length, asciiobject_size */
	W_GC = 71,
	W_END = 73,
};
#define DBG_LEN (W_END * sizeof(uint64_t))

/*
 * A _Py_DebugOffsets such as a 3.13.0 default build would write, made
 * from the table's own 3.13 row (sizes are 3.13.0's on x86-64).  Lets
 * every rejection path run without an interpreter installed.
 */
static void synth(uint64_t w[W_END])
{
	const struct py_layout *t = pylayout_find(3, 13);

	cr_assert_not_null(t);
	memset(w, 0, W_END * sizeof(uint64_t));
	memcpy(&w[0], "xdebugpy", 8);
	w[W_VERSION] = 0x030D00F0;
	w[W_RT] = 283320;
	w[W_RT + 2] = t->runtime_interp_head;
	w[W_IS] = 194968;
	w[W_IS + 2] = t->interp_next;
	w[W_IS + 3] = t->interp_tstate_head;
	w[W_TS] = 304;
	w[W_TS + 2] = t->tstate_next;
	w[W_TS + 4] = t->tstate_frame;
	w[W_TS + 5] = t->tstate_thread_id;
	w[W_TS + 6] = t->tstate_native_tid;
	w[W_IF] = 80;
	w[W_IF + 1] = t->frame_back;
	w[W_IF + 2] = t->frame_code;
	w[W_IF + 3] = t->frame_instr;
	w[W_IF + 4] = t->frame_localsplus;
	w[W_IF + 5] = t->frame_owner;
	w[W_CO] = 208;
	w[W_CO + 1] = t->code_filename;
	w[W_CO + 2] = t->code_name;
	w[W_CO + 3] = t->code_qualname;
	w[W_CO + 4] = t->code_linetable;
	w[W_CO + 5] = t->code_firstlineno;
	w[W_CO + 9] = t->code_code_adaptive;
	w[W_OB] = 16;
	w[W_OB + 1] = t->ob_type;
	w[W_TP] = 912;
	w[W_TP + 3] = t->type_flags;
	w[W_DICT] = 48;
	w[W_DICT + 1] = t->dict_keys;
	w[W_DICT + 2] = t->dict_values;
	w[W_TUPLE] = 32;
	w[W_TUPLE + 2] = t->var_size;
	w[W_LIST] = 40;
	w[W_LIST + 2] = t->var_size;
	w[W_BYTES] = 40;
	w[W_BYTES + 1] = t->var_size;
	w[W_BYTES + 2] = t->bytes_sval;
	w[W_STR] = (uint64_t)t->unicode_compact_size + sizeof(void *);
	w[W_STR + 1] = t->unicode_state;
	w[W_STR + 2] = t->unicode_length;
	w[W_STR + 3] = t->unicode_ascii_size;
}

/* Parse a heap copy of exactly len bytes, so ASan sees any read past it. */
static int parse_exact(const void *src, size_t len, struct py_layout *out)
{
	void *b = malloc(len ? len : 1);
	int rc;

	cr_assert_not_null(b);
	memcpy(b, src, len);
	rc = pylayout_from_debug_offsets(b, len, out);
	free(b);
	return rc;
}

Test(pylayout, debug_offsets_synthetic_matches_table)
{
	uint64_t w[W_END];
	struct py_layout l;

	synth(w);
	cr_assert_eq(parse_exact(w, sizeof(w), &l), 0);
	assert_same_layout(&l, pylayout_find(3, 13));
}

/*
 * The object fields debug offsets lack come from the table's 3.13 row,
 * only while the four they do give agree with it: otherwise none at all
 * (threads keep their kernel names), and the frames are still read.
 */
Test(pylayout, debug_offsets_object_fields_need_the_row_to_agree)
{
	const struct py_layout *t = pylayout_find(3, 13);
	uint64_t w[W_END];
	struct py_layout l;

	synth(w);
	w[W_DICT + 2] = t->dict_values + 8;
	cr_assert_eq(parse_exact(w, sizeof(w), &l), 0);
	cr_assert_eq(l.frame_back, t->frame_back);
	cr_assert_eq(l.dict_values, PYL_NONE);
	cr_assert_eq(l.keys_indices, PYL_NONE);
	cr_assert_eq(l.tpflags_managed_dict, 0);
	synth(w);
	w[W_IF + 4] = w[W_IF] + 1;      /* localsplus outside the frame */
	cr_assert_eq(parse_exact(w, sizeof(w), &l), 0);
	cr_assert_eq(l.frame_localsplus, PYL_NONE);
	cr_assert_eq(l.runtime_main_thread, PYL_NONE);
}

Test(pylayout, debug_offsets_versions)
{
	static const struct {
		uint64_t version;
		int rc;
	} cases[] = {
		{ 0x030D00F0, 0 },              /* 3.13.0 */
		{ 0x030D05F0, 0 },              /* 3.13.5 */
		{ 0x030D00C1, 0 },              /* 3.13.0rc1: ABI frozen */
		{ 0x030D00B1, -ENOTSUP },       /* 3.13.0b1 */
		{ 0x030D00A6, -ENOTSUP },       /* 3.13.0a6 */
		{ 0x030E00F0, -ENOTSUP },       /* 3.14.0: another layout */
		{ 0x030C00F0, -ENOTSUP },       /* 3.12 never wrote the cookie */
		{ 0x040D00F0, -ENOTSUP },
		{ 0x00000000, -ENOTSUP },
		{ 0x1030D00F0ull, -EINVAL },    /* not a PY_VERSION_HEX */
	};
	uint64_t w[W_END];
	struct py_layout l;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		synth(w);
		w[W_VERSION] = cases[i].version;
		cr_assert_eq(parse_exact(w, sizeof(w), &l), cases[i].rc, "version %#llx",
			     (unsigned long long)cases[i].version);
	}
}

Test(pylayout, debug_offsets_truncated)
{
	uint64_t w[W_END];
	struct py_layout l, before;

	synth(w);
	memset(&before, 0xa5, sizeof(before));
	for (size_t len = 0; len < DBG_LEN; len++) {
		l = before;
		cr_assert_eq(parse_exact(w, len, &l), len < 8 ? -ENOENT : -EINVAL, "len %zu", len);
		cr_assert_eq(memcmp(&l, &before, sizeof(l)), 0, "len %zu: *out written on failure", len);
	}
	/* Trailing bytes (the rest of _PyRuntime) change nothing. */
	{
		unsigned char big[DBG_LEN + 64];

		memset(big, 0xee, sizeof(big));
		memcpy(big, w, DBG_LEN);
		cr_assert_eq(parse_exact(big, sizeof(big), &l), 0);
		assert_same_layout(&l, pylayout_find(3, 13));
	}
	cr_assert_eq(pylayout_from_debug_offsets(NULL, 0, &l), -ENOENT);
}

Test(pylayout, debug_offsets_wrong_cookie)
{
	static const char *bad[] = { "xdebugpz", "XDEBUGPY", "ydebugpy", "\0debugpy", "xdebugp\0" };
	uint64_t w[W_END];
	struct py_layout l;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		synth(w);
		memcpy(&w[0], bad[i], 8);
		cr_assert_eq(parse_exact(w, sizeof(w), &l), -ENOENT, "cookie %zu", i);
	}
}

Test(pylayout, debug_offsets_implausible)
{
	static const struct {
		unsigned word;
		uint64_t value;
	} cases[] = {
		{ W_RT + 2, 70000 },            /* over 64 KiB */
		{ W_IS + 3, PYL_NONE },         /* would read as "no such field" */
		{ W_IS + 2, UINT64_MAX },
		{ W_TS + 4, 304 },              /* at the end of PyThreadState */
		{ W_TS, 0 },                    /* a struct of no size */
		{ W_IF + 5, 80 },
		{ W_CO + 9, 209 },              /* co_code_adaptive past the struct */
		{ W_BYTES + 2, 41 },
		{ W_TUPLE + 2, 24 },            /* PyVarObjects disagree on ob_size */
		{ W_LIST + 2, 8 },
		{ W_STR, 72 },                  /* str size not compact + data pointer */
		{ W_STR + 3, 48 },              /* PyASCIIObject size vs the rest */
		{ W_STR + 3, 20 },              /* PyASCIIObject ends inside its state */
		{ W_FREE_THREADED, 2 },
	};
	uint64_t w[W_END];
	struct py_layout l;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		synth(w);
		w[cases[i].word] = cases[i].value;
		cr_assert_eq(parse_exact(w, sizeof(w), &l), -EINVAL, "word %u = %llu", cases[i].word,
			     (unsigned long long)cases[i].value);
	}
	/* A free-threaded build's offsets are its own, and accepted. */
	synth(w);
	w[W_FREE_THREADED] = 1;
	cr_assert_eq(parse_exact(w, sizeof(w), &l), 0);
}

/* ---- a real 3.13 runtime ---- */

/*
 * The bytes of symbol `name` as initialised in ELF file `path` (its
 * .data): _PyRuntime starts with _Py_DebugOffsets, written by the
 * compiler, so the file holds what a live process would show.  Returns
 * how many bytes were read into buf, or -1.
 */
static ssize_t read_symbol(const char *path, const char *name, void *buf, size_t len)
{
	ssize_t got = -1;
	Elf_Scn *scn = NULL;
	Elf *e;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
	e = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(e);
	while (got < 0 && (scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_DYNSYM && sh.sh_type != SHT_SYMTAB))
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			GElf_Shdr dsh;
			const char *n;

			if (!gelf_getsym(d, (int)i, &sym))
				break;
			n = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!n || strcmp(n, name) != 0 || sym.st_shndx == SHN_UNDEF)
				continue;
			cr_assert_not_null(gelf_getshdr(elf_getscn(e, sym.st_shndx), &dsh));
			cr_assert_eq(dsh.sh_type, SHT_PROGBITS, "%s is not initialised data", name);
			cr_assert_geq(sym.st_value, dsh.sh_addr);
			if (len > sym.st_size)
				len = sym.st_size;
			got = pread(fd, buf, len, (off_t)(dsh.sh_offset + (sym.st_value - dsh.sh_addr)));
			break;
		}
	}
	elf_end(e);
	close(fd);
	return got;
}

/* The newest installed libpython3.<minor>.so under pyenv, or false. */
static bool find_libpython(unsigned minor, char *path, size_t len)
{
	const char *root = getenv("PYENV_ROOT"), *home = getenv("HOME");
	char pat[512];
	glob_t g;
	bool found = false;

	if (root && *root)
		snprintf(pat, sizeof(pat), "%s/versions/3.%u.*/lib/libpython3.%u.so", root, minor, minor);
	else
		snprintf(pat, sizeof(pat), "%s/.pyenv/versions/3.%u.*/lib/libpython3.%u.so",
			 home && *home ? home : "/root", minor, minor);
	if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
		/* glob sorts; the last is the newest patch release up to 3.x.9 */
		snprintf(path, len, "%s", g.gl_pathv[g.gl_pathc - 1]);
		found = true;
	}
	globfree(&g);
	return found;
}

Test(pylayout, debug_offsets_of_real_3_13)
{
	unsigned char buf[4096];
	struct py_layout l;
	char path[1024];
	ssize_t n;

	if (!find_libpython(13, path, sizeof(path)))
		cr_skip("no pyenv-installed libpython3.13.so");
	n = read_symbol(path, "_PyRuntime", buf, sizeof(buf));
	cr_assert_geq(n, (ssize_t)DBG_LEN, "%s: _PyRuntime unreadable", path);
	cr_assert_eq(pylayout_from_debug_offsets(buf, (size_t)n, &l), 0, "%s", path);
	assert_same_layout(&l, pylayout_find(3, 13));
	/* And exactly the struct's length is enough. */
	cr_assert_eq(parse_exact(buf, DBG_LEN, &l), 0);
	assert_same_layout(&l, pylayout_find(3, 13));
}

Test(pylayout, real_3_12_runtime_has_no_cookie)
{
	unsigned char buf[DBG_LEN];
	struct py_layout l;
	char path[1024];
	ssize_t n;

	if (!find_libpython(12, path, sizeof(path)))
		cr_skip("no pyenv-installed libpython3.12.so");
	n = read_symbol(path, "_PyRuntime", buf, sizeof(buf));
	cr_assert_eq(n, (ssize_t)sizeof(buf), "%s: _PyRuntime unreadable", path);
	cr_assert_eq(pylayout_from_debug_offsets(buf, sizeof(buf), &l), -ENOENT);
}
