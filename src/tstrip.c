/* tstrip.c — samples per time slice over the whole session, by CPU state, with a doubling slice width. */
#include "proftui/tstrip.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One row of counts: the whole process's, or one thread's. */
struct tstrip_row {
	uint64_t v[TSTRIP_SLICES][CPU__COUNT];
};

struct tstrip_thread {
	uint32_t tid;
	struct tstrip_row *row;
};

struct tstrip {
	uint64_t origin, width, first_width;
	size_t used;			/* slices up to the last with a sample */
	bool off_cpu;
	struct tstrip_row all;
	struct tstrip_thread thr[TSTRIP_MAX_THREADS];	/* by tid */
	size_t nthr;
	bool thr_full;			/* a thread was left out: stop looking */
};

static uint64_t clamp_width(uint64_t w)
{
	if (!w)
		return 1;
	return w > TSTRIP_MAX_SLICE_NS ? TSTRIP_MAX_SLICE_NS : w;
}

struct tstrip *tstrip_new(uint64_t origin_ns, uint64_t slice_ns)
{
	struct tstrip *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->origin = origin_ns;
	s->width = s->first_width = clamp_width(slice_ns);
	return s;
}

static void drop_threads(struct tstrip *s)
{
	for (size_t i = 0; i < s->nthr; i++)
		free(s->thr[i].row);
	s->nthr = 0;
	s->thr_full = false;
}

void tstrip_free(struct tstrip *s)
{
	if (!s)
		return;
	drop_threads(s);
	free(s);
}

void tstrip_reset(struct tstrip *s, uint64_t origin_ns)
{
	drop_threads(s);
	memset(&s->all, 0, sizeof(s->all));
	s->origin = origin_ns;
	s->width = s->first_width;
	s->used = 0;
	s->off_cpu = false;
}

/* Where tid is, or would go, in the sorted thread table. */
static size_t thread_pos(const struct tstrip *s, uint32_t tid)
{
	size_t lo = 0, hi = s->nthr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->thr[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct tstrip_row *thread_row(const struct tstrip *s, uint32_t tid)
{
	size_t i = thread_pos(s, tid);

	return i < s->nthr && s->thr[i].tid == tid ? s->thr[i].row : NULL;
}

/* tid's row, made on its first sample while there is room; NULL without. */
static struct tstrip_row *thread_row_add(struct tstrip *s, uint32_t tid)
{
	size_t i = thread_pos(s, tid);
	struct tstrip_row *row;

	if (i < s->nthr && s->thr[i].tid == tid)
		return s->thr[i].row;
	if (s->nthr == TSTRIP_MAX_THREADS || s->thr_full)
		return NULL;
	row = calloc(1, sizeof(*row));
	if (!row) {
		s->thr_full = true;	/* out of memory: the process row still counts */
		return NULL;
	}
	memmove(&s->thr[i + 1], &s->thr[i], (s->nthr - i) * sizeof(s->thr[0]));
	s->thr[i] = (struct tstrip_thread){ .tid = tid, .row = row };
	s->nthr++;
	return row;
}

/* Slice i + 1 into slice i / 2, for every row: the width doubles. */
static void halve_row(struct tstrip_row *r)
{
	for (size_t i = 0; i < TSTRIP_SLICES / 2; i++)
		for (int k = 0; k < CPU__COUNT; k++)
			r->v[i][k] = r->v[2 * i][k] + r->v[2 * i + 1][k];
	memset(r->v[TSTRIP_SLICES / 2], 0, sizeof(r->v[0]) * (TSTRIP_SLICES / 2));
}

static void double_width(struct tstrip *s)
{
	halve_row(&s->all);
	for (size_t i = 0; i < s->nthr; i++)
		halve_row(s->thr[i].row);
	s->width *= 2;
	s->used = (s->used + 1) / 2;
}

/* The slice time_ns falls in at the current width, unclamped (saturated). */
static uint64_t raw_slice(const struct tstrip *s, uint64_t time_ns)
{
	return time_ns > s->origin ? (time_ns - s->origin) / s->width : 0;
}

size_t tstrip_slice_of(const struct tstrip *s, uint64_t time_ns)
{
	uint64_t i = raw_slice(s, time_ns);

	return i < TSTRIP_SLICES ? (size_t)i : TSTRIP_SLICES - 1;
}

void tstrip_add(struct tstrip *s, uint64_t time_ns, uint32_t tid, enum cpu_state cs, uint64_t w)
{
	struct tstrip_row *row;
	size_t i;

	if (!w || (unsigned)cs >= CPU__COUNT)
		return;
	while (raw_slice(s, time_ns) >= TSTRIP_SLICES && s->width * 2 <= TSTRIP_MAX_SLICE_NS)
		double_width(s);
	i = tstrip_slice_of(s, time_ns);
	s->all.v[i][cs] += w;
	row = tid ? thread_row_add(s, tid) : NULL;
	if (row)
		row->v[i][cs] += w;
	if (i + 1 > s->used)
		s->used = i + 1;
	if (cs != CPU_ON)
		s->off_cpu = true;
}

int tstrip_set(struct tstrip *s, size_t i, const uint64_t counts[CPU__COUNT])
{
	if (i >= TSTRIP_SLICES)
		return -EINVAL;
	memcpy(s->all.v[i], counts, sizeof(s->all.v[i]));
	for (int k = 0; k < CPU__COUNT; k++) {
		if (!counts[k])
			continue;
		if (i + 1 > s->used)
			s->used = i + 1;
		if (k != CPU_ON)
			s->off_cpu = true;
	}
	return 0;
}

uint64_t tstrip_origin(const struct tstrip *s)
{
	return s->origin;
}

uint64_t tstrip_slice_ns(const struct tstrip *s)
{
	return s->width;
}

size_t tstrip_used(const struct tstrip *s)
{
	return s->used;
}

bool tstrip_off_cpu(const struct tstrip *s)
{
	return s->off_cpu;
}

bool tstrip_has_thread(const struct tstrip *s, uint32_t tid)
{
	return tid && thread_row(s, tid);
}

void tstrip_sum(const struct tstrip *s, size_t first, size_t n, uint32_t tid,
		uint64_t out[CPU__COUNT])
{
	const struct tstrip_row *row = tid ? thread_row(s, tid) : &s->all;

	memset(out, 0, sizeof(uint64_t) * CPU__COUNT);
	if (!row || first >= TSTRIP_SLICES)
		return;
	if (n > TSTRIP_SLICES - first)
		n = TSTRIP_SLICES - first;
	for (size_t i = first; i < first + n; i++)
		for (int k = 0; k < CPU__COUNT; k++)
			out[k] += row->v[i][k];
}
