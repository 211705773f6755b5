/* textscan.h — pieces for reading line-based text tables: hex fields, lines, search of the sorted result. */
#ifndef PROFTUI_TEXTSCAN_H
#define PROFTUI_TEXTSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * /proc/PID/maps, perf-PID.map and /proc/kallsyms are tables of text that
 * proftui parses into arrays sorted by address and then searches.  Their
 * readers share these three pieces.  All work on [p, end) ranges of text
 * that need not be NUL-terminated, never read past end, and allocate
 * nothing.
 */

/*
 * Parse at least one hex digit (either case, no "0x": callers that allow
 * it skip it) at *pp, stopping at end or the first non-hex character.
 * Overflow fails rather than wrapping into a plausible address.  On success
 * *out is the value and *pp moves past the digits; on failure *pp does not
 * move and *out is unspecified.
 */
bool ts_hex(const char **pp, const char *end, uint64_t *out);

/*
 * The line of text[0, len) that starts at *off: returns its start, sets
 * *linelen to its length without the '\n' and without one trailing '\r'
 * (CRLF files: the '\r' is line-ending junk, never part of a field), and
 * moves *off past the '\n'.  The last line may lack a '\n'.  NULL once *off
 * reaches len.
 */
const char *ts_line(const char *text, size_t len, size_t *off, size_t *linelen);

/*
 * For a table v of n elements, each elem bytes, sorted ascending by the
 * uint64_t at byte key_off of each element: how many keys are <= k.  That
 * is one past the only element whose range can contain k (the last one
 * starting at or before k); 0 when none can.  O(log n); v may be NULL when
 * n is 0.
 */
size_t ts_upper(const void *v, size_t n, size_t elem, size_t key_off, uint64_t k);

#endif
