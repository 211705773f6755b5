/* maps.c — parse /proc/PID/maps into a sorted table of mappings. */
#include "proftui/maps.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "proftui/textscan.h"

/* The kernel cannot print a longer name; anything longer is junk. */
#define MAPS_PATH_MAX ((size_t)PATH_MAX * 4)
/* Far above the maps of any real process, low enough to never exhaust memory. */
#define MAPS_FILE_MAX ((size_t)256 << 20)
#define MAPS_READ_CHUNK ((size_t)64 << 10)
#define MAPS_DELETED " (deleted)"

/* A cursor over one line, [p, end); parsers advance p only on success. */
struct maps_cur {
	const char *p, *end;
};

static bool maps_hex(struct maps_cur *c, uint64_t *out)
{
	return ts_hex(&c->p, c->end, out);
}

static bool maps_dec(struct maps_cur *c, uint64_t *out)
{
	const char *start = c->p;
	uint64_t v = 0;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned d = (unsigned)(*c->p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		c->p++;
	}
	*out = v;
	return c->p > start;
}

static bool maps_char(struct maps_cur *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

/* One permission column: `yes` or `no`, nothing else. */
static bool maps_flag(struct maps_cur *c, char yes, char no, bool *out)
{
	if (c->p >= c->end || (*c->p != yes && *c->p != no))
		return false;
	*out = *c->p++ == yes;
	return true;
}

static bool maps_u32(uint64_t v, uint32_t *out)
{
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Everything before the path: "start-end perms offset major:minor inode". */
static bool maps_fields(struct maps_cur *c, struct map_entry *e)
{
	uint64_t maj, min;

	return maps_hex(c, &e->start) && maps_char(c, '-') && maps_hex(c, &e->end) &&
	       maps_char(c, ' ') &&
	       maps_flag(c, 'r', '-', &e->r) && maps_flag(c, 'w', '-', &e->w) &&
	       maps_flag(c, 'x', '-', &e->x) && maps_flag(c, 'p', 's', &e->p) &&
	       maps_char(c, ' ') && maps_hex(c, &e->pgoff) && maps_char(c, ' ') &&
	       maps_hex(c, &maj) && maps_char(c, ':') && maps_hex(c, &min) &&
	       maps_u32(maj, &e->dev_major) && maps_u32(min, &e->dev_minor) &&
	       maps_char(c, ' ') && maps_dec(c, &e->inode) && e->end > e->start;
}

/*
 * The path is the rest of the line after the column padding.  Leading spaces
 * of a name are lost in that padding: the kernel's format cannot tell them
 * apart.  A NUL cannot be in a real path and would silently cut the C string.
 */
static bool maps_path(struct maps_cur *c, struct map_entry *e, size_t *len)
{
	size_t dl = sizeof MAPS_DELETED - 1;

	if (c->p < c->end && !maps_char(c, ' '))
		return false;
	while (c->p < c->end && *c->p == ' ')
		c->p++;
	*len = (size_t)(c->end - c->p);
	e->deleted = *len >= dl && !memcmp(c->end - dl, MAPS_DELETED, dl);
	if (e->deleted)
		*len -= dl;
	return *len <= MAPS_PATH_MAX && !memchr(c->p, '\0', *len);
}

/* Doubling keeps 30,000+ lines linear. */
static int maps_grow(struct maps *m, size_t *cap)
{
	struct map_entry *v;
	size_t ncap;

	if (m->n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	if (ncap > SIZE_MAX / sizeof *v)
		return -ENOMEM;
	v = realloc(m->v, ncap * sizeof *v);
	if (!v)
		return -ENOMEM;
	m->v = v;
	*cap = ncap;
	return 0;
}

/* Returns 1 when added, 0 for a malformed line, or -ENOMEM. */
static int maps_add_line(struct maps *m, size_t *cap, const char *line, size_t len)
{
	struct maps_cur c = { line, line + len };
	struct map_entry e = { 0 };
	size_t plen;

	if (!maps_fields(&c, &e) || !maps_path(&c, &e, &plen))
		return 0;
	if (maps_grow(m, cap) < 0)
		return -ENOMEM;
	e.path = strndup(c.p, plen);
	if (!e.path)
		return -ENOMEM;
	m->v[m->n++] = e;
	return 1;
}

static int maps_cmp(const void *a, const void *b)
{
	const struct map_entry *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

static bool maps_sorted(const struct maps *m)
{
	for (size_t i = 1; i < m->n; i++)
		if (m->v[i].start < m->v[i - 1].start)
			return false;
	return true;
}

/*
 * The kernel never prints overlapping mappings, so an overlap means a corrupt
 * line: the first entry by address is kept (for input already in order, the
 * earlier line), the other dropped and counted as bad.  Returns how many.
 */
static size_t maps_drop_overlaps(struct maps *m)
{
	size_t k = 0, n = m->n;

	if (!maps_sorted(m))
		qsort(m->v, m->n, sizeof *m->v, maps_cmp);
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && m->v[i].start < m->v[k - 1].end) {
			free(m->v[i].path);
			continue;
		}
		m->v[k++] = m->v[i];
	}
	m->n = k;
	return n - k;
}

int maps_parse(const char *text, size_t len, struct maps *out, size_t *bad)
{
	struct maps m = { 0 };
	size_t cap = 0, nbad = 0, off = 0, ll;
	const char *line;

	*out = m;
	if (bad)
		*bad = 0;
	/* ts_line drops a CRLF's \r: it is never part of what the kernel printed. */
	while ((line = ts_line(text, len, &off, &ll))) {
		int r = maps_add_line(&m, &cap, line, ll);

		if (r < 0) {
			maps_release(&m);
			return r;
		}
		nbad += r == 0;
	}
	nbad += maps_drop_overlaps(&m);
	*out = m;
	if (bad)
		*bad = nbad;
	return 0;
}

/* Grow to the next size, one byte past the cap so that "too big" is detectable. */
static int maps_buf_grow(char **buf, size_t *cap)
{
	size_t ncap = *cap ? *cap * 2 : MAPS_READ_CHUNK;
	char *nb;

	if (*cap > MAPS_FILE_MAX)
		return -EFBIG;
	if (ncap > MAPS_FILE_MAX + 1)
		ncap = MAPS_FILE_MAX + 1;
	nb = realloc(*buf, ncap);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = ncap;
	return 0;
}

/* A seq file has no meaningful size: read until EOF. */
static int maps_slurp(int fd, char **bufp, size_t *lenp)
{
	char *buf = NULL;
	size_t cap = 0, len = 0;
	int r = 0;

	for (;;) {
		ssize_t k;

		if (len == cap && (r = maps_buf_grow(&buf, &cap)) < 0)
			break;
		k = read(fd, buf + len, cap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = k < 0 ? -errno : 0;
			break;
		}
		len += (size_t)k;
	}
	if (r < 0) {
		free(buf);
		return r;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

int maps_read(pid_t pid, struct maps *out)
{
	char path[64], *buf;
	size_t len;
	int fd, r;

	*out = (struct maps){ 0 };
	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = maps_slurp(fd, &buf, &len);
	close(fd);
	if (r < 0)
		return r;
	r = maps_parse(buf, len, out, NULL);
	free(buf);
	return r;
}

const struct map_entry *maps_find(const struct maps *m, uint64_t addr)
{
	size_t lo;

	if (!m)
		return NULL;
	lo = ts_upper(m->v, m->n, sizeof(*m->v), offsetof(struct map_entry, start), addr);
	if (lo == 0 || addr >= m->v[lo - 1].end)
		return NULL;
	return &m->v[lo - 1];
}

void maps_release(struct maps *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

bool maps_same_file(const struct map_entry *e, const char *path)
{
	struct stat st;

	if (!e->inode || !path || path[0] != '/' || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	return st.st_ino == e->inode && major(st.st_dev) == e->dev_major &&
	       minor(st.st_dev) == e->dev_minor;
}
