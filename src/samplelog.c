/* samplelog.c — a bounded ring of recent samples (time, thread, leaf node) with sequence numbers. */
#include "proftui/samplelog.h"

#include <errno.h>
#include <stdlib.h>

/*
 * Entry seq lives in slot seq & mask.  `head` is the next seq to give out;
 * `base` is the first seq samplelog_clear left visible.  The retained
 * entries are seq max(base, head - cap) .. head - 1.
 */
struct samplelog {
	struct samplelog_entry *ring;
	size_t mask;
	uint64_t head, base, dropped;
};

struct samplelog *samplelog_new(size_t cap)
{
	if (!cap || cap > SAMPLELOG_MAX_CAP || (cap & (cap - 1))) {
		errno = EINVAL;
		return NULL;
	}

	struct samplelog *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	/* malloc, not calloc: a slot is only read after it was written, and
	 * pages never written are never touched. */
	l->ring = malloc(cap * sizeof(*l->ring));
	if (!l->ring) {
		free(l);
		errno = ENOMEM;
		return NULL;
	}
	l->mask = cap - 1;
	return l;
}

void samplelog_free(struct samplelog *l)
{
	if (!l)
		return;
	free(l->ring);
	free(l);
}

uint64_t samplelog_oldest_seq(const struct samplelog *l)
{
	uint64_t cap = (uint64_t)l->mask + 1;
	uint64_t first = l->head > cap ? l->head - cap : 0;

	return first > l->base ? first : l->base;
}

size_t samplelog_count(const struct samplelog *l)
{
	return (size_t)(l->head - samplelog_oldest_seq(l));
}

size_t samplelog_capacity(const struct samplelog *l)
{
	return l->mask + 1;
}

uint64_t samplelog_dropped(const struct samplelog *l)
{
	return l->dropped;
}

uint64_t samplelog_next_seq(const struct samplelog *l)
{
	return l->head;
}

static void add_one(struct samplelog *l, uint64_t time_ns, uint32_t tid, uint32_t leaf,
		    unsigned weight)
{
	if (samplelog_count(l) > l->mask)
		l->dropped++;
	l->ring[l->head & l->mask] = (struct samplelog_entry){
		.time_ns = time_ns, .tid = tid & ((1u << 22) - 1), .weight = weight, .leaf = leaf,
	};
	l->head++;
}

void samplelog_add(struct samplelog *l, uint64_t time_ns, uint32_t tid, uint32_t leaf)
{
	add_one(l, time_ns, tid, leaf, 1);
}

void samplelog_add_weighted(struct samplelog *l, uint64_t time_ns, uint32_t tid, uint32_t leaf,
			    uint64_t weight)
{
	while (weight) {
		unsigned w = weight > SAMPLELOG_MAX_WEIGHT ? SAMPLELOG_MAX_WEIGHT : (unsigned)weight;

		add_one(l, time_ns, tid, leaf, w);
		weight -= w;
	}
}

void samplelog_clear(struct samplelog *l)
{
	l->base = l->head;
}

size_t samplelog_visit(const struct samplelog *l, uint64_t from_seq, uint64_t since_ns,
		       uint32_t tid, samplelog_fn fn, void *ctx)
{
	uint64_t seq = samplelog_oldest_seq(l);
	size_t visited = 0;

	if (from_seq > seq)
		seq = from_seq;
	for (; seq < l->head; seq++) {
		const struct samplelog_entry *e = &l->ring[seq & l->mask];

		if (e->time_ns < since_ns || (tid && e->tid != tid))
			continue;
		visited++;
		if (fn(ctx, e, seq))
			break;
	}
	return visited;
}
