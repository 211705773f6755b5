/* pylayout.c — pick a CPython version's struct layout: the generated table, or the interpreter's own _Py_DebugOffsets. */
#include "proftui/pylayout.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

const struct py_layout *pylayout_find(unsigned major, unsigned minor)
{
	/* A handful of rows: a linear scan is simplest and cannot go wrong. */
	for (size_t i = 0; i < pylayout_count; i++)
		if (pylayout_table[i].major == major && pylayout_table[i].minor == minor)
			return &pylayout_table[i];
	return NULL;
}

/*
 * _Py_DebugOffsets as 3.13 lays it out (Include/internal/pycore_runtime.h):
 * an 8-byte cookie, then only uint64_t, so it is read as an array of words
 * and these name the words.  Every sub-struct opens with the size of the
 * CPython struct it describes.  The layout is only promised to hold within
 * one minor version, hence the version check before any of it is trusted.
 */
enum {
	D_COOKIE,
	D_VERSION,
	D_FREE_THREADED,
	/* runtime_state */
	D_RT_SIZE, D_RT_FINALIZING, D_RT_INTERP_HEAD,
	/* interpreter_state */
	D_IS_SIZE, D_IS_ID, D_IS_NEXT, D_IS_THREADS_HEAD, D_IS_GC, D_IS_IMPORTS_MODULES,
	D_IS_SYSDICT, D_IS_BUILTINS, D_IS_CEVAL_GIL, D_IS_GIL, D_IS_GIL_ENABLED,
	D_IS_GIL_LOCKED, D_IS_GIL_HOLDER,
	/* thread_state */
	D_TS_SIZE, D_TS_PREV, D_TS_NEXT, D_TS_INTERP, D_TS_CURRENT_FRAME, D_TS_THREAD_ID,
	D_TS_NATIVE_TID, D_TS_DATASTACK_CHUNK, D_TS_STATUS,
	/* interpreter_frame */
	D_IF_SIZE, D_IF_PREVIOUS, D_IF_EXECUTABLE, D_IF_INSTR_PTR, D_IF_LOCALSPLUS, D_IF_OWNER,
	/* code_object */
	D_CO_SIZE, D_CO_FILENAME, D_CO_NAME, D_CO_QUALNAME, D_CO_LINETABLE, D_CO_FIRSTLINENO,
	D_CO_ARGCOUNT, D_CO_LOCALSPLUSNAMES, D_CO_LOCALSPLUSKINDS, D_CO_CODE_ADAPTIVE,
	/* pyobject */
	D_OB_SIZE, D_OB_TYPE,
	/* type_object */
	D_TP_SIZE, D_TP_NAME, D_TP_REPR, D_TP_FLAGS,
	/* tuple_object */
	D_TUPLE_SIZE, D_TUPLE_ITEM, D_TUPLE_OB_SIZE,
	/* list_object */
	D_LIST_SIZE, D_LIST_ITEM, D_LIST_OB_SIZE,
	/* dict_object */
	D_DICT_SIZE, D_DICT_KEYS, D_DICT_VALUES,
	/* float_object */
	D_FLOAT_SIZE, D_FLOAT_FVAL,
	/* long_object */
	D_LONG_SIZE, D_LONG_TAG, D_LONG_DIGIT,
	/* bytes_object */
	D_BYTES_SIZE, D_BYTES_OB_SIZE, D_BYTES_SVAL,
	/* unicode_object */
	D_STR_SIZE, D_STR_STATE, D_STR_LENGTH, D_STR_ASCII_SIZE,
	/* gc */
	D_GC_SIZE, D_GC_COLLECTING,
	D313_WORDS      /* 73 words: sizeof(_Py_DebugOffsets) is 584 in 3.13 */
};

#define DEBUG_COOKIE "xdebugpy"         /* exactly 8 bytes, no NUL in the struct */

/* buf may sit anywhere in the caller's copy, so words are copied, not cast. */
static uint64_t word(const unsigned char *buf, unsigned i)
{
	uint64_t w;

	memcpy(&w, buf + (size_t)i * sizeof(w), sizeof(w));
	return w;
}

/*
 * One offset: it must fit the table's uint16_t without colliding with
 * PYL_NONE, and the width-byte field must lie inside its struct (whose size
 * the same sub-struct gives).  A value failing either was not written by a
 * 3.13 we understand, or the copy is torn.
 */
static bool field(const unsigned char *buf, unsigned size_word, unsigned off_word, size_t width,
		  uint16_t *out)
{
	uint64_t size = word(buf, size_word), off = word(buf, off_word);

	if (off >= PYL_NONE || off + width > size)
		return false;
	*out = (uint16_t)off;
	return true;
}

/*
 * What debug offsets leave out.  The str state bits and FRAME_OWNED_BY_CSTACK
 * are not offsets, so 3.13's generated row supplies them when the table has
 * one.  Otherwise: 3.13 declares the state as interned:2, kind:3, compact:1,
 * ascii:1 (then padding), allocated from the least significant bit on
 * little-endian ABIs and from the most significant on big-endian ones; and
 * FRAME_OWNED_BY_CSTACK is 3.
 */
static void fill_constants(struct py_layout *l)
{
	const struct py_layout *t = pylayout_find(3, 13);

	if (t) {
		l->owner_cstack = t->owner_cstack;
		l->state_kind_shift = t->state_kind_shift;
		l->state_compact_shift = t->state_compact_shift;
		l->state_ascii_shift = t->state_ascii_shift;
		return;
	}
	l->owner_cstack = 3;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	l->state_kind_shift = 32 - 2 - 3;
	l->state_compact_shift = 32 - 2 - 3 - 1;
	l->state_ascii_shift = 32 - 2 - 3 - 1 - 1;
#else
	l->state_kind_shift = 2;
	l->state_compact_shift = 5;
	l->state_ascii_shift = 6;
#endif
}

/* The fields naming threads read, all unknown: threads keep kernel names. */
static void no_objects(struct py_layout *l)
{
	l->runtime_main_thread = l->frame_localsplus = PYL_NONE;
	l->type_basicsize = l->type_dictoffset = l->type_flags = PYL_NONE;
	l->heaptype_cached_keys = PYL_NONE;
	l->tpflags_managed_dict = l->tpflags_inline_values = 0;
	l->managed_dict_before = l->managed_values_before = PYL_NONE;
	l->managed_tagged = 0;
	l->dict_keys = l->dict_values = PYL_NONE;
	l->keys_size = l->keys_log2_size = l->keys_log2_index_bytes = l->keys_kind = PYL_NONE;
	l->keys_kind_general = 0;
	l->keys_nentries = l->keys_indices = PYL_NONE;
	l->entry_size = l->entry_key = l->entry_value = PYL_NONE;
	l->uentry_size = l->uentry_key = l->uentry_value = PYL_NONE;
	l->values_values = l->values_valid = PYL_NONE;
}

/*
 * The object fields (pylayout.h: naming threads).  Debug offsets give four
 * of them; the rest (dict keys, type sizes, the main thread) come from the
 * generated 3.13 row, trusted only when it agrees on those four: a row
 * from other headers than this interpreter's would read garbage.
 */
static void fill_objects(const unsigned char *b, struct py_layout *l)
{
	const struct py_layout *t = pylayout_find(3, 13);
	uint16_t localsplus = 0, flags = 0, keys = 0, values = 0;
	bool ok = true;

	no_objects(l);
	ok &= field(b, D_IF_SIZE, D_IF_LOCALSPLUS, 0, &localsplus);
	ok &= field(b, D_TP_SIZE, D_TP_FLAGS, sizeof(unsigned long), &flags);
	ok &= field(b, D_DICT_SIZE, D_DICT_KEYS, sizeof(void *), &keys);
	ok &= field(b, D_DICT_SIZE, D_DICT_VALUES, sizeof(void *), &values);
	if (!ok || !t || t->frame_localsplus != localsplus || t->type_flags != flags ||
	    t->dict_keys != keys || t->dict_values != values)
		return;
	l->runtime_main_thread = t->runtime_main_thread;
	l->frame_localsplus = localsplus;
	l->type_basicsize = t->type_basicsize;
	l->type_dictoffset = t->type_dictoffset;
	l->type_flags = flags;
	l->heaptype_cached_keys = t->heaptype_cached_keys;
	l->tpflags_managed_dict = t->tpflags_managed_dict;
	l->tpflags_inline_values = t->tpflags_inline_values;
	l->managed_dict_before = t->managed_dict_before;
	l->managed_values_before = t->managed_values_before;
	l->managed_tagged = t->managed_tagged;
	l->dict_keys = keys;
	l->dict_values = values;
	l->keys_size = t->keys_size;
	l->keys_log2_size = t->keys_log2_size;
	l->keys_log2_index_bytes = t->keys_log2_index_bytes;
	l->keys_kind = t->keys_kind;
	l->keys_kind_general = t->keys_kind_general;
	l->keys_nentries = t->keys_nentries;
	l->keys_indices = t->keys_indices;
	l->entry_size = t->entry_size;
	l->entry_key = t->entry_key;
	l->entry_value = t->entry_value;
	l->uentry_size = t->uentry_size;
	l->uentry_key = t->uentry_key;
	l->uentry_value = t->uentry_value;
	l->values_values = t->values_values;
	l->values_valid = t->values_valid;
}

static int parse_313(const unsigned char *b, size_t len, struct py_layout *out)
{
	const size_t ptr = sizeof(void *);
	struct py_layout l;
	uint64_t ascii, str_size;
	bool ok = true;

	if (len < D313_WORDS * sizeof(uint64_t))
		return -EINVAL;
	/* 0 or 1; anything else means the words are not what we think. */
	if (word(b, D_FREE_THREADED) > 1)
		return -EINVAL;

	memset(&l, 0, sizeof(l));
	l.major = 3;
	l.minor = 13;
	ok &= field(b, D_RT_SIZE, D_RT_INTERP_HEAD, ptr, &l.runtime_interp_head);
	ok &= field(b, D_IS_SIZE, D_IS_NEXT, ptr, &l.interp_next);
	ok &= field(b, D_IS_SIZE, D_IS_THREADS_HEAD, ptr, &l.interp_tstate_head);
	ok &= field(b, D_TS_SIZE, D_TS_NEXT, ptr, &l.tstate_next);
	ok &= field(b, D_TS_SIZE, D_TS_THREAD_ID, sizeof(unsigned long), &l.tstate_thread_id);
	ok &= field(b, D_TS_SIZE, D_TS_NATIVE_TID, sizeof(unsigned long), &l.tstate_native_tid);
	ok &= field(b, D_TS_SIZE, D_TS_CURRENT_FRAME, ptr, &l.tstate_frame);
	l.tstate_cframe = PYL_NONE;
	l.cframe_current_frame = PYL_NONE;
	ok &= field(b, D_IF_SIZE, D_IF_PREVIOUS, ptr, &l.frame_back);
	ok &= field(b, D_IF_SIZE, D_IF_EXECUTABLE, ptr, &l.frame_code);
	l.frame_lasti = PYL_NONE;
	ok &= field(b, D_IF_SIZE, D_IF_INSTR_PTR, ptr, &l.frame_instr);
	l.frame_is_entry = PYL_NONE;
	ok &= field(b, D_IF_SIZE, D_IF_OWNER, 1, &l.frame_owner);
	ok &= field(b, D_CO_SIZE, D_CO_NAME, ptr, &l.code_name);
	ok &= field(b, D_CO_SIZE, D_CO_QUALNAME, ptr, &l.code_qualname);
	ok &= field(b, D_CO_SIZE, D_CO_FILENAME, ptr, &l.code_filename);
	ok &= field(b, D_CO_SIZE, D_CO_FIRSTLINENO, sizeof(int), &l.code_firstlineno);
	ok &= field(b, D_CO_SIZE, D_CO_LINETABLE, ptr, &l.code_linetable);
	/* co_code_adaptive is the variable tail: it starts at, not before, the end. */
	ok &= field(b, D_CO_SIZE, D_CO_CODE_ADAPTIVE, 0, &l.code_code_adaptive);
	ok &= field(b, D_OB_SIZE, D_OB_TYPE, ptr, &l.ob_type);
	ok &= field(b, D_BYTES_SIZE, D_BYTES_OB_SIZE, ptr, &l.var_size);
	ok &= field(b, D_BYTES_SIZE, D_BYTES_SVAL, 0, &l.bytes_sval);
	ok &= field(b, D_STR_SIZE, D_STR_LENGTH, ptr, &l.unicode_length);
	ok &= field(b, D_STR_SIZE, D_STR_STATE, 4, &l.unicode_state);
	if (!ok)
		return -EINVAL;
	/* Every PyVarObject keeps ob_size in one place: a cheap cross-check. */
	if (word(b, D_TUPLE_OB_SIZE) != l.var_size || word(b, D_LIST_OB_SIZE) != l.var_size)
		return -EINVAL;

	/*
	 * Sizes, not offsets.  3.13's PyUnicodeObject is PyCompactUnicodeObject
	 * plus one data pointer, and PyCompactUnicodeObject is PyASCIIObject
	 * plus utf8_length and utf8: so the compact size is derived, and must
	 * agree both ways.
	 */
	ascii = word(b, D_STR_ASCII_SIZE);
	str_size = word(b, D_STR_SIZE);
	if (ascii < (uint64_t)l.unicode_state + 4 || ascii >= PYL_NONE || str_size < ptr ||
	    str_size - ptr != ascii + sizeof(size_t) + ptr)
		return -EINVAL;
	l.unicode_ascii_size = (uint16_t)ascii;
	l.unicode_compact_size = (uint16_t)(str_size - ptr);

	fill_constants(&l);
	fill_objects(b, &l);
	*out = l;
	return 0;
}

int pylayout_from_debug_offsets(const void *buf, size_t len, struct py_layout *out)
{
	const unsigned char *b = buf;
	uint64_t v;

	if (len < sizeof(uint64_t) || memcmp(b, DEBUG_COOKIE, sizeof(uint64_t)) != 0)
		return -ENOENT;
	if (len < 2 * sizeof(uint64_t))
		return -EINVAL;
	v = word(b, D_VERSION);
	/* PY_VERSION_HEX: 0xMMmmppLS (major, minor, micro, level, serial). */
	if (v > UINT32_MAX)
		return -EINVAL;
	if (v >> 24 != 3 || ((v >> 16) & 0xff) != 13)
		return -ENOTSUP;
	/*
	 * CPython freezes a minor version's ABI, and with it _PyRuntime's
	 * layout, at the first release candidate: an alpha or beta may lay
	 * these words out differently.
	 */
	if (((v >> 4) & 0xf) < 0xc)
		return -ENOTSUP;
	return parse_313(b, len, out);
}
