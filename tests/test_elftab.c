/* test_elftab.c — reading one ELF file: the guarded open, build-id, and the shape of the function table. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proftui/elftab.h"

/* Kept out of line and static so that only .symtab names it. */
__attribute__((noinline)) static int elftab_probe(int x)
{
	return x * 3 + 1;
}

int (*volatile elftab_probe_ptr)(int) = elftab_probe;

static void read_self(struct elftab *t, GElf_Word type)
{
	Elf *e;
	int fd;

	cr_assert_eq(elftab_open("/proc/self/exe", &fd, &e, NULL), 0);
	cr_assert_eq(elftab_read(e, type, t), 0);
	elf_end(e);
	close(fd);
}

Test(elftab, own_symtab_is_sorted_and_named)
{
	struct elftab t;
	bool found = false;

	cr_assert_eq(elftab_probe_ptr(2), 7);
	read_self(&t, SHT_SYMTAB);
	cr_assert_gt(t.n, 10);
	for (size_t i = 0; i < t.n; i++) {
		const char *name = t.names + t.v[i].name;

		cr_expect_gt(t.v[i].size, 0, "%s has no span", name);
		cr_expect_neq(name[0], '\0');
		cr_expect_null(strchr(name + 1, '@'), "version left in %s", name);
		if (i)
			cr_expect_gt(t.v[i].start, t.v[i - 1].start, "not sorted at %zu", i);
		found = found || strcmp(name, "elftab_probe") == 0;
	}
	cr_expect(found, "the static probe is in .symtab");
	elftab_free(&t);
	cr_expect_eq(t.n, 0);
	cr_expect_null(t.v);
	elftab_free(&t);
}

Test(elftab, dynsym_and_missing_sections)
{
	struct elftab t;
	Elf *e;
	int fd;

	/* -rdynamic: the exported probe pointer's neighbours are in .dynsym. */
	read_self(&t, SHT_DYNSYM);
	cr_expect_gt(t.n, 0);
	elftab_free(&t);
	cr_assert_eq(elftab_open("/proc/self/exe", &fd, &e, NULL), 0);
	cr_expect_eq(elftab_read(e, SHT_LOUSER + 123, &t), -ENOENT);
	cr_expect_eq(t.n, 0);
	elf_end(e);
	close(fd);
}

Test(elftab, build_id_matches_readelf)
{
	uint8_t id[ELFTAB_BUILD_ID_MAX];
	char cmd[128], hex[2 * ELFTAB_BUILD_ID_MAX + 1] = "", want[2 * ELFTAB_BUILD_ID_MAX + 8] = "";
	FILE *p;
	int n = elftab_read_build_id("/proc/self/exe", id);

	cr_assert_gt(n, 0, "the test binary has a build-id");
	for (int i = 0; i < n; i++)
		snprintf(hex + 2 * i, sizeof(hex) - 2 * (size_t)i, "%02x", id[i]);
	snprintf(cmd, sizeof(cmd), "readelf -n /proc/%d/exe 2>/dev/null | "
		 "sed -n 's/.*Build ID: *//p'", (int)getpid());
	p = popen(cmd, "r");
	if (!p || !fgets(want, sizeof(want), p)) {
		if (p)
			pclose(p);
		cr_skip_test("readelf not available");
	}
	pclose(p);
	want[strcspn(want, "\n")] = '\0';
	cr_expect_str_eq(hex, want);
}

Test(elftab, open_refuses_what_is_not_an_elf_file)
{
	struct stat st;
	Elf *e;
	int fd;

	cr_expect_eq(elftab_open("/nonexistent/x", &fd, &e, NULL), -ENOENT);
	cr_expect_eq(elftab_open("/tmp", &fd, &e, NULL), -EINVAL);
	cr_expect_eq(elftab_open("/dev/null", &fd, &e, NULL), -EINVAL);
	cr_expect_eq(elftab_open("/proc/self/status", &fd, &e, NULL), -ENOEXEC);
	cr_expect_eq(elftab_read_build_id("/proc/self/status", (uint8_t[20]){ 0 }), -ENOEXEC);
	cr_expect_eq(elftab_read_build_id(NULL, (uint8_t[20]){ 0 }), -EINVAL);
	cr_assert_eq(elftab_open("/proc/self/exe", &fd, &e, &st), 0);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_gt(st.st_size, 0);
	elf_end(e);
	close(fd);
}
