/* test_maps.c — unit tests for the /proc/PID/maps parser (src/maps.c). */
#include <criterion/criterion.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proftui/maps.h"

static const char sample[] =
	"00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon\n"
	"00651000-00652000 rw-p 00051000 08:02 173521      /usr/bin/dbus-daemon\n"
	"00e03000-00e24000 rw-p 00000000 00:00 0                                  [heap]\n"
	"zzzz-7f0000000000 r-xp 00000000 00:00 0          /bad/hex\n"
	"7f0000000000-7f0000001000 rw-s 00001000 fd:01 1234567   /tmp/my file  with spaces.so\n"
	"7f0000001000-7f0000002000 r-xp 00000000 103:0a 42   /memfd:jit (deleted)\n"
	"7f0000003000-7f0000004000 rw-p 00000000 00:00 0 \n"
	"7f0000005000-7f0000004000 r--p 00000000 00:00 0   /end/before/start\n"
	"7f0000006000-7f0000007000 r--p\n"
	"1ffffffffffffffff-2ffffffffffffffff r--p 00000000 00:00 0   /overflow\n"
	"7f0000008000-7f0000009000 rwxq 00000000 00:00 0   /bad/perms\n"
	"7f000000a000-7f000000b000 r--p 00000000 00:00 99999999999999999999   /inode/overflow\n"
	"\n"
	"7f000000c000-7f000000d000 r--p 00002000 00:00 7   /crlf\r\n"
	"7fff00000000-7fff00021000 rw-p 00000000 00:00 0                          [stack]\n"
	"7fff00100000-7fff00102000 r-xp 00000000 00:00 0                          [vdso]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]";

static struct maps parse_sample(size_t *bad)
{
	struct maps m;

	cr_assert_eq(maps_parse(sample, sizeof sample - 1, &m, bad), 0);
	return m;
}

Test(maps, parses_fields)
{
	size_t bad;
	struct maps m = parse_sample(&bad);

	cr_assert_eq(bad, 7, "bad lines: %zu", bad);
	cr_assert_eq(m.n, 10, "entries: %zu", m.n);

	cr_expect_eq(m.v[0].start, 0x400000);
	cr_expect_eq(m.v[0].end, 0x452000);
	cr_expect(m.v[0].r && !m.v[0].w && m.v[0].x && m.v[0].p);
	cr_expect_eq(m.v[0].dev_major, 8);
	cr_expect_eq(m.v[0].dev_minor, 2);
	cr_expect_eq(m.v[0].inode, 173521);
	cr_expect_str_eq(m.v[0].path, "/usr/bin/dbus-daemon");
	cr_expect(!m.v[0].deleted);

	cr_expect_eq(m.v[1].pgoff, 0x51000);
	cr_expect_str_eq(m.v[2].path, "[heap]");

	cr_expect_str_eq(m.v[3].path, "/tmp/my file  with spaces.so");
	cr_expect(m.v[3].w && !m.v[3].p, "shared mapping");
	cr_expect_eq(m.v[3].dev_major, 0xfd);
	cr_expect_eq(m.v[3].dev_minor, 1);
	cr_expect_eq(m.v[3].pgoff, 0x1000);

	cr_expect_str_eq(m.v[4].path, "/memfd:jit");
	cr_expect(m.v[4].deleted);
	cr_expect_eq(m.v[4].dev_major, 0x103);
	cr_expect_eq(m.v[4].dev_minor, 0xa);

	cr_expect_str_eq(m.v[5].path, "", "anonymous");
	cr_expect_str_eq(m.v[6].path, "/crlf");
	cr_expect_eq(m.v[6].inode, 7);
	cr_expect_str_eq(m.v[7].path, "[stack]");
	cr_expect_str_eq(m.v[8].path, "[vdso]");

	cr_expect_str_eq(m.v[9].path, "[vsyscall]", "last line without newline");
	cr_expect_eq(m.v[9].start, 0xffffffffff600000ull);
	cr_expect(!m.v[9].r && m.v[9].x);

	for (size_t i = 1; i < m.n; i++)
		cr_expect_lt(m.v[i - 1].end, m.v[i].start + 1, "sorted, disjoint at %zu", i);
	maps_release(&m);
	cr_expect_eq(m.n, 0);
	cr_expect_null(m.v);
}

Test(maps, bad_may_be_null_and_empty_text)
{
	struct maps m;

	cr_assert_eq(maps_parse(sample, sizeof sample - 1, &m, NULL), 0);
	cr_expect_eq(m.n, 10);
	maps_release(&m);
	cr_assert_eq(maps_parse("", 0, &m, NULL), 0);
	cr_expect_eq(m.n, 0);
	maps_release(&m);
}

Test(maps, find_edges)
{
	struct maps m = parse_sample(NULL);
	const struct map_entry *e;

	cr_expect_null(maps_find(&m, 0), "before the first mapping");
	cr_expect_null(maps_find(&m, 0x3fffff));
	e = maps_find(&m, 0x400000);
	cr_assert_not_null(e, "start is inclusive");
	cr_expect_eq(e->start, 0x400000);
	cr_expect_eq(maps_find(&m, 0x451fff), e, "last byte");
	cr_expect_null(maps_find(&m, 0x452000), "end is exclusive");
	cr_expect_null(maps_find(&m, 0x500000), "gap");
	e = maps_find(&m, 0x7f0000001800);
	cr_assert_not_null(e);
	cr_expect_str_eq(e->path, "/memfd:jit");
	e = maps_find(&m, 0xffffffffff600fffull);
	cr_assert_not_null(e);
	cr_expect_str_eq(e->path, "[vsyscall]");
	cr_expect_null(maps_find(&m, 0xffffffffff601000ull));
	cr_expect_null(maps_find(&m, UINT64_MAX));
	maps_release(&m);

	m = (struct maps){ 0 };
	cr_expect_null(maps_find(&m, 0x400000), "empty table");
	cr_expect_null(maps_find(NULL, 0x400000));
}

Test(maps, unsorted_and_overlapping)
{
	static const char text[] =
		"3000-4000 r--p 00000000 00:00 0 /c\n"
		"1000-2000 r--p 00000000 00:00 0 /a\n"
		"1800-2800 r--p 00000000 00:00 0 /overlaps-a\n"
		"2000-3000 r--p 00000000 00:00 0 /b\n";
	struct maps m;
	size_t bad;

	cr_assert_eq(maps_parse(text, sizeof text - 1, &m, &bad), 0);
	cr_expect_eq(bad, 1, "the overlap is counted: %zu", bad);
	cr_assert_eq(m.n, 3);
	cr_expect_str_eq(m.v[0].path, "/a");
	cr_expect_str_eq(m.v[1].path, "/b");
	cr_expect_str_eq(m.v[2].path, "/c");
	maps_release(&m);
}

Test(maps, path_length_cap)
{
	const size_t cap = (size_t)PATH_MAX * 4;
	const char *head = "1000-2000 r--p 00000000 00:00 1 ";
	size_t hl = strlen(head);
	char *text = malloc(hl + cap + 2);
	struct maps m;
	size_t bad;

	cr_assert_not_null(text);
	memcpy(text, head, hl);
	text[hl] = '/';
	memset(text + hl + 1, 'a', cap);
	/* cap + 1 bytes of path: one too many. */
	cr_assert_eq(maps_parse(text, hl + cap + 1, &m, &bad), 0);
	cr_expect_eq(m.n, 0);
	cr_expect_eq(bad, 1);
	maps_release(&m);
	/* exactly cap bytes: accepted. */
	cr_assert_eq(maps_parse(text, hl + cap, &m, &bad), 0);
	cr_assert_eq(m.n, 1);
	cr_expect_eq(bad, 0);
	cr_expect_eq(strlen(m.v[0].path), cap);
	maps_release(&m);
	free(text);
}

Test(maps, embedded_nul_is_bad)
{
	static const char text[] = "1000-2000 r--p 00000000 00:00 1 /a\0b\n";
	struct maps m;
	size_t bad;

	cr_assert_eq(maps_parse(text, sizeof text - 1, &m, &bad), 0);
	cr_expect_eq(m.n, 0);
	cr_expect_eq(bad, 1);
	maps_release(&m);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(maps, thirty_thousand_lines)
{
	const size_t lines = 30000, per = 160;
	char *text = malloc(lines * per);
	size_t len = 0, bad;
	struct maps m;
	double t;

	cr_assert_not_null(text);
	for (size_t i = 0; i < lines; i++) {
		uint64_t start = 0x7f0000000000ull + (uint64_t)i * 0x2000;

		len += (size_t)snprintf(text + len, per,
					"%llx-%llx r-xp %08zx 08:01 %zu   /usr/lib/lib %zu.so\n",
					(unsigned long long)start,
					(unsigned long long)start + 0x1000, i * 0x1000, i, i);
	}
	t = now();
	cr_assert_eq(maps_parse(text, len, &m, &bad), 0);
	t = now() - t;
	cr_expect_eq(bad, 0);
	cr_assert_eq(m.n, lines);
	for (size_t i = 0; i < lines; i += 997) {
		char want[64];

		snprintf(want, sizeof want, "/usr/lib/lib %zu.so", i);
		cr_expect_str_eq(m.v[i].path, want);
		cr_expect_eq(m.v[i].inode, i);
		cr_expect_eq(m.v[i].pgoff, i * 0x1000);
		cr_expect_eq(maps_find(&m, m.v[i].start + 0xfff), &m.v[i]);
		cr_expect_null(maps_find(&m, m.v[i].end));
	}
	/* Generous even under sanitizers; a quadratic parser takes far longer. */
	cr_expect_lt(t, 1.0, "parse took %.3f s", t);
	maps_release(&m);
	free(text);
}

/* Only its address matters: it lives in the test binary's text. */
static int probe_function(int x)
{
	return x * 3 + 1;
}

Test(maps, read_self)
{
	char exe[PATH_MAX];
	ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
	volatile int on_stack = probe_function(1);
	void *heap = malloc(64);
	const struct map_entry *e;
	struct maps m;

	cr_assert_gt(el, 0);
	exe[el] = '\0';
	cr_assert_not_null(heap);
	cr_assert_eq(maps_read(getpid(), &m), 0);
	cr_assert_gt(m.n, 5);

	e = maps_find(&m, (uint64_t)(uintptr_t)probe_function);
	cr_assert_not_null(e, "code mapping");
	cr_expect(e->x && e->r && !e->w);
	cr_expect_str_eq(e->path, exe);
	cr_expect_neq(e->inode, 0);

	e = maps_find(&m, (uint64_t)(uintptr_t)&on_stack);
	cr_assert_not_null(e, "stack mapping");
	cr_expect(e->r && e->w && !e->x);

	e = maps_find(&m, (uint64_t)(uintptr_t)heap);
	cr_assert_not_null(e, "heap mapping");
	cr_expect(e->r && e->w);
	free(heap);
	maps_release(&m);
}

Test(maps, read_missing_pid)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	struct maps m = { 0 };
	long pid_max = 0;

	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%ld", &pid_max), 1);
	fclose(f);
	/* PIDs are always below pid_max, so this one cannot exist. */
	cr_expect_eq(maps_read((pid_t)pid_max, &m), -ENOENT);
	cr_expect_eq(m.n, 0);
	cr_expect_null(m.v);
}

/* The plain-path road to a target's file is taken only for the same inode. */
Test(maps, same_file_by_device_and_inode)
{
	struct maps m = { 0 };
	const struct map_entry *e = NULL;

	cr_assert_eq(maps_read(getpid(), &m), 0);
	for (size_t i = 0; i < m.n && !e; i++)
		if (m.v[i].path[0] == '/' && m.v[i].inode && !m.v[i].deleted)
			e = &m.v[i];
	cr_assert_not_null(e, "no file mapping in our own maps");
	cr_assert(maps_same_file(e, e->path), "%s is not itself", e->path);
	cr_assert_not(maps_same_file(e, "/proc/self/status"));
	cr_assert_not(maps_same_file(e, "relative/path"));
	cr_assert_not(maps_same_file(e, NULL));
	{
		struct map_entry other = *e;

		other.inode++;
		cr_assert_not(maps_same_file(&other, e->path), "another inode matched");
		other = *e;
		other.dev_minor++;
		cr_assert_not(maps_same_file(&other, e->path), "another device matched");
	}
	maps_release(&m);
}
