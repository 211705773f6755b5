/* feed.c — apply ring records to the profile. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/feed.h"
#include "proftui/record.h"

static void feed_sample(struct feed *f, const struct rec_sample *s, size_t len)
{
	uint32_t stackbuf[256], *funcs = stackbuf;
	struct prof_stats *st = profile_stats(f->p);

	if (len < sizeof(*s) || (len - sizeof(*s)) / sizeof(struct frame) < s->nframes ||
	    s->status >= UWS__COUNT) {
		f->bad_records++;
		return;
	}
	if (s->nframes > sizeof(stackbuf) / sizeof(stackbuf[0])) {
		funcs = malloc(s->nframes * sizeof(*funcs));
		if (!funcs)
			return;
	}
	resolver_frames(f->res, s->frames, s->nframes, funcs);
	if (profile_add_sample(f->p, s->tid, funcs, s->nframes, s->weight, s->time_ns) == 0) {
		st->by_status[s->status] += s->weight;
		if (f->log)
			samplelog_add(f->log, s->time_ns, s->tid, profile_last_leaf(f->p));
	}
	if (funcs != stackbuf)
		free(funcs);
}

static void feed_one(struct feed *f, const struct rec_hdr *h, size_t len)
{
	struct prof_stats *st = profile_stats(f->p);

	switch (h->type) {
	case REC_SAMPLE:
		feed_sample(f, (const void *)h, len);
		break;
	case REC_MODULE:
		if (resolver_add_module(f->res, (const void *)h, len) == -EINVAL)
			f->bad_records++;
		break;
	case REC_THREAD:
		if (len >= sizeof(struct rec_thread)) {
			const struct rec_thread *t = (const void *)h;
			char comm[sizeof(t->comm) + 1];

			memcpy(comm, t->comm, sizeof(t->comm));
			comm[sizeof(t->comm)] = '\0';
			profile_thread_name(f->p, t->tid, comm);
		}
		break;
	case REC_LOST:
		if (len >= sizeof(struct rec_lost)) {
			const struct rec_lost *l = (const void *)h;

			st->lost_kernel += l->kernel_lost;
			st->throttled += l->throttled;
			st->unwind_failed += l->unwind_failed;
			st->foreign += l->foreign;
		}
		break;
	case REC_PROCSTAT:
		if (len < sizeof(struct rec_procstat))
			f->bad_records++;
		else if (f->hist)
			prochist_add(f->hist, &((const struct rec_procstat *)(const void *)h)->ps);
		break;
	case REC_EXEC:
		f->execs++;
		break;
	case REC_EXIT:
		f->target_exited = true;
		break;
	default:
		f->bad_records++;
	}
}

size_t feed_drain(struct feed *f, struct ring *ring)
{
	const void *rec;
	size_t len, n = 0;

	while ((rec = ring_peek(ring, &len))) {
		if (len >= sizeof(struct rec_hdr))
			feed_one(f, rec, len);
		else
			f->bad_records++;
		ring_release(ring);
		n++;
	}
	profile_stats(f->p)->dropped_ring = ring_dropped(ring);
	return n;
}
