/* test_kallsyms.c — the kallsyms table on synthetic files: aliases, spans, non-text bounds, hidden addresses. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proftui/kallsyms.h"

static char path[] = "/tmp/test_kallsyms.XXXXXX";
static struct kallsyms ks;

static void load(const char *text)
{
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	memset(&ks, 0, sizeof(ks));
	cr_assert_eq(kallsyms_load(&ks, path), 0);
	unlink(path);
	strcpy(path, "/tmp/test_kallsyms.XXXXXX");
}

static void teardown(void)
{
	kallsyms_release(&ks);
}

TestSuite(kallsyms, .fini = teardown);

static void expect(uint64_t addr, const char *name, uint64_t off)
{
	uint64_t got = 99;
	const char *s = kallsyms_lookup(&ks, addr, &got);

	if (!name) {
		cr_expect_null(s, "%#llx: got %s, want none", (unsigned long long)addr, s);
		cr_expect_eq(got, 0);
		return;
	}
	cr_assert_not_null(s, "%#llx: got none, want %s", (unsigned long long)addr, name);
	cr_expect_str_eq(s, name);
	cr_expect_eq(got, off, "%#llx: offset %llu, want %llu", (unsigned long long)addr,
		     (unsigned long long)got, (unsigned long long)off);
}

Test(kallsyms, aliases_spans_and_bounds)
{
	load("ffffffff81000100 t local_alias\n"
	     "ffffffff81000000 T _stext\n"
	     "ffffffff81000100 T do_work\n"
	     "ffffffff81000100 W weak_alias\n"
	     "ffffffff81000200 d some_data\n"
	     "ffffffff81000300 t helper\t[mymod]\n"
	     "ffffffff81000400 T last\n"
	     "not a line\n"
	     "ffffffff81000500 T\n");
	expect(0xffffffff81000000, "_stext", 0);
	expect(0xffffffff810000ff, "_stext", 0xff);
	expect(0xffffffff81000100, "do_work", 0);   /* T wins over t and W */
	expect(0xffffffff810001ff, "do_work", 0xff);
	expect(0xffffffff81000200, NULL, 0);        /* data: ends do_work, names nothing */
	expect(0xffffffff81000302, "helper", 2);    /* the module column is not the name */
	expect(0xffffffff81000400, "last", 0);
	expect(0xffffffff81000401, NULL, 0);        /* the last symbol owns its first byte */
	expect(0xffffffff80ffffff, NULL, 0);        /* below everything */
	expect(0, NULL, 0);
	cr_expect_not_null(kallsyms_lookup(&ks, 0xffffffff81000000, NULL), "sym_off may be NULL");
}

Test(kallsyms, span_is_capped)
{
	load("ffffffff81000000 T huge\n"
	     "ffffffff90000000 T far\n");
	expect(0xffffffff810fffff, "huge", 0xfffff);
	expect(0xffffffff81100000, NULL, 0);        /* 1 MiB on: no function is that big */
	expect(0xffffffff90000000, "far", 0);
}

Test(kallsyms, top_of_the_address_space)
{
	/* Found by fuzz_kcache: the last symbol's end, addr + 1, wrapped to 0. */
	load("fffffffffffffff0 T below\n"
	     "ffffffffffffffff T top\n");
	expect(0xfffffffffffffffe, "below", 0xe);
	expect(0xffffffffffffffff, "top", 0);
}

Test(kallsyms, rank_then_earlier_line_wins)
{
	load("1000 T first\n"
	     "1000 T second\n"
	     "2000 w lower\n"
	     "2000 t upper\n"
	     "3000 W weak_first\n"
	     "3000 T strong\n");
	expect(0x1000, "first", 0);
	expect(0x2000, "upper", 0);
	expect(0x3000, "strong", 0);   /* rank before line order */
	cr_expect_eq(ks.n, 3);
}

Test(kallsyms, hidden_addresses_give_an_empty_table)
{
	load("0000000000000000 T _stext\n"
	     "0000000000000000 T do_work\n");
	cr_expect_eq(ks.n, 0);
	expect(0, NULL, 0);
	expect(0x1000, NULL, 0);
}

Test(kallsyms, missing_file_and_empty_table)
{
	struct kallsyms none = { 0 };

	cr_expect_eq(kallsyms_load(&none, "/nonexistent/kallsyms"), -ENOENT);
	cr_expect_eq(none.n, 0);
	cr_expect_null(kallsyms_lookup(&none, 0x1000, NULL));
	kallsyms_release(&none);
	kallsyms_release(&none);
	load("");
	cr_expect_eq(ks.n, 0);
}

Test(kallsyms, long_names_are_cut)
{
	char *text = malloc(6000 + 32);
	const char *s;

	cr_assert_not_null(text);
	strcpy(text, "1000 T ");
	memset(text + 7, 'n', 5000);
	strcpy(text + 7 + 5000, "\n2000 T next\n");
	load(text);
	free(text);
	s = kallsyms_lookup(&ks, 0x1000, NULL);
	cr_assert_not_null(s);
	cr_expect_eq(strlen(s), 4095);
	expect(0x2000, "next", 0);
}
