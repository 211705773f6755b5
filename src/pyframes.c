/* pyframes.c — read a CPython thread's frame chain out of (a copy of) the interpreter's memory. */
#include <errno.h>
#include <string.h>

#include "proftui/pyframes.h"

/* Enough for any of the structs' fields we read (offsets are < 64 KiB, but
 * the frame and thread fields we need sit in their first few hundred bytes;
 * a bigger window is refused as an implausible layout). */
#define PYF_WINDOW 1024

/*
 * Read [0, end) of a struct in one call: walking a chain is one system call
 * per frame instead of one per field.  `end` is the end of the last field we
 * need.
 */
static int read_window(const struct pyf_reader *r, uint64_t addr, size_t end, uint8_t *buf)
{
	if (end > PYF_WINDOW)
		return -EINVAL;
	return r->read(r->ctx, addr, buf, end);
}

int pyf_top_frame(const struct pyf_reader *r, uint64_t tstate, uint64_t *frame)
{
	const struct py_layout *l = r->l;
	uint64_t cframe;
	int err;

	*frame = 0;
	if (!tstate)
		return -EINVAL;
	if (pyf_has(l->tstate_frame))
		return pyf_read_ptr(r, tstate, l->tstate_frame, frame);
	/* 3.11-3.12: the current frame hangs off the thread's _PyCFrame. */
	err = pyf_read_ptr(r, tstate, l->tstate_cframe, &cframe);
	if (err)
		return err;
	if (!cframe)
		return 0;
	return pyf_read_ptr(r, cframe, l->cframe_current_frame, frame);
}

/* The bytes of a frame struct that pyf_walk looks at. */
static size_t frame_window(const struct py_layout *l)
{
	size_t end = 0;

	end = pyf_field_end(end, l->frame_back, 8);
	end = pyf_field_end(end, l->frame_code, 8);
	end = pyf_field_end(end, l->frame_is_entry, 1);
	end = pyf_field_end(end, l->frame_owner, 1);
	return end;
}

/* Is `code` a code object?  Only checkable when its type's address is known. */
static bool is_code(const struct pyf_reader *r, uint64_t code)
{
	uint64_t type;

	if (!r->code_type)
		return true;
	if (pyf_read_ptr(r, code, r->l->ob_type, &type))
		return false;
	return type == r->code_type;
}

/*
 * Brent's cycle detection: remember one frame, compare each step with it,
 * move it at powers of two.  A loop of any length is found within twice its
 * length past its start, with no memory.
 */
struct brent {
	uint64_t mark;
	size_t power, lam;
};

static bool brent_step(struct brent *b, uint64_t v)
{
	if (v == b->mark)
		return true;
	if (b->lam == b->power) {
		b->mark = v;
		b->power *= 2;
		b->lam = 0;
	}
	b->lam++;
	return false;
}

/* One frame struct: its caller, its code, whether it ends an evaluation call. */
struct raw_frame {
	uint64_t back, code;
	bool entry;       /* 3.11 is_entry */
	bool shim;        /* 3.12+: owned by the C stack, not a Python function */
};

static int read_frame(const struct pyf_reader *r, uint64_t addr, struct raw_frame *f)
{
	const struct py_layout *l = r->l;
	uint8_t buf[PYF_WINDOW];
	int err = read_window(r, addr, frame_window(l), buf);

	if (err)
		return err;
	f->back = pyf_get64(buf, l->frame_back);
	f->code = pyf_get64(buf, l->frame_code);
	f->entry = pyf_has(l->frame_is_entry) && buf[l->frame_is_entry];
	f->shim = pyf_has(l->frame_owner) && buf[l->frame_owner] == l->owner_cstack;
	return 0;
}

/* Before 3.11 each Python call is its own call of the evaluation loop. */
static bool one_eval_per_frame(const struct py_layout *l)
{
	return !pyf_has(l->frame_is_entry) && !pyf_has(l->frame_owner);
}

enum pyf_status pyf_walk(const struct pyf_reader *r, uint64_t frame, struct pyf_frame *out,
			 size_t max, size_t *n)
{
	struct brent b = { .mark = 0, .power = 1, .lam = 1 };
	bool every = one_eval_per_frame(r->l);

	*n = 0;
	while (frame) {
		struct raw_frame f;

		if (brent_step(&b, frame))
			return PYF_CYCLE;
		if (read_frame(r, frame, &f))
			return PYF_READ;
		if (f.shim) {
			/* The shim closes the evaluation call of the frames
			 * above it. */
			if (*n)
				out[*n - 1].entry = true;
			frame = f.back;
			continue;
		}
		if (!f.code)
			return PYF_BAD;
		if (!is_code(r, f.code)) {
			frame = f.back;
			continue;
		}
		if (*n == max)
			return PYF_DEPTH;
		out[(*n)++] = (struct pyf_frame){
			.code = f.code, .frame = frame, .entry = every || f.entry,
		};
		frame = f.back;
	}
	if (*n)
		out[*n - 1].entry = true;
	return PYF_OK;
}

enum pyf_status pyf_outermost(const struct pyf_reader *r, uint64_t frame, uint64_t *outer,
			      uint64_t *code)
{
	struct brent b = { .mark = 0, .power = 1, .lam = 1 };

	*outer = *code = 0;
	for (size_t steps = 0; frame; steps++) {
		struct raw_frame f;

		if (steps == PYF_MAX_OUTER)
			return PYF_DEPTH;
		if (brent_step(&b, frame))
			return PYF_CYCLE;
		if (read_frame(r, frame, &f))
			return PYF_READ;
		if (!f.shim && !f.code)
			return PYF_BAD;
		if (!f.shim && is_code(r, f.code)) {
			*outer = frame;
			*code = f.code;
		}
		frame = f.back;
	}
	return PYF_OK;
}

/* ---- thread states ------------------------------------------------------ */

static size_t tstate_window(const struct py_layout *l)
{
	size_t end = 0;

	end = pyf_field_end(end, l->tstate_next, 8);
	end = pyf_field_end(end, l->tstate_thread_id, 8);
	end = pyf_field_end(end, l->tstate_native_tid, 4);
	return end;
}

static int visit_interp(const struct pyf_reader *r, uint64_t interp, size_t *budget,
			pyf_thread_fn fn, void *ctx)
{
	const struct py_layout *l = r->l;
	uint64_t ts;
	int err = pyf_read_ptr(r, interp, l->interp_tstate_head, &ts);

	while (!err && ts) {
		uint8_t buf[PYF_WINDOW];
		struct pyf_thread t = { .tstate = ts };

		if ((*budget)-- == 0)
			return -ELOOP;
		err = read_window(r, ts, tstate_window(l), buf);
		if (err)
			break;
		t.pthread_id = pyf_get64(buf, l->tstate_thread_id);
		if (pyf_has(l->tstate_native_tid))
			memcpy(&t.native_tid, buf + l->tstate_native_tid, 4);
		err = fn(ctx, &t);
		if (err)
			return err;
		ts = pyf_get64(buf, l->tstate_next);
	}
	return err;
}

int pyf_threads(const struct pyf_reader *r, uint64_t runtime, pyf_thread_fn fn, void *ctx)
{
	const struct py_layout *l = r->l;
	size_t interps = PYF_MAX_INTERPS, threads = PYF_MAX_THREADS;
	uint64_t in;
	int err = pyf_read_ptr(r, runtime, l->runtime_interp_head, &in);

	while (!err && in) {
		if (interps-- == 0)
			return -ELOOP;
		err = visit_interp(r, in, &threads, fn, ctx);
		if (!err)
			err = pyf_read_ptr(r, in, l->interp_next, &in);
	}
	return err;
}

/* ---- strings and code objects ------------------------------------------- */

#define PYF_STR_MAX_CHARS 4096

/* Append code point c as UTF-8 if it fits; false when the buffer is full. */
static bool put_utf8(char *buf, size_t len, size_t *at, uint32_t c)
{
	char tmp[4];
	size_t k;

	if (c >= 0xd800 && c < 0xe000)
		c = 0xfffd;       /* a lone surrogate is not UTF-8 */
	if (c < 0x80) {
		tmp[0] = (char)c;
		k = 1;
	} else if (c < 0x800) {
		tmp[0] = (char)(0xc0 | c >> 6);
		tmp[1] = (char)(0x80 | (c & 0x3f));
		k = 2;
	} else if (c < 0x10000) {
		tmp[0] = (char)(0xe0 | c >> 12);
		tmp[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (c & 0x3f));
		k = 3;
	} else if (c < 0x110000) {
		tmp[0] = (char)(0xf0 | c >> 18);
		tmp[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (c & 0x3f));
		k = 4;
	} else {
		return put_utf8(buf, len, at, 0xfffd);
	}
	if (*at + k + 1 > len)
		return false;
	memcpy(buf + *at, tmp, k);
	*at += k;
	return true;
}

static uint32_t unit_at(const uint8_t *data, unsigned kind, size_t i)
{
	uint16_t u16;
	uint32_t u32;

	if (kind == 1)
		return data[i];
	if (kind == 2) {
		memcpy(&u16, data + 2 * i, 2);
		return u16;
	}
	memcpy(&u32, data + 4 * i, 4);
	return u32;
}

int pyf_str(const struct pyf_reader *r, uint64_t str, char *buf, size_t len)
{
	const struct py_layout *l = r->l;
	uint8_t hdr[PYF_WINDOW], data[PYF_STR_MAX_CHARS * 4];
	size_t hdr_len = pyf_field_end(pyf_field_end(0, l->unicode_length, 8), l->unicode_state, 4);
	uint32_t state;
	int64_t nchars;
	unsigned kind;
	size_t at = 0, off, n;
	int err;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	if (!str || !pyf_has(l->unicode_length) || !pyf_has(l->unicode_state))
		return -EINVAL;
	err = read_window(r, str, hdr_len, hdr);
	if (err)
		return err;
	memcpy(&nchars, hdr + l->unicode_length, 8);
	memcpy(&state, hdr + l->unicode_state, 4);
	kind = (state >> l->state_kind_shift) & 7;
	if (!((state >> l->state_compact_shift) & 1) || nchars < 0 ||
	    (kind != 1 && kind != 2 && kind != 4))
		return -EINVAL;
	off = ((state >> l->state_ascii_shift) & 1) ? l->unicode_ascii_size
						     : l->unicode_compact_size;
	n = (size_t)nchars < PYF_STR_MAX_CHARS ? (size_t)nchars : PYF_STR_MAX_CHARS;
	if (n && (err = r->read(r->ctx, str + off, data, n * kind)))
		return err;
	for (size_t i = 0; i < n; i++)
		if (!put_utf8(buf, len, &at, unit_at(data, kind, i)))
			break;
	buf[at] = '\0';
	return 0;
}

int pyf_code(const struct pyf_reader *r, uint64_t code, struct pyf_code *out)
{
	const struct py_layout *l = r->l;
	uint16_t name_off = pyf_has(l->code_qualname) ? l->code_qualname : l->code_name;
	uint64_t name, file;
	int err;

	memset(out, 0, sizeof(*out));
	err = pyf_read_ptr(r, code, name_off, &name);
	if (!err)
		err = pyf_read_ptr(r, code, l->code_filename, &file);
	if (!err && pyf_has(l->code_firstlineno))
		err = r->read(r->ctx, code + l->code_firstlineno, &out->firstlineno,
			      sizeof(out->firstlineno));
	if (!err)
		err = pyf_str(r, name, out->name, sizeof(out->name));
	/* A file name we cannot read still leaves a useful function name. */
	if (!err && pyf_str(r, file, out->file, sizeof(out->file)))
		out->file[0] = '\0';
	return err;
}
