/* bread.h — a bounded little-endian reader over bytes nobody vouches for (DWARF call-frame information). */
#ifndef PROFTUI_BREAD_H
#define PROFTUI_BREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A view of p[off, end).  Every read checks that its bytes lie inside the
 * view; one that does not sets `bad`, returns 0 and leaves `off` alone, and
 * `bad` stays set, so a parser may read a whole record and check once.
 * `base` is the address p[0] stands for, for callers that decode
 * pc-relative values (0 when they do not).
 */
struct bread {
	const uint8_t *p;
	size_t off, end;
	bool bad;
	uint64_t base;
};

/* Are n more bytes there?  (Sets bad when not.) */
bool bread_need(struct bread *r, uint64_t n);

/* n (1..8) bytes, little-endian; bread_sint sign-extends them. */
uint64_t bread_uint(struct bread *r, unsigned n);
uint64_t bread_sint(struct bread *r, unsigned n);

/* A LEB128 (signed when sign).  Ten bytes hold every 64-bit value: a
 * longer one is bad (libunwind would shift the extra bits away). */
uint64_t bread_leb(struct bread *r, bool sign);

/* Step over n bytes. */
void bread_skip(struct bread *r, uint64_t n);

#endif
