/* threadstat.c — each thread's latest state, CPU use and switch rates, for the thread list. */
#include <stdlib.h>
#include <string.h>

#include "proftui/threadstat.h"

struct reading {
	uint64_t time_ns;
	struct procstat_thread *t;   /* sorted by tid */
	size_t n;
};

struct threadstat {
	struct reading cur, prev;
};

struct threadstat *threadstat_new(void)
{
	return calloc(1, sizeof(struct threadstat));
}

void threadstat_free(struct threadstat *ts)
{
	if (!ts)
		return;
	free(ts->cur.t);
	free(ts->prev.t);
	free(ts);
}

static int by_tid(const void *a, const void *b)
{
	const struct procstat_thread *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

void threadstat_add(struct threadstat *ts, uint64_t time_ns, const struct procstat_thread *t,
		    size_t n)
{
	struct procstat_thread *copy = n ? malloc(n * sizeof(*copy)) : NULL;

	if (n && !copy)
		return;
	if (n) {
		memcpy(copy, t, n * sizeof(*copy));
		qsort(copy, n, sizeof(*copy), by_tid);
	}
	free(ts->prev.t);
	ts->prev = ts->cur;
	ts->cur = (struct reading){ time_ns, copy, n };
}

static const struct procstat_thread *find(const struct reading *r, uint32_t tid)
{
	struct procstat_thread key = { .tid = tid };

	return r->n ? bsearch(&key, r->t, r->n, sizeof(key), by_tid) : NULL;
}

/* Per second over the interval; a counter that went down counts as no change. */
static double rate(uint64_t now, uint64_t before, double seconds)
{
	return now > before ? (double)(now - before) / seconds : 0.0;
}

bool threadstat_get(const struct threadstat *ts, uint32_t tid, struct threadstat_row *out)
{
	const struct procstat_thread *c = ts ? find(&ts->cur, tid) : NULL, *p;
	double secs;

	memset(out, 0, sizeof(*out));
	if (!c)
		return false;
	out->state = (enum procstat_state)c->state;
	p = find(&ts->prev, tid);
	if (!p || ts->cur.time_ns <= ts->prev.time_ns)
		return true;
	secs = (double)(ts->cur.time_ns - ts->prev.time_ns) / 1e9;
	out->rates = true;
	out->cpu_pct = 100.0 * rate(c->cpu_ns, p->cpu_ns, secs) / 1e9;
	out->vcs_s = rate(c->vol_cs, p->vol_cs, secs);
	out->ivcs_s = rate(c->invol_cs, p->invol_cs, secs);
	return true;
}

char threadstat_letter(enum procstat_state s)
{
	static const char letters[PROCSTAT__NSTATES] = {
		[PROCSTAT_RUN] = 'R', [PROCSTAT_SLEEP] = 'S', [PROCSTAT_DISK] = 'D',
		[PROCSTAT_STOP] = 'T', [PROCSTAT_OTHER] = '?',
	};

	return (unsigned)s < PROCSTAT__NSTATES ? letters[s] : '?';
}
