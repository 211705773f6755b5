#!/bin/sh
# Regenerate src/pylayout_table.c from the CPython headers installed here: scripts/gen-pylayout.sh > src/pylayout_table.c
#
# Offsets of CPython's private structs change with every minor version, and
# typing them by hand is how profilers end up reading garbage.  So for each
# installed interpreter this compiles a tiny program against that
# interpreter's own headers (internal ones included, with Py_BUILD_CORE) and
# lets the compiler's offsetof() answer.  The output is committed, because CI
# machines need not have every version; this script is only for refreshing it.
#
# Usage: scripts/gen-pylayout.sh [PREFIX...]
#   PREFIX is an interpreter's install prefix (holding include/python3.Y);
#   default: every version under `pyenv root`/versions.  When several
#   prefixes hold the same minor version, the newest patch release wins.
#   CC picks the compiler (default cc).
set -eu

CC=${CC:-cc}
# Oldest minor version proftui reads; older ones use other frame machinery.
MIN_MINOR=8
# Newest minor version whose naming this script has been checked against;
# later ones are generated too (their names may still compile) but flagged.
CHECKED_MINOR=13

if [ $# -eq 0 ]; then
	root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
	[ -d "$root/versions" ] || { echo "gen-pylayout: no $root/versions; pass install prefixes" >&2; exit 1; }
	set -- "$root"/versions/*
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The probe: one source for every version, with the per-version naming
# chosen by PY_VERSION_HEX from the headers it is compiled against.
cat >"$tmp/probe.c" <<'EOF'
#include <Python.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#if PY_VERSION_HEX < 0x03090000
#include "pycore_pystate.h"	/* 3.8 keeps _PyRuntimeState and PyInterpreterState here */
#else
#include "pycore_runtime.h"
#include "pycore_interp.h"
#include "pycore_pystate.h"
#endif
#if PY_VERSION_HEX < 0x030B0000
#include <frameobject.h>	/* PyFrameObject is still the frame */
#else
#include "pycore_frame.h"	/* _PyInterpreterFrame */
#include "pycore_dict.h"	/* PyDictKeysObject, PyDictValues */
#include "pycore_object.h"	/* where an instance keeps its managed dict */
#endif

#define NONE "PYL_NONE"

static int failed;

/* Every offset must fit the table's uint16_t and not collide with PYL_NONE. */
static void off(const char *name, size_t v)
{
	if (v >= 0xffff) {
		fprintf(stderr, "probe: %s offset %zu does not fit uint16_t\n", name, v);
		failed = 1;
	}
	printf("\t\t.%s = %zu,\n", name, v);
}

static void none(const char *name)
{
	printf("\t\t.%s = " NONE ",\n", name);
}

/*
 * Which bits of the 32-bit state word a bit-field occupies: set it in a
 * zeroed object and diff.  Bit-field allocation is the ABI's choice, so it
 * is measured, never assumed.  Returns the lowest bit, -1 when the bits are
 * not `width` contiguous ones.
 */
static int bits_of(const PyASCIIObject *o, unsigned width)
{
	uint32_t w;
	int lo;

	memcpy(&w, (const char *)o + offsetof(PyASCIIObject, state), sizeof(w));
	if (w == 0)
		return -1;
	lo = __builtin_ctz(w);
	if ((w >> lo) != (1u << width) - 1)
		return -1;
	return lo;
}

#if PY_VERSION_HEX >= 0x030B0000
/*
 * How far before an instance of a managed-dict type its dict pointer (and
 * in 3.11 its values pointer) sits: asked of the headers' own accessors, on
 * a zeroed stand-in object whose type has the flags they assert.
 */
static void managed_dict(void)
{
	static PyTypeObject type;
	static union { PyObject o; char room[8 * sizeof(PyObject)]; } mem[2];
	PyObject *obj = (PyObject *)&mem[1];

	type.tp_basicsize = sizeof(PyObject);
	type.tp_flags = Py_TPFLAGS_MANAGED_DICT;
#if PY_VERSION_HEX >= 0x030D0000
	type.tp_flags |= Py_TPFLAGS_INLINE_VALUES;
#endif
	obj->ob_type = &type;
#if PY_VERSION_HEX < 0x030C0000
	off("managed_dict_before", (size_t)((char *)obj - (char *)_PyObject_ManagedDictPointer(obj)));
	off("managed_values_before", (size_t)((char *)obj - (char *)_PyObject_ValuesPointer(obj)));
	printf("\t\t.managed_tagged = 0,\n");
#elif PY_VERSION_HEX < 0x030D0000
	PyDictOrValues dorv;

	off("managed_dict_before", (size_t)((char *)obj - (char *)_PyObject_DictOrValuesPointer(obj)));
	none("managed_values_before");
	printf("\t\t.managed_tagged = 1,\n");
	/* proftui reads an odd word as the values' address less 1. */
	dorv.values = (char *)&mem[1] - 1;
	if (!_PyDictOrValues_IsValues(dorv) || (char *)_PyDictOrValues_GetValues(dorv) != (char *)&mem[1]) {
		fprintf(stderr, "probe: the dict-or-values word is not values - 1\n");
		failed = 1;
	}
	dorv.values = (char *)&mem[1];
	if (_PyDictOrValues_IsValues(dorv)) {
		fprintf(stderr, "probe: an even dict-or-values word is not a dict\n");
		failed = 1;
	}
#else
	off("managed_dict_before", (size_t)((char *)obj - (char *)_PyObject_ManagedDictPointer(obj)));
	none("managed_values_before");
	printf("\t\t.managed_tagged = 0,\n");
	/* proftui finds inline values at the type's tp_basicsize. */
	if ((char *)_PyObject_InlineValues(obj) - (char *)obj != type.tp_basicsize) {
		fprintf(stderr, "probe: inline values are not at tp_basicsize\n");
		failed = 1;
	}
#endif
}
#endif

/*
 * What naming a thread reads: the outermost frame's first local (the
 * threading.Thread), its type, its instance dict.  3.8-3.10 do not install
 * the dict keys object's struct (Objects/dict-common.h): the script
 * measures those fields in the running interpreter instead.
 */
static void objects(void)
{
	off("runtime_main_thread", offsetof(_PyRuntimeState, main_thread));
#if PY_VERSION_HEX < 0x030B0000
	off("frame_localsplus", offsetof(PyFrameObject, f_localsplus));
#else
	off("frame_localsplus", offsetof(_PyInterpreterFrame, localsplus));
#endif
	off("type_basicsize", offsetof(PyTypeObject, tp_basicsize));
	off("type_dictoffset", offsetof(PyTypeObject, tp_dictoffset));
	off("type_flags", offsetof(PyTypeObject, tp_flags));
	off("dict_keys", offsetof(PyDictObject, ma_keys));
	off("dict_values", offsetof(PyDictObject, ma_values));
#if PY_VERSION_HEX < 0x030B0000
	none("heaptype_cached_keys");
	printf("\t\t.tpflags_managed_dict = 0,\n");
	printf("\t\t.tpflags_inline_values = 0,\n");
	none("managed_dict_before");
	none("managed_values_before");
	none("keys_log2_size");
	none("keys_log2_index_bytes");
	none("keys_kind");
	none("uentry_size");
	none("uentry_key");
	none("uentry_value");
	/* ma_values is the value array itself (PyObject **). */
	off("values_values", 0);
	none("values_valid");
#else
	off("heaptype_cached_keys", offsetof(PyHeapTypeObject, ht_cached_keys));
	printf("\t\t.tpflags_managed_dict = 0x%lx,\n", (unsigned long)Py_TPFLAGS_MANAGED_DICT);
#if PY_VERSION_HEX >= 0x030D0000
	printf("\t\t.tpflags_inline_values = 0x%lx,\n", (unsigned long)Py_TPFLAGS_INLINE_VALUES);
#else
	printf("\t\t.tpflags_inline_values = 0,\n");
#endif
	managed_dict();
	none("keys_size");
	off("keys_log2_size", offsetof(PyDictKeysObject, dk_log2_size));
	off("keys_log2_index_bytes", offsetof(PyDictKeysObject, dk_log2_index_bytes));
	off("keys_kind", offsetof(PyDictKeysObject, dk_kind));
	printf("\t\t.keys_kind_general = %d,\n", (int)DICT_KEYS_GENERAL);
	off("keys_nentries", offsetof(PyDictKeysObject, dk_nentries));
	off("keys_indices", offsetof(PyDictKeysObject, dk_indices));
	off("entry_size", sizeof(PyDictKeyEntry));
	off("entry_key", offsetof(PyDictKeyEntry, me_key));
	off("entry_value", offsetof(PyDictKeyEntry, me_value));
	off("uentry_size", sizeof(PyDictUnicodeEntry));
	off("uentry_key", offsetof(PyDictUnicodeEntry, me_key));
	off("uentry_value", offsetof(PyDictUnicodeEntry, me_value));
	off("values_values", offsetof(PyDictValues, values));
#if PY_VERSION_HEX >= 0x030D0000
	off("values_valid", offsetof(PyDictValues, valid));
#else
	none("values_valid");
#endif
#endif
}

int main(void)
{
	PyASCIIObject o;
	int kind, compact, ascii;

	if (sizeof(o.state) != 4) {
		fprintf(stderr, "probe: str state is %zu bytes, not 4\n", sizeof(o.state));
		return 1;
	}
	memset(&o, 0, sizeof(o));
	o.state.kind = 7;
	kind = bits_of(&o, 3);
	memset(&o, 0, sizeof(o));
	o.state.compact = 1;
	compact = bits_of(&o, 1);
	memset(&o, 0, sizeof(o));
	o.state.ascii = 1;
	ascii = bits_of(&o, 1);
	if (kind < 0 || compact < 0 || ascii < 0) {
		fprintf(stderr, "probe: str state bits not where expected\n");
		return 1;
	}

	printf("\t{\n");
	printf("\t\t.major = %d, .minor = %d,\n", PY_MAJOR_VERSION, PY_MINOR_VERSION);
	off("runtime_interp_head", offsetof(_PyRuntimeState, interpreters.head));
	off("interp_next", offsetof(PyInterpreterState, next));
#if PY_VERSION_HEX < 0x030B0000
	off("interp_tstate_head", offsetof(PyInterpreterState, tstate_head));
#else
	off("interp_tstate_head", offsetof(PyInterpreterState, threads.head));
#endif
	off("tstate_next", offsetof(PyThreadState, next));
	off("tstate_thread_id", offsetof(PyThreadState, thread_id));
#if PY_VERSION_HEX < 0x030B0000
	none("tstate_native_tid");
	off("tstate_frame", offsetof(PyThreadState, frame));
	none("tstate_cframe");
	none("cframe_current_frame");
#elif PY_VERSION_HEX < 0x030D0000
	off("tstate_native_tid", offsetof(PyThreadState, native_thread_id));
	none("tstate_frame");
	off("tstate_cframe", offsetof(PyThreadState, cframe));
	off("cframe_current_frame", offsetof(_PyCFrame, current_frame));
#else
	off("tstate_native_tid", offsetof(PyThreadState, native_thread_id));
	off("tstate_frame", offsetof(PyThreadState, current_frame));
	none("tstate_cframe");
	none("cframe_current_frame");
#endif
#if PY_VERSION_HEX < 0x030B0000
	off("frame_back", offsetof(PyFrameObject, f_back));
	off("frame_code", offsetof(PyFrameObject, f_code));
	off("frame_lasti", offsetof(PyFrameObject, f_lasti));
	none("frame_instr");
	none("frame_is_entry");
	none("frame_owner");
	printf("\t\t.owner_cstack = UINT8_MAX,\n");
#else
	off("frame_back", offsetof(_PyInterpreterFrame, previous));
#if PY_VERSION_HEX < 0x030D0000
	off("frame_code", offsetof(_PyInterpreterFrame, f_code));
#else
	off("frame_code", offsetof(_PyInterpreterFrame, f_executable));
#endif
	none("frame_lasti");
#if PY_VERSION_HEX < 0x030D0000
	off("frame_instr", offsetof(_PyInterpreterFrame, prev_instr));
#else
	off("frame_instr", offsetof(_PyInterpreterFrame, instr_ptr));
#endif
#if PY_VERSION_HEX < 0x030C0000
	off("frame_is_entry", offsetof(_PyInterpreterFrame, is_entry));
	none("frame_owner");
	printf("\t\t.owner_cstack = UINT8_MAX,\n");
#else
	none("frame_is_entry");
	off("frame_owner", offsetof(_PyInterpreterFrame, owner));
	printf("\t\t.owner_cstack = %d,\n", (int)FRAME_OWNED_BY_CSTACK);
#endif
#endif
	off("code_name", offsetof(PyCodeObject, co_name));
#if PY_VERSION_HEX < 0x030B0000
	none("code_qualname");
#else
	off("code_qualname", offsetof(PyCodeObject, co_qualname));
#endif
	off("code_filename", offsetof(PyCodeObject, co_filename));
	off("code_firstlineno", offsetof(PyCodeObject, co_firstlineno));
#if PY_VERSION_HEX < 0x030A0000
	off("code_linetable", offsetof(PyCodeObject, co_lnotab));
#else
	off("code_linetable", offsetof(PyCodeObject, co_linetable));
#endif
#if PY_VERSION_HEX < 0x030B0000
	none("code_code_adaptive");
#else
	off("code_code_adaptive", offsetof(PyCodeObject, co_code_adaptive));
#endif
	off("ob_type", offsetof(PyObject, ob_type));
	off("var_size", offsetof(PyVarObject, ob_size));
	off("bytes_sval", offsetof(PyBytesObject, ob_sval));
	off("unicode_length", offsetof(PyASCIIObject, length));
	off("unicode_state", offsetof(PyASCIIObject, state));
	off("unicode_ascii_size", sizeof(PyASCIIObject));
	off("unicode_compact_size", sizeof(PyCompactUnicodeObject));
	printf("\t\t.state_kind_shift = %d,\n", kind);
	printf("\t\t.state_compact_shift = %d,\n", compact);
	printf("\t\t.state_ascii_shift = %d,\n", ascii);
	objects();
	/* The script closes the row, after what it measured (3.8-3.10's
	 * dict keys), and checks that every version agrees on this. */
	fprintf(stderr, "probe-ptr-size %zu\n", sizeof(void *));
	fprintf(stderr, "probe-ma-keys %zu\n", offsetof(PyDictObject, ma_keys));
	return failed;
}
EOF

# 3.8-3.10 keep the dict keys object's struct out of their installed headers
# (Objects/dict-common.h), so its fields are measured in the interpreter
# itself: build dicts of known keys and values with ctypes and find where
# each known number and pointer lies.  Every answer must be the one place
# that fits, in two dicts of different sizes, or the measurement fails.
# Argument: offsetof(PyDictObject, ma_keys), from the probe.
cat >"$tmp/measure.py" <<'MEASURE'
import ctypes
import sys

MA_KEYS = int(sys.argv[1])
W = ctypes.sizeof(ctypes.c_void_p)


def fail(why):
    sys.stderr.write("measure: %s\n" % why)
    sys.exit(1)


def word(addr):
    return ctypes.c_ssize_t.from_address(addr).value


def ptr(addr):
    return ctypes.c_void_p.from_address(addr).value or 0


def made(n):
    # Fresh str keys and plain objects as values, inserted in order.
    keys = ["gen_pylayout_%d_%d" % (n, i) for i in range(n)]
    vals = [object() for _ in keys]
    d = {}
    for k, v in zip(keys, vals):
        d[k] = v
    return d, keys, vals, ptr(id(d) + MA_KEYS)


def only(where, what):
    if len(where) != 1:
        fail("%s found at %r, not in one place" % (what, where))
    return where[0]


# 3 keys fit the smallest table (8 slots), 6 need the next (16).
small, ks, vs, K = made(3)
big, kb, vb, KB = made(6)
head = range(0, 6 * W, W)  # the header: smaller than either object
size = only([o for o in head if word(K + o) == 8 and word(KB + o) == 16], "dk_size")
nent = only([o for o in head if word(K + o) == 3 and word(KB + o) == 6], "dk_nentries")
# Entries: within the small object (header, 8 index bytes, 5 entries).
span = range(0, 6 * W + 8 + 5 * 3 * W, W)
kpos = [only([o for o in span if ptr(K + o) == id(k)], "a key") for k in ks]
vpos = only([o for o in span if ptr(K + o) == id(vs[0])], "a value")
hpos = only([o for o in span if word(K + o) == hash(ks[0])], "a hash")
esize = kpos[1] - kpos[0]
if kpos[2] - kpos[1] != esize:
    fail("entries not evenly spaced")
start = min(kpos[0], vpos, hpos)
if max(kpos[0], vpos, hpos) + W - start > esize:
    fail("an entry's fields overlap the next")
# The entries follow the index table: 8 one-byte indices here.
indices = start - 8
idx = bytearray(ctypes.string_at(K + indices, 8))
if sorted(idx) != [0, 1, 2] + [255] * 5:
    fail("no index table before the entries")
bspan = range(0, 6 * W + 16 + 10 * 3 * W, W)
if only([o for o in bspan if ptr(KB + o) == id(kb[0])], "a key") - (kpos[0] - start) != indices + 16:
    fail("the bigger dict's entries are not where its index table ends")
print("\t\t.keys_size = %d," % size)
print("\t\t.keys_nentries = %d," % nent)
print("\t\t.keys_indices = %d," % indices)
print("\t\t.entry_size = %d," % esize)
print("\t\t.entry_key = %d," % (kpos[0] - start))
print("\t\t.entry_value = %d," % (vpos - start))
MEASURE

# The lines for a version whose dict keys could not be learnt: its threads
# keep their kernel names.
no_keys() {
	for f in keys_size keys_nentries keys_indices entry_size entry_key entry_value; do
		printf '\t\t.%s = PYL_NONE,\n' "$f"
	done
}

# Pick one prefix per minor version: list "minor version incdir" lines,
# newest patch last, so the last line per minor wins.
: >"$tmp/cands"
for p in "$@"; do
	p=${p%/}
	for inc in "$p"/include/python3.*; do
		[ -d "$inc" ] || continue
		d=${inc##*/}
		minor=$(echo "$d" | sed -n 's/^python3\.\([0-9][0-9]*\).*/\1/p')
		if [ -z "$minor" ] || [ "$minor" -lt "$MIN_MINOR" ]; then
			continue
		fi
		# Only plain python3.Y: a suffix (3.13t, 3.8d) is a build whose object
		# layouts differ from the one the table is keyed on.
		if [ "$d" != "python3.$minor" ]; then
			echo "gen-pylayout: skipping $inc (not a default build)" >&2
			continue
		fi
		if [ ! -f "$inc/Python.h" ] || [ ! -d "$inc/internal" ]; then
			echo "gen-pylayout: skipping $inc (Python.h or internal/ missing)" >&2
			continue
		fi
		ver=$(sed -n 's/^#define PY_VERSION[ 	]*"\(.*\)".*/\1/p' "$inc/patchlevel.h")
		[ -n "$ver" ] || { echo "gen-pylayout: skipping $inc (no PY_VERSION)" >&2; continue; }
		echo "$minor $ver $inc" >>"$tmp/cands"
	done
done
sort -k1,1n -k2,2V "$tmp/cands" | awk '{ last[$1] = $0; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
	END { for (i = 1; i <= n; i++) print last[order[i]] }' >"$tmp/picked"
[ -s "$tmp/picked" ] || { echo "gen-pylayout: no CPython 3.$MIN_MINOR+ headers found" >&2; exit 1; }

ptrsize=""
used=""
measured=""
: >"$tmp/rows"
while read -r minor ver inc; do
	if [ "$minor" -gt "$CHECKED_MINOR" ]; then
		echo "gen-pylayout: note: 3.$minor is newer than this script knows; check its row (3.14 tags frame pointers)" >&2
	fi
	if ! "$CC" -std=c11 -D_GNU_SOURCE -DPy_BUILD_CORE -w -I"$inc" -I"$inc/internal" \
		-o "$tmp/probe$minor" "$tmp/probe.c" 2>"$tmp/cc$minor.err"; then
		if [ "$minor" -le "$CHECKED_MINOR" ]; then
			echo "gen-pylayout: $ver: probe does not compile:" >&2
			cat "$tmp/cc$minor.err" >&2
			exit 1
		fi
		echo "gen-pylayout: skipping $ver (probe does not compile against its headers)" >&2
		continue
	fi
	"$tmp/probe$minor" >>"$tmp/rows" 2>"$tmp/run$minor.err" || {
		echo "gen-pylayout: $ver: probe failed:" >&2
		cat "$tmp/run$minor.err" >&2
		exit 1
	}
	if [ "$minor" -lt 11 ]; then
		py=${inc%/include/*}/bin/python3.$minor
		mk=$(sed -n 's/^probe-ma-keys //p' "$tmp/run$minor.err")
		if [ -x "$py" ] && "$py" "$tmp/measure.py" "$mk" >"$tmp/keys$minor" 2>"$tmp/keys$minor.err"; then
			measured="$measured 3.$minor"
		else
			echo "gen-pylayout: $ver: dict keys not measured (its threads keep kernel names)" >&2
			cat "$tmp/keys$minor.err" >&2 2>/dev/null || true
			no_keys >"$tmp/keys$minor"
		fi
		cat "$tmp/keys$minor" >>"$tmp/rows"
	fi
	printf '\t},\n' >>"$tmp/rows"
	ps=$(sed -n 's/^probe-ptr-size //p' "$tmp/run$minor.err")
	if [ -n "$ptrsize" ] && [ "$ps" != "$ptrsize" ]; then
		echo "gen-pylayout: pointer size differs between versions" >&2
		exit 1
	fi
	ptrsize=$ps
	used="$used $ver"
done <"$tmp/picked"
[ -s "$tmp/rows" ] || { echo "gen-pylayout: no version could be probed" >&2; exit 1; }

case $ptrsize in
8) ptrmax=0xffffffffffffffff ;;
4) ptrmax=0xffffffff ;;
*) echo "gen-pylayout: odd pointer size '$ptrsize'" >&2; exit 1 ;;
esac
cat <<EOF
/* pylayout_table.c — CPython struct offsets per minor version (generated; do not edit). */
/*
 * Generated by scripts/gen-pylayout.sh from the headers of CPython${used},
 * by compiling offsetof() against each one${measured:+ (the dict keys fields
 * of${measured}, absent from their headers, measured in the interpreters)}.
 * Regenerate with:
 *
 *	scripts/gen-pylayout.sh > src/pylayout_table.c
 *
 * Offsets are for the default (GIL) build on a target with ${ptrsize}-byte
 * pointers, the same as proftui's own: a build with other pointers gets an
 * empty table rather than wrong offsets.
 */
#include "proftui/pylayout.h"

const struct py_layout pylayout_table[] = {
EOF
cat "$tmp/rows"
cat <<EOF
};

#if UINTPTR_MAX == ${ptrmax}
const size_t pylayout_count = sizeof(pylayout_table) / sizeof(pylayout_table[0]);
#else
const size_t pylayout_count = 0;
#endif
EOF
