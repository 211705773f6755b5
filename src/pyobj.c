/* pyobj.c — read a Python object's instance attributes, and so a thread's Python name, out of (a copy of) the interpreter's memory. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "proftui/pyobj.h"

/* The struct heads read in one call: a type's fields sit in its first 300
 * bytes or so, a keys object's header in its first 40. */
#define PYO_WINDOW 1024
/* Entries read per call while searching a keys table. */
#define PYO_CHUNK 64
/* The largest entry of any version (hash, key, value). */
#define PYO_ENTRY_MAX 32
/* Keys tables of more slots than this are not a class's instances'. */
#define PYO_MAX_LOG2_SLOTS 24
/* An instance's basic size, or the offset of its dict, past this is not
 * a plain Python object's. */
#define PYO_MAX_BASICSIZE 65536

/*
 * Is the str at `str` exactly the ASCII text `s`?  Attribute names are
 * compact ASCII strs, so one read of the header settles most keys; only
 * one of the right length has its characters read.  false for anything
 * unreadable or not a compact ASCII str.
 */
static bool str_is(const struct pyf_reader *r, uint64_t str, const char *s, size_t n)
{
	const struct py_layout *l = r->l;
	uint8_t hdr[PYO_WINDOW], data[64];
	size_t end = pyf_field_end(pyf_field_end(0, l->unicode_length, 8), l->unicode_state, 4);
	uint32_t state;
	int64_t nchars;

	if (!str || n > sizeof(data) || end > sizeof(hdr) || r->read(r->ctx, str, hdr, end))
		return false;
	memcpy(&nchars, hdr + l->unicode_length, 8);
	memcpy(&state, hdr + l->unicode_state, 4);
	if (nchars < 0 || (uint64_t)nchars != n || !((state >> l->state_compact_shift) & 1) ||
	    !((state >> l->state_ascii_shift) & 1))
		return false;
	return !r->read(r->ctx, str + l->unicode_ascii_size, data, n) && !memcmp(data, s, n);
}

/* ---- keys tables -------------------------------------------------------- */

/* A keys table, as far as a search needs it. */
struct keys {
	uint64_t entries;       /* address of entry 0 */
	uint64_t nentries;      /* entries in use or deleted, in order */
	uint16_t esize, ekey, evalue;
};

/* Bytes per index of a table of `slots` slots (dict-common.h's rule). */
static unsigned index_width(uint64_t slots)
{
	if (slots <= 0xff)
		return 1;
	if (slots <= 0xffff)
		return 2;
	if (slots <= 0xffffffffull)
		return 4;
	return 8;
}

static unsigned log2_of(uint64_t v)
{
	unsigned k = 0;

	while (v > 1) {
		v >>= 1;
		k++;
	}
	return k;
}

/*
 * The table's size, checked: a power of two from 8 slots, at most
 * 2^PYO_MAX_LOG2_SLOTS, and (3.11+) its index bytes what the size says.
 * Sets *slots and *index_bytes.
 */
static int keys_size(const struct py_layout *l, const uint8_t *hdr, uint64_t *slots,
		     uint64_t *index_bytes)
{
	if (pyf_has(l->keys_size)) {
		int64_t size;

		memcpy(&size, hdr + l->keys_size, 8);
		if (size < 8 || size > (1ll << PYO_MAX_LOG2_SLOTS) || (size & (size - 1)))
			return -EINVAL;
		*slots = (uint64_t)size;
		*index_bytes = *slots * index_width(*slots);
		return 0;
	}
	if (!pyf_has(l->keys_log2_size) || !pyf_has(l->keys_log2_index_bytes))
		return -ENOTSUP;
	if (hdr[l->keys_log2_size] < 3 || hdr[l->keys_log2_size] > PYO_MAX_LOG2_SLOTS)
		return -EINVAL;
	*slots = 1ull << hdr[l->keys_log2_size];
	if (hdr[l->keys_log2_index_bytes] != hdr[l->keys_log2_size] + log2_of(index_width(*slots)))
		return -EINVAL;
	*index_bytes = 1ull << hdr[l->keys_log2_index_bytes];
	return 0;
}

static int keys_read(const struct pyf_reader *r, uint64_t addr, struct keys *k)
{
	const struct py_layout *l = r->l;
	uint8_t hdr[PYO_WINDOW];
	size_t end = 0;
	uint64_t slots, index_bytes;
	int64_t nentries;
	bool general = true;
	int err;

	if (!pyf_has(l->keys_nentries) || !pyf_has(l->keys_indices) || !pyf_has(l->entry_size))
		return -ENOTSUP;
	end = pyf_field_end(end, l->keys_size, 8);
	end = pyf_field_end(end, l->keys_log2_size, 1);
	end = pyf_field_end(end, l->keys_log2_index_bytes, 1);
	end = pyf_field_end(end, l->keys_kind, 1);
	end = pyf_field_end(end, l->keys_nentries, 8);
	if (!addr || end > sizeof(hdr))
		return -EINVAL;
	if ((err = r->read(r->ctx, addr, hdr, end)))
		return err;
	if ((err = keys_size(l, hdr, &slots, &index_bytes)))
		return err;
	memcpy(&nentries, hdr + l->keys_nentries, 8);
	/* More entries than slots is a torn or foreign table. */
	if (nentries < 0 || (uint64_t)nentries > slots)
		return -EINVAL;
	if ((uint64_t)nentries > PYO_MAX_ENTRIES)
		return -E2BIG;
	if (pyf_has(l->keys_kind))
		general = hdr[l->keys_kind] == l->keys_kind_general;
	k->nentries = (uint64_t)nentries;
	k->entries = addr + l->keys_indices + index_bytes;
	k->esize = general ? l->entry_size : l->uentry_size;
	k->ekey = general ? l->entry_key : l->uentry_key;
	k->evalue = general ? l->entry_value : l->uentry_value;
	if (!pyf_has(k->esize) || !pyf_has(k->ekey) || !pyf_has(k->evalue) || k->esize > PYO_ENTRY_MAX ||
	    k->ekey + 8u > k->esize || k->evalue + 8u > k->esize)
		return -ENOTSUP;
	return 0;
}

/*
 * Search a keys table for `name`: *value is the entry's own value, or with
 * a split table (values != 0) the matching slot of the values array.
 * Deleted entries have no key and are passed over.
 */
static int keys_find(const struct pyf_reader *r, const struct keys *k, uint64_t values,
		     const char *name, uint64_t *value)
{
	uint8_t buf[PYO_CHUNK * PYO_ENTRY_MAX];
	size_t n = strlen(name);

	for (uint64_t at = 0; at < k->nentries; at += PYO_CHUNK) {
		uint64_t m = k->nentries - at < PYO_CHUNK ? k->nentries - at : PYO_CHUNK;
		int err = r->read(r->ctx, k->entries + at * k->esize, buf, m * k->esize);

		if (err)
			return err;
		for (uint64_t i = 0; i < m; i++) {
			const uint8_t *e = buf + i * k->esize;

			if (!str_is(r, pyf_get64(e, k->ekey), name, n))
				continue;
			if (!values) {
				*value = pyf_get64(e, k->evalue);
			} else if ((err = r->read(r->ctx, values + (at + i) * 8, value, 8))) {
				return err;
			}
			return *value ? 0 : -ENOENT;
		}
	}
	return -ENOENT;
}

/* ---- where an instance keeps its attributes ----------------------------- */

/* Keys, and the values array of a split table (else 0). */
struct attrs {
	uint64_t keys, values;
};

static int from_dict(const struct pyf_reader *r, uint64_t dict, struct attrs *a)
{
	const struct py_layout *l = r->l;
	int err;

	if (!dict)
		return -ENOENT;
	if ((err = pyf_read_ptr(r, dict, l->dict_keys, &a->keys)) ||
	    (err = pyf_read_ptr(r, dict, l->dict_values, &a->values)))
		return err;
	if (!a->keys)
		return -EINVAL;
	if (a->values)
		a->values += l->values_values;
	return 0;
}

/* Values the class's cached keys describe (3.11+). */
static int from_values(const struct pyf_reader *r, uint64_t type, uint64_t values,
		       struct attrs *a)
{
	int err = pyf_read_ptr(r, type, r->l->heaptype_cached_keys, &a->keys);

	if (err)
		return err;
	if (!a->keys)
		return -EINVAL;
	a->values = values + r->l->values_values;
	return 0;
}

/* The type fields an attribute lookup needs. */
struct type_head {
	uint64_t flags;
	int64_t basicsize, dictoffset;
};

static int type_read(const struct pyf_reader *r, uint64_t type, struct type_head *t)
{
	const struct py_layout *l = r->l;
	uint8_t buf[PYO_WINDOW];
	size_t end = pyf_field_end(pyf_field_end(pyf_field_end(0, l->type_flags, 8), l->type_basicsize, 8),
			       l->type_dictoffset, 8);
	int err;

	if (!pyf_has(l->type_flags) || !pyf_has(l->type_basicsize) || !pyf_has(l->type_dictoffset))
		return -ENOTSUP;
	if (!type || end > sizeof(buf))
		return -EINVAL;
	if ((err = r->read(r->ctx, type, buf, end)))
		return err;
	memcpy(&t->flags, buf + l->type_flags, 8);
	memcpy(&t->basicsize, buf + l->type_basicsize, 8);
	memcpy(&t->dictoffset, buf + l->type_dictoffset, 8);
	if (t->basicsize < 16 || t->basicsize > PYO_MAX_BASICSIZE)
		return -EINVAL;
	return 0;
}

/* 3.11+: the attributes of an instance whose type manages its dict. */
static int managed(const struct pyf_reader *r, uint64_t obj, uint64_t type,
		   const struct type_head *t, struct attrs *a)
{
	const struct py_layout *l = r->l;
	uint64_t word;
	int err;

	if (l->tpflags_inline_values && (t->flags & l->tpflags_inline_values)) {
		/* 3.13: inline after the object, until a dict replaces them. */
		uint64_t values = obj + (uint64_t)t->basicsize;
		uint8_t valid;

		if (!pyf_has(l->values_valid))
			return -ENOTSUP;
		if ((err = r->read(r->ctx, values + l->values_valid, &valid, 1)))
			return err;
		if (valid)
			return from_values(r, type, values, a);
	}
	if (!pyf_has(l->managed_dict_before) || obj < l->managed_dict_before)
		return -ENOTSUP;
	if (pyf_has(l->managed_values_before)) {
		/* 3.11: a values pointer of its own. */
		if (obj < l->managed_values_before)
			return -EINVAL;
		if ((err = r->read(r->ctx, obj - l->managed_values_before, &word, 8)))
			return err;
		if (word)
			return from_values(r, type, word, a);
	}
	if ((err = r->read(r->ctx, obj - l->managed_dict_before, &word, 8)))
		return err;
	if (l->managed_tagged && (word & 1))
		return from_values(r, type, word + 1, a);
	return from_dict(r, word, a);
}

static int instance_attrs(const struct pyf_reader *r, uint64_t obj, struct attrs *a)
{
	const struct py_layout *l = r->l;
	struct type_head t;
	uint64_t type, dict;
	int err;

	if (!obj)
		return -EINVAL;
	if ((err = pyf_read_ptr(r, obj, l->ob_type, &type)) || (err = type_read(r, type, &t)))
		return err;
	if (l->tpflags_managed_dict && (t.flags & l->tpflags_managed_dict))
		return managed(r, obj, type, &t, a);
	/* A negative offset counts from the end of a variable-sized object:
	 * not a plain instance, not looked into. */
	if (t.dictoffset <= 0)
		return -ENOENT;
	if (t.dictoffset > PYO_MAX_BASICSIZE)
		return -EINVAL;
	if ((err = r->read(r->ctx, obj + (uint64_t)t.dictoffset, &dict, 8)))
		return err;
	return from_dict(r, dict, a);
}

int pyo_attr(const struct pyf_reader *r, uint64_t obj, const char *name, uint64_t *value)
{
	struct attrs a;
	struct keys k;
	int err;

	*value = 0;
	if ((err = instance_attrs(r, obj, &a)) || (err = keys_read(r, a.keys, &k)))
		return err;
	return keys_find(r, &k, a.values, name, value);
}

/* ---- threads ------------------------------------------------------------ */

/* The threading.Thread whose run() the thread is in: the first local of
 * its outermost frame when that is Thread._bootstrap(self). */
static int thread_object(const struct pyf_reader *r, uint64_t tstate, uint64_t *self)
{
	const struct py_layout *l = r->l;
	uint64_t top, outer, code, name;
	int err;

	*self = 0;
	if (!pyf_has(l->frame_localsplus))
		return -ENOTSUP;
	if ((err = pyf_top_frame(r, tstate, &top)))
		return err;
	if (!top)
		return -ENOENT;
	if (pyf_outermost(r, top, &outer, &code) != PYF_OK)
		return -EINVAL;
	if (!outer)
		return -ENOENT;
	if ((err = pyf_read_ptr(r, code, l->code_name, &name)))
		return err;
	if (!str_is(r, name, "_bootstrap", 10))
		return -ENOENT;
	return r->read(r->ctx, outer + l->frame_localsplus, self, 8);
}

/* Is this the runtime's main thread (the one that started Python)? */
static bool main_thread(const struct pyf_reader *r, uint64_t runtime, uint64_t tstate)
{
	uint64_t id, main;

	return !pyf_read_ptr(r, tstate, r->l->tstate_thread_id, &id) &&
	       !pyf_read_ptr(r, runtime, r->l->runtime_main_thread, &main) && id && id == main;
}

int pyo_thread_name(const struct pyf_reader *r, uint64_t runtime, uint64_t tstate, char *buf,
		    size_t len)
{
	uint64_t self, name, type;
	int err;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	err = thread_object(r, tstate, &self);
	if (!err && !(err = pyo_attr(r, self, "_name", &name))) {
		/* Anything but a str is not a name we can show. */
		if (r->str_type && (pyf_read_ptr(r, name, r->l->ob_type, &type) || type != r->str_type))
			return -EINVAL;
		return pyf_str(r, name, buf, len);
	}
	if (main_thread(r, runtime, tstate)) {
		snprintf(buf, len, "%s", PYO_MAIN_THREAD);
		return 0;
	}
	return err;
}
