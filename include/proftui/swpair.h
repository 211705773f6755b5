/* swpair.h — pair each switch-out sample with the thread's next switch-in: its time off the CPU. */
#ifndef PROFTUI_SWPAIR_H
#define PROFTUI_SWPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proftui/record.h"

/*
 * The sampler's half of --off-cpu.  perf gives, for a target thread leaving
 * the CPU, a sample with its stack (the context-switches event) then a
 * switch-out record saying whether it was preempted; when it runs again, a
 * switch-in record.  Each comes with its time, but records of different CPUs
 * arrive in no particular order, so a switch-in can be seen before the
 * switch-out it ends.  This module keeps one pending sample per thread and
 * hands it back once both ends are known, weighed in sampling periods (the
 * remainder carried to the thread's next one, so short waits add up) and
 * labelled runnable (preempted), IO wait (state D) or sleeping.
 *
 * The state of a blocked thread is read from /proc/PID/task/TID/stat when
 * its switch-out record is handled, usually within a millisecond; a thread
 * that already runs again by then counts as sleeping.
 *
 * Owned by the sampler thread.
 */
struct swpair;

/* period_ns: the on-CPU sampling period, the unit of weights. */
struct swpair *swpair_new(pid_t pid, uint64_t period_ns);
void swpair_free(struct swpair *sp);

/* A finished sample to push: valid until the next call on sp. */
struct swpair_ready {
	const struct rec_sample *rec;
	size_t len;
};

/* The switch-out sample (built like any sample, state and weight unset).
 * A thread's earlier pending sample, if never ended, is dropped. */
void swpair_sample(struct swpair *sp, const struct rec_sample *r, size_t len);

/* The switch-out record: sets the pending sample's state.  Returns true with
 * *out when the sample can go (its switch-in was seen first). */
bool swpair_out(struct swpair *sp, uint32_t tid, uint64_t time_ns, bool preempted,
		struct swpair_ready *out);

/* The switch-in record: returns true with *out when it ends a pending
 * sample that weighs at least one period (with the carry). */
bool swpair_in(struct swpair *sp, uint32_t tid, uint64_t time_ns, struct swpair_ready *out);

/* At the end of the session: end every pending sample at now_ns, one per
 * call; false when none is left. */
bool swpair_flush(struct swpair *sp, uint64_t now_ns, struct swpair_ready *out);

/* Switch-outs seen and pending samples dropped, for the summary. */
void swpair_counts(const struct swpair *sp, uint64_t *switches, uint64_t *dropped);

#endif
