/* prochist.c — keep recent procstat readings and turn them into rates and sparklines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/canvas.h"
#include "proftui/prochist.h"

#define PROCHIST_LEVELS CANVAS_EIGHTHS
/* Longest glyph: the UTF-8 block elements are 3 bytes. */
#define PROCHIST_GLYPH_MAX 3

struct prochist {
	struct procstat ring[PROCHIST_LEN];
	size_t next;         /* slot the next reading goes to */
	size_t count;        /* readings kept */
	struct procstat first;
	bool have_first;
};

struct prochist *prochist_new(void)
{
	return calloc(1, sizeof(struct prochist));
}

void prochist_free(struct prochist *h)
{
	free(h);
}

void prochist_add(struct prochist *h, const struct procstat *ps)
{
	if (!h || !ps)
		return;
	if (!h->have_first) {
		h->first = *ps;
		h->have_first = true;
	}
	h->ring[h->next] = *ps;
	h->next = (h->next + 1) % PROCHIST_LEN;
	if (h->count < PROCHIST_LEN)
		h->count++;
}

size_t prochist_count(const struct prochist *h)
{
	return h ? h->count : 0;
}

const struct procstat *prochist_at(const struct prochist *h, size_t i)
{
	if (!h || i >= h->count)
		return NULL;
	return &h->ring[(h->next + PROCHIST_LEN - h->count + i) % PROCHIST_LEN];
}

const struct procstat *prochist_latest(const struct prochist *h)
{
	return h && h->count ? prochist_at(h, h->count - 1) : NULL;
}

const struct procstat *prochist_first(const struct prochist *h)
{
	return h && h->have_first ? &h->first : NULL;
}

/* A counter's growth; one that went down (a thread's share left with it)
 * counts as none rather than as a huge unsigned jump. */
static uint64_t prochist_growth(uint64_t a, uint64_t b)
{
	return b > a ? b - a : 0;
}

static double prochist_delta(uint64_t a, uint64_t b)
{
	return (double)prochist_growth(a, b);
}

bool prochist_between(const struct procstat *a, const struct procstat *b,
		      struct prochist_rates *out)
{
	double s;

	memset(out, 0, sizeof(*out));
	if (!a || !b || b->time_ns <= a->time_ns)
		return false;
	s = (double)(b->time_ns - a->time_ns) / 1e9;
	out->seconds = s;
	/* CPU ns per wall ns, as a percentage: 100 is one core busy (top's %CPU). */
	out->user_pct = prochist_delta(a->utime_ns, b->utime_ns) / 1e9 / s * 100.0;
	out->sys_pct = prochist_delta(a->stime_ns, b->stime_ns) / 1e9 / s * 100.0;
	out->minflt = prochist_delta(a->minflt, b->minflt) / s;
	out->majflts = prochist_growth(a->majflt, b->majflt);
	out->majflt = (double)out->majflts / s;
	out->vcs = prochist_delta(a->vol_cs, b->vol_cs) / s;
	out->ivcs = prochist_delta(a->invol_cs, b->invol_cs) / s;
	out->io_known = (a->flags & b->flags & PROCSTAT_IO_KNOWN) != 0;
	if (out->io_known) {
		out->read_bytes = prochist_growth(a->read_bytes, b->read_bytes);
		out->write_bytes = prochist_growth(a->write_bytes, b->write_bytes);
		out->read_bps = (double)out->read_bytes / s;
		out->write_bps = (double)out->write_bytes / s;
	}
	return true;
}

bool prochist_rates(const struct prochist *h, struct prochist_rates *out)
{
	if (!h || h->count < 2) {
		memset(out, 0, sizeof(*out));
		return false;
	}
	return prochist_between(prochist_at(h, h->count - 2), prochist_at(h, h->count - 1), out);
}

bool prochist_session(const struct prochist *h, struct prochist_rates *out)
{
	return prochist_between(prochist_first(h), prochist_latest(h), out);
}

static double prochist_rate_value(const struct prochist_rates *r, enum prochist_series which)
{
	switch (which) {
	case PROCHIST_CPU:
		return r->user_pct + r->sys_pct;
	case PROCHIST_USER:
		return r->user_pct;
	case PROCHIST_SYS:
		return r->sys_pct;
	case PROCHIST_MINFLT:
		return r->minflt;
	case PROCHIST_MAJFLT:
		return r->majflt;
	case PROCHIST_READ:
		return r->read_bps;
	case PROCHIST_WRITE:
		return r->write_bps;
	case PROCHIST_VCS:
		return r->vcs;
	case PROCHIST_IVCS:
		return r->ivcs;
	case PROCHIST_CS:
		return r->vcs + r->ivcs;
	default:
		return 0.0;
	}
}

static bool prochist_is_level(enum prochist_series which)
{
	return which == PROCHIST_RSS || which == PROCHIST_VSIZE || which == PROCHIST_SWAP ||
	       which == PROCHIST_THREADS || which == PROCHIST_RUNNING || which == PROCHIST_DISKWAIT;
}

static double prochist_level(const struct procstat *ps, enum prochist_series which)
{
	switch (which) {
	case PROCHIST_RSS:
		return (double)ps->rss_bytes;
	case PROCHIST_VSIZE:
		return (double)ps->vsize_bytes;
	case PROCHIST_SWAP:
		return (double)ps->swap_bytes;
	case PROCHIST_THREADS:
		return (double)ps->nthreads;
	case PROCHIST_RUNNING:
		return (double)ps->states[PROCSTAT_RUN];
	case PROCHIST_DISKWAIT:
		return (double)ps->states[PROCSTAT_DISK];
	default:
		return 0.0;
	}
}

size_t prochist_series(const struct prochist *h, enum prochist_series which, double *vals,
		       size_t max)
{
	bool level = prochist_is_level(which);
	size_t avail, n, from;

	if (!h || !vals || (unsigned)which >= PROCHIST__COUNT || !h->count)
		return 0;
	avail = level ? h->count : h->count - 1;
	n = avail < max ? avail : max;
	/* Values are indexed by the reading they end at: rates start at 1. */
	from = h->count - n;
	for (size_t i = 0; i < n; i++) {
		const struct procstat *b = prochist_at(h, from + i);
		struct prochist_rates r;

		if (level) {
			vals[i] = prochist_level(b, which);
		} else {
			prochist_between(prochist_at(h, from + i - 1), b, &r);
			vals[i] = prochist_rate_value(&r, which);
		}
	}
	return n;
}

static const char prochist_ascii[PROCHIST_LEVELS + 1] = " .:-=+*#";

static int prochist_glyph(double v, double max)
{
	double g;

	/* Written so NaN lands on the lowest glyph too. */
	if (!(max > 0.0) || !(v > 0.0))
		return 0;
	g = v / max * (PROCHIST_LEVELS - 1) + 0.5;
	return g >= PROCHIST_LEVELS - 1 ? PROCHIST_LEVELS - 1 : (int)g;
}

int prochist_spark(const struct prochist *h, enum prochist_series which, char *buf,
		   size_t buflen, int width, bool ascii)
{
	double vals[PROCHIST_LEN], max = 0.0;
	size_t glyph = ascii ? 1 : PROCHIST_GLYPH_MAX, room, n, len = 0;

	if (!buf || !buflen)
		return 0;
	buf[0] = '\0';
	if (width <= 0)
		return 0;
	room = (buflen - 1) / glyph;
	if ((size_t)width < room)
		room = (size_t)width;
	n = prochist_series(h, which, vals, room < PROCHIST_LEN ? room : PROCHIST_LEN);
	for (size_t i = 0; i < n; i++)
		if (vals[i] > max)
			max = vals[i];
	for (size_t i = 0; i < n; i++) {
		int g = prochist_glyph(vals[i], max);

		if (ascii) {
			buf[len++] = prochist_ascii[g];
		} else {
			memcpy(buf + len, canvas_eighths[g], PROCHIST_GLYPH_MAX);
			len += PROCHIST_GLYPH_MAX;
		}
	}
	buf[len] = '\0';
	return (int)n;
}
