/* mdsection.h — the benchmarks' markdown output: a growing string, and a marked section rewritten in a file. */
#ifndef PROFTUI_BENCH_MDSECTION_H
#define PROFTUI_BENCH_MDSECTION_H

#include <stddef.h>

/* Grow-only string for a markdown section; a failed growth drops the text. */
struct sbuf {
	char *s;
	size_t len, cap;
};

void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Replace the part of the file at path from the line `begin` to the line
 * `end` (both included) with sec, or append sec when the markers are absent;
 * through a temporary file and a rename, so a failure leaves the old file
 * whole.  Returns 0 or -errno.
 */
int md_write_section(const char *path, const char *sec, const char *begin, const char *end);

#endif
