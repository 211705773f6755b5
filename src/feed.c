/* feed.c — apply ring records to the profile. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/feed.h"
#include "proftui/offcpu.h"
#include "proftui/record.h"

static bool valid_sample(const struct rec_sample *s, size_t len)
{
	return len >= sizeof(*s) && (len - sizeof(*s)) / sizeof(struct frame) >= s->nframes &&
	       s->status < UWS__COUNT && s->py_status < PYS__COUNT && s->cpu_state < CPU__COUNT;
}

/*
 * Resolve a sample's frames into funcs (room for 2 * nframes): the native
 * ones, then, with Python frames, the merged stack after them.  Returns
 * where the stack to add starts and sets *n to its length.
 */
static size_t resolve_sample(struct feed *f, const struct rec_sample *s, uint32_t *funcs,
			     bool *entry, size_t *n, enum py_status *pys)
{
	size_t nf = s->nframes, nn = nf;

	while (nn && s->frames[nn - 1].kind == FRAME_PYTHON)
		nn--;
	resolver_frames(f->res, s->frames, nf, funcs);
	*n = nn;
	if (nn == nf || !f->merge)
		return 0;
	for (size_t i = nn; i < nf; i++)
		entry[i - nn] = s->frames[i].addr & 1;
	*n = pymerge_stack(f->merge, f->p, f->pymode, funcs, nn,
			   nn && s->frames[nn - 1].kind == FRAME_TRUNCATED, funcs + nn, entry,
			   nf - nn, funcs + nf, pys);
	return nf;
}

/*
 * Off the CPU, the sample's stack gets a leaf naming where the thread was
 * ("[IO wait]"...): the hot table lists each state as a row, the flame graph
 * shows it on top of the stacks that waited, and offcpu_split finds each
 * function's share of each state by walking up from those leaves.
 */
static uint32_t state_leaf(struct feed *f, enum cpu_state cs)
{
	return profile_func(f->p, offcpu_leaf_name(cs), OFFCPU_MODULE);
}

static void feed_sample(struct feed *f, const struct rec_sample *s, size_t len)
{
	uint32_t stackbuf[512], *funcs = stackbuf;
	bool entrybuf[256], *entry = entrybuf;
	struct prof_stats *st = profile_stats(f->p);
	enum py_status pys;
	size_t at, n;

	if (!valid_sample(s, len)) {
		f->bad_records++;
		return;
	}
	pys = (enum py_status)s->py_status;
	if (s->nframes > sizeof(entrybuf) - 1) {
		funcs = malloc((2 * s->nframes + 1) * sizeof(*funcs));
		entry = malloc(s->nframes * sizeof(*entry));
		if (!funcs || !entry)
			goto out;
	}
	/* funcs[0] is kept for the off-CPU leaf. */
	at = resolve_sample(f, s, funcs + 1, entry, &n, &pys) + 1;
	if (s->cpu_state != CPU_ON && (funcs[--at] = state_leaf(f, s->cpu_state)) != UINT32_MAX)
		n++;
	else if (s->cpu_state != CPU_ON)
		at++;
	if (profile_add_sample(f->p, s->tid, funcs + at, n, s->weight, s->time_ns) == 0) {
		st->by_status[s->status] += s->weight;
		st->py_by_status[pys] += s->weight;
		st->by_cpu_state[s->cpu_state] += s->weight;
		if (f->log)
			samplelog_add_weighted(f->log, s->time_ns, s->tid, profile_last_leaf(f->p),
					       s->weight);
		if (f->strip)
			tstrip_add(f->strip, s->time_ns, s->tid, (enum cpu_state)s->cpu_state,
				   s->weight);
	}
out:
	if (funcs != stackbuf)
		free(funcs);
	if (entry != entrybuf)
		free(entry);
}

static void feed_threadstat(struct feed *f, const struct rec_hdr *h, size_t len)
{
	const struct rec_threadstat *r = (const void *)h;

	if (len < sizeof(*r) || (len - sizeof(*r)) / sizeof(r->t[0]) < r->n) {
		f->bad_records++;
		return;
	}
	if (f->threads)
		threadstat_add(f->threads, r->time_ns, r->t, r->n);
}

static void feed_note(struct feed *f, const struct rec_hdr *h, size_t len)
{
	const struct rec_note *n = (const void *)h;
	size_t max = len - sizeof(*n);

	if (len <= sizeof(*n) || !memchr(n->text, '\0', max)) {
		f->bad_records++;
		return;
	}
	snprintf(f->note, sizeof(f->note), "%s", n->text);
	f->notes++;
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
	case REC_PYTHREAD: {
		const struct rec_pythread *t = (const void *)h;

		if (len > sizeof(*t) && memchr(t->name, '\0', len - sizeof(*t)))
			profile_thread_name(f->p, t->tid, t->name);
		else
			f->bad_records++;
		break;
	}
	case REC_LOST:
		if (len >= sizeof(struct rec_lost)) {
			const struct rec_lost *l = (const void *)h;

			st->lost_kernel += l->kernel_lost;
			st->throttled += l->throttled;
			st->unwind_failed += l->unwind_failed;
			st->foreign += l->foreign;
		}
		break;
	case REC_THREADSTAT:
		feed_threadstat(f, h, len);
		break;
	case REC_PYCODE:
		if (resolver_add_pycode(f->res, (const void *)h, len) == -EINVAL)
			f->bad_records++;
		break;
	case REC_NOTE:
		feed_note(f, h, len);
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
