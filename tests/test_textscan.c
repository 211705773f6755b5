/* test_textscan.c — the shared text-table pieces: hex fields, line splitting, the upper-bound search. */
#include <criterion/criterion.h>

#include <stddef.h>
#include <string.h>

#include "proftui/textscan.h"

static bool hex(const char *s, uint64_t *v, size_t *used)
{
	const char *p = s;
	bool ok = ts_hex(&p, s + strlen(s), v);

	*used = (size_t)(p - s);
	return ok;
}

Test(textscan, hex_fields)
{
	uint64_t v = 7;
	size_t used;

	cr_assert(hex("7fFe-1", &v, &used));
	cr_expect_eq(v, 0x7ffe);
	cr_expect_eq(used, 4);
	cr_assert(hex("ffffffffffffffff", &v, &used));
	cr_expect_eq(v, UINT64_MAX);
	cr_expect_eq(used, 16);
	cr_assert(hex("0000000000000000001", &v, &used), "leading zeros never overflow");
	cr_expect_eq(v, 1);
	/* Failures leave the cursor where it was. */
	cr_expect_not(hex("10000000000000000", &v, &used), "17 digits overflow");
	cr_expect_eq(used, 0);
	cr_expect_not(hex("x1", &v, &used));
	cr_expect_eq(used, 0);
	cr_expect_not(hex("", &v, &used));
	cr_expect_not(hex("0x10", &v, &used) && v == 0x10, "no 0x prefix");
	/* end bounds the digits: the text need not be terminated there. */
	const char *s = "abcd", *p = s;

	cr_assert(ts_hex(&p, s + 2, &v));
	cr_expect_eq(v, 0xab);
	cr_expect_eq(p, s + 2);
}

Test(textscan, lines)
{
	static const char text[] = "one\r\ntwo\n\nlast\r";
	size_t off = 0, ll = 99, n = 0;
	const char *want[] = { "one", "two", "", "last" };
	const char *line;

	while ((line = ts_line(text, sizeof(text) - 1, &off, &ll))) {
		cr_assert_lt(n, 4);
		cr_expect_eq(ll, strlen(want[n]), "line %zu: length %zu", n, ll);
		cr_expect(!memcmp(line, want[n], ll), "line %zu: '%.*s'", n, (int)ll, line);
		n++;
	}
	cr_expect_eq(n, 4);
	cr_expect_eq(off, sizeof(text) - 1);
	off = 0;
	cr_expect_null(ts_line(NULL, 0, &off, &ll), "empty text: no line");
	/* A lone "\r" is an empty line; only one '\r' goes. */
	off = 0;
	line = ts_line("\r\r\n", 3, &off, &ll);
	cr_assert_not_null(line);
	cr_expect_eq(ll, 1);
	cr_expect_eq(off, 3);
	cr_expect_null(ts_line("\r\r\n", 3, &off, &ll));
}

struct ent {
	char tag;
	uint64_t start;
};

Test(textscan, upper_bound)
{
	static const struct ent v[] = { { 'a', 10 }, { 'b', 20 }, { 'c', 20 }, { 'd', 35 } };
	size_t n = sizeof(v) / sizeof(v[0]), k = offsetof(struct ent, start);

	cr_expect_eq(ts_upper(v, n, sizeof(v[0]), k, 0), 0);
	cr_expect_eq(ts_upper(v, n, sizeof(v[0]), k, 9), 0);
	cr_expect_eq(ts_upper(v, n, sizeof(v[0]), k, 10), 1);
	cr_expect_eq(ts_upper(v, n, sizeof(v[0]), k, 19), 1);
	cr_expect_eq(ts_upper(v, n, sizeof(v[0]), k, 20), 3, "past every equal key");
	cr_expect_eq(ts_upper(v, n, sizeof(v[0]), k, 34), 3);
	cr_expect_eq(ts_upper(v, n, sizeof(v[0]), k, UINT64_MAX), 4);
	cr_expect_eq(ts_upper(NULL, 0, sizeof(v[0]), k, 5), 0);
	cr_expect_eq(ts_upper(v, 1, sizeof(v[0]), k, 11), 1);
}
