/* test_ring.c — unit and two-thread stress tests for the SPSC record ring. */
#include <criterion/criterion.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proftui/ring.h"

/* gcc and clang announce sanitizers differently. */
#ifdef __SANITIZE_THREAD__
#define RING_TEST_TSAN 1
#endif
#ifdef __SANITIZE_ADDRESS__
#define RING_TEST_ASAN 1
#endif
#ifdef __has_feature
#if __has_feature(thread_sanitizer)
#define RING_TEST_TSAN 1
#endif
#if __has_feature(address_sanitizer)
#define RING_TEST_ASAN 1
#endif
#endif

/* Sanitizers slow every memory access down a lot; keep the stress test short.
 * RING_STRESS_N in the environment overrides the record count. */
#if defined(RING_TEST_TSAN) || defined(RING_TEST_ASAN)
#define STRESS_DEFAULT_N 1000000u
#else
#define STRESS_DEFAULT_N 3000000u
#endif
#define STRESS_MAX_N 100000000u

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

/* Record length chosen by sequence number: 8..600 bytes. */
static size_t len_for(uint64_t seq)
{
	return 8 + (size_t)(mix64(seq ^ 0x5eed) % 593);
}

/* Pattern word i of record `seq`; words differ between records and offsets,
 * so any torn or misplaced byte shows up. */
static uint64_t pat_word(uint64_t seq, size_t i)
{
	return mix64(seq) + i * 0x2545f4914f6cdd1du;
}

/* Sequence number in the first 8 bytes, pattern words after it. */
static void fill(void *p, size_t len, uint64_t seq)
{
	unsigned char *b = p;
	size_t off, i = 1;
	uint64_t w;

	if (len < 8) {
		w = pat_word(seq, 0);
		memcpy(b, &w, len);
		return;
	}
	memcpy(b, &seq, 8);
	for (off = 8; off < len; off += 8, i++) {
		w = pat_word(seq, i);
		memcpy(b + off, &w, len - off < 8 ? len - off : 8);
	}
}

/* One memcmp against a freshly built copy keeps the check cheap, even when
 * a sanitizer intercepts memcmp. */
static bool intact(const void *p, size_t len, uint64_t seq)
{
	uint64_t stack[4096 / 8];
	void *want = len <= sizeof(stack) ? stack : malloc(len);
	bool ok;

	if (!want)
		return false;
	fill(want, len, seq);
	ok = memcmp(p, want, len) == 0;
	if (want != stack)
		free(want);
	return ok;
}

static void *push(struct ring *r, size_t len, uint64_t seq)
{
	void *p = ring_reserve(r, len);

	if (p) {
		fill(p, len, seq);
		ring_commit(r);
	}
	return p;
}

static void expect_pop(struct ring *r, size_t len, uint64_t seq, const void *where)
{
	size_t got = 0;
	const void *p = ring_peek(r, &got);

	cr_assert_not_null(p, "record %llu missing", (unsigned long long)seq);
	cr_assert_eq(got, len, "record %llu: len %zu, want %zu",
		     (unsigned long long)seq, got, len);
	cr_assert(intact(p, got, seq), "record %llu corrupted", (unsigned long long)seq);
	if (where)
		cr_assert_eq(p, where, "record %llu not read in place", (unsigned long long)seq);
	ring_release(r);
}

Test(ring, push_peek_release_in_order)
{
	static const size_t lens[] = { 1, 7, 8, 9, 100, 333 };
	void *at[sizeof(lens) / sizeof(lens[0])];
	struct ring *r = ring_new(4096);
	size_t i, n = sizeof(lens) / sizeof(lens[0]);

	cr_assert_not_null(r);
	cr_assert_null(ring_peek(r, NULL), "new ring not empty");
	for (i = 0; i < n; i++) {
		at[i] = push(r, lens[i], i);
		cr_assert_not_null(at[i]);
		cr_assert_eq((uintptr_t)at[i] % 8, 0, "record %zu misaligned", i);
	}
	for (i = 0; i < n; i++)
		expect_pop(r, lens[i], i, at[i]);
	cr_assert_null(ring_peek(r, NULL));
	cr_assert_eq(ring_dropped(r), 0);
	ring_free(r);
}

Test(ring, uncommitted_record_is_invisible)
{
	struct ring *r = ring_new(4096);
	void *p;

	cr_assert_not_null(r);
	p = ring_reserve(r, 64);
	cr_assert_not_null(p);
	fill(p, 64, 7);
	cr_assert_null(ring_peek(r, NULL), "reservation visible before commit");
	ring_commit(r);
	expect_pop(r, 64, 7, p);
	ring_commit(r);	/* nothing reserved: must publish nothing */
	cr_assert_null(ring_peek(r, NULL));
	ring_free(r);
}

Test(ring, peek_twice_and_stray_release)
{
	struct ring *r = ring_new(4096);
	const void *a, *b;
	size_t la = 0, lb = 0;

	cr_assert_not_null(r);
	ring_release(r);	/* nothing peeked: must not move anything */
	cr_assert_not_null(push(r, 40, 1));
	cr_assert_not_null(push(r, 50, 2));
	ring_release(r);	/* still nothing peeked */
	a = ring_peek(r, &la);
	b = ring_peek(r, &lb);
	cr_assert_eq(a, b, "second peek moved on");
	cr_assert_eq(la, 40);
	cr_assert_eq(lb, 40);
	ring_release(r);
	ring_release(r);	/* double release must not skip record 2 */
	expect_pop(r, 50, 2, NULL);
	ring_free(r);
}

Test(ring, second_reserve_replaces_first)
{
	struct ring *r = ring_new(4096);
	void *p;

	cr_assert_not_null(r);
	cr_assert_not_null(ring_reserve(r, 200));
	p = ring_reserve(r, 16);
	cr_assert_not_null(p);
	fill(p, 16, 3);
	ring_commit(r);
	expect_pop(r, 16, 3, p);
	cr_assert_null(ring_peek(r, NULL));
	ring_free(r);
}

/* FIFO model of what the ring should hold, for the wrap-around test. */
struct model {
	uint64_t seq[4096];
	void *at[4096];
	size_t head, tail;
};

Test(ring, wrap_around_many_cycles)
{
	static struct model m;
	struct ring *r = ring_new(4096);
	uint64_t rng = 12345, next = 0, fails = 0, wraps = 0;
	const unsigned char *last = NULL;
	size_t max, step;

	cr_assert_not_null(r);
	max = ring_max_record(r);
	for (step = 0; step < 400000; step++) {
		rng = mix64(rng);
		if (rng % 100 < 52) {
			/* Mostly small records, sometimes up to the maximum. */
			size_t len = rng % 7 == 0 ? 1 + (rng >> 8) % max : 1 + (rng >> 8) % 300;
			void *p = push(r, len, next);

			if (!p) {
				fails++;
				cr_assert_neq(m.head, m.tail, "reserve(%zu) failed on an empty ring", len);
				cr_assert_eq(ring_dropped(r), fails);
				next++;
				continue;
			}
			cr_assert_lt(m.head - m.tail, 4096, "model overflow");
			m.seq[m.head % 4096] = next++;
			m.at[m.head++ % 4096] = p;
		} else if (m.head != m.tail) {
			size_t len = 0;
			const unsigned char *p = ring_peek(r, &len);
			uint64_t seq = m.seq[m.tail % 4096];

			cr_assert_not_null(p, "record %llu lost", (unsigned long long)seq);
			cr_assert_eq(p, m.at[m.tail % 4096]);
			cr_assert(intact(p, len, seq), "record %llu corrupted", (unsigned long long)seq);
			if (last && p < last)
				wraps++;
			last = p;
			ring_release(r);
			m.tail++;
		} else {
			cr_assert_null(ring_peek(r, NULL), "ring has a record the model lacks");
		}
	}
	cr_assert_gt(wraps, 1000, "only %llu wraps", (unsigned long long)wraps);
	cr_assert_gt(fails, 0, "ring never filled up");
	ring_free(r);
}

Test(ring, full_ring_drops_without_blocking)
{
	struct ring *r = ring_new(4096);
	void *at[128];
	size_t n = 0, i;

	cr_assert_not_null(r);
	while (n < 128 && (at[n] = push(r, 100, n)) != NULL)
		n++;
	/* 4 KiB of 100-byte records: a little header overhead is fine. */
	cr_assert(n >= 30 && n * 100 <= 4096, "%zu records fit", n);
	cr_assert_eq(ring_dropped(r), 1);
	cr_assert_null(push(r, 100, 999));
	cr_assert_null(push(r, 101, 999));
	cr_assert_eq(ring_dropped(r), 3);

	/* Freeing one record makes room for one more, possibly after a wrap. */
	expect_pop(r, 100, 0, at[0]);
	at[0] = push(r, 100, n);
	cr_assert_not_null(at[0], "no room after a release");
	for (i = 1; i <= n; i++)
		expect_pop(r, 100, i, i == n ? at[0] : at[i]);
	cr_assert_null(ring_peek(r, NULL));
	cr_assert_eq(ring_dropped(r), 3);
	ring_free(r);
}

Test(ring, exact_fill_then_drain)
{
	struct ring *r = ring_new(4096);
	size_t n = 0;

	cr_assert_not_null(r);
	/* 504 + 8 bytes of header is 512: 8 of them fill 4 KiB exactly. */
	while (n < 64 && push(r, 504, n))
		n++;
	cr_assert(n >= 7 && n <= 8, "%zu records of 504 bytes fit in 4 KiB", n);
	for (size_t i = 0; i < n; i++)
		expect_pop(r, 504, i, NULL);
	cr_assert_null(ring_peek(r, NULL));
	cr_assert_not_null(push(r, 504, 77));
	expect_pop(r, 504, 77, NULL);
	ring_free(r);
}

/* While the consumer keeps up, records stay near the start of the buffer
 * (its first quarter, at most 256 KiB in): warm, and the rest never
 * touched.  ring.c: RING_WARM. */
Test(ring, keeps_to_its_start_while_the_consumer_keeps_up)
{
	struct ring *r = ring_new(4u << 20);
	const unsigned char *lo = NULL, *hi = NULL;

	cr_assert_not_null(r);
	for (uint64_t seq = 0; seq < 100000; seq++) {
		size_t len = 300 + seq % 400;
		const unsigned char *p = push(r, len, seq);

		cr_assert_not_null(p, "record %llu refused", (unsigned long long)seq);
		if (!lo || p < lo)
			lo = p;
		if (!hi || p > hi)
			hi = p;
		/* Two records in flight now and then: no early wrap then. */
		if (seq % 7 == 0) {
			cr_assert_not_null(push(r, len, ++seq));
			expect_pop(r, len, seq - 1, p);
			expect_pop(r, len, seq, NULL);
		} else {
			expect_pop(r, len, seq, p);
		}
	}
	cr_assert_lt((size_t)(hi - lo), (256u << 10) + 1024, "records spread over %zu bytes",
		     (size_t)(hi - lo));
	ring_free(r);
}

/* A consumer that falls behind still has the whole buffer, after early
 * wraps as before them, and gets every record in order. */
Test(ring, a_lagging_consumer_still_has_the_whole_ring)
{
	struct ring *r = ring_new(1u << 20);
	uint64_t seq = 0, first;
	size_t bytes = 0;

	cr_assert_not_null(r);
	for (int lap = 0; lap < 3; lap++) {
		/* Keep up for a while (wrapping early, from a quarter in)... */
		for (int i = 0; i < 2000; i++, seq++) {
			cr_assert_not_null(push(r, 1000, seq));
			expect_pop(r, 1000, seq, NULL);
		}
		/* ...then stop reading: the ring must take ~1 MiB. */
		first = seq;
		for (bytes = 0; push(r, 1000, seq); seq++)
			bytes += 1008;
		cr_assert_geq(bytes, (1u << 20) - 2 * 1008, "lap %d: only %zu bytes taken", lap, bytes);
		for (uint64_t k = first; k < seq; k++)
			expect_pop(r, 1000, k, NULL);
		cr_assert_null(ring_peek(r, NULL));
		seq++;    /* the refused one */
	}
	ring_free(r);
}

static size_t count_fit(size_t capacity, size_t len)
{
	struct ring *r = ring_new(capacity);
	size_t n = 0;

	cr_assert_not_null(r);
	while (n < 1000 && push(r, len, n))
		n++;
	ring_free(r);
	return n;
}

Test(ring, capacity_rounding)
{
	cr_assert_geq(count_fit(0, 504), 7, "minimum is 4 KiB");
	cr_assert_geq(count_fit(1, 504), 7, "minimum is 4 KiB");
	cr_assert_lt(count_fit(4096, 504), 9, "4096 is already a power of two");
	cr_assert_geq(count_fit(5000, 504) * 504, 5000, "5000 must round up");
	cr_assert_null(ring_new(SIZE_MAX), "absurd capacity accepted");
	ring_free(NULL);
}

Test(ring, oversized_record_refused_and_counted)
{
	struct ring *r = ring_new(4096);
	size_t max, off;
	uint64_t seq = 0;

	cr_assert_not_null(r);
	max = ring_max_record(r);
	cr_assert_geq(max, 1024, "max record %zu too small for 4 KiB", max);
	cr_assert_lt(max, 4096);
	cr_assert_null(ring_reserve(r, max + 1));
	cr_assert_eq(ring_dropped(r), 1);
	cr_assert_null(ring_reserve(r, SIZE_MAX));
	cr_assert_null(ring_reserve(r, SIZE_MAX - 3));
	cr_assert_eq(ring_dropped(r), 3);
	cr_assert_null(ring_reserve(r, 0));
	cr_assert_eq(ring_dropped(r), 4);
	cr_assert_null(ring_peek(r, NULL));

	/* The maximum must fit into an empty ring wherever head stands. */
	for (off = 0; off < 2 * 4096; off += 24) {
		cr_assert_not_null(push(r, 16, seq));
		expect_pop(r, 16, seq++, NULL);
		cr_assert_not_null(push(r, max, seq), "max refused at offset %zu", off);
		expect_pop(r, max, seq++, NULL);
	}
	cr_assert_eq(ring_dropped(r), 4);
	ring_free(r);
}

Test(ring, max_record_grows_with_capacity)
{
	struct ring *a = ring_new(4096), *b = ring_new(1 << 20);

	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_gt(ring_max_record(b), ring_max_record(a));
	cr_assert_not_null(push(b, ring_max_record(b), 1));
	expect_pop(b, ring_max_record(b), 1, NULL);
	ring_free(a);
	ring_free(b);
}

/* ---- two-thread stress ------------------------------------------------- */

struct stress {
	struct ring *r;
	uint64_t n;
	atomic_bool done;
	/* producer only */
	uint64_t drops;
	unsigned char *dropped_bits;
	uint64_t scratch[640 / 8];
	/* consumer only */
	uint64_t received, bad_len, bad_data, bad_order, bad_seq;
	unsigned char *got_bits;
	/* after both threads end */
	uint64_t both, neither;
};

static void *stress_producer(void *arg)
{
	struct stress *s = arg;
	uint64_t seq;

	for (seq = 0; seq < s->n; seq++) {
		size_t len = len_for(seq);
		void *p = ring_reserve(s->r, len);

		if (!p) {	/* no retry: the record is gone for good */
			/* Still pay for building it, as a real sampler would,
			 * so the producer does not race ahead of the consumer. */
			fill(s->scratch, len, seq);
			s->drops++;
			/* Back off a little (this is not a retry) so that more
			 * records get through than are dropped. */
			if (s->drops % 8 == 0)
				sched_yield();
			s->dropped_bits[seq / 8] |= (unsigned char)(1u << (seq % 8));
			continue;
		}
		fill(p, len, seq);
		ring_commit(s->r);
		/* Pause now and then so the consumer also drains it empty. */
		if (seq % 65536 == 32768)
			nanosleep(&(struct timespec){ .tv_nsec = 200000 }, NULL);
	}
	atomic_store_explicit(&s->done, true, memory_order_release);
	return NULL;
}

static void stress_check(struct stress *s, const void *p, size_t len, uint64_t *last)
{
	uint64_t seq;

	s->received++;
	if (len < 8) {
		s->bad_len++;
		return;
	}
	memcpy(&seq, p, 8);
	if (seq >= s->n) {
		s->bad_seq++;
		return;
	}
	if (*last != UINT64_MAX && seq <= *last)
		s->bad_order++;
	*last = seq;
	if (len != len_for(seq))
		s->bad_len++;
	else if (!intact(p, len, seq))
		s->bad_data++;
	s->got_bits[seq / 8] |= (unsigned char)(1u << (seq % 8));
}

static void *stress_consumer(void *arg)
{
	struct stress *s = arg;
	uint64_t last = UINT64_MAX;
	unsigned spins = 0;

	for (;;) {
		size_t len = 0;
		const void *p = ring_peek(s->r, &len);

		if (p) {
			stress_check(s, p, len, &last);
			ring_release(s->r);
			/* Stall now and then so the ring really fills up. */
			if (s->received % 65536 == 0)
				nanosleep(&(struct timespec){ .tv_nsec = 200000 }, NULL);
			continue;
		}
		/* Ring empty: once the producer is done, one last look drains
		 * anything committed just before it said so. */
		if (atomic_load_explicit(&s->done, memory_order_acquire)) {
			if (!ring_peek(s->r, NULL))
				break;
			continue;
		}
		if (++spins % 64 == 0)
			sched_yield();
	}
	return NULL;
}

static uint64_t stress_n(void)
{
	const char *env = getenv("RING_STRESS_N");
	unsigned long long n;
	char *end;

	if (!env || !*env)
		return STRESS_DEFAULT_N;
	n = strtoull(env, &end, 10);
	if (*end || n == 0 || n > STRESS_MAX_N)
		return STRESS_DEFAULT_N;
	return n;
}

/* Sets one bit per sequence number delivered or dropped, then runs the
 * producer and consumer threads to completion.  Returns 0 or -errno. */
static int stress_run(struct stress *s)
{
	pthread_t prod, cons;
	uint64_t seq;
	int err;

	s->r = ring_new(64 * 1024);
	s->dropped_bits = calloc(s->n / 8 + 1, 1);
	s->got_bits = calloc(s->n / 8 + 1, 1);
	if (!s->r || !s->dropped_bits || !s->got_bits)
		return -ENOMEM;
	atomic_init(&s->done, false);
	err = pthread_create(&cons, NULL, stress_consumer, s);
	if (err)
		return -err;
	err = pthread_create(&prod, NULL, stress_producer, s);
	if (err) {
		atomic_store(&s->done, true);
		pthread_join(cons, NULL);
		return -err;
	}
	pthread_join(prod, NULL);
	pthread_join(cons, NULL);
	/* Every sequence number must be either delivered or dropped, once. */
	for (seq = 0; seq < s->n; seq++) {
		bool got = s->got_bits[seq / 8] >> (seq % 8) & 1;
		bool drop = s->dropped_bits[seq / 8] >> (seq % 8) & 1;

		s->both += got && drop;
		s->neither += !got && !drop;
	}
	return 0;
}

static void stress_done(struct stress *s)
{
	free(s->dropped_bits);
	free(s->got_bits);
	ring_free(s->r);
}

Test(ring, two_thread_stress, .timeout = 30)
{
	struct stress s = { .n = stress_n() };

	cr_assert_eq(stress_run(&s), 0, "stress setup failed");
	cr_log_info("stress: %llu produced, %llu received, %llu dropped",
		    (unsigned long long)s.n, (unsigned long long)s.received,
		    (unsigned long long)s.drops);
	cr_expect_eq(s.bad_len, 0, "%llu records with a wrong length", (unsigned long long)s.bad_len);
	cr_expect_eq(s.bad_data, 0, "%llu torn records", (unsigned long long)s.bad_data);
	cr_expect_eq(s.bad_order, 0, "%llu out-of-order records", (unsigned long long)s.bad_order);
	cr_expect_eq(s.bad_seq, 0, "%llu bogus sequence numbers", (unsigned long long)s.bad_seq);
	cr_expect_eq(s.received + s.drops, s.n, "received + dropped != produced");
	cr_expect_eq(ring_dropped(s.r), s.drops, "ring_dropped() disagrees with the producer");
	cr_expect_gt(s.received, 0);
	cr_expect_eq(s.both, 0, "%llu records both dropped and delivered", (unsigned long long)s.both);
	cr_expect_eq(s.neither, 0, "%llu records lost silently", (unsigned long long)s.neither);
	stress_done(&s);
}

#ifdef RING_TEST_TSAN
/*
 * Criterion's sandbox maps its shared arena at a random address that
 * ThreadSanitizer reserves for its shadow memory, so under TSan the runner
 * aborts at start-up ("Could not initialize inheritable arena") almost every
 * time.  This main, which takes precedence over libcriterion's, runs the one
 * multi-threaded test directly; TSan itself fails the run (exit 66) on a race.
 */
int main(void)
{
	struct stress s = { .n = stress_n() };
	int rc;

	alarm(60);	/* a broken ring can leave the consumer spinning */
	rc = stress_run(&s);
	if (rc) {
		fprintf(stderr, "stress setup failed: %d\n", rc);
		return 1;
	}
	printf("stress: %llu produced, %llu received, %llu dropped\n",
	       (unsigned long long)s.n, (unsigned long long)s.received,
	       (unsigned long long)s.drops);
	rc = s.bad_len || s.bad_data || s.bad_order || s.bad_seq || s.both ||
	     s.neither || !s.received || s.received + s.drops != s.n ||
	     ring_dropped(s.r) != s.drops;
	if (rc)
		fprintf(stderr, "FAIL: len %llu data %llu order %llu seq %llu "
			"both %llu lost %llu ring_dropped %llu\n",
			(unsigned long long)s.bad_len, (unsigned long long)s.bad_data,
			(unsigned long long)s.bad_order, (unsigned long long)s.bad_seq,
			(unsigned long long)s.both, (unsigned long long)s.neither,
			(unsigned long long)ring_dropped(s.r));
	else
		printf("PASS\n");
	stress_done(&s);
	return rc;
}
#endif
