/* pprof.c — write a profile as gzipped profile.proto, encoded by hand, for go tool pprof. */
#include "proftui/pprof.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/*
 * The message is streamed: each repeated field goes out as soon as it is
 * encoded (protobuf lets fields come in any order, and a decoder resolves
 * string indexes only once it has the whole message), so memory is one
 * sample's scratch, the string table's index and a bit per function, never
 * the whole encoded profile.  Samples come first because they decide which
 * functions are used; the string table comes last because everything else
 * adds to it.
 *
 * Field numbers are those of github.com/google/pprof proto/profile.proto.
 */
enum {
	PB_VARINT = 0,
	PB_LEN = 2,
};

enum {
	PF_SAMPLE_TYPE = 1, PF_SAMPLE = 2, PF_LOCATION = 4, PF_FUNCTION = 5,
	PF_STRING_TABLE = 6, PF_TIME_NANOS = 9, PF_DURATION_NANOS = 10,
	PF_PERIOD_TYPE = 11, PF_PERIOD = 12, PF_COMMENT = 13, PF_DEFAULT_SAMPLE_TYPE = 14,
};
enum { VT_TYPE = 1, VT_UNIT = 2 };
enum { SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2 };
enum { LOC_ID = 1, LOC_ADDRESS = 3, LOC_LINE = 4 };
enum { LINE_FUNCTION_ID = 1 };
enum { FUNC_ID = 1, FUNC_NAME = 2, FUNC_SYSTEM_NAME = 3, FUNC_FILENAME = 4 };

/* Fixed strings, interned first so their indexes are known constants. */
enum { S_EMPTY, S_SAMPLES, S_COUNT, S_CPU, S_NANOSECONDS, S__FIXED };
static const char *const pp_fixed[S__FIXED] = {
	[S_EMPTY] = "", [S_SAMPLES] = "samples", [S_COUNT] = "count",
	[S_CPU] = "cpu", [S_NANOSECONDS] = "nanoseconds",
};

#define PP_CHUNK	((size_t)1 << 16)
/* One sample's encoding: 10 bytes a frame would need a 100M-frame stack. */
#define PP_BUF_MAX	((size_t)1 << 30)
/* Names are cut at 16 KiB by the profile; only the comment can be longer. */
#define PP_COMMENT_MAX	((size_t)1 << 16)
/* Slots hold 32-bit indexes; two strings a function are far below this. */
#define PP_MAX_STRINGS	((size_t)1 << 31)
#define PP_SLOT_EMPTY	UINT32_MAX

/* Growable bytes, capped at PP_BUF_MAX. */
struct pp_buf {
	unsigned char *b;
	size_t len, cap;
	bool oom;               /* sticky: a put did not fit */
};

/* The gzip stream into the caller's FILE; the first error sticks. */
struct pp_gz {
	FILE *f;
	z_stream z;
	size_t nin;
	int err;
	unsigned char in[PP_CHUNK];
	unsigned char out[PP_CHUNK];
};

struct pp_str {
	const char *s;
	size_t len;
};

/* Interned strings in index order; open addressing over their indexes. */
struct pp_strtab {
	struct pp_str *v;
	size_t n, cap;
	uint32_t *slots;
	size_t mask;            /* slots - 1; 0 before the first grow */
};

struct pp_writer {
	struct pp_gz *gz;
	const struct profile *p;
	struct pp_strtab st;
	struct pp_buf msg, sub;
	unsigned char *used;    /* a bit per function seen in some sample */
	uint64_t period;
};

/* --- bytes and varints --- */

static bool pp_reserve(struct pp_buf *b, size_t more)
{
	size_t cap;
	unsigned char *nb;

	if (b->oom || more > PP_BUF_MAX - b->len)
		return !(b->oom = true);
	if (b->len + more <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	if (cap > PP_BUF_MAX)
		cap = PP_BUF_MAX;
	nb = realloc(b->b, cap);
	if (!nb)
		return !(b->oom = true);
	b->b = nb;
	b->cap = cap;
	return true;
}

static void pp_bytes(struct pp_buf *b, const void *src, size_t n)
{
	if (n && pp_reserve(b, n)) {
		memcpy(b->b + b->len, src, n);
		b->len += n;
	}
}

static size_t pp_varint_enc(unsigned char out[10], uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (unsigned char)v;
	return n;
}

static void pp_varint(struct pp_buf *b, uint64_t v)
{
	unsigned char tmp[10];

	pp_bytes(b, tmp, pp_varint_enc(tmp, v));
}

static void pp_tag(struct pp_buf *b, unsigned field, unsigned wire)
{
	pp_varint(b, (uint64_t)field << 3 | wire);
}

/* proto3 leaves zero scalars out: the decoder reads them as 0. */
static void pp_field_u64(struct pp_buf *b, unsigned field, uint64_t v)
{
	if (v) {
		pp_tag(b, field, PB_VARINT);
		pp_varint(b, v);
	}
}

static void pp_field_bytes(struct pp_buf *b, unsigned field, const void *src, size_t n)
{
	pp_tag(b, field, PB_LEN);
	pp_varint(b, n);
	pp_bytes(b, src, n);
}

/* --- gzip stream --- */

static int pp_zerr(int zret)
{
	return zret == Z_MEM_ERROR ? -ENOMEM : -EIO;
}

/* Run deflate over what is buffered, writing out every full output chunk. */
static int pp_gz_deflate(struct pp_gz *gz, int flush)
{
	int zret;

	gz->z.next_in = gz->in;
	gz->z.avail_in = (uInt)gz->nin;
	do {
		gz->z.next_out = gz->out;
		gz->z.avail_out = (uInt)PP_CHUNK;
		zret = deflate(&gz->z, flush);
		if (zret == Z_STREAM_ERROR)
			return -EIO;
		size_t have = PP_CHUNK - gz->z.avail_out;

		if (have && fwrite(gz->out, 1, have, gz->f) != have)
			return -EIO;
	} while (gz->z.avail_out == 0 || (flush == Z_FINISH && zret != Z_STREAM_END));
	gz->nin = 0;
	return 0;
}

static void pp_gz_put(struct pp_gz *gz, const unsigned char *src, size_t n)
{
	while (n && !gz->err) {
		size_t room = PP_CHUNK - gz->nin, k = n < room ? n : room;

		memcpy(gz->in + gz->nin, src, k);
		gz->nin += k;
		src += k;
		n -= k;
		if (gz->nin == PP_CHUNK)
			gz->err = pp_gz_deflate(gz, Z_NO_FLUSH);
	}
}

static int pp_gz_open(struct pp_gz **out, FILE *f)
{
	struct pp_gz *gz = calloc(1, sizeof(*gz));
	int zret;

	if (!gz)
		return -ENOMEM;
	gz->f = f;
	/* 15 + 16: the largest window, wrapped as gzip rather than zlib. */
	zret = deflateInit2(&gz->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			    Z_DEFAULT_STRATEGY);
	if (zret != Z_OK) {
		free(gz);
		return pp_zerr(zret);
	}
	*out = gz;
	return 0;
}

/* Finish (unless an error is pending) and free; the first error wins. */
static int pp_gz_close(struct pp_gz *gz, int err)
{
	if (!err)
		err = gz->err;
	if (!err)
		err = pp_gz_deflate(gz, Z_FINISH);
	if (!err && fflush(gz->f))
		err = -EIO;
	deflateEnd(&gz->z);
	free(gz);
	return err;
}

/* One length-delimited top-level field: its header, then the body. */
static int pp_emit(struct pp_writer *w, unsigned field, const struct pp_buf *body)
{
	unsigned char hdr[20];
	size_t n;

	if (body->oom)
		return -ENOMEM;
	n = pp_varint_enc(hdr, (uint64_t)field << 3 | PB_LEN);
	n += pp_varint_enc(hdr + n, body->len);
	pp_gz_put(w->gz, hdr, n);
	pp_gz_put(w->gz, body->b, body->len);
	return w->gz->err;
}

/* A top-level scalar field, written even when 0. */
static int pp_emit_u64(struct pp_writer *w, unsigned field, uint64_t v)
{
	unsigned char buf[20];
	size_t n = pp_varint_enc(buf, (uint64_t)field << 3 | PB_VARINT);

	n += pp_varint_enc(buf + n, v);
	pp_gz_put(w->gz, buf, n);
	return w->gz->err;
}

/* --- string table --- */

static uint64_t pp_hash(const char *s, size_t len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h ^ (h >> 29);
}

static size_t pp_slot_of(const struct pp_strtab *t, const char *s, size_t len)
{
	size_t i = (size_t)pp_hash(s, len) & t->mask;

	while (t->slots[i] != PP_SLOT_EMPTY) {
		const struct pp_str *e = &t->v[t->slots[i]];

		if (e->len == len && !memcmp(e->s, s, len))
			break;
		i = (i + 1) & t->mask;
	}
	return i;
}

/* Double the index (kept at most 50% full) and the entry array. */
static int pp_strtab_grow(struct pp_strtab *t)
{
	size_t nslots = t->mask ? 2 * (t->mask + 1) : 64;
	uint32_t *slots;
	struct pp_str *v;

	if (nslots / 2 > PP_MAX_STRINGS)
		return -ENOMEM;
	slots = malloc(nslots * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	v = realloc(t->v, nslots / 2 * sizeof(*v));
	if (!v) {
		free(slots);
		return -ENOMEM;
	}
	memset(slots, 0xff, nslots * sizeof(*slots));
	free(t->slots);
	t->v = v;
	t->cap = nslots / 2;
	t->slots = slots;
	t->mask = nslots - 1;
	for (size_t i = 0; i < t->n; i++)
		t->slots[pp_slot_of(t, t->v[i].s, t->v[i].len)] = (uint32_t)i;
	return 0;
}

/* Index of s (kept by pointer: it must outlive the write); -ENOMEM. */
static int64_t pp_intern(struct pp_strtab *t, const char *s, size_t len)
{
	size_t slot;

	if (t->n == t->cap) {
		int err = pp_strtab_grow(t);

		if (err)
			return err;
	}
	slot = pp_slot_of(t, s, len);
	if (t->slots[slot] != PP_SLOT_EMPTY)
		return t->slots[slot];
	t->v[t->n] = (struct pp_str){ s, len };
	t->slots[slot] = (uint32_t)t->n;
	return (int64_t)t->n++;
}

static void pp_strtab_free(struct pp_strtab *t)
{
	free(t->v);
	free(t->slots);
}

/*
 * Length of the well-formed UTF-8 sequence at s[0..n) (RFC 3629: no
 * overlongs, surrogates or code points past U+10FFFF), 0 if none starts.
 */
static size_t pp_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)
		return 0;
	len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

/* s as protobuf wants strings: the same bytes, each invalid one U+FFFD. */
static void pp_utf8_fix(struct pp_buf *out, const char *s, size_t n)
{
	static const unsigned char repl[] = { 0xEF, 0xBF, 0xBD };
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t run = i, k;

		/* Copy the longest valid run in one go. */
		while (run < n && (k = pp_utf8_len(u + run, n - run)))
			run += k;
		pp_bytes(out, u + i, run - i);
		if (run < n) {
			pp_bytes(out, repl, sizeof(repl));
			run++;
		}
		i = run;
	}
}

static int pp_emit_strings(struct pp_writer *w)
{
	for (size_t i = 0; i < w->st.n; i++) {
		int err;

		w->sub.len = 0;
		pp_utf8_fix(&w->sub, w->st.v[i].s, w->st.v[i].len);
		if (w->sub.oom)
			return -ENOMEM;
		/* The empty string too: index 0 must be there. */
		err = pp_emit(w, PF_STRING_TABLE, &w->sub);
		if (err)
			return err;
	}
	return 0;
}

/* --- samples --- */

/* a * b as a non-negative int64, saturated: values are int64 in the proto. */
static int64_t pp_sat_mul(uint64_t a, uint64_t b)
{
	if (a > INT64_MAX)
		a = INT64_MAX;
	if (b && a > (uint64_t)INT64_MAX / b)
		return INT64_MAX;
	return (int64_t)(a * b);
}

/* One Sample: packed location ids leaf first, then [count, cpu ns]. */
static int pp_visit(void *vw, const uint32_t *path, size_t depth, uint64_t self)
{
	struct pp_writer *w = vw;

	w->sub.len = 0;
	for (size_t i = depth; i-- > 0;) {
		/* Ids start at 1: 0 means "none" in profile.proto. */
		pp_varint(&w->sub, (uint64_t)path[i] + 1);
		w->used[path[i] / 8] |= (unsigned char)(1u << (path[i] % 8));
	}
	w->msg.len = 0;
	pp_field_bytes(&w->msg, SAMPLE_LOCATION_ID, w->sub.b, w->sub.len);
	w->sub.len = 0;
	pp_varint(&w->sub, (uint64_t)pp_sat_mul(self, 1));
	pp_varint(&w->sub, (uint64_t)pp_sat_mul(self, w->period));
	pp_field_bytes(&w->msg, SAMPLE_VALUE, w->sub.b, w->sub.len);
	if (w->sub.oom)
		return -ENOMEM;
	return pp_emit(w, PF_SAMPLE, &w->msg);
}

/* --- locations and functions --- */

static bool pp_used(const struct pp_writer *w, uint32_t f)
{
	return w->used[f / 8] >> (f % 8) & 1;
}

static int64_t pp_intern_cstr(struct pp_writer *w, const char *s)
{
	if (!s)
		s = "";
	return pp_intern(&w->st, s, strlen(s));
}

/*
 * One Location per function, already symbolised by its Line.  Its address,
 * when known, is the function's in its module (profile.h), for pprof's
 * address views.  There is no Mapping (mapping_id 0, "unknown" in
 * profile.proto): addresses of different modules may coincide, and with
 * no mapping pprof does not try to symbolise them again.
 */
static int pp_emit_location(struct pp_writer *w, uint32_t f)
{
	uint64_t addr = profile_func_addr(w->p, f);

	w->sub.len = 0;
	pp_field_u64(&w->sub, LINE_FUNCTION_ID, (uint64_t)f + 1);
	w->msg.len = 0;
	pp_field_u64(&w->msg, LOC_ID, (uint64_t)f + 1);
	if (addr != PROFILE_NO_ADDR)
		pp_field_u64(&w->msg, LOC_ADDRESS, addr);
	pp_field_bytes(&w->msg, LOC_LINE, w->sub.b, w->sub.len);
	if (w->sub.oom)
		return -ENOMEM;
	return pp_emit(w, PF_LOCATION, &w->msg);
}

static int pp_emit_function(struct pp_writer *w, uint32_t f)
{
	const char *name = profile_func_name(w->p, f);
	/* Same word as the text report for a frame with no symbol. */
	int64_t n = pp_intern_cstr(w, name && *name ? name : "[unknown]");
	int64_t file = pp_intern_cstr(w, profile_func_module(w->p, f));

	if (n < 0 || file < 0)
		return -ENOMEM;
	w->msg.len = 0;
	pp_field_u64(&w->msg, FUNC_ID, (uint64_t)f + 1);
	pp_field_u64(&w->msg, FUNC_NAME, (uint64_t)n);
	pp_field_u64(&w->msg, FUNC_SYSTEM_NAME, (uint64_t)n);
	pp_field_u64(&w->msg, FUNC_FILENAME, (uint64_t)file);
	return pp_emit(w, PF_FUNCTION, &w->msg);
}

static int pp_emit_funcs(struct pp_writer *w)
{
	size_t n = profile_nfuncs(w->p);
	int err = 0;

	for (uint32_t f = 0; f < n && !err; f++)
		if (pp_used(w, f))
			err = pp_emit_location(w, f);
	for (uint32_t f = 0; f < n && !err; f++)
		if (pp_used(w, f))
			err = pp_emit_function(w, f);
	return err;
}

/* --- the header fields --- */

static int pp_emit_vtype(struct pp_writer *w, unsigned field, int64_t type, int64_t unit)
{
	w->msg.len = 0;
	pp_field_u64(&w->msg, VT_TYPE, (uint64_t)type);
	pp_field_u64(&w->msg, VT_UNIT, (uint64_t)unit);
	return pp_emit(w, field, &w->msg);
}

/* The comment, cut at PP_COMMENT_MAX but never inside a UTF-8 sequence. */
static int pp_emit_comment(struct pp_writer *w, const char *c)
{
	size_t len = strnlen(c, PP_COMMENT_MAX + 1);
	int64_t idx;

	if (len > PP_COMMENT_MAX) {
		len = PP_COMMENT_MAX;
		while (len && ((unsigned char)c[len] & 0xC0) == 0x80)
			len--;
	}
	idx = pp_intern(&w->st, c, len);
	if (idx < 0)
		return (int)idx;
	return pp_emit_u64(w, PF_COMMENT, (uint64_t)idx);
}

static uint64_t pp_period(double freq_hz)
{
	double ns;

	/* Not a rate: the CPU value is unknown, so 0 (and counts are the default). */
	if (!isfinite(freq_hz) || freq_hz <= 0)
		return 0;
	ns = 1e9 / freq_hz;
	if (ns < 1)
		return 1;
	return ns >= 9e18 ? (uint64_t)9e18 : (uint64_t)llround(ns);
}

static int pp_emit_header(struct pp_writer *w, const struct pprof_info *info)
{
	double dur = info->duration_s * 1e9;
	int err;

	if ((err = pp_emit_vtype(w, PF_SAMPLE_TYPE, S_SAMPLES, S_COUNT)) ||
	    (err = pp_emit_vtype(w, PF_SAMPLE_TYPE, S_CPU, S_NANOSECONDS)))
		return err;
	if (info->start_unix_ns > 0 && (err = pp_emit_u64(w, PF_TIME_NANOS,
							   (uint64_t)info->start_unix_ns)))
		return err;
	if (isfinite(dur) && dur >= 1 &&
	    (err = pp_emit_u64(w, PF_DURATION_NANOS, dur >= 9e18 ? (uint64_t)9e18 :
			       (uint64_t)llround(dur))))
		return err;
	if ((err = pp_emit_vtype(w, PF_PERIOD_TYPE, S_CPU, S_NANOSECONDS)) ||
	    (err = pp_emit_u64(w, PF_PERIOD, w->period)))
		return err;
	if (info->comment && *info->comment && (err = pp_emit_comment(w, info->comment)))
		return err;
	return pp_emit_u64(w, PF_DEFAULT_SAMPLE_TYPE, w->period ? S_CPU : S_SAMPLES);
}

/* --- the whole profile --- */

static int pp_write_body(struct pp_writer *w, const struct pprof_info *info)
{
	int err;

	for (size_t i = 0; i < S__FIXED; i++)
		if (pp_intern(&w->st, pp_fixed[i], strlen(pp_fixed[i])) != (int64_t)i)
			return -ENOMEM;
	if ((err = profile_walk(w->p, pp_visit, w)) ||
	    (err = pp_emit_funcs(w)) ||
	    (err = pp_emit_header(w, info)))
		return err;
	return pp_emit_strings(w);
}

int pprof_write(FILE *out, const struct profile *p, const struct pprof_info *info)
{
	static const struct pprof_info none = { .freq_hz = 0 };
	struct pp_writer w = { .p = p };
	size_t nfuncs = profile_nfuncs(p);
	int err;

	w.period = pp_period((info ? info : &none)->freq_hz);
	w.used = calloc(nfuncs / 8 + 1, 1);
	if (!w.used)
		return -ENOMEM;
	err = pp_gz_open(&w.gz, out);
	if (!err) {
		err = pp_write_body(&w, info ? info : &none);
		err = pp_gz_close(w.gz, err);
	}
	free(w.used);
	free(w.msg.b);
	free(w.sub.b);
	pp_strtab_free(&w.st);
	return err;
}
