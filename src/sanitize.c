/* sanitize.c — escape target-supplied names so a terminal shows them instead of obeying them. */
#include "proftui/sanitize.h"

#include <stdbool.h>
#include <string.h>

/*
 * Backslashes are not doubled (see sanitize.h): that would garble every
 * Windows-style path a JIT emits, to guard a decoding nobody does.
 */

static bool sz_in(unsigned char c, unsigned char lo, unsigned char hi)
{
	return c >= lo && c <= hi;
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629, so no overlongs,
 * surrogates or code points past U+10FFFF), or 0 if s does not start one.
 * s is NUL-terminated and NUL is never a continuation byte, so the
 * short-circuits below never read past the end.
 */
static size_t sz_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0)
		return sz_in(s[1], 0x80, 0xBF) ? 2 : 0;
	if (c < 0xF0)
		return sz_in(s[1], c == 0xE0 ? 0xA0 : 0x80, c == 0xED ? 0x9F : 0xBF) &&
		       sz_in(s[2], 0x80, 0xBF) ? 3 : 0;
	if (c < 0xF5)
		return sz_in(s[1], c == 0xF0 ? 0x90 : 0x80, c == 0xF4 ? 0x8F : 0xBF) &&
		       sz_in(s[2], 0x80, 0xBF) && sz_in(s[3], 0x80, 0xBF) ? 4 : 0;
	return 0;
}

/* Valid UTF-8 a terminal would still act on: C0, DEL, C1 and bidi controls. */
static bool sz_is_control(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] < 0x20 || s[0] == 0x7F;
	if (n == 2)
		return s[0] == 0xC2 && s[1] < 0xA0;
	if (n == 3 && s[0] == 0xE2)
		return (s[1] == 0x80 && sz_in(s[2], 0xAA, 0xAE)) ||
		       (s[1] == 0x81 && sz_in(s[2], 0xA6, 0xA9));
	return false;
}

static void sz_escape(const unsigned char *s, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		*out++ = '\\';
		*out++ = 'x';
		*out++ = hex[s[i] >> 4];
		*out++ = hex[s[i] & 0xF];
	}
}

size_t sanitize_name(const char *in, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t o = 0;

	if (outlen == 0)
		return 0;
	while (*s) {
		size_t n = sz_seq_len(s);
		/* An invalid byte is escaped alone; decoding resumes at the next one. */
		bool esc = n == 0 || sz_is_control(s, n);
		size_t need;

		if (n == 0)
			n = 1;
		need = esc ? 4 * n : n;
		/* Stop rather than emit half a character or half an escape. */
		if (need > outlen - 1 - o)
			break;
		if (esc)
			sz_escape(s, n, out + o);
		else
			memcpy(out + o, s, n);
		o += need;
		s += n;
	}
	out[o] = '\0';
	return o;
}
