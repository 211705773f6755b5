/* bread.c — a bounded little-endian reader over bytes nobody vouches for (DWARF call-frame information). */
#include "proftui/bread.h"

#define BREAD_LEB_MAX 10        /* bytes in a 64-bit LEB128 */

bool bread_need(struct bread *r, uint64_t n)
{
	if (r->bad || r->off > r->end || n > r->end - r->off) {
		r->bad = true;
		return false;
	}
	return true;
}

uint64_t bread_uint(struct bread *r, unsigned n)
{
	uint64_t v = 0;

	if (!bread_need(r, n))
		return 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)r->p[r->off + i] << (8 * i);
	r->off += n;
	return v;
}

uint64_t bread_sint(struct bread *r, unsigned n)
{
	uint64_t v = bread_uint(r, n), sign = 1ull << (8 * n - 1);

	return v & sign ? v | ~(sign * 2 - 1) : v;
}

uint64_t bread_leb(struct bread *r, bool sign)
{
	uint64_t v = 0;
	unsigned shift = 0;

	for (unsigned i = 0; i < BREAD_LEB_MAX; i++, shift += 7) {
		uint8_t b;

		if (!bread_need(r, 1))
			return 0;
		b = r->p[r->off++];
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (sign && shift + 7 < 64 && (b & 0x40))
				v |= ~0ull << (shift + 7);
			return v;
		}
	}
	r->bad = true;
	return 0;
}

void bread_skip(struct bread *r, uint64_t n)
{
	if (bread_need(r, n))
		r->off += (size_t)n;
}
