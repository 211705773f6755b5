/* test_snapshot.c — snapshots: exact round trips, and bad input refused with its line number. */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "proftui/prochist.h"
#include "proftui/profile.h"
#include "proftui/report.h"
#include "proftui/snapshot.h"

#define DEEP 10000

/* Names a terminal or a line-oriented format would choke on. */
static const char *const weird[] = {
	"main", "tab\there", "new\nline", "back\\slash", "\\x41 not an escape",
	"\x1b[31mred\x1b[0m", "bad utf8 \xff\xfe\xc3", "del\x7f", "semi;colon", "cr\r",
	"", "caf\xc3\xa9", "\x01\x02\x1f",
};
#define NWEIRD (sizeof(weird) / sizeof(weird[0]))

struct mem {
	FILE *f;
	char *buf;
	size_t len;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	cr_assert_not_null(m->f);
}

static void mem_close(struct mem *m)
{
	cr_assert_eq(fclose(m->f), 0);
}

static uint32_t fn(struct profile *p, const char *name, const char *module)
{
	uint32_t id = profile_func(p, name, module);

	cr_assert_neq(id, UINT32_MAX);
	return id;
}

static void add(struct profile *p, uint32_t tid, const uint32_t *f, size_t n, uint64_t w)
{
	cr_assert_eq(profile_add_sample(p, tid, f, n, w, 1000 + w), 0);
}

static void fill_stats(struct profile *p)
{
	struct prof_stats *st = profile_stats(p);

	st->lost_kernel = 3;
	st->throttled = 4;
	st->dropped_ring = 5;
	st->unwind_failed = 6;
	st->foreign = 7;
	st->refused = 8;
	st->first_ns = 123456789;
	st->last_ns = UINT64_MAX;
	for (int i = 0; i < UWS__COUNT; i++)
		st->by_status[i] = 100 + (uint64_t)i;
	for (int i = 0; i < CPU__COUNT; i++)
		st->by_cpu_state[i] = 200 + (uint64_t)i;
	for (int i = 0; i < PYS__COUNT; i++)
		st->py_by_status[i] = 300 + (uint64_t)i;
}

/* Small: threads, weird names, recursion, samples without frames. */
static struct profile *small_profile(void)
{
	struct profile *p = profile_new();
	uint32_t f[NWEIRD];

	cr_assert_not_null(p);
	for (size_t i = 0; i < NWEIRD; i++)
		f[i] = fn(p, weird[i], i % 2 ? "/usr/lib/lib\tweird\n.so" : "/usr/bin/app");
	/* Addresses: 0, everyday ones, the largest there is, and some unknown. */
	profile_func_set_addr(p, f[0], 0x1090);
	profile_func_set_addr(p, f[1], 0);
	profile_func_set_addr(p, f[2], 0xffffffff81d35f00);
	profile_func_set_addr(p, f[4], UINT64_MAX - 1);
	for (size_t i = 6; i < NWEIRD; i += 2)
		profile_func_set_addr(p, f[i], 0x4000 + 0x10 * i);
	profile_func_set_addr(p, fn(p, "never sampled", "/usr/lib/libz.so"), 0x27280);
	profile_thread_name(p, 100, "main");
	profile_thread_name(p, 101, "worker\t1");
	profile_thread_name(p, 102, "\x1b]0;evil\x07");
	profile_thread_name(p, 200, "named, idle");
	add(p, 100, (uint32_t[]){ f[1], f[0] }, 2, 60);
	add(p, 101, (uint32_t[]){ f[2], f[1], f[0] }, 3, 30);
	add(p, 102, (uint32_t[]){ f[3], f[3], f[0] }, 3, 10);
	add(p, 103, (uint32_t[]){ f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12] }, 9, 7);
	add(p, 100, (uint32_t[]){ f[0] }, 1, 2);
	add(p, 101, NULL, 0, 5);
	add(p, 104, NULL, 0, 1);
	fill_stats(p);
	return p;
}

/* The small profile plus a DEEP-frame recursive stack. */
static struct profile *big_profile(void)
{
	struct profile *p = small_profile();
	uint32_t *deep = malloc(DEEP * sizeof(*deep));
	uint32_t r = fn(p, "recurse", "/usr/bin/app"), m = fn(p, "main", "/usr/bin/app");

	cr_assert_not_null(deep);
	for (size_t i = 0; i < DEEP; i++)
		deep[i] = i == DEEP - 1 ? m : r;
	add(p, 101, deep, DEEP, 4);
	add(p, 100, deep, DEEP / 2, 3);
	free(deep);
	return p;
}

static struct procstat reading(uint64_t i)
{
	struct procstat ps;

	memset(&ps, 0, sizeof(ps));
	ps.time_ns = 1000000000 * (i + 1);
	ps.utime_ns = 500000000 * i + 1;
	ps.stime_ns = 100000000 * i + 2;
	ps.rss_bytes = 4096 * (i + 10);
	ps.vsize_bytes = UINT64_MAX - i;
	ps.swap_bytes = i;
	ps.minflt = 10 * i;
	ps.majflt = i / 3;
	ps.read_bytes = 512 * i;
	ps.write_bytes = 1024 * i;
	ps.vol_cs = 7 * i;
	ps.invol_cs = 3 * i;
	ps.nthreads = (uint32_t)(i % 9 + 1);
	ps.flags = i % 2 ? PROCSTAT_IO_KNOWN : PROCSTAT_THREADS_PARTIAL;
	for (int s = 0; s < PROCSTAT__NSTATES; s++)
		ps.states[s] = (uint32_t)(i + (uint64_t)s);
	ps.states[PROCSTAT_OTHER] = UINT32_MAX;
	return ps;
}

static struct prochist *history(size_t n)
{
	struct prochist *h = prochist_new();

	cr_assert_not_null(h);
	for (size_t i = 0; i < n; i++) {
		struct procstat ps = reading(i);

		prochist_add(h, &ps);
	}
	return h;
}

static const struct snap_meta meta = {
	.target = "./app --flag \"quoted\"\ttab\nnewline \x1b[2J",
	.pid = 4242,
	.host = "h\xffst",
	.kernel = "6.1.0-13-amd64",
	.method = "perf",
	.version = "0.1.0",
	.freq_hz = 999.5,
	.duration_s = 0.1,
	.start_unix = -17,
};

static void write_snap(struct mem *m, const struct profile *p, const struct snap_meta *me,
		       const struct prochist *h)
{
	mem_open(m);
	cr_assert_eq(snapshot_write(m->f, p, me, h), 0);
	mem_close(m);
}

static struct snapshot *parse_ok(const char *buf, size_t len)
{
	struct snapshot *s = NULL;
	char err[512];
	int rc = snapshot_parse(buf, len, "t", &s, err, sizeof(err));

	cr_assert_eq(rc, 0, "parse failed (%d): %s", rc, err);
	cr_assert_not_null(s);
	cr_assert_not_null(s->prof);
	cr_assert_not_null(s->hist);
	return s;
}

static char *folded(const struct profile *p)
{
	struct mem m;

	mem_open(&m);
	cr_assert_eq(report_folded(m.f, p), 0);
	mem_close(&m);
	return m.buf;
}

static void same_hot(const struct profile *a, const struct profile *b)
{
	for (int sort = PROF_SORT_SELF; sort <= PROF_SORT_MODULE; sort++) {
		struct prof_row *ra, *rb;
		long na = profile_hot(a, sort, &ra), nb = profile_hot(b, sort, &rb);

		cr_assert_gt(na, 0);
		cr_assert_eq(na, nb);
		for (long i = 0; i < na; i++) {
			cr_assert_eq(ra[i].func, rb[i].func, "sort %d row %ld", sort, i);
			cr_assert_eq(ra[i].self, rb[i].self);
			cr_assert_eq(ra[i].total, rb[i].total);
		}
		free(ra);
		free(rb);
	}
}

static void same_profile(const struct profile *a, const struct profile *b)
{
	size_t na, nb;
	const struct prof_thread *ta = profile_threads(a, &na), *tb = profile_threads(b, &nb);
	char *fa = folded(a), *fb = folded(b);

	cr_assert_eq(profile_nfuncs(a), profile_nfuncs(b));
	for (uint32_t i = 0; i < profile_nfuncs(a); i++) {
		cr_assert_str_eq(profile_func_name(a, i), profile_func_name(b, i));
		cr_assert_str_eq(profile_func_module(a, i), profile_func_module(b, i));
		cr_assert_eq(profile_func_addr(a, i), profile_func_addr(b, i), "func %u", i);
	}
	same_hot(a, b);
	cr_assert_gt(strlen(fa), 0);
	cr_assert_str_eq(fa, fb);
	cr_assert_eq(memcmp(profile_stats_const(a), profile_stats_const(b),
			    sizeof(struct prof_stats)), 0, "stats differ");
	cr_assert_eq(profile_node(a, 0)->total, profile_node(b, 0)->total);
	cr_assert_eq(na, nb);
	for (size_t i = 0; i < na; i++) {
		cr_assert_eq(ta[i].tid, tb[i].tid);
		cr_assert_eq(ta[i].samples, tb[i].samples, "thread %u", ta[i].tid);
		cr_assert_str_eq(ta[i].name, tb[i].name);
	}
	free(fa);
	free(fb);
}

static void same_meta(const struct snap_meta *a, const struct snap_meta *b)
{
	cr_assert_str_eq(a->target, b->target);
	cr_assert_str_eq(a->host, b->host);
	cr_assert_str_eq(a->kernel, b->kernel);
	cr_assert_str_eq(a->method, b->method);
	cr_assert_str_eq(a->version, b->version);
	cr_assert_eq(a->pid, b->pid);
	cr_assert(a->freq_hz == b->freq_hz, "%.17g != %.17g", a->freq_hz, b->freq_hz);
	cr_assert(a->duration_s == b->duration_s);
	cr_assert_eq(a->start_unix, b->start_unix);
}

static void same_history(const struct prochist *a, const struct prochist *b)
{
	cr_assert_eq(prochist_count(a), prochist_count(b));
	for (size_t i = 0; i < prochist_count(a); i++)
		cr_assert_eq(memcmp(prochist_at(a, i), prochist_at(b, i), sizeof(struct procstat)),
			     0, "reading %zu", i);
	cr_assert_eq(memcmp(prochist_first(a), prochist_first(b), sizeof(struct procstat)), 0);
}

Test(snapshot, round_trip_is_exact)
{
	struct profile *p = big_profile();
	struct prochist *h = history(5);
	struct mem m, again;
	struct snapshot *s;

	write_snap(&m, p, &meta, h);
	cr_assert_eq(strncmp(m.buf, "proftui-snapshot 2\n", 19), 0);
	s = parse_ok(m.buf, m.len);
	cr_assert_eq(s->format_version, 2);
	same_profile(p, s->prof);
	same_meta(&meta, &s->meta);
	same_history(h, s->hist);
	/* Samples without frames survive as the surplus over the root. */
	cr_assert_eq(profile_stats_const(s->prof)->samples - profile_node(s->prof, 0)->total, 6);

	/* Writing what was loaded gives the same bytes: nothing drifted. */
	write_snap(&again, s->prof, &s->meta, s->hist);
	cr_assert_eq(again.len, m.len);
	cr_assert_eq(memcmp(again.buf, m.buf, m.len), 0);
	free(again.buf);
	free(m.buf);
	snapshot_free(s);
	prochist_free(h);
	profile_free(p);
}

Test(snapshot, file_has_no_raw_control_bytes_and_escapes_names)
{
	struct profile *p = small_profile();
	struct mem m;

	write_snap(&m, p, &meta, NULL);
	for (size_t i = 0; i < m.len; i++) {
		unsigned char c = (unsigned char)m.buf[i];

		cr_assert(c >= 0x20 ? c != 0x7f : (c == '\t' || c == '\n'), "byte 0x%02x at %zu",
			  c, i);
	}
	cr_assert_not_null(strstr(m.buf, "\nfunc\t1\t/usr/lib/lib\\tweird\\n.so\t0x0\t"
				  "tab\\there\n"));
	/* Addresses: lowercase hex without leading zeros, "-" when unknown. */
	cr_assert_not_null(strstr(m.buf, "\nfunc\t0\t/usr/bin/app\t0x1090\tmain\n"));
	cr_assert_not_null(strstr(m.buf, "\nfunc\t2\t/usr/bin/app\t0xffffffff81d35f00\t"
				  "new\\nline\n"));
	cr_assert_not_null(strstr(m.buf, "\nfunc\t3\t/usr/lib/lib\\tweird\\n.so\t-\t"
				  "back\\\\slash\n"));
	cr_assert_not_null(strstr(m.buf, "\nfunc\t4\t/usr/bin/app\t0xfffffffffffffffe\t"));
	cr_assert_not_null(strstr(m.buf, "\tback\\\\slash\n"));
	cr_assert_not_null(strstr(m.buf, "\t\\x1b[31mred\\x1b[0m\n"));
	cr_assert_not_null(strstr(m.buf, "\tdel\\x7f\n"));
	cr_assert_not_null(strstr(m.buf, "\tbad utf8 \xff\xfe\xc3\n"));
	cr_assert_not_null(strstr(m.buf, "\nthread\t102\t10\t\\x1b]0;evil\\x07\n"));
	cr_assert_not_null(strstr(m.buf, "\nthread\t200\t0\tnamed, idle\n"));
	cr_assert_not_null(strstr(m.buf, "\nstat\tunwind.no_user\t105\n"));
	cr_assert_not_null(strstr(m.buf, "\nstack\t60\t0\t0;1\n"));
	cr_assert_not_null(strstr(m.buf, "\nstack\t6\t0\t\n"), "stackless samples line");
	cr_assert_not_null(strstr(m.buf, "\nmeta\tstart_unix\t-17\n"));
	cr_assert_not_null(strstr(m.buf, "\nmeta\tfreq_hz\t999.5\n"));
	cr_assert_eq(strstr(m.buf, "\nproc"), NULL);
	free(m.buf);
	profile_free(p);
}

Test(snapshot, empty_profile_and_no_meta_round_trip)
{
	struct profile *p = profile_new();
	struct mem m;
	struct snapshot *s;

	cr_assert_not_null(p);
	write_snap(&m, p, NULL, NULL);
	s = parse_ok(m.buf, m.len);
	cr_assert_eq(profile_nfuncs(s->prof), 0);
	cr_assert_eq(profile_stats_const(s->prof)->samples, 0);
	cr_assert_null(s->meta.target);
	cr_assert_null(s->meta.method);
	cr_assert_eq(s->meta.pid, 0);
	cr_assert_eq(prochist_count(s->hist), 0);
	cr_assert_null(prochist_first(s->hist));
	free(m.buf);
	snapshot_free(s);
	profile_free(p);
}

Test(snapshot, session_first_reading_survives_a_full_history)
{
	struct profile *p = small_profile();
	struct prochist *h = history(PROCHIST_LEN + 10);
	struct mem m;
	struct snapshot *s;
	struct prochist_rates ra, rb;

	write_snap(&m, p, &meta, h);
	cr_assert_not_null(strstr(m.buf, "\nprocfirst\ttime_ns=1000000000\t"));
	s = parse_ok(m.buf, m.len);
	same_history(h, s->hist);
	cr_assert_eq(prochist_first(s->hist)->time_ns, 1000000000);
	cr_assert(prochist_session(s->hist, &rb));
	cr_assert(prochist_session(h, &ra));
	cr_assert(ra.seconds == rb.seconds && ra.user_pct == rb.user_pct);
	free(m.buf);
	snapshot_free(s);
	prochist_free(h);
	profile_free(p);
}

Test(snapshot, crlf_file_loads_the_same)
{
	struct profile *p = small_profile();
	struct mem m;
	struct snapshot *s;
	char *crlf = malloc(2 * 65536);
	size_t n = 0;

	write_snap(&m, p, &meta, NULL);
	cr_assert_not_null(crlf);
	cr_assert_lt(2 * m.len, 2 * 65536);
	for (size_t i = 0; i < m.len; i++) {
		if (m.buf[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = m.buf[i];
	}
	s = parse_ok(crlf, n);
	same_profile(p, s->prof);
	same_meta(&meta, &s->meta);
	snapshot_free(s);
	free(crlf);
	free(m.buf);
	profile_free(p);
}

Test(snapshot, every_truncation_fails_with_a_line_number)
{
	struct profile *p = small_profile();
	struct prochist *h = history(3);
	struct mem m;
	char err[512];

	write_snap(&m, p, &meta, h);
	for (size_t cut = 0; cut < m.len; cut++) {
		struct snapshot *s = (struct snapshot *)&err;
		/* A copy of exactly `cut` bytes, so ASan sees any read past it. */
		char *copy = malloc(cut ? cut : 1);
		int rc;

		cr_assert_not_null(copy);
		memcpy(copy, m.buf, cut);
		err[0] = '\0';
		rc = snapshot_parse(copy, cut, "t", &s, err, sizeof(err));
		cr_assert_lt(rc, 0, "a file cut at %zu of %zu bytes loaded", cut, m.len);
		cr_assert_null(s);
		cr_assert_eq(strncmp(err, "snapshot t: line ", 17), 0, "cut %zu: '%s'", cut, err);
		cr_assert_null(strchr(err, '\n'));
		free(copy);
	}
	free(m.buf);
	prochist_free(h);
	profile_free(p);
}

/* Parse "proftui-snapshot VERSION\n" + body + "end\t<records>\n"; body lines end in '\n'. */
static int parse_version(int version, const char *body, struct snapshot **s, char *err,
			 size_t errlen)
{
	size_t records = 0, len;
	char *doc;
	int rc;

	for (const char *c = body; *c; c++)
		records += *c == '\n';
	len = strlen(body) + 64;
	doc = malloc(len);
	cr_assert_not_null(doc);
	snprintf(doc, len, "proftui-snapshot %d\n%send\t%zu\n", version, body, records);
	rc = snapshot_parse(doc, strlen(doc), "t.snap", s, err, errlen);
	free(doc);
	return rc;
}

/* body in a file of `version` must fail with err containing "line LINE: " and want. */
static void refused_v(int version, const char *body, int line, const char *want)
{
	struct snapshot *s = NULL;
	char err[512], where[64];
	int rc = parse_version(version, body, &s, err, sizeof(err));

	cr_assert_lt(rc, 0, "loaded: %s", body);
	cr_assert_null(s);
	snprintf(where, sizeof(where), "snapshot t.snap: line %d: ", line);
	cr_assert_eq(strncmp(err, where, strlen(where)), 0, "'%s' lacks '%s'", err, where);
	cr_assert_not_null(strstr(err, want), "'%s' lacks '%s'", err, want);
}

/* Most checks are about records version 2 kept as they were: written as 1. */
static void refused(const char *body, int line, const char *want)
{
	refused_v(1, body, line, want);
}

/* A string literal and its length, NULs inside included. */
#define RAW(lit) lit, sizeof(lit) - 1

static void refused_raw(const char *doc, size_t len, int line, const char *want)
{
	struct snapshot *s = NULL;
	char err[512], where[64];
	int rc = snapshot_parse(doc, len, "t.snap", &s, err, sizeof(err));

	cr_assert_lt(rc, 0);
	cr_assert_null(s);
	snprintf(where, sizeof(where), "snapshot t.snap: line %d: ", line);
	cr_assert_eq(strncmp(err, where, strlen(where)), 0, "'%s' lacks '%s'", err, where);
	cr_assert_not_null(strstr(err, want), "'%s' lacks '%s'", err, want);
}

static struct snapshot *loaded_v(int version, const char *body)
{
	struct snapshot *s = NULL;
	char err[512];
	int rc = parse_version(version, body, &s, err, sizeof(err));

	cr_assert_eq(rc, 0, "refused (%d): %s", rc, err);
	cr_assert_eq(s->format_version, (unsigned)version);
	return s;
}

static struct snapshot *loaded(const char *body)
{
	return loaded_v(1, body);
}

Test(snapshot, magic_and_version)
{
	refused_raw(RAW("hello\n"), 1, "not a proftui snapshot");
	refused_raw(RAW(""), 1, "empty file");
	refused_raw(RAW("proftui-snapshot 3\nend\t0\n"), 1,
		    "made by a newer proftui: format 3, this reads 2");
	refused_raw(RAW("proftui-snapshot 99999999999999999999999\n"), 1,
		    "made by a newer proftui");
	refused_raw(RAW("proftui-snapshot 0\n"), 1, "format 0 is not one this proftui reads"
		    " (it reads 1 to 2)");
	refused_raw(RAW("proftui-snapshot 1.5\n"), 1, "bad format version '1.5'");
	refused_raw(RAW("proftui-snapshot\t1\n"), 1, "not a proftui snapshot");
	refused_raw(RAW("\xef\xbb\xbfproftui-snapshot 1\n"), 1, "not a proftui snapshot");
}

Test(snapshot, end_line_catches_damage)
{
	refused_raw(RAW("proftui-snapshot 1\n"), 2, "no end line");
	refused_raw(RAW("proftui-snapshot 1\nend\t0"), 2, "no newline");
	refused_raw(RAW("proftui-snapshot 1\nmeta\tpid\t1\nend\t2\n"), 3,
		    "end line counts 2 records but 1");
	refused_raw(RAW("proftui-snapshot 1\nend\t0\nmeta\tpid\t1\n"), 3, "after the end line");
	refused_raw(RAW("proftui-snapshot 1\nend\t0\n\n"), 3, "after the end line");
	refused_raw(RAW("proftui-snapshot 1\nend\t-1\n"), 2, "not a decimal number");
	refused("\n", 2, "empty line");
}

Test(snapshot, numbers_are_strict)
{
	refused("stat\tsamples\t18446744073709551616\n", 2, "out of range");
	refused("stat\tsamples\t99999999999999999999999999\n", 2, "out of range");
	refused("stat\tsamples\t+5\n", 2, "not a decimal number");
	refused("stat\tsamples\t-5\n", 2, "not a decimal number");
	refused("stat\tsamples\t 5\n", 2, "not a decimal number");
	refused("stat\tsamples\t5x\n", 2, "'5x' is not a decimal number");
	refused("stat\tsamples\t\n", 2, "not a decimal number");
	refused("stat\tsamples\t0x10\n", 2, "not a decimal number");
	refused("meta\tpid\t4294967296\n", 2, "out of range");
	refused("meta\tfreq_hz\tinf\n", 2, "not a plain decimal number");
	refused("meta\tfreq_hz\tnan\n", 2, "not a plain decimal number");
	refused("meta\tfreq_hz\t-1\n", 2, "not a plain decimal number");
	refused("meta\tfreq_hz\t1e999\n", 2, "out of range");
	refused("meta\tduration_s\t1e\n", 2, "not a plain decimal number");
	refused("meta\tduration_s\t1.5.2\n", 2, "not a plain decimal number");
	refused("meta\tduration_s\t0x1p3\n", 2, "not a plain decimal number");
}

Test(snapshot, number_edges_that_load)
{
	struct snapshot *s = loaded("meta\tpid\t4294967295\n"
				    "meta\tstart_unix\t-9223372036854775808\n"
				    "meta\tfreq_hz\t1e3\nmeta\tduration_s\t.5\n"
				    "stat\tlast_ns\t18446744073709551615\n");

	cr_assert_eq(s->meta.pid, UINT32_MAX);
	cr_assert_eq(s->meta.start_unix, INT64_MIN);
	cr_assert(s->meta.freq_hz == 1000.0);
	cr_assert(s->meta.duration_s == 0.5);
	cr_assert_eq(profile_stats_const(s->prof)->last_ns, UINT64_MAX);
	snapshot_free(s);
	refused("meta\tstart_unix\t-9223372036854775809\n", 2, "out of range");
	refused("meta\tstart_unix\t9223372036854775808\n", 2, "out of range");
}

Test(snapshot, strings_and_bytes)
{
	struct snapshot *s = loaded("meta\ttarget\ta\\\\b\\tc\\nd\\re\\x1B\\x7f\xff\n");

	cr_assert_str_eq(s->meta.target, "a\\b\tc\nd\re\x1b\x7f\xff");
	snapshot_free(s);
	refused("meta\ttarget\tbad \\q\n", 2, "unknown escape '\\q'");
	refused("meta\ttarget\tcut \\x4\n", 2, "without two hex digits");
	refused("meta\ttarget\tcut \\xg0\n", 2, "without two hex digits");
	refused("meta\ttarget\tnul \\x00 inside\n", 2, "escaped NUL");
	refused("meta\ttarget\tends in \\\n", 2, "lone backslash");
	refused("meta\ttarget\traw \x1b[31m\n", 2, "raw control byte 0x1b at column 17");
	refused("meta\ttarget\tdel\x7f\n", 2, "raw control byte 0x7f");
	refused("meta\ttarget\tcr\rin the middle\n", 2, "raw control byte 0x0d");
	refused_raw(RAW("proftui-snapshot 1\nmeta\ttarget\ta\0b\nend\t1\n"), 2,
		    "NUL byte at column 14");
	refused("meta\ttarget\n", 2, "meta line with 2 tab-separated fields instead of 3");
	refused("meta\ttarget\ta\tb\n", 2, "more than 3");
	refused("meta\ttarget\ta\nmeta\ttarget\tb\n", 3, "meta target given twice");
}

Test(snapshot, forward_compatible_parts_are_skipped)
{
	struct snapshot *s = loaded("meta\tcolour\tblue\nstat\tnew_counter\t5\n"
				    "x-annotation\tanything\\q\tat all\n"
				    "proc\ttime_ns=5\tfuture=whatever\n");

	cr_assert_eq(prochist_count(s->hist), 1);
	cr_assert_eq(prochist_latest(s->hist)->time_ns, 5);
	snapshot_free(s);
	refused("bogus\t1\n", 2, "unknown record 'bogus'");
	refused("x-\t1\n", 2, "unknown record 'x-'");
	refused("\x1b[2J\t1\n", 2, "raw control byte");
	refused("r\xc3\xa9" "cord\n", 2, "unknown record 'r\xc3\xa9" "cord'");
}

Test(snapshot, funcs_and_stacks_checked)
{
	refused("func\t1\tm\tf\n", 2, "func 1 out of order");
	refused("func\t0\tm\tf\nfunc\t0\tm\tg\n", 3, "func 0 defined twice");
	refused("func\t0\tm\tf\nfunc\t1\tm\tf\n", 3, "func 1 repeats func 0");
	refused("func\t0\tm\tf\nstack\t1\t0\t0;5\n", 3, "stack uses func 5");
	refused("stack\t1\t0\t0\nfunc\t0\tm\tf\n", 2, "stack uses func 0");
	refused("func\t0\tm\tf\nstack\t1\t0\t0;;0\n", 3, "not a decimal number");
	refused("func\t0\tm\tf\nstack\t1\t0\t0;\n", 3, "not a decimal number");
	refused("func\t0\tm\tf\nstack\t0\t0\t0\n", 3, "count of 0");
	refused("func\t0\tm\tf\nstack\t18446744073709551615\t0\t0\nstack\t1\t0\t0\n", 4,
		"past 2^64");
	refused("func\t0\tm\tf\nstack\t1\t7\t0\n", 3, "thread 7, which has no thread line");
	refused("func\t0\tm\tf\nstat\tsamples\t1\nstack\t2\t0\t0\n", 3,
		"stat samples 1 is less than the 2 samples");
}

/* Version 2: func lines carry the function's address in its module. */
Test(snapshot, v2_func_addresses_round_trip)
{
	struct snapshot *s = loaded_v(2, "func\t0\tsplit\t0x1260\tfunc_a\n"
				      "func\t1\tsplit\t-\tno address\n"
				      "func\t2\t[kernel]\t0xffffffff81d35f00\tread_zero\n"
				      "func\t3\tm\t0x0\tzero\n"
				      "func\t4\tm\t0x00000000000000ff\tpadded\n"
				      "func\t5\tm\t0xfffffffffffffffe\tlargest\n"
				      "func\t6\tm\t-\t-\n"
				      "stack\t3\t0\t1;0\nstack\t1\t0\t2;3;4;5;6\n");
	static const uint64_t want[] = {
		0x1260, PROFILE_NO_ADDR, 0xffffffff81d35f00, 0, 0xff, UINT64_MAX - 1,
		PROFILE_NO_ADDR,
	};
	struct mem m, again;
	struct snapshot *s2;

	cr_assert_eq(profile_nfuncs(s->prof), 7);
	for (uint32_t i = 0; i < 7; i++)
		cr_assert_eq(profile_func_addr(s->prof, i), want[i], "func %u", i);
	cr_assert_str_eq(profile_func_name(s->prof, 6), "-");

	/* Written back in the writer's one spelling; that loads and writes the same. */
	write_snap(&m, s->prof, &s->meta, s->hist);
	cr_assert_eq(strncmp(m.buf, "proftui-snapshot 2\n", 19), 0);
	cr_assert_not_null(strstr(m.buf, "\nfunc\t0\tsplit\t0x1260\tfunc_a\n"));
	cr_assert_not_null(strstr(m.buf, "\nfunc\t1\tsplit\t-\tno address\n"));
	cr_assert_not_null(strstr(m.buf, "\nfunc\t3\tm\t0x0\tzero\n"));
	cr_assert_not_null(strstr(m.buf, "\nfunc\t4\tm\t0xff\tpadded\n"));
	cr_assert_not_null(strstr(m.buf, "\nfunc\t6\tm\t-\t-\n"));
	s2 = parse_ok(m.buf, m.len);
	same_profile(s->prof, s2->prof);
	write_snap(&again, s2->prof, &s2->meta, s2->hist);
	cr_assert_eq(again.len, m.len);
	cr_assert_eq(memcmp(again.buf, m.buf, m.len), 0);
	free(again.buf);
	free(m.buf);
	snapshot_free(s2);
	snapshot_free(s);
}

/* Version 1 files (no ADDR) load as before, and are written back as version 2. */
Test(snapshot, v1_file_loads_with_unknown_addresses)
{
	struct snapshot *s = loaded("thread\t10\t5\tmain\nfunc\t0\t/usr/bin/app\tmain\n"
				    "func\t1\t/usr/bin/app\t0x1260\nstack\t4\t0\t0;1\n"
				    "stack\t1\t0\t0\n");
	struct mem m;
	struct snapshot *s2;

	cr_assert_eq(s->format_version, 1);
	cr_assert_eq(profile_nfuncs(s->prof), 2);
	cr_assert_str_eq(profile_func_name(s->prof, 0), "main");
	/* In version 1 that field is the name, whatever it looks like. */
	cr_assert_str_eq(profile_func_name(s->prof, 1), "0x1260");
	cr_assert_eq(profile_func_addr(s->prof, 0), PROFILE_NO_ADDR);
	cr_assert_eq(profile_func_addr(s->prof, 1), PROFILE_NO_ADDR);
	cr_assert_eq(profile_stats_const(s->prof)->samples, 5);

	write_snap(&m, s->prof, &s->meta, s->hist);
	cr_assert_eq(strncmp(m.buf, "proftui-snapshot 2\n", 19), 0);
	cr_assert_not_null(strstr(m.buf, "\nfunc\t0\t/usr/bin/app\t-\tmain\n"));
	cr_assert_not_null(strstr(m.buf, "\nfunc\t1\t/usr/bin/app\t-\t0x1260\n"));
	s2 = parse_ok(m.buf, m.len);
	cr_assert_eq(s2->format_version, 2);
	same_profile(s->prof, s2->prof);
	free(m.buf);
	snapshot_free(s2);
	snapshot_free(s);

	/* Each version has its own field count. */
	refused("func\t0\tm\t0x10\tf\n", 2, "func line with more than 4 tab-separated fields");
	refused_v(2, "func\t0\tm\tf\n", 2, "func line with 4 tab-separated fields instead of 5");
}

Test(snapshot, bad_func_addresses_refused_with_the_line)
{
	static const char *const bad[] = {
		"0x", "0xg", "0x1g", "0x12345678901234567", "12", "-1", "", "0X10", "0xAB",
		"0x-1", " 0x1", "0x1 ", "x10", "--", "0x+1", "0x\xc3\xa9",
	};
	char body[256], want[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "meta\tpid\t1\nfunc\t0\tm\t%s\tf\n", bad[i]);
		snprintf(want, sizeof(want), "the func address '%s' is neither 0x and 1 to 16"
			 " lowercase hex digits nor -", bad[i]);
		refused_v(2, body, 3, want);
	}
	/* All ones is "unknown", which has one spelling. */
	refused_v(2, "func\t0\tm\t0xffffffffffffffff\tf\n", 2, "means unknown, which is written -");
	/* Sixteen digits are the most there are. */
	snapshot_free(loaded_v(2, "func\t0\tm\t0x0123456789abcdef\tf\n"));
}

Test(snapshot, threads_checked)
{
	refused("thread\t5\t0\ta\nthread\t5\t0\tb\n", 3, "thread 5 after thread 5");
	refused("thread\t6\t0\ta\nthread\t5\t0\tb\n", 3, "ascending tid");
	refused("stack\t1\t0\t\nthread\t5\t1\ta\n", 3, "threads come first");
	refused("thread\t5\t1\ta\nfunc\t0\tm\tf\nstack\t2\t5\t0\n", 4, "more samples than");
	refused("thread\t5\t9\ta\nthread\t6\t1\tb\nstack\t1\t0\t\nstack\t1\t5\t\n", 5,
		"per-thread lines come first");
}

Test(snapshot, overlong_line_and_deep_stack_capped)
{
	size_t len = SNAPSHOT_MAX_LINE + 64, depth = SNAPSHOT_MAX_DEPTH + 1;
	char *doc = malloc(len + 2 * depth + 64);
	size_t n;

	cr_assert_not_null(doc);
	n = (size_t)sprintf(doc, "proftui-snapshot 1\nmeta\ttarget\t");
	memset(doc + n, 'a', len - n);
	memcpy(doc + len, "\nend\t1\n", 7);
	refused_raw(doc, len + 7, 2, "longer than 1048576 bytes");
	/* Without a newline anywhere the search still stops at the cap. */
	refused_raw(doc, len, 2, "longer than 1048576 bytes");

	n = (size_t)sprintf(doc, "proftui-snapshot 1\nfunc\t0\tm\tf\nstack\t1\t0\t");
	size_t path_at = n;

	for (size_t i = 0; i < depth; i++) {
		doc[n++] = '0';
		doc[n++] = ';';
	}
	n--;
	n += (size_t)sprintf(doc + n, "\nend\t2\n");
	refused_raw(doc, n, 3, "65537 frames, over the 65536-frame cap");
	/* One frame fewer loads. */
	memmove(doc + path_at, doc + path_at + 2, n - path_at - 2);
	{
		struct snapshot *s = parse_ok(doc, n - 2);

		cr_assert_eq(profile_nnodes(s->prof), SNAPSHOT_MAX_DEPTH + 1);
		snapshot_free(s);
	}
	free(doc);
}

Test(snapshot, thread_totals_rebuilt_from_thread_lines)
{
	struct snapshot *s = loaded("thread\t1\t3\tone\nthread\t2\t5\ttwo\nthread\t3\t2\tthree\n"
				    "thread\t4\t0\t\nfunc\t0\tm\tA\nfunc\t1\tm\tB\n"
				    "stack\t4\t0\t0\nstack\t4\t0\t0;1\nstat\tsamples\t10\n");
	size_t n;
	const struct prof_thread *t = profile_threads(s->prof, &n);

	cr_assert_eq(n, 4);
	cr_assert_eq(t[0].tid, 1);
	cr_assert_eq(t[0].samples, 3);
	cr_assert_str_eq(t[0].name, "one");
	cr_assert_eq(t[1].samples, 5);
	cr_assert_eq(t[2].samples, 2);
	cr_assert_eq(t[3].tid, 4);
	cr_assert_eq(t[3].samples, 0);
	cr_assert_str_eq(t[3].name, "");
	cr_assert_eq(profile_stats_const(s->prof)->samples, 10);
	cr_assert_eq(profile_node(s->prof, 0)->total, 8);
	snapshot_free(s);
}

Test(snapshot, thread_lines_claiming_more_than_the_stacks_are_kept)
{
	/* A decayed view rounds threads and paths separately (profile_scale). */
	struct snapshot *s = loaded("thread\t3\t7\tt\nfunc\t0\tm\tA\nstack\t2\t0\t0\n");
	size_t n;
	const struct prof_thread *t = profile_threads(s->prof, &n);

	cr_assert_eq(n, 1);
	cr_assert_eq(t[0].samples, 7);
	cr_assert_eq(profile_stats_const(s->prof)->samples, 2);
	cr_assert_eq(profile_node(s->prof, 0)->total, 2);
	snapshot_free(s);
}

Test(snapshot, samples_beyond_thread_lines_go_to_thread_0)
{
	struct snapshot *s = loaded("func\t0\tm\tA\nstack\t5\t0\t0\nstack\t2\t0\t\n");
	size_t n;
	const struct prof_thread *t = profile_threads(s->prof, &n);

	cr_assert_eq(n, 1);
	cr_assert_eq(t[0].tid, 0);
	cr_assert_eq(t[0].samples, 7);
	/* Without a stat samples line the total is the stack lines' sum. */
	cr_assert_eq(profile_stats_const(s->prof)->samples, 7);
	cr_assert_eq(profile_node(s->prof, 0)->total, 5);
	snapshot_free(s);

	s = loaded("thread\t9\t1\tx\nfunc\t0\tm\tA\nstack\t3\t0\t0\nstat\tsamples\t10\n");
	t = profile_threads(s->prof, &n);
	cr_assert_eq(n, 2);
	cr_assert_eq(t[0].tid, 0);
	/* A larger saved total is kept: the surplus is samples without a stack,
	 * given out like a stack line's, so the threads still add up to it. */
	cr_assert_eq(t[0].samples, 2 + 7);
	cr_assert_eq(t[1].samples, 1);
	cr_assert_eq(profile_stats_const(s->prof)->samples, 10);
	cr_assert_eq(profile_node(s->prof, 0)->total, 3);
	snapshot_free(s);
}

Test(snapshot, splitting_over_many_threads_is_bounded)
{
	size_t threads = 1100, cap = 1 << 20, n;
	char *doc = malloc(cap);
	struct snapshot *s = NULL;
	char err[512];

	cr_assert_not_null(doc);
	n = (size_t)sprintf(doc, "proftui-snapshot 1\n");
	for (size_t i = 0; i < threads; i++)
		n += (size_t)sprintf(doc + n, "thread\t%zu\t1\tt\n", i + 1);
	n += (size_t)sprintf(doc + n, "func\t0\tm\tf\nstack\t%zu\t0\t", threads);
	for (size_t i = 0; i < SNAPSHOT_MAX_DEPTH; i++)
		n += (size_t)sprintf(doc + n, i ? ";0" : "0");
	n += (size_t)sprintf(doc + n, "\nend\t%zu\n", threads + 2);
	cr_assert_lt(n, cap);
	cr_assert_eq(snapshot_parse(doc, n, "t", &s, err, sizeof(err)), -E2BIG);
	cr_assert_not_null(strstr(err, "line 1103: stack lines split over too many threads"), "%s",
			   err);
	free(doc);
}

Test(snapshot, proc_lines_checked)
{
	struct snapshot *s = loaded("procfirst\ttime_ns=1\nproc\ttime_ns=2\tnthreads=4294967295\n"
				    "proc\n");

	/* With a short history the first reading is also its oldest (see snapshot.c). */
	cr_assert_eq(prochist_count(s->hist), 3);
	cr_assert_eq(prochist_first(s->hist)->time_ns, 1);
	cr_assert_eq(prochist_at(s->hist, 0)->time_ns, 1);
	cr_assert_eq(prochist_at(s->hist, 1)->nthreads, UINT32_MAX);
	cr_assert_eq(prochist_at(s->hist, 2)->time_ns, 0);
	snapshot_free(s);
	refused("proc\tnthreads=4294967296\n", 2, "nthreads '4294967296' is out of range");
	refused("proc\ttime_ns\n", 2, "not KEY=NUMBER");
	refused("proc\ttime_ns=1\t\n", 2, "not KEY=NUMBER");
	refused("proc\ttime_ns=1\ttime_ns=2\n", 2, "time_ns given twice");
	refused("proc\ttime_ns=-1\n", 2, "not a decimal number");
	refused("proc\ttime_ns=1\nprocfirst\ttime_ns=0\n", 3, "procfirst must come once");
	refused("procfirst\nprocfirst\n", 3, "procfirst must come once");
}

Test(snapshot, write_reports_stream_errors_and_caps)
{
	struct profile *p = big_profile();
	FILE *full = fopen("/dev/full", "w");
	uint32_t *deep = malloc((SNAPSHOT_MAX_DEPTH + 1) * sizeof(*deep));
	struct mem m;

	cr_assert_not_null(full);
	setvbuf(full, NULL, _IONBF, 0);
	cr_assert_eq(snapshot_write(full, p, &meta, NULL), -EIO);
	fclose(full);
	cr_assert_eq(snapshot_write(NULL, p, &meta, NULL), -EINVAL);

	cr_assert_not_null(deep);
	for (size_t i = 0; i <= SNAPSHOT_MAX_DEPTH; i++)
		deep[i] = 0;
	add(p, 1, deep, SNAPSHOT_MAX_DEPTH + 1, 1);
	mem_open(&m);
	cr_assert_eq(snapshot_write(m.f, p, NULL, NULL), -E2BIG);
	mem_close(&m);
	free(m.buf);
	free(deep);
	profile_free(p);
}

/* ---- snapshot_load ---- */

static char dir[64];

static void mkdir_tmp(void)
{
	strcpy(dir, "/tmp/test_snapshot.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

Test(snapshot, load_reads_regular_files_and_follows_symlinks)
{
	struct profile *p = small_profile();
	struct mem m;
	char path[128], link[128], err[512];
	struct snapshot *s = NULL;
	FILE *f;

	mkdir_tmp();
	path_in(path, sizeof(path), "a.snap");
	path_in(link, sizeof(link), "link.snap");
	write_snap(&m, p, &meta, NULL);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(m.buf, 1, m.len, f), m.len);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(symlink("a.snap", link), 0);
	cr_assert_eq(snapshot_load(link, &s, err, sizeof(err)), 0, "%s", err);
	same_profile(p, s->prof);
	snapshot_free(s);

	/* Damage on disk is reported with the file's name. */
	f = fopen(path, "r+");
	cr_assert_not_null(f);
	cr_assert_eq(fseek(f, 0, SEEK_SET), 0);
	cr_assert_geq(fputs("proftui-snapshot 3\n", f), 0);
	fclose(f);
	cr_assert_lt(snapshot_load(path, &s, err, sizeof(err)), 0);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err, "a.snap: line 1: made by a newer proftui: format 3"), "%s",
			   err);
	unlink(link);
	unlink(path);
	rmdir(dir);
	free(m.buf);
	profile_free(p);
}

Test(snapshot, load_refuses_fifos_devices_and_directories_without_blocking, .timeout = 10)
{
	char fifo[128], err[512];
	struct snapshot *s = NULL;

	mkdir_tmp();
	path_in(fifo, sizeof(fifo), "fifo");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(snapshot_load(fifo, &s, err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "is a FIFO, not a regular file"), "%s", err);
	cr_assert_null(s);
	cr_assert_eq(snapshot_load("/dev/zero", &s, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "snapshot /dev/zero: is a character device, not a regular file");
	cr_assert_eq(snapshot_load(dir, &s, err, sizeof(err)), -EISDIR);
	cr_assert_not_null(strstr(err, "is a directory"));
	path_in(fifo, sizeof(fifo), "none");
	cr_assert_eq(snapshot_load(fifo, &s, err, sizeof(err)), -ENOENT);
	cr_assert_not_null(strstr(err, "none: No such file or directory"), "%s", err);
	/* A regular file in /proc says size 0 and still reads (and is refused). */
	cr_assert_eq(snapshot_load("/proc/self/status", &s, err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "line 1: not a proftui snapshot"), "%s", err);
	path_in(fifo, sizeof(fifo), "fifo");
	unlink(fifo);
	rmdir(dir);
}

/* ---- the timeline: strip, slice and at lines ---- */

#define MS 1000000ULL
#define T0 (7000 * MS)

/* What the live UI keeps: the profile, the log of its leaves, the strip. */
struct timeline {
	struct profile *p;
	struct samplelog *log;
	struct tstrip *strip;
};

static void tl_sample(struct timeline *t, uint32_t tid, const uint32_t *f, size_t n, uint64_t w,
		      enum cpu_state cs, uint64_t time_ns)
{
	cr_assert_eq(profile_add_sample(t->p, tid, f, n, w, time_ns), 0);
	samplelog_add_weighted(t->log, time_ns, tid, profile_last_leaf(t->p), w);
	tstrip_add(t->strip, time_ns, tid, cs, w);
}

/* 1 s of phase_a on thread 1, then 1 s of phase_b on thread 2, a long
 * sleep in the middle and a sample without a stack. */
static void tl_fill(struct timeline *t, size_t log_cap)
{
	uint32_t a[2], b[2], z[3];

	t->p = profile_new();
	t->log = samplelog_new(log_cap);
	t->strip = tstrip_new(T0, TSTRIP_SLICE_NS);
	cr_assert(t->p && t->log && t->strip);
	a[0] = fn(t->p, "phase_a", "app");
	b[0] = fn(t->p, "phase_b", "app");
	z[0] = fn(t->p, "[sleeping]", "[off-cpu]");
	a[1] = b[1] = z[2] = fn(t->p, "main", "app");
	z[1] = fn(t->p, "wait", "app");
	for (uint64_t ms = 0; ms < 2000; ms += 5)
		tl_sample(t, ms < 1000 ? 1 : 2, ms < 1000 ? a : b, 2, 1, CPU_ON, T0 + ms * MS);
	tl_sample(t, 3, z, 3, 5000, CPU_SLEEP, T0 + 1234 * MS);
	tl_sample(t, 3, NULL, 0, 1, CPU_ON, T0 + 1500 * MS);
}

static void tl_free(struct timeline *t)
{
	profile_free(t->p);
	samplelog_free(t->log);
	tstrip_free(t->strip);
}

/* The self weight of `name` among the loaded log's entries of [t0, t1). */
struct tl_count {
	const struct profile *p;
	const char *name;
	uint64_t t0, t1, n;
};

static int tl_count_fn(void *ctx, const struct samplelog_entry *e, uint64_t seq)
{
	struct tl_count *c = ctx;
	const struct prof_node *nd = profile_node(c->p, e->leaf);

	(void)seq;
	cr_assert_not_null(nd);
	if (e->time_ns >= c->t0 && e->time_ns < c->t1 && nd->func != PROF_NONE &&
	    !strcmp(profile_func_name(c->p, nd->func), c->name))
		c->n += e->weight;
	return 0;
}

static uint64_t tl_count(const struct snapshot *s, const char *name, uint64_t t0, uint64_t t1)
{
	struct tl_count c = { s->prof, name, t0, t1, 0 };

	samplelog_visit(s->log, 0, 0, 0, tl_count_fn, &c);
	return c.n;
}

Test(snapshot, timeline_round_trips)
{
	struct timeline t;
	struct snap_meta m = meta;
	struct mem a, b;
	struct snapshot *s;

	tl_fill(&t, 1 << 12);
	m.strip = t.strip;
	m.log = t.log;
	write_snap(&a, t.p, &m, NULL);
	cr_assert_not_null(strstr(a.buf, "\nstrip\t100000000\t0\n"));
	cr_assert_not_null(strstr(a.buf, "\nslice\t12\t20\t0\t0\t5000\n"));
	s = parse_ok(a.buf, a.len);
	same_profile(t.p, s->prof);
	cr_assert_not_null(s->strip);
	cr_assert_not_null(s->log);
	cr_assert_eq(s->meta.strip, s->strip);
	cr_assert_eq(s->meta.log, s->log);
	cr_assert_eq(s->log_from_ns, 0);
	/* The strip: every slice as it was. */
	cr_assert_eq(tstrip_used(s->strip), tstrip_used(t.strip));
	cr_assert_eq(tstrip_slice_ns(s->strip), TSTRIP_SLICE_NS);
	cr_assert(tstrip_off_cpu(s->strip));
	for (size_t i = 0; i < TSTRIP_SLICES; i++) {
		uint64_t x[CPU__COUNT], y[CPU__COUNT];

		tstrip_sum(t.strip, i, 1, 0, x);
		tstrip_sum(s->strip, i, 1, 0, y);
		cr_assert_arr_eq(x, y, sizeof(x), "slice %zu", i);
	}
	/* The log: each phase in its half, times at the middle of the slices. */
	cr_assert_eq(tl_count(s, "phase_a", 0, 1000 * MS), 200);
	cr_assert_eq(tl_count(s, "phase_b", 0, 1000 * MS), 0);
	cr_assert_eq(tl_count(s, "phase_b", 1000 * MS, 2000 * MS), 200);
	cr_assert_eq(tl_count(s, "[sleeping]", 1200 * MS, 1300 * MS), 5000);
	/* One entry per slice, thread and stack (5 for the long sleep). */
	cr_assert_eq(samplelog_count(s->log), 10 + 10 + 5 + 1);
	/* Saving what was loaded writes the same file. */
	write_snap(&b, s->prof, &s->meta, NULL);
	cr_assert_eq(a.len, b.len);
	cr_assert_eq(memcmp(a.buf, b.buf, a.len), 0);
	snapshot_free(s);
	free(a.buf);
	free(b.buf);
	tl_free(&t);
}

/* The log's start is kept as given; a file without a timeline has none. */
Test(snapshot, timeline_log_from_and_none)
{
	struct timeline t;
	struct snap_meta m = meta;
	struct mem a;
	struct snapshot *s;

	tl_fill(&t, 1 << 12);
	m.strip = t.strip;
	m.log = t.log;
	m.log_from_ns = 500 * MS;
	write_snap(&a, t.p, &m, NULL);
	s = parse_ok(a.buf, a.len);
	cr_assert_eq(s->log_from_ns, 500 * MS);
	cr_assert_eq(s->meta.log_from_ns, 500 * MS);
	snapshot_free(s);
	free(a.buf);

	/* A strip without a log: nothing is logged, the strip is whole. */
	m.log = NULL;
	m.log_from_ns = 0;
	write_snap(&a, t.p, &m, NULL);
	cr_assert_null(strstr(a.buf, "\nat\t"));
	s = parse_ok(a.buf, a.len);
	cr_assert_eq(tstrip_used(s->strip), 20);
	cr_assert_eq(samplelog_count(s->log), 0);
	cr_assert_eq(s->log_from_ns, (uint64_t)TSTRIP_SLICES * TSTRIP_SLICE_NS);
	snapshot_free(s);
	free(a.buf);

	/* No strip: no timeline lines, none loaded. */
	write_snap(&a, t.p, &meta, NULL);
	cr_assert_null(strstr(a.buf, "\nstrip\t"));
	s = parse_ok(a.buf, a.len);
	cr_assert_null(s->strip);
	cr_assert_null(s->log);
	snapshot_free(s);
	free(a.buf);
	tl_free(&t);
}

/* Entries the log dropped are simply not written: the at lines never claim
 * more than the stacks have. */
Test(snapshot, timeline_from_a_wrapped_log)
{
	struct timeline t;
	struct snap_meta m = meta;
	struct mem a;
	struct snapshot *s;

	tl_fill(&t, 64);
	cr_assert_gt(samplelog_dropped(t.log), 0);
	m.strip = t.strip;
	m.log = t.log;
	write_snap(&a, t.p, &m, NULL);
	s = parse_ok(a.buf, a.len);
	cr_assert_eq(tl_count(s, "phase_a", 0, 2000 * MS), 0);
	cr_assert_gt(tl_count(s, "phase_b", 1000 * MS, 2000 * MS), 0);
	snapshot_free(s);
	free(a.buf);
	tl_free(&t);
}

#define TL_HEAD "func\t0\tm\tf\nstack\t5\t0\t0\nstack\t2\t0\t\n"

Test(snapshot, timeline_lines_checked)
{
	struct snapshot *s;

	refused(TL_HEAD "strip\t0\t0\n", 5, "slices 0 ns wide");
	refused(TL_HEAD "strip\t70368744177665\t0\n", 5, "out of range");
	refused(TL_HEAD "strip\t10\t5121\n", 5, "past its last slice");
	refused(TL_HEAD "strip\t10\t0\nstrip\t10\t0\n", 6, "a second strip line");
	refused(TL_HEAD "slice\t0\t1\t0\t0\t0\n", 5, "slice line before the strip line");
	refused(TL_HEAD "at\t0\t0\t1\t1\n", 5, "at line before the strip line");
	refused(TL_HEAD "strip\t10\t0\nslice\t512\t1\t0\t0\t0\n", 6, "out of range");
	refused(TL_HEAD "strip\t10\t0\nslice\t3\t1\t0\t0\t0\nslice\t3\t1\t0\t0\t0\n", 7,
		"slice 3 out of order");
	refused(TL_HEAD "strip\t10\t0\nslice\t3\t1\t0\t0\n", 6, "instead of 6");
	refused(TL_HEAD "strip\t10\t0\nat\t0\t2\t1\t1\n", 6, "stack line 2, but there are 2");
	refused(TL_HEAD "strip\t10\t0\nat\t0\t0\t1\t3\nat\t1\t0\t1\t3\n", 7,
		"over what stack line 0 has left");
	refused(TL_HEAD "strip\t10\t0\nat\t0\t1\t1\t0\n", 6, "weight 0");
	refused(TL_HEAD "strip\t10\t0\nat\t0\t1\t4194304\t1\n", 6, "out of range");
	refused(TL_HEAD "strip\t10\t0\nat\t4\t0\t1\t1\nat\t3\t0\t1\t1\n", 7, "at lines ascend");
	refused(TL_HEAD "strip\t10\t0\nat\t4\t0\t1\t1\nslice\t5\t1\t0\t0\t0\n", 7,
		"slice line after an at line");
	refused(TL_HEAD "strip\t10\t0\nstack\t1\t0\t0\n", 6, "stack line after the strip line");
	refused("func\t0\tm\tf\nstack\t18446744073709551615\t0\t0\nstrip\t10\t0\n"
		"at\t0\t0\t1\t18446744073709551615\n", 5, "over 4194304 sample-log entries");

	/* A good one: the empty path's samples (leaf 0) may be timed too. */
	s = loaded(TL_HEAD "strip\t10\t20\nslice\t1\t5\t0\t2\t0\nat\t1\t0\t9\t5\nat\t2\t1\t9\t2\n");
	cr_assert_eq(tstrip_used(s->strip), 2);
	cr_assert_eq(s->log_from_ns, 20);
	cr_assert_eq(samplelog_count(s->log), 2);
	cr_assert_eq(tl_count(s, "f", 10, 20), 5);
	snapshot_free(s);
}

/* "stat samples" may leave fewer samples without a stack than the at lines
 * gave them: written again, the at lines are cut to what loads. */
Test(snapshot, timeline_rewrite_keeps_at_lines_within_their_stacks)
{
	struct snapshot *s = loaded("stat\tsamples\t6\n" TL_HEAD "strip\t10\t0\nat\t0\t1\t9\t2\n");
	struct snapshot *again;
	struct mem m;

	cr_assert_eq(samplelog_count(s->log), 1);
	write_snap(&m, s->prof, &s->meta, NULL);
	cr_assert_not_null(strstr(m.buf, "\nstack\t1\t0\t\n"), "%s", m.buf);
	cr_assert_not_null(strstr(m.buf, "\nat\t0\t1\t9\t1\n"), "%s", m.buf);
	again = parse_ok(m.buf, m.len);
	cr_assert_eq(tl_count(again, "f", 0, 10), 0);
	snapshot_free(again);
	snapshot_free(s);
	free(m.buf);
}
