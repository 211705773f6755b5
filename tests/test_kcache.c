/* test_kcache.c — the per-boot kallsyms cache: round trips, keys, corrupt and hostile files, where it lives. */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proftui/kallsyms.h"
#include "proftui/kcache.h"

#define BOOT "0f3c2a1e-7d4b-4c11-9a8e-5b6f7e8d9c0a"

static char dir[64];
static char text[128];          /* the fake /proc/kallsyms */
static char cdir[128];          /* the cache directory */
static char cfile[256];         /* the cache file for BOOT */
static struct kallsyms ks, ref;

static const char small_text[] =
	"ffffffff81000100 t local_alias\n"
	"ffffffff81000000 T _stext\n"
	"ffffffff81000100 T do_work\n"
	"ffffffff81000100 W weak_alias\n"
	"ffffffff81000200 d some_data\n"
	"ffffffff81000300 t helper\t[mymod]\n"
	"ffffffff81000300 t helper\t[othermod]\n"
	"ffffffff81000400 T last\n";

static void setup(void)
{
	strcpy(dir, "/tmp/test_kcache.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(text, sizeof(text), "%s/kallsyms", dir);
	snprintf(cdir, sizeof(cdir), "%s/cache", dir);
	snprintf(cfile, sizeof(cfile), "%s/kallsyms-%s", cdir, BOOT);
	memset(&ks, 0, sizeof(ks));
	memset(&ref, 0, sizeof(ref));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	chmod(path, 0700);
	remove(path);
	return 0;
}

static void teardown(void)
{
	kallsyms_release(&ks);
	kallsyms_release(&ref);
	chmod(dir, 0700);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(kcache, .init = setup, .fini = teardown);

static void put(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void put_text(const char *s)
{
	put(text, s, strlen(s), 0644);
}

/* The whole file, or NULL when it is absent. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f)
		return NULL;
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct kallsyms_key key_of(const char *boot, const char *release, uint64_t loaded)
{
	struct kallsyms_key k;

	memset(&k, 0, sizeof(k));
	strcpy(k.boot_id, boot);
	strcpy(k.release, release);
	k.loaded = loaded;
	return k;
}

static const struct kallsyms_key *key0(void)
{
	static struct kallsyms_key k;

	k = key_of(BOOT, "6.1.0-test", 42);
	return &k;
}

/* kcache_load_key into ks (released first). */
static int load(const struct kallsyms_key *key)
{
	kallsyms_release(&ks);
	return kcache_load_key(&ks, text, cdir, key);
}

/* ref: the table read straight from the text file. */
static void load_ref(void)
{
	kallsyms_release(&ref);
	cr_assert_eq(kallsyms_load(&ref, text), 0);
}

static void same_answer(uint64_t addr)
{
	uint64_t o1 = 7, o2 = 9;
	const char *a = kallsyms_lookup(&ref, addr, &o1), *b = kallsyms_lookup(&ks, addr, &o2);

	if (!a || !b) {
		cr_assert(a == b, "%#llx: %s vs %s", (unsigned long long)addr, a ? a : "-",
			  b ? b : "-");
	} else {
		cr_assert_str_eq(a, b, "%#llx", (unsigned long long)addr);
	}
	cr_assert_eq(o1, o2, "%#llx", (unsigned long long)addr);
}

/* A sweep over the small table's range, both ends of the address space. */
static void same_answers(void)
{
	cr_assert_eq(ks.n, ref.n);
	for (uint64_t a = 0xffffffff80fff000ULL; a < 0xffffffff81003000ULL; a += 0x11)
		same_answer(a);
	same_answer(0);
	same_answer(UINT64_MAX);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

Test(kcache, round_trip)
{
	struct stat st;

	put_text(small_text);
	load_ref();
	cr_assert_eq(load(key0()), 0, "the first run reads the text");
	cr_assert_eq(ks.n, ref.n);
	cr_assert_eq(stat(cfile, &st), 0, "the cache was written");
	cr_expect_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(stat(cdir, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0700);
	unlink(text);
	cr_assert_eq(load(key0()), 1, "the second run reads the cache");
	same_answers();
	cr_expect_str_eq(kallsyms_lookup(&ks, 0xffffffff81000180, NULL), "do_work");
	cr_expect_str_eq(kallsyms_lookup(&ks, 0xffffffff81000301, NULL), "helper");
	cr_expect_null(kallsyms_lookup(&ks, 0xffffffff81000200, NULL));
	cr_expect_null(kallsyms_lookup(&ks, 0xffffffff81000401, NULL));
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#define BIG_N 20000

/*
 * A kallsyms-like text: aliases of every type, data between functions, gaps
 * beyond the 1 MiB span cap, repeated and over-long names, module columns,
 * lines out of order.  The addresses go to addrs.
 */
static void put_big_text(uint64_t *addrs)
{
	static const char types[] = "TtWwdDbBrRA";
	char **lines = calloc(BIG_N, sizeof(*lines));
	char longname[5000];
	uint64_t a = 0xffffffff81000000ULL;
	FILE *f;

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	for (size_t i = 0; i < BIG_N; i++) {
		uint64_t r = next();
		char *l = NULL;

		if (r % 7)
			a += r % 3 == 0 ? (r >> 8) % 0x40 : (r >> 8) % 0x3000;
		if (r % 997 == 0)
			a += 3ULL << 20;
		addrs[i] = a;
		if (asprintf(&l, "%016llx %c %s%llu%s\n", (unsigned long long)a,
			     types[(r >> 20) % (sizeof(types) - 1)],
			     r % 1499 == 0 ? longname : "fn_", (unsigned long long)((r >> 32) % 5000),
			     r % 5 == 0 ? "\t[mod]" : "") < 0)
			cr_assert_fail("asprintf");
		lines[i] = l;
	}
	for (size_t i = BIG_N - 1; i > 0; i--) {
		size_t j = next() % (i + 1);
		char *t = lines[i];

		lines[i] = lines[j];
		lines[j] = t;
	}
	f = fopen(text, "w");
	cr_assert_not_null(f);
	for (size_t i = 0; i < BIG_N; i++) {
		fputs(lines[i], f);
		free(lines[i]);
	}
	cr_assert_eq(fclose(f), 0);
	free(lines);
}

Test(kcache, big_round_trip)
{
	static uint64_t addrs[BIG_N];

	put_big_text(addrs);
	load_ref();
	cr_assert_eq(load(key0()), 0);
	unlink(text);
	cr_assert_eq(load(key0()), 1);
	cr_assert_eq(ks.n, ref.n);
	for (size_t i = 0; i < BIG_N; i++) {
		same_answer(addrs[i]);
		same_answer(addrs[i] - 1);
		same_answer(addrs[i] + 1);
		same_answer(addrs[i] + next() % 0x4000);
		same_answer(addrs[i] + (1ULL << 20) - 1);
		same_answer(addrs[i] + (1ULL << 20));
	}
}

/* The cache's bytes are those kallsyms_save writes for the table. */
static unsigned char *saved(const struct kallsyms *k, const struct kallsyms_key *key, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	cr_assert_not_null(f);
	cr_assert_eq(kallsyms_save(k, f, key), 0);
	cr_assert_eq(fclose(f), 0);
	return (unsigned char *)buf;
}

Test(kcache, save_parse_save_is_stable)
{
	static uint64_t addrs[BIG_N];
	struct kallsyms again = { 0 };
	unsigned char *a, *b;
	size_t alen, blen;

	put_big_text(addrs);
	load_ref();
	a = saved(&ref, key0(), &alen);
	cr_assert_eq(kallsyms_parse_cache(&again, a, alen, key0()), 0);
	b = saved(&again, key0(), &blen);
	cr_assert_eq(alen, blen);
	cr_assert_eq(memcmp(a, b, alen), 0);
	kallsyms_release(&again);
	free(a);
	free(b);
}

/* Written under one key, looked up under another: the text is read again
 * (its new content shows) and the file is rewritten for the new key. */
static void expect_rebuild(const struct kallsyms_key *old, const struct kallsyms_key *now,
			   const char *now_file)
{
	put_text(small_text);
	cr_assert_eq(load(old), 0);
	put_text("ffffffff82000000 T other_kernel\n");
	cr_assert_eq(load(now), 0, "a stale cache is not used");
	cr_expect_str_eq(kallsyms_lookup(&ks, 0xffffffff82000000, NULL), "other_kernel");
	cr_assert(exists(now_file));
	unlink(text);
	cr_assert_eq(load(now), 1, "and it was rewritten");
	cr_expect_str_eq(kallsyms_lookup(&ks, 0xffffffff82000000, NULL), "other_kernel");
	cr_expect_null(kallsyms_lookup(&ks, 0xffffffff81000100, NULL));
}

Test(kcache, other_release_rebuilds)
{
	struct kallsyms_key k = key_of(BOOT, "6.1.0-other", 42);

	expect_rebuild(key0(), &k, cfile);
}

Test(kcache, other_modules_rebuild)
{
	struct kallsyms_key k = key_of(BOOT, "6.1.0-test", 43);

	expect_rebuild(key0(), &k, cfile);
}

Test(kcache, other_boot_rebuilds_and_prunes)
{
	struct kallsyms_key k = key_of("1234abcd-0000", "6.1.0-test", 42);
	char other[256];

	snprintf(other, sizeof(other), "%s/kallsyms-1234abcd-0000", cdir);
	expect_rebuild(key0(), &k, other);
	cr_expect(!exists(cfile), "the earlier boot's file is removed");
}

Test(kcache, prune_keeps_other_files)
{
	static const char *const names[] = { "notes", "kallsyms-notes.txt", "kallsyms-abcd" };
	char path[256];

	cr_assert_eq(mkdir(cdir, 0700), 0);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", cdir, names[i]);
		put(path, "not a cache", 11, 0600);
	}
	put_text(small_text);
	cr_assert_eq(load(key0()), 0);
	cr_expect(exists(cfile));
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", cdir, names[i]);
		cr_expect(exists(path), "%s is not ours: kept", names[i]);
	}
}

/* A valid cache file's bytes, and the table it holds in ref. */
static unsigned char *valid_file(size_t *len)
{
	unsigned char *buf;

	put_text(small_text);
	load_ref();
	cr_assert_eq(load(key0()), 0);
	buf = slurp(cfile, len);
	cr_assert_not_null(buf);
	return buf;
}

/* Planted bytes are refused: the text is read and the file rewritten valid. */
static void expect_refused(const unsigned char *bad, size_t badlen, const unsigned char *good,
			   size_t goodlen)
{
	struct kallsyms t = { 0 };
	unsigned char *now;
	size_t nowlen;

	cr_assert_neq(kallsyms_parse_cache(&t, bad, badlen, key0()), 0);
	cr_assert_eq(t.n, 0);
	cr_assert_null(t.v);
	put(cfile, bad, badlen, 0600);
	cr_assert_eq(load(key0()), 0, "a bad file is ignored");
	same_answers();
	now = slurp(cfile, &nowlen);
	cr_assert_not_null(now);
	cr_assert(nowlen == goodlen && !memcmp(now, good, goodlen), "and overwritten");
	free(now);
}

Test(kcache, truncated_files_are_ignored)
{
	size_t len;
	unsigned char *good = valid_file(&len);

	for (size_t cut = 0; cut < len; cut++)
		expect_refused(good, cut, good, len);
	free(good);
}

Test(kcache, flipped_bytes_are_ignored)
{
	size_t len;
	unsigned char *good = valid_file(&len), *bad = malloc(len + 1);
	static const unsigned char flips[] = { 0x01, 0x80, 0xff };

	for (size_t i = 0; i < len; i++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			struct kallsyms t = { 0 };

			memcpy(bad, good, len);
			bad[i] ^= flips[f];
			cr_assert_neq(kallsyms_parse_cache(&t, bad, len, key0()), 0,
				      "byte %zu ^ %#x", i, flips[f]);
		}
	}
	memcpy(bad, good, len);
	bad[len / 2] ^= 0x55;
	expect_refused(bad, len, good, len);
	memcpy(bad, good, len);
	bad[len] = 0;
	expect_refused(bad, len + 1, good, len);        /* a trailing byte */
	free(bad);
	free(good);
}

/* Offsets of the format (kallsyms.h): what a forger would edit. */
#define HDR 184
#define ENT 12

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A forger can compute the hash: these edits pass it and must fail later checks. */
static void rehash(unsigned char *p, size_t len)
{
	put64(p + 24, kallsyms_hash(p + HDR, len - HDR, 0));
}

static void expect_forgery_refused(const unsigned char *good, size_t len,
				   void (*edit)(unsigned char *, size_t))
{
	unsigned char *bad = malloc(len);
	struct kallsyms t = { 0 };

	memcpy(bad, good, len);
	edit(bad, len);
	rehash(bad, len);
	cr_assert_eq(kallsyms_parse_cache(&t, bad, len, key0()), -EINVAL);
	expect_refused(bad, len, good, len);
	free(bad);
}

static void huge_count(unsigned char *p, size_t len)
{
	(void)len;
	put32(p + 12, UINT32_MAX);
}

static void huge_names(unsigned char *p, size_t len)
{
	(void)len;
	put32(p + 16, UINT32_MAX - 1);
}

static void count_off_by_one(unsigned char *p, size_t len)
{
	(void)len;
	put32(p + 12, (uint32_t)((p[12] | p[13] << 8) + 1));
}

static void offset_out_of_range(unsigned char *p, size_t len)
{
	(void)len;
	put32(p + HDR + 8, 0x7fffffff);
}

static void offset_mid_name(unsigned char *p, size_t len)
{
	(void)len;
	put32(p + HDR + 8, 1);
}

static void unterminated_name(unsigned char *p, size_t len)
{
	p[len - 1] = 'x';
}

static void empty_name(unsigned char *p, size_t len)
{
	uint32_t n = (uint32_t)(p[12] | p[13] << 8);
	unsigned char *names = p + HDR + (size_t)n * ENT;

	(void)len;
	names[0] = '\0';        /* the first name is now "" and the rest shifted */
}

static void unsorted(unsigned char *p, size_t len)
{
	unsigned char t[8];

	(void)len;
	memcpy(t, p + HDR, 8);
	memcpy(p + HDR, p + HDR + ENT, 8);
	memcpy(p + HDR + ENT, t, 8);
}

static void duplicate_address(unsigned char *p, size_t len)
{
	(void)len;
	memcpy(p + HDR + ENT, p + HDR, 8);
}

static void nonzero_reserved(unsigned char *p, size_t len)
{
	(void)len;
	p[20] = 1;
}

static void newer_version(unsigned char *p, size_t len)
{
	(void)len;
	put32(p + 8, 2);
}

Test(kcache, forged_files_are_ignored)
{
	size_t len;
	unsigned char *good = valid_file(&len);

	expect_forgery_refused(good, len, huge_count);
	expect_forgery_refused(good, len, huge_names);
	expect_forgery_refused(good, len, count_off_by_one);
	expect_forgery_refused(good, len, offset_out_of_range);
	expect_forgery_refused(good, len, offset_mid_name);
	expect_forgery_refused(good, len, unterminated_name);
	expect_forgery_refused(good, len, empty_name);
	expect_forgery_refused(good, len, unsorted);
	expect_forgery_refused(good, len, duplicate_address);
	expect_forgery_refused(good, len, nonzero_reserved);
	expect_forgery_refused(good, len, newer_version);
	free(good);
}

Test(kcache, key_mismatch_is_estale)
{
	size_t len;
	unsigned char *good = valid_file(&len);
	struct kallsyms t = { 0 };
	struct kallsyms_key k = key_of(BOOT, "6.1.0-tesT", 42);

	cr_expect_eq(kallsyms_parse_cache(&t, good, len, &k), -ESTALE);
	k = key_of(BOOT, "6.1.0-test", 41);
	cr_expect_eq(kallsyms_parse_cache(&t, good, len, &k), -ESTALE);
	k = key_of("0f3c2a1e", "6.1.0-test", 42);
	cr_expect_eq(kallsyms_parse_cache(&t, good, len, &k), -ESTALE);
	cr_expect_eq(kallsyms_parse_cache(&t, good, len, key0()), 0);
	kallsyms_release(&t);
	free(good);
}

/* A valid cache planted where it must not be read; the text is gone, so
 * reading it would show as a full table. */
static void expect_not_read(void)
{
	unlink(text);
	cr_assert_eq(load(key0()), -ENOENT);
	cr_assert_eq(ks.n, 0);
}

Test(kcache, symlink_is_not_read)
{
	char real[256];
	size_t len;
	unsigned char *good = valid_file(&len);

	snprintf(real, sizeof(real), "%s/real", cdir);
	cr_assert_eq(rename(cfile, real), 0);
	cr_assert_eq(symlink(real, cfile), 0);
	expect_not_read();
	free(good);
}

Test(kcache, group_writable_file_is_not_read)
{
	size_t len;
	unsigned char *good = valid_file(&len);

	cr_assert_eq(chmod(cfile, 0620), 0);
	expect_not_read();
	cr_assert_eq(chmod(cfile, 0602), 0);
	expect_not_read();
	free(good);
}

Test(kcache, group_writable_dir_is_not_used)
{
	size_t len;
	unsigned char *good = valid_file(&len), *now;

	cr_assert_eq(chmod(cdir, 0770), 0);
	expect_not_read();
	put_text("ffffffff82000000 T other_kernel\n");
	cr_assert_eq(load(key0()), 0);
	now = slurp(cfile, &len);
	cr_assert_not_null(now);
	cr_expect_eq(memcmp(now, good, len), 0, "nothing is written there either");
	free(now);
	free(good);
}

Test(kcache, symlinked_dir_is_not_used)
{
	char real[256];
	size_t len;
	unsigned char *good = valid_file(&len);

	snprintf(real, sizeof(real), "%s/realdir", dir);
	cr_assert_eq(rename(cdir, real), 0);
	cr_assert_eq(symlink(real, cdir), 0);
	expect_not_read();
	free(good);
}

Test(kcache, other_owners_are_not_trusted)
{
	size_t len;
	unsigned char *good;

	if (geteuid() != 0)
		cr_skip_test("needs root to chown");
	good = valid_file(&len);
	cr_assert_eq(chown(cfile, 65534, 65534), 0);
	expect_not_read();
	cr_assert_eq(chown(cfile, 0, 0), 0);
	cr_assert_eq(chown(cdir, 65534, 65534), 0);
	expect_not_read();
	free(good);
}

Test(kcache, fifo_does_not_block)
{
	cr_assert_eq(mkdir(cdir, 0700), 0);
	cr_assert_eq(mkfifo(cfile, 0600), 0);
	put_text(small_text);
	cr_assert_eq(load(key0()), 0);
	cr_assert_gt(ks.n, 0);
}

Test(kcache, unwritable_dir_still_loads)
{
	char file[256];

	snprintf(file, sizeof(file), "%s/plain", dir);
	put(file, "x", 1, 0600);
	snprintf(cdir, sizeof(cdir), "%s/plain/cache", dir);
	put_text(small_text);
	cr_assert_eq(load(key0()), 0);
	cr_assert_gt(ks.n, 0);
	cr_assert_eq(kcache_load_key(&ref, text, "/proc/self/no/such", key0()), 0);
	cr_assert_gt(ref.n, 0);
}

Test(kcache, no_dir_means_no_cache)
{
	put_text(small_text);
	cr_assert_eq(kcache_load_key(&ks, text, NULL, key0()), 0);
	cr_assert_gt(ks.n, 0);
	kallsyms_release(&ks);
	cr_assert_eq(kcache_load_key(&ks, text, "", key0()), 0);
	cr_assert_gt(ks.n, 0);
}

Test(kcache, bad_boot_id_is_no_cache)
{
	struct kallsyms_key k = key_of("../escape", "6.1.0-test", 42);

	put_text(small_text);
	cr_assert_eq(load(&k), 0);
	cr_assert_gt(ks.n, 0);
	cr_expect(!exists(cdir), "not even the directory");
}

Test(kcache, all_zero_table_is_not_cached)
{
	put_text("0000000000000000 T _stext\n0000000000000000 T do_work\n");
	cr_assert_eq(load(key0()), 0);
	cr_assert_eq(ks.n, 0);
	cr_expect(!exists(cfile));
}

Test(kcache, creates_missing_parent)
{
	struct stat st;

	snprintf(cdir, sizeof(cdir), "%s/dotcache/proftui", dir);
	snprintf(cfile, sizeof(cfile), "%s/kallsyms-%s", cdir, BOOT);
	put_text(small_text);
	cr_assert_eq(load(key0()), 0);
	cr_assert_eq(stat(cfile, &st), 0);
	cr_assert_eq(stat(cdir, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0700);
	snprintf(cfile, sizeof(cfile), "%s/dotcache", dir);
	cr_assert_eq(stat(cfile, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0700);
}

Test(kcache, no_mkdir_in_others_dirs)
{
	char theirs[256];

	if (geteuid() != 0)
		cr_skip_test("needs root to chown");
	snprintf(theirs, sizeof(theirs), "%s/theirs", dir);
	cr_assert_eq(mkdir(theirs, 0755), 0);
	cr_assert_eq(chown(theirs, 65534, 65534), 0);
	snprintf(cdir, sizeof(cdir), "%s/theirs/cache", dir);
	put_text(small_text);
	cr_assert_eq(load(key0()), 0);
	cr_assert_gt(ks.n, 0);
	cr_expect(!exists(cdir));
}

Test(kcache, file_mode_is_0600_whatever_the_umask)
{
	struct stat st;

	umask(0);
	cr_assert_eq(mkdir(cdir, 0700), 0);
	put(cfile, "junk", 4, 0644);
	put_text(small_text);
	cr_assert_eq(load(key0()), 0);
	cr_assert_eq(stat(cfile, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(load(key0()), 1);
}

/* ---- the key ---- */

Test(kcache, key_from_files)
{
	struct kallsyms_key a, b;
	char boot[256], mods[256];

	snprintf(boot, sizeof(boot), "%s/boot_id", dir);
	snprintf(mods, sizeof(mods), "%s/modules", dir);
	put(boot, BOOT "\n", strlen(BOOT) + 1, 0644);
	put(mods, "ext4 1 0 - Live 0xffffffffc0000000\n", 35, 0644);
	cr_assert_eq(kcache_key(&a, boot, mods, "6.1.0-test"), 0);
	cr_expect_str_eq(a.boot_id, BOOT);
	cr_expect_str_eq(a.release, "6.1.0-test");
	put(mods, "ext4 1 0 - Live 0xffffffffc0001000\n", 35, 0644);
	cr_assert_eq(kcache_key(&b, boot, mods, "6.1.0-test"), 0);
	cr_expect_neq(a.loaded, b.loaded, "a module moved");
	unlink(mods);
	cr_assert_eq(kcache_key(&b, boot, mods, "6.1.0-test"), 0, "no modules is a key");
	cr_expect_eq(b.loaded, kallsyms_hash(NULL, 0, 0));
	cr_assert_eq(kcache_key(&b, boot, mods, NULL), 0);
	cr_expect_neq(b.release[0], '\0', "uname's release");
}

Test(kcache, bad_keys)
{
	struct kallsyms_key k;
	char boot[256], mods[256], longrel[100];

	snprintf(boot, sizeof(boot), "%s/boot_id", dir);
	snprintf(mods, sizeof(mods), "%s/modules", dir);
	put(mods, "", 0, 0644);
	cr_expect_eq(kcache_key(&k, boot, mods, "r"), -ENOENT);
	put(boot, "../../etc/passwd\n", 17, 0644);
	cr_expect_eq(kcache_key(&k, boot, mods, "r"), -EINVAL);
	put(boot, "\n", 1, 0644);
	cr_expect_eq(kcache_key(&k, boot, mods, "r"), -EINVAL);
	put(boot, "ab\0cd", 5, 0644);
	cr_expect_eq(kcache_key(&k, boot, mods, "r"), -EINVAL);
	put(boot, "abcd", 4, 0644);
	cr_expect_eq(kcache_key(&k, boot, mods, "r"), 0);
	cr_expect_eq(kcache_key(&k, boot, mods, ""), -EINVAL);
	memset(longrel, 'r', sizeof(longrel) - 1);
	longrel[sizeof(longrel) - 1] = '\0';
	cr_expect_eq(kcache_key(&k, boot, mods, longrel), -EINVAL);
}

/* ---- where ---- */

Test(kcache, default_dir)
{
	char buf[256];

	setenv("PROFTUI_CACHE_DIR", "/x/y", 1);
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	cr_expect_str_eq(kcache_default_dir(buf, sizeof(buf)), "/x/y");
	setenv("PROFTUI_CACHE_DIR", "", 1);
	cr_expect_null(kcache_default_dir(buf, sizeof(buf)), "empty: no cache");
	unsetenv("PROFTUI_CACHE_DIR");
	cr_expect_str_eq(kcache_default_dir(buf, sizeof(buf)), "/xdg/proftui");
	setenv("XDG_CACHE_HOME", "relative", 1);
	cr_expect_str_eq(kcache_default_dir(buf, sizeof(buf)), "/home/u/.cache/proftui");
	unsetenv("XDG_CACHE_HOME");
	cr_expect_str_eq(kcache_default_dir(buf, sizeof(buf)), "/home/u/.cache/proftui");
	cr_expect_null(kcache_default_dir(buf, 10), "too long for buf");
	unsetenv("HOME");
	cr_expect_null(kcache_default_dir(buf, sizeof(buf)));
}

/* ---- fuzz seeds ---- */

/* The key tests/fuzz/fuzz_kcache.c parses with. */
static const struct kallsyms_key *fuzz_key(void)
{
	static struct kallsyms_key k;

	k = key_of("00000000-0000-0000-0000-000000000000", "6.1.0-fuzz", 1);
	return &k;
}

static void write_seed(const char *seeddir, const char *name, const char *kallsyms)
{
	char path[512];
	unsigned char *buf;
	size_t len;
	FILE *f;

	put_text(kallsyms);
	load_ref();
	buf = saved(&ref, fuzz_key(), &len);
	snprintf(path, sizeof(path), "%s/%s", seeddir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(buf, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	free(buf);
}

Test(kcache, write_fuzz_seeds)
{
	const char *seeddir = getenv("KCACHE_SEED_DIR");

	if (!seeddir)
		cr_skip_test("set KCACHE_SEED_DIR to write tests/fuzz/corpus/kcache");
	write_seed(seeddir, "small", small_text);
	write_seed(seeddir, "one", "ffffffff81000000 T _stext\n");
	write_seed(seeddir, "unnamed", "ffffffff81000000 d data\nffffffff81000010 b bss\n");
	write_seed(seeddir, "gaps",
		   "0000000000000000 A fixed_percpu_data\n"
		   "ffffffff81000000 T a\nffffffff81000010 t b\nffffffff90000000 T far\n"
		   "ffffffffc0000000 t mod_fn\t[mod]\nffffffffc0000040 d mod_data\t[mod]\n");
}

/* Found by fuzz_kcache: a named entry when there are no names at all. */
static void named_without_names(unsigned char *p, size_t len)
{
	(void)len;
	put32(p + HDR + 8, 0);
}

Test(kcache, named_entry_without_names)
{
	size_t len;
	unsigned char *good, *bad;
	struct kallsyms t = { 0 };

	put_text("ffffffff81000000 d data\nffffffff81000010 b bss\n");
	load_ref();
	good = saved(&ref, key0(), &len);
	bad = malloc(len);
	memcpy(bad, good, len);
	named_without_names(bad, len);
	rehash(bad, len);
	cr_assert_eq(kallsyms_parse_cache(&t, good, len, key0()), 0);
	kallsyms_release(&t);
	cr_assert_eq(kallsyms_parse_cache(&t, bad, len, key0()), -EINVAL);
	free(good);
	free(bad);
}
