/* sanitize.h — make names from the target safe to print on a terminal or in text files. */
#ifndef PROFTUI_SANITIZE_H
#define PROFTUI_SANITIZE_H

#include <stddef.h>

/*
 * Copy `in` to `out` (size outlen, always NUL-terminated), escaping every byte
 * a terminal could interpret: C0 controls, DEL, C1 controls (U+0080..U+009F),
 * Unicode bidi controls (U+202A..U+202E, U+2066..U+2069) and invalid UTF-8
 * become "\xNN" per byte.  Valid printable UTF-8 passes through.  A sequence
 * or escape is never cut: output stops before the first one that does not fit.
 * A backslash passes through unchanged, so the output is for reading only: a
 * name that literally contains "\x1B" looks like an escape.  NULL `in` is "".
 * Returns the length written, not counting the NUL (0 when outlen is 0).
 */
size_t sanitize_name(const char *in, char *out, size_t outlen);

#endif
