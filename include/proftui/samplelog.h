/* samplelog.h — a bounded log of recent samples (time, thread, leaf node) for the derived views. */
#ifndef PROFTUI_SAMPLELOG_H
#define PROFTUI_SAMPLELOG_H

#include <stddef.h>
#include <stdint.h>

/*
 * A FIFO ring of the most recent samples, each named by the leaf node of its
 * path in the live profile's call tree (profile_last_leaf), so that windowed,
 * decaying and per-thread profiles can be rebuilt with profile_add_path.
 * When the ring is full the oldest entry is overwritten and counted in
 * samplelog_dropped.  Every appended entry gets the next sequence number
 * (0, 1, 2, ...), never reused, not even after samplelog_clear: a reader that
 * remembers samplelog_next_seq() can later visit just what came since.
 *
 * Entries arrive in roughly time order only (several CPU rings are merged),
 * so nothing here searches by time: visits are linear scans.
 *
 * Not thread-safe: owned by the consumer thread, like the profile.
 */
struct samplelog;

/* Weights up to this fit one entry; a heavier sample (--off-cpu: a long
 * wait) takes several entries that add up to it. */
#define SAMPLELOG_MAX_WEIGHT 1023u

struct samplelog_entry {
	uint64_t time_ns;
	unsigned int tid : 22;  /* Linux's PID_MAX_LIMIT is 2^22 */
	unsigned int weight : 10; /* 1..SAMPLELOG_MAX_WEIGHT */
	uint32_t leaf;          /* node id in the live profile */
};

/* Largest capacity accepted: 2^24 entries, 256 MiB. */
#define SAMPLELOG_MAX_CAP ((size_t)1 << 24)

/*
 * A log of `cap` entries, a power of two from 1 to SAMPLELOG_MAX_CAP
 * (16 bytes each: 1 << 22 is 64 MiB, allocated at once but only touched as
 * it fills).  NULL with errno EINVAL for another size, ENOMEM when out of
 * memory.
 */
struct samplelog *samplelog_new(size_t cap);
void samplelog_free(struct samplelog *l);

/* Append one entry of weight 1, O(1); when full the oldest is overwritten
 * and counted. */
void samplelog_add(struct samplelog *l, uint64_t time_ns, uint32_t tid, uint32_t leaf);

/* The same for a sample of any weight (0 adds nothing): one entry per
 * SAMPLELOG_MAX_WEIGHT of it. */
void samplelog_add_weighted(struct samplelog *l, uint64_t time_ns, uint32_t tid, uint32_t leaf,
			    uint64_t weight);

/*
 * Forget every entry (after the live profile was replaced: the old leaf ids
 * mean nothing any more).  next_seq and dropped keep counting, so sequence
 * numbers are never reused; oldest_seq becomes next_seq.  O(1).
 */
void samplelog_clear(struct samplelog *l);

size_t samplelog_count(const struct samplelog *l);      /* entries retained */
size_t samplelog_capacity(const struct samplelog *l);
uint64_t samplelog_dropped(const struct samplelog *l);  /* overwritten while retained */
uint64_t samplelog_next_seq(const struct samplelog *l); /* entries appended so far */
uint64_t samplelog_oldest_seq(const struct samplelog *l); /* == next_seq when empty */

/* One visited entry; a non-zero return stops the visit. */
typedef int (*samplelog_fn)(void *ctx, const struct samplelog_entry *e, uint64_t seq);

/*
 * Call fn, oldest first, for each retained entry with seq >= from_seq,
 * time_ns >= since_ns and, unless tid is 0, that thread id.  Returns how many
 * entries were passed to fn (the one that stopped the visit included).
 * O(entries from max(from_seq, oldest_seq) on).  fn must not add to or
 * clear the log.
 */
size_t samplelog_visit(const struct samplelog *l, uint64_t from_seq, uint64_t since_ns,
		       uint32_t tid, samplelog_fn fn, void *ctx);

#endif
