/* textscan.c — pieces for reading line-based text tables: hex fields, lines, search of the sorted result. */
#include "proftui/textscan.h"

#include <string.h>

static int ts_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* At least one hex digit; overflow fails rather than wrapping into a plausible address. */
bool ts_hex(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int d;

	while (p < end && (d = ts_hexval(*p)) >= 0) {
		if (v > UINT64_MAX >> 4)
			return false;
		v = v << 4 | (uint64_t)d;
		p++;
	}
	if (p == *pp)
		return false;
	*out = v;
	*pp = p;
	return true;
}

const char *ts_line(const char *text, size_t len, size_t *off, size_t *linelen)
{
	const char *line, *nl;
	size_t ll;

	if (*off >= len)
		return NULL;
	line = text + *off;
	nl = memchr(line, '\n', len - *off);
	ll = nl ? (size_t)(nl - line) : len - *off;
	*off += ll + (nl != NULL);
	if (ll && line[ll - 1] == '\r')
		ll--;
	*linelen = ll;
	return line;
}

/* The key of element i, read bytewise: the table's type is the caller's. */
static uint64_t ts_key(const void *v, size_t i, size_t elem, size_t key_off)
{
	uint64_t k;

	memcpy(&k, (const char *)v + i * elem + key_off, sizeof(k));
	return k;
}

size_t ts_upper(const void *v, size_t n, size_t elem, size_t key_off, uint64_t k)
{
	size_t lo = 0, hi = n;

	/* Find the first entry starting after k; its predecessor is the candidate. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ts_key(v, mid, elem, key_off) <= k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
