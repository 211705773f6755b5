/* test_sanitize.c — unit tests for terminal-safe escaping of names (src/sanitize.c). */
#include <criterion/criterion.h>

#include <string.h>

#include "proftui/sanitize.h"

/* Sanitize with plenty of room and check both the text and the returned length. */
static void expect_sanitized(const char *in, const char *want)
{
	char out[512];
	size_t n;

	memset(out, 'Z', sizeof out);
	n = sanitize_name(in, out, sizeof out);
	cr_expect_str_eq(out, want);
	cr_expect_eq(n, strlen(want), "length %zu for \"%s\"", n, want);
}

Test(sanitize, printable_passes)
{
	expect_sanitized("main", "main");
	expect_sanitized("std::vector<int>::push_back(int&&) [clone .cold]",
			 "std::vector<int>::push_back(int&&) [clone .cold]");
	expect_sanitized("C:\\jit\\x41", "C:\\jit\\x41");
	expect_sanitized("", "");
}

Test(sanitize, valid_multibyte_unchanged)
{
	expect_sanitized("caf\xC3\xA9", "caf\xC3\xA9");
	expect_sanitized("\xE6\xBC\xA2\xE5\xAD\x97", "\xE6\xBC\xA2\xE5\xAD\x97");
	expect_sanitized("\xF0\x9F\x94\xA5 hot", "\xF0\x9F\x94\xA5 hot");
	/* Just outside the escaped ranges. */
	expect_sanitized("\xC2\xA0", "\xC2\xA0");             /* U+00A0 */
	expect_sanitized("\xE2\x80\xA9", "\xE2\x80\xA9");     /* U+2029 */
	expect_sanitized("\xE2\x80\xAF", "\xE2\x80\xAF");     /* U+202F */
	expect_sanitized("\xE2\x81\xA5", "\xE2\x81\xA5");     /* U+2065 */
	expect_sanitized("\xE2\x81\xAA", "\xE2\x81\xAA");     /* U+206A */
	expect_sanitized("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"); /* U+10FFFF */
	expect_sanitized("\xED\x9F\xBF", "\xED\x9F\xBF");     /* U+D7FF */
}

Test(sanitize, c0_and_del)
{
	expect_sanitized("\x1b[2J\x1b[31mred", "\\x1B[2J\\x1B[31mred");
	expect_sanitized("\x1b]0;title\x07", "\\x1B]0;title\\x07");
	expect_sanitized("a\tb\nc\rd\x7f" "e", "a\\x09b\\x0Ac\\x0Dd\\x7Fe");
	expect_sanitized("\x01\x1f", "\\x01\\x1F");
}

Test(sanitize, c1_controls)
{
	expect_sanitized("\xC2\x9B" "31m", "\\xC2\\x9B31m");    /* CSI */
	expect_sanitized("\xC2\x80\xC2\x9F", "\\xC2\\x80\\xC2\\x9F");
}

Test(sanitize, bidi_controls)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE, U+202A, U+2066 and U+2069. */
	expect_sanitized("evil\xE2\x80\xAEtxt.exe", "evil\\xE2\\x80\\xAEtxt.exe");
	expect_sanitized("\xE2\x80\xAA", "\\xE2\\x80\\xAA");
	expect_sanitized("\xE2\x81\xA6x\xE2\x81\xA9", "\\xE2\\x81\\xA6x\\xE2\\x81\\xA9");
}

Test(sanitize, invalid_utf8)
{
	expect_sanitized("a\xFF" "b", "a\\xFFb");
	expect_sanitized("\x80", "\\x80");                      /* lone continuation */
	expect_sanitized("\xC0\xAF", "\\xC0\\xAF");             /* overlong '/' */
	expect_sanitized("\xE0\x80\xAF", "\\xE0\\x80\\xAF");    /* overlong 3-byte */
	expect_sanitized("\xF0\x80\x80\xAF", "\\xF0\\x80\\x80\\xAF");
	expect_sanitized("\xED\xA0\x80", "\\xED\\xA0\\x80");    /* surrogate U+D800 */
	expect_sanitized("\xF4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"); /* U+110000 */
	expect_sanitized("\xF5\x80\x80\x80", "\\xF5\\x80\\x80\\x80");
	/* Truncated sequences: each byte escaped, the next valid character kept. */
	expect_sanitized("\xE6\xBC", "\\xE6\\xBC");
	expect_sanitized("\xE6\xBC" "x", "\\xE6\\xBCx");
	expect_sanitized("\xF0\x9F\x94" "\xC3\xA9", "\\xF0\\x9F\\x94\xC3\xA9");
}

Test(sanitize, truncation_never_cuts)
{
	char out[16];

	memset(out, 'Z', sizeof out);
	cr_expect_eq(sanitize_name("abc", out, 3), 2);
	cr_expect_str_eq(out, "ab");

	/* "a" + U+6F22 (3 bytes) needs 5 bytes with the NUL. */
	cr_expect_eq(sanitize_name("a\xE6\xBC\xA2", out, 4), 1);
	cr_expect_str_eq(out, "a");
	cr_expect_eq(sanitize_name("a\xE6\xBC\xA2", out, 5), 4);
	cr_expect_str_eq(out, "a\xE6\xBC\xA2");

	/* An escape is 4 bytes: all or nothing. */
	for (size_t len = 2; len < 6; len++) {
		cr_expect_eq(sanitize_name("a\x1b", out, len), 1, "outlen %zu", len);
		cr_expect_str_eq(out, "a");
	}
	cr_expect_eq(sanitize_name("a\x1b", out, 6), 5);
	cr_expect_str_eq(out, "a\\x1B");

	/* An escaped bidi control is one 12-byte unit. */
	cr_expect_eq(sanitize_name("\xE2\x80\xAE", out, 12), 0);
	cr_expect_str_eq(out, "");
	cr_expect_eq(sanitize_name("\xE2\x80\xAE", out, 13), 12);

	/* Stops at the first unit that does not fit, even if a later one would. */
	cr_expect_eq(sanitize_name("\xF0\x9F\x94\xA5" "b", out, 4), 0);
	cr_expect_str_eq(out, "");
}

Test(sanitize, tiny_outlen)
{
	char out[2] = { 'Z', 'Z' };

	cr_expect_eq(sanitize_name("abc", out, 0), 0);
	cr_expect_eq(out[0], 'Z', "outlen 0 writes nothing");
	cr_expect_eq(sanitize_name("abc", out, 1), 0);
	cr_expect_eq(out[0], '\0');
	cr_expect_eq(out[1], 'Z');
	cr_expect_eq(sanitize_name(NULL, out, 2), 0);
	cr_expect_eq(out[0], '\0');
}
