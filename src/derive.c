/* derive.c — window, decaying and per-thread profiles built from the sample log. */
#include "proftui/derive.h"

#include <stdint.h>
#include <stdlib.h>

/* Below this many nodes a decayed tree is never worth compacting. */
#define DERIVE_COMPACT_MIN	4096
/* Past this many half-lives every count (< 2^64) rounds to 0. */
#define DERIVE_DECAY_GONE	66

struct derive {
	struct profile *prof;		/* NULL while live is shown */
	const struct samplelog *log;	/* the log prof was built from */
	enum derive_mode mode;
	uint64_t span_ns;
	uint32_t tid;
	uint64_t next_seq;		/* first log entry not in prof yet */
	uint64_t decay_ns;		/* DECAY: counts are decayed to this time */
	uint64_t win_seq, win_since;	/* WINDOW: entries before win_seq are older than win_since */
	uint64_t range_t0, range_t1;	/* derive_set_range; t1 <= t0: none */
	bool ranged;			/* prof holds the range, not the mode */
	const struct profile *shown;	/* what the last update returned */
	derive_xform_fn xform;		/* NULL: stacks as they are */
	void *xform_ctx;
	uint32_t *path, *out;		/* xform's scratch, grown by doubling */
	size_t cap;
};

/* Feeds log entries into a derived profile. */
struct feed_ctx {
	struct profile *dst;
	const struct profile *src;
	struct derive *d;		/* its xform, when set */
	uint32_t tid;			/* 0: all */
	uint64_t since_ns;		/* WINDOW, range: older entries are skipped */
	uint64_t until_ns;		/* range: entries from this time on are skipped */
	uint64_t prefix;		/* WINDOW: first seq not known to be older */
	uint64_t now_ns, half_ns;	/* DECAY rebuild: which half-life an entry is in */
	uint64_t step;			/* DECAY rebuild: the half-life being replayed */
	uint64_t last_seq;		/* DECAY rebuild: stop after this one */
	uint64_t first[DERIVE_DECAY_STEPS], last[DERIVE_DECAY_STEPS];
};

struct derive *derive_new(void)
{
	return calloc(1, sizeof(struct derive));
}

static void derive_drop(struct derive *d)
{
	profile_free(d->prof);
	d->prof = NULL;
	d->log = NULL;
}

void derive_free(struct derive *d)
{
	if (!d)
		return;
	derive_drop(d);
	free(d->path);
	free(d->out);
	free(d);
}

void derive_set_xform(struct derive *d, derive_xform_fn fn, void *ctx)
{
	/* Even the same function and context: what ctx says may have changed. */
	d->xform = fn;
	d->xform_ctx = ctx;
	derive_drop(d);
}

/* The path from the root to `leaf` in src, leaf first, in d->path. */
static size_t read_path(struct derive *d, const struct profile *src, uint32_t leaf)
{
	size_t n = 0;

	for (const struct prof_node *nd = profile_node(src, leaf); nd && nd->func != PROF_NONE;
	     nd = profile_node(src, nd->parent)) {
		if (n == d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 256;
			uint32_t *p = realloc(d->path, cap * sizeof(*p));
			uint32_t *o = p ? realloc(d->out, cap * sizeof(*o)) : NULL;

			if (p)
				d->path = p;
			if (!o)
				return SIZE_MAX;
			d->out = o;
			d->cap = cap;
		}
		d->path[n++] = nd->func;
	}
	return n;
}

/* A sample through the xform: read its path, change it, add it. */
static void xform_add(struct feed_ctx *f, const struct samplelog_entry *e)
{
	struct derive *d = f->d;
	size_t n = read_path(d, f->src, e->leaf);

	if (n == SIZE_MAX) {
		profile_stats(f->dst)->refused += e->weight;
		return;
	}
	n = d->xform(d->xform_ctx, f->src, d->path, n, d->out);
	(void)profile_add_sample(f->dst, e->tid, d->out, n, e->weight, e->time_ns);
}

void derive_set_range(struct derive *d, uint64_t t0_ns, uint64_t t1_ns)
{
	if (t1_ns <= t0_ns)
		t0_ns = t1_ns = 0;
	if (t0_ns == d->range_t0 && t1_ns == d->range_t1)
		return;
	d->range_t0 = t0_ns;
	d->range_t1 = t1_ns;
	derive_drop(d);
}

void derive_reset(struct derive *d)
{
	derive_drop(d);
	d->shown = NULL;
}

const char *derive_mode_name(enum derive_mode m)
{
	switch (m) {
	case DERIVE_CUMULATIVE:
		return "cumulative";
	case DERIVE_WINDOW:
		return "window";
	case DERIVE_DECAY:
		return "decaying";
	}
	return "?";
}

/* A refused entry (a leaf the live profile does not have) is counted in the
 * derived profile's stats.refused by profile_add_path; nothing else to do. */
static void feed_add(struct feed_ctx *f, const struct samplelog_entry *e)
{
	if (f->d && f->d->xform) {
		xform_add(f, e);
		return;
	}
	(void)profile_add_path(f->dst, f->src, e->leaf, e->tid, e->weight, e->time_ns);
}

static int feed_all(void *vctx, const struct samplelog_entry *e, uint64_t seq)
{
	(void)seq;
	feed_add(vctx, e);
	return 0;
}

/* Window: also learn how far the log's prefix is entirely too old. */
static int feed_window(void *vctx, const struct samplelog_entry *e, uint64_t seq)
{
	struct feed_ctx *f = vctx;

	if (e->time_ns < f->since_ns) {
		if (seq == f->prefix)
			f->prefix = seq + 1;
		return 0;
	}
	if (!f->tid || e->tid == f->tid)
		feed_add(f, e);
	return 0;
}

/* Range: the entries of [since_ns, until_ns) only (since_ns is the visit's). */
static int feed_range(void *vctx, const struct samplelog_entry *e, uint64_t seq)
{
	struct feed_ctx *f = vctx;

	(void)seq;
	if (e->time_ns < f->until_ns)
		feed_add(f, e);
	return 0;
}

/* Which half-life back from now an entry is in (entries from the future: 0). */
static uint64_t half_of(const struct feed_ctx *f, uint64_t time_ns)
{
	return time_ns < f->now_ns ? (f->now_ns - time_ns) / f->half_ns : 0;
}

/* Decay rebuild, first scan: where each half-life's entries start and end. */
static int decay_range(void *vctx, const struct samplelog_entry *e, uint64_t seq)
{
	struct feed_ctx *f = vctx;
	uint64_t k = half_of(f, e->time_ns);

	if (k < DERIVE_DECAY_STEPS) {
		if (f->first[k] == UINT64_MAX)
			f->first[k] = seq;
		f->last[k] = seq;
	}
	return 0;
}

static int decay_feed(void *vctx, const struct samplelog_entry *e, uint64_t seq)
{
	struct feed_ctx *f = vctx;

	if (half_of(f, e->time_ns) == f->step)
		feed_add(f, e);
	return seq >= f->last_seq;
}

/* 2^-r for 0 <= r < DERIVE_DECAY_GONE, without libm (not linked): halvings
 * for the whole part, e^-x's series for the rest (x < ln 2: 20 terms are
 * far past double precision). */
static double exp2_neg(double r)
{
	unsigned whole = (unsigned)r;
	double x = (r - whole) * 0.69314718055994530942, term = 1.0, sum = 1.0;

	for (int i = 1; i < 20; i++) {
		term *= -x / i;
		sum += term;
	}
	while (whole--)
		sum *= 0.5;
	return sum;
}

static void copy_losses(struct profile *dst, const struct profile *live)
{
	const struct prof_stats *from = profile_stats_const(live);
	struct prof_stats *to = profile_stats(dst);

	to->lost_kernel = from->lost_kernel;
	to->throttled = from->throttled;
	to->dropped_ring = from->dropped_ring;
	to->unwind_failed = from->unwind_failed;
	to->foreign = from->foreign;
}

/* Install a freshly built profile in place of the old one. */
static void derive_install(struct derive *d, struct profile *p, const struct samplelog *log,
			   enum derive_mode mode, uint64_t span_ns, uint32_t tid)
{
	profile_free(d->prof);
	d->prof = p;
	d->log = log;
	d->mode = mode;
	d->span_ns = span_ns;
	d->tid = tid;
	d->next_seq = samplelog_next_seq(log);
	d->ranged = false;
}

static int cumulative_build(struct derive *d, const struct profile *live,
			    const struct samplelog *log, uint32_t tid)
{
	struct profile *p = profile_derive_new(live);
	struct feed_ctx f = { .dst = p, .src = live, .d = d };

	if (!p)
		return -1;
	samplelog_visit(log, 0, 0, tid, feed_all, &f);
	derive_install(d, p, log, DERIVE_CUMULATIVE, 0, tid);
	return 0;
}

/* Add the entries that came since the last update. */
static int derive_catch_up(struct derive *d, const struct profile *live,
			   const struct samplelog *log)
{
	struct feed_ctx f = { .dst = d->prof, .src = live, .d = d };

	if (profile_sync_funcs(d->prof, live))
		return -1;
	samplelog_visit(log, d->next_seq, 0, d->tid, feed_all, &f);
	d->next_seq = samplelog_next_seq(log);
	return 0;
}

static int window_build(struct derive *d, const struct profile *live, const struct samplelog *log,
			uint64_t span_ns, uint32_t tid, uint64_t now_ns)
{
	uint64_t since = now_ns > span_ns ? now_ns - span_ns : 0;
	struct profile *p = profile_derive_new(live);

	if (!p)
		return -1;
	/* The skippable prefix only holds while the window's start does not
	 * move back over it, and for the log it was learnt from. */
	if (d->log != log || d->mode != DERIVE_WINDOW || since < d->win_since)
		d->win_seq = 0;
	if (d->win_seq < samplelog_oldest_seq(log))
		d->win_seq = samplelog_oldest_seq(log);

	struct feed_ctx f = {
		.dst = p, .src = live, .d = d, .tid = tid, .since_ns = since, .prefix = d->win_seq,
	};

	/* tid 0 here: the prefix must see every thread's entries. */
	samplelog_visit(log, d->win_seq, 0, 0, feed_window, &f);
	derive_install(d, p, log, DERIVE_WINDOW, span_ns, tid);
	d->win_seq = f.prefix;
	d->win_since = since;
	return 0;
}

/* The range: the whole log the first time, then what came since. */
static int range_update(struct derive *d, const struct profile *live, const struct samplelog *log,
			uint32_t tid)
{
	bool same = d->prof && d->ranged && d->log == log && d->tid == tid &&
		    samplelog_next_seq(log) >= d->next_seq &&
		    profile_nfuncs(d->prof) <= profile_nfuncs(live);
	struct profile *p = same ? d->prof : profile_derive_new(live);
	struct feed_ctx f = { .dst = p, .src = live, .d = d, .until_ns = d->range_t1 };

	if (!p || (same && profile_sync_funcs(p, live)))
		return -1;
	samplelog_visit(log, same ? d->next_seq : 0, d->range_t0, tid, feed_range, &f);
	if (same) {
		d->next_seq = samplelog_next_seq(log);
		return 0;
	}
	derive_install(d, p, log, DERIVE_CUMULATIVE, 0, tid);
	d->ranged = true;
	return 0;
}

/* Replay the last DERIVE_DECAY_STEPS half-lives oldest first, halving between them. */
static int decay_build(struct derive *d, const struct profile *live, const struct samplelog *log,
		       uint64_t half_ns, uint32_t tid, uint64_t now_ns)
{
	struct profile *p = profile_derive_new(live);
	struct feed_ctx f = { .dst = p, .src = live, .d = d, .now_ns = now_ns, .half_ns = half_ns };

	if (!p)
		return -1;
	for (int k = 0; k < DERIVE_DECAY_STEPS; k++)
		f.first[k] = UINT64_MAX;
	samplelog_visit(log, 0, 0, tid, decay_range, &f);
	for (int k = DERIVE_DECAY_STEPS - 1; k >= 0; k--) {
		if (f.first[k] != UINT64_MAX) {
			f.step = (uint64_t)k;
			f.last_seq = f.last[k];
			samplelog_visit(log, f.first[k], 0, tid, decay_feed, &f);
		}
		if (k)
			profile_scale(p, 0.5);
	}
	derive_install(d, p, log, DERIVE_DECAY, half_ns, tid);
	d->decay_ns = now_ns;
	return 0;
}

/* Most nodes at 0 after decaying: rebuild the tree from its live paths. */
static void decay_compact(struct derive *d)
{
	size_t n = profile_nnodes(d->prof), dead = 0;

	if (n < DERIVE_COMPACT_MIN)
		return;
	for (uint32_t i = 1; i < n; i++)
		dead += profile_node(d->prof, i)->total == 0;
	if (dead * 2 < n)
		return;

	struct profile *c = profile_clone(d->prof);

	/* Out of memory: the uncompacted tree is still right, only bigger. */
	if (c) {
		profile_free(d->prof);
		d->prof = c;
	}
}

/* One incremental decay update; *fresh when prof was scaled or replaced. */
static int decay_step(struct derive *d, const struct profile *live, const struct samplelog *log,
		      uint64_t now_ns, bool *fresh)
{
	uint64_t half = d->span_ns;

	if (now_ns > d->decay_ns && now_ns - d->decay_ns >= half) {
		uint64_t dt = now_ns - d->decay_ns;

		if (dt / half >= DERIVE_DECAY_GONE) {
			struct profile *p = profile_derive_new(live);

			if (!p)
				return -1;
			profile_free(d->prof);
			d->prof = p;
		} else {
			profile_scale(d->prof, exp2_neg((double)dt / (double)half));
			decay_compact(d);
		}
		d->decay_ns = now_ns;
		*fresh = true;
	}
	return derive_catch_up(d, live, log);
}

/* Whether d->prof can be brought up to date instead of being rebuilt. */
static bool derive_same(const struct derive *d, const struct profile *live,
			const struct samplelog *log, enum derive_mode mode, uint64_t span_ns,
			uint32_t tid)
{
	return d->prof && !d->ranged && d->log == log && d->mode == mode && d->tid == tid &&
	       (mode == DERIVE_CUMULATIVE || d->span_ns == span_ns) &&
	       samplelog_next_seq(log) >= d->next_seq &&
	       profile_nfuncs(d->prof) <= profile_nfuncs(live);
}

/* The derived profile for mode; *fresh when it is new or was rescaled. */
static const struct profile *derive_build(struct derive *d, const struct profile *live,
					  const struct samplelog *log, enum derive_mode mode,
					  uint64_t span_ns, uint32_t tid, uint64_t now_ns,
					  bool *fresh)
{
	bool same = derive_same(d, live, log, mode, span_ns, tid);
	const struct profile *before = d->prof;
	int err;

	if (d->range_t1 > d->range_t0)
		err = range_update(d, live, log, tid);
	else if (mode == DERIVE_WINDOW)
		err = window_build(d, live, log, span_ns, tid, now_ns);
	else if (mode == DERIVE_DECAY)
		err = same ? decay_step(d, live, log, now_ns, fresh) :
			     decay_build(d, live, log, span_ns, tid, now_ns);
	else
		err = same ? derive_catch_up(d, live, log) : cumulative_build(d, live, log, tid);
	if (d->prof != before)
		*fresh = true;
	if (err && !d->prof)
		return live;
	if (!err)
		copy_losses(d->prof, live);
	return d->prof;
}

const struct profile *derive_update(struct derive *d, const struct profile *live,
				    const struct samplelog *log, enum derive_mode mode,
				    uint64_t span_ns, uint32_t tid, uint64_t now_ns, bool *changed)
{
	const struct profile *out = live;
	bool fresh = false;

	if (!span_ns)
		span_ns = 1;
	if (log && (d->range_t1 > d->range_t0 || mode == DERIVE_WINDOW || mode == DERIVE_DECAY ||
		    (mode == DERIVE_CUMULATIVE && (tid || d->xform))))
		out = derive_build(d, live, log, mode, span_ns, tid, now_ns, &fresh);
	else
		derive_drop(d);
	if (changed)
		*changed = fresh || out != d->shown;
	d->shown = out;
	return out;
}
