/* sanitize.h — make names from the target safe to print on a terminal or in text files. */
#ifndef PROFTUI_SANITIZE_H
#define PROFTUI_SANITIZE_H

#include <stddef.h>

/*
 * Copy `in` to `out` (size outlen, always NUL-terminated), escaping every byte
 * a terminal could interpret: C0 controls, DEL, C1 controls (U+0080..U+009F),
 * Unicode bidi controls (U+202A..U+202E, U+2066..U+2069) and invalid UTF-8
 * become "\xNN" per byte.  Valid printable UTF-8 passes through.  A sequence
 * is never cut in the middle.  Returns the length written.
 */
size_t sanitize_name(const char *in, char *out, size_t outlen);

#endif
