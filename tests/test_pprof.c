/* test_pprof.c — pprof export decoded back here, then read by go tool pprof when installed. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "proftui/pprof.h"

#include "fixture.h"

#define MOD "/usr/lib/libapp.so.1"
#define EXE "/usr/bin/app"
#define DEEP 10000

/* --- building profiles --- */

/* Names a text format would choke on; NAME_FIXED is what protobuf gets. */
static const char *const nasty_raw[] = {
	"with space", "semi;colon", "na\xc3\xafve_\xce\xbb", "bad\377\376end",
	"over\xc0\xaflong", "surr\xed\xa0\x80", "cut\xe2\x82",
};
static const char *const nasty_fixed[] = {
	"with space", "semi;colon", "na\xc3\xafve_\xce\xbb", "bad\357\277\275\357\277\275end",
	"over\xef\xbf\xbd\xef\xbf\xbdlong", "surr\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	"cut\xef\xbf\xbd\xef\xbf\xbd",
};
#define NNASTY (sizeof(nasty_raw) / sizeof(nasty_raw[0]))

/* main -> nasty[i], with 10 * (i + 1) samples each. */
static struct profile *nasty(void)
{
	struct profile *p = profile_new();

	cr_assert_not_null(p);

	uint32_t m = fx_fn(p, "main", EXE);

	for (size_t i = 0; i < NNASTY; i++)
		fx_add(p, (uint32_t[]){ fx_fn(p, nasty_raw[i], "/opt/\xff" "odd module"), m }, 2,
		    10 * (i + 1));
	return p;
}

/* One 10,000-frame stack f0 (outermost) .. f9999 (leaf), 5 samples. */
static struct profile *deep(void)
{
	struct profile *p = profile_new();
	uint32_t *funcs = malloc(DEEP * sizeof(*funcs));
	char name[32];

	cr_assert_not_null(p);
	cr_assert_not_null(funcs);
	for (size_t i = 0; i < DEEP; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		funcs[DEEP - 1 - i] = fx_fn(p, name, EXE);
	}
	fx_add(p, funcs, DEEP, 5);
	free(funcs);
	return p;
}

/* --- writing and reading back --- */

struct blob {
	unsigned char *b;
	size_t len;
};

static void write_file(const struct profile *p, const struct pprof_info *info, char *path)
{
	strcpy(path, "/tmp/test_pprof_XXXXXX");

	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);

	FILE *f = fdopen(fd, "w");

	cr_assert_not_null(f);
	cr_assert_eq(pprof_write(f, p, info), 0);
	cr_assert_eq(fclose(f), 0);
}

static struct blob gunzip(const char *path)
{
	gzFile gz = gzopen(path, "rb");
	struct blob out = { NULL, 0 };
	size_t cap = 0;
	int n;

	cr_assert_not_null(gz);
	cr_assert_eq(gzdirect(gz), 0, "not gzip");
	do {
		if (cap - out.len < 65536) {
			cap = cap ? 2 * cap : 65536;
			out.b = realloc(out.b, cap);
			cr_assert_not_null(out.b);
		}
		n = gzread(gz, out.b + out.len, 65536);
		cr_assert_geq(n, 0);
		out.len += (size_t)n;
	} while (n > 0);
	cr_assert_eq(gzclose(gz), Z_OK);
	return out;
}

/* --- a small protobuf decoder, just for profile.proto --- */

struct rd {
	const unsigned char *p, *end;
};

static uint64_t rd_varint(struct rd *r)
{
	uint64_t v = 0;

	for (unsigned shift = 0;; shift += 7) {
		cr_assert_lt(r->p, r->end, "truncated varint");
		cr_assert_lt(shift, 64, "varint too long");

		unsigned char c = *r->p++;

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
}

/* The next field: number, wire type, and its varint or its bytes. */
struct field {
	unsigned num, wire;
	uint64_t v;
	struct rd sub;
};

static bool rd_field(struct rd *r, struct field *f)
{
	uint64_t key;

	if (r->p == r->end)
		return false;
	key = rd_varint(r);
	f->num = (unsigned)(key >> 3);
	f->wire = (unsigned)(key & 7);
	cr_assert_neq(f->num, 0);
	if (f->wire == 0) {
		f->v = rd_varint(r);
	} else {
		cr_assert_eq(f->wire, 2, "field %u: wire type %u", f->num, f->wire);
		f->v = rd_varint(r);
		cr_assert_leq(f->v, (uint64_t)(r->end - r->p), "field %u overruns", f->num);
		f->sub = (struct rd){ r->p, r->p + f->v };
		r->p += f->v;
	}
	return true;
}

struct dsample {
	uint64_t *loc;
	size_t nloc;
	int64_t val[4];
	size_t nval;
};

struct dloc {
	uint64_t id, func_id;
	uint64_t address;	/* 0: none (proto3's default) */
	size_t nlines;
};

struct dfunc {
	uint64_t id;
	int64_t name, sys, file;
};

struct dstr {
	char *s;
	size_t len;
};

struct dprof {
	int64_t st[4][2];
	size_t nst;
	struct dsample *s;
	size_t ns;
	struct dloc *loc;
	size_t nloc;
	struct dfunc *fn;
	size_t nfn;
	struct dstr *str;
	size_t nstr;
	int64_t time_nanos, duration_nanos, period, period_type[2], default_st;
	int64_t comment[4];
	size_t ncomment;
	bool have_period_type;
};

/* arr with room for element n (grown at powers of two). */
static void *grow(void *arr, size_t n, size_t elem)
{
	if ((n & (n - 1)) == 0) {
		arr = realloc(arr, (n ? 2 * n : 1) * elem);
		cr_assert_not_null(arr);
	}
	return arr;
}

/* Append a zeroed element; a pointer to it. */
#define PUSH(arr, n) \
	((arr) = grow((arr), (n), sizeof(*(arr))), memset(&(arr)[n], 0, sizeof(*(arr))), &(arr)[(n)++])

static void dec_vtype(struct rd r, int64_t out[2])
{
	struct field f;

	out[0] = out[1] = 0;
	while (rd_field(&r, &f)) {
		cr_assert_eq(f.wire, 0);
		cr_assert(f.num == 1 || f.num == 2, "ValueType field %u", f.num);
		out[f.num - 1] = (int64_t)f.v;
	}
}

static void dec_sample(struct rd r, struct dsample *s)
{
	struct field f;

	memset(s, 0, sizeof(*s));
	while (rd_field(&r, &f)) {
		/* This writer packs both repeated fields. */
		cr_assert_eq(f.wire, 2, "Sample field %u not packed", f.num);
		if (f.num == 1) {
			while (f.sub.p < f.sub.end)
				*PUSH(s->loc, s->nloc) = rd_varint(&f.sub);
		} else {
			cr_assert_eq(f.num, 2, "Sample field %u", f.num);
			while (f.sub.p < f.sub.end) {
				cr_assert_lt(s->nval, 4);
				s->val[s->nval++] = (int64_t)rd_varint(&f.sub);
			}
		}
	}
}

static void dec_location(struct rd r, struct dloc *l)
{
	struct field f, g;

	memset(l, 0, sizeof(*l));
	while (rd_field(&r, &f)) {
		if (f.num == 1 || f.num == 3) {
			cr_assert_eq(f.wire, 0, "Location field %u", f.num);
			*(f.num == 1 ? &l->id : &l->address) = f.v;
			continue;
		}
		cr_assert_eq(f.num, 4, "Location field %u", f.num);
		l->nlines++;
		while (rd_field(&f.sub, &g)) {
			cr_assert_eq(g.num, 1, "Line field %u", g.num);
			l->func_id = g.v;
		}
	}
}

static void dec_function(struct rd r, struct dfunc *d)
{
	struct field f;

	memset(d, 0, sizeof(*d));
	while (rd_field(&r, &f)) {
		cr_assert_eq(f.wire, 0);
		switch (f.num) {
		case 1: d->id = f.v; break;
		case 2: d->name = (int64_t)f.v; break;
		case 3: d->sys = (int64_t)f.v; break;
		case 4: d->file = (int64_t)f.v; break;
		default: cr_assert_fail("Function field %u", f.num);
		}
	}
}

static void dec_string(struct rd r, struct dstr *s)
{
	s->len = (size_t)(r.end - r.p);
	s->s = malloc(s->len + 1);
	cr_assert_not_null(s->s);
	memcpy(s->s, r.p, s->len);
	s->s[s->len] = '\0';
}

static void dec_profile(const struct blob *b, struct dprof *d)
{
	struct rd r = { b->b, b->b + b->len };
	struct field f;

	memset(d, 0, sizeof(*d));
	while (rd_field(&r, &f)) {
		switch (f.num) {
		case 1: cr_assert_lt(d->nst, 4); dec_vtype(f.sub, d->st[d->nst++]); break;
		case 2: dec_sample(f.sub, PUSH(d->s, d->ns)); break;
		case 4: dec_location(f.sub, PUSH(d->loc, d->nloc)); break;
		case 5: dec_function(f.sub, PUSH(d->fn, d->nfn)); break;
		case 6: dec_string(f.sub, PUSH(d->str, d->nstr)); break;
		case 9: d->time_nanos = (int64_t)f.v; break;
		case 10: d->duration_nanos = (int64_t)f.v; break;
		case 11: dec_vtype(f.sub, d->period_type); d->have_period_type = true; break;
		case 12: d->period = (int64_t)f.v; break;
		case 13: cr_assert_lt(d->ncomment, 4); d->comment[d->ncomment++] = (int64_t)f.v; break;
		case 14: d->default_st = (int64_t)f.v; break;
		default: cr_assert_fail("unexpected Profile field %u", f.num);
		}
	}
}

static void dprof_free(struct dprof *d)
{
	for (size_t i = 0; i < d->ns; i++)
		free(d->s[i].loc);
	for (size_t i = 0; i < d->nstr; i++)
		free(d->str[i].s);
	free(d->s);
	free(d->loc);
	free(d->fn);
	free(d->str);
}

static const char *dstr(const struct dprof *d, int64_t i)
{
	cr_assert(i >= 0 && (size_t)i < d->nstr, "string index %lld of %zu", (long long)i, d->nstr);
	return d->str[i].s;
}

static const struct dfunc *dfunc_of_loc(const struct dprof *d, uint64_t loc_id)
{
	for (size_t i = 0; i < d->nloc; i++) {
		if (d->loc[i].id != loc_id)
			continue;
		cr_assert_eq(d->loc[i].nlines, 1);
		for (size_t j = 0; j < d->nfn; j++)
			if (d->fn[j].id == d->loc[i].func_id)
				return &d->fn[j];
		cr_assert_fail("location %llu: no function %llu", (unsigned long long)loc_id,
			       (unsigned long long)d->loc[i].func_id);
	}
	cr_assert_fail("no location %llu", (unsigned long long)loc_id);
	return NULL;
}

/* A sample's stack as "leaf;caller;...;outermost" (names as decoded). */
static void sample_stack(const struct dprof *d, const struct dsample *s, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->nloc; i++) {
		const char *name = dstr(d, dfunc_of_loc(d, s->loc[i])->name);
		int n = snprintf(buf + o, size - o, "%s%s", i ? ";" : "", name);

		cr_assert(n >= 0 && (size_t)n < size - o, "stack too long");
		o += (size_t)n;
	}
}

/* The strings every profile has, ids unique and non-zero, "" first, no duplicates. */
static void check_common(const struct dprof *d)
{
	cr_assert_geq(d->nstr, 1);
	cr_assert_str_eq(dstr(d, 0), "");
	for (size_t i = 0; i < d->nstr; i++)
		for (size_t j = i + 1; j < d->nstr; j++)
			cr_assert(d->str[i].len != d->str[j].len ||
				  memcmp(d->str[i].s, d->str[j].s, d->str[i].len),
				  "string %zu and %zu are both \"%s\"", i, j, d->str[i].s);
	cr_assert_eq(d->nst, 2);
	cr_assert_str_eq(dstr(d, d->st[0][0]), "samples");
	cr_assert_str_eq(dstr(d, d->st[0][1]), "count");
	cr_assert_str_eq(dstr(d, d->st[1][0]), "cpu");
	cr_assert_str_eq(dstr(d, d->st[1][1]), "nanoseconds");
	cr_assert(d->have_period_type);
	cr_assert_str_eq(dstr(d, d->period_type[0]), "cpu");
	cr_assert_str_eq(dstr(d, d->period_type[1]), "nanoseconds");
	for (size_t i = 0; i < d->nloc; i++) {
		cr_assert_neq(d->loc[i].id, 0);
		for (size_t j = i + 1; j < d->nloc; j++)
			cr_assert_neq(d->loc[i].id, d->loc[j].id);
	}
	for (size_t i = 0; i < d->nfn; i++) {
		cr_assert_neq(d->fn[i].id, 0);
		for (size_t j = i + 1; j < d->nfn; j++)
			cr_assert_neq(d->fn[i].id, d->fn[j].id);
	}
	for (size_t i = 0; i < d->ns; i++)
		cr_assert_eq(d->s[i].nval, 2, "sample %zu has %zu values", i, d->s[i].nval);
}

static void roundtrip(const struct profile *p, const struct pprof_info *info, struct dprof *d)
{
	char path[64];
	struct blob b;

	write_file(p, info, path);
	b = gunzip(path);
	unlink(path);
	dec_profile(&b, d);
	free(b.b);
	check_common(d);
}

/* The decoded sample with this stack, failing when there is none. */
static const struct dsample *find_sample(const struct dprof *d, const char *stack)
{
	static char buf[1 << 16];

	for (size_t i = 0; i < d->ns; i++) {
		sample_stack(d, &d->s[i], buf, sizeof(buf));
		if (!strcmp(buf, stack))
			return &d->s[i];
	}
	cr_assert_fail("no sample %s", stack);
	return NULL;
}

static const struct dfunc *find_func(const struct dprof *d, const char *name)
{
	for (size_t i = 0; i < d->nfn; i++)
		if (!strcmp(dstr(d, d->fn[i].name), name))
			return &d->fn[i];
	cr_assert_fail("no function %s", name);
	return NULL;
}

/* --- the structure, decoded here --- */

Test(pprof, samples_leaf_first_with_counts_and_cpu_time)
{
	struct profile *p = fx_hists();
	struct pprof_info info = {
		.freq_hz = 100, .duration_s = 2.5, .start_unix_ns = 1700000000123456789LL,
		.comment = "app --flag",
	};
	static const struct { const char *stack; int64_t n; } want[] = {
		{ "a;main", 60 }, { "b;main", 30 }, { "a;c;main", 10 },
	};
	struct dprof d;

	roundtrip(p, &info, &d);
	cr_assert_eq(d.ns, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct dsample *s = find_sample(&d, want[i].stack);

		cr_assert_eq(s->val[0], want[i].n, "%s", want[i].stack);
		/* 100 Hz: 10 ms of CPU a sample. */
		cr_assert_eq(s->val[1], want[i].n * 10000000, "%s", want[i].stack);
	}
	cr_assert_eq(d.period, 10000000);
	cr_assert_eq(d.time_nanos, 1700000000123456789LL);
	cr_assert_eq(d.duration_nanos, 2500000000LL);
	cr_assert_eq(d.ncomment, 1);
	cr_assert_str_eq(dstr(&d, d.comment[0]), "app --flag");
	cr_assert_str_eq(dstr(&d, d.default_st), "cpu");
	dprof_free(&d);
	profile_free(p);
}

Test(pprof, one_function_and_location_per_function_named_after_its_module)
{
	struct profile *p = fx_hists();
	struct dprof d;
	size_t nmod = 0;

	roundtrip(p, &(struct pprof_info){ .freq_hz = 99 }, &d);
	cr_assert_eq(d.nfn, 4);
	cr_assert_eq(d.nloc, 4);
	for (size_t i = 0; i < d.nfn; i++) {
		const char *name = dstr(&d, d.fn[i].name);
		uint32_t id = profile_func(p, name, !strcmp(name, "main") ? EXE : MOD);

		cr_assert_lt(id, 4, "%s is not one of the profile's functions", name);
		cr_assert_str_eq(dstr(&d, d.fn[i].sys), name);
		cr_assert_str_eq(dstr(&d, d.fn[i].file), profile_func_module(p, id));
	}
	/* Deduplicated: the module three functions share is one string. */
	for (size_t i = 0; i < d.nstr; i++)
		nmod += !strcmp(d.str[i].s, MOD);
	cr_assert_eq(nmod, 1);
	/* 1e9 / 99 ns, rounded. */
	cr_assert_eq(d.period, 10101010);
	cr_assert_eq(find_sample(&d, "b;main")->val[1], 30 * 10101010LL);
	dprof_free(&d);
	profile_free(p);
}

Test(pprof, functions_never_sampled_are_left_out)
{
	struct profile *p = fx_hists();
	struct dprof d;

	fx_fn(p, "never", MOD);
	roundtrip(p, NULL, &d);
	cr_assert_eq(d.nfn, 4);
	for (size_t i = 0; i < d.nstr; i++)
		cr_assert_str_neq(d.str[i].s, "never");
	dprof_free(&d);
	profile_free(p);
}

/* A function's address in its module is its Location's address, when known. */
Test(pprof, locations_carry_known_addresses)
{
	struct profile *p = fx_hists();
	struct dprof d;
	/* fx_hists's ids: main, a, b, c; b's address stays unknown. */
	static const uint64_t want[] = { 0x1090, 0xffffffff81d35f00, 0, 0x7fe0 };

	profile_func_set_addr(p, 0, 0x1090);
	profile_func_set_addr(p, 1, 0xffffffff81d35f00);
	profile_func_set_addr(p, 3, 0x7fe0);
	roundtrip(p, NULL, &d);
	cr_assert_eq(d.nloc, 4);
	for (size_t i = 0; i < d.nloc; i++) {
		cr_assert_leq(d.loc[i].id, 4);
		cr_assert_eq(d.loc[i].address, want[d.loc[i].id - 1], "location %llu",
			     (unsigned long long)d.loc[i].id);
	}
	dprof_free(&d);
	profile_free(p);
}

Test(pprof, unknown_rate_gives_zero_cpu_and_counts_by_default)
{
	struct profile *p = fx_hists();
	struct dprof d;

	roundtrip(p, &(struct pprof_info){ .freq_hz = 0 }, &d);
	cr_assert_eq(d.period, 0);
	cr_assert_eq(find_sample(&d, "a;main")->val[0], 60);
	cr_assert_eq(find_sample(&d, "a;main")->val[1], 0);
	cr_assert_str_eq(dstr(&d, d.default_st), "samples");
	cr_assert_eq(d.time_nanos, 0);
	cr_assert_eq(d.duration_nanos, 0);
	cr_assert_eq(d.ncomment, 0);
	dprof_free(&d);
	profile_free(p);
}

Test(pprof, names_stay_bytes_but_become_valid_utf8)
{
	struct profile *p = nasty();
	struct dprof d;

	roundtrip(p, &(struct pprof_info){ .freq_hz = 1000 }, &d);
	cr_assert_eq(d.ns, NNASTY);
	for (size_t i = 0; i < NNASTY; i++) {
		char stack[256];
		const struct dfunc *f = find_func(&d, nasty_fixed[i]);

		snprintf(stack, sizeof(stack), "%s;main", nasty_fixed[i]);
		cr_assert_eq(find_sample(&d, stack)->val[0], (int64_t)(10 * (i + 1)));
		cr_assert_str_eq(dstr(&d, f->file), "/opt/\xef\xbf\xbd" "odd module");
	}
	dprof_free(&d);
	profile_free(p);
}

Test(pprof, a_10000_frame_stack_is_one_sample_leaf_first)
{
	struct profile *p = deep();
	struct dprof d;
	char name[32];

	roundtrip(p, &(struct pprof_info){ .freq_hz = 1000 }, &d);
	cr_assert_eq(d.ns, 1);
	cr_assert_eq(d.s[0].nloc, DEEP);
	cr_assert_eq(d.s[0].val[0], 5);
	cr_assert_eq(d.s[0].val[1], 5000000);
	cr_assert_eq(d.nfn, DEEP);
	for (size_t i = 0; i < DEEP; i++) {
		snprintf(name, sizeof(name), "f%zu", DEEP - 1 - i);
		cr_assert_str_eq(dstr(&d, dfunc_of_loc(&d, d.s[0].loc[i])->name), name);
	}
	dprof_free(&d);
	profile_free(p);
}

Test(pprof, empty_profile_is_a_valid_profile)
{
	struct profile *p = profile_new();
	struct dprof d;

	cr_assert_not_null(p);
	fx_fn(p, "unused", MOD);
	/* A sample without a stack is in no call path. */
	fx_add(p, NULL, 0, 3);
	roundtrip(p, &(struct pprof_info){ .freq_hz = 100 }, &d);
	cr_assert_eq(d.ns, 0);
	cr_assert_eq(d.nloc, 0);
	cr_assert_eq(d.nfn, 0);
	cr_assert_eq(d.period, 10000000);
	dprof_free(&d);
	profile_free(p);
}

Test(pprof, the_unnamed_function_is_unknown)
{
	struct profile *p = profile_new();
	struct dprof d;

	cr_assert_not_null(p);
	fx_add(p, (uint32_t[]){ fx_fn(p, "", MOD), fx_fn(p, "main", EXE) }, 2, 4);
	roundtrip(p, NULL, &d);
	cr_assert_eq(find_sample(&d, "[unknown];main")->val[0], 4);
	dprof_free(&d);
	profile_free(p);
}

Test(pprof, write_error_is_eio)
{
	struct profile *p = deep();
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		cr_skip_test("no /dev/full");
	cr_assert_eq(pprof_write(f, p, NULL), -EIO);
	fclose(f);
	profile_free(p);
}

/* --- go tool pprof reads it --- */

static bool have_go(void)
{
	return system("go version >/dev/null 2>&1") == 0;
}

/* Run `go tool pprof ARGS FILE`; its stdout, NUL-terminated (free it). */
static char *go_pprof(const char *args, const char *path)
{
	char cmd[512];
	char *out = NULL;
	size_t len = 0, n;
	FILE *mem = open_memstream(&out, &len), *pipe;
	char buf[4096];

	cr_assert_not_null(mem);
	snprintf(cmd, sizeof(cmd), "go tool pprof %s '%s' 2>/dev/null", args, path);
	pipe = popen(cmd, "r");
	cr_assert_not_null(pipe);
	while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0)
		fwrite(buf, 1, n, mem);
	cr_assert_eq(pclose(pipe), 0, "%s failed", cmd);
	cr_assert_eq(fclose(mem), 0);
	return out;
}

struct top_row {
	double flat, cum;
	bool seen;
};

/* flat% and cum% of `name` in -top output; seen false when it is not listed. */
static struct top_row top_row(const char *out, const char *name)
{
	struct top_row r = { 0, 0, false };
	const char *line = out;

	for (; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		int off = -1;
		double flat, cum;

		if (sscanf(line, "%*s %lf%% %*f%% %*s %lf%% %n", &flat, &cum, &off) < 2 || off < 0)
			continue;
		if (len - (size_t)off == strlen(name) && !memcmp(line + off, name, strlen(name))) {
			cr_assert_not(r.seen, "%s listed twice", name);
			r = (struct top_row){ flat, cum, true };
		}
	}
	return r;
}

static void expect_top(const char *out, const char *name, double flat, double cum)
{
	struct top_row r = top_row(out, name);

	cr_assert(r.seen, "%s not in:\n%s", name, out);
	cr_assert_float_eq(r.flat, flat, 0.005, "%s flat %.2f, want %.2f", name, r.flat, flat);
	cr_assert_float_eq(r.cum, cum, 0.005, "%s cum %.2f, want %.2f", name, r.cum, cum);
}

/* Every row of profile_hot against -top: flat is self%, cum is total%. */
static void expect_top_matches(const struct profile *p, const char *out)
{
	struct prof_row *rows;
	long n = profile_hot(p, PROF_SORT_SELF, &rows);
	double all = (double)profile_stats_const(p)->samples;
	char name[256];

	cr_assert_gt(n, 0);
	for (long i = 0; i < n; i++) {
		const char *raw = profile_func_name(p, rows[i].func);

		/* The fixed spelling, which is what pprof shows. */
		snprintf(name, sizeof(name), "%s", raw);
		for (size_t k = 0; k < NNASTY; k++)
			if (!strcmp(raw, nasty_raw[k]))
				snprintf(name, sizeof(name), "%s", nasty_fixed[k]);
		expect_top(out, name, 100.0 * (double)rows[i].self / all,
			   100.0 * (double)rows[i].total / all);
	}
	free(rows);
}

Test(pprof, go_tool_pprof_top_shows_the_split)
{
	struct profile *p = fx_hists();
	char path[64], *out;

	if (!have_go())
		cr_skip_test("go not installed");
	write_file(p, &(struct pprof_info){ .freq_hz = 100, .duration_s = 1 }, path);
	out = go_pprof("-top -nodecount=50", path);
	expect_top(out, "a", 70.0, 70.0);
	expect_top(out, "b", 30.0, 30.0);
	expect_top(out, "main", 0.0, 100.0);
	expect_top(out, "c", 0.0, 10.0);
	expect_top_matches(p, out);
	cr_assert(strstr(out, "Type: cpu"), "%s", out);
	free(out);
	/* The count, the other sample type, gives the same percentages. */
	out = go_pprof("-top -nodecount=50 -sample_index=samples", path);
	expect_top(out, "a", 70.0, 70.0);
	free(out);
	unlink(path);
	profile_free(p);
}

/* Whether -raw output has a location line with this address and function. */
static bool raw_location(const char *out, const char *addr, const char *name)
{
	char a[64], m[8], fn[64];

	for (const char *line = out; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (sscanf(line, "%*u: %63s %7[^=]=%*u %63s", a, m, fn) == 3 && !strcmp(m, "M") &&
		    !strcmp(a, addr) && !strcmp(fn, name))
			return true;
	return false;
}

/* Addresses without a Mapping: pprof keeps them and still groups by function. */
Test(pprof, go_tool_pprof_reads_locations_with_addresses)
{
	struct profile *p = fx_hists();
	char path[64], *out;

	if (!have_go())
		cr_skip_test("go not installed");
	profile_func_set_addr(p, 0, 0x1090);
	profile_func_set_addr(p, 1, 0x1260);
	profile_func_set_addr(p, 3, 0xffffffff81d35f00);
	write_file(p, &(struct pprof_info){ .freq_hz = 100 }, path);
	out = go_pprof("-top -nodecount=50", path);
	expect_top(out, "a", 70.0, 70.0);
	expect_top(out, "main", 0.0, 100.0);
	expect_top_matches(p, out);
	free(out);
	/* -raw lists "ID: ADDRESS M=MAPPING NAME FILE:LINE"; pprof makes up
	 * a mapping of its own for locations without one. */
	out = go_pprof("-raw", path);
	cr_assert(raw_location(out, "0x1260", "a"), "%s", out);
	cr_assert(raw_location(out, "0x1090", "main"), "%s", out);
	cr_assert(raw_location(out, "0xffffffff81d35f00", "c"), "%s", out);
	cr_assert(raw_location(out, "0x0", "b"), "%s", out);
	free(out);
	unlink(path);
	profile_free(p);
}

Test(pprof, go_tool_pprof_reads_nasty_names)
{
	struct profile *p = nasty();
	char path[64], *out;

	if (!have_go())
		cr_skip_test("go not installed");
	write_file(p, &(struct pprof_info){ .freq_hz = 1000 }, path);
	out = go_pprof("-top -nodecount=50", path);
	expect_top_matches(p, out);
	free(out);
	unlink(path);
	profile_free(p);
}

/* -traces: the stacks, each a "-----------+" rule then leaf first, one frame a line. */
static size_t traces(const char *out, char stacks[][64], size_t max, size_t *deepest)
{
	size_t n = 0, depth = 0;
	bool in = false;

	*deepest = 0;
	for (const char *line = out; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);

		if (!strncmp(line, "-----------+", 12)) {
			in = true;
			depth = 0;
			if (n < max)
				stacks[n][0] = '\0';
			n++;
		} else if (in && len > 13) {
			/* A frame: 10 columns of value, 3 spaces, the name. */
			if (n - 1 < max) {
				size_t o = strlen(stacks[n - 1]);

				snprintf(stacks[n - 1] + o, 64 - o, "%s%.*s", depth ? ";" : "",
					 (int)(len - 13), line + 13);
			}
			if (++depth > *deepest)
				*deepest = depth;
		}
		line = eol ? eol + 1 : NULL;
	}
	/* The last rule closes the last stack. */
	return n ? n - 1 : 0;
}

Test(pprof, go_tool_pprof_traces_are_leaf_first)
{
	struct profile *p = fx_hists();
	char path[64], *out, stacks[8][64];
	size_t n, deepest;
	bool seen[3] = { false, false, false };
	static const char *const want[] = { "a;main", "b;main", "a;c;main" };

	if (!have_go())
		cr_skip_test("go not installed");
	write_file(p, &(struct pprof_info){ .freq_hz = 100 }, path);
	out = go_pprof("-traces", path);
	n = traces(out, stacks, 8, &deepest);
	cr_assert_eq(n, 3, "%s", out);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < 3; k++)
			seen[k] |= !strcmp(stacks[i], want[k]);
	for (size_t k = 0; k < 3; k++)
		cr_assert(seen[k], "no trace %s in:\n%s", want[k], out);
	free(out);
	unlink(path);
	profile_free(p);
}

Test(pprof, go_tool_pprof_reads_a_10000_frame_stack)
{
	struct profile *p = deep();
	char path[64], *out, stacks[2][64];
	size_t deepest;

	if (!have_go())
		cr_skip_test("go not installed");
	write_file(p, &(struct pprof_info){ .freq_hz = 1000 }, path);
	out = go_pprof("-traces", path);
	cr_assert_eq(traces(out, stacks, 2, &deepest), 1);
	cr_assert_eq(deepest, DEEP);
	cr_assert(!strncmp(stacks[0], "f9999;f9998;", 12), "%s", stacks[0]);
	free(out);
	out = go_pprof("-top -nodecount=50", path);
	expect_top(out, "f9999", 100.0, 100.0);
	free(out);
	unlink(path);
	profile_free(p);
}

Test(pprof, go_tool_pprof_reads_an_empty_profile)
{
	struct profile *p = profile_new();
	char path[64], *out;

	cr_assert_not_null(p);
	if (!have_go())
		cr_skip_test("go not installed");
	write_file(p, NULL, path);
	out = go_pprof("-top", path);
	cr_assert(strstr(out, "0 total"), "%s", out);
	free(out);
	unlink(path);
	profile_free(p);
}
