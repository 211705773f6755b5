/* test_safefile.c — safe writes: all or nothing, symlinks replaced not followed, odd targets refused. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proftui/safefile.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/test_safefile.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

/* Leaves nothing behind, and asserts on the way that no temporary was left. */
static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

TestSuite(safefile, .init = setup, .fini = teardown);

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* Entries in the test directory besides . and .. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	cr_assert_geq(fputs(text, f), 0);
	cr_assert_eq(fclose(f), 0);
}

/* The whole file, NUL-terminated (caller frees). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_not_null(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_ok(const char *path, const char *text)
{
	struct safefile sf;
	char err[512];

	cr_assert_eq(safefile_open(&sf, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(sf.fp);
	cr_assert_geq(fputs(text, sf.fp), 0);
	cr_assert_eq(safefile_commit(&sf, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(sf.fp);
	cr_assert_null(sf.tmp);
}

Test(safefile, writes_a_new_file_with_the_umask_mode)
{
	char path[256];
	struct stat st;
	char *got;
	mode_t old = umask(022);

	path_in(path, sizeof(path), "new.snap");
	write_ok(path, "hello\nworld\n");
	umask(old);
	got = slurp(path);
	cr_assert_str_eq(got, "hello\nworld\n");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0644, "mode %o", st.st_mode & 0777);
	cr_assert_eq(entries(), 1, "a temporary file was left behind");
	free(got);
}

Test(safefile, temporary_sits_beside_the_target_until_commit)
{
	char path[256], err[512];
	struct safefile sf;
	struct stat st;

	path_in(path, sizeof(path), "t.svg");
	cr_assert_eq(safefile_open(&sf, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(strncmp(sf.tmp, dir, strlen(dir)), 0);
	cr_assert_eq(strncmp(sf.tmp + strlen(dir), "/.t.svg.", 8), 0, "%s", sf.tmp);
	cr_assert_eq(lstat(sf.tmp, &st), 0);
	cr_assert_eq(lstat(path, &st), -1, "the target appeared before commit");
	fputs("x", sf.fp);
	cr_assert_eq(safefile_commit(&sf, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(entries(), 1);
}

Test(safefile, replacing_keeps_a_private_files_mode)
{
	char path[256];
	struct stat st;
	char *got;

	path_in(path, sizeof(path), "private.snap");
	put(path, "old");
	cr_assert_eq(chmod(path, 0600), 0);
	write_ok(path, "new");
	got = slurp(path);
	cr_assert_str_eq(got, "new");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	free(got);
}

Test(safefile, symlink_is_replaced_not_followed)
{
	char path[256], pointee[256];
	struct stat st;
	char *got;

	path_in(path, sizeof(path), "link.snap");
	path_in(pointee, sizeof(pointee), "pointee");
	put(pointee, "precious");
	cr_assert_eq(symlink(pointee, path), 0);
	write_ok(path, "written");
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert(S_ISREG(st.st_mode), "the link is still there");
	got = slurp(pointee);
	cr_assert_str_eq(got, "precious");
	free(got);
	got = slurp(path);
	cr_assert_str_eq(got, "written");
	free(got);
	cr_assert_eq(entries(), 2);
}

Test(safefile, dangling_symlink_is_replaced_and_its_target_not_created)
{
	char path[256], pointee[256];
	struct stat st;

	path_in(path, sizeof(path), "dangling");
	path_in(pointee, sizeof(pointee), "nowhere");
	cr_assert_eq(symlink(pointee, path), 0);
	write_ok(path, "x");
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(lstat(pointee, &st), -1);
}

Test(safefile, fifo_refused_without_blocking, .timeout = 10)
{
	char path[256], err[512];
	struct safefile sf;

	path_in(path, sizeof(path), "fifo");
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(safefile_open(&sf, path, err, sizeof(err)), -EINVAL);
	cr_assert_null(sf.fp);
	cr_assert_null(sf.tmp);
	cr_assert_null(sf.path);
	cr_assert_eq(strncmp(err, "cannot write /tmp/test_safefile.", 32), 0, "%s", err);
	cr_assert_not_null(strstr(err, "/fifo: it is a FIFO; choose a regular file name"), "%s",
			   err);
	cr_assert_eq(entries(), 1);
	safefile_abort(&sf);	/* safe after a failed open */
}

Test(safefile, directory_and_device_refused)
{
	char err[512];
	struct safefile sf;

	cr_assert_eq(safefile_open(&sf, dir, err, sizeof(err)), -EISDIR);
	cr_assert_not_null(strstr(err, "it is a directory"), "%s", err);
	cr_assert_eq(safefile_open(&sf, "/dev/null", err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "cannot write /dev/null: it is a character device;"
			 " choose a regular file name");
	cr_assert_eq(safefile_open(&sf, "", err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "no file name"));
	cr_assert_eq(entries(), 0);
}

Test(safefile, unwritable_places_fail_with_the_reason)
{
	char path[256], err[512];
	struct safefile sf;

	path_in(path, sizeof(path), "missing/dir/out.snap");
	cr_assert_eq(safefile_open(&sf, path, err, sizeof(err)), -ENOENT);
	cr_assert_not_null(strstr(err, "missing/dir/out.snap: No such file or directory"), "%s",
			   err);
	cr_assert_null(sf.fp);
	/* Even root cannot create files in /proc: the existing file stays. */
	cr_assert_lt(safefile_open(&sf, "/proc/version", err, sizeof(err)), 0);
	cr_assert_eq(strncmp(err, "cannot write /proc/version: ", 28), 0, "%s", err);
	cr_assert_null(sf.tmp);
}

Test(safefile, abort_leaves_the_old_file_and_no_temporary)
{
	char path[256], err[512];
	struct safefile sf;
	char *got;

	path_in(path, sizeof(path), "keep.snap");
	put(path, "old content");
	cr_assert_eq(safefile_open(&sf, path, err, sizeof(err)), 0, "%s", err);
	fputs("half a new file", sf.fp);
	safefile_abort(&sf);
	safefile_abort(&sf);
	cr_assert_eq(entries(), 1);
	got = slurp(path);
	cr_assert_str_eq(got, "old content");
	free(got);
	cr_assert_eq(safefile_commit(&sf, err, sizeof(err)), -EINVAL);
}

/*
 * A failed save loses nothing: with RLIMIT_FSIZE below what is written (and
 * SIGXFSZ ignored) writes fail with EFBIG, like a full disk would; the
 * commit must say so, remove the temporary and leave the old file intact.
 * Criterion runs each test in its own process, so the limit dies with it.
 */
static void failed_write(size_t bytes, const char *want)
{
	char path[256], err[512];
	struct rlimit rl = { .rlim_cur = 4096, .rlim_max = RLIM_INFINITY };
	struct safefile sf;
	char *got, *big = malloc(bytes);

	cr_assert_not_null(big);
	memset(big, 'x', bytes);
	path_in(path, sizeof(path), "out.snap");
	put(path, "previous snapshot");
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = 4096;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	cr_assert_eq(safefile_open(&sf, path, err, sizeof(err)), 0, "%s", err);
	fwrite(big, 1, bytes, sf.fp);
	cr_assert_lt(safefile_commit(&sf, err, sizeof(err)), 0);
	cr_assert_eq(strncmp(err, "cannot write ", 13), 0, "%s", err);
	cr_assert_not_null(strstr(err, want), "'%s' lacks '%s'", err, want);
	cr_assert_null(sf.fp);
	rl.rlim_cur = rl.rlim_max;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	got = slurp(path);
	cr_assert_str_eq(got, "previous snapshot");
	cr_assert_eq(entries(), 1, "the temporary file was left behind");
	free(got);
	free(big);
}

/* Small enough to sit in stdio's buffer: the error comes from fflush. */
Test(safefile, failed_flush_keeps_the_previous_file)
{
	failed_write(4096 + 100, "File too large");
}

/* Larger than the buffer: fwrite itself fails and stdio forgets why. */
Test(safefile, failed_write_keeps_the_previous_file)
{
	failed_write(1 << 20, "a write failed");
}
