/* ring.c — lock-free SPSC ring of variable-length, contiguous records. */
#include "proftui/ring.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Layout: every record is an 8-byte header holding the payload length,
 * followed by the payload rounded up to 8 bytes, so headers and payloads stay
 * 8-aligned.  A header of RING_PAD marks the unused bytes up to the end of
 * the buffer; since everything is a multiple of 8 there is always room for it.
 *
 * Positions are free-running 64-bit byte counters; `pos & mask` indexes the
 * buffer, and `head - tail` is the number of bytes in use even across wraps.
 */

#define RING_MIN_CAP	((size_t)4096)
/* Cap on one ring's size: far beyond any sane need, and keeps counters sane. */
#define RING_MAX_CAP	((size_t)1 << 30)
#define RING_HDR	((size_t)8)
#define RING_PAD	UINT64_MAX
#define RING_LINE	64
/*
 * While the consumer keeps up, the producer goes back to the start of the
 * buffer (through a padding record) once it is a quarter of the way in, at
 * most this far, and finds the ring empty.  So a ring sized for the
 * consumer's worst stall (megabytes) costs, in the usual case, only its
 * first few hundred KiB: warm in the caches, and never page-faulting the
 * rest of the buffer in for the first time over the first seconds of a
 * session.
 */
#define RING_WARM	((size_t)256 << 10)

/*
 * Each side's shared counter sits on its own cache line together with that
 * side's private state, so the only cross-core traffic is the occasional
 * reload of the other side's counter.
 */
struct ring_prod {
	_Atomic uint64_t head;		/* published end of committed data */
	_Atomic uint64_t dropped;	/* written by the producer only */
	uint64_t tail_cache;		/* last tail seen; only ever stale-low */
	uint64_t next_head;		/* head once the reservation commits */
	bool reserved;
};

struct ring_cons {
	_Atomic uint64_t tail;		/* released end of consumed data */
	uint64_t head_cache;		/* last head seen; only ever stale-low */
	uint64_t read;			/* header of the record to peek next */
	uint64_t cur_size;		/* bytes of the peeked record, 0 if none */
};

struct ring {
	/* Read-only after ring_new: shared freely by both sides. */
	unsigned char *buf;
	size_t cap;
	size_t mask;
	size_t max_rec;
	size_t warm;			/* see RING_WARM */
	alignas(RING_LINE) struct ring_prod p;
	alignas(RING_LINE) struct ring_cons c;
};

static size_t ring_round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Smallest power of two >= want within [RING_MIN_CAP, RING_MAX_CAP], or 0. */
static size_t ring_pick_cap(size_t want)
{
	size_t cap = RING_MIN_CAP;

	if (want > RING_MAX_CAP)
		return 0;
	while (cap < want)
		cap <<= 1;
	return cap;
}

struct ring *ring_new(size_t capacity)
{
	size_t cap = ring_pick_cap(capacity);
	struct ring *r;

	if (!cap) {
		errno = EINVAL;
		return NULL;
	}
	/* aligned_alloc wants a size that is a multiple of the alignment;
	 * sizeof(struct ring) is, because of its alignas members. */
	r = aligned_alloc(alignof(struct ring), sizeof(*r));
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->buf = aligned_alloc(RING_LINE, cap);
	if (!r->buf) {
		free(r);
		return NULL;
	}
	r->cap = cap;
	r->mask = cap - 1;
	/* Half the ring: a record this big always fits into an empty ring,
	 * wherever head happens to be, even if it needs a padding record. */
	r->max_rec = cap / 2 - RING_HDR;
	r->warm = cap / 4 < RING_WARM ? cap / 4 : RING_WARM;
	atomic_init(&r->p.head, 0);
	atomic_init(&r->p.dropped, 0);
	atomic_init(&r->c.tail, 0);
	return r;
}

void ring_free(struct ring *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

static uint64_t *ring_hdr_at(struct ring *r, uint64_t pos)
{
	return (uint64_t *)(void *)(r->buf + (pos & r->mask));
}

/* Only the producer writes `dropped`, so a plain load+store suffices and
 * avoids a locked read-modify-write on the already-congested full path. */
static void ring_count_drop(struct ring *r)
{
	uint64_t d = atomic_load_explicit(&r->p.dropped, memory_order_relaxed);

	atomic_store_explicit(&r->p.dropped, d + 1, memory_order_relaxed);
}

/* True if `need` more bytes fit after `head`, refreshing the tail cache only
 * when the stale value says no, to keep off the consumer's cache line. */
static bool ring_has_room(struct ring *r, uint64_t head, size_t need)
{
	if (head - r->p.tail_cache + need <= r->cap)
		return true;
	r->p.tail_cache = atomic_load_explicit(&r->c.tail, memory_order_acquire);
	return head - r->p.tail_cache + need <= r->cap;
}

/* Past RING_WARM with nothing left unread?  (The tail is only loaded
 * there: before, the producer keeps off the consumer's cache line.) */
static bool ring_drained(struct ring *r, uint64_t head)
{
	if ((size_t)(head & r->mask) < r->warm)
		return false;
	if (r->p.tail_cache != head)
		r->p.tail_cache = atomic_load_explicit(&r->c.tail, memory_order_acquire);
	return r->p.tail_cache == head;
}

/*
 * A second ring_reserve before ring_commit abandons the first reservation:
 * nothing was published, so its bytes are simply reused.
 */
void *ring_reserve(struct ring *r, size_t len)
{
	/* Only the producer stores head, so a relaxed load reads its own value. */
	uint64_t head = atomic_load_explicit(&r->p.head, memory_order_relaxed);
	size_t size, to_end, pad;

	r->p.reserved = false;
	if (len == 0 || len > r->max_rec) {
		ring_count_drop(r);
		return NULL;
	}
	size = RING_HDR + ring_round8(len);
	to_end = r->cap - (size_t)(head & r->mask);
	pad = size > to_end ? to_end : 0;
	if (!pad && ring_drained(r, head) && ring_has_room(r, head, to_end + size))
		pad = to_end;		/* back to the warm start (RING_WARM) */
	if (!ring_has_room(r, head, pad + size)) {
		ring_count_drop(r);
		return NULL;
	}
	if (pad)
		*ring_hdr_at(r, head) = RING_PAD;
	head += pad;
	*ring_hdr_at(r, head) = len;
	r->p.next_head = head + size;
	r->p.reserved = true;
	return r->buf + (head & r->mask) + RING_HDR;
}

void ring_commit(struct ring *r)
{
	if (!r->p.reserved)
		return;
	r->p.reserved = false;
	/* Release: the record's bytes (and any padding header) become visible
	 * to the consumer no later than the head that covers them. */
	atomic_store_explicit(&r->p.head, r->p.next_head, memory_order_release);
}

/* True if unread bytes exist at `pos`, reloading head only when the cached
 * value is used up. */
static bool ring_has_data(struct ring *r, uint64_t pos)
{
	if (pos != r->c.head_cache)
		return true;
	r->c.head_cache = atomic_load_explicit(&r->p.head, memory_order_acquire);
	return pos != r->c.head_cache;
}

/*
 * Peeking twice without a release returns the same record.  A padding record
 * is skipped locally; its space is handed back by the next ring_release.
 */
const void *ring_peek(struct ring *r, size_t *len)
{
	uint64_t pos = r->c.read;
	uint64_t hdr;

	for (;;) {
		if (!ring_has_data(r, pos))
			return NULL;
		hdr = *ring_hdr_at(r, pos);
		if (hdr != RING_PAD)
			break;
		pos += r->cap - (size_t)(pos & r->mask);
		r->c.read = pos;
	}
	r->c.cur_size = RING_HDR + ring_round8((size_t)hdr);
	if (len)
		*len = (size_t)hdr;
	return r->buf + (pos & r->mask) + RING_HDR;
}

void ring_release(struct ring *r)
{
	if (!r->c.cur_size)
		return;
	r->c.read += r->c.cur_size;
	r->c.cur_size = 0;
	/* Release: our reads of the record happen before the producer, having
	 * acquired this tail, may overwrite its bytes. */
	atomic_store_explicit(&r->c.tail, r->c.read, memory_order_release);
}

uint64_t ring_dropped(const struct ring *r)
{
	return atomic_load_explicit(&r->p.dropped, memory_order_relaxed);
}

size_t ring_max_record(const struct ring *r)
{
	return r->max_rec;
}
