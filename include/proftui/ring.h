/* ring.h — lock-free single-producer/single-consumer ring of variable-length records. */
#ifndef PROFTUI_RING_H
#define PROFTUI_RING_H

#include <stddef.h>
#include <stdint.h>

/*
 * Memory-ordering contract
 * ------------------------
 * Exactly one producer thread calls ring_reserve/ring_commit and exactly one
 * consumer thread calls ring_peek/ring_release.  Two monotonically increasing
 * byte counters are shared: `head` (written only by the producer) and `tail`
 * (written only by the consumer).
 *
 *  - The producer writes a record's bytes, then publishes it by storing the
 *    new head with memory_order_release.  The consumer loads head with
 *    memory_order_acquire, so every byte of a record it sees is complete.
 *  - The consumer reads a record, then frees its space by storing the new
 *    tail with memory_order_release.  The producer loads tail with
 *    memory_order_acquire before reusing that space, so it never overwrites
 *    bytes still being read.
 *
 * Records are contiguous in memory: a record that would straddle the end of
 * the buffer is preceded by an internal padding record, invisible to callers.
 * When there is no room the producer does not wait: ring_reserve returns NULL
 * and the drop is counted (ring_dropped).  Neither side ever blocks or locks.
 */

struct ring;

/* Create a ring holding `capacity` bytes (rounded up to a power of two, at
 * least 4 KiB).  Returns NULL on allocation failure. */
struct ring *ring_new(size_t capacity);
void ring_free(struct ring *r);

/* Producer.  Reserve `len` bytes (len > 0) for one record; returns a pointer
 * aligned to 8 bytes, or NULL if the ring is full or len exceeds
 * ring_max_record (the record is then counted as dropped).  At most one
 * reservation may be outstanding; ring_commit publishes it. */
void *ring_reserve(struct ring *r, size_t len);
void ring_commit(struct ring *r);

/* Consumer.  Return the oldest unread record and its length, or NULL when the
 * ring is empty.  The record stays valid until ring_release. */
const void *ring_peek(struct ring *r, size_t *len);
void ring_release(struct ring *r);

/* Records refused by ring_reserve since creation (safe from either thread). */
uint64_t ring_dropped(const struct ring *r);
/* Largest record ring_reserve can ever accept. */
size_t ring_max_record(const struct ring *r);

#endif
