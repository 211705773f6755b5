/* tstrip.h — samples per time slice over the whole session, by CPU state, for the time strip. */
#ifndef PROFTUI_TSTRIP_H
#define PROFTUI_TSTRIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proftui/record.h"

/*
 * The time strip's model: how much sample weight fell in each slice of the
 * session, split by CPU state (on the CPU, runnable, IO wait, sleeping;
 * --off-cpu), for the whole process and for each of the first
 * TSTRIP_MAX_THREADS threads seen.  Slices have one width that starts at
 * the width given and doubles (neighbours merged in pairs) whenever a
 * sample falls past the last of the TSTRIP_SLICES slices, so memory stays
 * bounded however long the session: slice i covers
 * [origin + i * width, origin + (i + 1) * width) on the samples' clock.
 * Samples before the origin count in slice 0.
 *
 * Unlike the sample log (samplelog.h) nothing is ever dropped: the strip
 * covers the whole session, the log only its recent part.
 *
 * Not thread-safe: owned by the consumer thread, fed by feed.c.
 */
struct tstrip;

#define TSTRIP_SLICES       512u
/* The first width: 0.1 s, so that a phase of a second shows as ten columns. */
#define TSTRIP_SLICE_NS     ((uint64_t)100000000)
/* Per-thread counts are kept for this many threads (8 KiB each); later
 * threads count in the whole process only. */
#define TSTRIP_MAX_THREADS  128u
/* The widest slice: doubling stops here (about 1.1 days a slice, 1.5 years
 * of session); later samples count in the last slice. */
#define TSTRIP_MAX_SLICE_NS ((uint64_t)1 << 46)

/* A strip starting at origin_ns, slice_ns wide (0 or over the maximum: the
 * nearest allowed).  NULL when out of memory. */
struct tstrip *tstrip_new(uint64_t origin_ns, uint64_t slice_ns);
void tstrip_free(struct tstrip *s);

/* Forget every count and start again at origin_ns with the first width
 * (after the live profile was reset). */
void tstrip_reset(struct tstrip *s, uint64_t origin_ns);

/* Count a sample of weight w (0 adds nothing).  O(1), plus O(slices x
 * threads kept) when the width doubles. */
void tstrip_add(struct tstrip *s, uint64_t time_ns, uint32_t tid, enum cpu_state cs, uint64_t w);

/* Set slice i's whole-process counts outright (loading a snapshot, whose
 * slices have the width saved).  Returns 0, or -EINVAL for i out of range. */
int tstrip_set(struct tstrip *s, size_t i, const uint64_t counts[CPU__COUNT]);

uint64_t tstrip_origin(const struct tstrip *s);
uint64_t tstrip_slice_ns(const struct tstrip *s);

/* Slices from the first to the last that has a sample (0 when none). */
size_t tstrip_used(const struct tstrip *s);

/* Whether any weight off the CPU was counted (the strip then colours by
 * state). */
bool tstrip_off_cpu(const struct tstrip *s);

/* Whether tid (not 0) has its own counts. */
bool tstrip_has_thread(const struct tstrip *s, uint32_t tid);

/*
 * The counts of slices [first, first + n) summed into out, by state: the
 * whole process for tid 0, else that thread's (all zero when the thread has
 * no counts of its own).  Slices past the end count nothing.
 */
void tstrip_sum(const struct tstrip *s, size_t first, size_t n, uint32_t tid,
		uint64_t out[CPU__COUNT]);

/* Which slice time_ns falls in (clamped to the slices there are). */
size_t tstrip_slice_of(const struct tstrip *s, uint64_t time_ns);

#endif
