/* perfmap.c — load JIT symbol maps (/tmp/perf-PID.map) and look addresses up in them. */
#include "proftui/perfmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proftui/textscan.h"

/* Real maps stay in the tens of MiB; the file is written by the target, so cap it. */
#define PERFMAP_FILE_MAX ((uint64_t)512 << 20)
/* Far longer than any JIT symbol; bounds one allocation made for the target. */
#define PERFMAP_NAME_MAX ((size_t)64 << 10)

/* A parsed line with its position, which decides who wins an overlap. */
struct pm_line {
	struct perfmap_sym sym;
	size_t seq;
};

struct pm_lines {
	struct pm_line *v;
	size_t n, cap;
};

static bool pm_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Optional 0x, then at least one hex digit; overflow fails instead of wrapping. */
static bool pm_hex(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp;

	if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (!ts_hex(&p, end, out))
		return false;
	*pp = p;
	return true;
}

/* A run of at least one blank separates the fields. */
static bool pm_sep(const char **pp, const char *end)
{
	const char *p = *pp;

	while (p < end && pm_blank(*p))
		p++;
	if (p == *pp)
		return false;
	*pp = p;
	return true;
}

/* Fills sym (name not yet copied) and the name's span; false for an invalid line. */
static bool pm_fields(const char *p, const char *end, struct perfmap_sym *sym,
		      const char **name, size_t *nlen)
{
	while (p < end && pm_blank(*p))
		p++;
	if (!pm_hex(&p, end, &sym->start) || !pm_sep(&p, end) ||
	    !pm_hex(&p, end, &sym->size) || !pm_sep(&p, end))
		return false;
	/* The exclusive end start + size must be representable. */
	if (sym->size == 0 || sym->size > UINT64_MAX - sym->start)
		return false;
	*name = p;
	*nlen = (size_t)(end - p);
	/* A NUL would silently cut the name as a C string. */
	return *nlen > 0 && *nlen <= PERFMAP_NAME_MAX && !memchr(p, '\0', *nlen);
}

static int pm_grow(struct pm_lines *l)
{
	struct pm_line *v;
	size_t ncap;

	if (l->n < l->cap)
		return 0;
	ncap = l->cap ? l->cap * 2 : 256;
	if (ncap > SIZE_MAX / sizeof *v)
		return -ENOMEM;
	v = realloc(l->v, ncap * sizeof *v);
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->cap = ncap;
	return 0;
}

/* Returns 1 when added, 0 for an invalid line, or -ENOMEM. */
static int pm_add_line(struct pm_lines *l, const char *line, size_t len, size_t seq)
{
	const char *end = line + len, *name;
	struct perfmap_sym sym;
	size_t nlen;

	if (!pm_fields(line, end, &sym, &name, &nlen))
		return 0;
	if (pm_grow(l) < 0)
		return -ENOMEM;
	sym.name = strndup(name, nlen);
	if (!sym.name)
		return -ENOMEM;
	l->v[l->n++] = (struct pm_line){ sym, seq };
	return 1;
}

static int pm_cmp(const void *a, const void *b)
{
	const struct pm_line *x = a, *y = b;

	if (x->sym.start != y->sym.start)
		return x->sym.start < y->sym.start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void pm_lines_free(struct pm_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].sym.name);
	free(l->v);
	*l = (struct pm_lines){ 0 };
}

/*
 * Overlaps, resolved in address order: when an entry overlaps the last one
 * kept, the entry from the later line survives, since a runtime that writes a
 * symbol over an old one has reused that code memory.  A dropped entry hides
 * nothing any more, so in a rare chain an old entry may survive beside a newer
 * one whose newer neighbour displaced it.  Linear after the sort.
 */
static void pm_resolve(struct pm_lines *l)
{
	size_t k = 0;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, pm_cmp);
	for (size_t i = 0; i < l->n; i++) {
		struct pm_line *top = k ? &l->v[k - 1] : NULL;

		if (top && l->v[i].sym.start - top->sym.start < top->sym.size) {
			struct pm_line *loser = l->v[i].seq > top->seq ? top : &l->v[i];

			free(loser->sym.name);
			if (loser == top)
				*top = l->v[i];
			continue;
		}
		l->v[k++] = l->v[i];
	}
	l->n = k;
}

static int pm_finish(struct pm_lines *l, struct perfmap *out)
{
	struct perfmap_sym *v = NULL;

	pm_resolve(l);
	if (l->n) {
		v = malloc(l->n * sizeof *v);
		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < l->n; i++)
			v[i] = l->v[i].sym;
	}
	free(l->v);
	out->v = v;
	out->n = l->n;
	*l = (struct pm_lines){ 0 };
	return 0;
}

int perfmap_parse(const char *text, size_t len, struct perfmap *out, size_t *bad)
{
	struct pm_lines l = { 0 };
	size_t nbad = 0, off = 0, ll;
	const char *line;
	int r = 0;

	*out = (struct perfmap){ 0 };
	if (bad)
		*bad = 0;
	/* ts_line drops a CRLF's \r, which is never part of a name. */
	while (r >= 0 && (line = ts_line(text, len, &off, &ll))) {
		r = pm_add_line(&l, line, ll, l.n + nbad);
		nbad += r == 0;
	}
	if (r >= 0)
		r = pm_finish(&l, out);
	if (r < 0) {
		pm_lines_free(&l);
		return r;
	}
	out->file_size = len;
	if (bad)
		*bad = nbad;
	return 0;
}

__attribute__((format(printf, 3, 4)))
static void pm_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Only a regular file from the target's user or root is trusted; returns its size. */
static int pm_check(int fd, const char *path, uid_t owner, uint64_t *size, char *err,
		    size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		int e = errno;

		pm_err(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		pm_err(err, errlen, "%s: not a regular file: ignored", path);
		return -EPERM;
	}
	if (st.st_uid != owner && st.st_uid != 0) {
		pm_err(err, errlen, "%s: owned by uid %u, not the target's uid %u: ignored", path,
		       (unsigned)st.st_uid, (unsigned)owner);
		return -EPERM;
	}
	if ((uint64_t)st.st_size > PERFMAP_FILE_MAX) {
		pm_err(err, errlen, "%s: larger than %llu MiB: ignored", path,
		       (unsigned long long)(PERFMAP_FILE_MAX >> 20));
		return -EFBIG;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

/* Reads at most `size` bytes: a runtime appending meanwhile is picked up on the next load. */
static int pm_read(int fd, uint64_t size, char **bufp, size_t *lenp)
{
	char *buf = malloc(size ? (size_t)size : 1);
	size_t len = 0;

	if (!buf)
		return -ENOMEM;
	while (len < size) {
		ssize_t k = read(fd, buf + len, (size_t)size - len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;

			free(buf);
			return -e;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

int perfmap_load_path(const char *path, uid_t owner, struct perfmap *out, char *err,
		      size_t errlen)
{
	uint64_t size = 0;
	size_t len = 0;
	char *buf = NULL;
	int fd, r;

	*out = (struct perfmap){ 0 };
	pm_err(err, errlen, "%s", "");
	/* O_NONBLOCK: opening a planted FIFO must not hang until someone writes. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP) {
		pm_err(err, errlen, "%s: a symbolic link: ignored", path);
		return -EPERM;
	}
	if (fd < 0) {
		r = -errno;
		pm_err(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	r = pm_check(fd, path, owner, &size, err, errlen);
	if (r == 0)
		r = pm_read(fd, size, &buf, &len);
	close(fd);
	if (r == 0)
		r = perfmap_parse(buf, len, out, NULL);
	free(buf);
	if (r == -ENOMEM)
		pm_err(err, errlen, "%s: out of memory", path);
	return r;
}

int perfmap_load(pid_t pid, uid_t owner, struct perfmap *out, char *err, size_t errlen)
{
	char path[64];

	if (pid <= 0) {
		*out = (struct perfmap){ 0 };
		pm_err(err, errlen, "invalid pid %d", (int)pid);
		return -EINVAL;
	}
	snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)pid);
	return perfmap_load_path(path, owner, out, err, errlen);
}

const struct perfmap_sym *perfmap_lookup(const struct perfmap *m, uint64_t addr)
{
	size_t lo;

	if (!m)
		return NULL;
	/* The last symbol starting at or before addr is the only candidate. */
	lo = ts_upper(m->v, m->n, sizeof(*m->v), offsetof(struct perfmap_sym, start), addr);
	if (lo == 0 || addr - m->v[lo - 1].start >= m->v[lo - 1].size)
		return NULL;
	return &m->v[lo - 1];
}

void perfmap_release(struct perfmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].name);
	free(m->v);
	*m = (struct perfmap){ 0 };
}
