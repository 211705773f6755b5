/* fuzz_sanitize.c — libFuzzer target for sanitize_name: the output is always safe to print. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strict UTF-8 with no C0, DEL, C1 or bidi control left in it. */
static bool safe_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len = c < 0x80 ? 1 : c >= 0xC2 && c < 0xE0 ? 2 : c >= 0xE0 && c < 0xF0 ? 3 :
			     c >= 0xF0 && c < 0xF5 ? 4 : 0;
		uint32_t cp;

		if (len == 0 || len > n - i)
			return false;
		cp = len == 1 ? c : c & (0x7F >> len);
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			return false;
		i += len;
	}
	return true;
}

/*
 * out must be what a whole-character prefix of `in` sanitizes to, so that no
 * character or escape was cut.  Quadratic, so only for short inputs.
 */
static bool cut_on_boundary(char *in, const char *out, size_t n)
{
	size_t len = strlen(in);
	char tmp[4 * 64 + 1];
	bool found = false;

	if (len > 64)
		return true;
	for (size_t k = 0; k <= len && !found; k++) {
		char saved = in[k];

		in[k] = '\0';
		found = sanitize_name(in, tmp, sizeof tmp) == n && memcmp(tmp, out, n) == 0;
		in[k] = saved;
	}
	return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t outlen, full_len, n;
	char *in, *full, *out;

	if (size < 1)
		return 0;
	/* The first byte picks a small output size, to exercise truncation. */
	outlen = data[0];
	in = malloc(size);
	full = malloc(4 * size + 1);
	out = malloc(outlen ? outlen : 1);
	if (!in || !full || !out)
		abort();
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';

	full_len = sanitize_name(in, full, 4 * size + 1);
	if (full[full_len] != '\0' || strlen(full) != full_len ||
	    !safe_utf8((const unsigned char *)full, full_len))
		abort();
	n = sanitize_name(in, out, outlen);
	/* A shorter output is a prefix of the full one, cut between whole units. */
	if (outlen > 0 && (n >= outlen || out[n] != '\0' || memcmp(out, full, n) != 0 ||
			   !safe_utf8((const unsigned char *)out, n)))
		abort();
	if (outlen == 0 && n != 0)
		abort();
	/* It stopped only for want of room: the longest unit, an escaped bidi control, is 12 bytes. */
	if (outlen > 0 && n < full_len && (outlen - 1 - n >= 12 || !cut_on_boundary(in, out, n)))
		abort();
	free(in);
	free(full);
	free(out);
	return 0;
}
