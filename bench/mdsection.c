/* mdsection.c — the benchmarks' markdown output: a growing string, and a marked section rewritten in a file. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mdsection.h"

/* Replace the marked section of path with sec (append when absent); via a
 * temporary file and rename so a failure leaves the old file whole. */
int md_write_section(const char *path, const char *sec, const char *begin, const char *end)
{
	FILE *f = fopen(path, "r");
	char *old = NULL, *b, *e, tmp[4096];
	size_t len = 0;
	FILE *o;
	int rc = 0;

	if (f) {
		long sz;

		if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
		    (old = malloc((size_t)sz + 1)))
			len = fread(old, 1, (size_t)sz, f);
		fclose(f);
		if (!old)
			return -ENOMEM;
		old[len] = '\0';
	}
	snprintf(tmp, sizeof(tmp), "%s.bench.tmp", path);
	if (!(o = fopen(tmp, "w"))) {
		free(old);
		return -errno;
	}
	b = old ? strstr(old, begin) : NULL;
	e = b ? strstr(b, end) : NULL;
	if (b && e) {
		e += strlen(end);
		if (*e == '\n')
			e++;
		fwrite(old, 1, (size_t)(b - old), o);
		fputs(sec, o);
		fputs(e, o);
	} else {
		if (old) {
			fputs(old, o);
			if (len && old[len - 1] != '\n')
				fputc('\n', o);
			fputc('\n', o);
		}
		fputs(sec, o);
	}
	if (ferror(o))
		rc = -EIO;
	if (fclose(o) != 0 && !rc)
		rc = -EIO;
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	free(old);
	return rc;
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
		char *s = realloc(b->s, cap);

		if (!s)
			return;
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

