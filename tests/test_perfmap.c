/* test_perfmap.c — unit tests for the perf-PID.map parser and loader (src/perfmap.c). */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proftui/perfmap.h"
#include "tmpdir.h"

static struct perfmap parse(const char *text, size_t *bad)
{
	struct perfmap m;

	cr_assert_eq(perfmap_parse(text, strlen(text), &m, bad), 0);
	return m;
}

Test(perfmap, good_lines)
{
	size_t bad;
	struct perfmap m = parse("7f0000002000 100 LazyCompile:~foo bar.js:12\n"
				 "0x7f0000001000 0x80 Interpreter\r\n"
				 "0X7F0000003000 0X10 stub with  two spaces \n"
				 "\t7f0000004000\t8\ttabbed",
				 &bad);

	cr_expect_eq(bad, 0);
	cr_assert_eq(m.n, 4);
	cr_expect_eq(m.v[0].start, 0x7f0000001000ull);
	cr_expect_eq(m.v[0].size, 0x80);
	cr_expect_str_eq(m.v[0].name, "Interpreter", "\\r stripped");
	cr_expect_eq(m.v[1].start, 0x7f0000002000ull);
	cr_expect_eq(m.v[1].size, 0x100);
	cr_expect_str_eq(m.v[1].name, "LazyCompile:~foo bar.js:12");
	cr_expect_eq(m.v[2].size, 0x10);
	cr_expect_str_eq(m.v[2].name, "stub with  two spaces ");
	cr_expect_str_eq(m.v[3].name, "tabbed", "last line without newline");
	cr_expect_eq(m.file_size, strlen("7f0000002000 100 LazyCompile:~foo bar.js:12\n"
					 "0x7f0000001000 0x80 Interpreter\r\n"
					 "0X7F0000003000 0X10 stub with  two spaces \n"
					 "\t7f0000004000\t8\ttabbed"));
	perfmap_release(&m);
	cr_expect_eq(m.n, 0);
	cr_expect_null(m.v);
}

Test(perfmap, bad_lines)
{
	size_t bad;
	struct perfmap m = parse("zz 10 badhex\n"
				 "1000 0 zero size\n"
				 "ffffffffffffff00 100 wraps\n"
				 "2000 10\n"
				 "2000 10 \n"
				 "3000\n"
				 "0x 10 no digits\n"
				 "10000000000000000 10 start overflow\n"
				 "4000 10 ok\n"
				 "5000-10 junk\n"
				 "\n",
				 &bad);

	cr_expect_eq(bad, 10, "bad: %zu", bad);
	cr_assert_eq(m.n, 1);
	cr_expect_str_eq(m.v[0].name, "ok");
	perfmap_release(&m);
}

Test(perfmap, end_of_address_space)
{
	size_t bad;
	struct perfmap m = parse("ffffffffffffff00 ff top\n", &bad);

	cr_expect_eq(bad, 0, "start + size == UINT64_MAX is representable");
	cr_assert_eq(m.n, 1);
	cr_expect_not_null(perfmap_lookup(&m, UINT64_MAX - 1));
	cr_expect_null(perfmap_lookup(&m, UINT64_MAX));
	perfmap_release(&m);
}

Test(perfmap, empty_text)
{
	size_t bad = 99;
	struct perfmap m;

	cr_assert_eq(perfmap_parse("", 0, &m, &bad), 0);
	cr_expect_eq(m.n, 0);
	cr_expect_eq(bad, 0);
	cr_expect_eq(m.file_size, 0);
	cr_expect_null(perfmap_lookup(&m, 0));
	perfmap_release(&m);
}

Test(perfmap, later_line_wins_overlap)
{
	size_t bad;
	struct perfmap m = parse("1000 100 old\n"
				 "5000 10 keep\n"
				 "1080 100 new\n"
				 "1000 100 newest-same-start\n"
				 "4000 100 first\n"
				 "4000 100 second\n",
				 &bad);

	cr_expect_eq(bad, 0, "superseded entries are not bad lines");
	/* "old" and "new" both lose to "newest-same-start"; "first" to "second". */
	cr_assert_eq(m.n, 3);
	cr_expect_str_eq(m.v[0].name, "newest-same-start");
	cr_expect_str_eq(m.v[1].name, "second");
	cr_expect_str_eq(m.v[2].name, "keep");
	cr_expect_null(perfmap_lookup(&m, 0x1100), "the dropped entry's tail is gone");
	perfmap_release(&m);

	m = parse("1000 100 first-line\n0800 1000 second-line-wraps-it\n", &bad);
	cr_assert_eq(m.n, 1);
	cr_expect_str_eq(m.v[0].name, "second-line-wraps-it", "the later line wins, whatever its start");
	perfmap_release(&m);
}

Test(perfmap, lookup_edges)
{
	struct perfmap m = parse("2000 10 b\n1000 10 a\n2010 10 c\n", NULL);
	const struct perfmap_sym *s;

	cr_assert_eq(m.n, 3);
	cr_expect_null(perfmap_lookup(&m, 0xfff));
	s = perfmap_lookup(&m, 0x1000);
	cr_assert_not_null(s, "start inclusive");
	cr_expect_str_eq(s->name, "a");
	cr_expect_eq(perfmap_lookup(&m, 0x100f), s);
	cr_expect_null(perfmap_lookup(&m, 0x1010), "end exclusive");
	cr_expect_null(perfmap_lookup(&m, 0x1fff), "gap");
	cr_expect_str_eq(perfmap_lookup(&m, 0x200f)->name, "b");
	cr_expect_str_eq(perfmap_lookup(&m, 0x2010)->name, "c", "adjacent");
	cr_expect_null(perfmap_lookup(&m, 0x2020));
	cr_expect_null(perfmap_lookup(NULL, 0x1000));
	perfmap_release(&m);
}

/* A private directory per test, removed with everything in it. */
static char dir[TD_LEN];

static void mkdir_tmp(void)
{
	td_make(dir, "test_perfmap");
}

static void rm_tmp(void)
{
	td_remove(dir);
}

static void in_dir(char *path, const char *name)
{
	snprintf(path, PATH_MAX, "%s/%s", dir, name);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
}

TestSuite(perfmap_load, .init = mkdir_tmp, .fini = rm_tmp);

Test(perfmap_load, own_file)
{
	static const char text[] = "1000 10 a\nbad line\n2000 20 b c\n";
	char path[PATH_MAX], err[256] = "junk";
	struct perfmap m;

	in_dir(path, "perf-1.map");
	write_file(path, text);
	cr_assert_eq(perfmap_load_path(path, getuid(), &m, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(err, "");
	cr_assert_eq(m.n, 2);
	cr_expect_str_eq(m.v[1].name, "b c");
	cr_expect_eq(m.file_size, sizeof text - 1);
	perfmap_release(&m);
}

Test(perfmap_load, empty_file)
{
	char path[PATH_MAX];
	struct perfmap m;

	in_dir(path, "empty.map");
	write_file(path, "");
	cr_assert_eq(perfmap_load_path(path, getuid(), &m, NULL, 0), 0);
	cr_expect_eq(m.n, 0);
	cr_expect_eq(m.file_size, 0);
	perfmap_release(&m);
}

Test(perfmap_load, symlink_refused)
{
	char path[PATH_MAX], link[PATH_MAX], err[256];
	struct perfmap m;
	int r;

	in_dir(path, "target.map");
	in_dir(link, "link.map");
	write_file(path, "1000 10 a\n");
	cr_assert_eq(symlink(path, link), 0);
	r = perfmap_load_path(link, getuid(), &m, err, sizeof err);
	cr_expect(r == -EPERM || r == -ELOOP, "r = %d", r);
	cr_expect_eq(m.n, 0);
	cr_expect_not_null(strstr(err, "symbolic link"), "%s", err);
}

Test(perfmap_load, fifo_refused_without_blocking, .timeout = 5)
{
	char path[PATH_MAX], err[256];
	struct perfmap m;

	in_dir(path, "fifo.map");
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_expect_eq(perfmap_load_path(path, getuid(), &m, err, sizeof err), -EPERM);
	cr_expect_not_null(strstr(err, "not a regular file"), "%s", err);
	cr_expect_eq(m.n, 0);
}

Test(perfmap_load, directory_refused)
{
	char err[256];
	struct perfmap m;

	cr_expect_eq(perfmap_load_path(dir, getuid(), &m, err, sizeof err), -EPERM);
}

Test(perfmap_load, missing_file)
{
	char path[PATH_MAX], err[256];
	struct perfmap m;

	in_dir(path, "nope.map");
	cr_expect_eq(perfmap_load_path(path, getuid(), &m, err, sizeof err), -ENOENT);
	cr_expect_not_null(strstr(err, path), "%s", err);
	cr_expect_eq(m.n, 0);
}

Test(perfmap_load, wrong_owner_refused)
{
	char path[PATH_MAX], err[256], want[64];
	uid_t file_uid = getuid(), owner = getuid() + 1;
	struct perfmap m;

	in_dir(path, "perf-2.map");
	write_file(path, "1000 10 a\n");
	if (getuid() == 0) {
		/* root owns files it creates, and root is always trusted: give it away. */
		file_uid = 65534;
		owner = 1000;
		cr_assert_eq(chown(path, file_uid, (gid_t)-1), 0);
	}
	cr_expect_eq(perfmap_load_path(path, owner, &m, err, sizeof err), -EPERM);
	snprintf(want, sizeof want, "owned by uid %u, not the target's uid %u",
		 (unsigned)file_uid, (unsigned)owner);
	cr_expect_not_null(strstr(err, want), "%s", err);
	cr_expect_eq(m.n, 0);

	/* A short err buffer is still NUL-terminated. */
	cr_expect_eq(perfmap_load_path(path, owner, &m, err, 8), -EPERM);
	cr_expect_eq(strlen(err), 7);
}

/* Outside the suite: a skipped test does not run .fini, which would leave the directory. */
Test(perfmap_root, root_owned_trusted)
{
	char path[PATH_MAX];
	struct perfmap m;
	int r;

	if (getuid() != 0)
		cr_skip_test("needs root to own a file as root");
	mkdir_tmp();
	in_dir(path, "perf-3.map");
	write_file(path, "1000 10 a\n");
	r = perfmap_load_path(path, 1000, &m, NULL, 0);
	rm_tmp();
	cr_assert_eq(r, 0);
	cr_expect_eq(m.n, 1);
	perfmap_release(&m);
}

Test(perfmap_load, too_big_refused)
{
	char path[PATH_MAX], err[256];
	struct perfmap m;
	int fd;

	in_dir(path, "huge.map");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
	/* Sparse: costs no disk space. */
	cr_assert_eq(ftruncate(fd, ((off_t)512 << 20) + 1), 0);
	close(fd);
	cr_expect_eq(perfmap_load_path(path, getuid(), &m, err, sizeof err), -EFBIG);
	cr_expect_eq(m.n, 0);
}

Test(perfmap_load, by_pid)
{
	char path[64], err[256];
	struct perfmap m;

	cr_expect_eq(perfmap_load(0, getuid(), &m, err, sizeof err), -EINVAL);
	snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
	unlink(path);
	cr_expect_eq(perfmap_load(getpid(), getuid(), &m, err, sizeof err), -ENOENT);
	write_file(path, "abc 10 jit_fn\n");
	cr_expect_eq(perfmap_load(getpid(), getuid(), &m, err, sizeof err), 0, "%s", err);
	unlink(path);
	cr_assert_eq(m.n, 1);
	cr_expect_str_eq(perfmap_lookup(&m, 0xabc)->name, "jit_fn");
	perfmap_release(&m);
}
