/* swpair.c — pair each switch-out sample with the thread's next switch-in: its time off the CPU. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/swpair.h"

/* Threads followed at once; more are not weighed (counted as dropped). */
#define SWPAIR_MAX_THREADS 65536

struct sw_thread {
	uint32_t tid;           /* 0: free slot */
	bool pending;           /* rec holds a switch-out sample */
	bool stated;            /* its switch-out record was seen */
	uint8_t state;          /* enum cpu_state */
	uint64_t t_out;         /* the sample's time */
	uint64_t last_in;       /* a switch-in seen before its switch-out */
	uint64_t carry;         /* ns below one period left from earlier waits */
	uint8_t *rec;
	size_t len, cap;
};

struct swpair {
	pid_t pid;
	uint64_t period;
	struct sw_thread *t;    /* open addressing by tid */
	size_t cap, n;
	uint64_t switches, dropped;
	size_t flush_at;
};

struct swpair *swpair_new(pid_t pid, uint64_t period_ns)
{
	struct swpair *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return NULL;
	sp->pid = pid;
	sp->period = period_ns ? period_ns : 1;
	sp->cap = 256;
	sp->t = calloc(sp->cap, sizeof(*sp->t));
	if (!sp->t) {
		free(sp);
		return NULL;
	}
	return sp;
}

void swpair_free(struct swpair *sp)
{
	if (!sp)
		return;
	for (size_t i = 0; i < sp->cap; i++)
		free(sp->t[i].rec);
	free(sp->t);
	free(sp);
}

static size_t slot(const struct swpair *sp, uint32_t tid)
{
	return (size_t)(tid * 2654435761u) & (sp->cap - 1);
}

static bool grow(struct swpair *sp)
{
	size_t cap = sp->cap * 2;
	struct sw_thread *v = calloc(cap, sizeof(*v)), *old = sp->t;
	size_t oldcap = sp->cap;

	if (!v)
		return false;
	sp->t = v;
	sp->cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].tid)
			continue;
		for (j = slot(sp, old[i].tid); v[j].tid; j = (j + 1) & (cap - 1))
			;
		v[j] = old[i];
	}
	free(old);
	return true;
}

/* The thread's entry, made when new; NULL past the cap or out of memory. */
static struct sw_thread *thread(struct swpair *sp, uint32_t tid)
{
	size_t j;

	if (!tid)
		return NULL;
	for (j = slot(sp, tid); sp->t[j].tid; j = (j + 1) & (sp->cap - 1))
		if (sp->t[j].tid == tid)
			return &sp->t[j];
	if (sp->n >= SWPAIR_MAX_THREADS)
		return NULL;
	if ((sp->n + 1) * 10 >= sp->cap * 7) {
		if (!grow(sp))
			return NULL;
		return thread(sp, tid);
	}
	sp->t[j].tid = tid;
	sp->n++;
	return &sp->t[j];
}

/* 'D' in the thread's stat file: uninterruptible, i.e. waiting for IO. */
static enum cpu_state blocked_state(pid_t pid, uint32_t tid)
{
	char path[64], buf[512];
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%u/stat", (int)pid, tid);
	f = fopen(path, "re");
	if (!f)
		return CPU_SLEEP;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The name may hold spaces and parentheses: the state follows the
	 * last ')'. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'D' ? CPU_IOWAIT : CPU_SLEEP;
}

void swpair_sample(struct swpair *sp, const struct rec_sample *r, size_t len)
{
	struct sw_thread *t = thread(sp, r->tid);

	sp->switches++;
	if (!t) {
		sp->dropped++;
		return;
	}
	if (t->pending)
		sp->dropped++;
	if (len > t->cap) {
		uint8_t *v = realloc(t->rec, len);

		if (!v) {
			t->pending = false;
			sp->dropped++;
			return;
		}
		t->rec = v;
		t->cap = len;
	}
	memcpy(t->rec, r, len);
	t->len = len;
	t->pending = true;
	/* The tracepoint's sample knows its state; the software event's
	 * waits for the switch-out record. */
	t->stated = r->cpu_state != CPU_ON;
	t->state = t->stated ? r->cpu_state : CPU_SLEEP;
	t->t_out = r->time_ns;
}

/* End t's pending sample at t_in; false when it weighs under a period. */
static bool finish(struct swpair *sp, struct sw_thread *t, uint64_t t_in, struct swpair_ready *out)
{
	struct rec_sample *r = (struct rec_sample *)(void *)t->rec;
	uint64_t ns = t_in - t->t_out + t->carry;

	t->pending = false;
	t->carry = ns % sp->period;
	if (ns < sp->period)
		return false;
	r->weight = ns / sp->period;
	r->cpu_state = t->state;
	out->rec = r;
	out->len = t->len;
	return true;
}

bool swpair_out(struct swpair *sp, uint32_t tid, uint64_t time_ns, bool preempted,
		struct swpair_ready *out)
{
	struct sw_thread *t = thread(sp, tid);

	if (!t || !t->pending || time_ns < t->t_out)
		return false;
	if (!t->stated)
		t->state = preempted ? CPU_RUNNABLE : blocked_state(sp->pid, tid);
	t->stated = true;
	if (t->last_in > t->t_out)
		return finish(sp, t, t->last_in, out);
	return false;
}

bool swpair_in(struct swpair *sp, uint32_t tid, uint64_t time_ns, struct swpair_ready *out)
{
	struct sw_thread *t = thread(sp, tid);

	if (!t)
		return false;
	if (t->pending && time_ns > t->t_out && t->stated)
		return finish(sp, t, time_ns, out);
	/* Its switch-out (sample or record) is still on its way. */
	t->last_in = time_ns;
	return false;
}

bool swpair_flush(struct swpair *sp, uint64_t now_ns, struct swpair_ready *out)
{
	for (; sp->flush_at < sp->cap; sp->flush_at++) {
		struct sw_thread *t = &sp->t[sp->flush_at];

		if (t->tid && t->pending && now_ns > t->t_out && finish(sp, t, now_ns, out)) {
			sp->flush_at++;
			return true;
		}
	}
	return false;
}

void swpair_counts(const struct swpair *sp, uint64_t *switches, uint64_t *dropped)
{
	*switches = sp->switches;
	*dropped = sp->dropped;
}
